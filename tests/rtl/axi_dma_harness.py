"""Harness of the DMA operator tests (tests/rtl/cocotb_axi_rd.py, cocotb_axi_wr.py): rtl/le_axi_rd.sv and
rtl/le_axi_wr.sv in verif/hdl/le_axi_dma_bfm_tb.sv against the AXI4 slave BFM (verif/hdl/le_axi_slave_bfm.sv,
proxy verif/bfm/axi_mem_bfm.py). Randomness: Python from COCOTB_RANDOM_SEED (Seeds.cocotb of LE_SEED), the
BFM's and the wrapper's stalls from $urandom (+verilator+seed, Seeds.verilator).

Every run of commands (`run_reads`, `run_writes`) is bounded in cycles (a hang fails) and checks:
  reads   every out beat byte-exact against the Python image loaded into the BFM, out_last_o exactly on the
          last beat of every command, out_resp_o per beat, no extra beat (64 cycles after the last), the out
          stream's valid/ready rules (axi_dma_monitor.py), the wrapper's HDL capture count, idle_o;
  writes  the whole region byte-exact (BFM backdoor) against a shadow image with the commands applied in order
          (error-range and out-of-window beats not applied), every W beat from the BFM's write records in AW
          order (address, data, WSTRB all ones, beats per burst), idle_o with AWVALID / WVALID low,
          bytes_written_o;
  both    the AXI bursts the BFM recorded (in AR / AW order) are exactly the maximal split of the commands at
          4 KB and 256 beats (models/schedule.py bursts), no record lost, and no protocol error recorded by the
          BFM (VALID / payload stability on AR, AW and W, 4 KB crossing, burst type and size, AWADDR alignment,
          WLAST, writes outside the RW window, reads of unmapped memory) unless the run provokes one.
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

import cocotb
from axi_dma_monitor import DmaMonitor
from axi_dma_tb import BASE, SIZE, Cmd, Tb, expected_bursts
from cocotb.triggers import ClockCycles, ReadOnly, RisingEdge

import verif.valid_ready as vr
from verif.bfm.axi_mem_bfm import OKAY, AxiMemBfm, BfmKnobs, ReadBurst, WriteBurst, _u

WAIT_STEP = 16                      # cycles between completion checks


def documented(module: str, what: str) -> int:
    """'Latency' or 'Initiation interval' (N cycles) from the header of rtl/<module>.sv."""
    return vr.header_number(module, rf"^//\s*{what}:\s*(\d+)\s+cycles?")


@dataclass
class Harness:
    dut: Any
    kind: str                       # "rd" | "wr"
    tb: Tb
    bfm: AxiMemBfm
    mon: DmaMonitor
    rng: random.Random
    image: bytearray                # reads: the loaded bytes; writes: the shadow of the RW region
    err_ranges: list[tuple[int, int, int]] = field(default_factory=list)
    rw: tuple[int, int] = (BASE, BASE + SIZE)
    total_bytes: int = 0            # bytes of every command so far (bytes_read_o / bytes_written_o)
    rd_recs: list[ReadBurst] = field(default_factory=list)    # BFM records drained so far (ring depths:
    wr_recs: list[WriteBurst] = field(default_factory=list)   # drained while a run waits, never lost)

    @property
    def bb(self) -> int:
        return self.tb.bb

    def collect(self) -> None:
        """Drain the BFM's burst records (before its rings wrap)."""
        rd, wr = self.bfm.drain_records()
        self.rd_recs += rd
        self.wr_recs += wr

    def add_error_range(self, lo: int, hi: int, resp: int) -> None:
        """Beats overlapping [lo, hi) answer `resp` on reads and writes (and are not written)."""
        self.err_ranges.append((lo, hi, resp))
        self.bfm.add_error_range(lo, hi, resp)

    def resp_of(self, addr: int) -> int:
        """RRESP / beat BRESP the BFM gives the beat at `addr` (later ranges win; unmapped reads aside)."""
        resp: int = OKAY
        for lo, hi, r in self.err_ranges:
            if addr < hi and lo < addr + self.bb:
                resp = r
        return resp


