"""Golden operators against the numerics contract: corners, and independent Python-int re-implementations."""
from __future__ import annotations

import math
import random

import numpy as np
import pytest

from models import ops
from models.float_ref import gelu_erf
from models.quant import gelu_lut, partition_banks, quantize_multiplier


# ---- independent references, written from docs/numerics.md with Python ints (no NumPy) ----
def ref_requant(acc: int, bias: int, mult: int, shift: int, lo=-127, hi=127) -> int:
    v = ((acc + bias) * mult + (1 << (30 - shift))) >> (31 - shift)
    return max(lo, min(hi, v))


def ref_softmax(z: list[int]) -> list[int]:
    m = max(z)
    es = []
    for zi in z:
        d = m - zi
        n, f = d // 256, d % 256
        lut = round(32768 * 2 ** (-f / 256))
        es.append(0 if n >= 16 else (lut if n == 0 else (lut + (1 << (n - 1))) >> n))
    recip = (1 << 46) // sum(es)
    return [(e * recip + (1 << 30)) >> 31 for e in es]


def ref_layernorm(y: list[int], g: list[int], b: list[int], eps: int) -> tuple[list[int], list[int]]:
    n, s1, s2 = len(y), sum(y), sum(v * v for v in y)
    d = max(n * s2 - s1 * s1 + eps, 1)
    m = (62 - d.bit_length()) // 2
    inv = (1 << 61) // math.isqrt(d << (2 * m))
    out8, out16 = [], []
    for yi, gi, bi in zip(y, g, b, strict=True):
        norm = ((n * yi - s1) * inv + (1 << (60 - m - 12))) >> (61 - m - 12)
        v = norm * gi + bi
        out8.append(max(-127, min(127, (v + (1 << 21)) >> 22)))
        out16.append(max(-32768, min(32767, (v + (1 << 15)) >> 16)))
    return out8, out16


# ---- rounding and requant ----
@pytest.mark.parametrize("x,r,want", [(3, 1, 2), (-3, 1, -1), (1, 1, 1), (-1, 1, 0), (5, 2, 1), (6, 2, 2),
                                      (-6, 2, -1), (-7, 2, -2), (0, 5, 0), ((1 << 40) + (1 << 39), 40, 2)])
def test_rshift_round_ties_go_up(x, r, want):
    assert int(ops.rshift_round(x, r)) == want


def test_requant_ties_half_up():
    half = 1 << 30     # mult = 0.5
    got = ops.requant(np.array([3, -3, 1, -1, 5, -5]), 0, half, 0)
    assert got.tolist() == [2, -1, 1, 0, 3, -2]


def test_requant_saturates_symmetric():
    got = ops.requant(np.array([1 << 20, -(1 << 20), 127, -127, 128, -128]), 0, (1 << 31) - 1, 0)
    assert got.tolist() == [127, -127, 127, -127, 127, -127]
    assert ops.requant(np.array([-(1 << 31)]), 0, 1 << 30, 5).tolist() == [-127]


@pytest.mark.parametrize("shift,acc,want", [(3, 10, 40), (3, -10, -40), (-3, 24, 2), (-3, -24, -1), (-3, 23, 1),
                                            (0, 100, 50), (30, 1, 127), (-31, 1 << 30, 0)])
def test_requant_both_shift_directions(shift, acc, want):
    assert int(ops.requant(np.array([acc]), 0, 1 << 30, shift)[0]) == want


def test_requant_extreme_multipliers_match_python_ints():
    rng = random.Random(7)
    for mult, shift in [((1 << 31) - 1, 30), ((1 << 31) - 1, -31), (1, 30), (0, 0), (1 << 30, -31), (1, -31)]:
        for _ in range(300):
            acc = rng.randrange(-(1 << 30), 1 << 30)
            bias = rng.randrange(-(1 << 30), 1 << 30)
            got = int(ops.requant(np.array([acc]), bias, mult, shift)[0])
            assert got == ref_requant(acc, bias, mult, shift), (acc, bias, mult, shift)


def test_requant_random_matches_reference():
    rng = np.random.default_rng(1)
    acc = rng.integers(-(1 << 24), 1 << 24, 10000)
    bias = rng.integers(-(1 << 20), 1 << 20, 10000)
    mult = rng.integers(1 << 30, 1 << 31, 10000)
    shift = rng.integers(-31, 8, 10000)
    got = ops.requant(acc, bias, mult, shift)
    want = [ref_requant(int(a), int(b), int(m), int(s)) for a, b, m, s in zip(acc, bias, mult, shift, strict=True)]
    assert got.tolist() == want


def test_requant_rejects_out_of_contract_parameters():
    with pytest.raises(ValueError, match="shift"):
        ops.requant(np.array([1]), 0, 1 << 30, 31)
    with pytest.raises(ValueError, match="mult"):
        ops.requant(np.array([1]), 0, 1 << 31, 0)
    with pytest.raises(ValueError, match="acc\\+bias"):
        ops.requant(np.array([1 << 31]), 0, 1, 0)


