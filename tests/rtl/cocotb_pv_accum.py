"""cocotb tests of rtl/le_pv_accum.sv (P.V accumulation) against models.ops.pv_accum.

Parameters come as plusargs from tests/rtl/test_rtl_pv_accum.py: +LANES, +MAX_D_HEAD, +ROWS (minimum number of
random context rows in the stress phase). The seed is cocotb's COCOTB_RANDOM_SEED (the launcher fixes it).

A head is n_ctx context rows (p[t], V row t); the golden result chains ops.pv_accum over context tiles
exactly as models/golden.py does (acc starts at 0, tiles of ctx_tile rows, the last one partial).
"""

from __future__ import annotations

import random
from dataclasses import dataclass

import cocotb
import numpy as np
from cocotb.triggers import ReadOnly, RisingEdge

import verif.valid_ready as vr
from models import ops
from verif.lanes import compare, pack, unpack_signed
from verif.valid_ready import StreamSink, StreamSource, initiation_interval

IDLE_INPUTS = {"d_head_i": 0, "p_valid_i": 0, "p_data_i": 0, "p_last_i": 0, "v_valid_i": 0, "v_data_i": 0,
               "out_ready_i": 0}
P_ONE = 1 << ops.PROB_FB            # 32768 = 1.0


@dataclass
class Head:
    p: np.ndarray                    # (n_ctx,) uint16 Q1.15
    v: np.ndarray                    # (n_ctx, d_head) int8
    ctx_tile: int
    label: str = ""
    last_beat: int = -1              # index into the v source's sent_at of the head's last beat

    @property
    def d_head(self) -> int:
        return int(self.v.shape[1])

    @property
    def rows(self) -> int:
        return int(self.v.shape[0])

    def expected(self) -> list[int]:
        acc = np.zeros(self.d_head, dtype=np.int64)
        for t0 in range(0, self.rows, self.ctx_tile):
            t1 = min(t0 + self.ctx_tile, self.rows)
            acc = ops.pv_accum(self.p[t0:t1], self.v[t0:t1], acc)
        return [int(a) for a in acc]


def random_p(rng: np.random.Generator, n: int) -> np.ndarray:
    """Either uniform in [0, 32768] (with 0 and 32768 sprinkled in) or a real softmax row."""
    kind = rng.integers(0, 3)
    if kind == 0:
        return ops.softmax(rng.integers(-3000, 3001, size=n))
    p = rng.integers(0, P_ONE + 1, size=n)
    p[rng.random(n) < 0.1] = 0
    p[rng.random(n) < 0.1] = P_ONE
    return p


def random_head(rng: np.random.Generator, d_head: int, n: int, label: str = "random") -> Head:
    return Head(random_p(rng, n), rng.integers(-127, 128, size=(n, d_head)), int(rng.choice([8, 16, 32])), label)


def corner_heads(rng: np.random.Generator, lanes: int, max_d_head: int) -> list[Head]:
    """p = 32768 and 0, +-127 extremes, maximal accumulations, one-row heads, d_head = LANES / MAX_D_HEAD."""
    heads = []

    def head(p, v, tile, label):
        heads.append(Head(np.asarray(p), np.asarray(v), tile, label))

    # 512 rows of p = 1.0 times -+127: +-2,130,706,432, just inside int32 (the largest P.V of any row count
    # up to the 512 positions of MiniLM's max_seq with unnormalised p).
    head(np.full(512, P_ONE), np.full((512, lanes), 127), 32, "max acc +127, 512 rows")
    head(np.full(512, P_ONE), np.full((512, lanes), -127), 32, "min acc -127, 512 rows")
    head(np.full(40, P_ONE), rng.choice([-127, 127], size=(40, max_d_head)), 8, "p=1.0 v=+-127 d_head=MAX")
    head(np.zeros(20, dtype=np.int64), rng.integers(-127, 128, size=(20, max_d_head)), 8, "p=0")
    head(np.where(rng.random(30) < 0.5, 0, P_ONE), rng.choice([-127, 127], size=(30, lanes)), 16, "p in {0, 1.0}")
    head(np.array([P_ONE]), rng.integers(-127, 128, size=(1, max_d_head)), 8, "token 0: one row, p=1.0")
    head(np.array([P_ONE]), rng.integers(-127, 128, size=(1, lanes)), 8, "one row, d_head=LANES")
    head(np.array([0]), rng.integers(-127, 128, size=(1, lanes)), 8, "one row, p=0")
    return heads


