"""cocotb tests of rtl/le_axi_wr.sv (AXI4 write DMA for the K/V appends) against the AXI4 slave BFM
(verif/hdl/le_axi_slave_bfm.sv, proxy verif/bfm/axi_mem_bfm.py), in the wrapper verif/hdl/le_axi_dma_bfm_tb.sv.

Launcher: tests/rtl/test_rtl_axi_wr.py (64- and 128-bit buses). The 128 KB region at BASE is preloaded with random
bytes and is the BFM's only read-write window. Every run of commands goes through axi_dma_harness.run_writes: it
waits for every B response, then checks the whole region byte-exact against a shadow image with the commands
applied in order, every W beat from the BFM's write records in AW order (address, data, WSTRB all ones), the exact
4 KB / 256-beat burst split, bytes_written_o, idle_o with AWVALID / WVALID low, and that the BFM recorded no
protocol error; a hang fails.
"""
from __future__ import annotations

from collections import Counter
from typing import Any

import cocotb
from axi_dma_harness import Harness, documented, pulse_err_clr, run_writes, setup
from axi_dma_tb import BASE, SIZE, Cmd, corner_cmds, random_cmds
from cocotb.triggers import ReadOnly

from verif.bfm.axi_mem_bfm import DECERR, SLVERR, BfmKnobs, _u
from verif.valid_ready import initiation_interval

MODULE = "le_axi_wr"


async def stress(dut: Any, knobs: BfmKnobs, salt: int, n_random: int, p_idle: float, p_data_idle: float) -> Harness:
    h = await setup(dut, "wr", knobs, salt)
    cmds = corner_cmds(h.bb) + random_cmds(h.rng, h.bb, n_random, short=8, p_short=0.4, p_mid=0.8)
    bursts = await run_writes(h, cmds, p_idle, p_data_idle)
    assert not dut.wr_err.value, "err_o set without an error response"
    st = h.bfm.stats()
    dut._log.info("%d commands, %d bytes, %d bursts, %d beats, max outstanding %d, AW stalls %d, W stalls %d, "
                  "early W beats %d, B reordered %d, stall_cycles_o %d", len(cmds), h.total_bytes, st["wr_bursts"],
                  st["wr_beats"], st["wr_max_out"], st["wr_aw_stall"], st["wr_w_stall"], st["wr_early"],
                  st["wr_reordered"], _u(dut.wr_stalls))
    assert st["wr_beats"] == h.total_bytes // h.bb and st["wr_resps"] == st["wr_bursts"] == len(bursts)
    return h


@cocotb.test()
async def axi_wr_stress_ooo(dut: Any) -> None:
    """B latency 0..60, out-of-order B, AWREADY/WREADY stalls, BVALID gaps, idle cmd and data streams."""
    knobs = BfmKnobs(p_aw_stall=0.3, p_w_stall=0.3, b_lat_min=0, b_lat_max=60, p_b_gap=0.3, b_reorder=True,
                     w_early_max=4)
    h = await stress(dut, knobs, 21, n_random=80, p_idle=0.3, p_data_idle=0.3)
    st = h.bfm.stats()
    assert st["wr_max_out"] >= 4, f"max outstanding bursts {st['wr_max_out']} < 4"
    assert st["wr_reordered"] > 0, "the memory never reordered B responses"


@cocotb.test()
async def axi_wr_stress_slow_b(dut: Any) -> None:
    """Long B latency 20..150 (slots throttle AW issue), light stalls, the data stream always valid."""
    knobs = BfmKnobs(p_aw_stall=0.1, p_w_stall=0.1, b_lat_min=20, b_lat_max=150, b_reorder=True)
    h = await stress(dut, knobs, 22, n_random=40, p_idle=0.0, p_data_idle=0.0)
    assert h.bfm.stats()["wr_max_out"] == 4, "MAX_OUTSTANDING = 4 bursts must be reached and never exceeded"


@cocotb.test()
async def axi_wr_stress_in_order_w_first(dut: Any) -> None:
    """In-order B, AWREADY mostly low (W runs ahead of AW: early beats buffered), WREADY stalls."""
    knobs = BfmKnobs(p_aw_stall=0.8, p_w_stall=0.2, b_lat_min=0, b_lat_max=5)
    h = await stress(dut, knobs, 23, n_random=30, p_idle=0.1, p_data_idle=0.1)
    assert h.bfm.stats()["wr_early"] > 0, "no W beat arrived ahead of its AW"


