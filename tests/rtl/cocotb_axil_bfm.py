"""cocotb tests of the AXI4-Lite split transactors (verif/hdl/le_axil_master_bfm.sv + verif/bfm/axil_master.py, and
verif/hdl/le_axil_monitor.sv + verif/bfm/axil_monitor.py) on verif/hdl/le_axil_bfm_tb.sv: the master on a small
slave that misbehaves on request (mode_i), the monitor on the bus between them. Python's randomness from
COCOTB_RANDOM_SEED.
  - test_accesses: random writes (random strobes) and reads at random slave latencies read back what was written
    and the monitor records every access, in order, with its address, data and response, none early; 40 accesses
    unread overflow its 16-record ring, and the proxy counts the 24 lost.
  - test_timing: against a zero-latency slave a write's B and a read's R come two edges after the command (the
    valids are up for the first edge after it, as with the Python master the HDL one replaced).
  - test_slverr: SLVERR comes back as BRESP / RRESP, and the monitor records it.
  - test_early_b / test_early_r: a slave answering before the request handshakes makes the master raise
    ProtocolError and the monitor record the access as early (the checks of verif/agents/axil.py).
  - test_timeout: a silent slave makes a write and a read raise ProtocolError after timeout_cycles edges (the
    write naming its pending AW and W); the next access to a good slave works.
  - test_monitor_reset: a response while rst_ni is low is not recorded.
"""
from __future__ import annotations

import random
from typing import Any

import cocotb
from cocotb.clock import Clock
from cocotb.triggers import ClockCycles, RisingEdge
from cocotb.utils import get_sim_time

from models.driver import ProtocolError
from verif.bfm.axil_master import AxiLiteMaster
from verif.bfm.axil_monitor import AxiLiteMonitorBfm, AxilRecord

MODE_OK, MODE_EARLY_B, MODE_EARLY_R, MODE_SILENT, MODE_SLVERR = range(5)
OKAY, SLVERR = 0, 2
CLK_NS = 10


async def setup(dut: Any, timeout_cycles: int = 100) -> tuple[AxiLiteMaster, AxiLiteMonitorBfm, random.Random]:
    dut.rst_ni.value, dut.mode_i.value, dut.lat_i.value = 0, MODE_OK, 0
    Clock(dut.clk_i, CLK_NS, unit="ns").start()
    await ClockCycles(dut.clk_i, 3)
    dut.rst_ni.value = 1
    await RisingEdge(dut.clk_i)
    master = AxiLiteMaster(dut, dut.clk_i, timeout_cycles=timeout_cycles, bfm=dut.u_master)
    return master, AxiLiteMonitorBfm(dut.u_mon), random.Random(cocotb.RANDOM_SEED)


def merge(old: int, data: int, strb: int) -> int:
    return sum(((data if strb >> b & 1 else old) >> 8 * b & 0xFF) << 8 * b for b in range(4))


