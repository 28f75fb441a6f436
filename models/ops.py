"""Golden operators: one pure-integer function per hardware operator.

Every function here is the executable spec of the RTL module with the same name (see docs/numerics.md).
Inputs and outputs are NumPy integer arrays; all arithmetic is int64 (or exact Python int for per-row
scalars). No float is used on this path: float appears only in `models/quant.py`, which builds the
integer parameters these functions consume.

The one rounding rule, used by every requantization:
    rshift_round(x, r) = (x + 2^(r-1)) >> r        (arithmetic shift: round half up, ties to +inf)
"""
from __future__ import annotations

import math
from decimal import Decimal, getcontext
from typing import Any

import numpy as np
import numpy.typing as npt
from numpy.typing import ArrayLike

# Every integer-path tensor: int64 elements holding int8/int16/int32/uint16 values (the format says which).
I64Array = npt.NDArray[np.int64]
# Integer parameters as stored (int8 weights, int32 multipliers, ...): any integer dtype.
IntArray = npt.NDArray[np.integer[Any]]

# ---- Formats (docs/numerics.md, "Formats") -------------------------------------------------------------
I8_MIN, I8_MAX = -127, 127           # every int8 activation/weight saturates to the symmetric range
I16_MIN, I16_MAX = -32768, 32767
I32_MIN, I32_MAX = -(1 << 31), (1 << 31) - 1
MULT_BITS = 31                       # requant multiplier: unsigned, < 2^31 (Q0.31)
SHIFT_MIN, SHIFT_MAX = -31, 30       # requant exponent; total right shift = 31 - shift in [1, 62]
SCORE_FB = 8                         # softmax input: log2-domain, 8 fractional bits, int16
EXP_FB = 15                          # exp LUT entries: Q1.15, LUT[0] = 2^15 = 1.0
EXP_ZERO_N = 16                      # 2^-n with n >= 16 underflows to 0
RECIP_BITS = 46                      # softmax reciprocal = floor(2^46 / sum)
PROB_FB = 15                         # probabilities: unsigned Q1.15, 1.0 = 32768
RES_SHIFT = 16                       # residual add: per-channel multipliers in Q8.16
RES_MULT_MAX = (1 << 24) - 1
NORM_FB = 12                         # LayerNorm normalized value: Q.12
LN_G_FB = 10                         # LayerNorm gamma': Q.10 (gamma / s_out)
LN_OUT_SHIFT = NORM_FB + LN_G_FB     # = 22; beta' is in the same Q.22 as norm * gamma'


def _i64(a: ArrayLike) -> I64Array:
    return np.asarray(a, dtype=np.int64)


_AMIN, _AMAX = np.minimum.reduce, np.maximum.reduce     # a.min() / a.max() without their Python wrappers


def _check_range(name: str, a: I64Array, lo: int, hi: int) -> None:
    if a.size and (_AMIN(a, axis=None) < lo or _AMAX(a, axis=None) > hi):
        raise ValueError(f"{name} out of range [{lo}, {hi}]: min {a.min()}, max {a.max()}")


def _sat(y: I64Array, lo: int, hi: int) -> I64Array:
    """np.clip(y, lo, hi) as two ufuncs (np.clip's wrapper costs 3x more on the model's short vectors)."""
    return np.minimum(np.maximum(y, lo), hi)


def rshift_round(x: ArrayLike, r: int) -> I64Array:
    """Round-half-up arithmetic right shift by r >= 1 bits (the project's one rounding rule)."""
    if not 1 <= r <= 62:
        raise ValueError(f"rshift_round: shift {r} outside [1, 62]")
    return (_i64(x) + (1 << (r - 1))) >> r


def check_requant_params(mult: ArrayLike, shift: ArrayLike) -> None:
    """ValueError unless mult is uint31 and shift in [SHIFT_MIN, SHIFT_MAX] (what requant checks on every call)."""
    _check_range("requant mult", _i64(mult), 0, (1 << MULT_BITS) - 1)
    _check_range("requant shift", _i64(shift), SHIFT_MIN, SHIFT_MAX)


