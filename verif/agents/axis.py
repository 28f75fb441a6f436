"""AXI4-Stream agents over the split-transactor BFMs (verif/hdl/le_axis_{src,sink}_bfm.sv + verif/bfm/axis_bfm.py).

Source (s_axis_x, the token's X):
  AxisFrameItem      one frame: its bytes, optionally (tkeep, tlast) per beat to send any framing (TLAST
                     early / late, short TKEEP) for the X-framing error tests
  AxisSrcDriver      sends each item through AxisSourceBfm (valid gaps in HDL, p_idle from the config)
  AxisSrcMonitor     publishes every frame the BFM has transferred (the proxy's record, after the HDL's done)
Sink (m_axis_logits):
  AxisReadyItem      a new backpressure probability for the sink's TREADY (applied by the driver)
  AxisSinkDriver     applies AxisReadyItems (the sink's "driving" is its TREADY pattern, generated in HDL)
  AxisSinkMonitor    publishes every received frame as a LogitsFrame; checks its shape (TLAST on the final beat
                     only, TKEEP all ones but on the final beat, whole 4-byte logits) and the HDL protocol checks
Config objects (ConfigDB keys "x_src_cfg" / "logits_sink_cfg") hold the BFM proxy and the knob, and make the
agent active or passive. No Python runs per clock cycle in any of them.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from cocotb.triggers import Event
from pyuvm import (
    ConfigDB,
    uvm_agent,
    uvm_analysis_port,
    uvm_driver,
    uvm_monitor,
    uvm_sequence_item,
    uvm_sequencer,
    uvm_subscriber,
)

from verif.bfm.axis_bfm import AxisSinkBfm, AxisSourceBfm, Frame


@dataclass(frozen=True)
class LogitsFrame:
    """One m_axis_logits frame as captured: whole beats of bytes, and each beat's TKEEP."""
    data: bytes
    tkeep: list[int] = field(default_factory=list)

    def logits(self, vocab: int) -> np.ndarray:
        return np.frombuffer(self.data[:4 * vocab], dtype="<i4").astype(np.int64)


class AxisFrameItem(uvm_sequence_item):
    def __init__(self, name: str = "axis_frame", data: bytes = b"",
                 keep_last: Sequence[tuple[int, bool]] | None = None) -> None:
        super().__init__(name)
        self.data, self.keep_last = data, keep_last

    def __str__(self) -> str:
        return f"AXIS frame of {len(self.data)} bytes{' (custom framing)' if self.keep_last else ''}"


class AxisReadyItem(uvm_sequence_item):
    def __init__(self, name: str = "axis_ready", p_stall: float = 0.0) -> None:
        super().__init__(name)
        self.p_stall = p_stall


@dataclass
class AxisSrcConfig:
    bfm: AxisSourceBfm
    is_active: bool = True
    p_idle: float = 0.0
    start_delay_max: int = 0              # each frame waits 0..this many cycles before its first beat


@dataclass
class AxisSinkConfig:
    bfm: AxisSinkBfm
    is_active: bool = True
    p_stall: float = 0.0
    frame_beats: int | None = None        # expected beats per frame (ceil(vocab * 4 / bus bytes))
    final_keep: int | None = None         # expected TKEEP of the final beat
    problems: list[str] = field(default_factory=list)


# ------------------------------------------------------------------------------------------------ source
class AxisSrcDriver(uvm_driver):
    def build_phase(self) -> None:
        self.cfg: AxisSrcConfig = ConfigDB().get(self, "", "x_src_cfg")
        self.sent_ap = uvm_analysis_port("sent_ap", self)

    def start_of_simulation_phase(self) -> None:
        self.cfg.bfm.configure(self.cfg.p_idle, self.cfg.start_delay_max)

    async def run_phase(self) -> None:
        while True:
            item: AxisFrameItem = await self.seq_item_port.get_next_item()
            await self.cfg.bfm.send(item.data, item.keep_last)
            self.sent_ap.write(item)
            self.seq_item_port.item_done()


class AxisSrcMonitor(uvm_subscriber):
    """Publishes each transferred frame. The HDL counts the accepted beats; the bytes are the proxy's record of
    what it loaded for that frame (the BFM holds the payload stable until TREADY: checked in HDL)."""

    def build_phase(self) -> None:
        self.ap = uvm_analysis_port("ap", self)

    def write(self, item: AxisFrameItem) -> None:        # fed by the driver's sent_ap (analysis_export)
        self.ap.write(item)


class AxisSrcAgent(uvm_agent):
    def build_phase(self) -> None:
        self.cfg: AxisSrcConfig = ConfigDB().get(self, "", "x_src_cfg")
        self.monitor = AxisSrcMonitor("monitor", self)
        if self.cfg.is_active:
            self.sequencer = uvm_sequencer("sequencer", self)
            self.driver = AxisSrcDriver("driver", self)

    def connect_phase(self) -> None:
        if self.cfg.is_active:
            self.driver.seq_item_port.connect(self.sequencer.seq_item_export)
            self.driver.sent_ap.connect(self.monitor.analysis_export)


# ------------------------------------------------------------------------------------------------ sink
class AxisSinkDriver(uvm_driver):
    def build_phase(self) -> None:
        self.cfg: AxisSinkConfig = ConfigDB().get(self, "", "logits_sink_cfg")

    def start_of_simulation_phase(self) -> None:
        self.cfg.bfm.configure(self.cfg.p_stall)

    async def run_phase(self) -> None:
        while True:
            item: AxisReadyItem = await self.seq_item_port.get_next_item()
            self.cfg.bfm.configure(item.p_stall)
            self.seq_item_port.item_done()


class AxisSinkMonitor(uvm_monitor):
    def build_phase(self) -> None:
        self.cfg: AxisSinkConfig = ConfigDB().get(self, "", "logits_sink_cfg")
        self.ap = uvm_analysis_port("ap", self)
        self.frames = 0
        self.frame_seen = Event()

    async def run_phase(self) -> None:
        while True:
            frame: Frame = await self.cfg.bfm.recv()
            self.frames += 1
            for p in self.cfg.bfm.check_frame(frame, self.cfg.frame_beats, self.cfg.final_keep, keep_unit=4):
                self.cfg.problems.append(f"logits frame {self.frames}: {p}")
                self.logger.error(f"logits frame {self.frames}: {p}")
            self.ap.write(LogitsFrame(frame.data, list(frame.tkeep)))
            self.frame_seen.set()

    def check_phase(self) -> None:
        errors = self.cfg.bfm.protocol_errors() + self.cfg.problems
        for e in self.cfg.bfm.protocol_errors():
            self.logger.error(f"m_axis_logits protocol: {e}")
        if errors:
            raise AssertionError(f"m_axis_logits: {errors[0]}")


class AxisSinkAgent(uvm_agent):
    def build_phase(self) -> None:
        self.cfg: AxisSinkConfig = ConfigDB().get(self, "", "logits_sink_cfg")
        self.monitor = AxisSinkMonitor("monitor", self)
        if self.cfg.is_active:
            self.sequencer = uvm_sequencer("sequencer", self)
            self.driver = AxisSinkDriver("driver", self)

    def connect_phase(self) -> None:
        if self.cfg.is_active:
            self.driver.seq_item_port.connect(self.sequencer.seq_item_export)
