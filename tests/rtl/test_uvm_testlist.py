"""pytest runs every test of regress/testlist.yaml (the one test list) on each of its configurations, one master
seed (LE_SEED, default 1), through regress.launch.run_listed: the same command a regression run executes
(regress.simrun for a pyuvm test, regress.scrun for an `engine: systemc` one; both write results.xml). Entries
marked `slow: true` in the list run only with the slow marker (`make test PYTEST_ARGS=`). A test of the real model
(knob bundle: minilm) skips with the reason when the optional model package is not installed.

Adding a test to the list adds it here; nothing else lists the env's tests.
"""
from __future__ import annotations

import pytest

from regress.launch import run_listed
from regress.testlist import load
from verif.seeds import Seeds

TESTLIST = load()


def _cases() -> list[pytest.param]:
    cases = []
    for spec in TESTLIST.tests.values():
        marks = [pytest.mark.sim] + ([pytest.mark.slow] if spec.slow else [])
        cases += [pytest.param(spec.name, config, marks=marks, id=f"{spec.name}.{config}") for config in spec.configs]
    return cases


@pytest.mark.parametrize(("test", "config"), _cases())
def test_listed(test: str, config: str) -> None:
    if TESTLIST.test(test).knobs.get("bundle") == "minilm":
        from models.minilm import MINILM_MISSING_REASON, minilm_model_dir
        if minilm_model_dir() is None:
            pytest.skip(MINILM_MISSING_REASON)
    run = run_listed(test, config, Seeds.from_settings().master, testlist=TESTLIST)
    assert (run.run_dir / "results.xml").is_file(), f"{run.log}: no results.xml"


def test_every_suite_entry_is_collected() -> None:
    """Every (test, configuration) any suite runs is one of the cases above."""
    collected = {(p.values[0], p.values[1]) for p in _cases()}
    for suite in TESTLIST.suites.values():
        for entry in suite.entries:
            for config in entry.configs:
                assert (entry.test.name, config) in collected, f"suite {suite.name}: {entry.test.name}.{config}"
