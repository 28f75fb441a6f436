"""cocotb test of rtl/le_softmax.sv against models.ops.softmax (launcher: test_rtl_softmax.py).

Parameters come as plusargs from the launcher: +MAX_SEQ (the build's parameter), +ROWS (random short rows,
n = 1 .. 16), +MID_ROWS (random rows of n = 17 .. MAX_SEQ), +FULL_ROWS (random rows of n = MAX_SEQ).

Test `softmax_matches_golden` (random source idles and sink stalls, p 0.3 each):
  * corners: single-position rows (int16 extremes, 0); all-equal rows for several n including MAX_SEQ; rows
    with d = max - z on the LUT / shift boundaries (0, 1, 255, 256, 257, 511, 512, 15*256 +-1, 16*256 +-1,
    65535) alone and together; z at int16 extremes; rows where most e underflow to 0 (d >= 16*256);
    every EXP_LUT entry at n = 0 and n = 1 (rows of z = max - d for d = 0 .. 511);
  * random rows: ROWS short, MID_ROWS medium, FULL_ROWS of MAX_SEQ, with several score spreads.
  Every probability and every out_last_o is compared with ops.softmax on the same row (the expected values
  never come from the DUT); the sink's protocol errors must be empty and no extra output may appear.
Test `softmax_timing` (no stalls): per-element II of input and output (1 cycle), the row latency
n + L (L from the RTL header) for several n, and the back-to-back row period 2n + P (from the header).
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass
from itertools import pairwise

import cocotb
import numpy as np

import verif.valid_ready as vr
from models import ops
from verif.valid_ready import initiation_interval

MODULE = "le_softmax"
I16_MIN, I16_MAX = ops.I16_MIN, ops.I16_MAX
LUT_BOUNDARY_D = (0, 1, 255, 256, 257, 511, 512, 15 * 256 - 1, 15 * 256, 15 * 256 + 1,
                  16 * 256 - 1, 16 * 256, 16 * 256 + 1, 65535)


@dataclass(frozen=True)
class Doc:
    ii: int
    latency0: int      # latency = n + latency0
    period0: int       # back-to-back row period = 2n + period0


def documented() -> Doc:
    return Doc(ii=vr.header_number(MODULE, r"^//\s*Initiation interval:\s*(\d+) cycles? per element"),
               latency0=vr.header_number(MODULE, r"^//\s*Latency:\s*n \+ (\d+) cycles"),
               period0=vr.header_number(MODULE, r"one row of n per 2n \+ (\d+) cycles"))


# --------------------------------------------------------------------------- vectors


def clip16(v) -> list[int]:
    return [int(x) for x in np.clip(np.asarray(v, dtype=np.int64), I16_MIN, I16_MAX)]


def random_row(rng: random.Random, n: int) -> list[int]:
    kind = rng.randrange(5)
    if kind == 0:                                   # anywhere in int16
        return [rng.randint(I16_MIN, I16_MAX) for _ in range(n)]
    if kind == 1:                                   # typical attention spread: d mostly < 16 * 256
        base = rng.randint(I16_MIN + 4096, I16_MAX)
        return [base - rng.randint(0, 4096) for _ in range(n)]
    if kind == 2:                                   # narrow: n = 0 .. 2, every f
        base = rng.randint(I16_MIN + 768, I16_MAX)
        return [base - rng.randint(0, 767) for _ in range(n)]
    if kind == 3:                                   # a few near the max, the rest underflow
        top = rng.randint(I16_MIN + 8192, I16_MAX)
        return [top - (rng.randint(0, 512) if rng.random() < 0.2 else rng.randint(4096, 8192)) for _ in range(n)]
    # ties with the max and duplicates
    vals = [rng.randint(-2000, 2000) for _ in range(max(1, n // 3))]
    return [rng.choice(vals) for _ in range(n)]


def corner_rows(rng: random.Random, max_seq: int) -> list[list[int]]:
    rows: list[list[int]] = [[I16_MIN], [I16_MAX], [0], [-1], [1]]
    for n in sorted({1, 2, 3, 5, 7, 16, 17, 31, max_seq // 2, max_seq - 1, max_seq}):
        for v in (I16_MIN, 0, I16_MAX, rng.randint(I16_MIN, I16_MAX)):
            rows.append([v] * n)
    # d on the boundaries, each alone with the max (both orders), at the top and bottom of the int16 range
    for d in LUT_BOUNDARY_D:
        for top in (I16_MAX, I16_MIN + d, 0 if d <= I16_MAX else I16_MAX):
            if top - d >= I16_MIN and top <= I16_MAX:
                rows.append([top, top - d])
                rows.append([top - d, top])
    all_d = [I16_MAX - d for d in LUT_BOUNDARY_D]
    for _ in range(4):
        rng.shuffle(all_d)
        rows.append(all_d[: min(len(all_d), max_seq)])
    # int16 extremes
    for n in (2, 3, 8, min(64, max_seq), max_seq):
        rows.append([rng.choice((I16_MIN, I16_MAX, I16_MIN + 1, I16_MAX - 1)) for _ in range(n)])
        rows.append([I16_MIN] * (n - 1) + [I16_MAX])
        rows.append([I16_MAX] + [I16_MIN] * (n - 1))
    # most e underflow: one (or two) near the max, the rest d >= 16 * 256
    for n in (2, 5, 16, max_seq):
        top = rng.randint(0, I16_MAX)
        row = [top - rng.randint(4096, 32767) for _ in range(n)]
        row[rng.randrange(n)] = top
        rows.append(clip16(row))
        row2 = list(row)
        row2[rng.randrange(n)] = top - rng.randint(0, 4095)
        rows.append(clip16(row2))
    # every LUT entry at n = 0 and n = 1: z = max - d for d = 0 .. 511
    ds = list(range(512))
    for top in (1000, -20000):
        for i in range(0, 512, max_seq - 1):
            rows.append([top] + [top - d for d in ds[i:i + max_seq - 1]])
    return [r for r in rows if 1 <= len(r) <= max_seq]


def expected(rows: list[list[int]]) -> list[dict[str, int]]:
    out: list[dict[str, int]] = []
    for row in rows:
        p = ops.softmax(np.array(row, dtype=np.int64))
        out.extend({"p": int(v), "last": int(i == len(row) - 1)} for i, v in enumerate(p))
    return out


def flatten(rows: list[list[int]]) -> list[dict[str, int]]:
    return [{"z": z, "last": int(i == len(row) - 1)} for row in rows for i, z in enumerate(row)]


# --------------------------------------------------------------------------- stream runner


async def run_rows(dut, rows: list[list[int]], rng: random.Random, counter, p_idle: float, p_stall: float,
                   drain_cycles: int = 64) -> vr.StreamRun:
    # 2n + 46 cycles per row without stalls; allow 8x for idles and stalls.
    timeout = 256 + 8 * sum(2 * len(r) + 64 for r in rows)
    return await vr.run_stream(dut, flatten(rows), ("z", "last"), ("p", "last"), (), rng, counter, p_idle, p_stall,
                              drain_cycles=drain_cycles, timeout_cycles=timeout)


def check(label: str, rows: list[list[int]], got: list[dict[str, int]]) -> None:
    exp = expected(rows)
    assert len(got) == len(exp)
    where = [(r, i) for r, row in enumerate(rows) for i in range(len(row))]
    bad = [k for k, (g, e) in enumerate(zip(got, exp, strict=True)) if g != e]
    if bad:
        lines = []
        for k in bad[:10]:
            r, i = where[k]
            row = rows[r]
            shown = row if len(row) <= 16 else f"{row[:16]}... (n={len(row)})"
            lines.append(f"row {r} pos {i}: z={shown} got {got[k]} expected {exp[k]}")
        raise AssertionError(f"{label}: {len(bad)} of {len(got)} outputs differ from ops.softmax:\n  "
                             + "\n  ".join(lines))


IDLE = {"in_z_i": 0, "in_last_i": 0}


@cocotb.test(timeout_time=2000, timeout_unit="ms")
async def softmax_matches_golden(dut) -> None:
    """Corners and random rows under random source idles and sink stalls (p 0.3), bit-exact."""
    t0 = time.monotonic()
    max_seq = vr.plusarg_int("MAX_SEQ")
    rng = random.Random(cocotb.RANDOM_SEED)
    counter = await vr.reset(dut, IDLE)

    corners = corner_rows(rng, max_seq)
    short = [random_row(rng, rng.randint(1, min(16, max_seq))) for _ in range(vr.plusarg_int("ROWS"))]
    mid = [random_row(rng, rng.randint(min(17, max_seq), max_seq)) for _ in range(vr.plusarg_int("MID_ROWS"))]
    full = [random_row(rng, max_seq) for _ in range(vr.plusarg_int("FULL_ROWS"))]
    rows = corners + short + mid + full
    rng.shuffle(rows)
    n_zero = sum(int(np.count_nonzero(ops.softmax(np.array(r)) == 0)) for r in rows)
    run = await run_rows(dut, rows, rng, counter, p_idle=vr.STRESS_P_IDLE, p_stall=vr.STRESS_P_STALL)
    check(MODULE, rows, run.got)
    dut._log.info("%s (MAX_SEQ %d): %d rows (%d corner, %d short n<=16, %d medium, %d of n=MAX_SEQ), %d scores "
                  "(%d p = 0) matched under stalls in %d cycles; %.1f s", MODULE, max_seq, len(rows), len(corners),
                  len(short), len(mid), len(full), len(run.got), n_zero, run.cycles, time.monotonic() - t0)


@cocotb.test(timeout_time=200, timeout_unit="ms")
async def softmax_timing(dut) -> None:
    """No stalls: per-element II 1, row latency n + L, back-to-back row period 2n + P (RTL header)."""
    doc = documented()
    max_seq = vr.plusarg_int("MAX_SEQ")
    rng = random.Random(cocotb.RANDOM_SEED + 1)
    counter = await vr.reset(dut, IDLE)

    # One row at a time (the unit idle at each row's start): latency and per-element II.
    for n in sorted({1, 2, 3, 16, max_seq // 2, max_seq}):
        for _ in range(2):
            rows = [random_row(rng, n)]
            run = await run_rows(dut, rows, rng, counter, p_idle=0.0, p_stall=0.0, drain_cycles=4)
            check(f"{MODULE} timing n={n}", rows, run.got)
            lat = run.got_at[0] - run.sent_at[-1]
            assert lat == n + doc.latency0, f"n={n}: latency {lat} != documented n + {doc.latency0}"
            if n > 1:
                ii_in, ii_out = initiation_interval(run.sent_at), initiation_interval(run.got_at)
                assert ii_in == ii_out == float(doc.ii), f"n={n}: II in {ii_in} / out {ii_out} != {doc.ii}"
    dut._log.info("%s: latency n + %d cycles and II %d per element (input and output) confirmed",
                  MODULE, doc.latency0, doc.ii)

    # Back-to-back rows: the period between the rows' last outputs.
    for n in sorted({1, 4, 16, max_seq}):
        rows = [random_row(rng, n) for _ in range(6)]
        run = await run_rows(dut, rows, rng, counter, p_idle=0.0, p_stall=0.0, drain_cycles=4)
        check(f"{MODULE} back-to-back n={n}", rows, run.got)
        ends = [at for at, g in zip(run.got_at, run.got, strict=True) if g["last"]]
        periods = sorted({b - a for a, b in pairwise(ends[1:])})   # skip the first (pipeline fill)
        assert periods == [2 * n + doc.period0], f"n={n}: row periods {periods} != 2n + {doc.period0}"
        # within each row, one probability per cycle
        starts = [0, *[i + 1 for i, g in enumerate(run.got) if g["last"]][:-1]]
        for s in starts:
            assert run.got_at[s + n - 1] - run.got_at[s] == (n - 1) * doc.ii
        dut._log.info("%s: back-to-back n=%d: row period %d cycles", MODULE, n, periods[0])