async def setup(dut: Any, kind: str, knobs: BfmKnobs, salt: int) -> Harness:
    """Clock, reset, the BFM loaded with 128 KB of random bytes at BASE (writes: also the RW window), the
    monitor started; checks the DMA's state right after reset."""
    tb = Tb(dut)
    bfm = AxiMemBfm(dut.u_bfm, dut.clk)
    bfm.unmap_all()
    bfm.clear_errors()
    bfm.configure(knobs)
    rng = random.Random(cocotb.RANDOM_SEED ^ salt)
    image = bytearray(rng.randbytes(SIZE))
    bfm.load(BASE, bytes(image))
    if kind == "wr":
        bfm.set_rw_region(BASE, BASE + SIZE)
    await tb.start()
    await ReadOnly()
    if kind == "rd":
        assert not dut.rd_out_valid.value and dut.rd_idle.value and not dut.m_axi_arvalid.value, "state after reset"
    else:
        assert dut.wr_idle.value and not dut.m_axi_awvalid.value and not dut.m_axi_wvalid.value, "state after reset"
    await RisingEdge(dut.clk)
    mon = DmaMonitor(dut, kind, rng)
    cocotb.start_soon(mon.run())
    bfm.drain_records()                                  # nothing before the first run counts
    return Harness(dut, kind, tb, bfm, mon, rng, image)


async def pulse_err_clr(dut: Any) -> None:
    """err_clr_i high for one cycle (the wrapper drives both DMAs' err_clr_i from `err_clr`)."""
    dut.err_clr.value = 1
    await RisingEdge(dut.clk)
    dut.err_clr.value = 0
    await RisingEdge(dut.clk)


