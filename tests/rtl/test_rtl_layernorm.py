"""Launcher: rtl/le_layernorm.sv vs models.ops.layernorm; the tests are tests/rtl/cocotb_layernorm.py.

Cached builds per parameter write width PRM_WORDS (2 and 4: the engine's 64- and 128-bit buses, AXI
data bits / 32) and per MAX_D: MAX_D = 64 carries the bulk (5,000 random short rows per PRM_WORDS, >= 10,000
in total, plus corners, N up to 64 = MAX_D) and the default MAX_D = 1024 carries the full-length corners
(N = 1024) and some long random rows.
"""

from __future__ import annotations

import pytest
import rtl_launch

SOURCES = rtl_launch.operator_sources("le_ln_rowstat", "le_ln_out", "le_layernorm")
# (MAX_D, random short rows, random long rows)
CONFIGS = {"bulk": (64, 5_000, 40), "full": (1024, 40, 8)}
PRM_WORDS = (2, 4)


@pytest.mark.sim
@pytest.mark.parametrize("prm_words", PRM_WORDS)
@pytest.mark.parametrize("config", list(CONFIGS))
def test_rtl_layernorm(config: str, prm_words: int) -> None:
    max_d, rows, long_rows = CONFIGS[config]
    rtl_launch.run(SOURCES, "le_layernorm", "layernorm", f"rtl_layernorm_{config}_w{prm_words}",
                   parameters={"MAX_D": max_d, "PRM_WORDS": prm_words},
                   plusargs=[f"+MAX_D={max_d}", f"+PRM_WORDS={prm_words}", f"+ROWS={rows}", f"+LONG={long_rows}"])
