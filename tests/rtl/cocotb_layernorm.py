"""cocotb test of rtl/le_layernorm.sv against models.ops.layernorm (launcher: test_rtl_layernorm.py).

Plusargs from the launcher: +MAX_D and +PRM_WORDS (the build's parameters), +ROWS (random rows of N in
[RAND_N_MIN, RAND_N_MAX] in the stress phase), +LONG (random rows of random N up to MAX_D).

gamma'/beta' are loaded through the beat-wide prm port (word w of a beat = channel addr*PRM_WORDS + w),
each set in one of the LOAD_ORDERS: gamma then beta (the engine's order), beta (groups in random order)
then gamma, or all groups of both tensors interleaved in random order with random gaps (random address
and data on the bus while no enable is set). The RAMs keep the previous set, so a missed, misaddressed
or misdirected (gamma <-> beta) write leaves a stale or wrong value that the rows' outputs expose.

Plan (every output of every row compared with ops.layernorm evaluated in Python on the same inputs):
  1. reset; parameter phases, each loading gamma'/beta' through the prm write port while idle_o = 1
     (the four sets cycle through the three load orders; later reloads are interleaved):
       typical    random g ~ +-2^15, b ~ +-2^28 (the int8 output partly saturates)
       huge       g, b at and near the int32 extremes: both outputs saturate on both sides
       small      g, b in {0, +-1, small}, b at the rounding ties 2^21 and 2^15
       full       g, b uniform over int32
     In every phase: corner rows (constant rows with eps_q = 0 and eps_q > 0, alternating int16
     extremes, single spikes, N = 1, 2, 8 and N = MAX_D, a tiny-variance row, eps_q huge up to the
     D < 2^62 limit) and random rows (short, plus some long), under random source idles and sink stalls
     (p 0.3); the sink's protocol errors must be empty and out_last_o must mark each row's end.
  2. pointer chase: 62 rows with heavy sink back-pressure (p 0.7, no source idles: the next row's
     input must wait behind the output pass's read pointer, counted and asserted) and 62 with a slow
     source (idle p 0.7, no stalls);
  3. no-stall timing: back-to-back rows of N = 16 and of N = MAX_D; asserts the header's per-element
     initiation interval (input and output pass), the row latency (last input -> first output) and
     the steady-state row period N + P.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass

import cocotb
import numpy as np
from cocotb.triggers import RisingEdge

import verif.valid_ready as vr
from models import ops
from verif.valid_ready import StreamSink, StreamSource

MODULE = "le_layernorm"
RAND_N_MIN, RAND_N_MAX = 8, 32
I32_MIN, I32_MAX = ops.I32_MIN, ops.I32_MAX
IDLE_INPUTS = {"n_i": 1, "eps_q_i": 0, "prm_gamma_we_i": 0, "prm_beta_we_i": 0, "prm_addr_i": 0,
               "prm_data_i": 0, "in_y_i": 0}
LOAD_ORDERS = ("gamma then beta", "beta then gamma", "interleaved")
D_LIMIT = 1 << 62


@dataclass
class Row:
    y: list[int]
    eps: int
    label: str = "random"


@dataclass(frozen=True)
class RowTiming:
    latency: int          # last input transfer -> first output transfer
    ii: int               # per element, input and output pass
    period: int           # steady-state row period = N + period


def documented() -> RowTiming:
    t = vr.documented_timing(MODULE)
    return RowTiming(t.latency, t.ii, vr.header_number(MODULE, r"one row per N \+ (\d+) cycles"))


def golden(row: Row, gamma: np.ndarray, beta: np.ndarray) -> tuple[list[int], list[int]]:
    n = len(row.y)
    o8, o16 = ops.layernorm(np.array(row.y, dtype=np.int64), gamma[:n], beta[:n], row.eps)
    return [int(v) for v in o8], [int(v) for v in o16]


def var_num(y: list[int]) -> int:
    n, s1, s2 = len(y), sum(y), sum(v * v for v in y)
    return n * s2 - s1 * s1


# ------------------------------------------------------------------------------------------ vectors
def random_row(rng: random.Random, n: int) -> Row:
    kind = rng.randrange(6)
    if kind == 0:                                   # uniform over int16
        y = [rng.randint(ops.I16_MIN, ops.I16_MAX) for _ in range(n)]
    elif kind == 1:                                 # large mean, small spread
        mu, sp = rng.randint(-30000, 30000), rng.randint(0, 40)
        y = [max(ops.I16_MIN, min(ops.I16_MAX, mu + rng.randint(-sp, sp))) for _ in range(n)]
    elif kind == 2:                                 # gaussian of random scale
        sc = 2.0 ** rng.uniform(0, 14)
        y = [max(ops.I16_MIN, min(ops.I16_MAX, round(rng.gauss(0, sc)))) for _ in range(n)]
    elif kind == 3:                                 # mostly small with outliers (massive activations)
        y = [rng.randint(-50, 50) for _ in range(n)]
        for _ in range(rng.randint(1, 3)):
            y[rng.randrange(n)] = rng.choice((ops.I16_MIN, ops.I16_MAX, rng.randint(-32768, 32767)))
    elif kind == 4:                                 # two levels
        a, b = rng.randint(-32768, 32767), rng.randint(-32768, 32767)
        y = [rng.choice((a, b)) for _ in range(n)]
    else:                                           # tiny values
        y = [rng.randint(-3, 3) for _ in range(n)]
    eps_kind = rng.randrange(4)
    if eps_kind == 0:
        eps = 0
    elif eps_kind == 1:
        eps = rng.randint(1, 1 << 20)
    elif eps_kind == 2:
        eps = rng.randint(0, 1 << rng.randint(1, 50))
    else:                                           # up to the D < 2^62 limit
        eps = rng.randint(0, D_LIMIT - 1 - var_num(y))
    return Row(y, eps)


def corner_rows(rng: random.Random, max_d: int) -> list[Row]:
    rows: list[Row] = []
    for n in (8, max_d):
        for c in (0, 5, -1, ops.I16_MIN, ops.I16_MAX):
            rows.append(Row([c] * n, 0, f"constant {c}, eps 0"))
            rows.append(Row([c] * n, rng.randint(1, 1 << 30), f"constant {c}, eps > 0"))
        rows.append(Row([ops.I16_MIN if i % 2 == 0 else ops.I16_MAX for i in range(n)], 0, "alternating extremes"))
        rows.append(Row([ops.I16_MAX if i % 2 == 0 else ops.I16_MIN for i in range(n)], 1, "alternating extremes"))
        rows.append(Row([ops.I16_MIN] * (n - 1) + [ops.I16_MAX], 0, "one max among mins"))
        for spike in (ops.I16_MAX, ops.I16_MIN, 1, -1):
            y = [0] * n
            y[rng.randrange(n)] = spike
            rows.append(Row(y, 0, f"single spike {spike}"))
        y = [0] * n
        y[0] = ops.I16_MAX
        rows.append(Row(y, 0, "spike at channel 0"))
        y = [0] * n
        y[-1] = ops.I16_MIN
        rows.append(Row(y, 0, "spike at channel N-1"))
        rows.append(Row([1000] * (n - 1) + [1001], 0, "tiny variance"))
        y = [rng.randint(ops.I16_MIN, ops.I16_MAX) for _ in range(n)]
        rows.append(Row(y, D_LIMIT - 1 - var_num(y), "eps_q: D = 2^62 - 1"))
        rows.append(Row(y, 1 << 61, "eps_q 2^61"))
        rows.append(Row(y, 0, "random, eps 0"))
    for n in (1, 2, 3):
        rows.append(Row([rng.randint(ops.I16_MIN, ops.I16_MAX) for _ in range(n)], rng.choice((0, 7)), f"N = {n}"))
    rows.append(Row([ops.I16_MIN, ops.I16_MAX], 0, "N = 2 extremes"))
    rows.append(Row([0] * max_d, 0, "zeros N = MAX_D, D clamps to 1"))
    return rows


def param_sets(rng: random.Random, max_d: int) -> list[tuple[str, np.ndarray, np.ndarray]]:
    def arr(f) -> np.ndarray:
        return np.array([f(c) for c in range(max_d)], dtype=np.int64)

    huge_g = (I32_MAX, I32_MIN, I32_MIN + 1, 1 << 30, -(1 << 30))
    huge_b = (I32_MAX, I32_MIN, 0, 1 << 30, -(1 << 30))
    small_g = (0, 1, -1, 2, -2, 1 << 10, -(1 << 10))
    small_b = (0, 1, -1, 1 << 21, -(1 << 21), 1 << 15, -(1 << 15), 3 << 21)
    return [
        ("typical", arr(lambda c: rng.randint(-(1 << 15), 1 << 15)), arr(lambda c: rng.randint(-(1 << 28), 1 << 28))),
        ("huge", arr(lambda c: rng.choice(huge_g) if rng.random() < 0.6 else rng.randint(I32_MIN, I32_MAX)),
         arr(lambda c: rng.choice(huge_b) if rng.random() < 0.6 else rng.randint(I32_MIN, I32_MAX))),
        ("small", arr(lambda c: rng.choice(small_g)), arr(lambda c: rng.choice(small_b))),
        ("full", arr(lambda c: rng.randint(I32_MIN, I32_MAX)), arr(lambda c: rng.randint(I32_MIN, I32_MAX))),
    ]


# ------------------------------------------------------------------------------------------ drivers
async def wait_idle(dut, limit: int = 100_000) -> None:
    for _ in range(limit):
        await RisingEdge(dut.clk_i)
        if dut.idle_o.value:
            return
    raise AssertionError("idle_o never rose")


def prm_beats(values: np.ndarray, words: int) -> list[int]:
    """int32 values -> prm_data_i beats: word w (bits [32w+31:32w]) of beat k is element k*words + w."""
    image = values.astype(np.int32).tobytes()          # little-endian int32, the tensor's DDR bytes
    return [int.from_bytes(image[k:k + 4 * words], "little") for k in range(0, len(image), 4 * words)]


async def load_params(dut, gamma: np.ndarray, beta: np.ndarray, rng: random.Random,
                      order: str = LOAD_ORDERS[0]) -> None:
    """Write every gamma' and beta' group through the beat-wide prm port in the given order."""
    words = vr.plusarg_int("PRM_WORDS")
    beats = {"gamma": prm_beats(gamma, words), "beta": prm_beats(beta, words)}
    groups = len(beats["gamma"])
    if order == "gamma then beta":
        writes = [("gamma", g) for g in range(groups)] + [("beta", g) for g in range(groups)]
    elif order == "beta then gamma":
        writes = [("beta", g) for g in rng.sample(range(groups), groups)] + [("gamma", g) for g in range(groups)]
    else:
        writes = [(t, g) for t in ("gamma", "beta") for g in range(groups)]
        rng.shuffle(writes)
    gaps = order == "interleaved"
    await wait_idle(dut)
    for tensor, g in writes:
        while gaps and rng.random() < 0.3:
            dut.prm_gamma_we_i.value = 0
            dut.prm_beta_we_i.value = 0
            dut.prm_addr_i.value = rng.randrange(groups)
            dut.prm_data_i.value = rng.getrandbits(32 * words)   # must be ignored: no enable
            await RisingEdge(dut.clk_i)
        dut.prm_gamma_we_i.value = int(tensor == "gamma")
        dut.prm_beta_we_i.value = int(tensor == "beta")
        dut.prm_addr_i.value = g
        dut.prm_data_i.value = beats[tensor][g]
        await RisingEdge(dut.clk_i)
    dut.prm_gamma_we_i.value = 0
    dut.prm_beta_we_i.value = 0
    await RisingEdge(dut.clk_i)
    assert dut.idle_o.value, "idle_o must stay high while only parameters are written"


@dataclass
class RowsRun:
    sent_at: list[int]
    got: list[dict[str, int]]
    got_at: list[int]
    cycles: int


async def run_rows(dut, rows: list[Row], rng: random.Random, counter, p_idle: float, p_stall: float) -> RowsRun:
    """Stream the rows (n_i / eps_q_i set before each row's first element) and collect every output."""
    source = StreamSource(dut, "in", ("y",), dut.clk_i, rng, p_idle=p_idle, cycles=counter)
    sink = StreamSink(dut, "out", ("x8", "x16", "last"), dut.clk_i, rng, p_stall=p_stall,
                      signed=("x8", "x16"), cycles=counter)
    total = sum(len(r.y) for r in rows)
    start = counter.now

    async def send_rows() -> None:
        for r in rows:
            dut.n_i.value = len(r.y)
            dut.eps_q_i.value = r.eps
            await source.send([{"y": v} for v in r.y])

    sink_task = cocotb.start_soon(sink.run())
    send_task = cocotb.start_soon(send_rows())
    timeout = 1000 + int((total * 2 / (1 - p_idle) + len(rows) * 120) / (1 - p_stall))
    for _ in range(timeout):
        if send_task.done() and len(sink.items) >= total:
            break
        await RisingEdge(dut.clk_i)
    else:
        sink_task.cancel()
        raise AssertionError(f"stuck after {timeout} cycles: {len(source.sent_at)} of {total} inputs accepted, "
                             f"{len(sink.items)} outputs")
    for _ in range(32):
        await RisingEdge(dut.clk_i)
    sink_task.cancel()
    dut.out_ready_i.value = 0
    assert not sink.errors, "valid/ready protocol errors:\n  " + "\n  ".join(sink.errors[:20])
    assert len(sink.items) == total, f"{len(sink.items)} outputs for {total} inputs (duplicate/spurious)"
    return RowsRun(source.sent_at, sink.items, sink.got_at, counter.now - start)


def check_rows(label: str, rows: list[Row], gamma: np.ndarray, beta: np.ndarray, got: list[dict[str, int]]) -> dict:
    pos, bad, stats = 0, [], {"sat8": 0, "sat16": 0, "elems": 0}
    for i, r in enumerate(rows):
        n = len(r.y)
        e8, e16 = golden(r, gamma, beta)
        g = got[pos:pos + n]
        pos += n
        g8 = [x["x8"] for x in g]
        g16 = [x["x16"] for x in g]
        lasts = [x["last"] for x in g]
        stats["elems"] += n
        stats["sat8"] += sum(1 for v in e8 if abs(v) == ops.I8_MAX)
        stats["sat16"] += sum(1 for v in e16 if v in (ops.I16_MIN, ops.I16_MAX))
        if g8 != e8 or g16 != e16 or lasts != [0] * (n - 1) + [1]:
            c = next((k for k in range(n) if g8[k] != e8[k] or g16[k] != e16[k]), None)
            where = (f"first bad channel {c}: y={r.y[c]} g={gamma[c]} b={beta[c]} got ({g8[c]}, {g16[c]}) "
                     f"expected ({e8[c]}, {e16[c]})" if c is not None else f"last flags {lasts}")
            bad.append(f"row {i} ({r.label}, N={n}, eps={r.eps}): {where}")
    assert not bad, f"{label}: {len(bad)} of {len(rows)} rows differ from ops.layernorm:\n  " + "\n  ".join(bad[:10])
    return stats


# ------------------------------------------------------------------------------------------ test
@cocotb.test(timeout_time=400, timeout_unit="ms")
async def layernorm_matches_golden(dut) -> None:
    """Corner and random rows under random stalls for four gamma'/beta' sets; then II, latency, period."""
    t0 = time.monotonic()
    max_d = vr.plusarg_int("MAX_D", 1024)
    words = vr.plusarg_int("PRM_WORDS")
    assert len(dut.prm_data_i) == 32 * words, f"prm_data_i is {len(dut.prm_data_i)} bits, PRM_WORDS {words}"
    assert len(dut.prm_addr_i) == max(1, (max_d // words - 1).bit_length()), "prm_addr_i width"
    n_random = vr.plusarg_int("ROWS", 0)
    n_long = vr.plusarg_int("LONG", 0)
    rng = random.Random(cocotb.RANDOM_SEED)
    counter = await vr.reset(dut, IDLE_INPUTS)
    assert dut.idle_o.value, "idle_o must be high after reset"

    sets = param_sets(rng, max_d)
    total_rows = total_elems = 0
    for k, (name, gamma, beta) in enumerate(sets):
        order = LOAD_ORDERS[k % len(LOAD_ORDERS)]
        await load_params(dut, gamma, beta, rng, order)
        rows = corner_rows(rng, max_d)
        share = n_random // len(sets) + (1 if k < n_random % len(sets) else 0)
        rows += [random_row(rng, rng.randint(RAND_N_MIN, min(RAND_N_MAX, max_d))) for _ in range(share)]
        long_share = n_long // len(sets) + (1 if k < n_long % len(sets) else 0)
        rows += [random_row(rng, rng.randint(RAND_N_MAX, max_d)) for _ in range(long_share)]
        rng.shuffle(rows)
        run = await run_rows(dut, rows, rng, counter, vr.STRESS_P_IDLE, vr.STRESS_P_STALL)
        stats = check_rows(f"{MODULE} [{name}]", rows, gamma, beta, run.got)
        total_rows += len(rows)
        total_elems += stats["elems"]
        dut._log.info("%s [%s, loaded %s]: %d rows / %d elements matched under stalls in %d cycles "
                      "(%d int8 and %d int16 outputs at a saturation limit)", MODULE, name, order, len(rows),
                      stats["elems"], run.cycles, stats["sat8"], stats["sat16"])

    # ---- pointer chase: the next row's input writes right behind the output pass's reads ------------
    # (heavy sink back-pressure, no source idles), then the converse (slow source, free sink).
    name, gamma, beta = sets[0]
    await load_params(dut, gamma, beta, rng, "interleaved")
    blocked = [0]

    async def monitor() -> None:
        # cycles where an input element waits because its channel has not been read yet
        while True:
            await RisingEdge(dut.clk_i)
            if (dut.in_valid_i.value and not dut.in_ready_o.value and dut.rd_active_q.value
                    and int(dut.wr_cnt_q.value) == int(dut.rd_cnt_q.value)):
                blocked[0] += 1

    for p_idle, p_stall in ((0.0, 0.7), (0.7, 0.0)):
        rows = [random_row(rng, rng.randint(RAND_N_MIN, min(RAND_N_MAX, max_d))) for _ in range(60)]
        rows += [random_row(rng, max_d) for _ in range(2)]
        before = blocked[0]
        mon = cocotb.start_soon(monitor())
        run = await run_rows(dut, rows, rng, counter, p_idle, p_stall)
        mon.cancel()
        stats = check_rows(f"{MODULE} [chase p_idle {p_idle} p_stall {p_stall}]", rows, gamma, beta, run.got)
        total_rows += len(rows)
        total_elems += stats["elems"]
        dut._log.info("%s: %d rows with p_idle %.1f / p_stall %.1f matched; %d cycles with the input held "
                      "behind the output pass's read pointer", MODULE, len(rows), p_idle, p_stall,
                      blocked[0] - before)
    assert blocked[0] > 0, "the input never waited for the output pass's read pointer (overlap not exercised)"

    # ---- no-stall timing ---------------------------------------------------------------------
    doc = documented()
    name, gamma, beta = sets[0]
    await load_params(dut, gamma, beta, rng, "interleaved")
    for n in sorted({16, max_d}):
        n_rows = 6
        rows = [random_row(rng, n) for _ in range(n_rows)]
        run = await run_rows(dut, rows, rng, counter, 0.0, 0.0)
        check_rows(f"{MODULE} timing N={n}", rows, gamma, beta, run.got)
        firsts = [r * n for r in range(n_rows)]
        lasts = [f + n - 1 for f in firsts]
        ii_in = sorted({run.sent_at[i + 1] - run.sent_at[i] for f in firsts for i in range(f, f + n - 1)} or {1})
        ii_out = sorted({run.got_at[i + 1] - run.got_at[i] for f in firsts for i in range(f, f + n - 1)} or {1})
        lat = sorted({run.got_at[f] - run.sent_at[la] for f, la in zip(firsts, lasts, strict=True)})
        periods = sorted({run.sent_at[firsts[r + 1]] - run.sent_at[firsts[r]] for r in range(1, n_rows - 1)})
        dut._log.info("%s N=%d: II in %s out %s (documented %d), latency %s (documented %d), "
                      "row period %s (documented N + %d = %d)", MODULE, n, ii_in, ii_out, doc.ii, lat,
                      doc.latency, periods, doc.period, n + doc.period)
        assert ii_in == [doc.ii], f"N={n}: input II {ii_in} != documented {doc.ii}"
        assert ii_out == [doc.ii], f"N={n}: output II {ii_out} != documented {doc.ii}"
        assert lat == [doc.latency], f"N={n}: latency {lat} != documented {doc.latency}"
        assert periods == [n + doc.period], f"N={n}: row period {periods} != documented N + {doc.period}"
        total_rows += n_rows
        total_elems += n * n_rows

    dut._log.info("%s (MAX_D %d, PRM_WORDS %d): %d rows, %d elements in total; %.1f s", MODULE, max_d, words,
                  total_rows, total_elems, time.monotonic() - t0)