async def _wait(h: Harness, done: Any, timeout: int, progress: Any) -> None:
    for _ in range(timeout // WAIT_STEP + 1):
        h.collect()
        if done():
            return
        await ClockCycles(h.dut.clk, WAIT_STEP)
    raise AssertionError(f"{h.kind} DMA stuck after {timeout} cycles: {progress()}")


def _check_protocol(h: Harness) -> None:
    errs = h.bfm.protocol_errors()
    assert not errs, "AXI protocol errors recorded by the BFM:\n  " + "\n  ".join(errs[:20])


def _check_bursts(h: Harness, got: list[tuple[int, int]], cmds: list[Cmd]) -> None:
    want = expected_bursts(cmds, h.bb)
    assert h.bfm.lost_records == 0, f"{h.bfm.lost_records} BFM records lost"
    if got != want:
        i = next((i for i, (g, w) in enumerate(zip(got, want, strict=False)) if g != w), min(len(got), len(want)))
        raise AssertionError(f"{len(got)} AXI bursts, expected {len(want)} (4 KB / 256-beat split); first "
                             f"difference #{i}: got {got[i:i + 1]}, expected {want[i:i + 1]}")


@dataclass
class ReadRun:
    beats: list[tuple[int, int, int]]   # (data, last, resp) per out beat
    out_at: list[int]
    r_at: list[int]
    bursts: list[ReadBurst]


async def run_reads(h: Harness, cmds: list[Cmd], p_idle: float, p_stall: float,
                    expect_resp: list[int] | None = None) -> ReadRun:
    """Send read commands (cmd idle p_idle, out stalls p_stall); wait for every beat; check (module doc)."""
    d, bb, mon = h.dut, h.bb, h.mon
    exp = [(int.from_bytes(h.image[c.addr - BASE + i * bb:c.addr - BASE + (i + 1) * bb], "little"),
            int(i == c.nbytes // bb - 1)) for c in cmds for i in range(c.nbytes // bb)]
    h.tb.set_stalls(p_out_stall=p_stall)
    n0, r0, cap0, b0 = len(mon.out), len(mon.r_at), _u(d.cap_n), len(h.rd_recs)
    mon.send(cmds, p_idle)
    await _wait(h, lambda: mon.fed and len(mon.out) - n0 >= len(exp), 2000 + 40 * len(exp) + 200 * len(cmds),
                lambda: f"{len(mon.out) - n0} of {len(exp)} beats received, all commands fed: {mon.fed}")
    await ClockCycles(d.clk, 64)                          # extra beats would show up here
    got = mon.out[n0:]
    assert not mon.errors, "out stream protocol errors:\n  " + "\n  ".join(mon.errors[:20])
    _check_protocol(h)
    assert len(got) == len(exp), f"{len(got)} beats received, expected {len(exp)}"
    assert _u(d.cap_n) - cap0 == len(got), "the wrapper's HDL capture disagrees with the out-stream monitor"
    bad = [i for i, (g, e) in enumerate(zip(got, exp, strict=True)) if g[:2] != e]
    assert not bad, (f"{len(bad)} of {len(exp)} beats differ, first #{bad[0]}: got data 0x{got[bad[0]][0]:x} "
                     f"last {got[bad[0]][1]}, expected 0x{exp[bad[0]][0]:x} last {exp[bad[0]][1]}")
    resp = expect_resp if expect_resp is not None else [OKAY] * len(exp)
    got_resp = [g[2] for g in got]
    assert len(resp) == len(got), f"{len(resp)} expected responses for {len(got)} beats"
    diff = [i for i, (g, e) in enumerate(zip(got_resp, resp, strict=True)) if g != e]
    assert not diff, f"out_resp_o differs at {len(diff)} beats, first {diff[:10]}"
    h.collect()
    rd = sorted(h.rd_recs[b0:], key=lambda r: r.t_ar)
    _check_bursts(h, [(r.addr, r.beats) for r in rd], cmds)
    await ReadOnly()
    assert d.rd_idle.value, "idle_o must be 1 after all commands completed"
    await RisingEdge(d.clk)
    h.total_bytes += sum(c.nbytes for c in cmds)
    assert _u(d.rd_bytes) == h.total_bytes, f"bytes_read_o {_u(d.rd_bytes)} != {h.total_bytes}"
    return ReadRun(got, mon.out_at[n0:], mon.r_at[r0:], rd)


def _writable(h: Harness, a: int) -> bool:
    return h.rw[0] <= a and a + h.bb <= h.rw[1]


async def run_writes(h: Harness, cmds: list[Cmd], p_idle: float, p_data_idle: float,
                     expect_err: bool = False) -> list[WriteBurst]:
    """Send write commands and their random data (cmd idle p_idle, data idle p_data_idle); wait for every B;
    check (module doc). expect_err: the run provokes protocol errors (the caller checks them)."""
    d, bb, mon, tb = h.dut, h.bb, h.mon, h.tb
    payload = [h.rng.randbytes(c.nbytes) for c in cmds]
    beats = [int.from_bytes(p[i:i + bb], "little") for p in payload for i in range(0, len(p), bb)]
    exp_addr = [c.addr + i * bb for c in cmds for i in range(c.nbytes // bb)]
    for a, b in zip(exp_addr, beats, strict=True):                     # shadow image: writable, non-error beats only
        if _writable(h, a) and h.resp_of(a) == OKAY:
            h.image[a - BASE:a - BASE + bb] = b.to_bytes(bb, "little")
    tb.set_stalls(p_in_idle=p_data_idle)
    todo = list(beats)
    b0 = len(h.wr_recs)

    def refill() -> None:
        k = min(tb.wdata_room(), len(todo))
        if k:
            tb.push_wdata(todo[:k])
            del todo[:k]

    refill()
    mon.send(cmds, p_idle)

    def done() -> bool:
        refill()
        return (mon.fed and not todo and _u(d.wd_i) == _u(d.wd_n) and bool(d.wr_idle.value)
                and h.bfm.outstanding()[1] == 0)

    await _wait(h, done, 2000 + 40 * len(beats) + 200 * len(cmds),
                lambda: f"{len(beats) - len(todo) - (_u(d.wd_n) - _u(d.wd_i))} of {len(beats)} beats accepted, all "
                        f"commands fed: {mon.fed}, BFM outstanding {h.bfm.outstanding()}")
    await ClockCycles(d.clk, 32)                          # extra AW / W activity would show up here
    await ReadOnly()
    assert d.wr_idle.value, "idle_o must be 1 after all B responses"
    assert not d.m_axi_awvalid.value and not d.m_axi_wvalid.value, "AWVALID / WVALID after the last B"
    await RisingEdge(d.clk)
    if not expect_err:
        _check_protocol(h)
    h.collect()
    wr = sorted(h.wr_recs[b0:], key=lambda w: w.t_aw)     # records come in B order; W data follows AW order
    assert not any(w.beats_lost for w in wr), "write beat records lost"
    assert all(len(w.beats) == w.awlen + 1 for w in wr), "a burst's recorded W beats differ from AWLEN + 1"
    _check_bursts(h, [(w.addr, w.awlen + 1) for w in wr], cmds)
    log = [(w.addr + j * bb, b) for w in wr for j, b in enumerate(w.beats)]
    assert [a for a, _ in log] == exp_addr, "W beat addresses (AW order) differ from the commands' beats"
    bad_strb = [hex(a) for a, b in log if b.strb != (1 << bb) - 1]
    assert not bad_strb, f"WSTRB must be all ones; {len(bad_strb)} beats differ, first at {bad_strb[0]}"
    bad = [i for i, (_, b) in enumerate(log) if b.data != beats[i]]
    assert not bad, f"{len(bad)} W beats differ from the data sent, first #{bad[0]} at 0x{log[bad[0]][0]:x}"
    got = h.bfm.peek(BASE, SIZE)
    if got != bytes(h.image):
        first = next(i for i in range(SIZE) if got[i] != h.image[i])
        raise AssertionError(f"memory differs from expected, first at 0x{BASE + first:x}")
    h.total_bytes += sum(c.nbytes for c in cmds)
    assert _u(d.wr_bytes) == h.total_bytes, f"bytes_written_o {_u(d.wr_bytes)} != {h.total_bytes}"
    return wr
