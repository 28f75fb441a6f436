"""Quantization: float weights + a calibration set -> integer parameters (QModel).

Scheme (docs/numerics.md, "Quantization"):
- Weights: int8 symmetric, per output channel, with the input's per-channel scale folded into the rows.
  Biases: int32 at the accumulator scale. Requant: Q0.31 multiplier and exponent (TFLite single rounding).
- Activation scales come from a calibration set run through the float reference:
  * LayerNorm outputs (X, X_att and the input x): int8 per channel, SmoothQuant-style strength alpha; the
    scales fold into the next GEMV's rows, LayerNorm's gamma'/beta' and the residual multipliers.
  * Q, K, V, O_h: int8 per (layer, head), clipping threshold chosen to minimise quantization MSE.
  * U, GELU(U): int8 per GELU bank, asymmetric over the full calibrated range; the zero points fold into
    W1's and W2's integer biases.
  * O', F: int16 per channel with 8x headroom; Y1, Y2: int16 per tensor with 2x headroom.
Float appears only here, at quantization time.
"""
from __future__ import annotations

import math
import warnings
from collections.abc import Mapping

import numpy as np
import numpy.typing as npt

from . import ops
from .config import BIAS_LIMIT, EngineConfig
from .float_ref import ActivationLog, forward, gelu_erf
from .qmodel import QGemv, QLayer, QModel

DEFAULT_ALPHA = 0.75      # LayerNorm-output migration strength, chosen by cosine on MiniLM's calibration text
Y_HEADROOM = 1 << 14      # calibrated max |Y| maps to 2^14 of the int16 range (2x headroom)
RES_COPY_SCALE = 1 << (ops.LN_OUT_SHIFT - ops.RES_COPY_SHIFT)   # int16 residual copy = int8 scale / 64
WIDE_HEADROOM = 1 << 12   # int16 GEMV outputs (O', F): calibrated max maps to 2^12 (8x headroom)
CHANNEL_FLOOR = 1e-3      # per-channel ranges are floored at this fraction of the tensor's range


class QuantClampWarning(UserWarning):
    """A parameter did not fit its integer format and was clamped: the model will be less accurate."""


def _clamp(name: str, values: np.ndarray, lo: int, hi: int) -> np.ndarray:
    """Round-to-int parameters clamped to [lo, hi], warning (one line) when anything had to be clamped."""
    v = np.rint(np.asarray(values, dtype=np.float64))
    n = int(((v < lo) | (v > hi)).sum())
    if n:
        warnings.warn(f"quantization clamped {n} of {v.size} values of {name} to [{lo}, {hi}]", QuantClampWarning,
                      stacklevel=3)
    return np.clip(v, lo, hi).astype(np.int64)


def quantize_multiplier(real: float) -> tuple[int, int]:
    """real -> (mult, shift) with real ~= mult * 2^(shift - 31); mult in [2^30, 2^31) unless real is tiny."""
    if not math.isfinite(real) or real < 0:
        raise ValueError(f"cannot encode multiplier {real!r}")
    if real == 0.0:
        return 0, 0
    m, e = math.frexp(real)
    mult = round(m * (1 << 31))
    if mult == 1 << 31:
        mult, e = mult >> 1, e + 1
    if e > ops.SHIFT_MAX:
        raise ValueError(f"multiplier {real!r} too large (exponent {e} > {ops.SHIFT_MAX})")
    if e < ops.SHIFT_MIN:
        mult = round(mult / 2.0 ** (ops.SHIFT_MIN - e))
        e = ops.SHIFT_MIN
    return mult, e