@pytest.mark.parametrize("real", [1e-12, 3.7e-6, 0.0123, 0.5, 0.999999, 1.0, 1.5, 255.9, 12345.6])
def test_quantize_multiplier_encodes_real(real):
    mult, shift = quantize_multiplier(real)
    assert 0 <= mult < 1 << 31 and ops.SHIFT_MIN <= shift <= ops.SHIFT_MAX
    approx = mult * 2.0 ** (shift - 31)
    assert abs(approx - real) <= max(real * 2 ** -30, 2.0 ** -62)


# ---- GEMV, scores, P.V ----
def test_gemv_exact_and_extremes():
    rng = np.random.default_rng(3)
    x = rng.integers(-127, 128, 384)
    w = rng.integers(-127, 128, (16, 384))
    assert ops.gemv(x, w).tolist() == [sum(int(a) * int(b) for a, b in zip(x, row, strict=True)) for row in w]
    full = ops.gemv(np.full(4096, -127), np.full((2, 4096), 127))
    assert full.tolist() == [-127 * 127 * 4096] * 2


def test_score_scale_clamp_saturates_int16():
    got = ops.score_scale_clamp(np.array([1 << 25, -(1 << 25), 1000]), (1 << 31) - 1, 0)
    assert got.tolist() == [32767, -32768, 1000]


def test_pv_accum_tiles_add_up():
    rng = np.random.default_rng(4)
    p = rng.integers(0, 32769, 40)
    v = rng.integers(-127, 128, (40, 16))
    acc = None
    for t0 in range(0, 40, 8):
        acc = ops.pv_accum(p[t0:t0 + 8], v[t0:t0 + 8], acc)
    assert acc.tolist() == (p @ v).tolist()


# ---- softmax ----
def test_exp_lut_contents():
    lut = ops.EXP_LUT
    assert lut[0] == 32768 and lut.shape == (256,)
    assert np.all(np.diff(lut) < 0)
    assert np.all(np.abs(lut - 32768 * 2.0 ** (-np.arange(256) / 256)) <= 0.5)
    assert lut[255] == round(32768 * 2 ** (-255 / 256))


def test_softmax_single_position():
    assert ops.softmax([1234]).tolist() == [32768]
    assert ops.softmax([-32768]).tolist() == [32768]


