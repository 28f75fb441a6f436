"""cocotb tests of the AXI4-Stream split transactors (verif/hdl/le_axis_{src,sink}_bfm.sv + verif/bfm/axis_bfm.py)
on verif/hdl/le_axis_bfm_tb.sv: source BFM -> le_axis_x_in -> x RAM -> le_axis_logits_out -> sink BFM, where
logit j of a token is bytes 4j..4j+3 of its x (a failed token gives an all-zero frame, like the engine).

Parameters come from tests/rtl/test_rtl_axis_bfm.py; HDL randomness from +verilator+seed, Python's from
COCOTB_RANDOM_SEED.
  - test_tokens_calm / test_tokens_heavy: random tokens (d_model, vocab incl. a partial final logits beat)
    byte-exact through both edges with no gaps/stalls and with p_idle = p_stall = 0.7; frame checks and the
    sink's protocol checks quiet; gap / stall coverage counters move under the heavy knobs.
  - test_x_errors: X_TLAST_EARLY (short x, partial final TKEEP, TLAST mid-frame by override) and
    X_TLAST_LATE (long x, TLAST missing on beat E-1 by override) through the source; zero frames; the
    good token after each failure is byte-exact.
  - test_loopback: source BFM -> sink BFM with random TKEEP per beat, byte-exact; three frames sent with
    nothing read fill both banks and the sink holds TREADY low (full_cycles) without losing a frame.
  - test_sink_pause: the sink's once-per-frame TREADY-low pause (pause_len / pause_at): exactly pause_len
    cycles per frame, frames intact, off at 0.
  - test_sink_overflow: > MAX_BEATS beats without TLAST through the loop-back: OVERFLOW, frame truncated.
  - test_sink_direct: the sink driven per cycle from Python: TVALID dropped while stalled (VALID_DROP) and
    payload changed while stalled (PAYLOAD_CHANGE) are recorded; clear_errors() clears them.
  - test_speed: DUT cycles per wall second for a long run of tokens through the BFMs, every logits frame
    checked (written to speed.json in the run directory).
"""
from __future__ import annotations

import json
import random
import time
from typing import Any

import cocotb
from cocotb.clock import Clock
from cocotb.triggers import RisingEdge, gather, with_timeout

from verif.bfm.axis_bfm import AxisSinkBfm, AxisSourceBfm, Frame

OK, EARLY, LATE = 0, 5, 6
TOKEN_TIMEOUT_NS = 2_000_000


async def setup(dut: Any, sink_sel: int = 0) -> tuple[AxisSourceBfm, AxisSinkBfm, random.Random, int]:
    dut.rst_n.value = 0
    for name, v in (("run", 1), ("d_model", 0), ("vocab", 1), ("x_py", 0), ("l_py", 0), ("sink_sel", sink_sel),
                    ("py_x_tdata", 0), ("py_x_tkeep", 0), ("py_x_tlast", 0), ("py_x_tvalid", 0), ("py_l_tready", 0),
                    ("dd_tdata", 0), ("dd_tkeep", 0), ("dd_tlast", 0), ("dd_tvalid", 0)):
        getattr(dut, name).value = v
    Clock(dut.clk, 10, unit="ns").start()
    for _ in range(3):
        await RisingEdge(dut.clk)
    dut.rst_n.value = 1
    await RisingEdge(dut.clk)
    src, sink = AxisSourceBfm(dut.u_src, dut.clk), AxisSinkBfm(dut.u_sink, dut.clk)
    src.configure(0.0)
    sink.configure(0.0)
    sink.clear_errors()
    await RisingEdge(dut.clk)
    return src, sink, random.Random(cocotb.RANDOM_SEED), src.bus_bytes