class PvBench:
    def __init__(self, dut, lanes: int, rng_py: random.Random, counter, p_idle: float, p_stall: float) -> None:
        self.dut, self.lanes = dut, lanes
        self.p_src = StreamSource(dut, "p", ["data", "last"], dut.clk_i, rng_py, p_idle=p_idle, cycles=counter)
        self.v_src = StreamSource(dut, "v", ["data"], dut.clk_i, rng_py, p_idle=p_idle, cycles=counter)
        # out_last_o is not a sink field: StreamSink reads fields with .to_unsigned(), which cocotb 2's 1-bit
        # `Logic` lacks; watch_last() records it at every output transfer instead.
        self.sink = StreamSink(dut, "out", ("data",), dut.clk_i, rng_py, p_stall=p_stall, cycles=counter)
        self.lasts: list[int] = []
        self.beats_done = 0          # output beats expected so far
        self.checked = 0             # output beats compared so far

    async def watch_last(self) -> None:
        dut = self.dut
        while True:
            await RisingEdge(dut.clk_i)
            if dut.out_valid_o.value and dut.out_ready_i.value:
                self.lasts.append(int(dut.out_last_o.value))

    def set_rates(self, p_idle: float, p_stall: float) -> None:
        self.p_src.p_idle = self.v_src.p_idle = p_idle
        self.sink.p_stall = p_stall

    async def run_group(self, heads: list[Head]) -> None:
        """Heads of one d_head, back to back (p and V streams run independently); then wait for idle_o."""
        d_head = heads[0].d_head
        assert all(h.d_head == d_head for h in heads)
        await ReadOnly()
        assert self.dut.idle_o.value, "d_head may change only while idle_o = 1"
        await RisingEdge(self.dut.clk_i)
        self.dut.d_head_i.value = d_head
        bpr = d_head // self.lanes
        ps = [{"data": int(p), "last": int(t == h.rows - 1)} for h in heads for t, p in enumerate(h.p)]
        beats = []
        for h in heads:
            beats += [{"data": pack(row[b * self.lanes:(b + 1) * self.lanes], 8)} for row in h.v for b in range(bpr)]
            h.last_beat = len(self.v_src.sent_at) + len(beats) - 1
        p_task = cocotb.start_soon(self.p_src.send(ps))
        v_task = cocotb.start_soon(self.v_src.send(beats))
        await p_task
        await v_task
        self.beats_done += len(heads) * bpr
        await self.sink.wait_for(self.beats_done, timeout_cycles=200_000)
        for _ in range(4):
            await RisingEdge(self.dut.clk_i)

    def check(self, label: str, heads: list[Head]) -> tuple[int, list[int]]:
        """Decode the sink beats of `heads` (from the current position) and compare; return (rows, first beat idx)."""
        got, expected, where, first_idx = [], [], [], []
        pos = self.checked
        for h in heads:
            bpr = h.d_head // self.lanes
            items = self.sink.items[pos:pos + bpr]
            assert len(items) == bpr, f"{label} [{h.label}]: {len(items)} output beats, expected {bpr}"
            lasts = self.lasts[pos:pos + bpr]
            assert lasts == [0] * (bpr - 1) + [1], f"{label} [{h.label}]: out_last_o pattern {lasts}"
            first_idx.append(pos)
            for it in items:
                got.extend(unpack_signed(it["data"], 32, self.lanes))
            e = h.expected()
            expected.extend(e)
            where.extend(f"[{h.label} d_head={h.d_head} n_ctx={h.rows} acc[{j}]]" for j in range(len(e)))
            pos += bpr
        self.checked = pos
        compare(label, got, expected, where)
        return sum(h.rows for h in heads), first_idx


def params(dut) -> tuple[int, int, int]:
    lanes, max_d_head, rows = vr.plusarg_int("LANES"), vr.plusarg_int("MAX_D_HEAD"), vr.plusarg_int("ROWS")
    assert len(dut.v_data_i) == 8 * lanes, "plusarg LANES does not match the built model"
    return lanes, max_d_head, rows


def by_d_head(heads: list[Head]) -> list[list[Head]]:
    """Consecutive heads grouped by d_head (d_head may change only while idle)."""
    groups: list[list[Head]] = []
    for h in heads:
        if groups and groups[-1][0].d_head == h.d_head:
            groups[-1].append(h)
        else:
            groups.append([h])
    return groups


