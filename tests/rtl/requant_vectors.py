"""Test vectors for REQUANT-shaped operators (le_requant, le_score_scale_clamp).

Pure Python: each function returns plain dicts of ints; expected outputs come from models.ops only.
"""

from __future__ import annotations

import random

from models import ops

I32_MIN, I32_MAX = ops.I32_MIN, ops.I32_MAX
MULT_MAX = (1 << ops.MULT_BITS) - 1


def _log_uniform(rng: random.Random, max_bits: int) -> int:
    """A non-negative int whose bit length is uniform in [0, max_bits]."""
    bits = rng.randint(0, max_bits)
    return 0 if bits == 0 else rng.randrange(1 << (bits - 1), 1 << bits)


def _rand_sum(rng: random.Random) -> int:
    """acc + bias: log-uniform magnitude, random sign, inside int32."""
    mag = _log_uniform(rng, 31)
    return -mag if rng.random() < 0.5 else min(mag, I32_MAX)


def _rand_mult(rng: random.Random) -> int:
    u = rng.random()
    if u < 0.4:
        return rng.randrange(1 << 30, 1 << 31)            # the normalised range quantization produces
    if u < 0.7:
        return min(_log_uniform(rng, 31), MULT_MAX)
    if u < 0.8:
        return rng.choice([0, 1, 2, 1 << 30, MULT_MAX - 1, MULT_MAX])
    return rng.randrange(0, 1 << 31)


def split_sum(rng: random.Random, s: int) -> tuple[int, int]:
    """(acc, bias), both int32, with acc + bias = s; bias 0 in ~30% of the cases."""
    if rng.random() < 0.3:
        return s, 0
    for _ in range(8):
        bias = rng.randint(-(1 << 30), 1 << 30) if rng.random() < 0.8 else rng.randint(I32_MIN, I32_MAX)
        if I32_MIN <= s - bias <= I32_MAX:
            return s - bias, bias
    return s, 0


def random_shift_for(rng: random.Random, s: int, mult: int) -> int:
    """A shift that puts the result near the int8/int16 range (so rounding and saturation both show)."""
    if rng.random() < 0.1:
        return rng.randint(ops.SHIFT_MIN, ops.SHIFT_MAX)      # any shift (mostly saturates or rounds to 0)
    out_bits = rng.randint(0, 18)
    r = abs(s).bit_length() + mult.bit_length() - out_bits + rng.randint(-2, 2)
    r = max(1, min(62, r))
    return 31 - r


def random_triple(rng: random.Random) -> tuple[int, int, int]:
    """(s = acc + bias, mult, shift)."""
    s = _rand_sum(rng) if rng.random() < 0.85 else rng.randint(I32_MIN, I32_MAX)
    mult = _rand_mult(rng)
    return s, mult, random_shift_for(rng, s, mult)


def _odd(rng: random.Random, max_value: int, small: bool) -> int:
    """A random odd number in [1, max_value] (log-uniform when `small`); max_value >= 1."""
    if small:
        v = _log_uniform(rng, min(max_value.bit_length(), 9)) | 1
    else:
        v = rng.randint(1, max_value) | 1
    return v if v <= max_value else (max_value if max_value & 1 else max_value - 1)


def tie_triple(rng: random.Random, r: int) -> tuple[int, int, int]:
    """(s, mult, shift) with s * mult an exact tie for r = 31 - shift: s * mult = odd * 2^(r-1).

    mult = odd_m * 2^j < 2^31, s = +-odd_s * 2^k (int32), j + k = r - 1. For r = 62 only the negative
    tie exists (s = -2^31, mult = 2^30).
    """
    for _ in range(64):
        j_lo, j_hi = max(0, r - 1 - 31), min(30, r - 1)
        j = rng.randint(j_lo, j_hi)
        k = r - 1 - j
        small = rng.random() < 0.8
        odd_m = _odd(rng, (MULT_MAX >> j), small)
        negative = rng.random() < 0.5
        if k == 31:
            s, negative = -(1 << 31), True          # the only int32 multiple of 2^31 besides 0
        else:
            s = _odd(rng, I32_MAX >> k, small) << k
            s = -s if negative else s
        mult = odd_m << j
        p = s * mult
        if mult <= MULT_MAX and I32_MIN <= s <= I32_MAX and p % (1 << r) == 1 << (r - 1):
            return s, mult, 31 - r
    raise AssertionError(f"no tie found for r={r}")


def corner_triples() -> list[tuple[int, int, int]]:
    """Hand-picked (s, mult, shift): saturation edges, extremes of every field, mult = 0."""
    unit = (1 << 30, 1)            # mult * 2^(shift-31) = 2^30 * 2^-30 = 1: y = s exactly
    out: list[tuple[int, int, int]] = []
    for s in (0, 1, -1, 126, 127, 128, -126, -127, -128, -129, 32766, 32767, 32768, -32767, -32768, -32769,
              I32_MAX, I32_MIN, I32_MAX - 1, I32_MIN + 1):
        out.append((s, *unit))
    for s in (I32_MAX, I32_MIN, 0, 1, -1, 12345, -12345):
        for mult in (0, 1, 1 << 30, MULT_MAX):
            for shift in (ops.SHIFT_MIN, -1, 0, 1, ops.SHIFT_MAX):
                out.append((s, mult, shift))
    # Half-up rounding by 1 bit (r = 1): y = round((s * mult) / 2) with mult = 1.
    for s in (1, -1, 3, -3, 253, 254, 255, -253, -254, -255, -256, 65533, 65535, -65535, -65537):
        out.append((s, 1, ops.SHIFT_MAX))
    return out
