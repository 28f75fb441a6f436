"""AXI4 slave agent: the DDR memory model (split transactor: verif/hdl/le_axi_slave_bfm.sv + verif/bfm/axi_mem_bfm.py).

  AxiCtrlItem      a change to the slave's behaviour, from a sequence: new timing knobs, an error range
                   (SLVERR/DECERR on [lo, hi) for reads and/or writes), or clearing the error ranges
  AxiSlaveDriver   applies AxiCtrlItems to the BFM (the cycle-level responses are generated in HDL)
  AxiBurstItem     one completed burst as the memory saw it (read or write; writes carry data and strobes)
  AxiSlaveMonitor  drains the BFM's burst records every `drain_cycles` cycles and on flush(): publishes each as
                   an AxiBurstItem on `ap` and each write also as an env AxiWrite on `write_ap`; the HDL's
                   protocol checks (VALID dropped, payload changed while stalled, 4 KB crossing, bad burst
                   type/size, WLAST, writes outside the RW region, reads of unmapped memory, X/Z) become
                   errors in check_phase
  AxiSlaveConfig   the BFM proxy, is_active, the knobs, drain period (ConfigDB key "axi_cfg")
Backdoor load / peek / poke are the proxy's (cfg.bfm).
"""
from __future__ import annotations

from dataclasses import dataclass, field

from cocotb.triggers import Timer
from pyuvm import ConfigDB, uvm_agent, uvm_analysis_port, uvm_driver, uvm_monitor, uvm_sequence_item, uvm_sequencer

from verif.bfm.axi_mem_bfm import AxiMemBfm, BfmKnobs, ReadBurst, WriteBurst


@dataclass(frozen=True)
class AxiWrite:
    """One completed AXI write burst as the memory saw it."""
    addr: int
    data: bytes
    strb: bytes                     # one byte-enable bit per data byte, as bytes of 0/1
    resp: int


class AxiCtrlItem(uvm_sequence_item):
    def __init__(self, name: str = "axi_ctrl", knobs: BfmKnobs | None = None,
                 error_range: tuple[int, int, int] | None = None, reads: bool = True, writes: bool = True,
                 clear_errors: bool = False) -> None:
        super().__init__(name)
        self.knobs, self.error_range, self.reads, self.writes = knobs, error_range, reads, writes
        self.clear_errors = clear_errors


class AxiBurstItem:
    """One completed burst, published on the monitor's `ap`. A plain object, not a uvm_sequence_item: a tiny token
    publishes ~140 of them, a pyuvm item costs ~10 us to build, and no subscriber sequences them."""
    __slots__ = ("burst", "write")

    def __init__(self, name: str = "axi_burst", write: bool = False, burst: ReadBurst | WriteBurst | None = None):
        self.write, self.burst = write, burst

    def __str__(self) -> str:
        b = self.burst
        return f"AXI {'W' if self.write else 'R'} {b.addr:#x} x{(b.awlen if self.write else b.arlen) + 1}"


@dataclass
class AxiSlaveConfig:
    bfm: AxiMemBfm
    knobs: BfmKnobs = field(default_factory=BfmKnobs)
    is_active: bool = True
    drain_cycles: int = 2048
    clk_period_ns: float = 10.0


class AxiSlaveDriver(uvm_driver):
    def build_phase(self) -> None:
        self.cfg: AxiSlaveConfig = ConfigDB().get(self, "", "axi_cfg")

    def start_of_simulation_phase(self) -> None:
        self.cfg.bfm.configure(self.cfg.knobs)

    async def run_phase(self) -> None:
        while True:
            item: AxiCtrlItem = await self.seq_item_port.get_next_item()
            bfm = self.cfg.bfm
            if item.clear_errors:
                bfm.clear_errors()
            if item.knobs is not None:
                self.cfg.knobs = item.knobs
                bfm.configure(item.knobs)
            if item.error_range is not None:
                lo, hi, resp = item.error_range
                bfm.add_error_range(lo, hi, resp, reads=item.reads, writes=item.writes)
            self.seq_item_port.item_done()


def as_env_write(w: WriteBurst, bus_bytes: int) -> AxiWrite:
    data, strb = bytearray(), bytearray()
    for beat in w.beats:
        data += beat.data.to_bytes(bus_bytes, "little")
        strb += bytes((beat.strb >> i) & 1 for i in range(bus_bytes))
    return AxiWrite(w.addr, bytes(data), bytes(strb), w.resp)


class AxiSlaveMonitor(uvm_monitor):
    def build_phase(self) -> None:
        self.cfg: AxiSlaveConfig = ConfigDB().get(self, "", "axi_cfg")
        self.ap = uvm_analysis_port("ap", self)
        self.write_ap = uvm_analysis_port("write_ap", self)
        self.reads: int = 0
        self.writes: int = 0

    async def run_phase(self) -> None:
        while True:      # one timer per drain period: ClockCycles would resume Python on every clock edge
            await Timer(self.cfg.drain_cycles * self.cfg.clk_period_ns, "ns")
            self.flush()

    def flush(self) -> None:
        """Publish every burst the BFM has completed so far (the host sequence calls this before each result)."""
        reads, writes = self.cfg.bfm.drain_records()
        for r in reads:
            self.reads += 1
            self.ap.write(AxiBurstItem(write=False, burst=r))
        for w in writes:
            self.writes += 1
            if w.beats_lost:
                self.logger.error(f"AXI write record at {w.addr:#x}: data lost (drain more often)")
            self.ap.write(AxiBurstItem(write=True, burst=w))
            self.write_ap.write(as_env_write(w, self.cfg.bfm.bus_bytes))

    def check_phase(self) -> None:
        self.flush()
        errors = self.cfg.bfm.protocol_errors()
        for e in errors:
            self.logger.error(f"AXI4 slave protocol: {e}")
        if errors:
            raise AssertionError(f"AXI4 slave protocol: {errors[0]}")


class AxiSlaveAgent(uvm_agent):
    def build_phase(self) -> None:
        self.cfg: AxiSlaveConfig = ConfigDB().get(self, "", "axi_cfg")
        self.monitor = AxiSlaveMonitor("monitor", self)
        if self.cfg.is_active:
            self.sequencer = uvm_sequencer("sequencer", self)
            self.driver = AxiSlaveDriver("driver", self)

    def connect_phase(self) -> None:
        if self.cfg.is_active:
            self.driver.seq_item_port.connect(self.sequencer.seq_item_export)
