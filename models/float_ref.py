"""Float64 reference of the decode step: the semantics the integer golden model approximates.

Per token t (causal decode; attention covers positions 0..t, including the current token):
    q, k, v = x.W + b;  head h uses columns h*d_head .. (h+1)*d_head-1
    scores  = q.k / sqrt(d_head) over positions 0..t, exact softmax
    o  = concat(heads).Wo + bo;  y1 = LN(x + o) with ln1
    y2 = LN(y1 + GELU_erf(y1.W1 + b1).W2 + b2) with ln2;  y2 is the next layer's x
    logits = x_final.W_logit (+ b)
Processing a whole sequence with a causal mask is exactly token-by-token decode with a KV cache.
Float is fine here: this module is the reference and the calibration source, never the integer path.
"""
from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Mapping

import numpy as np
import numpy.typing as npt

from .config import EngineConfig

_erf = np.frompyfunc(math.erf, 1, 1)


def gelu_erf(x: npt.ArrayLike) -> npt.NDArray[np.float64]:
    x = np.asarray(x, dtype=np.float64)
    return 0.5 * x * (1.0 + np.asarray(_erf(x / math.sqrt(2.0)), dtype=np.float64))


def layernorm_f(y: np.ndarray, gamma: np.ndarray, beta: np.ndarray, eps: float) -> np.ndarray:
    mu = y.mean(axis=-1, keepdims=True)
    var = ((y - mu) ** 2).mean(axis=-1, keepdims=True)
    out: np.ndarray = (y - mu) / np.sqrt(var + eps) * gamma + beta
    return out


class ActivationLog:
    """Collects named activations (for calibration): name -> list of arrays [tokens, channels]."""

    def __init__(self) -> None:
        self.data: dict[str, list[np.ndarray]] = defaultdict(list)

    def add(self, name: str, a: np.ndarray) -> None:
        self.data[name].append(np.asarray(a, dtype=np.float64).reshape(-1, a.shape[-1]))

    def get(self, name: str) -> np.ndarray:
        if name not in self.data:
            raise KeyError(f"no calibration data recorded for {name!r}")
        return np.concatenate(self.data[name], axis=0)


def forward(cfg: EngineConfig, w: Mapping[str, np.ndarray], x: np.ndarray,
            log: ActivationLog | None = None) -> np.ndarray:
    """Run a sequence x [T, d_model] (positions 0..T-1) through all layers; returns logits [T, vocab]."""
    x = np.asarray(x, dtype=np.float64)
    n_tok = x.shape[0]
    dh = cfg.d_head
    mask = np.triu(np.full((n_tok, n_tok), -np.inf), k=1)
    rec = log.add if log is not None else (lambda name, a: None)
    for layer in range(cfg.n_layers):
        p = f"layers.{layer}."
        rec(f"{layer}.x", x)
        q = x @ w[p + "attn.wq"] + w[p + "attn.bq"]
        k = x @ w[p + "attn.wk"] + w[p + "attn.bk"]
        v = x @ w[p + "attn.wv"] + w[p + "attn.bv"]
        heads = []
        for h in range(cfg.n_heads):
            sl = slice(h * dh, (h + 1) * dh)
            qh, kh, vh = q[:, sl], k[:, sl], v[:, sl]
            rec(f"{layer}.{h}.q", qh)
            rec(f"{layer}.{h}.k", kh)
            rec(f"{layer}.{h}.v", vh)
            s = qh @ kh.T / math.sqrt(dh) + mask
            s = s - s.max(axis=-1, keepdims=True)
            pr = np.exp(s)
            pr /= pr.sum(axis=-1, keepdims=True)
            oh = pr @ vh
            rec(f"{layer}.{h}.o", oh)
            heads.append(oh)
        o = np.concatenate(heads, axis=-1) @ w[p + "attn.wo"] + w[p + "attn.bo"]
        rec(f"{layer}.oprime", o)
        y1 = x + o
        rec(f"{layer}.y1", y1)
        x_att = layernorm_f(y1, w[p + "ln1.gamma"], w[p + "ln1.beta"], cfg.ln_eps)
        rec(f"{layer}.x_att", x_att)
        u = x_att @ w[p + "ffn.w1"] + w[p + "ffn.b1"]
        rec(f"{layer}.u", u)
        ua = gelu_erf(u)
        rec(f"{layer}.u_act", ua)
        f = ua @ w[p + "ffn.w2"] + w[p + "ffn.b2"]
        rec(f"{layer}.f", f)
        y2 = x_att + f
        rec(f"{layer}.y2", y2)
        x = layernorm_f(y2, w[p + "ln2.gamma"], w[p + "ln2.beta"], cfg.ln_eps)
    rec("final.x", x)
    logits = x @ w["logits.w"]
    if "logits.b" in w:
        logits = logits + w["logits.b"]
    out: np.ndarray = logits
    return out
