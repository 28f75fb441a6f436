"""Launcher: rtl/le_softmax.sv vs models.ops.softmax; the tests are tests/rtl/cocotb_softmax.py.

Two cached Verilator builds (eda.simbuild):
  * MAX_SEQ = 64: the bulk run, >= 10,000 random short rows (n = 1 .. 16) plus a few hundred longer rows
    and several rows of n = 64, corners, timing;
  * MAX_SEQ = 512 (the default): the max-length corners, a few dozen random rows of n up to 512, timing.
"""

from __future__ import annotations

import pytest
import rtl_launch

# (MAX_SEQ, random short rows n <= 16, random rows of 17 .. MAX_SEQ, random rows of n = MAX_SEQ)
CONFIGS = {
    "bulk64": (64, 10_000, 300, 8),
    "max512": (512, 200, 24, 6),
}


@pytest.mark.sim
@pytest.mark.parametrize("config", sorted(CONFIGS))
def test_rtl_softmax(config: str) -> None:
    max_seq, rows, mid, full = CONFIGS[config]
    rtl_launch.run(rtl_launch.operator_sources("le_exp_lut_rom", "le_softmax"), "le_softmax", "softmax",
                   f"rtl_softmax_{config}",
                   parameters={"MAX_SEQ": max_seq},
                   plusargs=[f"+MAX_SEQ={max_seq}", f"+ROWS={rows}", f"+MID_ROWS={mid}", f"+FULL_ROWS={full}"])
