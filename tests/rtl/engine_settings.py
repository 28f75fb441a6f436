"""Selection and knobs of the layer_engine cocotb tests (tests/rtl/cocotb_layer_engine.py).

Each setting comes from a plusarg (+le_<name>=...) or an environment variable (LE_<NAME>), plusargs first:
  le_bundles  bundle:tokens list for test_bitexact, default "tiny:12,small:8" (tokens at positions 0..T-1)
  le_knobs    "stress" (default: random latency 0..40, out-of-order + interleaved R, out-of-order B, stalls on
              every AXI channel, X valid gaps, logits backpressure) or "calm" (no randomness)
  le_tests    regex over the test names to run (default: all)
  le_seed     seed of the memory model and the stream BFMs (default: COCOTB_RANDOM_SEED)
"""
from __future__ import annotations

import os
import re

import cocotb

from engine_bus import BusKnobs
from verif.axi_mem import AxiMemConfig

__all__ = ["setting", "selected", "bundle_list", "seed", "knobs"]


def setting(name: str, default: str) -> str:
    """The value of le_<name>: plusarg first, then the environment variable LE_<NAME>, else `default`."""
    key = f"le_{name}"
    if key in cocotb.plusargs:
        return str(cocotb.plusargs[key])
    return os.environ.get(key.upper(), default)


def selected(test: str) -> bool:
    """Whether the le_tests regex matches the test name (cocotb skips the test otherwise)."""
    return re.search(setting("tests", ".*"), test) is not None


def bundle_list() -> list[tuple[str, int]]:
    """(preset name, tokens) pairs of le_bundles; a missing token count means 8."""
    out: list[tuple[str, int]] = []
    for item in setting("bundles", "tiny:12,small:8").split(","):
        name, _, tokens = item.strip().partition(":")
        out.append((name, int(tokens or 8)))
    return out


def seed() -> int:
    """The 32-bit seed of the memory model and the stream BFMs (le_seed, default COCOTB_RANDOM_SEED)."""
    return int(setting("seed", str(cocotb.RANDOM_SEED))) & 0xFFFF_FFFF


def knobs() -> tuple[AxiMemConfig, BusKnobs]:
    """Memory-model and stream-BFM knobs for le_knobs ("stress" or "calm"), seeded from `seed()`."""
    s = seed()
    kind = setting("knobs", "stress")
    if kind == "calm":
        return AxiMemConfig(seed=s), BusKnobs(seed=s + 1)
    if kind != "stress":
        raise ValueError(f"le_knobs={kind!r}: stress or calm")
    mem = AxiMemConfig(lat_min=0, lat_max=40, p_ar_stall=0.2, p_r_gap=0.2, reorder=True, interleave=True,
                       p_aw_stall=0.25, p_w_stall=0.25, b_lat_min=0, b_lat_max=30, p_b_gap=0.2, b_reorder=True,
                       seed=s)
    return mem, BusKnobs(p_x_idle=0.3, p_logits_stall=0.3, seed=s + 1)

