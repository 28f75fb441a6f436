"""pytest launcher: rtl/le_pv_accum.sv against models.ops.pv_accum, for 64- and 128-bit buses (LANES 8, 16).

Each lane count is its own cached Verilator build (eda.simbuild); the cocotb tests are in
tests/rtl/cocotb_pv_accum.py.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from eda import simbuild

import mac_harness as mh

HERE = Path(__file__).resolve().parent
MAX_D_HEAD = 64         # 8 (LANES 8) / 4 (LANES 16) accumulator words per bank
STRESS_ROWS = 5200      # random context rows per lane count (plus corners and timing rows): > 10,000 in total


@pytest.mark.sim
@pytest.mark.parametrize("lanes", mh.LANE_COUNTS)
def test_le_pv_accum(lanes: int) -> None:
    params = {"LANES": lanes, "MAX_D_HEAD": MAX_D_HEAD}
    simbuild.run_cocotb(
        mh.sources("le_stream_fifo", "le_pv_accum"), "le_pv_accum", HERE / "cocotb_pv_accum.py",
        mh.RUNS_DIR / f"le_pv_accum_lanes{lanes}", parameters=params,
        seed=int(os.environ.get("LE_SIM_SEED", mh.SEED)),
        plusargs=[f"+LANES={lanes}", f"+MAX_D_HEAD={MAX_D_HEAD}", f"+ROWS={STRESS_ROWS}"],
    )