def requant(acc: ArrayLike, bias: ArrayLike, mult: ArrayLike, shift: ArrayLike, lo: int = I8_MIN,
            hi: int = I8_MAX, params_checked: bool = False) -> I64Array:
    """requant: y = sat(rshift_round((acc + bias) * mult, 31 - shift), lo, hi).

    acc: int32 accumulators; bias: int32; mult: uint31 (Q0.31); shift: exponent in [-31, 30] (positive
    = left, TFLite "single rounding" form). bias/mult/shift broadcast (per-channel or scalar).
    params_checked: mult and shift passed check_requant_params already (a model's constants, checked once);
    acc + bias is checked on every call.
    """
    acc, bias, mult, shift = _i64(acc), _i64(bias), _i64(mult), _i64(shift)
    if not params_checked:
        check_requant_params(mult, shift)
    s = acc + bias
    _check_range("requant acc+bias", s, I32_MIN, I32_MAX)
    r = 31 - shift
    y: I64Array = (s * mult + (np.int64(1) << (r - 1))) >> r
    return _sat(y, lo, hi)


def gemv(x: ArrayLike, w_tile: ArrayLike) -> I64Array:
    """gemv over one weight tile: acc[r] = sum_c x[c] * w_tile[r, c] (int8 x int8 -> int32).

    w_tile rows are output channels (output-major, as streamed from DDR); x is the resident vector.
    """
    x, w = _i64(x), _i64(w_tile)
    acc = w @ x
    _check_range("gemv accumulator", acc, I32_MIN, I32_MAX)
    return acc


def score_scale_clamp(s_raw: ArrayLike, mult: ArrayLike, shift: ArrayLike) -> I64Array:
    """score_scale_clamp: raw int32 scores q.k -> int16 log2-domain logits with SCORE_FB fractional bits.

    Same rounding as requant, saturated to int16. mult/shift encode s_q*s_k*log2(e)*2^8/sqrt(d_head).
    """
    return requant(s_raw, 0, mult, shift, I16_MIN, I16_MAX)


def _exp_lut() -> I64Array:
    getcontext().prec = 50
    two = Decimal(2)
    vals = [int((Decimal(1 << EXP_FB) * two ** (Decimal(-f) / 256)).quantize(Decimal(1), rounding="ROUND_HALF_UP"))
            for f in range(256)]
    return np.array(vals, dtype=np.int64)


# EXP_LUT[f] = round(2^15 * 2^(-f/256)), f = 0..255; exact to the nearest integer (computed in Decimal).
EXP_LUT: I64Array = _exp_lut()
EXP_LUT.setflags(write=False)


def softmax(z: ArrayLike) -> I64Array:
    """softmax over one row of int16 log2-domain scores -> uint16 Q1.15 probabilities.

    d = max(z) - z; n = d >> 8; f = d & 255; e = n >= 16 ? 0 : rshift_round(EXP_LUT[f], n) (n = 0: LUT[f])
    sum = sum(e) (>= 2^15); recip = floor(2^46 / sum); p = (e * recip + 2^30) >> 31.
    """
    z = _i64(z)
    if z.ndim != 1 or z.size == 0:
        raise ValueError("softmax expects a non-empty 1-D row")
    _check_range("softmax input", z, I16_MIN, I16_MAX)
    d = z.max() - z
    n = d >> SCORE_FB
    f = d & ((1 << SCORE_FB) - 1)
    lut = EXP_LUT[f]
    n_c = np.minimum(n, EXP_ZERO_N - 1)
    half = (np.int64(1) << n_c) >> 1
    e = np.where(n >= EXP_ZERO_N, 0, (lut + half) >> n_c)
    total = int(e.sum())
    recip = (1 << RECIP_BITS) // total
    return (e * recip + (1 << 30)) >> 31


def pv_accum(p_tile: ArrayLike, v_tile: ArrayLike, acc: ArrayLike | None = None) -> I64Array:
    """P.V accumulation over one context tile: acc[j] += sum_t p[t] * v[t, j] (uint16 Q1.15 x int8 -> int32)."""
    p, v = _i64(p_tile), _i64(v_tile)
    out = (p @ v) if acc is None else _i64(acc) + p @ v
    _check_range("pv accumulator", out, I32_MIN, I32_MAX)
    return out


def residual_add(x: ArrayLike, x_mult: ArrayLike, r: ArrayLike, r_mult: ArrayLike) -> I64Array:
    """residual_add: y[c] = sat16(rshift_round(x[c]*x_mult[c] + r[c]*r_mult[c], 16)).

    x: LayerNorm's int16 residual copy (or the int8 input << 6 in layer 0); r: the int16 branch output (O' or
    F); both with per-channel scales. x_mult, r_mult: unsigned Q8.16 < 2^24 that bring both onto the common
    int16 scale of y.
    """
    x_mult, r_mult = _i64(x_mult), _i64(r_mult)
    _check_range("residual mult", x_mult, 0, RES_MULT_MAX)
    _check_range("residual mult", r_mult, 0, RES_MULT_MAX)
    s = _i64(x) * x_mult + _i64(r) * r_mult
    return _sat(rshift_round(s, RES_SHIFT), I16_MIN, I16_MAX)


