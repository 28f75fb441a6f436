"""Valid/ready stream BFMs for cocotb 2.x: a source with random idle gaps, a sink with random backpressure
and a protocol check, and cycle stamps for throughput (initiation interval) and latency measurement.

Convention (lowRISC style, rtl/): a stream named `in` has `in_valid_i`, `in_ready_o` and payload fields
`in_<field>_i`; a stream named `out` has `out_valid_o`, `out_ready_i`, `out_<field>_o`. A transfer happens on
a rising clock edge where valid and ready are both high. Sampling follows cocotbext-axi: values read right
after `RisingEdge` are the ones the design saw at that edge.
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any, Iterable

from cocotb.triggers import RisingEdge


def _handle(dut: Any, name: str) -> Any:
    try:
        return getattr(dut, name)
    except AttributeError:
        raise AttributeError(f"{dut._name} has no signal {name!r} (stream port naming: see verif/valid_ready.py)") from None


@dataclass
class Cycles:
    """Counts rising edges; `now` is the index of the current cycle."""
    now: int = 0

    async def run(self, clk: Any) -> None:
        while True:
            await RisingEdge(clk)
            self.now += 1


class StreamSource:
    """Drives items onto `<name>_valid_i/<name>_ready_o/<name>_<field>_i` with random idle cycles."""

    def __init__(self, dut: Any, name: str, fields: Iterable[str], clk: Any, rng: random.Random,
                 p_idle: float = 0.0, cycles: Cycles | None = None) -> None:
        self.clk, self.rng, self.p_idle, self.cycles = clk, rng, p_idle, cycles
        self.valid = _handle(dut, f"{name}_valid_i")
        self.ready = _handle(dut, f"{name}_ready_o")
        self.fields = {f: _handle(dut, f"{name}_{f}_i") for f in fields}
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
    """Accepts items from `<name>_valid_o/<name>_ready_i/<name>_<field>_o` with random backpressure.

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
    items: list[dict[str, int]] = field(default_factory=list)
    got_at: list[int] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.valid = _handle(self.dut, f"{self.name}_valid_o")
        self.ready = _handle(self.dut, f"{self.name}_ready_i")
        self.handles = {f: _handle(self.dut, f"{self.name}_{f}_o") for f in self.fields}
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
                    self.errors.append(f"{self.name}: payload changed while stalled (cycle {self._now()})")
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
