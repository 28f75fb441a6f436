"""cocotb tests of rtl/le_axi_wr.sv (AXI4 write DMA for the K/V appends) against verif/axi_mem.py.

Parameters come from tests/rtl/test_rtl_axi_wr.py (the bus width is read from the DUT). The seed is cocotb's
COCOTB_RANDOM_SEED (the launcher fixes it). Every run of commands:
  - preloads a random 128 KB region (the only read-write region of the model), sends commands on the `cmd`
    stream and their random data beats on the `in` stream (verif.valid_ready.StreamSource);
  - waits for every B response (the DUT's idle_o and the model's write side both idle), then checks the whole
    region byte-exact against a shadow image with the commands applied in order, the model's write log (one
    beat per expected beat, in command order, WSTRB all ones), bytes_written_o, and that the model recorded
    no protocol error;
  - is bounded in cycles: a hang fails, it does not block.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cocotb
from cocotb.clock import Clock
from cocotb.triggers import ReadOnly, RisingEdge

import verif.valid_ready as vr
from verif.axi_mem import DECERR, OKAY, SLVERR, AxiMem, AxiMemConfig
from verif.valid_ready import Cycles, StreamSource, initiation_interval

RTL = Path(__file__).resolve().parents[2] / "rtl" / "le_axi_wr.sv"
BASE = 0x0010_0000
SIZE = 0x2_0000                     # 128 KB read-write region: 32 pages of 4 KB


@dataclass(frozen=True)
class Cmd:
    addr: int
    nbytes: int


def documented(what: str) -> int:
    """'Latency' or 'Initiation interval' (N cycles) from the header of rtl/le_axi_wr.sv."""
    return vr.header_number("le_axi_wr", rf"^//\s*{what}:\s*(\d+)\s+cycles?")


async def transfer_monitor(dut: Any, in_at: list[int], w_at: list[int]) -> None:
    edge = 0
    while True:
        await RisingEdge(dut.clk_i)
        edge += 1
        if dut.in_valid_i.value and dut.in_ready_o.value:
            in_at.append(edge)
        if dut.m_axi_wvalid_o.value and dut.m_axi_wready_i.value:
            w_at.append(edge)


class Env:
    def __init__(self, dut: Any, mem: AxiMem, counter: Cycles, rng: random.Random, image: bytearray) -> None:
        self.dut, self.mem, self.counter, self.rng, self.image = dut, mem, counter, rng, image
        self.bb = mem.bus_bytes
        self.total_bytes = 0


async def setup(dut: Any, cfg: AxiMemConfig) -> Env:
    rng = random.Random(cocotb.RANDOM_SEED ^ cfg.seed)
    dut.rst_ni.value = 0
    dut.cmd_valid_i.value = 0
    dut.in_valid_i.value = 0
    dut.err_clr_i.value = 0
    Clock(dut.clk_i, 10, unit="ns").start()
    counter = Cycles()
    cocotb.start_soon(counter.run(dut.clk_i))
    mem = AxiMem(dut, dut.clk_i, prefix="m_axi_", config=cfg)
    assert mem.wr is not None and not mem.has_read
    init = rng.randbytes(SIZE)
    mem.load(BASE, init)
    mem.add_rw_region(BASE, BASE + SIZE)
    for _ in range(3):
        await RisingEdge(dut.clk_i)
    dut.rst_ni.value = 1
    await RisingEdge(dut.clk_i)
    await ReadOnly()
    assert dut.idle_o.value and not dut.m_axi_awvalid_o.value and not dut.m_axi_wvalid_o.value
    await RisingEdge(dut.clk_i)
    mem.start()
    return Env(dut, mem, counter, rng, bytearray(init))


def corner_cmds(bb: int) -> list[Cmd]:
    page_end = BASE + 5 * 4096
    return [
        Cmd(BASE, bb),                                   # 1 beat
        Cmd(page_end - bb, bb),                          # 1 beat, last beat of a page
        Cmd(page_end - 3 * bb, 10 * bb),                 # crosses a 4 KB boundary
        Cmd(BASE + 0x2000, 256 * bb),                    # one maximal burst (if it fits the page)
        Cmd(BASE + 0x3000 + bb, 257 * bb),               # 257 beats
        Cmd(BASE + 0x4000, 4096),                        # one page
        Cmd(BASE + 0x6000 - 7 * bb, 700 * bb),           # long, unaligned to pages
        Cmd(BASE + SIZE - 300 * bb, 300 * bb),           # up to the end of the RW region
    ]


def random_cmds(rng: random.Random, bb: int, n: int) -> list[Cmd]:
    cmds = []
    for _ in range(n):
        kind = rng.random()
        beats = rng.randint(1, 8) if kind < 0.4 else rng.randint(9, 300) if kind < 0.8 else rng.randint(300, 1200)
        start = rng.randrange(0, SIZE - beats * bb + 1, bb)
        cmds.append(Cmd(BASE + start, beats * bb))
    return cmds


async def run_cmds(env: Env, cmds: list[Cmd], p_idle: float, p_data_idle: float, expect_err: bool = False) -> None:
    """Send the commands and their data, wait for all B responses, check memory, write log and protocol."""
    dut, mem, bb, rng = env.dut, env.mem, env.bb, env.rng
    assert mem.wr is not None
    log0 = len(mem.wr.log)
    payload = [rng.randbytes(c.nbytes) for c in cmds]
    beats = [{"data": int.from_bytes(p[i:i + bb], "little")} for p in payload for i in range(0, len(p), bb)]
    exp_addr = [c.addr + i * bb for c in cmds for i in range(c.nbytes // bb)]
    writable = list(mem.wr.rw_regions)
    err_lo_hi = [(lo, hi) for lo, hi, _ in mem._err_ranges]
    for c, p in zip(cmds, payload):                      # shadow image: RW, non-error beats only
        for i in range(0, c.nbytes, bb):
            a = c.addr + i
            if any(a < hi and lo < a + bb for lo, hi in err_lo_hi):
                continue                                 # error-range beat: answered, not applied
            if all(any(lo <= a + j < hi for lo, hi in writable) for j in range(bb)):
                env.image[a - BASE:a - BASE + bb] = p[i:i + bb]
    src_cmd = StreamSource(dut, "cmd", ["addr", "len"], dut.clk_i, rng, p_idle=p_idle, cycles=env.counter)
    src_in = StreamSource(dut, "in", ["data"], dut.clk_i, rng, p_idle=p_data_idle, cycles=env.counter)
    t_cmd = cocotb.start_soon(src_cmd.send([{"addr": c.addr, "len": c.nbytes} for c in cmds]))
    t_in = cocotb.start_soon(src_in.send(beats))
    timeout = 2000 + 40 * len(beats) + 200 * len(cmds)
    for _ in range(timeout):
        await RisingEdge(dut.clk_i)
        if t_cmd.done() and t_in.done() and mem.wr.idle and dut.idle_o.value:
            break
    else:
        raise AssertionError(f"write DMA stuck: {len(src_cmd.sent_at)} of {len(cmds)} commands, {len(src_in.sent_at)} "
                             f"of {len(beats)} beats accepted, {mem.wr.stats.responses} B responses after {timeout}")
    for _ in range(32):                                  # catch extra AW/W activity
        await RisingEdge(dut.clk_i)
    await ReadOnly()
    assert dut.idle_o.value, "idle_o must be 1 after all B responses"
    assert not dut.m_axi_awvalid_o.value and not dut.m_axi_wvalid_o.value
    await RisingEdge(dut.clk_i)
    if not expect_err:
        assert not mem.errors, "AXI protocol errors recorded by AxiMem:\n  " + "\n  ".join(mem.errors[:20])
    log = mem.wr.log[log0:]
    assert [b.addr for b in log] == exp_addr, "write log addresses differ from the commands' beats"
    assert all(b.strb == (1 << bb) - 1 for b in log), "WSTRB must be all ones"
    assert [b.data for b in log] == [b["data"] for b in beats], "write log data differs from the sent beats"
    got = mem.peek(BASE, SIZE)
    if got != bytes(env.image):
        first = next(i for i in range(SIZE) if got[i] != env.image[i])
        raise AssertionError(f"memory differs from expected, first at 0x{BASE + first:x}")
    env.total_bytes += sum(c.nbytes for c in cmds)
    assert int(dut.bytes_written_o.value) == env.total_bytes, \
        f"bytes_written_o {int(dut.bytes_written_o.value)} != {env.total_bytes}"


async def stress(dut: Any, cfg: AxiMemConfig, n_random: int, p_idle: float, p_data_idle: float) -> AxiMem:
    env = await setup(dut, cfg)
    cmds = corner_cmds(env.bb) + random_cmds(env.rng, env.bb, n_random)
    await run_cmds(env, cmds, p_idle, p_data_idle)
    assert not dut.err_o.value
    st = env.mem.wr.stats
    dut._log.info("%d commands, %d bytes, %d bursts, %d beats, max outstanding %d, AW stalls %d, W stalls %d, "
                  "stall_cycles_o %d", len(cmds), env.total_bytes, st.bursts, st.beats, st.max_outstanding,
                  st.aw_stall_cycles, st.w_stall_cycles, int(dut.stall_cycles_o.value))
    assert st.beats == env.total_bytes // env.bb and st.responses == st.bursts
    return env.mem


@cocotb.test()
async def axi_wr_stress_ooo(dut) -> None:
    """B latency 0..60, out-of-order B, AWREADY/WREADY stalls, BVALID gaps, idle cmd and data streams."""
    cfg = AxiMemConfig(p_aw_stall=0.3, p_w_stall=0.3, b_lat_min=0, b_lat_max=60, p_b_gap=0.3, b_reorder=True,
                       w_early_max=4, seed=21)
    mem = await stress(dut, cfg, n_random=80, p_idle=0.3, p_data_idle=0.3)
    assert mem.wr.stats.max_outstanding >= 4, f"max outstanding bursts {mem.wr.stats.max_outstanding} < 4"


@cocotb.test()
async def axi_wr_stress_slow_b(dut) -> None:
    """Long B latency 20..150 (slots throttle AW issue), light stalls, the data stream always valid."""
    cfg = AxiMemConfig(p_aw_stall=0.1, p_w_stall=0.1, b_lat_min=20, b_lat_max=150, b_reorder=True, seed=22)
    mem = await stress(dut, cfg, n_random=40, p_idle=0.0, p_data_idle=0.0)
    assert mem.wr.stats.max_outstanding == 4


@cocotb.test()
async def axi_wr_stress_in_order_w_first(dut) -> None:
    """In-order B, AWREADY mostly low (W runs ahead of AW: early beats buffered), WREADY stalls."""
    cfg = AxiMemConfig(p_aw_stall=0.8, p_w_stall=0.2, b_lat_min=0, b_lat_max=5, seed=23)
    mem = await stress(dut, cfg, n_random=30, p_idle=0.1, p_data_idle=0.1)
    assert mem.wr.stats.early_beats > 0, "no W beat arrived ahead of its AW"


@cocotb.test()
async def axi_wr_full_rate(dut) -> None:
    """No stalls, B latency 4: W beats at the documented II (1/cycle) across bursts, 4 KB and commands."""
    cfg = AxiMemConfig(b_lat_min=4, b_lat_max=4, seed=24)
    env = await setup(dut, cfg)
    bb = env.bb
    cmds = [Cmd(BASE + 0x100, 2048 * bb)] + [Cmd(BASE + 0x8000 + i * 300 * bb, 300 * bb) for i in range(4)]
    in_at: list[int] = []
    w_at: list[int] = []
    cocotb.start_soon(transfer_monitor(dut, in_at, w_at))
    await run_cmds(env, cmds, p_idle=0.0, p_data_idle=0.0)
    ii = initiation_interval(w_at)
    latency = w_at[0] - in_at[0]
    stalls = int(dut.stall_cycles_o.value)
    dut._log.info("full rate: %d W beats in %d cycles: II %.4f (documented %d), in->W latency %d (documented %d), "
                  "stall_cycles_o %d, max outstanding %d", len(w_at), w_at[-1] - w_at[0] + 1, ii,
                  documented("Initiation interval"), latency, documented("Latency"), stalls,
                  env.mem.wr.stats.max_outstanding)
    assert ii == float(documented("Initiation interval")), f"measured W-beat II {ii} != documented"
    assert latency == documented("Latency"), f"in->W latency {latency} != documented {documented('Latency')}"
    assert len(w_at) == len(in_at) == sum(c.nbytes for c in cmds) // bb
    assert stalls < 10, f"stall_cycles_o {stalls}: only the start-up should stall"
    # K/V appends: d_head = 64 / 128 bytes per row (4..16 beats), back to back at B latency 4.
    for d_head in (64, 128):
        w_at.clear()
        kv = [Cmd(BASE + 0x10000 + i * 0x400, d_head) for i in range(48)]
        await run_cmds(env, kv, p_idle=0.0, p_data_idle=0.0)
        ii = initiation_interval(w_at)
        dut._log.info("K/V appends of %d bytes (%d beats), B latency 4: W-beat II %.3f cycles", d_head, d_head // bb, ii)
        assert ii == 1.0, f"K/V appends: W-beat II {ii} (measured 1.0 at B latency 4)"


@cocotb.test()
async def axi_wr_error_injection(dut) -> None:
    """SLVERR / DECERR responses set err_o with the first code; every command completes; idle_o returns;
    err_clr_i clears; a write outside the RW region is reported by the model and not applied."""
    cfg = AxiMemConfig(p_aw_stall=0.2, p_w_stall=0.2, b_lat_min=0, b_lat_max=20, b_reorder=True, seed=25)
    env = await setup(dut, cfg)
    mem, bb = env.mem, env.bb
    mem.add_error_range(BASE + 0x1000, BASE + 0x1000 + 3 * bb, SLVERR)
    mem.add_error_range(BASE + 0x5000 + 16 * bb, BASE + 0x5000 + 300 * bb, DECERR)
    cmds = [Cmd(BASE + 0x0f00, 0x400), Cmd(BASE + 0x200, 8 * bb), Cmd(BASE + 0x5000, 512 * bb),
            Cmd(BASE + 0x9000, 40 * bb)]
    await run_cmds(env, cmds[:1], p_idle=0.0, p_data_idle=0.2)
    assert dut.err_o.value and int(dut.err_resp_o.value) == SLVERR, "SLVERR must set err_o / err_resp_o"
    await run_cmds(env, cmds[1:], p_idle=0.2, p_data_idle=0.2)
    assert dut.err_o.value and int(dut.err_resp_o.value) == SLVERR, "err_resp_o keeps the first error"
    assert mem.wr.stats.errors.get(SLVERR, 0) >= 1 and mem.wr.stats.errors.get(DECERR, 0) >= 2
    assert not any(b.applied for b in mem.wr.log if b.resp != OKAY)
    dut.err_clr_i.value = 1
    await RisingEdge(dut.clk_i)
    dut.err_clr_i.value = 0
    await RisingEdge(dut.clk_i)
    assert not dut.err_o.value and int(dut.err_resp_o.value) == 0, "err_clr_i must clear the error"
    await run_cmds(env, [Cmd(BASE + 0xa000, 20 * bb)], p_idle=0.0, p_data_idle=0.0)
    assert not dut.err_o.value
    # A command that runs past the end of the RW region: the model records it, does not apply it, answers DECERR.
    outside = BASE + SIZE
    before = mem.peek(outside - 4 * bb, 12 * bb)
    await run_cmds(env, [Cmd(outside - 4 * bb, 12 * bb)], p_idle=0.0, p_data_idle=0.0, expect_err=True)
    assert any("outside the RW regions" in e for e in mem.errors), "write outside the RW region not reported"
    assert mem.peek(outside, 8 * bb) == before[4 * bb:], "a write outside the RW region was applied"
    assert mem.peek(outside - 4 * bb, 4 * bb) == bytes(env.image[-4 * bb:]), "RW part must be written"
    assert dut.err_o.value and int(dut.err_resp_o.value) == DECERR
    await ReadOnly()
    assert dut.idle_o.value
