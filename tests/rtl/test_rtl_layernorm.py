"""Launcher: rtl/le_layernorm.sv vs models.ops.layernorm (cocotb module tests/rtl/cocotb_layernorm.py).

Two cached builds: MAX_D = 64 carries the bulk (>= 10,000 random short rows plus corners, N up to 64 = MAX_D)
and the default MAX_D = 1024 carries the full-length corners (N = 1024) and some long random rows.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from regress import simbuild

import rtl_harness as h

HERE = Path(__file__).resolve().parent
MODULE = "le_layernorm"
# (MAX_D, random short rows, random long rows)
CONFIGS = {"bulk": (64, 10_000, 40), "full": (1024, 40, 8)}


@pytest.mark.sim
@pytest.mark.parametrize("config", list(CONFIGS))
def test_rtl_layernorm(config: str) -> None:
    max_d, rows, long_rows = CONFIGS[config]
    start = time.monotonic()
    simbuild.run_cocotb(h.sources(MODULE), MODULE, HERE / "cocotb_layernorm.py",
                        h.RUNS_DIR / f"rtl_layernorm_{config}", parameters={"MAX_D": max_d}, seed=h.SEED,
                        plusargs=[f"+MAX_D={max_d}", f"+ROWS={rows}", f"+LONG={long_rows}"])
    print(f"{MODULE} [{config}, MAX_D {max_d}]: {time.monotonic() - start:.1f}s")
