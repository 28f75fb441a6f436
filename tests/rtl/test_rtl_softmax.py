"""Launcher: rtl/le_softmax.sv vs models.ops.softmax (cocotb module tests/rtl/cocotb_softmax.py).

Two cached Verilator builds (eda.simbuild):
  * MAX_SEQ = 64: the bulk run, >= 10,000 random short rows (n = 1 .. 16) plus a few hundred longer rows
    and several rows of n = 64, corners, timing;
  * MAX_SEQ = 512 (the default): the max-length corners, a few dozen random rows of n up to 512, timing.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from eda import simbuild

import rtl_harness as h

HERE = Path(__file__).resolve().parent

# (MAX_SEQ, random short rows n <= 16, random rows of 17 .. MAX_SEQ, random rows of n = MAX_SEQ)
CONFIGS = {
    "bulk64": (64, 10_000, 300, 8),
    "max512": (512, 200, 24, 6),
}


@pytest.mark.sim
@pytest.mark.parametrize("config", sorted(CONFIGS))
def test_rtl_softmax(config: str) -> None:
    max_seq, rows, mid, full = CONFIGS[config]
    start = time.monotonic()
    simbuild.run_cocotb(
        h.sources("le_exp_lut_rom", "le_softmax"), "le_softmax", HERE / "cocotb_softmax.py",
        h.RUNS_DIR / f"rtl_softmax_{config}", parameters={"MAX_SEQ": max_seq},
        seed=int(os.environ.get("LE_SIM_SEED", h.SEED)),
        plusargs=[f"+MAX_SEQ={max_seq}", f"+ROWS={rows}", f"+MID_ROWS={mid}", f"+FULL_ROWS={full}"],
    )
    print(f"le_softmax {config}: {time.monotonic() - start:.1f}s")
