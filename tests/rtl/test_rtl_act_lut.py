"""Launcher: rtl/le_act_lut.sv vs models.ops.act_lut (cocotb module tests/rtl/cocotb_act_lut.py)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from regress import simbuild

import rtl_harness as h

HERE = Path(__file__).resolve().parent


@pytest.mark.sim
def test_rtl_act_lut() -> None:
    start = time.monotonic()
    simbuild.run_cocotb(h.sources("le_act_lut"), "le_act_lut", HERE / "cocotb_act_lut.py",
                        h.RUNS_DIR / "rtl_act_lut", seed=h.SEED)
    print(f"le_act_lut: {time.monotonic() - start:.1f}s")
