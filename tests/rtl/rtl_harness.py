"""Shared cocotb harness for the element-wise operator tests in tests/rtl/ (imported in the simulator).

Every operator test follows the same plan:
  1. reset (synchronous, active low), check the output stream is empty;
  2. stress: the vectors through `verif.valid_ready` BFMs with random idle (source) and random stall
     (sink) cycles; every output is compared with the golden function of models/ops.py evaluated on the
     same inputs (expected values never come from the DUT); the sink's protocol errors must be empty;
     no extra output may appear;
  3. timing: a no-stall burst measures the initiation interval and the per-item latency (input transfer
     -> output transfer) and asserts both equal the values documented in the RTL file's header.

The pytest launchers (tests/rtl/test_rtl_*.py) also import this module for the source lists.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[2]
RTL_DIR = REPO_ROOT / "rtl"
RUNS_DIR = REPO_ROOT / "build" / "sim" / "runs"
PKG = RTL_DIR / "le_pkg.sv"
PIPE_CTRL = RTL_DIR / "le_pipe_ctrl.sv"
SEED = 20250601                     # fixed cocotb seed of every launcher (COCOTB_RANDOM_SEED)

STRESS_P_IDLE = 0.3                 # source idle probability per item in the stress phase
STRESS_P_STALL = 0.3                # sink stall probability per cycle in the stress phase
TIMING_ITEMS = 256                  # items in the no-stall timing burst
SIM_TIMEOUT_MS = 20                 # backstop per cocotb test: 2M cycles of 10 ns (a run needs < 0.25 ms)


def sources(*modules: str) -> list[Path]:
    """Package first, then the pipeline control, then the named rtl/ modules (dependencies first)."""
    return [PKG, PIPE_CTRL, *(RTL_DIR / f"{m}.sv" for m in modules)]


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
    import cocotb

    if name in cocotb.plusargs:
        return int(cocotb.plusargs[name])
    if default is None:
        raise AssertionError(f"plusarg +{name}=<int> missing (the pytest launcher passes it)")
    return default


# --------------------------------------------------------------------------- simulation helpers
# cocotb is imported lazily so that the pytest launchers can import this module without a simulator.


async def reset(dut: Any, idle_inputs: dict[str, int] | None = None, cycles: int = 3) -> Any:
    """Start the 10 ns clock and the cycle counter, hold rst_ni low, and check the output is empty."""
    import cocotb
    from cocotb.clock import Clock
    from cocotb.triggers import ReadOnly, RisingEdge

    from verif.valid_ready import Cycles

    dut.rst_ni.value = 0
    dut.in_valid_i.value = 0
    dut.out_ready_i.value = 0
    for name, value in (idle_inputs or {}).items():
        getattr(dut, name).value = value
    Clock(dut.clk_i, 10, unit="ns").start()
    counter = Cycles()
    cocotb.start_soon(counter.run(dut.clk_i))
    for _ in range(cycles):
        await RisingEdge(dut.clk_i)
    dut.rst_ni.value = 1
    await RisingEdge(dut.clk_i)
    await ReadOnly()
    assert not dut.out_valid_o.value, "out_valid_o must be low after reset"
    await RisingEdge(dut.clk_i)
    return counter


@dataclass
class StreamRun:
    got: list[dict[str, int]]
    sent_at: list[int]
    got_at: list[int]
    cycles: int


async def run_stream(dut: Any, items: Sequence[dict[str, int]], in_fields: Sequence[str],
                     out_fields: Sequence[str], signed_out: Sequence[str], rng: random.Random,
                     counter: Any, p_idle: float, p_stall: float, drain_cycles: int = 32,
                     concurrent: Callable[[], Any] | None = None,
                     timeout_cycles: int | None = None) -> StreamRun:
    """Send `items` through the DUT's in/out streams and collect exactly len(items) outputs.

    After the last expected output the sink keeps running for `drain_cycles` more cycles so that a
    duplicated or spurious output is caught. `concurrent` (optional) is a coroutine function run
    alongside the stream (the act_lut test writes table banks with it); it is awaited before returning.
    `timeout_cycles` overrides the default bound for operators whose latency is not per item (softmax rows).
    """
    import cocotb
    from cocotb.triggers import RisingEdge

    from verif.valid_ready import StreamSink, StreamSource

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


def compare(label: str, items: Sequence[dict[str, int]], got: Sequence[int], expected: Sequence[int]) -> None:
    """Assert got == expected element by element; report the first mismatches with their inputs."""
    assert len(got) == len(expected)
    bad = [i for i, (g, e) in enumerate(zip(got, expected)) if g != e]
    if bad:
        lines = [f"#{i}: in={dict(items[i])} got {got[i]} expected {expected[i]}" for i in bad[:10]]
        raise AssertionError(f"{label}: {len(bad)} of {len(got)} outputs differ from the golden model:\n  "
                             + "\n  ".join(lines))


async def check_timing(dut: Any, module: str, items: Sequence[dict[str, int]], in_fields: Sequence[str],
                       out_fields: Sequence[str], signed_out: Sequence[str], rng: random.Random,
                       counter: Any, out_field: str, expected: Sequence[int]) -> tuple[float, int]:
    """No-stall burst: assert the documented II and latency exactly (and the values); return them."""
    from verif.valid_ready import initiation_interval

    doc = documented_timing(module)
    run = await run_stream(dut, items, in_fields, out_fields, signed_out, rng, counter, p_idle=0.0, p_stall=0.0)
    compare(f"{module} timing burst", items, [g[out_field] for g in run.got], expected)
    ii_in = initiation_interval(run.sent_at)
    ii_out = initiation_interval(run.got_at)
    latencies = sorted({g - s for s, g in zip(run.sent_at, run.got_at)})
    dut._log.info("%s: measured II in %.3f / out %.3f (documented %d), latency %s cycles (documented %d)",
                  module, ii_in, ii_out, doc.ii, latencies, doc.latency)
    assert ii_in == float(doc.ii), f"input II {ii_in} != documented {doc.ii}"
    assert ii_out == float(doc.ii), f"output II {ii_out} != documented {doc.ii}"
    assert latencies == [doc.latency], f"latencies {latencies} != documented {doc.latency}"
    return ii_out, latencies[0]
