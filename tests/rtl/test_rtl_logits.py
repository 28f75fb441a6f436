"""pytest launcher: rtl/le_logits.sv against models.ops.logits_tile, for 64- and 128-bit buses (LANES 8, 16).

Each lane count is its own cached Verilator build (eda.simbuild); the cocotb tests are in
tests/rtl/cocotb_logits.py (bodies in tests/rtl/mac_harness.py).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from eda import simbuild

import mac_harness as mh

HERE = Path(__file__).resolve().parent
MAX_D_IN = 512          # x RAM of 64 (LANES 8) / 32 (LANES 16) beats; the d_in = MAX_D_IN corner runs
STRESS_ROWS = 5200      # random rows per lane count (plus corners and timing rows): > 10,000 in total


@pytest.mark.sim
@pytest.mark.parametrize("lanes", mh.LANE_COUNTS)
def test_le_logits(lanes: int) -> None:
    params = {"LANES": lanes, "MAX_D_IN": MAX_D_IN}
    simbuild.run_cocotb(
        mh.sources("le_stream_fifo", "le_gemv", "le_logits"), "le_logits", HERE / "cocotb_logits.py",
        mh.RUNS_DIR / f"le_logits_lanes{lanes}", parameters=params,
        seed=int(os.environ.get("LE_SIM_SEED", mh.SEED)),
        plusargs=[f"+LANES={lanes}", f"+MAX_D_IN={MAX_D_IN}", f"+ROWS={STRESS_ROWS}"],
    )
