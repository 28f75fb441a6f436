"""cocotb tests of rtl/le_axis_x_in.sv (AXI4-Stream slave for one token's x).

Parameters come from tests/rtl/test_rtl_axis_x_in.py (the bus width is read from the DUT).
Seed: COCOTB_RANDOM_SEED (from LE_SEED).
  - test_tokens_random: a stream of random tokens (good, short -> X_TLAST_EARLY incl. a partial final beat,
    long -> X_TLAST_LATE, good with random TKEEP on non-final beats) sent back to back by one AXI4-Stream
    source (verif/valid_ready.py) with random TVALID gaps, the host pulsing start_i whenever the receiver
    is idle. Per token: the x writes (address, data) are byte-exact against the reference split, done_o
    pulses once with the right error flag/code, every beat of the token (through its TLAST) is consumed
    between its start and its done, and the good token after a failed one is received correctly (the
    stream stays in step).
  - test_not_armed: beats offered before start_i are not accepted.
  - test_timing: a gap-free token is accepted at 1 beat per cycle with the write 1 cycle after each beat.
"""
from __future__ import annotations

import random
from typing import Any

import cocotb
from cocotb.triggers import ReadOnly, RisingEdge

from verif.valid_ready import Beat, Cycles, axis_source, beat_items, reset, split_beats

OK, EARLY, LATE = 0, 5, 6
MAX_BEATS = 24                     # largest token in these tests (beats); MAX_D_MODEL is larger


class Monitor:
    """One coroutine, one time base: every accepted beat, x write and done pulse, in order."""

    def __init__(self, dut: Any, counter: Cycles) -> None:
        self.dut, self.counter = dut, counter
        self.events: list[tuple] = []

    async def run(self) -> None:
        d = self.dut
        while True:
            await RisingEdge(d.clk_i)
            now = self.counter.now
            if d.s_axis_tvalid_i.value and d.s_axis_tready_o.value:
                self.events.append(("beat", now))
            if d.x_we_o.value:
                self.events.append(("w", now, int(d.x_addr_o.value), int(d.x_data_o.value)))
            if d.done_o.value:
                err = int(d.err_valid_o.value)
                self.events.append(("done", now, err, int(d.err_code_o.value) if err else 0))
            elif d.err_valid_o.value:
                self.events.append(("stray_err", now))


async def setup(dut: Any) -> tuple[Cycles, random.Random, int, Monitor]:
    counter = await reset(dut, {"start_i": 0, "d_model_i": 0, "s_axis_tvalid_i": 0, "s_axis_tdata_i": 0,
                                "s_axis_tkeep_i": 0, "s_axis_tlast_i": 0},
                          empty=("s_axis_tready_o", "x_we_o", "done_o"), high=("idle_o",))
    mon = Monitor(dut, counter)
    cocotb.start_soon(mon.run())
    rng = random.Random(cocotb.RANDOM_SEED)
    return counter, rng, len(dut.s_axis_tdata_i) // 8, mon


def reference(beats: list[Beat], n_exp: int, bus_bytes: int) -> tuple[list[tuple[int, int]], int]:
    """Expected x writes and error code (the documented framing rules of le_axis_x_in.sv)."""
    full = (1 << bus_bytes) - 1
    writes: list[tuple[int, int]] = []
    for k, b in enumerate(beats):
        if b.last and (k < n_exp - 1 or (k == n_exp - 1 and b.keep != full)):
            return writes, EARLY
        if k < n_exp:
            writes.append((k, b.data))
        if b.last:
            return writes, OK if k == n_exp - 1 else LATE
    raise AssertionError("token without TLAST")


def make_token(rng: random.Random, kind: str, bus_bytes: int) -> tuple[int, list[Beat]]:
    """(d_model, beats) of one token of the given kind."""
    n_exp = rng.choice([1, 2, 3, rng.randint(1, MAX_BEATS)])
    d_model = n_exp * bus_bytes
    if kind in ("good", "keep"):
        length = d_model
    elif kind == "early":
        if d_model == 1 * bus_bytes or rng.random() < 0.3:
            length = d_model - rng.randint(1, bus_bytes - 1)           # partial final beat at E-1
        else:
            length = rng.randint(1, d_model - bus_bytes)               # TLAST on a beat < E-1
    else:  # late
        length = d_model + rng.choice([1, bus_bytes, rng.randint(1, 5 * bus_bytes)])
    beats = split_beats(rng.randbytes(length), bus_bytes)
    if kind == "keep":   # TKEEP not all ones on non-final beats: ignored (documented)
        beats = [Beat(b.data, rng.getrandbits(bus_bytes) if not b.last else b.keep, b.last) for b in beats]
    return d_model, beats


