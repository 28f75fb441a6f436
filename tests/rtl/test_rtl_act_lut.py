"""Launcher: rtl/le_act_lut.sv vs models.ops.act_lut (cocotb module tests/rtl/cocotb_act_lut.py).

One cached build per table write-beat width: LANES 8 and 16 (the engine's 64- and 128-bit buses).
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from eda import simbuild

import rtl_harness as h

HERE = Path(__file__).resolve().parent
LANE_COUNTS = (8, 16)


@pytest.mark.sim
@pytest.mark.parametrize("lanes", LANE_COUNTS)
def test_rtl_act_lut(lanes: int) -> None:
    start = time.monotonic()
    simbuild.run_cocotb(h.sources("le_act_lut"), "le_act_lut", HERE / "cocotb_act_lut.py",
                        h.RUNS_DIR / f"rtl_act_lut_lanes{lanes}", parameters={"LANES": lanes}, seed=h.SEED,
                        plusargs=[f"+LANES={lanes}"])
    print(f"le_act_lut [LANES {lanes}]: {time.monotonic() - start:.1f}s")
