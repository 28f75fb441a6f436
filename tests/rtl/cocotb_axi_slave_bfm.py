"""cocotb tests of the AXI4 slave BFM verif/hdl/le_axi_slave_bfm.sv + proxy verif/bfm/axi_mem_bfm.py.

Top level: verif/hdl/le_axi_dma_bfm_tb.sv (read DMA rtl/le_axi_rd.sv + write DMA rtl/le_axi_wr.sv on one AXI4
port; commands, write data and the captured read beats live in HDL tables driven by tests/rtl/axi_dma_tb.py Tb,
so no test awaits per cycle: the tests poll with one Timer every few hundred cycles). Launcher:
tests/rtl/test_rtl_axi_slave_bfm.py. The DMAs' own operator tests on the same wrapper: cocotb_axi_rd.py /
cocotb_axi_wr.py.
  - bfm_reads_*  / bfm_writes_*: random commands (1-beat, 256+-beat, 4 KB crossings) checked byte by byte
    against a Python reference image, under stress knobs and calm; every run also checks the BFM's records
    (beats per burst, data of every W beat) and that no protocol error was recorded;
  - bfm_error_injection: error ranges and random burst errors give the expected RRESP / BRESP;
  - bfm_protocol_checks: the checks the DMAs can provoke (unmapped read, write outside the window) fire;
  - bfm_protocol_faults: every other check (VALID dropped / payload changed while stalled on AR, AW and W, 4 KB
    crossing, burst type, size, AWADDR alignment, WLAST) fires under the wrapper's fault injection (fi_mode);
    the X/Z check cannot fire under Verilator (2-state).
Clean runs (all but the provoked ones) must record no protocol error. The BFM's speed (a long streaming run,
data checked) is measured in tests/rtl/cocotb_axi_slave_bfm_speed.py.
"""
from __future__ import annotations

import random
import time
from collections.abc import Callable
from typing import Any

import cocotb
from axi_dma_tb import BASE, SIZE, Tb, corner_cmds
from axi_dma_tb import random_cmds as dma_random_cmds
from cocotb.handle import Immediate
from cocotb.triggers import ClockCycles

from verif.bfm.axi_mem_bfm import DECERR, OKAY, SLVERR, AxiMemBfm, BfmKnobs, _u

STRESS = BfmKnobs(lat_min=0, lat_max=60, p_ar_stall=0.3, p_r_gap=0.3, reorder=True, interleave=True,
                  p_aw_stall=0.3, p_w_stall=0.3, b_lat_min=0, b_lat_max=40, p_b_gap=0.3, b_reorder=True)
CALM = BfmKnobs(lat_min=4, lat_max=4, b_lat_min=4, b_lat_max=4)


def random_cmds(rng: random.Random, bb: int, n: int) -> list[tuple[int, int]]:
    """The splitter's corner commands (1 beat, 4 KB crossing, 256 / 257 / 700 beats, ...) + n random ones."""
    cmds = corner_cmds(bb) + dma_random_cmds(rng, bb, n, short=4, p_short=0.3, p_mid=0.8)
    return [(c.addr, c.nbytes) for c in cmds]


async def setup(dut: Any, knobs: BfmKnobs, seed: int) -> tuple[Tb, AxiMemBfm, random.Random, bytearray]:
    tb = Tb(dut)
    bfm = AxiMemBfm(dut.u_bfm, dut.clk)
    bfm.unmap_all()
    bfm.clear_errors()
    bfm.configure(knobs)
    rng = random.Random(cocotb.RANDOM_SEED ^ seed)
    image = bytearray(rng.randbytes(SIZE))
    bfm.load(BASE, bytes(image))
    await tb.start()
    return tb, bfm, rng, image


