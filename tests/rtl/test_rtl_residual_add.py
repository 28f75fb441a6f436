"""Launcher: rtl/le_residual_add.sv vs models.ops.residual_add; the tests are tests/rtl/cocotb_residual_add.py."""

from __future__ import annotations

import pytest
import rtl_launch


@pytest.mark.sim
def test_rtl_residual_add() -> None:
    rtl_launch.run(rtl_launch.operator_sources("le_residual_add"), "le_residual_add", "residual_add",
                   "rtl_residual_add")
