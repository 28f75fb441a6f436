"""The one valid/ready harness of the operator tests in tests/rtl/ (cocotb 2.x, imported in the simulator).

Stream BFMs: a source with random idle gaps, a sink with random backpressure and a protocol check, cycle
stamps for throughput (initiation interval) and latency; and the plan every operator test follows:
  1. `reset` (synchronous, active low), the output stream empty afterwards;
  2. stress: the vectors through the BFMs with random idle (source) and stall (sink) cycles (p = 0.3); every
     output is compared (`compare`) with the golden function of models/ops.py evaluated on the same inputs
     (expected values never come from the DUT); the sink's protocol errors must be empty and no extra
     output may appear (`run_stream`, `drain_and_check`);
  3. timing: a no-stall burst measures the initiation interval and the latency and asserts both equal the
     values documented in the RTL file's header (`documented_timing`, `check_timing`).

Port naming (lowRISC style, rtl/): a stream named `in` has `in_valid_i`, `in_ready_o` and payload fields
`in_<field>_i`; a stream named `out` has `out_valid_o`, `out_ready_i`, `out_<field>_o`. `sep` changes the
separator: AXI4-Stream ports `s_axis_tvalid_i`, `s_axis_tdata_i` are the stream "s_axis_t" with sep "".
A transfer happens on a rising clock edge where valid and ready are both high. Sampling follows
cocotbext-axi: values read right after `RisingEdge` are the ones the design saw at that edge.
"""
from __future__ import annotations

import random
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import cocotb
from cocotb.clock import Clock
from cocotb.handle import Immediate
from cocotb.triggers import ReadOnly, RisingEdge

from verif.lanes import compare, inputs_of
from verif.settings import plusarg

RTL_DIR = Path(__file__).resolve().parents[1] / "rtl"
STRESS_P_IDLE = 0.3                 # source idle probability per item in the stress phase
STRESS_P_STALL = 0.3                # sink stall probability per cycle in the stress phase
TIMING_ITEMS = 256                  # items in the no-stall timing burst
SIM_TIMEOUT_MS = 20                 # backstop per cocotb test: 2M cycles of 10 ns (a run needs < 0.25 ms)


def _handle(dut: Any, name: str) -> Any:
    try:
        return getattr(dut, name)
    except AttributeError:
        raise AttributeError(f"{dut._name} has no signal {name!r} "
                             "(stream port naming: see verif/valid_ready.py)") from None


# --------------------------------------------------------------------------- cycle stamps and BFMs


@dataclass
class Cycles:
    """Counts rising edges; `now` is the index of the current cycle."""
    now: int = 0

    async def run(self, clk: Any) -> None:
        while True:
            await RisingEdge(clk)
            self.now += 1


class StreamSource:
    """Drives items onto `<name><sep>valid_i/<name><sep>ready_o/<name><sep><field>_i` with random idle cycles."""

    def __init__(self, dut: Any, name: str, fields: Iterable[str], clk: Any, rng: random.Random,
                 p_idle: float = 0.0, cycles: Cycles | None = None, sep: str = "_") -> None:
        self.clk, self.rng, self.p_idle, self.cycles = clk, rng, p_idle, cycles
        self.valid = _handle(dut, f"{name}{sep}valid_i")
        self.ready = _handle(dut, f"{name}{sep}ready_o")
        self.fields = {f: _handle(dut, f"{name}{sep}{f}_i") for f in fields}
        self.sent_at: list[int] = []
        self.valid.value = 0

    async def send(self, items: Iterable[dict[str, int]]) -> None:
        for item in items:
            while self.rng.random() < self.p_idle:
                self.valid.value = 0
                await RisingEdge(self.clk)
            for f, h in self.fields.items():
                h.value = item[f]
            self.valid.value = 1
            while True:
                await RisingEdge(self.clk)
                if self.ready.value:
                    break
            if self.cycles is not None:
                self.sent_at.append(self.cycles.now)
        self.valid.value = 0


