"""cocotb tests of rtl/le_axis_logits_out.sv (int32 logit stream -> AXI4-Stream logits frame).

Parameters come from tests/rtl/test_rtl_axis_logits_out.py (the bus width is read from the DUT).
Seed: COCOTB_RANDOM_SEED (from LE_SEED).
  - test_frames_random: random vocab sizes (1 .. 5 beats' worth, multiples of LPB and not: partial final
    beat), logits from a valid/ready StreamSource with random idle cycles, random TREADY backpressure from
    AXI4-Stream sink of verif/valid_ready.py (which checks TVALID/payload stability while stalled),
    interleaved with zero-flush frames (flush_i at start). Every beat is checked byte-exact, TKEEP (all
    ones, valid bytes only on the final beat), TLAST only on the final beat; done_o pulses once per frame;
    no extra beats.
  - test_flush_mid_frame: flush_i during the fill: the logits taken so far, then zeros, same frame shape.
  - test_timing: no gaps, no backpressure: one beat every LPB cycles, beat transfers 1 cycle after its
    last logit.
  - test_stop_stalled: stop_i (the soft reset's drain) mid frame. "stalled": a beat is offered with TREADY low
    (sometimes with a second beat buffered behind it) when stop_i rises; TREADY stays low for 3..40 cycles:
    TVALID must stay high with the same TDATA/TKEEP/TLAST, logit_ready_o low; then TREADY takes it and TVALID
    stays low for good (the buffered beat is dropped, nothing more is packed), idle_o high, done_o only if
    the held beat had TLAST. "gap": stop_i while no beat is offered: no beat follows. "at_start": stop_i in
    the cycle after start_i: no logit taken, no beat. What came out is a prefix of the frame ending with the
    held beat; then stop_i falls (sometimes followed by the top's clear pulse on rst_ni) and the next frame
    is whole and exact.
"""
from __future__ import annotations

import random
import struct
from typing import Any

import cocotb
from cocotb.triggers import FallingEdge, ReadOnly, RisingEdge

from verif.valid_ready import Beat, Cycles, StreamSource, axis_sink, beats_of, reset


async def setup(dut: Any) -> tuple[Cycles, random.Random, int]:
    counter = await reset(dut, {"start_i": 0, "vocab_i": 0, "flush_i": 0, "stop_i": 0, "logit_valid_i": 0,
                                "logit_data_i": 0, "m_axis_tready_i": 0},
                          empty=("m_axis_tvalid_o", "logit_ready_o"), high=("idle_o", "fill_idle_o"))
    return counter, random.Random(cocotb.RANDOM_SEED), len(dut.m_axis_tdata_o) // 8


