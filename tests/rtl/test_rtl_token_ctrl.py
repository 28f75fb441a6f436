"""Launcher: rtl/le_token_ctrl.sv around the datapath clear; the tests are tests/rtl/cocotb_token_ctrl.py."""

from __future__ import annotations

import pytest
import rtl_launch

SOURCES = rtl_launch.rtl("le_ctrl_pkg", "le_token_ctrl")


@pytest.mark.sim
def test_rtl_token_ctrl() -> None:
    rtl_launch.run(SOURCES, "le_token_ctrl", "token_ctrl", "rtl_token_ctrl")
