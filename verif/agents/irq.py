"""irq monitor agent (passive only): publishes every edge of the level interrupt and lets a sequence wait for it.

  IrqItem     level (0/1) and the simulation time in ns of the edge
  IrqConfig   the DUT handle and the signal name
  IrqMonitor  sleeps on the pin's edges (never per cycle); `ap` carries each edge; `wait_high(timeout_ns)`
              returns at once if irq is already high; X/Z on irq after reset is a protocol error
  IrqAgent    builds the monitor from the ConfigDB key "irq_cfg"
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from cocotb.triggers import Event, SimTimeoutError, with_timeout
from cocotb.utils import get_sim_time
from pyuvm import ConfigDB, uvm_agent, uvm_analysis_port, uvm_monitor, uvm_sequence_item

from verif.bfm.axil_master import find_signal


class IrqItem(uvm_sequence_item):
    def __init__(self, name: str = "irq_item", level: int = 0, time_ns: float = 0.0) -> None:
        super().__init__(name)
        self.level, self.time_ns = level, time_ns

    def __str__(self) -> str:
        return f"irq {'rise' if self.level else 'fall'} @ {self.time_ns:.0f} ns"


@dataclass
class IrqConfig:
    dut: Any
    name: str = "irq"


class IrqMonitor(uvm_monitor):
    def build_phase(self) -> None:
        self.cfg: IrqConfig = ConfigDB().get(self, "", "irq_cfg")
        self.ap = uvm_analysis_port("ap", self)
        self.rises = 0
        self.errors: list[str] = []
        self._high = Event()

    @property
    def level(self) -> int:
        try:
            return int(self.pin.value)
        except ValueError:
            return 0

    async def run_phase(self) -> None:
        self.pin = find_signal(self.cfg.dut, self.cfg.name)
        while True:
            await self.pin.value_change
            try:
                level = int(self.pin.value)
            except ValueError:
                self.errors.append(f"irq is X/Z at {get_sim_time('ns'):.0f} ns")
                continue
            if level:
                self.rises += 1
                self._high.set()
            else:
                self._high.clear()
            self.ap.write(IrqItem(level=level, time_ns=get_sim_time("ns")))

    async def wait_high(self, timeout_ns: float | None = None) -> None:
        """Return when irq is high; TimeoutError after `timeout_ns` of simulated time."""
        if self.level:
            return
        self._high.clear()
        if timeout_ns is None:
            await self._high.wait()
            return
        try:
            await with_timeout(self._high.wait(), max(1, int(timeout_ns)), "ns")
        except SimTimeoutError:
            raise TimeoutError(f"irq not raised within {timeout_ns:.0f} ns") from None

    def check_phase(self) -> None:
        for e in self.errors:
            self.logger.error(e)
        if self.errors:
            raise AssertionError(f"irq: {self.errors[0]}")


class IrqAgent(uvm_agent):
    def build_phase(self) -> None:
        self.monitor = IrqMonitor("monitor", self)