def quantize_multipliers(real: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    pairs = [quantize_multiplier(float(r)) for r in np.ravel(real)]
    return (np.array([p[0] for p in pairs], dtype=np.int64), np.array([p[1] for p in pairs], dtype=np.int64))


def tensor_scale(samples: np.ndarray, n_grid: int = 64) -> float:
    """Per-tensor int8 scale: the clipping threshold in [max/4, max] that minimises quantization MSE."""
    a = np.abs(np.ravel(samples))
    top = float(a.max()) if a.size else 0.0
    if top == 0.0:
        return 1.0
    best, best_err = top, math.inf
    for t in np.linspace(top / 4, top, n_grid):
        s = t / 127
        err = float(((np.clip(np.rint(a / s), 0, 127) * s - a) ** 2).sum())
        if err < best_err:
            best, best_err = float(t), err
    return best / 127


def channel_scale(samples: np.ndarray, alpha: float, levels: int = 127) -> np.ndarray:
    """Per-channel scales: max|x_c|^alpha * T^(1-alpha) / levels (alpha 1: per channel, 0: per tensor)."""
    r = np.abs(samples).max(axis=0)
    top = float(r.max()) if r.size else 1.0
    r = np.maximum(r, top * CHANNEL_FLOOR if top > 0 else 1.0)
    scales: np.ndarray = r ** alpha * top ** (1.0 - alpha) / levels
    return scales


def quant_gemv(w: np.ndarray, b: np.ndarray, s_in: np.ndarray, s_out: npt.ArrayLike) -> tuple[QGemv, np.ndarray]:
    """Quantize a float GEMV (x @ w + b) whose int8 input has scales s_in [d_in] and output scales s_out.

    The input scale is folded into the weight rows; returns the QGemv and the accumulator scales s_w [d_out].
    """
    wf = np.asarray(w, dtype=np.float64) * np.asarray(s_in, dtype=np.float64)[:, None]
    s_w = np.abs(wf).max(axis=0) / 127
    s_w = np.where(s_w > 0, s_w, 1.0)
    wq = np.clip(np.rint(wf / s_w), -127, 127).astype(np.int8).T.copy()
    bias = _clamp("bias", np.asarray(b, dtype=np.float64) / s_w, -BIAS_LIMIT, BIAS_LIMIT)
    mult, shift = quantize_multipliers(s_w / np.broadcast_to(np.asarray(s_out, dtype=np.float64), s_w.shape))
    return QGemv(w=wq, bias=bias, mult=mult, shift=shift), s_w


def residual_mults(s_a: np.ndarray, s_b: np.ndarray, s_y: float) -> tuple[np.ndarray, np.ndarray]:
    def enc(s: np.ndarray) -> np.ndarray:
        return _clamp("residual multiplier", np.asarray(s) / s_y * (1 << ops.RES_SHIFT), 0, ops.RES_MULT_MAX)
    return enc(s_a), enc(s_b)


def layernorm_params(gamma: npt.ArrayLike, beta: npt.ArrayLike, s_out: np.ndarray, s_y: float, eps: float,
                     n: int) -> tuple[np.ndarray, np.ndarray, int]:
    lim = (1 << 31) - 1
    g = _clamp("LayerNorm gamma'", np.asarray(gamma) / s_out * (1 << ops.LN_G_FB), -lim, lim)
    bq = _clamp("LayerNorm beta'", np.asarray(beta) / s_out * (1 << ops.LN_OUT_SHIFT), -lim, lim)
    eps_q = round(eps * n * n / (s_y * s_y))
    return g, bq, eps_q


def gelu_lut(s_u: float, s_a: float, zp_a: int = 0, zp_u: int = 0) -> np.ndarray:
    """One 256-entry table: entry i & 0xFF = sat8(round(GELU_erf((i - zp_u) * s_u) / s_a) + zp_a), i = -128..127."""
    codes = np.arange(256)
    u = (np.where(codes < 128, codes, codes - 256) - zp_u) * s_u
    lut: npt.NDArray[np.int64] = np.clip(np.rint(gelu_erf(u) / s_a) + zp_a, -127, 127).astype(np.int64)
    return lut


def asym_scale(samples: np.ndarray) -> tuple[float, int]:
    """Asymmetric int8: [min, max] (extended to include 0) -> [-127, 127]; returns (scale, zero point)."""
    lo, hi = float(min(samples.min(), 0.0)), float(max(samples.max(), 0.0))
    if hi <= lo:
        return 1.0, 0
    s = (hi - lo) / 254
    return s, int(np.clip(np.rint(-127 - lo / s), -127, 127))


def partition_banks(ranges: np.ndarray, n_banks: int) -> np.ndarray:
    """Assign channels to n_banks scale banks, minimising total quantization noise sum_c scale(bank(c))^2.

    A bank's scale is set by its largest channel, so the optimal banks are contiguous runs of the channels
    sorted by range; found exactly by dynamic programming. Lower bank ids hold larger ranges.
    """
    order = np.argsort(-ranges, kind="stable")
    r2 = ranges[order].astype(np.float64) ** 2
    n = r2.size
    j = np.arange(n + 1)
    cost = np.full(n + 1, np.inf)
    cost[0] = 0.0
    cuts = []
    for _ in range(n_banks):
        # new[j] = min_{i<j} cost[i] + (j - i) * r2[i]: bank covers sorted channels i..j-1
        m = cost[:n, None] + (j[None, :] - np.arange(n)[:, None]) * r2[:, None]
        m[np.arange(n)[:, None] >= j[None, :]] = np.inf
        arg = m.argmin(axis=0)
        new = m[arg, j]
        new[0] = 0.0
        cuts.append(arg)
        cost = np.minimum(new, cost)
        cuts[-1] = np.where(new <= cost, arg, -1)
    bank_sorted = np.zeros(n, dtype=np.int64)
    end, k = n, n_banks - 1
    while end > 0 and k >= 0:
        start = cuts[k][end]
        if start < 0:            # fewer banks were enough for this prefix
            k -= 1
            continue
        bank_sorted[start:end] = k
        end, k = start, k - 1
    bank = np.empty(n, dtype=np.int64)
    bank[order] = bank_sorted
    return bank


def gelu_banks(u: np.ndarray, ua: np.ndarray) -> tuple[np.ndarray, ...]:
    """Banked GELU: (bank [d_ff], s_u, zp_u, s_a, zp_a per channel, luts [ACT_BANKS, 256]).

    U and U_act are asymmetric per bank over their full calibrated range (no clipping: BERT-like models carry
    a few massive FFN activations that every later token depends on through attention)."""
    bank = partition_banks(np.abs(u).max(axis=0), ops.ACT_BANKS)
    s_u, s_a = np.ones(ops.ACT_BANKS), np.ones(ops.ACT_BANKS)
    zp_u, zp_a = np.zeros(ops.ACT_BANKS, dtype=np.int64), np.zeros(ops.ACT_BANKS, dtype=np.int64)
    for b in range(ops.ACT_BANKS):
        sel = bank == b
        if sel.any():
            s_u[b], zp_u[b] = asym_scale(u[:, sel])
            s_a[b], zp_a[b] = asym_scale(ua[:, sel])
    luts = np.stack([gelu_lut(s_u[b], s_a[b], int(zp_a[b]), int(zp_u[b])) for b in range(ops.ACT_BANKS)])
    return bank, s_u[bank], zp_u[bank], s_a[bank], zp_a[bank], luts


def calibrate(cfg: EngineConfig, w: Mapping[str, np.ndarray], calib_seqs: list[np.ndarray]) -> ActivationLog:
    log = ActivationLog()
    for seq in calib_seqs:
        forward(cfg, w, seq, log)
    return log


def quantize(cfg: EngineConfig, w: Mapping[str, np.ndarray], calib_seqs: list[np.ndarray],
             alpha: float = DEFAULT_ALPHA) -> QModel:
    """Calibrate on `calib_seqs` (each [T, d_model] float) and build the integer model."""
    cfg.validate()
    log = calibrate(cfg, w, calib_seqs)
    dh, nh, n = cfg.d_head, cfg.n_heads, cfg.d_model
    x_scale = channel_scale(log.get("0.x"), alpha)
    s_x = x_scale
    layers = []
    scales: dict[str, np.ndarray] = {"0.x": x_scale}
    for layer in range(cfg.n_layers):
        p = f"layers.{layer}."
        s_q = np.array([tensor_scale(log.get(f"{layer}.{h}.q")) for h in range(nh)])
        s_k = np.array([tensor_scale(log.get(f"{layer}.{h}.k")) for h in range(nh)])
        s_v = np.array([tensor_scale(log.get(f"{layer}.{h}.v")) for h in range(nh)])
        s_o = np.array([tensor_scale(log.get(f"{layer}.{h}.o")) for h in range(nh)])
        wq, _ = quant_gemv(w[p + "attn.wq"], w[p + "attn.bq"], s_x, np.repeat(s_q, dh))
        wk, _ = quant_gemv(w[p + "attn.wk"], w[p + "attn.bk"], s_x, np.repeat(s_k, dh))
        wv, _ = quant_gemv(w[p + "attn.wv"], w[p + "attn.bv"], s_x, np.repeat(s_v, dh))
        score_mult, score_shift = quantize_multipliers(
            s_q * s_k * math.log2(math.e) * (1 << ops.SCORE_FB) / math.sqrt(dh))
        o_mult, o_shift = quantize_multipliers(s_v / (1 << ops.PROB_FB) / s_o)
        s_op = channel_scale(log.get(f"{layer}.oprime"), 1.0, WIDE_HEADROOM)
        wo, _ = quant_gemv(w[p + "attn.wo"], w[p + "attn.bo"], np.repeat(s_o, dh), s_op)
        s_y1 = float(np.abs(log.get(f"{layer}.y1")).max()) / Y_HEADROOM
        r1x, r1r = residual_mults(s_x / RES_COPY_SCALE, s_op, s_y1)
        s_xa = channel_scale(log.get(f"{layer}.x_att"), alpha)
        g1, b1, e1 = layernorm_params(w[p + "ln1.gamma"], w[p + "ln1.beta"], s_xa, s_y1, cfg.ln_eps, n)
        bank, s_u, zp_u, s_a, zp_a, luts = gelu_banks(log.get(f"{layer}.u"), log.get(f"{layer}.u_act"))
        w1, s_w1 = quant_gemv(w[p + "ffn.w1"], w[p + "ffn.b1"], s_xa, s_u)
        # U codes carry a per-bank zero point: (acc + bias') * s_w/s_u = u/s_u + zp_u  =>  bias' += zp_u * s_u / s_w
        w1.bias = _clamp("W1 bias + U zero point", w1.bias + np.rint(zp_u * s_u / s_w1), -BIAS_LIMIT, BIAS_LIMIT)
        s_f = channel_scale(log.get(f"{layer}.f"), 1.0, WIDE_HEADROOM)
        w2, _ = quant_gemv(w[p + "ffn.w2"], w[p + "ffn.b2"], s_a, s_f)
        # U_act codes carry a per-bank zero point: fold sum_c w[j, c] * zp[c] into W2's integer bias.
        w2.bias = _clamp("W2 bias - U_act zero point", w2.bias - w2.w.astype(np.int64) @ zp_a, -BIAS_LIMIT, BIAS_LIMIT)
        s_y2 = float(np.abs(log.get(f"{layer}.y2")).max()) / Y_HEADROOM
        r2x, r2r = residual_mults(s_xa / RES_COPY_SCALE, s_f, s_y2)
        s_xn = channel_scale(log.get(f"{layer + 1}.x" if layer + 1 < cfg.n_layers else "final.x"), alpha)
        g2, b2, e2 = layernorm_params(w[p + "ln2.gamma"], w[p + "ln2.beta"], s_xn, s_y2, cfg.ln_eps, n)
        layers.append(QLayer(
            wq=wq, wk=wk, wv=wv, score_mult=score_mult, score_shift=score_shift, o_mult=o_mult, o_shift=o_shift,
            wo=wo, res1_x_mult=r1x, res1_r_mult=r1r, ln1_gamma=g1, ln1_beta=b1, ln1_eps=e1,
            w1=w1, gelu_lut=luts, gelu_bank=bank, w2=w2, res2_x_mult=r2x, res2_r_mult=r2r,
            ln2_gamma=g2, ln2_beta=b2, ln2_eps=e2))
        scales.update({
            f"{layer}.q": s_q, f"{layer}.k": s_k, f"{layer}.v": s_v, f"{layer}.o": s_o, f"{layer}.oprime": s_op,
            f"{layer}.y1": np.array([s_y1]), f"{layer}.x_att": s_xa, f"{layer}.u": s_u, f"{layer}.u_zp": zp_u,
            f"{layer}.u_act": s_a, f"{layer}.u_act_zp": zp_a, f"{layer}.f": s_f, f"{layer}.y2": np.array([s_y2]),
            f"{layer + 1}.x" if layer + 1 < cfg.n_layers else "final.x": s_xn})
        s_x = s_xn
    lw, s_l = quant_gemv(w["logits.w"], w.get("logits.b", np.zeros(cfg.vocab)), s_x, 1.0)
    return QModel(cfg=cfg, layers=layers, logits_w=lw.w, logits_b=lw.bias, x_scale=x_scale,
                  logits_scale=s_l, meta={"alpha": alpha, "scales": scales})
