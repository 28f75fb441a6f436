"""Launcher: rtl/le_pv_accum.sv vs models.ops.pv_accum, for 64- and 128-bit buses (LANES 8, 16); the tests are
tests/rtl/cocotb_pv_accum.py.
"""

from __future__ import annotations

import pytest
import rtl_launch

MAX_D_HEAD = 64         # 8 (LANES 8) / 4 (LANES 16) accumulator words per bank
STRESS_ROWS = 5200      # random context rows per lane count (plus corners and timing rows): > 10,000 in total


@pytest.mark.sim
@pytest.mark.parametrize("lanes", rtl_launch.LANE_COUNTS)
def test_le_pv_accum(lanes: int) -> None:
    rtl_launch.run(rtl_launch.rtl("le_pkg", "le_stream_fifo", "le_pv_accum"), "le_pv_accum", "pv_accum",
                   f"le_pv_accum_lanes{lanes}",
                   parameters={"LANES": lanes, "MAX_D_HEAD": MAX_D_HEAD},
                   plusargs=[f"+LANES={lanes}", f"+MAX_D_HEAD={MAX_D_HEAD}", f"+ROWS={STRESS_ROWS}"])
