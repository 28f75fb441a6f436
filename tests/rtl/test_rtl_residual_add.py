"""Launcher: rtl/le_residual_add.sv vs models.ops.residual_add (cocotb module tests/rtl/cocotb_residual_add.py)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from eda import simbuild

import rtl_harness as h

HERE = Path(__file__).resolve().parent


@pytest.mark.sim
def test_rtl_residual_add() -> None:
    start = time.monotonic()
    simbuild.run_cocotb(h.sources("le_residual_add"), "le_residual_add", HERE / "cocotb_residual_add.py",
                        h.RUNS_DIR / "rtl_residual_add", seed=h.SEED)
    print(f"le_residual_add: {time.monotonic() - start:.1f}s")