@cocotb.test()
async def pv_stress_matches_golden(dut) -> None:
    """Corners + >= ROWS random context rows, idle/stall p 0.3 on p, V and output; then heavy output stall."""
    lanes, max_d_head, min_rows = params(dut)
    seed = cocotb.RANDOM_SEED
    rng, rng_py = np.random.default_rng(seed), random.Random(seed)
    counter = await vr.reset(dut, IDLE_INPUTS)
    bench = PvBench(dut, lanes, rng_py, counter, vr.STRESS_P_IDLE, vr.STRESS_P_STALL)
    stats: dict[str, int] = {}
    sink_task = cocotb.start_soon(bench.sink.run())
    last_task = cocotb.start_soon(bench.watch_last())
    bp_task = cocotb.start_soon(vr.count_backpressure(dut, "v_valid_i", "v_ready_o", stats))

    heads = corner_heads(rng, lanes, max_d_head)
    random_rows, words = 0, max_d_head // lanes
    while random_rows < min_rows:                         # groups of 1..7 heads sharing a random d_head
        d_head = lanes * int(rng.integers(1, words + 1))
        for _ in range(int(rng.integers(1, 8))):
            n = int(rng.integers(1, 9)) if rng.random() < 0.3 else int(rng.integers(9, 80))
            heads.append(random_head(rng, d_head, n))
            random_rows += n
    n_rows = 0
    for group in by_d_head(heads):
        await bench.run_group(group)
        n_rows += bench.check(f"le_pv_accum stress LANES={lanes}", group)[0]
    stalled_1 = stats.get("v_valid_i", 0)

    # Heavy output stall: short heads, output ready 10% of the cycles: both banks fill and the V stream
    # must be held back (v_ready_o low while v_valid_i high) without losing or mixing a head.
    bench.set_rates(0.0, 0.9)
    heavy = [random_head(rng, d, int(rng.integers(1, 4)), "heavy stall")
             for d in (lanes, 2 * lanes, max_d_head) for _ in range(20)]
    heavy_rows = 0
    for group in by_d_head(heavy):
        await bench.run_group(group)
        heavy_rows += bench.check(f"le_pv_accum heavy stall LANES={lanes}", group)[0]
    stalled_2 = stats.get("v_valid_i", 0) - stalled_1
    assert stalled_2 > 100, f"back-pressure not exercised: v_ready_o low in only {stalled_2} offered cycles"

    for _ in range(40):                                   # no spurious output after the last head
        await RisingEdge(dut.clk_i)
    assert len(bench.sink.items) == bench.beats_done, "spurious output beats"
    assert not bench.sink.errors, "valid/ready protocol errors:\n  " + "\n  ".join(bench.sink.errors[:20])
    sink_task.cancel()
    last_task.cancel()
    bp_task.cancel()
    dut._log.info("le_pv_accum LANES=%d: %d context rows in %d heads (+%d rows in %d heavy-stall heads) match "
                  "the golden model; %d cycles; V back-pressured in %d + %d offered cycles", lanes, n_rows,
                  len(heads), heavy_rows, len(heavy), counter.now, stalled_1, stalled_2)


@cocotb.test()
async def pv_no_stall_ii_and_latency(dut) -> None:
    """No stalls: 1.0 V beat per cycle across rows and heads (heads of >= 3 rows); documented latency."""
    lanes, max_d_head, _ = params(dut)
    seed = cocotb.RANDOM_SEED
    rng, rng_py = np.random.default_rng(seed), random.Random(seed)
    counter = await vr.reset(dut, IDLE_INPUTS)
    bench = PvBench(dut, lanes, rng_py, counter, 0.0, 0.0)
    sink_task = cocotb.start_soon(bench.sink.run())
    last_task = cocotb.start_soon(bench.watch_last())
    log = vr.EdgeLog(dut, {"v": ("v_valid_i", "v_ready_o"), "out": ("out_valid_o", "out_ready_i")})
    log_task = cocotb.start_soon(log.run())
    doc = vr.documented_timing("le_pv_accum")
    latency, ii_doc = doc.latency, doc.ii

    groups = [[random_head(rng, lanes, n, f"d_head=LANES n_ctx={n}") for n in (3, 3, 5, 17, 40, 3)],
              [random_head(rng, 2 * lanes, n, f"d_head=2*LANES n_ctx={n}") for n in (2, 2, 9, 33, 2)],
              [random_head(rng, max_d_head, n, f"d_head=MAX n_ctx={n}") for n in (2, 7, 2, 20)]]
    for g in groups:
        await bench.run_group(g)
    sent, got = bench.v_src.sent_at, bench.sink.got_at
    assert [s - sent[0] for s in sent] == [e - log.at["v"][0] for e in log.at["v"]], "source stamps disagree"
    assert [t - sent[0] for t in got] == [e - log.at["v"][0] for e in log.at["out"]], "sink stamps disagree"
    for g in groups:
        _, first_out = bench.check(f"le_pv_accum timing LANES={lanes}", g)
        bpr = g[0].d_head // lanes
        start = g[0].last_beat - g[0].rows * bpr + 1
        beats = sent[start:g[-1].last_beat + 1]
        ii = initiation_interval(beats)
        assert ii == float(ii_doc) == 1.0, f"d_head={g[0].d_head}: V beat II {ii} across {len(g)} heads"
        for h, o in zip(g, first_out, strict=True):
            lat = got[o] - sent[h.last_beat]
            assert lat == latency, f"{h.label}: last V beat -> first output beat {lat}, documented {latency}"
            assert got[o + bpr - 1] - got[o] == bpr - 1, f"{h.label}: output beats not on consecutive cycles"
        dut._log.info("le_pv_accum LANES=%d d_head=%d: %d heads, %d V beats, V II %.3f across rows and heads, "
                      "latency last V beat -> first output beat %d cycles", lanes, g[0].d_head, len(g),
                      len(beats), ii, latency)

    # Informational: one-row heads with d_head = LANES come faster than a bank is emitted (documented).
    short = [random_head(rng, lanes, 1, "one-row head") for _ in range(32)]
    await bench.run_group(short)
    bench.check(f"le_pv_accum one-row heads LANES={lanes}", short)
    beats = sent[short[0].last_beat:short[-1].last_beat + 1]
    dut._log.info("le_pv_accum LANES=%d: one-row heads with d_head=LANES: V II %.3f (documented: > 1)",
                  lanes, initiation_interval(beats))
    sink_task.cancel()
    last_task.cancel()
    log_task.cancel()