def expected_frame(logits: list[int], bus_bytes: int) -> list[Beat]:
    lpb = bus_bytes // 4
    n = -(-len(logits) // lpb)
    raw = b"".join(struct.pack("<i", v) for v in logits).ljust(n * bus_bytes, b"\0")
    beats = []
    for k in range(n):
        nvalid = min(lpb, len(logits) - k * lpb)
        keep = (1 << (4 * nvalid)) - 1
        beats.append(Beat(int.from_bytes(raw[k * bus_bytes:(k + 1) * bus_bytes], "little"), keep, k == n - 1))
    return beats


class DoneCounter:
    def __init__(self, dut: Any, counter: Cycles) -> None:
        self.dut, self.counter, self.at = dut, counter, []

    async def run(self) -> None:
        while True:
            await RisingEdge(self.dut.clk_i)
            if self.dut.done_o.value:
                self.at.append(self.counter.now)


async def start_frame(dut: Any, vocab: int, flush: bool, rng: random.Random) -> None:
    """Wait for fill_idle_o, then pulse start_i with vocab/flush."""
    for _ in range(5000):
        await ReadOnly()
        if dut.fill_idle_o.value:
            break
        await RisingEdge(dut.clk_i)
    else:
        raise AssertionError("packer never became idle")
    await RisingEdge(dut.clk_i)
    dut.start_i.value = 1
    dut.vocab_i.value = vocab
    dut.flush_i.value = int(flush)
    await RisingEdge(dut.clk_i)
    dut.start_i.value = 0
    dut.flush_i.value = 0
    dut.vocab_i.value = rng.getrandbits(16)         # latched at start only


def check_frames(got: list[Beat], frames: list[list[int]], bus_bytes: int) -> None:
    exp = [b for f in frames for b in expected_frame(f, bus_bytes)]
    assert len(got) == len(exp), f"{len(got)} beats received, {len(exp)} expected"
    for i, (g, e) in enumerate(zip(got, exp, strict=True)):
        assert g == e, f"beat {i}: got data={g.data:#x} keep={g.keep:#x} last={g.last}, expected " \
                       f"data={e.data:#x} keep={e.keep:#x} last={e.last}"


@cocotb.test()
async def test_frames_random(dut: Any) -> None:
    counter, rng, bus_bytes = await setup(dut)
    lpb = bus_bytes // 4
    done = DoneCounter(dut, counter)
    cocotb.start_soon(done.run())
    for p_idle, p_stall in ((0.3, 0.3), (0.0, 0.5), (0.5, 0.0), (0.0, 0.0)):
        sink = axis_sink(dut, "m_axis_", rng, counter, p_stall=p_stall)
        sink_task = cocotb.start_soon(sink.run())
        src = StreamSource(dut, "logit", ["data"], dut.clk_i, rng, p_idle=p_idle, cycles=counter)
        frames: list[list[int]] = []
        specs: list[tuple[int, bool]] = []
        for _ in range(40):
            vocab = rng.choice([1, lpb, lpb + 1, 2 * lpb - 1, rng.randint(1, 5 * lpb), rng.randint(1, 40)])
            flush = rng.random() < 0.25
            specs.append((vocab, flush))
            frames.append([0] * vocab if flush else
                          [rng.randint(-2**31, 2**31 - 1) for _ in range(vocab)])
        items = [{"data": v & 0xFFFF_FFFF} for (_, fl), f in zip(specs, frames, strict=True) if not fl for v in f]
        n_done0 = len(done.at)
        send = cocotb.start_soon(src.send(items))
        for vocab, flush in specs:
            await start_frame(dut, vocab, flush, rng)
        n_beats = sum(-(-v // lpb) for v, _ in specs)
        for _ in range(20000):
            if send.done() and len(beats_of(sink)) >= n_beats:
                break
            await RisingEdge(dut.clk_i)
        else:
            raise AssertionError(f"stuck: {len(src.sent_at)} of {len(items)} logits in, "
                                 f"{len(beats_of(sink))} of {n_beats} beats out")
        for _ in range(20):
            await RisingEdge(dut.clk_i)
        sink_task.cancel()
        dut.m_axis_tready_i.value = 0
        assert not sink.errors, "AXIS protocol errors:\n  " + "\n  ".join(sink.errors[:10])
        check_frames(beats_of(sink), frames, bus_bytes)
        assert len(done.at) - n_done0 == len(specs), f"{len(done.at) - n_done0} done pulses, {len(specs)} frames"
        await ReadOnly()
        assert dut.idle_o.value
        await RisingEdge(dut.clk_i)
        dut._log.info(f"p_idle={p_idle} p_stall={p_stall}: {len(specs)} frames, {n_beats} beats, "
                      f"{sum(fl for _, fl in specs)} zero-flushed")


@cocotb.test()
async def test_flush_mid_frame(dut: Any) -> None:
    counter, rng, bus_bytes = await setup(dut)
    lpb = bus_bytes // 4
    sink = axis_sink(dut, "m_axis_", rng, counter, p_stall=0.3)
    cocotb.start_soon(sink.run())
    frames = []
    for _ in range(10):
        vocab = rng.randint(2, 6 * lpb)
        m = rng.randint(1, vocab - 1)
        logits = [rng.randint(-2**31, 2**31 - 1) for _ in range(m)]
        await start_frame(dut, vocab, False, rng)
        src = StreamSource(dut, "logit", ["data"], dut.clk_i, rng, p_idle=0.2, cycles=counter)
        await src.send([{"data": v & 0xFFFF_FFFF} for v in logits])   # returns after the m-th transfer
        for _ in range(rng.randint(0, 3)):
            await RisingEdge(dut.clk_i)
        dut.flush_i.value = 1
        await RisingEdge(dut.clk_i)
        dut.flush_i.value = 0
        frames.append(logits + [0] * (vocab - m))
    for _ in range(400):
        await RisingEdge(dut.clk_i)
    assert not sink.errors, sink.errors[:10]
    check_frames(beats_of(sink), frames, bus_bytes)


@cocotb.test()
async def test_timing(dut: Any) -> None:
    counter, rng, bus_bytes = await setup(dut)
    lpb = bus_bytes // 4
    vocab = 16 * lpb
    sink = axis_sink(dut, "m_axis_", rng, counter, p_stall=0.0)
    cocotb.start_soon(sink.run())
    src = StreamSource(dut, "logit", ["data"], dut.clk_i, rng, p_idle=0.0, cycles=counter)
    logits = [rng.randint(-2**31, 2**31 - 1) for _ in range(vocab)]
    await start_frame(dut, vocab, False, rng)
    await src.send([{"data": v & 0xFFFF_FFFF} for v in logits])
    for _ in range(10):
        await RisingEdge(dut.clk_i)
    check_frames(beats_of(sink), [logits], bus_bytes)
    assert src.sent_at[-1] - src.sent_at[0] == vocab - 1, "logits not taken at 1 per cycle"
    gaps = {b - a for a, b in zip(sink.got_at, sink.got_at[1:], strict=False)}
    assert gaps == {lpb}, f"beat spacing {gaps}, expected {lpb} cycles"
    last_logit = src.sent_at[lpb - 1::lpb]
    assert sink.got_at == [t + 1 for t in last_logit], f"beat latency: logits {last_logit} beats {sink.got_at}"


def _offered(dut: Any) -> Beat:
    return Beat(int(dut.m_axis_tdata_o.value), int(dut.m_axis_tkeep_o.value), bool(dut.m_axis_tlast_o.value))


async def _wait_falling(dut: Any, cond: Any, what: str, limit: int = 5000) -> None:
    """Advance to the first falling edge where cond() holds (inputs driven there are sampled at the next rising)."""
    for _ in range(limit):
        await FallingEdge(dut.clk_i)
        if cond():
            return
    raise AssertionError(f"no cycle with {what} within {limit} cycles")


@cocotb.test()
async def test_stop_stalled(dut: Any) -> None:
    counter, rng, bus_bytes = await setup(dut)
    lpb = bus_bytes // 4
    sink = axis_sink(dut, "m_axis_", rng, counter, p_stall=0.3)
    cocotb.start_soon(sink.run())
    done = DoneCounter(dut, counter)
    cocotb.start_soon(done.run())
    modes = ["stalled"] * 14 + ["gap"] * 4 + ["at_start"] * 2
    rng.shuffle(modes)
    held_last = 0
    for trial, mode in enumerate(modes):
        vocab = rng.randint(1, 2 * lpb) if rng.random() < 0.25 else rng.randint(2 * lpb + 1, 8 * lpb)
        flush = rng.random() < 0.2
        logits = [0] * vocab if flush else [rng.randint(-2**31, 2**31 - 1) for _ in range(vocab)]
        exp = expected_frame(logits, bus_bytes)
        n0, d0 = len(sink.items), len(done.at)
        sink.p_stall = rng.choice((0.0, 0.3))
        await start_frame(dut, vocab, flush, rng)
        src = StreamSource(dut, "logit", ["data"], dut.clk_i, rng, p_idle=0.2, cycles=counter)
        send = cocotb.start_soon(src.send([] if flush else [{"data": v & 0xFFFF_FFFF} for v in logits]))
        held: Beat | None = None
        if mode == "at_start":
            dut.stop_i.value = 1                    # sampled at the first edge after the start edge
        else:
            k = rng.randrange(len(exp))             # the beat to stop at (stalled: the one held)
            target = n0 + k
            await _wait_falling(dut, lambda t=target: len(sink.items) >= t, f"beat {k} reached")
            if mode == "stalled":
                sink.p_stall = 1.0                  # TREADY low from now on (this cycle too: beat k not taken)
                dut.m_axis_tready_i.value = 0
                await _wait_falling(dut, lambda: dut.m_axis_tvalid_o.value and not dut.m_axis_tready_i.value,
                                    "a stalled beat")
                for _ in range(rng.randint(0, 2 * lpb)):     # sometimes a second beat packs up behind it
                    await FallingEdge(dut.clk_i)
                held = _offered(dut)
            else:
                await _wait_falling(dut, lambda: not dut.m_axis_tvalid_o.value, "TVALID low")
            dut.stop_i.value = 1
        what = f"trial {trial} ({mode}, vocab {vocab}, {len(exp)} beats{', zero-flush' if flush else ''})"
        if held is not None:
            odd: set[str] = set()
            for k in range(rng.randint(3, 40)):
                await RisingEdge(dut.clk_i)
                await ReadOnly()
                assert dut.m_axis_tvalid_o.value, f"{what}: TVALID fell {k + 1} cycles after stop_i without TREADY"
                assert _offered(dut) == held, f"{what}: payload changed while stalled: {held} -> {_offered(dut)}"
                if dut.logit_ready_o.value:
                    odd.add("logit_ready_o high")
                if not dut.fill_idle_o.value or dut.idle_o.value:
                    odd.add("fill_idle_o low or idle_o high")
            assert not odd, f"{what}: during the hold: {', '.join(sorted(odd))}"
            await FallingEdge(dut.clk_i)
            n_held = len(sink.items) + 1
            sink.p_stall = rng.choice((0.0, 0.5))
            for _ in range(200):
                await RisingEdge(dut.clk_i)
                if len(sink.items) >= n_held:
                    break
            else:
                raise AssertionError(f"{what}: the held beat was never taken")
        for k in range(30):
            await RisingEdge(dut.clk_i)
            await ReadOnly()
            assert not dut.m_axis_tvalid_o.value, f"{what}: a beat offered {k + 1} cycles after the stop " \
                                                  f"{'and the held beat' if held else ''}"
            assert dut.idle_o.value and dut.fill_idle_o.value and not dut.logit_ready_o.value, \
                f"{what}: not idle {k + 1} cycles after the stop"
        got = beats_of(sink)[n0:]
        assert got == exp[:len(got)], f"{what}: the beats out are not a prefix of the frame: {got}"
        if held is not None:
            assert got and got[-1] == held, f"{what}: the last beat out is not the held one: {got[-1:]} vs {held}"
            held_last += held.last
        if mode == "at_start":
            assert not got, f"{what}: {len(got)} beats after a stop right at start_i"
        want_done = int(bool(got) and got[-1].last)
        assert len(done.at) - d0 == want_done, f"{what}: {len(done.at) - d0} done pulses, {want_done} expected"
        send.cancel()                                # the top resets the logit source
        await FallingEdge(dut.clk_i)
        dut.logit_valid_i.value = 0
        dut.stop_i.value = 0
        if rng.random() < 0.5:                       # the top's clear pulse at the drain's end
            dut.rst_ni.value = 0
            await FallingEdge(dut.clk_i)
            dut.rst_ni.value = 1
        dut._log.info(f"{what}: {len(got)} beats out{' (held beat had TLAST)' if held and held.last else ''}")
    # the next frame after the stops is whole and exact
    sink.p_stall = 0.3
    n0 = len(sink.items)
    vocab = rng.randint(1, 6 * lpb)
    logits = [rng.randint(-2**31, 2**31 - 1) for _ in range(vocab)]
    await start_frame(dut, vocab, False, rng)
    src = StreamSource(dut, "logit", ["data"], dut.clk_i, rng, p_idle=0.2, cycles=counter)
    await src.send([{"data": v & 0xFFFF_FFFF} for v in logits])
    for _ in range(100):
        await RisingEdge(dut.clk_i)
    assert beats_of(sink)[n0:] == expected_frame(logits, bus_bytes), "the frame after the stops is not exact"
    assert not sink.errors, "AXIS protocol errors:\n  " + "\n  ".join(sink.errors[:10])
    dut._log.info(f"{len(modes)} stops, {held_last} of them held a TLAST beat")
