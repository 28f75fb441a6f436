"""Lanes of a packed bus word and element-wise comparison with the golden model (the operator tests; no
simulator needed).

    word = pack([1, -2, 3], 8)                    # lane i at bits [8*i +: 8]
    unpack_signed(word, 8, 3) == [1, -2, 3]
    compare("requant", got, golden, inputs_of(items))   # AssertionError naming the first mismatches
"""
from __future__ import annotations

from collections.abc import Sequence


def pack(values: Sequence[int], bits: int) -> int:
    """Lane i of the result holds values[i] (two's complement, `bits` wide) at bits [bits*i +: bits]."""
    mask = (1 << bits) - 1
    word = 0
    for i, v in enumerate(values):
        word |= (int(v) & mask) << (bits * i)
    return word


def unpack_signed(word: int, bits: int, n: int) -> list[int]:
    """Inverse of `pack` for signed lanes."""
    mask, half = (1 << bits) - 1, 1 << (bits - 1)
    out = []
    for i in range(n):
        v = (word >> (bits * i)) & mask
        out.append(v - (1 << bits) if v >= half else v)
    return out


def compare(label: str, got: Sequence[int], expected: Sequence[int], where: Sequence[str] | None = None) -> None:
    """Assert got == expected element by element; report the first mismatches (with `where[i]`, e.g. the inputs)."""
    assert len(got) == len(expected), f"{label}: {len(got)} outputs, expected {len(expected)}"
    bad = [i for i, (g, e) in enumerate(zip(got, expected, strict=True)) if g != e]
    if bad:
        lines = [f"#{i}{' ' + where[i] if where else ''}: got {got[i]} expected {expected[i]}" for i in bad[:10]]
        raise AssertionError(f"{label}: {len(bad)} of {len(got)} outputs differ from the golden model:\n  "
                             + "\n  ".join(lines))


def inputs_of(items: Sequence[dict[str, int]]) -> list[str]:
    """`where` labels for `compare`: each item's input fields."""
    return [f"in={dict(it)}" for it in items]
