"""Launcher: rtl/le_requant.sv vs models.ops.requant; the tests are tests/rtl/cocotb_requant.py."""

from __future__ import annotations

import pytest
import rtl_launch


@pytest.mark.sim
def test_rtl_requant() -> None:
    rtl_launch.run(rtl_launch.operator_sources("le_requant"), "le_requant", "requant", "rtl_requant")
