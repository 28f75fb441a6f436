"""Launcher: rtl/le_layout.sv against models/ddr_layout.py; the tests are tests/rtl/cocotb_layout.py.

Top level: tests/hdl/le_layout_tb.sv (flattens the config struct and selects one kind's offset/size).
"""

from __future__ import annotations

import pytest
import rtl_launch

SOURCES = [*rtl_launch.rtl("le_ctrl_pkg", "le_layout"), rtl_launch.REPO_ROOT / "tests" / "hdl" / "le_layout_tb.sv"]


@pytest.mark.sim
def test_rtl_layout() -> None:
    rtl_launch.run(SOURCES, "le_layout_tb", "layout", "rtl_layout")
