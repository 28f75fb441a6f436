"""Launcher: rtl/le_act_lut.sv vs models.ops.act_lut; the tests are tests/rtl/cocotb_act_lut.py.

One cached build per table write-beat width: LANES 8 and 16 (the engine's 64- and 128-bit buses).
"""

from __future__ import annotations

import pytest
import rtl_launch


@pytest.mark.sim
@pytest.mark.parametrize("lanes", rtl_launch.LANE_COUNTS)
def test_rtl_act_lut(lanes: int) -> None:
    rtl_launch.run(rtl_launch.operator_sources("le_act_lut"), "le_act_lut", "act_lut", f"rtl_act_lut_lanes{lanes}",
                   parameters={"LANES": lanes}, plusargs=[f"+LANES={lanes}"])
