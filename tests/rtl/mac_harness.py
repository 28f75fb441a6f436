"""Shared cocotb helpers for the MAC operator tests (le_gemv, le_logits, le_pv_accum), imported in the simulator.

Plan of every MAC test module:
  1. reset (synchronous, active low);
  2. stress: many rows/heads through `verif.valid_ready` BFMs with random source idle and sink stall
     cycles (p = 0.3) on every handshake, plus the corners; every output is compared with the golden
     function of models/ops.py evaluated on the inputs (never on DUT outputs); sink.errors must be empty
     and no extra output may appear;
  3. timing: no-stall runs measure, with `initiation_interval`, that input beats are accepted at exactly
     1.0 per cycle across row/tile (and head) boundaries, and the latency of every row/head, and assert
     the values documented in the RTL header.

The pytest launchers (tests/rtl/test_rtl_{gemv,logits,pv_accum}.py) import this module for the source lists.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from rtl_harness import documented_timing, plusarg_int

REPO_ROOT = Path(__file__).resolve().parents[2]
RTL_DIR = REPO_ROOT / "rtl"
RUNS_DIR = REPO_ROOT / "build" / "sim" / "runs"
SEED = 20250611                     # fixed cocotb seed of the launchers (override: LE_SIM_SEED)
LANE_COUNTS = (8, 16)               # 64- and 128-bit buses
P_IDLE = 0.3                        # stress: source idle probability per item
P_STALL = 0.3                       # stress: sink stall probability per cycle


def sources(*modules: str) -> list[Path]:
    """le_pkg first, then the named rtl/ modules (dependencies first)."""
    return [RTL_DIR / "le_pkg.sv", *(RTL_DIR / f"{m}.sv" for m in modules)]


# --------------------------------------------------------------------------- packing


def pack(values: Sequence[int], bits: int) -> int:
    """Lane i of the result holds values[i] (two's complement, `bits` wide) at bits [bits*i +: bits]."""
    mask = (1 << bits) - 1
    word = 0
    for i, v in enumerate(values):
        word |= (int(v) & mask) << (bits * i)
    return word


def unpack_signed(word: int, bits: int, n: int) -> list[int]:
    """Inverse of `pack` for signed lanes."""
    mask, half = (1 << bits) - 1, 1 << (bits - 1)
    out = []
    for i in range(n):
        v = (word >> (bits * i)) & mask
        out.append(v - (1 << bits) if v >= half else v)
    return out


def compare(label: str, got: Sequence[int], expected: Sequence[int], where: Sequence[str] | None = None) -> None:
    """Assert got == expected element by element; report the first mismatches."""
    assert len(got) == len(expected), f"{label}: {len(got)} outputs, expected {len(expected)}"
    bad = [i for i, (g, e) in enumerate(zip(got, expected)) if g != e]
    if bad:
        lines = [f"#{i}{' ' + where[i] if where else ''}: got {got[i]} expected {expected[i]}" for i in bad[:10]]
        raise AssertionError(f"{label}: {len(bad)} of {len(got)} outputs differ from the golden model:\n  "
                             + "\n  ".join(lines))


# --------------------------------------------------------------------------- simulation helpers
# cocotb is imported lazily so that the pytest launchers can import this module without a simulator.


async def reset(dut: Any, idle_inputs: dict[str, int], cycles: int = 3) -> Any:
    """Start the 10 ns clock and a cycle counter, drive the idle inputs, pulse rst_ni low."""
    import cocotb
    from cocotb.clock import Clock
    from cocotb.triggers import RisingEdge

    from verif.valid_ready import Cycles

    dut.rst_ni.value = 0
    for name, value in idle_inputs.items():
        getattr(dut, name).value = value
    Clock(dut.clk_i, 10, unit="ns").start()
    counter = Cycles()
    cocotb.start_soon(counter.run(dut.clk_i))
    for _ in range(cycles):
        await RisingEdge(dut.clk_i)
    dut.rst_ni.value = 1
    await RisingEdge(dut.clk_i)
    return counter


async def count_backpressure(dut: Any, valid: str, ready: str, stats: dict[str, int]) -> None:
    """Counts cycles in which `valid` is high and `ready` low (the DUT refusing an offered item)."""
    from cocotb.triggers import RisingEdge

    v, r = getattr(dut, valid), getattr(dut, ready)
    while True:
        await RisingEdge(dut.clk_i)
        if v.value and not r.value:
            stats[valid] = stats.get(valid, 0) + 1


class EdgeLog:
    """Independent timing reference: the edge index (own count) of every transfer on the given streams."""

    def __init__(self, dut: Any, streams: dict[str, tuple[str, str]]) -> None:
        self.dut = dut
        self.handles = {k: (getattr(dut, v), getattr(dut, r)) for k, (v, r) in streams.items()}
        self.at: dict[str, list[int]] = {k: [] for k in streams}

    async def run(self) -> None:
        from cocotb.triggers import RisingEdge

        edge = 0
        while True:
            await RisingEdge(self.dut.clk_i)
            edge += 1
            for k, (v, r) in self.handles.items():
                if v.value and r.value:
                    self.at[k].append(edge)


async def drain_and_check(dut: Any, sink: Any, n: int, timeout_cycles: int, extra_cycles: int = 40) -> None:
    """Wait for n outputs, keep the sink running `extra_cycles` more (to catch duplicates), check protocol."""
    from cocotb.triggers import RisingEdge

    await sink.wait_for(n, timeout_cycles=timeout_cycles)
    for _ in range(extra_cycles):
        await RisingEdge(dut.clk_i)
    assert not sink.errors, "valid/ready protocol errors:\n  " + "\n  ".join(sink.errors[:20])
    assert len(sink.items) == n, f"{len(sink.items)} outputs for {n} expected (duplicate/spurious output)"


# --------------------------------------------------------------------------- GEMV-style jobs (le_gemv, le_logits)


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
        """Golden results, tile by tile as models/golden.py uses them (gemv_tile / logits_tile)."""
        from models import ops

        out: list[int] = []
        for t0 in range(0, self.rows, self.tile_rows):
            t1 = min(t0 + self.tile_rows, self.rows)
            if self.bias is None:
                out.extend(int(v) for v in ops.gemv_tile(self.x, self.w[t0:t1]))
            else:
                out.extend(int(v) for v in ops.logits_tile(self.x, self.w[t0:t1], self.bias[t0:t1]))
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
    full = lambda v, rows, d: np.full((rows, d), v)                        # noqa: E731
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
        from verif.valid_ready import StreamSink, StreamSource

        self.dut, self.lanes, self.counter = dut, lanes, counter
        self.w_src = StreamSource(dut, "w", ["data"], dut.clk_i, rng_py, p_idle=p_idle, cycles=counter)
        self.b_src = (StreamSource(dut, "b", ["data"], dut.clk_i, rng_py, p_idle=p_idle, cycles=counter)
                      if with_bias else None)
        self.sink = StreamSink(dut, out, ("data",), dut.clk_i, rng_py, p_stall=p_stall, signed=("data",),
                               cycles=counter)
        self.with_bias = with_bias

    def set_rates(self, p_idle: float, p_stall: float) -> None:
        self.w_src.p_idle = p_idle
        if self.b_src is not None:
            self.b_src.p_idle = p_idle
        self.sink.p_stall = p_stall

    async def load_x(self, x: np.ndarray) -> None:
        """One beat per cycle through the x write port."""
        from cocotb.triggers import RisingEdge

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
        import cocotb

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


# --------------------------------------------------------------------------- GEMV-style test bodies

def gemv_idle_inputs(with_bias: bool) -> dict[str, int]:
    """Input ports of le_gemv (with_bias False) or le_logits (True) and their values at reset."""
    common = {"d_in_i": 0, "x_we_i": 0, "x_addr_i": 0, "x_data_i": 0, "w_valid_i": 0, "w_data_i": 0}
    if with_bias:
        return {**common, "b_valid_i": 0, "b_data_i": 0, "logit_ready_i": 0}
    return {**common, "acc_ready_i": 0}


def params(dut) -> tuple[int, int, int]:
    lanes, max_d_in, rows = plusarg_int("LANES"), plusarg_int("MAX_D_IN"), plusarg_int("ROWS")
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
    import random

    import cocotb

    lanes, max_d_in, min_rows = params(dut)
    seed = cocotb.RANDOM_SEED
    rng, rng_py = np.random.default_rng(seed), random.Random(seed)
    counter = await reset(dut, gemv_idle_inputs(with_bias))
    bench = GemvBench(dut, lanes, rng_py, counter, out, P_IDLE, P_STALL, with_bias)
    stats: dict[str, int] = {}
    sink_task = cocotb.start_soon(bench.sink.run())
    bp_task = cocotb.start_soon(count_backpressure(dut, "w_valid_i", "w_ready_o", stats))

    # Phase 1: corners and random runs, p_idle = p_stall = 0.3 on every stream.
    jobs = corner_jobs(rng, lanes, max_d_in, with_bias) + bulk_jobs(rng, lanes, max_d_in, min_rows, with_bias)
    await bench.run_jobs(jobs)
    n1 = sum(j.rows for j in jobs)
    await drain_and_check(dut, bench.sink, n1, timeout_cycles=100_000)
    rows = check_jobs(f"{module} stress LANES={lanes}", jobs, bench.sink.items)
    stalled_1 = stats.get("w_valid_i", 0)

    # Phase 2: the output almost always stalled (p 0.9) with one-beat rows: the credit counter must hold
    # the weight stream back (w_ready_o low while w_valid_i high) without losing or duplicating a row.
    bench.set_rates(0.0, 0.9)
    jobs2 = [random_job(rng, lanes, 200, 16, with_bias, "heavy stall d_in=LANES"),
             random_job(rng, 2 * lanes, 100, 12, with_bias, "heavy stall d_in=2*LANES")]
    await bench.run_jobs(jobs2)
    n2 = sum(j.rows for j in jobs2)
    await drain_and_check(dut, bench.sink, n1 + n2, timeout_cycles=100_000)
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
    import random

    import cocotb

    from verif.valid_ready import initiation_interval

    lanes, max_d_in, _ = params(dut)
    seed = cocotb.RANDOM_SEED
    rng, rng_py = np.random.default_rng(seed), random.Random(seed)
    counter = await reset(dut, gemv_idle_inputs(with_bias))
    bench = GemvBench(dut, lanes, rng_py, counter, out, 0.0, 0.0, with_bias)
    sink_task = cocotb.start_soon(bench.sink.run())
    log = EdgeLog(dut, {"w": ("w_valid_i", "w_ready_o"), "out": (f"{out}_valid_o", f"{out}_ready_i")})
    log_task = cocotb.start_soon(log.run())
    doc = documented_timing(module)
    latency, ii_doc = doc.latency, doc.ii

    jobs = [random_job(rng, lanes, 3 * 16 + 7, 16, with_bias, "d_in=LANES, 3 tiles + 7"),
            random_job(rng, 2 * lanes, 4 * 12 + 5, 12, with_bias, "d_in=2*LANES, 4 tiles + 5"),
            random_job(rng, 3 * lanes, 2 * 32 + 1, 32, with_bias, "d_in=3*LANES, 2 tiles + 1"),
            random_job(rng, max_d_in, 6, 4, with_bias, "d_in=MAX_D_IN, 1 tile + 2")]
    await bench.run_jobs(jobs)
    n = sum(j.rows for j in jobs)
    await drain_and_check(dut, bench.sink, n, timeout_cycles=20_000)
    check_jobs(f"{module} timing LANES={lanes}", jobs, bench.sink.items)

    sent, got = bench.w_src.sent_at, bench.sink.got_at
    # The BFM stamps and the independent edge log must tell the same intervals.
    assert [s - sent[0] for s in sent] == [e - log.at["w"][0] for e in log.at["w"]], "source stamps disagree"
    assert [g - sent[0] for g in got] == [e - log.at["w"][0] for e in log.at["out"]], "sink stamps disagree"
    row = 0
    for j in jobs:
        bpr = j.d_in // lanes
        beats = sent[j.first_beat[0]:j.first_beat[0] + j.rows * bpr]
        ii = initiation_interval(beats)
        assert ii == float(ii_doc) == 1.0, f"{j.label}: weight II {ii}, documented {ii_doc}"
        lat = [got[row + r] - sent[j.first_beat[r]] for r in range(j.rows)]
        want = bpr - 1 + latency
        assert set(lat) == {want}, f"{j.label}: first beat -> result latencies {sorted(set(lat))}, documented {want}"
        if bpr == 1:
            out_ii = initiation_interval(got[row:row + j.rows])
            assert out_ii == 1.0, f"{j.label}: one-beat rows must give one result per cycle, got II {out_ii}"
        dut._log.info("%s LANES=%d %s: %d rows, %d beats, weight II %.3f, latency first beat -> result %d "
                      "cycles (last beat -> result %d)", module, lanes, j.label, j.rows, len(beats), ii,
                      want, latency)
        row += j.rows
    sink_task.cancel()
    log_task.cancel()
