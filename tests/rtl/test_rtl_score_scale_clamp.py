"""Launcher: rtl/le_score_scale_clamp.sv vs models.ops.score_scale_clamp (tests/rtl/cocotb_score_scale_clamp.py)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from eda import simbuild

import rtl_harness as h

HERE = Path(__file__).resolve().parent


@pytest.mark.sim
def test_rtl_score_scale_clamp() -> None:
    start = time.monotonic()
    simbuild.run_cocotb(h.sources("le_requant", "le_score_scale_clamp"), "le_score_scale_clamp",
                        HERE / "cocotb_score_scale_clamp.py", h.RUNS_DIR / "rtl_score_scale_clamp", seed=h.SEED)
    print(f"le_score_scale_clamp: {time.monotonic() - start:.1f}s")
