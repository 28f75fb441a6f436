"""verif/seeds.py: one master seed derives independent, reproducible, non-zero seeds."""
from __future__ import annotations

import pytest

from verif.seeds import SEED_ENV, Seeds, derive


def test_same_master_same_seeds_different_master_different_seeds() -> None:
    a, b, c = Seeds(7), Seeds(7), Seeds(8)
    assert a.describe() == b.describe()
    for name in ("python", "numpy", "vsc", "verilator", "cocotb"):
        assert getattr(a, name) != getattr(c, name), name


def test_streams_are_distinct_and_never_zero() -> None:
    for master in range(200):
        s = Seeds(master)
        values = [s.python, s.numpy, s.vsc, s.verilator, s.cocotb]
        assert len(set(values)) == len(values)
        assert all(1 <= v <= 0x7FFF_FFFF for v in values)


def test_plusargs_carry_the_verilator_seed_and_random_reset() -> None:
    s = Seeds(3)
    assert s.plusargs() == [f"+verilator+seed+{derive(3, 'verilator')}", "+verilator+rand+reset+2"]


def test_from_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(SEED_ENV, "0x10")
    assert Seeds.from_settings().master == 16
    monkeypatch.setenv(SEED_ENV, "ten")
    with pytest.raises(ValueError, match="LE_SEED"):
        Seeds.from_settings()


def test_test_plusargs_add_the_master_seed() -> None:
    s = Seeds(3)
    assert s.test_plusargs() == [*s.plusargs(), "+le_seed=3"]
