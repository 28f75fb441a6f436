"""Integer parameters of a quantized model: exactly what the engine reads from DDR.

Built by `models.quant.quantize`, packed into the DDR image by `models.ddr_layout`, and consumed by the
golden model (`models.golden`). Float scales ride along only as metadata for the host side
(x_scale for input quantization, logits_scale for dequantizing the int32 logits).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from .config import EngineConfig
from .ops import IntArray

F64Array = npt.NDArray[np.float64]


@dataclass
class QGemv:
    """One GEMV: int8 weights [d_out, d_in] (output-major rows) and per-output-channel requant params."""
    w: IntArray       # int8  [d_out, d_in]
    bias: IntArray    # int32 [d_out]
    mult: IntArray    # int32 [d_out], Q0.31, >= 0
    shift: IntArray   # int32 [d_out], exponent in [-31, 30]

    @property
    def d_out(self) -> int:
        return int(self.w.shape[0])


@dataclass
class QLayer:
    wq: QGemv                    # [d_model, d_model]; head h owns rows h*d_head .. (h+1)*d_head-1
    wk: QGemv
    wv: QGemv
    score_mult: IntArray      # int32 [n_heads]: s_q*s_k*log2(e)*2^8/sqrt(d_head)
    score_shift: IntArray     # int32 [n_heads]
    o_mult: IntArray          # int32 [n_heads]: P.V (Q1.15 x int8) -> int8 O_h
    o_shift: IntArray         # int32 [n_heads]
    wo: QGemv                    # [d_model, d_model]
    res1_x_mult: IntArray     # int32 [d_model], Q8.16
    res1_r_mult: IntArray     # int32 [d_model], Q8.16
    ln1_gamma: IntArray       # int32 [d_model], Q.10 (gamma / s_out)
    ln1_beta: IntArray        # int32 [d_model], Q.22 (beta / s_out)
    ln1_eps: int                 # eps * N^2 / s_y^2, in y units
    w1: QGemv                    # [d_ff, d_model]
    gelu_lut: IntArray        # int8 [ACT_BANKS, 256], indexed by (bank, two's-complement byte of U)
    gelu_bank: IntArray       # int32 [d_ff], bank id 0..ACT_BANKS-1 of each W1 output channel
    w2: QGemv                    # [d_model, d_ff]
    res2_x_mult: IntArray
    res2_r_mult: IntArray
    ln2_gamma: IntArray
    ln2_beta: IntArray
    ln2_eps: int


@dataclass
class QModel:
    cfg: EngineConfig
    layers: list[QLayer]
    logits_w: IntArray        # int8 [vocab, d_model]
    logits_b: IntArray        # int32 [vocab]
    x_scale: F64Array         # float64 [d_model]: x_float ~= x_q * x_scale (host-side metadata)
    logits_scale: F64Array    # float64 [vocab]: logits_float ~= logits * logits_scale
    meta: dict[str, Any] = field(default_factory=dict)

    def quantize_x(self, x_float: npt.ArrayLike) -> npt.NDArray[np.int8]:
        """Host-side input quantization: int8, per-channel scale, round half to even, saturate to +-127."""
        q = np.rint(np.asarray(x_float, dtype=np.float64) / self.x_scale)
        return np.clip(q, -127, 127).astype(np.int8)