@cocotb.test()
async def test_accesses(dut: Any) -> None:
    master, mon, rng = await setup(dut)
    model = [0] * 32
    for i in range(32):                       # every register known before the random reads
        await master.write(4 * i, 0)
        mon.pending()
    records: list[AxilRecord] = []
    expected: list[AxilRecord] = []
    for _ in range(300):
        dut.lat_i.value = rng.choice((0, 0, 1, 2, 5))
        addr = 4 * rng.randrange(32)
        if rng.random() < 0.5:
            data, strb = rng.getrandbits(32), rng.choice((0xF, 0xF, 0x1, 0x6, 0x8, 0x0))
            assert await master.write(addr, data, strb) == OKAY
            model[addr // 4] = merge(model[addr // 4], data, strb)
            expected.append(AxilRecord(write=True, addr=addr, data=data, resp=OKAY, early=False))
        else:
            got, resp = await master.read(addr)
            assert (got, resp) == (model[addr // 4], OKAY), f"read {addr:#x}: {got:#x} resp {resp}"
            expected.append(AxilRecord(write=False, addr=addr, data=got, resp=OKAY, early=False))
        records += mon.pending()              # the ring holds 16: read as the agent's monitor does, per access
    assert records == expected, next(f"access {i}: monitor {r} != {e}" for i, (r, e) in
                                     enumerate(zip(records, expected, strict=True)) if r != e)
    assert mon.overflows == 0
    for _ in range(40):
        await master.write(0, 1)
    assert len(mon.pending()) == 16 and mon.overflows == 24


@cocotb.test()
async def test_timing(dut: Any) -> None:
    master, mon, _ = await setup(dut)
    for write in (True, False, True):
        await RisingEdge(dut.clk_i)
        t0 = get_sim_time("ns")
        if write:
            await master.write(0x10, 0x1234_5678)
        else:
            assert await master.read(0x10) == (0x1234_5678, OKAY)
        assert get_sim_time("ns") - t0 == 2 * CLK_NS, f"{'write' if write else 'read'}: {get_sim_time('ns') - t0} ns"
    assert [r.write for r in mon.pending()] == [True, False, True]


@cocotb.test()
async def test_slverr(dut: Any) -> None:
    master, mon, _ = await setup(dut)
    dut.mode_i.value = MODE_SLVERR
    assert await master.write(0x8, 5) == SLVERR
    assert (await master.read(0x8))[1] == SLVERR
    assert [(r.write, r.resp, r.early) for r in mon.pending()] == [(True, SLVERR, False), (False, SLVERR, False)]


async def expect_protocol_error(access: Any, text: str) -> str:
    try:
        await access
    except ProtocolError as e:
        assert text in str(e), f"{e!s} does not say {text!r}"
        return str(e)
    raise AssertionError(f"no ProtocolError ({text})")


@cocotb.test()
async def test_early_b(dut: Any) -> None:
    master, mon, _ = await setup(dut)
    dut.mode_i.value, dut.lat_i.value = MODE_EARLY_B, 2
    await expect_protocol_error(master.write(0x4, 1), "AXI4-Lite BVALID before the AW and W handshakes (write 0x4)")
    assert [(r.write, r.early) for r in mon.pending()] == [(True, True)]
    dut.mode_i.value, dut.lat_i.value = MODE_OK, 0        # a good slave again: no stale state in the BFMs
    await master.write(0x4, 7)
    assert await master.read(0x4) == (7, OKAY)
    assert [(r.write, r.early) for r in mon.pending()] == [(True, False), (False, False)]


@cocotb.test()
async def test_early_r(dut: Any) -> None:
    master, mon, _ = await setup(dut)
    dut.mode_i.value, dut.lat_i.value = MODE_EARLY_R, 1
    await expect_protocol_error(master.read(0xC), "AXI4-Lite RVALID before the AR handshake (read 0xc)")
    assert [(r.write, r.early) for r in mon.pending()] == [(False, True)]


@cocotb.test()
async def test_timeout(dut: Any) -> None:
    master, mon, _ = await setup(dut, timeout_cycles=40)
    dut.mode_i.value = MODE_SILENT
    t0 = get_sim_time("ns")
    await expect_protocol_error(master.write(0x20, 3), "AXI4-Lite write of 0x20: no response within 40 cycles "
                                                       "(AW pending, W pending)")
    assert get_sim_time("ns") - t0 <= 41 * CLK_NS
    await expect_protocol_error(master.read(0x20), "AXI4-Lite read of 0x20: no response within 40 cycles")
    assert mon.pending() == []
    dut.mode_i.value = MODE_OK
    await master.write(0x20, 9)
    assert await master.read(0x20) == (9, OKAY)
    assert len(mon.pending()) == 2


@cocotb.test()
async def test_monitor_reset(dut: Any) -> None:
    master, mon, _ = await setup(dut)
    dut.rst_ni.value = 0
    dut.mode_i.value, dut.lat_i.value = MODE_EARLY_B, 2    # the slave answers even in reset
    await expect_protocol_error(master.write(0x0, 1), "BVALID before")
    await ClockCycles(dut.clk_i, 2)
    assert mon.pending() == [], "a B handshake during reset was recorded"
    dut.rst_ni.value = 1
    dut.mode_i.value, dut.lat_i.value = MODE_OK, 0
    await RisingEdge(dut.clk_i)
    await master.write(0x0, 1)
    assert [(r.write, r.early) for r in mon.pending()] == [(True, False)]
