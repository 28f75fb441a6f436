"""Small AXI4-Stream BFMs for the cocotb tests of rtl/le_axis_*.sv (imported in the simulator).

Cycle-level, same sampling convention as verif/valid_ready.py: values read right after `RisingEdge` are the
ones the design saw at that edge; a transfer happens on an edge where TVALID and TREADY are both high.

  AxisSource  drives <prefix>tdata/tkeep/tlast/tvalid with random idle cycles between beats and holds
              the payload stable until TREADY (by construction); records the cycle of every transfer.
  AxisSink    drives <prefix>tready with random backpressure and checks the master's rules every cycle:
              once TVALID is high it stays high with TDATA/TKEEP/TLAST unchanged until the transfer.
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

from cocotb.triggers import RisingEdge

from verif.valid_ready import Cycles


@dataclass(frozen=True)
class Beat:
    data: int
    keep: int
    last: bool


def split_beats(payload: bytes, bus_bytes: int) -> list[Beat]:
    """models/driver.py step 5: byte i in lane i % bus_bytes of beat i // bus_bytes, TLAST on the final
    beat, a partial final beat has TKEEP set for its valid bytes only (its other lanes are driven 0)."""
    beats = []
    n = -(-len(payload) // bus_bytes)
    for k in range(n):
        chunk = payload[k * bus_bytes:(k + 1) * bus_bytes]
        beats.append(Beat(int.from_bytes(chunk, "little"), (1 << len(chunk)) - 1, k == n - 1))
    return beats


class AxisSource:
    def __init__(self, dut: Any, prefix: str, clk: Any, rng: random.Random, counter: Cycles,
                 p_idle: float = 0.0) -> None:
        self.clk, self.rng, self.counter, self.p_idle = clk, rng, counter, p_idle
        self.tdata = getattr(dut, f"{prefix}tdata_i")
        self.tkeep = getattr(dut, f"{prefix}tkeep_i")
        self.tlast = getattr(dut, f"{prefix}tlast_i")
        self.tvalid = getattr(dut, f"{prefix}tvalid_i")
        self.tready = getattr(dut, f"{prefix}tready_o")
        self.sent_at: list[int] = []
        self.tvalid.value = 0

    async def send(self, beats: list[Beat]) -> None:
        for beat in beats:
            while self.rng.random() < self.p_idle:
                self.tvalid.value = 0
                await RisingEdge(self.clk)
            self.tdata.value = beat.data
            self.tkeep.value = beat.keep
            self.tlast.value = int(beat.last)
            self.tvalid.value = 1
            while True:
                await RisingEdge(self.clk)
                if self.tready.value:
                    break
            self.sent_at.append(self.counter.now)
        self.tvalid.value = 0


@dataclass
class AxisSink:
    dut: Any
    prefix: str
    clk: Any
    rng: random.Random
    counter: Cycles
    p_stall: float = 0.0
    beats: list[Beat] = field(default_factory=list)
    got_at: list[int] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        p = self.prefix
        self.tdata = getattr(self.dut, f"{p}tdata_o")
        self.tkeep = getattr(self.dut, f"{p}tkeep_o")
        self.tlast = getattr(self.dut, f"{p}tlast_o")
        self.tvalid = getattr(self.dut, f"{p}tvalid_o")
        self.tready = getattr(self.dut, f"{p}tready_i")
        self.tready.value = 0

    def _read(self) -> Beat:
        return Beat(int(self.tdata.value), int(self.tkeep.value), bool(self.tlast.value))

    async def run(self) -> None:
        pending: Beat | None = None
        while True:
            self.tready.value = 0 if self.rng.random() < self.p_stall else 1
            await RisingEdge(self.clk)
            valid = bool(self.tvalid.value)
            if pending is not None:
                if not valid:
                    self.errors.append(f"TVALID dropped before TREADY (cycle {self.counter.now})")
                elif self._read() != pending:
                    self.errors.append(f"payload changed while stalled (cycle {self.counter.now}): "
                                       f"{pending} -> {self._read()}")
            if not valid:
                pending = None
                continue
            beat = self._read()
            if self.tready.value:
                self.beats.append(beat)
                self.got_at.append(self.counter.now)
                pending = None
            else:
                pending = beat
