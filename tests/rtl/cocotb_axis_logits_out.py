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
"""
from __future__ import annotations

import random
import struct
from typing import Any

import cocotb
from cocotb.triggers import ReadOnly, RisingEdge

from verif.valid_ready import Beat, Cycles, StreamSource, axis_sink, beats_of, reset


async def setup(dut: Any) -> tuple[Cycles, random.Random, int]:
    counter = await reset(dut, {"start_i": 0, "vocab_i": 0, "flush_i": 0, "logit_valid_i": 0, "logit_data_i": 0,
                                "m_axis_tready_i": 0},
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
