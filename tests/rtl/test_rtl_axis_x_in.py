"""Launcher: rtl/le_axis_x_in.sv (s_axis_x slave -> le_gemv x write port), for 64- and 128-bit buses; the tests
are tests/rtl/cocotb_axis_x_in.py.
"""

from __future__ import annotations

import pytest
import rtl_launch


@pytest.mark.sim
@pytest.mark.parametrize("data_w", rtl_launch.DATA_WIDTHS)
def test_le_axis_x_in(data_w: int) -> None:
    rtl_launch.run(rtl_launch.rtl("le_axis_x_in"), "le_axis_x_in", "axis_x_in", f"le_axis_x_in_w{data_w}",
                   parameters={"AXI_DATA_W": data_w, "MAX_D_MODEL": 1536})