async def run_tokens(dut: Any, tokens: list[tuple[int, list[Beat]]], counter: Cycles, rng: random.Random,
                     mon: Monitor, bus_bytes: int, p_idle: float, early_data: bool = True) -> None:
    src = axis_source(dut, "s_axis_", rng, counter, p_idle=p_idle)
    flat = [b for _, beats in tokens for b in beats]
    send = cocotb.start_soon(src.send(beat_items(flat)))
    starts: list[int] = []
    for d_model, _ in tokens:
        for _ in range(2000):
            await ReadOnly()
            if dut.idle_o.value:
                break
            await RisingEdge(dut.clk_i)
        else:
            raise AssertionError("receiver never became idle")
        await RisingEdge(dut.clk_i)
        if rng.random() < 0.3:
            for _ in range(rng.randint(1, 4)):
                await RisingEdge(dut.clk_i)
        dut.start_i.value = 1
        dut.d_model_i.value = d_model
        await RisingEdge(dut.clk_i)
        starts.append(counter.now)
        dut.start_i.value = 0
        dut.d_model_i.value = rng.getrandbits(len(dut.d_model_i))      # latched at start only
    for _ in range(4000):
        if send.done() and sum(1 for e in mon.events if e[0] == "done") >= len(tokens):
            break
        await RisingEdge(dut.clk_i)
    else:
        raise AssertionError(f"stuck: {len(src.sent_at)} of {len(flat)} beats sent")
    for _ in range(16):
        await RisingEdge(dut.clk_i)
    # split the event log at the done pulses
    assert not [e for e in mon.events if e[0] == "stray_err"], "err_valid_o without done_o"
    per_token: list[list[tuple]] = [[]]
    for e in mon.events:
        per_token[-1].append(e)
        if e[0] == "done":
            per_token.append([])
    assert per_token[-1] == [], f"events after the last done: {per_token[-1][:5]}"
    assert len(per_token) - 1 == len(tokens), f"{len(per_token) - 1} done pulses for {len(tokens)} tokens"
    kinds = {OK: 0, EARLY: 0, LATE: 0}
    # per_token ends with the empty list opened by the last done pulse (checked above)
    for i, ((d_model, beats), ev) in enumerate(zip(tokens, per_token[:-1], strict=True)):
        n_exp = d_model // bus_bytes
        exp_writes, exp_code = reference(beats, n_exp, bus_bytes)
        kinds[exp_code] += 1
        got_writes = [(e[2], e[3]) for e in ev if e[0] == "w"]
        got_beats = [e[1] for e in ev if e[0] == "beat"]
        done = ev[-1]
        assert len(got_beats) == len(beats), f"token {i}: {len(got_beats)} beats consumed, sent {len(beats)}"
        assert all(t > starts[i] for t in got_beats), f"token {i}: beat accepted before/at its start"
        assert got_writes == exp_writes, (f"token {i} (d_model {d_model}, {len(beats)} beats): writes differ; "
                                          f"got {[(a, hex(d)) for a, d in got_writes][:6]} expected "
                                          f"{[(a, hex(d)) for a, d in exp_writes][:6]}")
        assert (done[2], done[3]) == (int(exp_code != OK), exp_code), \
            f"token {i}: done err={done[2]} code={done[3]}, expected code {exp_code}"
    dut._log.info(f"{len(tokens)} tokens: {kinds[OK]} good, {kinds[EARLY]} early, {kinds[LATE]} late")
    mon.events.clear()


@cocotb.test()
async def test_tokens_random(dut: Any) -> None:
    counter, rng, bus_bytes, mon = await setup(dut)
    kinds = ["good", "good", "early", "late", "keep"]
    tokens = [make_token(rng, "good", bus_bytes)]
    for _ in range(60):
        kind = rng.choice(kinds)
        tokens.append(make_token(rng, kind, bus_bytes))
        if kind in ("early", "late"):
            tokens.append(make_token(rng, "good", bus_bytes))      # a good token right after a failed one
    await run_tokens(dut, tokens, counter, rng, mon, bus_bytes, p_idle=0.3)
    # and once with no gaps at all
    tokens = [make_token(rng, rng.choice(kinds), bus_bytes) for _ in range(20)]
    await run_tokens(dut, tokens, counter, rng, mon, bus_bytes, p_idle=0.0)


@cocotb.test()
async def test_not_armed(dut: Any) -> None:
    _counter, _rng, bus_bytes, mon = await setup(dut)
    dut.s_axis_tvalid_i.value = 1
    dut.s_axis_tlast_i.value = 1
    dut.s_axis_tkeep_i.value = (1 << bus_bytes) - 1
    for _ in range(20):
        await RisingEdge(dut.clk_i)
        assert not dut.s_axis_tready_o.value, "TREADY high while not armed"
    dut.s_axis_tvalid_i.value = 0
    assert not mon.events, mon.events


@cocotb.test()
async def test_timing(dut: Any) -> None:
    counter, rng, bus_bytes, mon = await setup(dut)
    n = MAX_BEATS
    beats = split_beats(rng.randbytes(n * bus_bytes), bus_bytes)
    await run_tokens(dut, [(n * bus_bytes, beats)], counter, rng, mon, bus_bytes, p_idle=0.0)
    # run again, keeping the log this time
    src = axis_source(dut, "s_axis_", rng, counter)
    dut.start_i.value = 1
    dut.d_model_i.value = n * bus_bytes
    send = cocotb.start_soon(src.send(beat_items(beats)))
    await RisingEdge(dut.clk_i)
    dut.start_i.value = 0
    for _ in range(n + 10):
        await RisingEdge(dut.clk_i)
    assert send.done()
    beat_at = [e[1] for e in mon.events if e[0] == "beat"]
    w_at = [e[1] for e in mon.events if e[0] == "w"]
    done_at = [e[1] for e in mon.events if e[0] == "done"]
    assert len(beat_at) == n and beat_at[-1] - beat_at[0] == n - 1, f"not 1 beat/cycle: {beat_at}"
    assert w_at == [t + 1 for t in beat_at], f"write latency is not 1 cycle: beats {beat_at} writes {w_at}"
    assert done_at == [beat_at[-1] + 1], f"done at {done_at}, last beat at {beat_at[-1]}"