@pytest.mark.parametrize("n", [1, 2, 3, 7, 64, 512])
def test_softmax_all_equal(n):
    p = ops.softmax(np.full(n, 77))
    want = (32768 * ((1 << 46) // (n * 32768)) + (1 << 30)) >> 31
    assert p.tolist() == [want] * n
    assert abs(int(p.sum()) - 32768) <= n


def test_softmax_lut_boundaries():
    # d = 255: last LUT entry, n = 0; d = 256: n = 1, f = 0; n = 15 keeps 1; n = 16 underflows to 0.
    z = np.array([0, -255, -256, -15 * 256, -16 * 256, -32768])
    es = [32768, int(ops.EXP_LUT[255]), 16384, 1, 0, 0]
    p = ops.softmax(z)
    recip = (1 << 46) // sum(es)
    assert p.tolist() == [(e * recip + (1 << 30)) >> 31 for e in es]


def test_softmax_random_matches_reference_and_float():
    rng = np.random.default_rng(5)
    for n in (1, 2, 5, 33, 100, 512):
        for _ in range(20):
            z = rng.integers(-4000, 4000, n)
            p = ops.softmax(z)
            assert p.tolist() == ref_softmax([int(v) for v in z])
            exact = np.exp2((z - z.max()) / 256.0)
            exact /= exact.sum()
            assert np.abs(p / 32768 - exact).max() < 2e-3


# ---- residual, layernorm, LUT ----
def test_residual_add_rounds_and_saturates():
    one = 1 << 16
    assert ops.residual_add([1, -1], [one // 2] * 2, [0, 0], [0, 0]).tolist() == [1, 0]  # 0.5 -> 1, -0.5 -> 0
    assert ops.residual_add([127], [ops.RES_MULT_MAX], [127], [ops.RES_MULT_MAX]).tolist() == [32767]
    assert ops.residual_add([-127], [ops.RES_MULT_MAX], [-127], [ops.RES_MULT_MAX]).tolist() == [-32768]
    assert ops.residual_add([3], [5 * one], [-2], [7 * one]).tolist() == [1]
    with pytest.raises(ValueError, match="residual mult"):
        ops.residual_add([1], [1 << 24], [1], [0])


def test_layernorm_constant_row_gives_beta():
    n = 32
    g = np.full(n, 1 << 10)
    b = np.arange(-16, 16) * (1 << 22) + (1 << 21)      # beta = k + 0.5 -> rounds up to k + 1
    for c in (0, 5000, -32768, 32767):
        for eps in (0, 12345):
            out, res = ops.layernorm(np.full(n, c), g, b, eps)
            assert out.tolist() == [k + 1 for k in range(-16, 16)]
            assert res.tolist() == [64 * k + 32 for k in range(-16, 16)]      # k + 0.5 exactly, 6 more bits


def test_layernorm_matches_reference_and_float():
    rng = np.random.default_rng(6)
    for n in (8, 32, 384, 1024):
        for _ in range(10):
            y = rng.integers(-20000, 20000, n)
            g = rng.integers(1 << 12, 1 << 16, n)
            b = rng.integers(-(1 << 28), 1 << 28, n)
            out, res = ops.layernorm(y, g, b, 0)
            want8, want16 = ref_layernorm([int(v) for v in y], [int(v) for v in g], [int(v) for v in b], 0)
            assert out.tolist() == want8 and res.tolist() == want16
            inside = np.abs(out) < 127                    # where int8 does not saturate, the copies agree
            assert np.all(np.abs(res[inside] - 64 * out[inside]) <= 32)
            yf = y.astype(np.float64)
            fl = (yf - yf.mean()) / yf.std() * g / 1024 + b / 2.0 ** 22
            assert np.abs(out - np.clip(fl, -127, 127)).max() <= 1.0


def test_layernorm_extreme_rows():
    n = 1024
    y = np.where(np.arange(n) % 2 == 0, 32767, -32768)
    out, res = ops.layernorm(y, np.full(n, 1 << 10), np.zeros(n, dtype=np.int64), 0)
    assert set(out.tolist()) == {1, -1} and set(res.tolist()) == {64, -64}
    spike = np.zeros(n, dtype=np.int64)
    spike[3] = 32767
    out, res = ops.layernorm(spike, np.full(n, 1 << 16), np.zeros(n, dtype=np.int64), 0)
    # both saturate: 64 * 32 * 64 > 32767; (0 - mean)/std ~ -1/sqrt(1023) * 64 = -2.0
    assert out[3] == 127 and out[0] == -2 and res[3] == 32767


def test_isqrt_norm_contract():
    for d in (1, 2, 3, 4, 1 << 20, (1 << 62) - 1, 123456789012345):
        inv, m = ops.isqrt_norm(d)
        assert (1 << 30) <= inv <= (1 << 31)
        assert abs(inv * 2.0 ** (m - 61) * math.sqrt(d) - 1) < 2e-9 * 4
    with pytest.raises(ValueError):
        ops.isqrt_norm(0)


def test_act_lut_indexing_and_gelu_boundaries():
    s_u, s_a = 6.0 / 127, 5.0 / 127
    lut = gelu_lut(s_u, s_a)
    luts = np.stack([lut, -lut, np.arange(256) - 128, np.zeros(256, dtype=np.int64)])
    u = np.arange(-128, 128)
    out = ops.act_lut(u, luts, np.zeros(256, dtype=np.int64))
    want = np.clip(np.rint(gelu_erf(u * s_u) / s_a), -127, 127)
    assert out.tolist() == want.astype(int).tolist()
    assert out[u == 0][0] == 0 and out[u == -1][0] == lut[255] and out[u == -128][0] == lut[128]
    assert out[u == 127][0] == lut[127] and lut.min() >= -127 and lut.max() <= 127
    # each channel reads its own bank, indexed by the two's-complement byte
    bank = np.array([0, 1, 2, 3, 2, 1])
    uu = np.array([5, 5, -128, 77, 127, -1])
    assert ops.act_lut(uu, luts, bank).tolist() == [lut[5], -lut[5], 0, 0, -1, -lut[255]]
    sat = gelu_lut(10.0 / 127, 1.0 / 127)          # output scale too small: large inputs saturate at 127
    assert sat[127] == 127 and sat[100] == 127
    with pytest.raises(ValueError, match="tables must have shape"):
        ops.act_lut([0], lut, [0])
    with pytest.raises(ValueError, match="bank"):
        ops.act_lut([0], luts, [ops.ACT_BANKS])


def test_partition_banks_is_optimal_on_small_cases():
    import itertools
    rng = np.random.default_rng(8)
    for _ in range(20):
        r = rng.lognormal(0, 1.5, 7)
        bank = partition_banks(r, 3)
        cost = sum(r[bank == b].max() ** 2 * (bank == b).sum() for b in set(bank.tolist()))
        best = min(
            sum(r[np.array(a) == b].max() ** 2 * (np.array(a) == b).sum() for b in set(a))
            for a in itertools.product(range(3), repeat=7))
        assert cost <= best * (1 + 1e-12)
        assert r[bank == 0].max() == r.max()