@cocotb.test()
async def axi_wr_full_rate(dut: Any) -> None:
    """No stalls, B latency 4: W beats at the documented II (1/cycle) across bursts, 4 KB and commands."""
    h = await setup(dut, "wr", BfmKnobs(b_lat_min=4, b_lat_max=4), 24)
    bb, mon = h.bb, h.mon
    cmds = [Cmd(BASE + 0x100, 2048 * bb)] + [Cmd(BASE + 0x8000 + i * 300 * bb, 300 * bb) for i in range(4)]
    await run_writes(h, cmds, p_idle=0.0, p_data_idle=0.0)
    ii = initiation_interval(mon.w_at)
    latency = mon.w_at[0] - mon.in_at[0]
    stalls = _u(dut.wr_stalls)
    want_ii, want_lat = documented(MODULE, "Initiation interval"), documented(MODULE, "Latency")
    dut._log.info("full rate: %d W beats in %d cycles: II %.4f (documented %d), in->W latency %d (documented %d), "
                  "stall_cycles_o %d, max outstanding %d", len(mon.w_at), mon.w_at[-1] - mon.w_at[0] + 1, ii,
                  want_ii, latency, want_lat, stalls, h.bfm.stats()["wr_max_out"])
    assert ii == float(want_ii), f"measured W-beat II {ii} != documented {want_ii}"
    assert latency == want_lat, f"in->W latency {latency} != documented {want_lat}"
    assert len(mon.w_at) == len(mon.in_at) == sum(c.nbytes for c in cmds) // bb
    assert stalls < 10, f"stall_cycles_o {stalls}: only the start-up should stall"
    # K/V appends: d_head = 64 / 128 bytes per row (4..16 beats), back to back at B latency 4.
    for d_head in (64, 128):
        w0 = len(mon.w_at)
        kv = [Cmd(BASE + 0x10000 + i * 0x400, d_head) for i in range(48)]
        await run_writes(h, kv, p_idle=0.0, p_data_idle=0.0)
        ii = initiation_interval(mon.w_at[w0:])
        dut._log.info("K/V appends of %d bytes (%d beats), B latency 4: W-beat II %.3f cycles", d_head,
                      d_head // bb, ii)
        assert ii == 1.0, f"K/V appends: W-beat II {ii} (measured 1.0 at B latency 4)"


@cocotb.test()
async def axi_wr_error_injection(dut: Any) -> None:
    """SLVERR / DECERR responses set err_o with the first code; every command completes; idle_o returns;
    err_clr_i clears; a write outside the RW window is reported by the BFM and not applied."""
    knobs = BfmKnobs(p_aw_stall=0.2, p_w_stall=0.2, b_lat_min=0, b_lat_max=20, b_reorder=True)
    h = await setup(dut, "wr", knobs, 25)
    bb, bfm = h.bb, h.bfm
    h.add_error_range(BASE + 0x1000, BASE + 0x1000 + 3 * bb, SLVERR)
    h.add_error_range(BASE + 0x5000 + 16 * bb, BASE + 0x5000 + 300 * bb, DECERR)
    cmds = [Cmd(BASE + 0x0f00, 0x400), Cmd(BASE + 0x200, 8 * bb), Cmd(BASE + 0x5000, 512 * bb),
            Cmd(BASE + 0x9000, 40 * bb)]
    bursts = await run_writes(h, cmds[:1], p_idle=0.0, p_data_idle=0.2)
    assert dut.wr_err.value and _u(dut.wr_err_resp) == SLVERR, "SLVERR must set err_o / err_resp_o"
    bursts += await run_writes(h, cmds[1:], p_idle=0.2, p_data_idle=0.2)
    assert dut.wr_err.value and _u(dut.wr_err_resp) == SLVERR, "err_resp_o keeps the first error"
    bresp = Counter(w.resp for w in bursts)
    assert bresp[SLVERR] >= 1 and bresp[DECERR] >= 2, f"B responses {dict(bresp)}"
    for w in bursts:                                    # error beats answered, not applied (shadow image kept them)
        for j, b in enumerate(w.beats):
            a = w.addr + j * bb
            assert b.resp == h.resp_of(a), f"beat 0x{a:x}: BFM beat resp {b.resp}, expected {h.resp_of(a)}"
    await pulse_err_clr(dut)
    assert not dut.wr_err.value and _u(dut.wr_err_resp) == 0, "err_clr_i must clear the error"
    await run_writes(h, [Cmd(BASE + 0xa000, 20 * bb)], p_idle=0.0, p_data_idle=0.0)
    assert not dut.wr_err.value
    # A command that runs past the end of the RW window into a mapped (loaded) page: the BFM records the
    # out-of-window beats, does not apply them and answers DECERR; the part inside the window is written.
    outside = BASE + SIZE
    page = h.rng.randbytes(4096)
    bfm.load(outside, page)
    await run_writes(h, [Cmd(outside - 4 * bb, 12 * bb)], p_idle=0.0, p_data_idle=0.0, expect_err=True)
    errs = bfm.protocol_errors()
    want = [f"write outside the RW window (not applied) at 0x{outside + j * bb:x} (wr)" for j in range(8)]
    assert [e.split("] ", 1)[1] for e in errs] == want, f"protocol errors {errs}"
    assert bfm.peek(outside, 4096) == page, "a write outside the RW window was applied"
    assert bfm.peek(outside - 4 * bb, 4 * bb) == bytes(h.image[-4 * bb:]), "the RW part must be written"
    assert dut.wr_err.value and _u(dut.wr_err_resp) == DECERR
    await ReadOnly()
    assert dut.wr_idle.value
