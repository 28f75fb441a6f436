"""pytest runs every test of regress/testlist.yaml (the one test list) on each of its configurations, one master
seed (LE_SEED, default 1), through regress.launch.run_listed: the same command a regression run executes
(regress.simrun for a pyuvm test, regress.scrun for an `engine: systemc` one; both write results.xml). Entries
marked `slow: true` in the list run only with the slow marker (`make test PYTEST_ARGS=`). A test of the real model
(knob bundle: minilm) skips with the reason when the optional model package is not installed.

Adding a test to the list adds it here; nothing else lists the env's tests.

Under `make test` (ci/test.sh) the smoke regression stage has already run the smoke suite's (test, configuration)
pairs with the same master seed and the same command (plus coverage); when that stage passed, ci/test.sh names its
results.json in LE_LISTED_PASSED_IN and those pairs are skipped here, each with the run that passed.
"""
from __future__ import annotations

import json
import os
from pathlib import Path

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


def passed_before(test: str, config: str, seed: int, results: str | None) -> str | None:
    """The run directory of a passing run of (test, config) with master seed `seed` in the regression `results`
    (a results.json), else None."""
    if not results:
        return None
    try:
        runs = json.loads(Path(results).read_text())["runs"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    for r in runs:
        if (r.get("test"), r.get("config"), r.get("seed"), r.get("status")) == (test, config, seed, "pass"):
            return str(r.get("run_dir") or results)
    return None


@pytest.mark.parametrize(("test", "config"), _cases())
def test_listed(test: str, config: str) -> None:
    seed = Seeds.from_settings().master
    where = passed_before(test, config, seed, os.environ.get("LE_LISTED_PASSED_IN"))
    if where is not None:
        pytest.skip(f"passed with master seed {seed} in make test's smoke regression stage ({where})")
    if TESTLIST.test(test).knobs.get("bundle") == "minilm":
        from models.minilm import MINILM_MISSING_REASON, minilm_model_dir
        if minilm_model_dir() is None:
            pytest.skip(MINILM_MISSING_REASON)
    run = run_listed(test, config, seed, testlist=TESTLIST)
    assert (run.run_dir / "results.xml").is_file(), f"{run.log}: no results.xml"


def test_every_suite_entry_is_collected() -> None:
    """Every (test, configuration) any suite runs is one of the cases above."""
    collected = {(p.values[0], p.values[1]) for p in _cases()}
    for suite in TESTLIST.suites.values():
        for entry in suite.entries:
            for config in entry.configs:
                assert (entry.test.name, config) in collected, f"suite {suite.name}: {entry.test.name}.{config}"


def test_passed_before_reads_only_passing_runs_of_the_same_seed(tmp_path: Path) -> None:
    results = tmp_path / "results.json"
    results.write_text(json.dumps({"runs": [
        {"test": "smoke", "config": "w64", "seed": 1, "status": "pass", "run_dir": "/o/runs/smoke.w64.s1"},
        {"test": "rand", "config": "w128", "seed": 1, "status": "fail", "run_dir": "/o/runs/rand.w128.s1"},
        {"test": "smoke", "config": "w128", "seed": 2, "status": "pass", "run_dir": "/o/runs/smoke.w128.s2"}]}))
    assert passed_before("smoke", "w64", 1, str(results)) == "/o/runs/smoke.w64.s1"
    assert passed_before("rand", "w128", 1, str(results)) is None            # failed: run it again here
    assert passed_before("smoke", "w128", 1, str(results)) is None           # another seed
    assert passed_before("smoke", "w64", 1, None) is None
    assert passed_before("smoke", "w64", 1, str(tmp_path / "missing.json")) is None
