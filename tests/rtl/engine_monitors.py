"""Monitors of the layer_engine cocotb tests: a snapshot of the AXI memory model at every irq rise (to check that
DONE / ERROR is raised with the bus drained and that nothing moves afterwards), and a clock-cycle counter."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from cocotb.triggers import ReadOnly, RisingEdge

from verif.axi_mem import AxiMem

__all__ = ["IrqRise", "IrqWatch", "Counter"]


@dataclass
class IrqRise:
    """The memory model's state at one rising edge of irq."""

    cycle: int
    rd_outstanding: int
    wr_outstanding: int
    early_w: int
    requesting: list[str]       # AXI valids high at that instant (a new request after the token ended)
    rd_bursts: int
    wr_bursts: int

    def drained(self) -> bool:
        """No AXI burst outstanding, no early W beat buffered and no AXI valid high."""
        return not (self.rd_outstanding or self.wr_outstanding or self.early_w or self.requesting)

    def __str__(self) -> str:
        return (f"irq rose at cycle {self.cycle} with {self.rd_outstanding} read / {self.wr_outstanding} write bursts "
                f"outstanding, {self.early_w} early W beats, valids high: {self.requesting or 'none'}")


class IrqWatch:
    """Snapshots the memory model at every rising edge of irq (ReadOnly: the memory has processed that edge)."""

    def __init__(self, dut: Any, mem: AxiMem, cycles: Callable[[], int]) -> None:
        self.dut, self.mem, self.cycles = dut, mem, cycles
        self.rises: list[IrqRise] = []

    async def run(self) -> None:
        """Append one IrqRise to `rises` per rising edge of irq, forever (cancel the task to stop)."""
        d, mem = self.dut, self.mem
        assert mem.wr is not None
        while True:
            await RisingEdge(d.irq)
            await ReadOnly()
            req = [n for n in ("m_axi_arvalid", "m_axi_awvalid", "m_axi_wvalid") if int(getattr(d, n).value)]
            self.rises.append(IrqRise(self.cycles(), mem.rd_outstanding, mem.wr.outstanding, mem.wr.early_buffered,
                                      req, mem.stats.bursts, mem.wr.stats.bursts))


class Counter:
    """Counts rising edges of the clock given to `run` (`now`)."""

    def __init__(self) -> None:
        self.now = 0

    async def run(self, clk: Any) -> None:
        while True:
            await RisingEdge(clk)
            self.now += 1
