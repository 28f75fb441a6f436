"""Launcher: rtl/le_requant.sv vs models.ops.requant (cocotb module tests/rtl/cocotb_requant.py)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from eda import simbuild

import rtl_harness as h

HERE = Path(__file__).resolve().parent


@pytest.mark.sim
def test_rtl_requant() -> None:
    start = time.monotonic()
    simbuild.run_cocotb(h.sources("le_requant"), "le_requant", HERE / "cocotb_requant.py",
                        h.RUNS_DIR / "rtl_requant", seed=h.SEED)
    print(f"le_requant: {time.monotonic() - start:.1f}s")