@dataclass
class StreamSink:
    """Accepts items from `<name><sep>valid_o/<name><sep>ready_i/<name><sep><field>_o` with random backpressure.

    Checks the valid/ready rules on every cycle: once valid is high it stays high, with a stable payload,
    until the transfer. Violations are collected in `errors` (the test asserts it is empty).
    """
    dut: Any
    name: str
    fields: tuple[str, ...]
    clk: Any
    rng: random.Random
    p_stall: float = 0.0
    signed: tuple[str, ...] = ()
    cycles: Cycles | None = None
    sep: str = "_"
    items: list[dict[str, int]] = field(default_factory=list)
    got_at: list[int] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.valid = _handle(self.dut, f"{self.name}{self.sep}valid_o")
        self.ready = _handle(self.dut, f"{self.name}{self.sep}ready_i")
        self.handles = {f: _handle(self.dut, f"{self.name}{self.sep}{f}_o") for f in self.fields}
        self.ready.value = 0

    def _read(self) -> dict[str, int]:
        # int() covers 1-bit fields too (cocotb 2 returns Logic there, which has no to_unsigned()).
        return {f: (h.value.to_signed() if f in self.signed else int(h.value)) for f, h in self.handles.items()}

    async def run(self) -> None:
        pending: dict[str, int] | None = None     # payload offered but not yet accepted
        while True:
            self.ready.value = 0 if self.rng.random() < self.p_stall else 1
            await RisingEdge(self.clk)
            valid = bool(self.valid.value)
            if pending is not None:
                if not valid:
                    self.errors.append(f"{self.name}: valid dropped before ready (cycle {self._now()})")
                elif self._read() != pending:
                    self.errors.append(f"{self.name}: payload changed while stalled (cycle {self._now()}): "
                                       f"{pending} -> {self._read()}")
            if not valid:
                pending = None
                continue
            item = self._read()
            if self.ready.value:
                self.items.append(item)
                self.got_at.append(self._now())
                pending = None
            else:
                pending = item

    def _now(self) -> int:
        return self.cycles.now if self.cycles is not None else -1

    async def wait_for(self, n: int, timeout_cycles: int) -> None:
        for _ in range(timeout_cycles):
            if len(self.items) >= n:
                return
            await RisingEdge(self.clk)
        raise TimeoutError(f"{self.name}: {len(self.items)} of {n} items after {timeout_cycles} cycles")


def initiation_interval(stamps: list[int]) -> float:
    """Mean cycles between consecutive transfers (1.0 = one item per cycle)."""
    if len(stamps) < 2:
        raise ValueError("need at least two transfers to measure an initiation interval")
    return (stamps[-1] - stamps[0]) / (len(stamps) - 1)


class EdgeLog:
    """Independent timing reference: the edge index (own count) of every transfer on the given streams."""

    def __init__(self, dut: Any, streams: dict[str, tuple[str, str]]) -> None:
        self.dut = dut
        self.handles = {k: (getattr(dut, v), getattr(dut, r)) for k, (v, r) in streams.items()}
        self.at: dict[str, list[int]] = {k: [] for k in streams}

    async def run(self) -> None:
        edge = 0
        while True:
            await RisingEdge(self.dut.clk_i)
            edge += 1
            for k, (v, r) in self.handles.items():
                if v.value and r.value:
                    self.at[k].append(edge)


async def count_backpressure(dut: Any, valid: str, ready: str, stats: dict[str, int]) -> None:
    """Counts cycles in which `valid` is high and `ready` low (the DUT refusing an offered item)."""
    v, r = getattr(dut, valid), getattr(dut, ready)
    while True:
        await RisingEdge(dut.clk_i)
        if v.value and not r.value:
            stats[valid] = stats.get(valid, 0) + 1


# --------------------------------------------------------------------------- header numbers and plusargs


@dataclass(frozen=True)
class Timing:
    latency: int
    ii: int


LATENCY = r"^//\s*Latency:\s*(\d+)\s+cycles?"
INITIATION_INTERVAL = r"^//\s*Initiation interval:\s*(\d+)\s+cycles?"


def header_number(module: str, pattern: str) -> int:
    """The integer that `pattern` (one group, multiline) captures in the header of rtl/<module>.sv."""
    m = re.search(pattern, (RTL_DIR / f"{module}.sv").read_text(), re.MULTILINE)
    if not m:
        raise AssertionError(f"rtl/{module}.sv: the header must document {pattern!r}")
    return int(m.group(1))


def documented_timing(module: str) -> Timing:
    """Latency and initiation interval ('Latency: N cycles', 'Initiation interval: N cycle') of rtl/<module>.sv."""
    return Timing(latency=header_number(module, LATENCY), ii=header_number(module, INITIATION_INTERVAL))


