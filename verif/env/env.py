"""LayerEngineEnv: the agents, the reference model, the scoreboard and the register model, built from the ConfigDB.

    EnvConfig (ConfigDB "env_cfg")  the DUT (le_tb_top), the quantized model, the image base, the knobs
    LayerEngineEnv
      axil        AxilAgent (active)    -> RAL map sequencer (PeakRDL-pyuvm model verif/ral/le_csr_ral.py)
      irq         IrqAgent (passive)
      x_src       AxisSrcAgent          (s_axis_x: X frames)
      logits      AxisSinkAgent         (m_axis_logits: frames -> scoreboard, host)
      mem         AxiSlaveAgent         (m_axi: DDR; writes -> scoreboard)
      refmodel    RefModel              (TokenStart -> TokenPrediction -> scoreboard)
      scoreboard  Scoreboard
      coverage    CoverageSubscriber    (verif.coverage per token / burst; UCIS file at the end: coverage_sub.py)
      txn_log     TxnLog                (every AXI burst, logits frame, CSR access and irq edge; sha256 at the end)
    token_ap / result_ap: the host sequence publishes each TokenStart (to the reference model) and TokenReadback
    (to the scoreboard) through these.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pyuvm import ConfigDB, uvm_analysis_port, uvm_env, uvm_tlm_analysis_fifo

from models.config import EngineConfig
from models.ddr_layout import DdrLayout, layout_of
from models.qmodel import QModel
from verif.agents.axi4 import AxiSlaveAgent, AxiSlaveConfig
from verif.agents.axil import AxilAgent, AxilConfig, AxilRegAdapter
from verif.agents.axis import AxisSinkAgent, AxisSinkConfig, AxisSrcAgent, AxisSrcConfig
from verif.agents.irq import IrqAgent, IrqConfig
from verif.bfm.axi_mem_bfm import AxiMemBfm, BfmKnobs
from verif.bfm.axis_bfm import AxisSinkBfm, AxisSourceBfm
from verif.bfm.mem_mirror import MemMirror
from verif.bfm.writable import require_writable
from verif.ral.le_csr_ral import le_csr

from . import gtkw
from .coverage_sub import CoverageSubscriber
from .refmodel import GoldenPredictor, RefModel
from .scoreboard import Scoreboard, TokenChecker
from .start_irq import StartToIrq
from .txn_log import TxnLog


@dataclass
class EnvConfig:
    dut: Any                                  # le_tb_top handle
    qm: QModel
    image: bytes                              # the packed DDR image (models.ddr_layout.pack)
    image_base: int
    mem_knobs: BfmKnobs = field(default_factory=BfmKnobs)
    p_x_idle: float = 0.0
    p_logits_stall: float = 0.0
    kv: Any = None                            # optional preloaded KV cache (golden layout), for late positions
    irq_timeout_cycles: int = 5_000_000
    x_delay_max: int = 0                      # each X frame starts 0..this many cycles late (le_axis_src_bfm)

    @property
    def cfg(self) -> EngineConfig:
        return self.qm.cfg

    @property
    def layout(self) -> DdrLayout:
        return layout_of(self.qm.cfg)


PROBE_PLUSARG = "le_probe_file"
TOP_WRITES = ("rst_n", "cov_clr_seq")     # le_tb_top signals the env writes (the BFM proxies check their own)


def golden_trace_dir(probe_file: str) -> Path:
    """Where the golden intermediates of a probed run go: <dir>/golden next to <dir>/probe.log (both engines)."""
    return Path(probe_file).parent / "golden"


def probe_trace_dir() -> Path | None:
    """With +le_probe_file=<dir>/probe.log (`regress debug`, verif/hdl/le_probe.sv), the golden intermediates
    of every token go to <dir>/golden/t<n>.npz; None otherwise."""
    import cocotb
    path = cocotb.plusargs.get(PROBE_PLUSARG)
    return golden_trace_dir(str(path)) if path else None


class LayerEngineEnv(uvm_env):
    def build_phase(self) -> None:
        ec: EnvConfig = ConfigDB().get(self, "", "env_cfg")
        self.ec = ec
        dut = ec.dut
        bus_bytes = ec.cfg.bus_bytes
        frame_beats = -(-4 * ec.cfg.vocab // bus_bytes)
        last_bytes = 4 * ec.cfg.vocab - (frame_beats - 1) * bus_bytes
        require_writable(dut, TOP_WRITES)
        self.mem_bfm = AxiMemBfm(dut.u_mem, dut.clk)
        self.kv_mirror = MemMirror(self.mem_bfm, ec.image_base + ec.layout.kv_base, ec.layout.kv_size)
        ConfigDB().set(self, "axil*", "axil_cfg", AxilConfig(dut))
        ConfigDB().set(self, "irq*", "irq_cfg", IrqConfig(dut))
        ConfigDB().set(self, "x_src*", "x_src_cfg", AxisSrcConfig(AxisSourceBfm(dut.u_x_src, dut.clk),
                                                                   p_idle=ec.p_x_idle,
                                                                   start_delay_max=ec.x_delay_max))
        ConfigDB().set(self, "logits*", "logits_sink_cfg",
                       AxisSinkConfig(AxisSinkBfm(dut.u_logits_sink, dut.clk), p_stall=ec.p_logits_stall,
                                      frame_beats=frame_beats, final_keep=(1 << last_bytes) - 1))
        ConfigDB().set(self, "mem*", "axi_cfg", AxiSlaveConfig(self.mem_bfm, knobs=ec.mem_knobs))
        self.axil = AxilAgent("axil", self)
        self.irq = IrqAgent("irq", self)
        self.x_src = AxisSrcAgent("x_src", self)
        self.logits = AxisSinkAgent("logits", self)
        self.mem = AxiSlaveAgent("mem", self)
        self.refmodel = RefModel("refmodel", self)
        self.scoreboard = Scoreboard("scoreboard", self)
        self.coverage = CoverageSubscriber("coverage", self)
        self.txn_log = TxnLog("txn_log", self)
        self.start_irq = StartToIrq("start_irq", self)
        self.token_ap = uvm_analysis_port("token_ap", self)
        self.result_ap = uvm_analysis_port("result_ap", self)
        self.frames = uvm_tlm_analysis_fifo("frames", self)      # the host's view of the logits frames
        self.ral = le_csr("ral")
        self.ral.build()
        self.ral.lock_model()

    def connect_phase(self) -> None:
        ec = self.ec
        gtkw.write_if_asked(ec.dut)          # +le_gtkw (a waves rerun): the save file, from the design itself
        self.refmodel.predictor = GoldenPredictor(ec.qm, ec.image_base, ec.kv, trace_dir=probe_trace_dir())
        self.scoreboard.checker = TokenChecker(ec.layout, ec.image_base)
        self.token_ap.connect(self.refmodel.token_export)
        self.refmodel.prediction_ap.connect(self.scoreboard.prediction_export)
        self.result_ap.connect(self.scoreboard.result_export)
        self.logits.monitor.ap.connect(self.scoreboard.frame_export)
        self.logits.monitor.ap.connect(self.frames.analysis_export)
        self.mem.monitor.write_ap.connect(self.scoreboard.write_export)
        self.ral.get_default_map().set_sequencer(self.axil.sequencer, AxilRegAdapter("axil_adapter"))
        self.token_ap.connect(self.coverage.token_export)
        self.result_ap.connect(self.coverage.result_export)
        self.mem.monitor.ap.connect(self.coverage.burst_export)
        self.mem.monitor.ap.connect(self.txn_log.burst_export)
        self.logits.monitor.ap.connect(self.txn_log.frame_export)
        self.axil.monitor.ap.connect(self.txn_log.csr_export)
        self.irq.monitor.ap.connect(self.txn_log.irq_export)
        self.axil.monitor.ap.connect(self.start_irq.csr_export)
        self.irq.monitor.ap.connect(self.start_irq.irq_export)

    def load_memory(self) -> None:
        """Backdoor: the image at image_base, the KV region writable (and preloaded if a KV cache is given)."""
        ec, layout = self.ec, self.ec.layout
        self.mem_bfm.load(ec.image_base, ec.image)
        kv_lo = ec.image_base + layout.kv_base
        self.mem_bfm.set_rw_region(kv_lo, kv_lo + layout.kv_size)
        if ec.kv is not None:
            from models.ddr_layout import pack_kv
            self.mem_bfm.poke(kv_lo, pack_kv(layout, ec.kv))

    def after_reset(self, power_on: bool = False) -> None:
        """Re-read the memory BFM's record pointers after a reset. After the power-on reset (`power_on`) whatever
        the HDL recorded before is X-initialisation noise and is dropped; after a reset in the middle of a test
        the protocol errors collected so far are kept and still fail the test."""
        self.mem_bfm.resync(keep_errors=not power_on)

    def kv_region(self) -> bytes:
        """The KV region as the memory BFM holds it now (drain the memory monitor first: MemMirror)."""
        return self.kv_mirror.read()

    def check_phase(self) -> None:
        self.mem.monitor.flush()
        if not self.kv_mirror.matches_memory():
            raise AssertionError("the KV region changed in the memory BFM without a write record (verif/bfm/"
                                 "mem_mirror.py): the per-token KV checks did not see the store")
