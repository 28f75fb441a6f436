"""Launcher: rtl/le_layout.sv against models/ddr_layout.py (cocotb module tests/rtl/cocotb_layout.py).

Top level: tests/hdl/le_layout_tb.sv (flattens the config struct and selects one kind's offset/size).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from eda import simbuild

import rtl_harness as h

HERE = Path(__file__).resolve().parent
SOURCES = [h.RTL_DIR / "le_ctrl_pkg.sv", h.RTL_DIR / "le_layout.sv", h.REPO_ROOT / "tests" / "hdl" / "le_layout_tb.sv"]


@pytest.mark.sim
def test_rtl_layout() -> None:
    simbuild.run_cocotb(SOURCES, "le_layout_tb", HERE / "cocotb_layout.py", h.RUNS_DIR / "rtl_layout", seed=h.SEED)