def plusarg_int(name: str, default: int | None = None) -> int:
    """An integer plusarg set by the pytest launcher (`default` when given and the plusarg is absent)."""
    value = plusarg(name)
    if value is not None:
        return int(value)
    if default is None:
        raise AssertionError(f"plusarg +{name}=<int> missing (the pytest launcher passes it)")
    return default


# --------------------------------------------------------------------------- reset and stream runs


async def reset(dut: Any, idle_inputs: dict[str, int], cycles: int = 3,
                empty: Sequence[str] = ("out_valid_o",), high: Sequence[str] = ()) -> Cycles:
    """Start the 10 ns clock and the cycle counter, drive the idle inputs (and in_valid_i/out_ready_i low where
    the DUT has them), pulse rst_ni low; then check every output named in `empty` is low and every output named in
    `high` (e.g. idle_o) is high. rst_ni is deposited at once: the clock's first edge is at time 0."""
    dut.rst_ni.value = Immediate(0)
    for name in ("in_valid_i", "out_ready_i"):
        if hasattr(dut, name):
            getattr(dut, name).value = 0
    for name, value in idle_inputs.items():
        getattr(dut, name).value = value
    Clock(dut.clk_i, 10, unit="ns").start()
    counter = Cycles()
    cocotb.start_soon(counter.run(dut.clk_i))
    for _ in range(cycles):
        await RisingEdge(dut.clk_i)
    dut.rst_ni.value = 1
    await RisingEdge(dut.clk_i)
    if empty or high:
        await ReadOnly()
        for name in empty:
            assert not getattr(dut, name).value, f"{name} must be low after reset"
        for name in high:
            assert getattr(dut, name).value, f"{name} must be high after reset"
        await RisingEdge(dut.clk_i)
    return counter


async def drain_and_check(dut: Any, sink: StreamSink, n: int, timeout_cycles: int, extra_cycles: int = 40) -> None:
    """Wait for n outputs, keep the sink running `extra_cycles` more (to catch duplicates), check protocol."""
    await sink.wait_for(n, timeout_cycles=timeout_cycles)
    for _ in range(extra_cycles):
        await RisingEdge(dut.clk_i)
    assert not sink.errors, "valid/ready protocol errors:\n  " + "\n  ".join(sink.errors[:20])
    assert len(sink.items) == n, f"{len(sink.items)} outputs for {n} expected (duplicate/spurious output)"


@dataclass
class StreamRun:
    got: list[dict[str, int]]
    sent_at: list[int]
    got_at: list[int]
    cycles: int


async def run_stream(dut: Any, items: Sequence[dict[str, int]], in_fields: Sequence[str],
                     out_fields: Sequence[str], signed_out: Sequence[str], rng: random.Random,
                     counter: Cycles, p_idle: float, p_stall: float, drain_cycles: int = 32,
                     concurrent: Callable[[], Any] | None = None,
                     timeout_cycles: int | None = None) -> StreamRun:
    """Send `items` through the DUT's in/out streams and collect exactly len(items) outputs.

    After the last expected output the sink keeps running for `drain_cycles` more cycles so that a
    duplicated or spurious output is caught. `concurrent` (optional) is a coroutine function run
    alongside the stream (the act_lut test writes table banks with it); it is awaited before returning.
    `timeout_cycles` overrides the default bound for operators whose latency is not per item (softmax rows).
    """
    source = StreamSource(dut, "in", in_fields, dut.clk_i, rng, p_idle=p_idle, cycles=counter)
    sink = StreamSink(dut, "out", tuple(out_fields), dut.clk_i, rng, p_stall=p_stall,
                      signed=tuple(signed_out), cycles=counter)
    start = counter.now
    sink_task = cocotb.start_soon(sink.run())
    side_task = cocotb.start_soon(concurrent()) if concurrent is not None else None
    send_task = cocotb.start_soon(source.send(items))
    # Worst case per item: the expected idle and stall runs, with a wide margin. Wait on all three
    # conditions in one bounded loop: a DUT that never raises in_ready_o must fail, not hang.
    timeout = timeout_cycles or 64 + int(len(items) * 8 / max(1e-3, (1 - p_idle) * (1 - p_stall)))
    for _ in range(timeout):
        if send_task.done() and (side_task is None or side_task.done()) and len(sink.items) >= len(items):
            break
        await RisingEdge(dut.clk_i)
    else:
        sink_task.cancel()
        raise AssertionError(f"stream stuck after {timeout} cycles: {len(source.sent_at)} of {len(items)} inputs "
                             f"accepted, {len(sink.items)} outputs received")
    for _ in range(drain_cycles):
        await RisingEdge(dut.clk_i)
    sink_task.cancel()
    dut.out_ready_i.value = 0
    assert not sink.errors, "valid/ready protocol errors:\n  " + "\n  ".join(sink.errors[:20])
    assert len(sink.items) == len(items), f"{len(sink.items)} outputs for {len(items)} inputs (duplicate/spurious)"
    assert len(source.sent_at) == len(items)
    return StreamRun(got=sink.items, sent_at=source.sent_at, got_at=sink.got_at, cycles=counter.now - start)


