"""Launcher: rtl/le_score_scale_clamp.sv vs models.ops.score_scale_clamp; the tests are
tests/rtl/cocotb_score_scale_clamp.py."""

from __future__ import annotations

import pytest
import rtl_launch


@pytest.mark.sim
def test_rtl_score_scale_clamp() -> None:
    rtl_launch.run(rtl_launch.operator_sources("le_requant", "le_score_scale_clamp"), "le_score_scale_clamp",
                   "score_scale_clamp", "rtl_score_scale_clamp")
