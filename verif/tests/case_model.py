"""Models for constrained-random tests: an EngineCase (verif/cfg_item.py) -> quantized random model, DDR image,
the tokens' X, and the KV cache of positions 0..t0-1 computed by the golden model (backdoor-preloaded so a
test reaches late positions without simulating them).

Bulk data comes from NumPy seeded by the case's data_seed (models/random_model.py); clamping warnings of the
quantizer are expected for the saturation-stress weight distribution and silenced here.
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np

from models.config import EngineConfig
from models.ddr_layout import pack
from models.golden import GoldenEngine
from models.qmodel import QModel
from models.quant import quantize
from models.random_model import calibration_set, random_inputs, random_weights
from verif.cfg_item import EngineCase


@dataclass(frozen=True)
class CaseModel:
    qm: QModel
    image: bytes
    x: np.ndarray                   # int8 [n_tokens, d_model]
    positions: list[int]
    kv: np.ndarray | None           # golden KV cache after positions 0..t0-1 (None when t0 = 0)


def build_model(cfg: EngineConfig, data_seed: int, weight_dist: str) -> QModel:
    w = random_weights(cfg, data_seed, weight_dist)
    calib = calibration_set(cfg, data_seed, n_seqs=2, seq_len=min(32, cfg.max_seq))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return quantize(cfg, w, calib)


def case_model(case: EngineCase) -> CaseModel:
    cfg = case.cfg
    qm = build_model(cfg, case.data_seed, case.weight_dist)
    xs = qm.quantize_x(random_inputs(cfg, case.data_seed, case.t0 + case.n_tokens))
    kv = None
    if case.t0:
        eng = GoldenEngine(qm)
        for p in range(case.t0):
            eng.step(xs[p], p)
        kv = eng.kv.copy()
    return CaseModel(qm, pack(qm), xs[case.t0:], list(case.positions), kv)
