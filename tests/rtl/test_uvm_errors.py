"""pytest launchers of the pyuvm error tests (verif/tests/errors.py: AxiErrorTest, IllegalConfigTest,
ResetMidTokenTest) on le_tb_top at 64 and 128 bits. Seed: LE_SEED (default 1); the slow variant runs seeds 1..5."""
from __future__ import annotations

import pytest

from verif.seeds import Seeds

from test_uvm_env import run_uvm_test

MODULES = ["verif.tests.errors"]
TESTS = ("AxiErrorTest", "IllegalConfigTest", "ResetMidTokenTest")


@pytest.mark.sim
@pytest.mark.parametrize("test", TESTS)
@pytest.mark.parametrize("data_w", (64, 128))
def test_uvm_errors(test: str, data_w: int) -> None:
    run_uvm_test(test, data_w, Seeds.from_env(), modules=MODULES)


@pytest.mark.sim
@pytest.mark.slow
@pytest.mark.parametrize("seed", (2, 3, 4, 5, 6))
@pytest.mark.parametrize("test", TESTS)
@pytest.mark.parametrize("data_w", (64, 128))
def test_uvm_errors_seeds(test: str, data_w: int, seed: int) -> None:
    run_uvm_test(test, data_w, Seeds(seed), modules=MODULES)
