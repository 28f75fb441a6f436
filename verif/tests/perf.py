"""PerfTest: one token at a late position against a fixed-latency memory, for benchmarks/perf.py (cycles per token
from the engine's own perf counters vs the memory roofline). The scoreboard holds it bit-exact like every test.

Cases (le_perf_case):
  small      the `small` preset at pos = max_seq - 1 = 127, the largest position it allows (the most K/V context)
  minilm-1L  one MiniLM-sized layer (d_model 384, 12 heads x 32, d_ff 1536, w_tile_rows 32, ctx_tile 32, max_seq
             512, vocab shortened to 1024) at pos 128
Weights: models/random_model.py (seed 1), quantized by models/quant.py; positions 0..pos-1 run through the golden
model and their K/V rows preloaded, so only the measured token is simulated. Memory: READ_LATENCY cycles from AR
accepted to the first R beat and from the last W beat to B, no stalls, in order; X with no gaps, logits with no
backpressure. The per-token perf counters land in tokens.json (verif/tests/base.py).
"""
from __future__ import annotations

import numpy as np
import pyuvm

from models.config import EngineConfig, preset
from models.ddr_layout import pack
from models.golden import GoldenEngine
from models.qmodel import QModel
from models.quant import quantize
from models.random_model import calibration_set, random_inputs, random_weights
from verif.bfm.axi_mem_bfm import BfmKnobs
from verif.tests.base import BaseTest, setting

READ_LATENCY = 40
MODEL_SEED = 1
PERF_CASES = ("small", "minilm-1L")
MINILM_1L = EngineConfig(d_model=384, n_heads=12, d_head=32, d_ff=1536, n_layers=1, vocab=1024, max_seq=512,
                         ln_eps=1e-12, axi_data_w=128, w_tile_rows=32, ctx_tile=32)


def perf_case(name: str, bus_bits: int) -> tuple[EngineConfig, int]:
    """(config, measured position) of a perf case."""
    if name == "small":
        cfg, pos = preset("small"), preset("small").max_seq - 1
    elif name == "minilm-1L":
        cfg, pos = MINILM_1L, 128
    else:
        raise ValueError(f"le_perf_case={name!r}: one of {', '.join(PERF_CASES)}")
    return cfg.replace(axi_data_w=bus_bits), pos


@pyuvm.test()
class PerfTest(BaseTest):
    def knobs(self) -> BfmKnobs:
        return BfmKnobs(lat_min=READ_LATENCY, lat_max=READ_LATENCY, b_lat_min=READ_LATENCY, b_lat_max=READ_LATENCY)

    def model(self) -> tuple[QModel, bytes, np.ndarray, list[int], np.ndarray | None]:
        cfg, pos = perf_case(setting("perf_case", "small"), self.bus_bits)
        qm = quantize(cfg, random_weights(cfg, MODEL_SEED), calibration_set(cfg, MODEL_SEED))
        xs = qm.quantize_x(random_inputs(cfg, MODEL_SEED, pos + 1))
        eng = GoldenEngine(qm)
        for p in range(pos):
            eng.step(xs[p], p)
        return qm, pack(qm), xs[pos:], [pos], eng.kv.copy()
