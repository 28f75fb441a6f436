"""cocotb tests of rtl/le_gemv.sv against models.ops.gemv; the bench and test bodies here also serve le_logits
(tests/rtl/cocotb_logits.py: the same MAC plus an int32 bias stream, against models.ops.logits).

Launcher: tests/rtl/test_rtl_gemv.py (plusargs +LANES, +MAX_D_IN, +ROWS = minimum number of random rows in the
stress phase; seed COCOTB_RANDOM_SEED from LE_SEED). Harness: verif/valid_ready.py.
  1. stress: corners (+-127 extremes, d_in = LANES and MAX_D_IN, partial tiles, x = 0) and >= ROWS random rows
     with idle/stall p 0.3 on every handshake; every row compared with the golden function evaluated on the
     inputs; then a heavily back-pressured phase (output stalled with p 0.9): the credit counter must hold the
     weight stream back without losing or duplicating a row;
  2. timing: no stalls, weight beats accepted at exactly 1.0 per cycle across rows and tiles, and the row
     latency documented in the RTL header.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import cocotb
import numpy as np
from cocotb.triggers import RisingEdge

import verif.valid_ready as vr
from models import ops
from verif.lanes import compare, pack


@cocotb.test()
async def gemv_stress_matches_golden(dut) -> None:
    """Corners + >= ROWS random rows, random idle/stall p 0.3 on every handshake; heavy output stall."""
    await gemv_stress(dut, "le_gemv", "acc", with_bias=False)


@cocotb.test()
async def gemv_no_stall_ii_and_latency(dut) -> None:
    """No stalls: 1.0 weight beat per cycle across rows and tiles; documented latency for every row."""
    await gemv_timing(dut, "le_gemv", "acc", with_bias=False)


# --------------------------------------------------------------------------- jobs


@dataclass
class GemvJob:
    """One run over a resident x: `w` rows (output-major) split in tiles of `tile_rows` (last may be partial)."""
    x: np.ndarray
    w: np.ndarray
    tile_rows: int
    bias: np.ndarray | None = None
    label: str = ""
    first_beat: list[int] = field(default_factory=list)   # index into source.sent_at, per row

    @property
    def d_in(self) -> int:
        return int(self.x.size)

    @property
    def rows(self) -> int:
        return int(self.w.shape[0])

    def expected(self) -> list[int]:
        """Golden results, tile by tile as models/golden.py uses them (ops.gemv / ops.logits)."""

        out: list[int] = []
        for t0 in range(0, self.rows, self.tile_rows):
            t1 = min(t0 + self.tile_rows, self.rows)
            if self.bias is None:
                out.extend(int(v) for v in ops.gemv(self.x, self.w[t0:t1]))
            else:
                out.extend(int(v) for v in ops.logits(self.x, self.w[t0:t1], self.bias[t0:t1]))
        return out


def random_job(rng: np.random.Generator, d_in: int, rows: int, tile_rows: int, with_bias: bool,
               label: str = "random") -> GemvJob:
    x = rng.integers(-127, 128, size=d_in)
    w = rng.integers(-127, 128, size=(rows, d_in))
    bias = rng.integers(-(1 << 30), (1 << 30) + 1, size=rows) if with_bias else None
    return GemvJob(x, w, tile_rows, bias, label)


def corner_jobs(rng: np.random.Generator, lanes: int, max_d_in: int, with_bias: bool) -> list[GemvJob]:
    """Extremes: all +-127, -127 x -127 maximal accumulations, d_in = LANES and d_in = MAX_D_IN."""
    jobs = []

    def job(x, w, tile_rows, label, bias=None):
        if with_bias and bias is None:
            bias = rng.integers(-(1 << 30), (1 << 30) + 1, size=w.shape[0])
        jobs.append(GemvJob(np.asarray(x), np.asarray(w), tile_rows, bias if with_bias else None, label))

    n = max_d_in
    full = lambda v, rows, d: np.full((rows, d), v)
    # -127 x -127 and 127 x 127 over MAX_D_IN: the largest accumulation; 127 x -127: the smallest.
    job(np.full(n, -127), full(-127, 4, n), 16, "max acc -127x-127 d_in=MAX_D_IN")
    job(np.full(n, 127), np.vstack([full(127, 2, n), full(-127, 2, n)]), 16, "+-max acc d_in=MAX_D_IN")
    # Random signs of +-127 on both operands.
    job(rng.choice([-127, 127], size=n), rng.choice([-127, 127], size=(6, n)), 4, "+-127 signs d_in=MAX_D_IN")
    job(rng.integers(-127, 128, size=n), rng.integers(-127, 128, size=(5, n)), 3, "random d_in=MAX_D_IN")
    # d_in = LANES: one beat per row, many tiles back to back, partial last tile.
    job(rng.choice([-127, 127], size=lanes), rng.choice([-127, 127], size=(50, lanes)), 12, "+-127 d_in=LANES")
    job(np.full(lanes, -127), full(-127, 20, lanes), 16, "max acc d_in=LANES")
    job(rng.integers(-127, 128, size=lanes), rng.integers(-127, 128, size=(301, lanes)), 32,
        "random d_in=LANES 9 tiles + 13")
    # zeros, and int32 bias extremes for logits.
    if with_bias:
        job(np.full(n, 127), full(127, 3, n), 2, "bias +-2^30",
            bias=np.array([1 << 30, -(1 << 30), 0]))
    job(np.zeros(lanes, dtype=np.int64), rng.integers(-127, 128, size=(3, lanes)), 16, "x = 0")
    return jobs


class GemvBench:
    """Drives le_gemv / le_logits: x loads, d_in, the weight stream (+ bias stream) and the result sink."""

    def __init__(self, dut: Any, lanes: int, rng_py: Any, counter: Any, out: str, p_idle: float,
                 p_stall: float, with_bias: bool) -> None:
        self.dut, self.lanes, self.counter = dut, lanes, counter
        self.w_src = vr.StreamSource(dut, "w", ["data"], dut.clk_i, rng_py, p_idle=p_idle, cycles=counter)
        self.b_src = (vr.StreamSource(dut, "b", ["data"], dut.clk_i, rng_py, p_idle=p_idle, cycles=counter)
                      if with_bias else None)
        self.sink = vr.StreamSink(dut, out, ("data",), dut.clk_i, rng_py, p_stall=p_stall, signed=("data",),
                               cycles=counter)
        self.with_bias = with_bias

    def set_rates(self, p_idle: float, p_stall: float) -> None:
        self.w_src.p_idle = p_idle
        if self.b_src is not None:
            self.b_src.p_idle = p_idle
        self.sink.p_stall = p_stall

    async def load_x(self, x: np.ndarray) -> None:
        """One beat per cycle through the x write port."""
        dut, lanes = self.dut, self.lanes
        for b in range(x.size // lanes):
            dut.x_we_i.value = 1
            dut.x_addr_i.value = b
            dut.x_data_i.value = pack(x[b * lanes:(b + 1) * lanes], 8)
            await RisingEdge(dut.clk_i)
        dut.x_we_i.value = 0

    async def run_jobs(self, jobs: Sequence[GemvJob]) -> None:
        """Stream the jobs back to back: after the last beat of a job, d_in changes and x reloads at once
        (the previous job's results still draining), then the next job's rows follow."""
        lanes = self.lanes
        bias_task = None
        if self.b_src is not None:
            biases = [{"data": int(b) & 0xFFFFFFFF} for j in jobs for b in j.bias]
            bias_task = cocotb.start_soon(self.b_src.send(biases))
        for job in jobs:
            bpr = job.d_in // lanes
            self.dut.d_in_i.value = job.d_in
            await self.load_x(job.x)
            base = len(self.w_src.sent_at)
            job.first_beat = [base + r * bpr for r in range(job.rows)]
            beats = [{"data": pack(row[b * lanes:(b + 1) * lanes], 8)} for row in job.w for b in range(bpr)]
            # In its own task, started after the cycle counter's: at every edge the counter resumes first,
            # so sent_at and the sink's got_at are both the index of the transfer edge.
            await cocotb.start_soon(self.w_src.send(beats))
        if bias_task is not None:
            await bias_task


def check_jobs(label: str, jobs: Sequence[GemvJob], got: Sequence[dict[str, int]], offset: int = 0) -> int:
    """Compare the sink items from `offset` on with the jobs' golden results; return the number of rows."""
    expected, where = [], []
    for j in jobs:
        e = j.expected()
        expected.extend(e)
        where.extend(f"[{j.label} d_in={j.d_in} row {r}]" for r in range(len(e)))
    values = [item["data"] for item in got[offset:offset + len(expected)]]
    compare(label, values, expected, where)
    return len(expected)


# --------------------------------------------------------------------------- test bodies (le_gemv, le_logits)

def gemv_idle_inputs(with_bias: bool) -> dict[str, int]:
    """Input ports of le_gemv (with_bias False) or le_logits (True) and their values at reset."""
    common = {"d_in_i": 0, "x_we_i": 0, "x_addr_i": 0, "x_data_i": 0, "w_valid_i": 0, "w_data_i": 0}
    if with_bias:
        return {**common, "b_valid_i": 0, "b_data_i": 0, "logit_ready_i": 0}
    return {**common, "acc_ready_i": 0}


def params(dut) -> tuple[int, int, int]:
    lanes, max_d_in, rows = vr.plusarg_int("LANES"), vr.plusarg_int("MAX_D_IN"), vr.plusarg_int("ROWS")
    assert len(dut.w_data_i) == 8 * lanes, "plusarg LANES does not match the built model"
    return lanes, max_d_in, rows


def bulk_jobs(rng: np.random.Generator, lanes: int, max_d_in: int, min_rows: int, with_bias: bool) -> list[GemvJob]:
    """Random runs (small d_in for speed, some larger) until `min_rows` rows; tiles of 12/16/32 rows."""
    jobs, rows = [], 0
    beat_choices = [b for b in (1, 1, 2, 2, 3, 4, 6, 8) if b * lanes <= max_d_in]
    while rows < min_rows:
        d_in = lanes * int(rng.choice(beat_choices))
        n = int(rng.integers(40, 400))
        jobs.append(random_job(rng, d_in, n, int(rng.choice([12, 16, 32])), with_bias))
        rows += n
    return jobs


async def gemv_stress(dut, module: str, out: str, with_bias: bool) -> None:
    """Corners + random rows under random stalls (p 0.3), then a heavily back-pressured phase."""
    lanes, max_d_in, min_rows = params(dut)
    seed = cocotb.RANDOM_SEED
    rng, rng_py = np.random.default_rng(seed), random.Random(seed)
    counter = await vr.reset(dut, gemv_idle_inputs(with_bias), empty=(f"{out}_valid_o",))
    bench = GemvBench(dut, lanes, rng_py, counter, out, vr.STRESS_P_IDLE, vr.STRESS_P_STALL, with_bias)
    stats: dict[str, int] = {}
    sink_task = cocotb.start_soon(bench.sink.run())
    bp_task = cocotb.start_soon(vr.count_backpressure(dut, "w_valid_i", "w_ready_o", stats))

    # Phase 1: corners and random runs, p_idle = p_stall = 0.3 on every stream.
    jobs = corner_jobs(rng, lanes, max_d_in, with_bias) + bulk_jobs(rng, lanes, max_d_in, min_rows, with_bias)
    await bench.run_jobs(jobs)
    n1 = sum(j.rows for j in jobs)
    await vr.drain_and_check(dut, bench.sink, n1, timeout_cycles=100_000)
    rows = check_jobs(f"{module} stress LANES={lanes}", jobs, bench.sink.items)
    stalled_1 = stats.get("w_valid_i", 0)

    # Phase 2: the output almost always stalled (p 0.9) with one-beat rows: the credit counter must hold
    # the weight stream back (w_ready_o low while w_valid_i high) without losing or duplicating a row.
    bench.set_rates(0.0, 0.9)
    jobs2 = [random_job(rng, lanes, 200, 16, with_bias, "heavy stall d_in=LANES"),
             random_job(rng, 2 * lanes, 100, 12, with_bias, "heavy stall d_in=2*LANES")]
    await bench.run_jobs(jobs2)
    n2 = sum(j.rows for j in jobs2)
    await vr.drain_and_check(dut, bench.sink, n1 + n2, timeout_cycles=100_000)
    rows += check_jobs(f"{module} heavy stall LANES={lanes}", jobs2, bench.sink.items, offset=n1)
    stalled_2 = stats.get("w_valid_i", 0) - stalled_1
    assert stalled_2 > 100, f"back-pressure not exercised: w_ready_o low in only {stalled_2} offered cycles"
    sink_task.cancel()
    bp_task.cancel()
    dut._log.info("%s LANES=%d: %d rows (%d runs) match the golden model; %d cycles; w back-pressured in %d "
                  "(phase 1) + %d (phase 2) offered cycles", module, lanes, rows, len(jobs) + len(jobs2),
                  counter.now, stalled_1, stalled_2)


async def gemv_timing(dut, module: str, out: str, with_bias: bool) -> None:
    """No stalls: weight beats at exactly 1.0 per cycle across rows and tiles; documented row latency."""
    lanes, max_d_in, _ = params(dut)
    seed = cocotb.RANDOM_SEED
    rng, rng_py = np.random.default_rng(seed), random.Random(seed)
    counter = await vr.reset(dut, gemv_idle_inputs(with_bias), empty=(f"{out}_valid_o",))
    bench = GemvBench(dut, lanes, rng_py, counter, out, 0.0, 0.0, with_bias)
    sink_task = cocotb.start_soon(bench.sink.run())
    log = vr.EdgeLog(dut, {"w": ("w_valid_i", "w_ready_o"), "out": (f"{out}_valid_o", f"{out}_ready_i")})
    log_task = cocotb.start_soon(log.run())
    doc = vr.documented_timing(module)
    latency, ii_doc = doc.latency, doc.ii

    jobs = [random_job(rng, lanes, 3 * 16 + 7, 16, with_bias, "d_in=LANES, 3 tiles + 7"),
            random_job(rng, 2 * lanes, 4 * 12 + 5, 12, with_bias, "d_in=2*LANES, 4 tiles + 5"),
            random_job(rng, 3 * lanes, 2 * 32 + 1, 32, with_bias, "d_in=3*LANES, 2 tiles + 1"),
            random_job(rng, max_d_in, 6, 4, with_bias, "d_in=MAX_D_IN, 1 tile + 2")]
    await bench.run_jobs(jobs)
    n = sum(j.rows for j in jobs)
    await vr.drain_and_check(dut, bench.sink, n, timeout_cycles=20_000)
    check_jobs(f"{module} timing LANES={lanes}", jobs, bench.sink.items)

    sent, got = bench.w_src.sent_at, bench.sink.got_at
    # The BFM stamps and the independent edge log must tell the same intervals.
    assert [s - sent[0] for s in sent] == [e - log.at["w"][0] for e in log.at["w"]], "source stamps disagree"
    assert [g - sent[0] for g in got] == [e - log.at["w"][0] for e in log.at["out"]], "sink stamps disagree"
    row = 0
    for j in jobs:
        bpr = j.d_in // lanes
        beats = sent[j.first_beat[0]:j.first_beat[0] + j.rows * bpr]
        ii = vr.initiation_interval(beats)
        assert ii == float(ii_doc) == 1.0, f"{j.label}: weight II {ii}, documented {ii_doc}"
        lat = [got[row + r] - sent[j.first_beat[r]] for r in range(j.rows)]
        want = bpr - 1 + latency
        assert set(lat) == {want}, f"{j.label}: first beat -> result latencies {sorted(set(lat))}, documented {want}"
        if bpr == 1:
            out_ii = vr.initiation_interval(got[row:row + j.rows])
            assert out_ii == 1.0, f"{j.label}: one-beat rows must give one result per cycle, got II {out_ii}"
        dut._log.info("%s LANES=%d %s: %d rows, %d beats, weight II %.3f, latency first beat -> result %d "
                      "cycles (last beat -> result %d)", module, lanes, j.label, j.rows, len(beats), ii,
                      want, latency)
        row += j.rows
    sink_task.cancel()
    log_task.cancel()
