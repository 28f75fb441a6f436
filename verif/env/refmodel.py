"""Reference model: the golden engine as a pyuvm component.

It subscribes to the token starts (what the X-stream monitor and the host sequence say was started) and
publishes one TokenPrediction per token: the logits, the K/V rows the engine must append (address + bytes),
the KV region afterwards, and the perf byte counts the DMA schedule implies. A token that is expected to fail
(TokenStart.expect_error) predicts no state change: the golden KV stays as it was, as the host protocol says
a failed token's rows are undefined and a retry rewrites them; its predicted logits are those the token would
have produced, so the scoreboard can accept a frame that is a correct prefix followed by zeros.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
from pyuvm import uvm_analysis_port, uvm_component, uvm_tlm_analysis_fifo

from models.config import EngineConfig
from models.ddr_layout import DdrLayout, pack_kv
from models.golden import GoldenEngine, Trace
from models.qmodel import QModel
from models.schedule import kv_writes, token_beats

from .txn import KvWrite, TokenPrediction, TokenStart


def kv_locate(layout: DdrLayout, offset: int) -> tuple[int, int, int, int, int]:
    """(layer, head, which, row, byte) of a byte offset inside the KV region (offset from kv_base)."""
    c = layout.cfg
    slab, within = divmod(offset, layout.kv_slab)
    layer_head, which = divmod(slab, 2)
    layer, head = divmod(layer_head, c.n_heads)
    row, byte = divmod(within, c.d_head)
    return layer, head, which, row, byte


def save_trace(path: Path, tr: Trace, pos: int, expect_error: bool = False) -> None:
    """One token's golden intermediates as .npz: `pos`, `expect_error` and one array per "layer/head/name"
    (-1 = none)."""
    arrays = {f"{-1 if layer is None else layer}/{-1 if h is None else h}/{name}": v
              for (_, layer, h, name), v in tr.values.items()}
    np.savez(path, pos=np.int64(pos), expect_error=np.bool_(expect_error), **arrays)


class GoldenPredictor:
    """The prediction logic without pyuvm (unit-testable): GoldenEngine + layout + image base."""

    def __init__(self, qm: QModel, image_base: int, kv: np.ndarray | None = None,
                 trace_dir: Path | None = None) -> None:
        self.cfg: EngineConfig = qm.cfg
        self.layout = DdrLayout(qm.cfg)
        self.image_base = image_base
        self.engine = GoldenEngine(qm, kv)
        self.trace_dir = trace_dir          # `regress debug`: every token's golden intermediates saved here
        self.n_predicted = 0
        if trace_dir is not None:
            trace_dir.mkdir(parents=True, exist_ok=True)

    def _step(self, start: TokenStart) -> np.ndarray:
        tr = Trace() if self.trace_dir is not None else None
        logits = self.engine.step(np.asarray(start.x, dtype=np.int64), start.pos, tr=tr, tok=self.n_predicted)
        if tr is not None and self.trace_dir is not None:
            save_trace(self.trace_dir / f"t{self.n_predicted}.npz", tr, start.pos, bool(start.expect_error))
        return logits

    def kv_image(self) -> bytes:
        return pack_kv(self.layout, self.engine.kv)

    def predict(self, start: TokenStart) -> TokenPrediction:
        c, layout = self.cfg, self.layout
        if start.expect_error:
            # A failed token's frame may carry a correct prefix (driver step 5): predict the logits the token
            # would have produced, without committing its K/V rows (the golden cache stays as it was).
            logits = np.zeros(c.vocab, dtype=np.int64)
            if 0 <= start.pos < c.max_seq:
                saved = self.engine.kv.copy()
                logits = self._step(start)
                self.engine.kv[...] = saved
            writes: list[KvWrite] = []
        else:
            logits = self._step(start)
            writes = [KvWrite(t.layer, t.head, int(t.purpose == "v_append"), start.pos, self.image_base + t.addr,
                              self.engine.kv[t.layer, t.head, int(t.purpose == "v_append"), start.pos]
                              .astype(np.int8).tobytes())
                      for t in kv_writes(layout, start.pos)]
        rd_beats = wr_beats = 0
        if 0 <= start.pos < c.max_seq:           # an illegal TOKEN_POS has no schedule (START is rejected)
            rd_beats, wr_beats = token_beats(c, start.pos)
        self.n_predicted += 1
        return TokenPrediction(start, logits, writes, rd_beats * c.bus_bytes, wr_beats * c.bus_bytes,
                               self.kv_image())


class RefModel(uvm_component):
    """pyuvm wrapper: `token_export` in (TokenStart), `prediction_ap` out (TokenPrediction).

    The env sets `predictor` (a GoldenPredictor) in its build/connect phase (from the ConfigDB)."""

    def build_phase(self) -> None:
        self.token_fifo = uvm_tlm_analysis_fifo("token_fifo", self)
        self.token_export = self.token_fifo.analysis_export
        self.prediction_ap = uvm_analysis_port("prediction_ap", self)
        self.predictor: GoldenPredictor | None = None

    async def run_phase(self) -> None:
        while True:
            start = await self.token_fifo.get()
            if self.predictor is None:
                raise RuntimeError("RefModel: no GoldenPredictor configured")
            self.prediction_ap.write(self.predictor.predict(start))
