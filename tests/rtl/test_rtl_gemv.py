"""Launcher: rtl/le_gemv.sv vs models.ops.gemv, for 64- and 128-bit buses (LANES 8, 16); the tests are
tests/rtl/cocotb_gemv.py.
"""

from __future__ import annotations

import pytest
import rtl_launch


@pytest.mark.sim
@pytest.mark.parametrize("lanes", rtl_launch.LANE_COUNTS)
def test_le_gemv(lanes: int) -> None:
    rtl_launch.run(rtl_launch.rtl("le_pkg", "le_stream_fifo", "le_gemv"), "le_gemv", "gemv", f"le_gemv_lanes{lanes}",
                   parameters=rtl_launch.mac_parameters(lanes), plusargs=rtl_launch.mac_plusargs(lanes))
