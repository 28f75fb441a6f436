"""cocotb: rtl/le_token_ctrl.sv, the token life cycle, around the datapath clear (dp_clear_o).

The datapath (le_sched, le_exec, ...) is held in reset while dp_clear_o is high, so a start_o pulse in that cycle
would be lost and the token would stay BUSY for ever. A START whose CSR write lands in the clear cycle (right after
an idle SOFT_RESET, or at the end of a soft-reset drain, before the host could read STATUS as 0) must be held and
accepted one cycle later, with PERF_CYCLES still counted from its write (docs/host_protocol.md section 6).
"""
from __future__ import annotations

import cocotb
from cocotb.clock import Clock
from cocotb.triggers import FallingEdge, ReadOnly, RisingEdge

INPUTS = ("start_req_i", "soft_req_i", "cfg_ok_i", "done_i", "drained_i", "exec_err_i", "exec_err_code_i", "x_err_i",
          "x_err_code_i", "wr_err_i", "rd_beat_i", "wr_beat_i", "rd_wait_i")


async def reset(dut) -> None:
    cocotb.start_soon(Clock(dut.clk_i, 10, unit="ns").start())
    for name in INPUTS:
        getattr(dut, name).value = 0
    dut.cfg_ok_i.value = 1
    dut.rst_ni.value = 0
    for _ in range(3):
        await RisingEdge(dut.clk_i)
    dut.rst_ni.value = 1
    await RisingEdge(dut.clk_i)


async def pulse(dut, name: str) -> None:
    """One-cycle request, as the CSR block gives it."""
    getattr(dut, name).value = 1
    await RisingEdge(dut.clk_i)
    getattr(dut, name).value = 0


async def watch_starts(dut, starts: list[tuple[int, int]], cycle: list[int]) -> None:
    """Record (cycle, dp_clear_o) of every start_o pulse, sampled mid-cycle (inputs change at rising edges)."""
    while True:
        await FallingEdge(dut.clk_i)
        await ReadOnly()
        cycle[0] += 1
        if int(dut.start_o.value):
            starts.append((cycle[0], int(dut.dp_clear_o.value)))


async def finish_token(dut, busy_cycles: int) -> int:
    """Let the accepted token run `busy_cycles` cycles, complete it; returns PERF_CYCLES."""
    for _ in range(busy_cycles):
        await RisingEdge(dut.clk_i)
    await pulse(dut, "done_i")
    await ReadOnly()
    assert int(dut.done_o.value) == 1 and int(dut.busy_o.value) == 0 and int(dut.error_o.value) == 0
    cycles = int(dut.perf_cycles_o.value)
    await RisingEdge(dut.clk_i)
    return cycles


async def start_in_the_clear_cycle(dut, request: str) -> None:
    """Pulse `request` (soft_req_i or drained_i) and write START in the very next cycle: the dp_clear cycle."""
    getattr(dut, request).value = 1
    await RisingEdge(dut.clk_i)
    getattr(dut, request).value = 0
    dut.start_req_i.value = 1
    await ReadOnly()
    assert int(dut.dp_clear_o.value) == 1 and int(dut.busy_o.value) == 0, "not the clear cycle"
    assert int(dut.start_o.value) == 0, "start_o while the datapath is in reset"
    await RisingEdge(dut.clk_i)
    dut.start_req_i.value = 0


@cocotb.test()
async def start_right_after_idle_soft_reset(dut) -> None:
    await reset(dut)
    starts: list[tuple[int, int]] = []
    cycle = [0]
    cocotb.start_soon(watch_starts(dut, starts, cycle))
    # a normal START: accepted in its own cycle, PERF_CYCLES = busy cycles + 1 (START write edge to done edge)
    await pulse(dut, "start_req_i")
    normal = await finish_token(dut, 20)
    assert len(starts) == 1 and starts[0][1] == 0
    # SOFT_RESET while idle, START in the very next cycle: that is the dp_clear cycle
    await start_in_the_clear_cycle(dut, "soft_req_i")
    await ReadOnly()
    assert int(dut.error_o.value) == 0 and int(dut.irq_error_o.value) == 0
    await RisingEdge(dut.clk_i)
    await ReadOnly()
    assert len(starts) == 2, f"the START written in the clear cycle was lost: start_o pulses {starts}"
    assert all(clear == 0 for _, clear in starts), f"start_o pulsed while dp_clear_o was high: {starts}"
    assert int(dut.busy_o.value) == 1
    await RisingEdge(dut.clk_i)
    held = await finish_token(dut, 18)       # the same span from the START write as the normal token
    assert held == normal, f"PERF_CYCLES {held} after a held START, {normal} for the same span"


@cocotb.test()
async def start_at_the_end_of_a_soft_drain(dut) -> None:
    await reset(dut)
    starts: list[tuple[int, int]] = []
    cycle = [0]
    cocotb.start_soon(watch_starts(dut, starts, cycle))
    await pulse(dut, "start_req_i")
    for _ in range(5):
        await RisingEdge(dut.clk_i)
    await pulse(dut, "soft_req_i")                   # busy: drain with soft_o
    for _ in range(4):
        await RisingEdge(dut.clk_i)
    await start_in_the_clear_cycle(dut, "drained_i")      # the drain ends; START in the clear cycle
    await FallingEdge(dut.clk_i)                              # the cycle after: the held START is accepted
    await ReadOnly()
    assert [c for _, c in starts] == [0, 0], f"start_o pulses (cycle, dp_clear_o): {starts}"
    await RisingEdge(dut.clk_i)
    await ReadOnly()
    assert int(dut.busy_o.value) == 1 and int(dut.error_o.value) == 0