def isqrt_norm(d: int) -> tuple[int, int]:
    """LayerNorm inverse square root. d >= 1, d < 2^62.

    m = (62 - bitlen(d)) // 2; sd = isqrt(d << 2m) in [2^30, 2^31); inv = floor(2^61 / sd) in [2^30, 2^31].
    Then 1/sqrt(d) ~= inv * 2^(m - 61). Returns (inv, m).
    """
    if not 1 <= d < (1 << 62):
        raise ValueError(f"isqrt_norm: {d} outside [1, 2^62)")
    m = (62 - d.bit_length()) // 2
    sd = math.isqrt(d << (2 * m))
    return (1 << 61) // sd, m


RES_COPY_SHIFT = 16                  # LayerNorm's int16 residual copy: same scale as the int8 output / 64


def layernorm(y: ArrayLike, gamma_q: ArrayLike, beta_q: ArrayLike, eps_q: int) -> tuple[I64Array, I64Array]:
    """layernorm (+ its requant): int16 row -> (int8 row for the MACs, int16 residual copy).

    Per-channel output scales are folded into gamma'/beta'. The int16 copy has the same per-channel scale
    divided by 64 (6 more fractional bits, 4x the range) and feeds the next residual add.

    S1 = sum y, S2 = sum y^2, D = max(N*S2 - S1^2 + eps_q, 1)   (D = N^2 * (var + eps) in y units)
    (inv, m) = isqrt_norm(D); dev = N*y - S1
    norm = rshift_round(dev * inv, 61 - m - 12)                (Q.12, = (y - mean) / sqrt(var + eps))
    v    = norm * gamma_q + beta_q                             (Q.22 in output units)
    out8 = sat8(rshift_round(v, 22));  out16 = sat16(rshift_round(v, 16))
    No division by N is needed: N cancels between dev and sqrt(D).
    """
    y = _i64(y)
    _check_range("layernorm input", y, I16_MIN, I16_MAX)
    n = y.size
    s1 = int(y.sum())
    s2 = int((y * y).sum())
    d = max(n * s2 - s1 * s1 + int(eps_q), 1)
    inv, m = isqrt_norm(d)
    dev = n * y - s1
    _check_range("layernorm deviation", dev, -(1 << 28) + 1, (1 << 28) - 1)     # rows of at most 2048
    norm = rshift_round(dev * inv, 61 - m - NORM_FB)
    v = norm * _i64(gamma_q) + _i64(beta_q)
    out8 = _sat(rshift_round(v, LN_OUT_SHIFT), I8_MIN, I8_MAX)
    out16 = _sat(rshift_round(v, RES_COPY_SHIFT), I16_MIN, I16_MAX)
    return out8, out16


ACT_BANKS = 4                        # GELU LUT banks: each d_ff channel selects one by a 2-bit bank id


def act_lut(u: ArrayLike, lut: ArrayLike, bank: ArrayLike) -> I64Array:
    """act_lut: out[c] = lut[bank[c], u[c] & 0xFF]  (ACT_BANKS x 256 int8 -> int8 tables).

    The index is the two's-complement byte of u. Each bank has its own input/output scale, so channels with
    massive activations and ordinary channels each get int8 resolution (the per-channel W1 requant and the
    W2 weight rows absorb the bank scales).
    """
    lut, bank = _i64(lut), _i64(bank)
    if lut.shape != (ACT_BANKS, 256):
        raise ValueError(f"act_lut: tables must have shape ({ACT_BANKS}, 256), got {lut.shape}")
    _check_range("act_lut bank", bank, 0, ACT_BANKS - 1)
    out: I64Array = lut[bank, _i64(u) & 0xFF]
    return out


def logits(x: ArrayLike, w_tile: ArrayLike, bias: ArrayLike) -> I64Array:
    """logits over one weight tile: int32 acc + int32 bias, no requant (streamed out as int32)."""
    out = gemv(x, w_tile) + _i64(bias)
    _check_range("logits", out, I32_MIN, I32_MAX)
    return out