async def check_timing(dut: Any, module: str, items: Sequence[dict[str, int]], in_fields: Sequence[str],
                       out_fields: Sequence[str], signed_out: Sequence[str], rng: random.Random,
                       counter: Cycles, out_field: str, expected: Sequence[int]) -> tuple[float, int]:
    """No-stall burst: assert the documented II and latency exactly (and the values); return them."""
    doc = documented_timing(module)
    run = await run_stream(dut, items, in_fields, out_fields, signed_out, rng, counter, p_idle=0.0, p_stall=0.0)
    compare(f"{module} timing burst", [g[out_field] for g in run.got], expected, inputs_of(items))
    ii_in = initiation_interval(run.sent_at)
    ii_out = initiation_interval(run.got_at)
    latencies = sorted({g - s for s, g in zip(run.sent_at, run.got_at, strict=False)})
    dut._log.info("%s: measured II in %.3f / out %.3f (documented %d), latency %s cycles (documented %d)",
                  module, ii_in, ii_out, doc.ii, latencies, doc.latency)
    assert ii_in == float(doc.ii), f"input II {ii_in} != documented {doc.ii}"
    assert ii_out == float(doc.ii), f"output II {ii_out} != documented {doc.ii}"
    assert latencies == [doc.latency], f"latencies {latencies} != documented {doc.latency}"
    return ii_out, latencies[0]


# --------------------------------------------------------------------------- AXI4-Stream beats
# An AXI4-Stream port is a valid/ready stream named "<prefix>t" with separator "": s_axis_tvalid_i, s_axis_tdata_i,
# s_axis_tkeep_i, s_axis_tlast_i. `axis_source` / `axis_sink` build the BFMs above on it; `beat_items` and
# `beats_of` convert between Beats and the BFMs' items.
AXIS_FIELDS = ("data", "keep", "last")


@dataclass(frozen=True)
class Beat:
    data: int
    keep: int
    last: bool


def split_beats(payload: bytes, bus_bytes: int) -> list[Beat]:
    """models/driver.py step 5: byte i in lane i % bus_bytes of beat i // bus_bytes, TLAST on the final
    beat, a partial final beat has TKEEP set for its valid bytes only (its other lanes are driven 0)."""
    n = -(-len(payload) // bus_bytes)
    chunks = [payload[k * bus_bytes:(k + 1) * bus_bytes] for k in range(n)]
    return [Beat(int.from_bytes(c, "little"), (1 << len(c)) - 1, k == n - 1) for k, c in enumerate(chunks)]


def axis_source(dut: Any, prefix: str, rng: random.Random, counter: Cycles, p_idle: float = 0.0) -> StreamSource:
    """Source on the AXI4-Stream slave port `<prefix>t*_i` (e.g. prefix "s_axis_")."""
    return StreamSource(dut, f"{prefix}t", AXIS_FIELDS, dut.clk_i, rng, p_idle=p_idle, cycles=counter, sep="")


def axis_sink(dut: Any, prefix: str, rng: random.Random, counter: Cycles, p_stall: float = 0.0) -> StreamSink:
    """Sink on the AXI4-Stream master port `<prefix>t*_o`; checks TVALID and the payload stay stable while stalled."""
    return StreamSink(dut, f"{prefix}t", AXIS_FIELDS, dut.clk_i, rng, p_stall=p_stall, cycles=counter, sep="")


def beat_items(beats: Iterable[Beat]) -> list[dict[str, int]]:
    """Source items of the beats."""
    return [{"data": b.data, "keep": b.keep, "last": int(b.last)} for b in beats]


def beats_of(sink: StreamSink) -> list[Beat]:
    """The beats an AXI4-Stream sink received."""
    return [Beat(it["data"], it["keep"], bool(it["last"])) for it in sink.items]
