"""cocotb test of rtl/le_requant.sv against models.ops.requant (launcher: test_rtl_requant.py).

Vectors (both saturation modes, in_sat16_i random per value):
  * corners: saturation edges of int8 [-127, 127] and int16, int32 extremes of acc + bias, mult in
    {0, 1, 2^30, 2^31 - 1}, shift in {-31, -1, 0, 1, 30}, 1-bit rounding;
  * exact rounding ties for every shift in [-31, 30] (r = 1 .. 62), both signs (r = 62: negative only,
    the one tie int32 x uint31 can reach), TIES_PER_SHIFT each;
  * N_RANDOM random vectors, shifts chosen to land near the output range.
All run with random source idles and sink stalls (p 0.3); then a no-stall burst checks II and latency.
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

MODULE = "le_requant"
IN_FIELDS = ("acc", "bias", "mult", "shift", "sat16")
N_RANDOM = 10_000
TIES_PER_SHIFT = 40


def golden(items: list[dict[str, int]]) -> list[int]:
    a = {f: np.array([it[f] for it in items], dtype=np.int64) for f in IN_FIELDS}
    y8 = ops.requant(a["acc"], a["bias"], a["mult"], a["shift"], ops.I8_MIN, ops.I8_MAX)
    y16 = ops.requant(a["acc"], a["bias"], a["mult"], a["shift"], ops.I16_MIN, ops.I16_MAX)
    return [int(v) for v in np.where(a["sat16"] == 1, y16, y8)]


def make_item(rng: random.Random, s: int, mult: int, shift: int, sat16: int | None = None) -> dict[str, int]:
    acc, bias = rv.split_sum(rng, s)
    return {"acc": acc, "bias": bias, "mult": mult, "shift": shift,
            "sat16": rng.randint(0, 1) if sat16 is None else sat16}


def vectors(rng: random.Random) -> tuple[list[dict[str, int]], dict[str, int]]:
    items: list[dict[str, int]] = []
    for s, mult, shift in rv.corner_triples():
        for sat16 in (0, 1):
            items.append(make_item(rng, s, mult, shift, sat16))
    # acc/bias extremes that still sum inside int32.
    for acc, bias in ((rv.I32_MAX, 0), (rv.I32_MIN, 0), (rv.I32_MAX, rv.I32_MIN), (rv.I32_MIN, rv.I32_MAX),
                      (rv.I32_MAX - (1 << 30), 1 << 30), (rv.I32_MIN + (1 << 30), -(1 << 30)), (1 << 30, -(1 << 30))):
        for sat16 in (0, 1):
            items.append({"acc": acc, "bias": bias, "mult": rv.MULT_MAX, "shift": 0, "sat16": sat16})
    n_corner = len(items)
    for r in range(1, 63):
        for _ in range(TIES_PER_SHIFT):
            items.append(make_item(rng, *rv.tie_triple(rng, r)))
    n_tie = len(items) - n_corner
    for _ in range(N_RANDOM):
        items.append(make_item(rng, *rv.random_triple(rng)))
    return items, {"corner": n_corner, "tie": n_tie, "random": N_RANDOM}


@cocotb.test(timeout_time=vr.SIM_TIMEOUT_MS, timeout_unit="ms")
async def requant_matches_golden(dut) -> None:
    """Corners, ties for all 62 shifts and random vectors under random stalls; then II and latency."""
    t0 = time.monotonic()
    rng = random.Random(cocotb.RANDOM_SEED)
    counter = await vr.reset(dut, {"in_acc_i": 0, "in_bias_i": 0, "in_mult_i": 0, "in_shift_i": 0, "in_sat16_i": 0})

    items, counts = vectors(rng)
    expected = golden(items)
    sat = sum(1 for it, e in zip(items, expected, strict=True)
              if abs(e) == (ops.I16_MAX if it["sat16"] else ops.I8_MAX) or e == ops.I16_MIN)
    run = await vr.run_stream(dut, items, IN_FIELDS, ("y",), ("y",), rng, counter,
                             p_idle=vr.STRESS_P_IDLE, p_stall=vr.STRESS_P_STALL)
    compare(MODULE, [g["y"] for g in run.got], expected, inputs_of(items))
    dut._log.info("%s: %d vectors (%s; %d at a saturation limit) matched under stalls in %d cycles",
                  MODULE, len(items), counts, sat, run.cycles)

    burst = [make_item(rng, *rv.random_triple(rng)) for _ in range(vr.TIMING_ITEMS)]
    ii, lat = await vr.check_timing(dut, MODULE, burst, IN_FIELDS, ("y",), ("y",), rng, counter, "y", golden(burst))
    dut._log.info("%s: %d vectors in total; II %.1f, latency %d; %.1f s", MODULE, len(items) + len(burst),
                  ii, lat, time.monotonic() - t0)
