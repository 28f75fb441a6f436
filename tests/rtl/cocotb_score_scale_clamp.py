"""cocotb test of rtl/le_score_scale_clamp.sv against models.ops.score_scale_clamp.

Launcher: test_rtl_score_scale_clamp.py. Vectors: the REQUANT corners (int16 saturation edges
+-32767/32768, -32768/-32769, int32 extremes, mult in {0, 1, 2^30, 2^31 - 1}, shift extremes, 1-bit
rounding), exact rounding ties for every shift in [-31, 30] (TIES_PER_SHIFT each, both signs), and
N_RANDOM random vectors, under random source idles and sink stalls (p 0.3); then a no-stall burst
checks II and latency.
"""

from __future__ import annotations

import random
import time

import cocotb
import numpy as np
import requant_vectors as rv

import verif.valid_ready as vr
from models import ops
from verif.lanes import compare, inputs_of

MODULE = "le_score_scale_clamp"
IN_FIELDS = ("s", "mult", "shift")
N_RANDOM = 10_000
TIES_PER_SHIFT = 16


def golden(items: list[dict[str, int]]) -> list[int]:
    a = {f: np.array([it[f] for it in items], dtype=np.int64) for f in IN_FIELDS}
    return [int(v) for v in ops.score_scale_clamp(a["s"], a["mult"], a["shift"])]


def item(s: int, mult: int, shift: int) -> dict[str, int]:
    return {"s": s, "mult": mult, "shift": shift}


def vectors(rng: random.Random) -> tuple[list[dict[str, int]], dict[str, int]]:
    items = [item(*t) for t in rv.corner_triples()]
    n_corner = len(items)
    for r in range(1, 63):
        items += [item(*rv.tie_triple(rng, r)) for _ in range(TIES_PER_SHIFT)]
    n_tie = len(items) - n_corner
    items += [item(*rv.random_triple(rng)) for _ in range(N_RANDOM)]
    return items, {"corner": n_corner, "tie": n_tie, "random": N_RANDOM}


@cocotb.test(timeout_time=vr.SIM_TIMEOUT_MS, timeout_unit="ms")
async def score_scale_clamp_matches_golden(dut) -> None:
    """Corners, ties for all 62 shifts and random scores under random stalls; then II and latency."""
    t0 = time.monotonic()
    rng = random.Random(cocotb.RANDOM_SEED)
    counter = await vr.reset(dut, {"in_s_i": 0, "in_mult_i": 0, "in_shift_i": 0})

    items, counts = vectors(rng)
    expected = golden(items)
    sat = sum(1 for e in expected if e in (ops.I16_MIN, ops.I16_MAX))
    run = await vr.run_stream(dut, items, IN_FIELDS, ("z",), ("z",), rng, counter,
                             p_idle=vr.STRESS_P_IDLE, p_stall=vr.STRESS_P_STALL)
    compare(MODULE, [g["z"] for g in run.got], expected, inputs_of(items))
    dut._log.info("%s: %d vectors (%s; %d at an int16 limit) matched under stalls in %d cycles",
                  MODULE, len(items), counts, sat, run.cycles)

    burst = [item(*rv.random_triple(rng)) for _ in range(vr.TIMING_ITEMS)]
    ii, lat = await vr.check_timing(dut, MODULE, burst, IN_FIELDS, ("z",), ("z",), rng, counter, "z", golden(burst))
    dut._log.info("%s: %d vectors in total; II %.1f, latency %d; %.1f s", MODULE, len(items) + len(burst),
                  ii, lat, time.monotonic() - t0)
