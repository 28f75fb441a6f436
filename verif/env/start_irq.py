"""StartToIrq: how long a token took as the testbench saw it, for the exact PERF_CYCLES check.

Subscribes to the AXI4-Lite monitor (verif/agents/axil.py) and the irq monitor (verif/agents/irq.py): the sim time
of the last completed write of CTRL with START set (its B handshake), then the irq's next rise. PERF_CYCLES of a
completed token equals that span in clock cycles exactly (the counter runs from the cycle after the START write
to the cycle DONE is set, the irq rises with DONE): verif/env/scoreboard.py TokenChecker checks it, for the pyuvm
env from here and for the SystemC harness from its transaction records (regress/sctxn.py).
"""
from __future__ import annotations

from typing import Any

from pyuvm import uvm_component, uvm_subscriber

from models.csr_map import REGISTERS
from models.driver import CTRL_START


def _now_ns() -> float:
    from cocotb.utils import get_sim_time
    return float(get_sim_time("ns"))


class StartToIrq(uvm_component):
    def build_phase(self) -> None:
        self.csr_export = uvm_subscriber.uvm_AnalysisImp("csr_export", self, self.write_csr)
        self.irq_export = uvm_subscriber.uvm_AnalysisImp("irq_export", self, self.write_irq)
        self._start_ns: float | None = None
        self._span_ns: float | None = None

    def write_csr(self, item: Any) -> None:
        if item.write and item.addr == REGISTERS["CTRL"] and item.data & CTRL_START:
            self._start_ns, self._span_ns = _now_ns(), None

    def write_irq(self, item: Any) -> None:
        if item.level and self._start_ns is not None:
            self._span_ns, self._start_ns = float(item.time_ns) - self._start_ns, None

    def take(self, clk_ns: int) -> int | None:
        """Cycles from the last START write to the irq rise that followed it (None when there was none since the
        last take), and forget them."""
        span, self._span_ns = self._span_ns, None
        return None if span is None else round(span / clk_ns)