async def run_reads(tb: Tb, bfm: AxiMemBfm, cmds: list[tuple[int, int]], image: bytes | bytearray,
                    resp_of: Callable[[int], int] | None = None, p_out_stall: float = 0.0) -> list[int]:
    """Run read commands in batches that fit the capture ring; check data, last and resp of every beat."""
    bb, d = tb.bb, tb.dut
    tb.set_stalls(p_out_stall=p_out_stall)
    resps: list[int] = []
    batch: list[tuple[int, int]] = []
    for i, c in enumerate(cmds):
        batch.append(c)
        if i + 1 < len(cmds) and sum(n for _, n in batch) + cmds[i + 1][1] <= tb.cap_depth * bb // 2:
            continue
        n0, nbeats = _u(d.cap_n), sum(n for _, n in batch) // bb
        tb.push_cmds("rc", batch)
        await tb.wait_until(lambda n0=n0, nbeats=nbeats: _u(d.cap_n) - n0 >= nbeats and d.rd_idle.value == 1,
                            200 * nbeats + 5000, f"{nbeats} read beats")
        await ClockCycles(d.clk, 64)                    # extra beats would show up here
        got = tb.captured(n0, _u(d.cap_n))
        assert len(got) == nbeats, f"{len(got)} beats captured, expected {nbeats}"
        k = 0
        for addr, nbytes in batch:
            for j in range(nbytes // bb):
                a = addr + j * bb
                exp = int.from_bytes(image[a - BASE:a - BASE + bb], "little")
                data, last, resp = got[k]
                want_resp = resp_of(a) if resp_of else OKAY
                assert resp == want_resp, f"beat 0x{a:x}: RRESP {resp}, expected {want_resp}"
                if resp == OKAY:
                    assert data == exp, f"beat 0x{a:x}: data 0x{data:x}, expected 0x{exp:x}"
                assert last == int(j == nbytes // bb - 1), f"beat 0x{a:x}: last {last}"
                resps.append(resp)
                k += 1
        batch = []
    return resps


async def run_writes(tb: Tb, bfm: AxiMemBfm, rng: random.Random, cmds: list[tuple[int, int]], image: bytearray,
                     p_in_idle: float = 0.0, check_mem: bool = True) -> list:
    """Write commands with random data (batches that fit the data ring), apply them to `image`, wait for every
    B, compare the RW region (backdoor) and the write records' beats with the data sent."""
    bb, d = tb.bb, tb.dut
    tb.set_stalls(p_in_idle=p_in_idle)
    bursts = []
    batch: list[tuple[int, int]] = []
    for i, c in enumerate(cmds):
        batch.append(c)
        if i + 1 < len(cmds) and sum(n for _, n in batch) + cmds[i + 1][1] <= tb.wd_depth * bb // 2:
            continue
        beats = [rng.getrandbits(8 * bb) for _ in range(sum(n for _, n in batch) // bb)]
        tb.push_wdata(beats)
        tb.push_cmds("wc", batch)
        await tb.wait_until(lambda: _u(d.wc_i) == _u(d.wc_n) and _u(d.wd_i) == _u(d.wd_n) and d.wr_idle.value == 1
                            and bfm.outstanding()[1] == 0, 200 * len(beats) + 5000, f"{len(beats)} write beats")
        k = 0
        for addr, nbytes in batch:
            for j in range(nbytes // bb):
                a = addr - BASE + j * bb
                image[a:a + bb] = beats[k].to_bytes(bb, "little")
                k += 1
        _, wr = bfm.drain_records()
        wr.sort(key=lambda w: w.t_aw)                   # records come in B order; W data follows AW order
        rec_beats = [b.data for w in wr for b in w.beats]
        assert all(len(w.beats) == w.awlen + 1 and w.resp == OKAY for w in wr), "write record beats / resp"
        assert rec_beats == beats, "write records: W beat data differs from the data sent"
        bursts += wr
        batch = []
    if check_mem:
        t0 = time.perf_counter()
        got = bfm.peek(BASE, SIZE)
        tb.dut._log.info("peek of %d KB: %.1f ms", SIZE // 1024, 1e3 * (time.perf_counter() - t0))
        bad = [i for i in range(0, SIZE, bb) if got[i:i + bb] != image[i:i + bb]]
        assert not bad, f"{len(bad)} beats differ in memory, first at 0x{BASE + bad[0]:x}"
    return bursts


def check_clean(bfm: AxiMemBfm) -> None:
    errs = bfm.protocol_errors()
    assert not errs, "protocol errors in a clean run:\n  " + "\n  ".join(errs[:20])
    assert bfm.lost_records == 0


async def reads(dut: Any, knobs: BfmKnobs, seed: int, n: int, p_out_stall: float) -> None:
    tb, bfm, rng, image = await setup(dut, knobs, seed)
    cmds = random_cmds(rng, tb.bb, n)
    t0 = time.perf_counter()
    await run_reads(tb, bfm, cmds, image, p_out_stall=p_out_stall)
    rd, _ = bfm.drain_records()
    st = bfm.stats()
    total = sum(nb for _, nb in cmds) // tb.bb
    assert sum(r.beats for r in rd) == total == st["rd_beats"] and len(rd) == st["rd_bursts"]
    assert all(r.resp == OKAY and r.t_ar < r.t_first <= r.t_last for r in rd)
    dut._log.info("%d cmds, %d beats, %d bursts in %.2fs: %s", len(cmds), total, len(rd),
                  time.perf_counter() - t0, st)
    if knobs.interleave:
        assert st["rd_reordered"] > 0 and st["rd_interleaved"] > 0 and st["rd_max_out"] >= 4
        assert any(r.out_of_order for r in rd) and any(r.interleaved for r in rd)
    check_clean(bfm)


@cocotb.test()
async def bfm_reads_stress(dut: Any) -> None:
    """Latency 0..60, AR stalls, R gaps, reordered + interleaved R, out backpressure."""
    await reads(dut, STRESS, 1, 80, 0.3)


@cocotb.test()
async def bfm_reads_calm(dut: Any) -> None:
    """Fixed latency 4, no stalls: the DMA streams at 1 beat per cycle."""
    await reads(dut, CALM, 2, 40, 0.0)


async def writes(dut: Any, knobs: BfmKnobs, seed: int, n: int, p_in_idle: float) -> dict[str, int]:
    tb, bfm, rng, image = await setup(dut, knobs, seed)
    bfm.set_rw_region(BASE, BASE + SIZE)
    cmds = random_cmds(rng, tb.bb, n)
    bursts = await run_writes(tb, bfm, rng, cmds, image, p_in_idle=p_in_idle)
    st = bfm.stats()
    dut._log.info("%d cmds, %d bursts: %s", len(cmds), len(bursts), st)
    assert len(bursts) == st["wr_bursts"] == st["wr_resps"]
    if knobs.b_reorder:
        assert st["wr_reordered"] > 0 and st["wr_aw_stall"] > 0 and st["wr_w_stall"] > 0
    check_clean(bfm)
    return st


@cocotb.test()
async def bfm_writes_stress(dut: Any) -> None:
    """AW/W stalls, B latency 0..40 with gaps, B reordered, data idle cycles."""
    await writes(dut, STRESS, 3, 60, 0.3)


@cocotb.test()
async def bfm_writes_calm(dut: Any) -> None:
    await writes(dut, CALM, 4, 30, 0.0)


@cocotb.test()
async def bfm_writes_early_w(dut: Any) -> None:
    """AWREADY mostly low: W beats arrive before their AW and wait in the early buffer (at most 8)."""
    st = await writes(dut, BfmKnobs(p_aw_stall=0.9, w_early_max=8, b_lat_min=1, b_lat_max=20), 9, 20, 0.0)
    assert st["wr_early"] > 0, "no W beat arrived before its AW"


@cocotb.test()
async def bfm_error_injection(dut: Any) -> None:
    """Error ranges (reads / writes only) and random burst errors answer the expected RRESP / BRESP."""
    tb, bfm, rng, image = await setup(dut, CALM, 5)
    bb = tb.bb
    slv = (BASE + 0x1000, BASE + 0x1000 + 3 * bb)
    dec = (BASE + 0x5000 + 16 * bb, BASE + 0x5000 + 300 * bb)
    bfm.add_error_range(*slv, SLVERR, writes=False)
    bfm.add_error_range(*dec, DECERR, writes=False)
    bfm.add_error_range(BASE + 0x8000, BASE + 0x8000 + bb, SLVERR, reads=False)

    def resp_of(a: int) -> int:
        return SLVERR if slv[0] <= a < slv[1] else DECERR if dec[0] <= a < dec[1] else OKAY

    cmds = [(BASE + 0x0f00, 0x400), (BASE + 0x200, 8 * bb), (BASE + 0x5000, 512 * bb), (BASE + 0x8000, 4 * bb)]
    resps = await run_reads(tb, bfm, cmds, image, resp_of)
    assert resps.count(SLVERR) == 3 and resps.count(DECERR) == 284
    assert tb.dut.rd_err.value == 1 and _u(tb.dut.rd_err_resp) == SLVERR
    # writes: the range [0x8000, +bb) is write-only: BRESP SLVERR, the beat is not applied
    bfm.set_rw_region(BASE, BASE + SIZE)
    before = bfm.peek(BASE + 0x8000, 4 * bb)
    tb.push_wdata([rng.getrandbits(8 * bb) for _ in range(4)])
    tb.push_cmds("wc", [(BASE + 0x8000, 4 * bb)])
    await tb.wait_until(lambda: tb.dut.wr_idle.value == 1 and _u(tb.dut.wd_i) == _u(tb.dut.wd_n), 5000, "write")
    _, wr = bfm.drain_records()
    assert [w.resp for w in wr] == [SLVERR] and [b.resp for b in wr[0].beats] == [SLVERR, OKAY, OKAY, OKAY]
    assert bfm.peek(BASE + 0x8000, bb) == before[:bb], "an error beat must not be applied"
    assert tb.dut.wr_err.value == 1 and _u(tb.dut.wr_err_resp) == SLVERR
    # random burst errors: every beat of a burst carries the burst's RRESP from the record
    bfm.clear_errors()
    bfm.configure(BfmKnobs(p_rd_err=0.5, rand_err_resp=DECERR))
    bfm.drain_records()
    cmds = [(BASE + 0x10000 + i * 0x400, 0x400) for i in range(32)]
    n0 = _u(tb.dut.cap_n)
    tb.push_cmds("rc", cmds)
    await tb.wait_until(lambda: _u(tb.dut.cap_n) - n0 == 32 * 0x400 // bb and tb.dut.rd_idle.value == 1, 50000, "rd")
    rd, _ = bfm.drain_records()
    burst_resp = {r.addr: r.resp for r in rd}
    got = tb.captured(n0, _u(tb.dut.cap_n))
    for i, (_, _, resp) in enumerate(got):
        a = BASE + 0x10000 + i * bb
        assert resp == burst_resp[a - a % 0x400], f"beat {i}: RRESP {resp}, burst {burst_resp[a - a % 0x400]}"
    n_err = sum(r.resp == DECERR for r in rd)
    assert 0 < n_err < len(rd), f"{n_err} of {len(rd)} bursts with a random error at p = 0.5"
    check_clean(bfm)


@cocotb.test()
async def bfm_protocol_checks(dut: Any) -> None:
    """Unmapped read -> DECERR + 'read of unmapped address'; write outside the window -> DECERR, not applied."""
    tb, bfm, rng, _image = await setup(dut, CALM, 6)
    bb = tb.bb
    far = 0x4000_0000
    n0 = _u(tb.dut.cap_n)
    tb.push_cmds("rc", [(far, 4 * bb)])
    await tb.wait_until(lambda: _u(tb.dut.cap_n) - n0 == 4 and tb.dut.rd_idle.value == 1, 5000, "unmapped read")
    assert [r for _, _, r in tb.captured(n0, n0 + 4)] == [DECERR] * 4
    errs = bfm.protocol_errors()
    assert len(errs) == 1 and "[13] read of unmapped address at 0x40000000" in errs[0], errs
    bfm.set_rw_region(BASE, BASE + 0x1000)
    before = bfm.peek(BASE + 0x1000, 2 * bb)
    tb.push_wdata([rng.getrandbits(8 * bb) for _ in range(4)])
    tb.push_cmds("wc", [(BASE + 0x1000 - 2 * bb, 4 * bb)])      # split at 4 KB: 2 bursts, the second outside
    await tb.wait_until(lambda: tb.dut.wr_idle.value == 1 and _u(tb.dut.wd_i) == _u(tb.dut.wd_n), 5000, "write")
    _, wr = bfm.drain_records()
    wr.sort(key=lambda w: w.t_aw)
    assert [(w.resp, [b.resp for b in w.beats]) for w in wr] == [(OKAY, [OKAY] * 2), (DECERR, [DECERR] * 2)]
    assert bfm.peek(BASE + 0x1000, 2 * bb) == before, "a write outside the window must not be applied"
    errs = bfm.protocol_errors()[1:]
    assert [e.split("] ")[1] for e in errs] == [f"write outside the RW window (not applied) at 0x{a:x} (wr)"
                                                 for a in (BASE + 0x1000, BASE + 0x1000 + bb)], errs



FAULTS = {  # fi_mode of verif/hdl/le_axi_dma_bfm_tb.sv -> (side, error code it must raise)
    1: ("rd", 8), 2: ("rd", 9), 3: ("rd", 7), 4: ("rd", 1), 5: ("rd", 2), 6: ("wr", 8), 7: ("wr", 15),
    8: ("wr", 3), 9: ("wr", 4), 10: ("wr", 5), 11: ("wr", 6), 12: ("wr", 10), 13: ("wr", 9), 14: ("wr", 7),
}


@cocotb.test()
async def bfm_protocol_faults(dut: Any) -> None:
    """Every other check, provoked by the wrapper's fault injection between the DMAs and the BFM (with ready
    stalls, so 'after a stall' faults happen); the DMA may hang, so each mode ends with a reset."""
    stalls = BfmKnobs(lat_min=1, lat_max=8, p_ar_stall=0.5, p_aw_stall=0.5, p_w_stall=0.5)
    tb, bfm, rng, _image = await setup(dut, stalls, 8)
    bb, d = tb.bb, tb.dut
    bfm.set_rw_region(BASE, BASE + SIZE)
    seen = set(bfm.protocol_errors())
    for mode, (side, code) in FAULTS.items():
        d.fi_mode.value = Immediate(mode)
        cmds = [(BASE + 0x1000 * k, 16 * bb) for k in range(16)]        # 16 bursts: some are stalled
        if side == "rd":
            tb.push_cmds("rc", cmds)
        else:
            tb.push_wdata([rng.getrandbits(8 * bb) for _ in range(16 * 16)])
            tb.push_cmds("wc", cmds)
        await ClockCycles(d.clk, 1500)
        d.fi_mode.value = Immediate(0)
        d.rst_n.value = 0
        await ClockCycles(d.clk, 3)
        d.rst_n.value = 1
        await ClockCycles(d.clk, 2)
        errs = [e for e in bfm.protocol_errors() if e not in seen]
        seen.update(errs)
        if not errs:
            dut._log.info("fi_mode %d: stats %s, wc %d/%d wd %d/%d", mode, bfm.stats(), _u(d.wc_i), _u(d.wc_n),
                          _u(d.wd_i), _u(d.wd_n))
        assert any(f"[{code}] " in e and e.endswith(f"({side})") for e in errs), \
            f"fi_mode {mode}: no error code {code} ({side}) among {errs[:5]}"
        dut._log.info("fi_mode %2d: %d errors, first: %s", mode, len(errs), errs[0])
    bfm.configure(CALM)
    await run_reads(tb, bfm, [(BASE, 300 * bb)], bfm.peek(BASE, SIZE))    # the faulty writes changed memory
    assert [e for e in bfm.protocol_errors() if e not in seen] == [], "errors after the faults were removed"
