"""cocotb tests of rtl/le_stall_gate.sv alone (launcher: test_rtl_stall_gate.py).

* ``wire``: without ``+le_stall`` the gate is a wire in every cycle, before and after reset: valid_o == valid_i
  and ready_o == ready_i under random inputs (checked after every input change, so any register in the path
  would show).
* ``protocol``: with ``+le_stall=PCT`` (the launcher passes it and ``+le_seed``), a producer that holds each item
  until it is taken and a consumer with random ready: in every cycle the upstream and downstream handshakes are
  the same event; an item shown downstream and not taken stays shown; every item gets through, in order (the
  payload is wired around the gate: the item count is the check); the gate does close (cycles with valid_i and
  ready_i high and no handshake) at a rate no higher than PCT. The valid_o trace's digest goes to
  ``trace.sha256`` in the run directory: the launcher compares it across runs (same seed: the same bits).
"""

from __future__ import annotations

import hashlib
import random
from pathlib import Path
from typing import Any

import cocotb
from cocotb.clock import Clock
from cocotb.triggers import ReadOnly, RisingEdge, Timer

from verif.settings import plusarg

N_ITEMS = 3000
TRACE_FILE = "trace.sha256"


def _bit(sig: Any) -> int:
    return int(sig.value)


async def _reset(dut: Any, cycles: int = 3) -> None:
    d = dut
    d.rst_ni.value = 0
    for _ in range(cycles):
        await RisingEdge(d.clk_i)
    d.rst_ni.value = 1


@cocotb.test()
async def wire(dut: Any) -> None:
    """No +le_stall: a wire in every cycle, from time 0, under random valid_i / ready_i."""
    assert plusarg("le_stall") is None, "the launcher runs this test without +le_stall"
    d = dut
    rng = random.Random(1)
    d.valid_i.value = 0
    d.ready_i.value = 0
    d.rst_ni.value = 0
    Clock(d.clk_i, 10, unit="ns").start()
    for cycle in range(4000):
        if cycle == 5:
            d.rst_ni.value = 1
        for _ in range(2):   # two input changes per cycle, each checked
            v, r = rng.getrandbits(1), rng.getrandbits(1)
            d.valid_i.value = v
            d.ready_i.value = r
            await Timer(2, unit="ns")
            vo, ro = _bit(d.valid_o), _bit(d.ready_o)
            assert (vo, ro) == (v, r), f"cycle {cycle}: not a wire: valid {v}->{vo}, ready {r}->{ro}"
        await RisingEdge(d.clk_i)


@cocotb.test()
async def protocol(dut: Any) -> None:
    """+le_stall=PCT: one handshake on both sides, offers held, every item through, the gate does close."""
    pct_arg = plusarg("le_stall")
    assert pct_arg is not None and int(pct_arg) > 0, "the launcher runs this test with +le_stall=PCT"
    pct = int(pct_arg)
    d = dut
    rng = random.Random(int(plusarg("le_seed") or 1))
    d.valid_i.value = 0
    d.ready_i.value = 0
    Clock(d.clk_i, 10, unit="ns").start()
    await _reset(d)
    sent = taken = closed = both_high = cycles = 0
    prev_offer = False
    trace = bytearray()
    p_idle, p_stall = 0.2, 0.3
    while taken < N_ITEMS:
        # inputs for this cycle: the producer holds an item until it is taken; the consumer's ready is random
        if not _bit(d.valid_i) and sent < N_ITEMS and rng.random() >= p_idle:
            d.valid_i.value = 1
            sent += 1
        d.ready_i.value = int(rng.random() >= p_stall)
        await ReadOnly()
        vi, ro = _bit(d.valid_i), _bit(d.ready_o)
        vo, ri = _bit(d.valid_o), _bit(d.ready_i)
        up, down = vi and ro, vo and ri
        # reported one edge later: the gate's assertions sample at that edge and, in a build with them,
        # stop the run first (tests/rtl/test_rtl_stall_gate.py shows both failing on a planted bug)
        problem = (f"cycle {cycles}: upstream handshake {up} but downstream {down}" if up != down else
                   f"cycle {cycles}: valid_o withdrawn before its handshake" if prev_offer and vi and not vo else
                   f"cycle {cycles}: valid_o without valid_i" if vo and not vi else "")
        both_high += vi and ri
        closed += vi and ri and not vo
        prev_offer = bool(vo and not ri)
        trace.append(vo | (ro << 1))
        cycles += 1
        await RisingEdge(d.clk_i)
        assert not problem, problem
        if up:
            taken += 1
            d.valid_i.value = 0
        assert cycles < 40 * N_ITEMS, f"only {taken} of {N_ITEMS} items through in {cycles} cycles"
    assert sent == taken == N_ITEMS
    rate = closed / max(both_high, 1)
    dut._log.info(f"+le_stall={pct}: {N_ITEMS} items in {cycles} cycles, closed on {closed} of {both_high} "
                  f"cycles with valid_i and ready_i high ({100 * rate:.1f} %)")
    assert closed > 0, "the gate never closed"
    assert rate <= pct / 100 + 0.05, f"closed {100 * rate:.1f} % of the time, more than +le_stall={pct}"
    Path(TRACE_FILE).write_text(hashlib.sha256(bytes(trace)).hexdigest() + "\n")
