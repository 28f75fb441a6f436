"""The wrapper verif/hdl/le_axi_dma_bfm_tb.sv at transaction level: the read DMA (rtl/le_axi_rd.sv) and the write
DMA (rtl/le_axi_wr.sv) on one AXI4 port served by the slave BFM (verif/hdl/le_axi_slave_bfm.sv, proxy
verif/bfm/axi_mem_bfm.py AxiMemBfm). Shared by the BFM's own tests (cocotb_axi_slave_bfm*.py) and the DMA operator
tests (cocotb_axi_rd.py, cocotb_axi_wr.py through axi_dma_harness.py).

The wrapper's tables (proxy-written through VPI, no per-cycle Python): read commands rc_addr/rc_len (ring, rc_n
written, rc_i consumed), write commands wc_*, write data wd (ring, wd_n / wd_i), captured read beats cap (ring,
cap_n). Knobs: p_out_stall (out_ready low), p_in_idle (in_valid low), fi_mode (fault injection), err_clr.
"""
from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from cocotb.clock import Clock
from cocotb.handle import Immediate
from cocotb.triggers import ClockCycles, Timer

from models.schedule import Transfer, bursts
from verif.bfm.axi_mem_bfm import _u
from verif.bfm.axi_mem_bfm_types import PROB_ONE

BASE = 0x0010_0000
SIZE = 0x2_0000                     # 128 KB loaded (reads) / read-write (writes): 32 pages of 4 KB
POLL = 512                          # cycles between completion polls
CLK_NS = 10


@dataclass(frozen=True)
class Cmd:
    """One DMA command: a bus-aligned byte address and a length in bytes (whole beats)."""
    addr: int
    nbytes: int


def expected_bursts(cmds: list[Cmd], bus_bytes: int) -> list[tuple[int, int]]:
    """(address, beats) of every AXI burst the DMAs must issue for `cmds`, in order: the maximal split at 4 KB
    boundaries and 256 beats (models/schedule.py bursts, the golden side of rtl/le_axi_burst_split.sv)."""
    return [b for c in cmds for b in bursts(Transfer("rd", c.addr, c.nbytes, "test", None, None, None, "test"),
                                                bus_bytes)]


def corner_cmds(bb: int) -> list[Cmd]:
    """Commands at the splitter's corners (all inside [BASE, BASE + SIZE))."""
    page_end = BASE + 5 * 4096
    return [
        Cmd(BASE, bb),                                   # 1 beat
        Cmd(page_end - bb, bb),                          # 1 beat, last beat of a page
        Cmd(page_end - 3 * bb, 10 * bb),                 # crosses a 4 KB boundary
        Cmd(BASE + 0x2000, 256 * bb),                    # exactly one maximal burst (if it fits the page)
        Cmd(BASE + 0x3000 + bb, 257 * bb),               # 257 beats
        Cmd(BASE + 0x4000, 4096),                        # one page
        Cmd(BASE + 0x6000 - 7 * bb, 700 * bb),           # long, unaligned to pages
        Cmd(BASE + SIZE - 300 * bb, 300 * bb),           # up to the end of the region
    ]


def random_cmds(rng: random.Random, bb: int, n: int, short: int, p_short: float, p_mid: float) -> list[Cmd]:
    """n commands inside [BASE, BASE + SIZE): 1..short beats with probability p_short, short+1..300 up to p_mid,
    else 300..1200 beats."""
    cmds = []
    for _ in range(n):
        kind = rng.random()
        beats = (rng.randint(1, short) if kind < p_short else rng.randint(short + 1, 300) if kind < p_mid
                 else rng.randint(300, 1200))
        cmds.append(Cmd(BASE + rng.randrange(0, SIZE - beats * bb + 1, bb), beats * bb))
    return cmds


class Tb:
    """The wrapper's command / data / capture tables, driven at transaction level."""

    def __init__(self, dut: Any) -> None:
        self.dut = dut
        self.bb = len(dut.m_axi_rdata) // 8
        self.cmd_depth, self.cap_depth, self.wd_depth = len(dut.rc_addr), len(dut.cap), len(dut.wd)
        for name in ("p_out_stall", "p_in_idle", "fi_mode", "err_clr"):    # random under --x-initial unique
            getattr(dut, name).value = Immediate(0)

    async def start(self) -> None:
        """Clock and a 4-cycle reset (commands and data written before it are dropped by the wrapper). rst_n is
        deposited at once: the clock's first edge is at time 0, and a scheduled write would land after it, so the
        X-randomised flops (--x-initial unique) would run one unreset edge (random AW/W requests)."""
        self.dut.rst_n.value = Immediate(0)
        Clock(self.dut.clk, CLK_NS, unit="ns").start()
        await ClockCycles(self.dut.clk, 4)
        self.dut.rst_n.value = 1
        await ClockCycles(self.dut.clk, 2)

    def set_stalls(self, p_out_stall: float | None = None, p_in_idle: float | None = None) -> None:
        """out_ready low / in_valid low with these probabilities per cycle (HDL $urandom); None: unchanged."""
        if p_out_stall is not None:
            self.dut.p_out_stall.value = Immediate(round(p_out_stall * PROB_ONE))
        if p_in_idle is not None:
            self.dut.p_in_idle.value = Immediate(round(p_in_idle * PROB_ONE))

    async def wait_until(self, cond: Callable[[], bool], max_cycles: int, what: str, poll: int = POLL) -> None:
        for _ in range(max_cycles // poll + 1):
            if cond():
                return
            await Timer(poll * CLK_NS, unit="ns")
        raise AssertionError(f"timeout after {max_cycles} cycles waiting for {what}")

    def push_cmds(self, kind: str, cmds: Sequence[tuple[int, int] | Cmd]) -> None:
        """Append commands to the `kind` ("rc" / "wc") ring; they are offered at once, back to back."""
        d = self.dut
        n = _u(getattr(d, f"{kind}_n"))
        assert (n - _u(getattr(d, f"{kind}_i"))) % (1 << 32) + len(cmds) <= self.cmd_depth, "command ring full"
        for k, c in enumerate(cmds):
            addr, nbytes = (c.addr, c.nbytes) if isinstance(c, Cmd) else (c[0], c[1])
            getattr(d, f"{kind}_addr")[(n + k) % self.cmd_depth].value = Immediate(addr)
            getattr(d, f"{kind}_len")[(n + k) % self.cmd_depth].value = Immediate(nbytes)
        getattr(d, f"{kind}_n").value = Immediate(n + len(cmds))

    def wdata_room(self, margin: int = 2) -> int:
        """Beats that can be appended to the write-data ring without touching the ones offered."""
        return self.wd_depth - margin - (_u(self.dut.wd_n) - _u(self.dut.wd_i)) % (1 << 32)

    def push_wdata(self, beats: list[int]) -> None:
        """Append write-data beats to the ring (they must fit: wdata_room)."""
        d = self.dut
        n = _u(d.wd_n)
        assert len(beats) <= self.wdata_room(margin=0), "write-data ring full"
        for k, b in enumerate(beats):
            d.wd[(n + k) % self.wd_depth].value = Immediate(b)
        d.wd_n.value = Immediate(n + len(beats))

    def captured(self, start: int, end: int) -> list[tuple[int, int, int]]:
        """(data, last, resp) of captured read beats start..end-1."""
        out = []
        mask = (1 << (8 * self.bb)) - 1
        for i in range(start, end):
            v = _u(self.dut.cap[i % self.cap_depth])
            out.append((v & mask, v >> (8 * self.bb) & 1, v >> (8 * self.bb + 1) & 3))
        return out
