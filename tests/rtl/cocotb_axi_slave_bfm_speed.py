"""Speed of the AXI4 slave BFM: one long streaming run of the read and write DMAs in verif/hdl/le_axi_dma_bfm_tb.sv
(launcher: tests/rtl/test_rtl_axi_slave_bfm.py test_axi_slave_bfm_speed).

speed_bfm reads a 128 KB image and writes the next 128 KB concurrently at full rate, checks the data (the last
captured read beats, the whole written region) and that the BFM recorded no protocol error, and writes
speed_bfm.json (DUT cycles per wall second of the run, backdoor load / peek times) into the run directory.
"""
from __future__ import annotations

import json
import random
import time
from pathlib import Path
from typing import Any

import cocotb
from axi_dma_tb import BASE, SIZE, Tb
from cocotb.handle import Immediate
from cocotb_axi_slave_bfm import check_clean

from verif.bfm.axi_mem_bfm import OKAY, AxiMemBfm, BfmKnobs, _u

SPEED_BEATS = 1 << 17               # read beats (and as many write beats) of the streaming run


@cocotb.test()
async def speed_bfm(dut: Any) -> None:
    """Reads of the 128 KB image and writes of the next 128 KB, concurrently, at full rate (latency 2..8)."""
    tb = Tb(dut)
    bb, d = tb.bb, dut
    rng = random.Random(7)
    image = rng.randbytes(SIZE)
    wbase = BASE + SIZE
    cmd_bytes = 4096 * bb
    n_cmds = SPEED_BEATS // 4096
    rd_cmds = [(BASE + (k * cmd_bytes) % SIZE, cmd_bytes) for k in range(n_cmds)]
    wr_cmds = [(wbase + (k * cmd_bytes) % SIZE, cmd_bytes) for k in range(n_cmds)]
    wdata = [rng.getrandbits(8 * bb) for _ in range(tb.wd_depth)]
    mem = AxiMemBfm(d.u_bfm, d.clk)
    mem.unmap_all()
    mem.configure(BfmKnobs(lat_min=2, lat_max=8, b_lat_min=2, b_lat_max=8, record_wdata=False))
    t0 = time.perf_counter()
    mem.load(BASE, image)
    t_load = time.perf_counter() - t0
    mem.set_rw_region(wbase, wbase + SIZE)
    await tb.start()
    tb.push_wdata(wdata)
    d.wd_n.value = Immediate(_u(d.wd_i) + n_cmds * 4096)         # the data ring repeats
    n0 = _u(d.cap_n)
    t_sim0 = cocotb.utils.get_sim_time("ns")
    t0 = time.perf_counter()
    tb.push_cmds("rc", rd_cmds)
    tb.push_cmds("wc", wr_cmds)
    await tb.wait_until(lambda: _u(d.cap_n) - n0 == SPEED_BEATS and d.rd_idle.value == 1 and d.wr_idle.value == 1
                        and _u(d.wc_i) == _u(d.wc_n), 8 * SPEED_BEATS, "streaming run")
    wall = time.perf_counter() - t0
    cycles = round((cocotb.utils.get_sim_time("ns") - t_sim0) / 10)
    # checks: the last captured read beats, the written region
    stream = [a + j * bb for a, n in rd_cmds for j in range(n // bb)]
    got = tb.captured(_u(d.cap_n) - tb.cap_depth, _u(d.cap_n))
    for (data, _, resp), a in zip(got, stream[-tb.cap_depth:], strict=True):
        assert resp == OKAY and data == int.from_bytes(image[a - BASE:a - BASE + bb], "little"), hex(a)
    exp = bytearray(SIZE)
    k = 0
    for a, n in wr_cmds:
        for j in range(n // bb):
            exp[a - wbase + j * bb:a - wbase + (j + 1) * bb] = wdata[k % tb.wd_depth].to_bytes(bb, "little")
            k += 1
    t0 = time.perf_counter()
    mem.peek(wbase, 0x10000)                                # first touch of these words
    t_peek_cold = time.perf_counter() - t0
    t0 = time.perf_counter()
    mem.peek(wbase, 0x10000)
    t_peek = time.perf_counter() - t0
    written = mem.peek(wbase, SIZE)
    assert written == bytes(exp), "written region differs"
    check_clean(mem)
    rate = cycles / wall
    dut._log.info("bfm: %d cycles in %.2f s wall = %.0f cycles/s (load 128 KB %.0f ms, peek 64 KB %.1f ms, "
                  "first %.1f ms)", cycles, wall, rate, 1e3 * t_load, 1e3 * t_peek, 1e3 * t_peek_cold)
    out = Path.cwd() / "speed_bfm.json"
    out.write_text(json.dumps({"mode": "bfm", "bus_bits": 8 * bb, "cycles": cycles, "wall_s": wall,
                               "cycles_per_s": rate, "load_128k_ms": 1e3 * t_load, "peek_64k_ms": 1e3 * t_peek,
                               "peek_64k_first_ms": 1e3 * t_peek_cold}))

