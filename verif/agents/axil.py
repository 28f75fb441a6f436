"""AXI4-Lite master agent for the CSRs, used through the PeakRDL-pyuvm register model (verif/ral/).

  AxilItem       one CSR access (addr, data, write?) and its response
  AxilConfig     is_active, the signal prefix
  AxilDriver     drives items with verif/bfm/axil_master.AxiLiteMaster (cycle level only during an access)
  AxilMonitor    passive: the write and the read channel followed independently, each only while rst_n is
                 high: waits for AWVALID/ARVALID to rise (edge events, not every cycle), follows the
                 handshakes and publishes each completed access; checks AXI4-Lite ordering rules
  AxilRegAdapter reg2bus / bus2reg for uvm_reg_map.set_sequencer
  AxilAgent      builds them from the ConfigDB key "axil_cfg"
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import cocotb
from cocotb.triggers import First, RisingEdge
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

from verif.bfm.axil_master import AxiLiteMaster, bit, find_signal

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
    """Publishes every completed access. Sleeps on the valid edges between accesses."""

    def build_phase(self) -> None:
        self.cfg: AxilConfig = ConfigDB().get(self, "", "axil_cfg")
        self.ap = uvm_analysis_port("ap", self)
        self.errors: list[str] = []

    def _s(self, name: str) -> Any:
        return find_signal(self.cfg.dut, self.cfg.prefix + name)

    async def run_phase(self) -> None:
        """The two channels apart: a read never hides a write. Nothing is followed while rst_n is low (an
        X-initialised AWVALID / ARVALID before reset is not an access)."""
        clk, rst = find_signal(self.cfg.dut, "clk"), find_signal(self.cfg.dut, "rst_n")
        cocotb.start_soon(self._channel(clk, rst, write=True))
        await self._channel(clk, rst, write=False)

    async def _channel(self, clk: Any, rst: Any, write: bool) -> None:
        valid = self._s("awvalid" if write else "arvalid")
        while True:
            if not (bit(rst) and bit(valid)):
                await First(RisingEdge(valid), RisingEdge(rst))
                continue
            await self._follow(clk, rst, write)

    async def _follow(self, clk: Any, rst: Any, write: bool) -> None:
        """Follow one access from its address handshake to its response handshake (dropped if rst_n falls)."""
        s = self._s
        item = AxilItem(write=write)
        got_addr, got_data = False, not write      # a read has no W beat; every access has an address handshake
        while True:
            await RisingEdge(clk)
            if not bit(rst):
                return
            if write:
                if not got_addr and bit(s("awvalid")) and bit(s("awready")):
                    item.addr, got_addr = int(s("awaddr").value), True
                if not got_data and bit(s("wvalid")) and bit(s("wready")):
                    item.data, got_data = int(s("wdata").value), True
                if bit(s("bvalid")) and bit(s("bready")):
                    if not (got_addr and got_data):
                        self.errors.append(f"BVALID before the AW and W handshakes ({item})")
                    item.resp = int(s("bresp").value)
                    break
            else:
                if not got_addr and bit(s("arvalid")) and bit(s("arready")):
                    item.addr, got_addr = int(s("araddr").value), True
                if bit(s("rvalid")) and bit(s("rready")):
                    if not got_addr:
                        self.errors.append(f"RVALID before the AR handshake ({item})")
                    item.data, item.resp = int(s("rdata").value), int(s("rresp").value)
                    break
        self.ap.write(item)

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
