"""AXI4-Lite master agent for the CSRs, used through the PeakRDL-pyuvm register model (verif/ral/).

  AxilItem       one CSR access (addr, data, write?) and its response
  AxilConfig     is_active, the signal prefix
  AxilDriver     drives items with verif/bfm/axil_master.AxiLiteMaster (the proxy of the HDL master
                 verif/hdl/le_axil_master_bfm.sv: one Python wake-up per access)
  AxilMonitor    passive: publishes each completed access recorded by the HDL monitor verif/hdl/le_axil_monitor.sv
                 as a plain verif.bfm.axil_monitor.AxilRecord (write, addr, data, resp, early); the write and the
                 read channel followed independently, only while rst_n is high; one Python wake-up per access;
                 reports its AXI4-Lite ordering errors (BVALID before the AW and W handshakes, RVALID before the
                 AR handshake) at check_phase
  AxilRegAdapter reg2bus / bus2reg for uvm_reg_map.set_sequencer
  AxilAgent      builds them from the ConfigDB key "axil_cfg"
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pyuvm import (
    ConfigDB,
    uvm_access_e,
    uvm_agent,
    uvm_analysis_port,
    uvm_driver,
    uvm_monitor,
    uvm_reg_adapter,
    uvm_reg_bus_op,
    uvm_sequence_item,
    uvm_sequencer,
    uvm_status_e,
)

from verif.bfm.axil_master import AxiLiteMaster, find_signal
from verif.bfm.axil_monitor import MONITOR_INSTANCE, AxiLiteMonitorBfm

OKAY = 0


class AxilItem(uvm_sequence_item):
    def __init__(self, name: str = "axil_item", addr: int = 0, data: int = 0, write: bool = False) -> None:
        super().__init__(name)
        self.addr, self.data, self.write, self.resp = addr, data, write, OKAY

    def __str__(self) -> str:
        op = "W" if self.write else "R"
        return f"AXIL {op} {self.addr:#04x} = {self.data:#010x} resp {self.resp}"


@dataclass
class AxilConfig:
    dut: Any
    is_active: bool = True
    prefix: str = "s_axil_"


class AxilDriver(uvm_driver):
    def build_phase(self) -> None:
        self.cfg: AxilConfig = ConfigDB().get(self, "", "axil_cfg")
        self.clk = find_signal(self.cfg.dut, "clk")

    def start_of_simulation_phase(self) -> None:
        self.master = AxiLiteMaster(self.cfg.dut, self.clk, self.cfg.prefix)

    async def run_phase(self) -> None:
        while True:
            item: AxilItem = await self.seq_item_port.get_next_item()
            if item.write:
                item.resp = await self.master.write(item.addr, item.data)
            else:
                item.data, item.resp = await self.master.read(item.addr)
            self.seq_item_port.item_done()


class AxilMonitor(uvm_monitor):
    """Publishes every completed access, read from the HDL monitor on the engine's bus (verif/hdl/le_axil_monitor.sv
    in le_tb_top): Python wakes once per completed access, never per cycle."""

    def build_phase(self) -> None:
        self.cfg: AxilConfig = ConfigDB().get(self, "", "axil_cfg")
        self.ap = uvm_analysis_port("ap", self)
        self.errors: list[str] = []

    async def run_phase(self) -> None:
        """The HDL follows the write and the read channel apart (a read never hides a write) and records nothing
        while rst_n is low (an access cut by a reset is dropped)."""
        bfm = AxiLiteMonitorBfm(getattr(self.cfg.dut, MONITOR_INSTANCE))
        while True:
            records = await bfm.next_records()
            if bfm.overflows:
                self.errors.append(f"{bfm.overflows} access(es) lost: more than {bfm.depth} between two reads")
                bfm.overflows = 0
            for rec in records:        # published as the plain AxilRecord (a pyuvm item costs ~10 us to build)
                if rec.early:
                    item = AxilItem(write=rec.write, addr=rec.addr, data=rec.data)
                    item.resp = rec.resp
                    self.errors.append(f"BVALID before the AW and W handshakes ({item})" if rec.write else
                                       f"RVALID before the AR handshake ({item})")
                self.ap.write(rec)

    def check_phase(self) -> None:
        for e in self.errors:
            self.logger.error(f"AXI4-Lite protocol: {e}")
        if self.errors:
            raise AssertionError(f"AXI4-Lite protocol: {len(self.errors)} error(s), first: {self.errors[0]}")


class AxilRegAdapter(uvm_reg_adapter):
    """uvm_reg_bus_op <-> AxilItem. A non-OKAY response maps to UVM_NOT_OK."""

    def reg2bus(self, rw: uvm_reg_bus_op) -> AxilItem:
        return AxilItem("reg_item", addr=rw.addr, data=rw.data, write=rw.kind == uvm_access_e.UVM_WRITE)

    def bus2reg(self, bus_item: AxilItem, rw: uvm_reg_bus_op) -> None:
        rw.kind = uvm_access_e.UVM_WRITE if bus_item.write else uvm_access_e.UVM_READ
        rw.addr, rw.data = bus_item.addr, bus_item.data
        rw.status = uvm_status_e.UVM_IS_OK if bus_item.resp == OKAY else uvm_status_e.UVM_NOT_OK


class AxilAgent(uvm_agent):
    def build_phase(self) -> None:
        self.cfg: AxilConfig = ConfigDB().get(self, "", "axil_cfg")
        self.monitor = AxilMonitor("monitor", self)
        if self.cfg.is_active:
            self.sequencer = uvm_sequencer("sequencer", self)
            self.driver = AxilDriver("driver", self)

    def connect_phase(self) -> None:
        if self.cfg.is_active:
            self.driver.seq_item_port.connect(self.sequencer.seq_item_export)
