"""Random float models and inputs that look like a trained transformer's, fully determined by a seed.

Weights ~ N(0, 1/fan_in); LayerNorm gamma ~ 1 + N(0, 0.05^2); small beta and biases; inputs look like
post-LayerNorm embeddings. Streams for weights, evaluation inputs and calibration inputs are derived from
the one seed with NumPy's SeedSequence, so they are independent and reproducible bit for bit.
"""
from __future__ import annotations

import numpy as np
import numpy.typing as npt

from .config import EngineConfig

WEIGHT_DISTS = ("trained", "uniform", "saturate")


def _rng(seed: int, stream: str) -> np.random.Generator:
    key = [int(b) for b in stream.encode()]
    return np.random.default_rng(np.random.SeedSequence([seed & 0xFFFFFFFF, seed >> 32, *key]))


def _matrix(rng: np.random.Generator, fan_in: int, fan_out: int, dist: str) -> npt.NDArray[np.float64]:
    std = 1.0 / np.sqrt(fan_in)
    if dist == "trained":
        return rng.normal(0.0, std, (fan_in, fan_out))
    if dist == "uniform":
        lim = std * np.sqrt(3.0)
        return rng.uniform(-lim, lim, (fan_in, fan_out))
    if dist == "saturate":
        # Mostly tiny values with rare large ones: after per-channel scaling many weights hit +-127.
        peak = np.where(rng.random((fan_in, fan_out)) < 0.5, std * 3.0, -std * 3.0)
        w: npt.NDArray[np.float64] = peak * rng.random((fan_in, fan_out)) ** 0.1
        return w
    raise ValueError(f"unknown weight distribution {dist!r}: choose one of {WEIGHT_DISTS}")


def random_weights(cfg: EngineConfig, seed: int, dist: str = "trained",
                   logits_bias: bool = True) -> dict[str, np.ndarray]:
    """Float32 weights with the keys and shapes of weights_float.npz (x @ W convention)."""
    rng = _rng(seed, f"weights/{dist}")
    d, f = cfg.d_model, cfg.d_ff
    w: dict[str, np.ndarray] = {}
    for layer in range(cfg.n_layers):
        p = f"layers.{layer}."
        for name in ("wq", "wk", "wv", "wo"):
            w[p + f"attn.{name}"] = _matrix(rng, d, d, dist)
        for name in ("bq", "bk", "bv", "bo"):
            w[p + f"attn.{name}"] = rng.normal(0.0, 0.02, d)
        for ln in ("ln1", "ln2"):
            w[p + f"{ln}.gamma"] = 1.0 + rng.normal(0.0, 0.05, d)
            w[p + f"{ln}.beta"] = rng.normal(0.0, 0.02, d)
        w[p + "ffn.w1"] = _matrix(rng, d, f, dist)
        w[p + "ffn.b1"] = rng.normal(0.0, 0.02, f)
        w[p + "ffn.w2"] = _matrix(rng, f, d, dist)
        w[p + "ffn.b2"] = rng.normal(0.0, 0.02, d)
    w["logits.w"] = _matrix(rng, d, cfg.vocab, dist)
    if logits_bias:
        w["logits.b"] = rng.normal(0.0, 0.02, cfg.vocab)
    return {k: v.astype(np.float32) for k, v in w.items()}


def random_inputs(cfg: EngineConfig, seed: int, n_tokens: int, stream: str = "x") -> npt.NDArray[np.float32]:
    """Float32 [n_tokens, d_model] rows shaped like post-LayerNorm embeddings."""
    rng = _rng(seed, f"inputs/{stream}")
    gamma = 1.0 + rng.normal(0.0, 0.1, cfg.d_model)
    beta = rng.normal(0.0, 0.05, cfg.d_model)
    z = rng.normal(0.0, 1.0, (n_tokens, cfg.d_model))
    z = (z - z.mean(axis=1, keepdims=True)) / z.std(axis=1, keepdims=True)
    x: npt.NDArray[np.float32] = (z * gamma + beta).astype(np.float32)
    return x


def calibration_set(cfg: EngineConfig, seed: int, n_seqs: int = 4, seq_len: int = 64) -> list[np.ndarray]:
    """Independent calibration sequences (never the evaluation inputs)."""
    seq_len = min(seq_len, cfg.max_seq)
    return [random_inputs(cfg, seed, seq_len, stream=f"calib{i}") for i in range(n_seqs)]
