"""cocotb smoke test for tests/hdl/smoke_mac.sv: ~200 random int8 pairs against a Python model.

Run through eda.simbuild (see tests/test_toolchain.py); the seed is cocotb's
COCOTB_RANDOM_SEED, so a failing run is reproduced by passing the same seed.
"""

from __future__ import annotations

import random

import cocotb
from cocotb.clock import Clock
from cocotb.triggers import FallingEdge, ReadOnly, RisingEdge

N_PAIRS = 200
CORNERS = [(-128, -128), (-128, 127), (127, 127), (127, -128), (0, -128), (-1, -1)]


def wrap_i32(value: int) -> int:
    """Two's complement wrap to int32, as the RTL accumulator does."""
    return (value + 2**31) % 2**32 - 2**31


class MacModel:
    """Cycle model of smoke_mac: state after each rising edge."""

    def __init__(self) -> None:
        self.acc = 0

    def step(self, rst_n: int, valid: int, clear: int, a: int, b: int) -> int:
        if not rst_n:
            self.acc = 0
        else:
            base = 0 if clear else self.acc
            self.acc = wrap_i32(base + a * b) if valid else base
        return self.acc


async def cycle(dut, model: MacModel, rst_n: int, valid: int, clear: int, a: int, b: int) -> int:
    """Drive one cycle of inputs on the falling edge, then check acc_o after the rising edge."""
    await FallingEdge(dut.clk_i)
    dut.rst_ni.value = rst_n
    dut.valid_i.value = valid
    dut.clear_i.value = clear
    dut.a_i.value = a
    dut.b_i.value = b
    expected = model.step(rst_n, valid, clear, a, b)
    await RisingEdge(dut.clk_i)
    await ReadOnly()
    got = dut.acc_o.value.to_signed()
    assert got == expected, (
        f"acc_o={got} expected {expected} after rst_n={rst_n} valid={valid} clear={clear} a={a} b={b}"
    )
    return got


@cocotb.test()
async def random_pairs_match_model(dut) -> None:
    """Corner pairs, then random pairs with random valid/clear gaps and one mid-stream reset."""
    rng = random.Random(cocotb.RANDOM_SEED)
    dut._log.info("per-test seed %d (derived from COCOTB_RANDOM_SEED and the test name)", cocotb.RANDOM_SEED)
    dut.rst_ni.value = 0
    dut.valid_i.value = 0
    dut.clear_i.value = 0
    dut.a_i.value = 0
    dut.b_i.value = 0
    Clock(dut.clk_i, 10, unit="ns").start()
    model = MacModel()
    for _ in range(2):
        await cycle(dut, model, rst_n=0, valid=0, clear=0, a=0, b=0)

    pairs = CORNERS + [(rng.randint(-128, 127), rng.randint(-128, 127)) for _ in range(N_PAIRS - len(CORNERS))]
    accepted = 0
    while accepted < len(pairs):
        a, b = pairs[accepted]
        valid = 1 if accepted < len(CORNERS) else int(rng.random() < 0.8)
        clear = int(rng.random() < 0.05)
        rst_n = 0 if accepted == len(pairs) // 2 and valid else 1
        await cycle(dut, model, rst_n=rst_n, valid=valid, clear=clear, a=a, b=b)
        accepted += valid

    assert accepted == N_PAIRS
    await cycle(dut, model, rst_n=1, valid=0, clear=1, a=0, b=0)
    assert model.acc == 0