def expected_frame(x: bytes, vocab: int, code: int, bus_bytes: int) -> tuple[bytes, int, int]:
    """(frame bytes, beats, final TKEEP) of a token's logits frame in this tb."""
    n = -(-4 * vocab // bus_bytes)
    body = x[:4 * vocab] if code == OK else bytes(4 * vocab)
    return body.ljust(n * bus_bytes, b"\0"), n, (1 << (4 * vocab - (n - 1) * bus_bytes)) - 1


async def run_token(dut: Any, src: AxisSourceBfm, sink: AxisSinkBfm, x: bytes, d_model: int, vocab: int,
                    exp_code: int, override: list[tuple[int, bool]] | None = None) -> Frame:
    """One token through both edges; checks the frame (bytes, shape) and x_in's code."""
    dut.d_model.value, dut.vocab.value = d_model, vocab
    n_tok = int(dut.x_tokens.value)
    frame, _ = await with_timeout(gather(sink.recv(), src.send(x, override)), TOKEN_TIMEOUT_NS, "ns")
    code = int(dut.tok_code[n_tok % 64].value)
    assert code == exp_code, f"token {n_tok}: x_in code {code}, expected {exp_code}"
    want, n, final_keep = expected_frame(x, vocab, code, sink.bus_bytes)
    problems = sink.check_frame(frame, n, final_keep, keep_unit=4)
    assert not problems, f"token {n_tok}: " + "; ".join(problems)
    assert frame.data == want, f"token {n_tok} (d_model {d_model}, vocab {vocab}): frame differs"
    return frame


def random_token(rng: random.Random, bus_bytes: int, max_beats: int = 48) -> tuple[bytes, int, int]:
    d_model = bus_bytes * rng.choice([1, 2, rng.randint(1, max_beats)])
    vocab = rng.choice([1, d_model // 4, rng.randint(1, d_model // 4)])
    return rng.randbytes(d_model), d_model, vocab


async def tokens_random(dut: Any, p: float, n: int) -> None:
    src, sink, rng, bus_bytes = await setup(dut)
    src.configure(p)
    sink.configure(p)
    s0, k0 = src.stats(), sink.stats()
    for _ in range(n):
        x, d_model, vocab = random_token(rng, bus_bytes)
        await run_token(dut, src, sink, x, d_model, vocab, OK)
    assert sink.protocol_errors() == [], sink.protocol_errors()
    s1, k1 = src.stats(), sink.stats()
    gaps, stalls = s1["gap_cycles"] - s0["gap_cycles"], k1["stall_cycles"] - k0["stall_cycles"]
    dut._log.info(f"p={p}: {n} tokens, source {s1['beats_sent'] - s0['beats_sent']} beats {gaps} gap cycles "
                  f"{s1['stall_cycles'] - s0['stall_cycles']} stall cycles; sink {k1['beats_recv'] - k0['beats_recv']} "
                  f"beats {stalls} stall cycles")
    assert s1["frames_sent"] - s0["frames_sent"] == n and k1["frames_recv"] - k0["frames_recv"] == n
    assert (gaps > 0 and stalls > 0) if p else gaps == 0


@cocotb.test()
async def test_tokens_calm(dut: Any) -> None:
    await tokens_random(dut, 0.0, 30)


@cocotb.test()
async def test_tokens_heavy(dut: Any) -> None:
    await tokens_random(dut, 0.7, 30)


@cocotb.test()
async def test_x_errors(dut: Any) -> None:
    src, sink, rng, bb = await setup(dut)
    src.configure(0.3)
    sink.configure(0.3)
    full = (1 << bb) - 1
    for _ in range(4):
        e = rng.randint(3, 24)                           # beats expected
        d_model, vocab = e * bb, rng.randint(1, e * bb // 4)
        cases: list[tuple[str, bytes, list[tuple[int, bool]] | None, int]] = [
            ("short", rng.randbytes(rng.randint(1, d_model - bb)), None, EARLY),
            ("partial final TKEEP", rng.randbytes(d_model - rng.randint(1, bb - 1)), None, EARLY),
            ("TKEEP short on beat E-1 by override", rng.randbytes(d_model),
             [(full, False)] * (e - 1) + [(full >> 1, True)], EARLY),
            ("long", rng.randbytes(d_model + rng.randint(1, 3 * bb)), None, LATE),
            ("no TLAST on E-1, TLAST one beat later", rng.randbytes(d_model + bb),
             [(full, False)] * e + [(full, True)], LATE),
        ]
        k = rng.randint(0, e - 2)
        cases.append(("TLAST on beat k < E-1 by override", rng.randbytes((k + 1) * bb),
                      [(full, False)] * k + [(full, True)], EARLY))
        for what, x, override, code in cases:
            dut._log.debug(f"{what}: {len(x)} bytes, d_model {d_model}")
            await run_token(dut, src, sink, x, d_model, vocab, code, override)
            await run_token(dut, src, sink, rng.randbytes(d_model), d_model, vocab, OK)   # in step again
    assert sink.protocol_errors() == [], sink.protocol_errors()


@cocotb.test()
async def test_loopback(dut: Any) -> None:
    src, sink, rng, bb = await setup(dut, sink_sel=2)
    src.configure(0.5)
    sink.configure(0.5)
    for _ in range(40):
        n = rng.randint(1, 40)
        data = rng.randbytes(n * bb)
        keeps = [(rng.getrandbits(bb), k == n - 1) for k in range(n)]
        frame, _ = await with_timeout(gather(sink.recv(), src.send(data, keeps)), TOKEN_TIMEOUT_NS, "ns")
        assert frame.beats == n and frame.data == data and list(frame.tkeep) == [kp for kp, _ in keeps]
        assert not frame.overflow
    # three frames sent before any read: both banks fill, the sink stalls, nothing is lost
    sink.configure(0.0)
    full0 = sink.stats()["full_cycles"]
    frames = [rng.randbytes(rng.randint(1, 8) * bb) for _ in range(3)]
    sender = cocotb.start_soon(gather(*[src.send(f) for f in frames]))
    for _ in range(200):
        await RisingEdge(dut.clk)
    assert sink.pending() == 2 and not sender.done(), "the third frame got through with both banks unread"
    got = [await sink.recv() for _ in range(3)]
    await sender
    assert [g.data for g in got] == frames
    assert sink.stats()["full_cycles"] > full0
    assert sink.protocol_errors() == [], sink.protocol_errors()


@cocotb.test()
async def test_sink_pause(dut: Any) -> None:
    """pause_len / pause_at: one TREADY-low stretch of exactly pause_len cycles per frame, after pause_at (+1 when
    the next beat is taken in the same cycle) beats; frames intact; pause_len 0 turns it off."""
    src, sink, rng, bb = await setup(dut, sink_sel=2)
    for pause, at, n in ((37, 3, 10), (5, 0, 4), (0, 2, 6)):
        sink.configure(0.0, pause_len=pause, pause_at=at)
        lows: list[int] = []

        async def watch(lows: list[int] = lows) -> None:
            run = 0
            while True:
                await RisingEdge(dut.clk)
                if int(dut.u_sink.s_axis_tvalid.value) and not int(dut.u_sink.s_axis_tready.value):
                    run += 1
                elif run:
                    lows.append(run)
                    run = 0
        watcher = cocotb.start_soon(watch())
        frames = [rng.randbytes(n * bb) for _ in range(3)]
        for f in frames:
            got, _ = await with_timeout(gather(sink.recv(), src.send(f)), TOKEN_TIMEOUT_NS, "ns")
            assert got.data == f
        watcher.cancel()
        assert lows == [pause] * 3 if pause else lows == [], (pause, at, lows)
    assert sink.protocol_errors() == [], sink.protocol_errors()


@cocotb.test()
async def test_sink_overflow(dut: Any) -> None:
    src, sink, rng, bb = await setup(dut, sink_sel=2)
    chunk = src.max_beats
    n_chunks = sink.max_beats // chunk + 1
    sent = b""
    for i in range(n_chunks):
        data = rng.randbytes(chunk * bb)
        last = i == n_chunks - 1
        await src.send(data, [((1 << bb) - 1, last and k == chunk - 1) for k in range(chunk)])
        sent += data
        if i == 0:
            assert sink.error_codes() == set()
    frame = await sink.recv()
    assert frame.overflow and frame.beats == sink.max_beats and frame.data == sent[:sink.max_beats * bb]
    assert sink.error_codes() == {"OVERFLOW"}, sink.protocol_errors()
    assert any("OVERFLOW" in p for p in sink.check_frame(frame) + sink.protocol_errors())
    dut._log.info("overflow: " + "; ".join(sink.protocol_errors()))


@cocotb.test()
async def test_sink_direct(dut: Any) -> None:
    _src, sink, _rng, bb = await setup(dut, sink_sel=1)
    sink.configure(0.5)

    async def until_stalled() -> None:
        for _ in range(200):
            await RisingEdge(dut.clk)
            if not int(dut.dd_tready.value):        # the sink saw TVALID & !TREADY at this edge
                return
        raise AssertionError("sink never stalled")

    dut.dd_tdata.value, dut.dd_tkeep.value, dut.dd_tlast.value = 0x1234, (1 << bb) - 1, 0
    dut.dd_tvalid.value = 1
    await until_stalled()
    dut.dd_tvalid.value = 0                          # TVALID dropped before TREADY
    await RisingEdge(dut.clk)
    await RisingEdge(dut.clk)
    assert sink.error_codes() == {"VALID_DROP"}, sink.protocol_errors()
    dut.dd_tvalid.value = 1
    await until_stalled()
    dut.dd_tdata.value = 0x5678                      # payload changed while stalled
    await RisingEdge(dut.clk)
    await RisingEdge(dut.clk)
    assert sink.error_codes() == {"VALID_DROP", "PAYLOAD_CHANGE"}, sink.protocol_errors()
    dut._log.info("direct drive: " + "; ".join(sink.protocol_errors()))
    dut.dd_tlast.value = 1
    while True:                                      # finish the frame cleanly
        await RisingEdge(dut.clk)
        if int(dut.dd_tready.value):
            break
    dut.dd_tvalid.value = 0
    await RisingEdge(dut.clk)
    sink.clear_errors()
    await RisingEdge(dut.clk)
    await RisingEdge(dut.clk)
    assert sink.protocol_errors() == [] and sink.pending() >= 1


async def timed_tokens(dut: Any, n: int, d_model: int, vocab: int, p: float) -> dict[str, int | float]:
    """n random tokens through the BFMs with p_idle = p_stall = p; each frame's logits bytes checked."""
    src, sink, rng, bb = await setup(dut)
    dut.d_model.value, dut.vocab.value = d_model, vocab
    src.configure(p)
    sink.configure(p)
    xs = [rng.randbytes(d_model) for _ in range(n)]
    c0, t0 = int(dut.cycle.value), time.perf_counter()
    for x in xs:
        frame, _ = await gather(sink.recv(), src.send(x))
        assert frame.data[:4 * vocab] == x[:4 * vocab]
    cycles, secs = int(dut.cycle.value) - c0, time.perf_counter() - t0
    assert sink.protocol_errors() == [], sink.protocol_errors()
    return {"bus_bits": 8 * bb, "tokens": n, "cycles": cycles, "seconds": round(secs, 3),
            "cycles_per_s": round(cycles / secs)}


@cocotb.test()
async def test_speed(dut: Any) -> None:
    d_model, vocab, p = 1024, 256, 0.2
    bfm = await timed_tokens(dut, 200, d_model, vocab, p)
    res = {"data_w": bfm["bus_bits"], "d_model": d_model, "vocab": vocab, "p_idle": p, "p_stall": p, "bfm": bfm}
    with open("speed.json", "w") as fh:
        json.dump(res, fh, indent=1)
    dut._log.info(f"speed: {json.dumps(res)}")
