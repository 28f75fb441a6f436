"""regress/launch.py without a simulator: name checks, and a failing or hanging run raises RunFailed with its log."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

from regress import launch
from regress.testlist import TestListError, load


def test_unknown_names() -> None:
    with pytest.raises(TestListError, match="unknown test 'nope'"):
        launch.run_listed("nope", "w64", 1)
    with pytest.raises(ValueError, match="does not run on 'w32'"):
        launch.run_listed("smoke", "w32", 1)


def _fake(code: str, monkeypatch: pytest.MonkeyPatch) -> None:
    def command(job: object, build_dir: object) -> tuple[list[str], dict[str, str]]:
        return [sys.executable, "-c", code], {}
    monkeypatch.setattr(launch, "sim_command", command)


def test_failing_run_names_its_log(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _fake("print('scoreboard: logits: 3 mismatch(es)'); raise SystemExit(1)", monkeypatch)
    with pytest.raises(launch.RunFailed) as info:
        launch.run_listed("smoke", "w64", 7, run_dir=tmp_path / "run")
    msg = str(info.value)
    assert "smoke on w64 seed 7: exit 1" in msg and str(tmp_path / "run" / "run.log") in msg
    assert "scoreboard: logits: 3 mismatch(es)" in msg


def test_hanging_run_times_out(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _fake("import time; time.sleep(30)", monkeypatch)
    with pytest.raises(launch.RunFailed, match="no result within 1 s"):
        launch.run_listed("smoke", "w64", 1, run_dir=tmp_path / "run", timeout_s=1)


def test_passing_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _fake("print('regress.simrun: PASS')", monkeypatch)
    run = launch.run_listed("smoke", "w128", 3, run_dir=tmp_path / "run", testlist=load())
    assert (run.test, run.config, run.seed) == ("smoke", "w128", 3)
    assert "PASS" in run.log.read_text()
