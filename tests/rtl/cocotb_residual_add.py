"""cocotb test of rtl/le_residual_add.sv against models.ops.residual_add (launcher: test_rtl_residual_add.py).

Vectors: corners (x/r at the int16 extremes with x_mult/r_mult in {0, 1, 2^16, 2^24 - 1}, outputs exactly
at and one past the int16 limits, all-zero multipliers), N_TIES exact rounding ties (x * x_mult + r * r_mult
= odd * 2^15, both signs), and N_RANDOM random vectors (multipliers around 1.0 = 2^16 and over the
whole uint24 range), under random source idles and sink stalls (p 0.3); then a no-stall burst checks II
and latency.
"""

from __future__ import annotations

import itertools
import random
import time

import cocotb
import numpy as np

import verif.valid_ready as vr
from models import ops
from verif.lanes import compare, inputs_of

MODULE = "le_residual_add"
IN_FIELDS = ("x", "xm", "r", "rm")
N_RANDOM = 10_000
N_TIES = 2_000
ONE = 1 << ops.RES_SHIFT             # multiplier 1.0 in Q8.16
M_MAX = ops.RES_MULT_MAX


def golden(items: list[dict[str, int]]) -> list[int]:
    a = {f: np.array([it[f] for it in items], dtype=np.int64) for f in IN_FIELDS}
    return [int(v) for v in ops.residual_add(a["x"], a["xm"], a["r"], a["rm"])]


def item(x: int, xm: int, r: int, rm: int) -> dict[str, int]:
    return {"x": x, "xm": xm, "r": r, "rm": rm}


def _log_uniform(rng: random.Random, max_bits: int) -> int:
    bits = rng.randint(0, max_bits)
    return 0 if bits == 0 else rng.randrange(1 << (bits - 1), 1 << bits)


def _rand_i16(rng: random.Random) -> int:
    if rng.random() < 0.3:
        return rng.randint(ops.I16_MIN, ops.I16_MAX)
    mag = _log_uniform(rng, 15)
    return -mag if rng.random() < 0.5 else min(mag, ops.I16_MAX)


def _rand_mult(rng: random.Random) -> int:
    u = rng.random()
    if u < 0.7:
        return min(M_MAX, int(ONE * 2.0 ** rng.uniform(-4, 2)))   # scales near 1.0 (the engine's case)
    if u < 0.8:
        return rng.randint(0, M_MAX)
    if u < 0.9:
        return _log_uniform(rng, 24)
    return rng.choice([0, 1, ONE - 1, ONE, ONE + 1, M_MAX])


def random_item(rng: random.Random) -> dict[str, int]:
    """Operands spanning int16 (uniform and log-uniform); about a quarter of the sums saturate."""
    return item(_rand_i16(rng), _rand_mult(rng), _rand_i16(rng), _rand_mult(rng))


def corners() -> list[dict[str, int]]:
    out = []
    edges = (ops.I16_MIN, ops.I16_MIN + 1, -1, 0, 1, ops.I16_MAX - 1, ops.I16_MAX)
    for x, r in itertools.product(edges, repeat=2):
        for xm, rm in ((0, 0), (ONE, ONE), (M_MAX, M_MAX), (M_MAX, 0), (0, M_MAX), (1, 1), (ONE, M_MAX)):
            out.append(item(x, xm, r, rm))
    # Outputs exactly at the limits and one past them (x and r at scale 1.0).
    for x, r in ((ops.I16_MAX, 0), (ops.I16_MAX, 1), (ops.I16_MAX - 1, 1), (ops.I16_MIN, 0), (ops.I16_MIN, -1),
                 (ops.I16_MIN + 1, -1), (16384, 16383), (16384, 16384), (-16384, -16384), (-16384, -16385)):
        out.append(item(x, ONE, r, ONE))
    return out


def tie(rng: random.Random) -> dict[str, int]:
    """x * x_mult = odd * 2^15 (x odd, x_mult = odd * 2^15) plus r * r_mult = a multiple of 2^16."""
    x = rng.randrange(-32767, 32768, 2)                      # odd, both signs
    xm = (rng.randrange(1, 1 << 9, 2)) << 15 if rng.random() < 0.7 else 1 << 15
    rm = rng.randint(0, 255) << 16
    r = _rand_i16(rng)
    if rng.random() < 0.5:                                  # swap the roles of the two operands
        x, xm, r, rm = r, rm, x, xm
    return item(x, xm, r, rm)


def vectors(rng: random.Random) -> tuple[list[dict[str, int]], dict[str, int]]:
    items = corners()
    n_corner = len(items)
    items += [tie(rng) for _ in range(N_TIES)]
    items += [random_item(rng) for _ in range(N_RANDOM)]
    for it in items[n_corner:n_corner + N_TIES]:
        s = it["x"] * it["xm"] + it["r"] * it["rm"]
        assert s % ONE == ONE // 2, f"not a tie: {it}"
    return items, {"corner": n_corner, "tie": N_TIES, "random": N_RANDOM}


@cocotb.test(timeout_time=vr.SIM_TIMEOUT_MS, timeout_unit="ms")
async def residual_add_matches_golden(dut) -> None:
    """Corners, rounding ties and random channels under random stalls; then II and latency."""
    t0 = time.monotonic()
    rng = random.Random(cocotb.RANDOM_SEED)
    counter = await vr.reset(dut, {"in_x_i": 0, "in_xm_i": 0, "in_r_i": 0, "in_rm_i": 0})

    items, counts = vectors(rng)
    expected = golden(items)
    sat = sum(1 for e in expected if e in (ops.I16_MIN, ops.I16_MAX))
    run = await vr.run_stream(dut, items, IN_FIELDS, ("y",), ("y",), rng, counter,
                             p_idle=vr.STRESS_P_IDLE, p_stall=vr.STRESS_P_STALL)
    compare(MODULE, [g["y"] for g in run.got], expected, inputs_of(items))
    dut._log.info("%s: %d vectors (%s; %d at an int16 limit) matched under stalls in %d cycles",
                  MODULE, len(items), counts, sat, run.cycles)

    burst = [random_item(rng) for _ in range(vr.TIMING_ITEMS)]
    ii, lat = await vr.check_timing(dut, MODULE, burst, IN_FIELDS, ("y",), ("y",), rng, counter, "y", golden(burst))
    dut._log.info("%s: %d vectors in total; II %.1f, latency %d; %.1f s", MODULE, len(items) + len(burst),
                  ii, lat, time.monotonic() - t0)
