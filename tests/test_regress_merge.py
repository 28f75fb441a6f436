"""Accumulated regressions (regress/accumulate.py): `regress merge` and `regress run --accumulate` on fixture folders
with real Verilator coverage files (merged by verilator_coverage) and UCIS files."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from eda import toolchain
from regress import accumulate, cli, covgate, covgrade
from regress.results import RunResult, write_json
from tests.test_regress_cov import RTL, RUN_A, RUN_B, _dat, _ucis

REPO = Path(__file__).resolve().parents[1]


def regression(root: Path, name: str, repo: Path, runs: dict[str, tuple[list[str], int, str]]) -> Path:
    """A regression folder whose runs (run id -> (.dat lines, bus, status)) wrote coverage, merged as run does."""
    toolchain.setup_env()
    out = root / name
    results, dirs = [], []
    for run_id, (lines, bus, status) in runs.items():
        d = out / "runs" / run_id
        d.mkdir(parents=True)
        _dat(d / "coverage.dat", [x.replace(str(RTL), str(repo / "rtl" / "x.sv")) for x in lines])
        _ucis(d / "coverage.ucis.xml", bus, "trained")
        r = RunResult(run_id, run_id.split(".")[0], "RandTest", run_id.split(".")[1], int(run_id.rsplit("s", 1)[1]),
                      "m", str(d), ["python"], status=status, wall_s=1.0,
                      **({"kind": "AssertionError", "message": "boom"} if status == "fail" else {}))
        (d / "results.json").write_text(json.dumps(r.to_json()))
        results.append(r)
        dirs.append(d)
    meta = {"suite": "nightly", "started": f"2026-01-0{len(list(root.glob('*')))}T00:00:00",
            "git": {"sha": "abc", "dirty": False}}
    (out / "regress.json").write_text(json.dumps(meta))
    write_json(results, out / "results.json", meta)
    covgate.finish(out, dirs, {}, False, repo=repo, say=lambda s: None, keep_run_coverage=False)
    return out


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    r = tmp_path / "repo"
    (r / "rtl").mkdir(parents=True)
    (r / "rtl" / "x.sv").write_text("".join(f"// line {i}\n" for i in range(1, 40)))
    return r


def test_merge_accumulates_runs_and_coverage(tmp_path: Path, repo: Path) -> None:
    a = regression(tmp_path, "a", repo, {"rand.w64.s1": (RUN_A, 64, "pass")})
    b = regression(tmp_path, "b", repo, {"rand.w128.s2": (RUN_B, 128, "fail")})
    acc = tmp_path / "acc"
    said: list[str] = []
    doc = accumulate.merge([a, b], acc, repo, said.append)
    assert [r["run_id"] for r in doc["runs"]] == ["a:rand.w64.s1", "b:rand.w128.s2"]
    assert doc["passed"] == 1 and doc["failed"] == 1 and [s["out"] for s in doc["merged_from"]] == [str(a), str(b)]
    code = json.loads((acc / "coverage" / "code" / "summary.json").read_text())
    one = json.loads((a / "coverage" / "code" / "summary.json").read_text())
    assert code["runs"] == 2 and code["totals"]["line"]["hit"] > one["totals"]["line"]["hit"]   # b's case point
    func = json.loads((acc / "coverage" / "functional" / "summary.json").read_text())
    holes = func["covergroups"]["stim"]["holes"]
    assert "bus.64" not in holes and "bus.128" not in holes
    steps, _ = covgrade.grade(covgrade.read(acc / "coverage"))
    assert [s.run_id for s in steps] == ["a:rand.w64.s1", "b:rand.w128.s2"]         # seeds ranked across both
    assert said[-1].startswith("regress merge: 2 regression(s), 2 run(s) (1 passed, 1 failed); line ")
    # again with ACC as an input: its names stay, the sources add up, nothing is left behind
    c = regression(tmp_path, "c", repo, {"smoke.w64.s3": (RUN_B, 64, "pass")})
    doc = accumulate.merge([acc, c], acc, repo, said.append)
    assert [r["run_id"] for r in doc["runs"]] == ["a:rand.w64.s1", "b:rand.w128.s2", "c:smoke.w64.s3"]
    assert len(doc["merged_from"]) == 3 and sorted(p.name for p in tmp_path.iterdir()) == ["a", "acc", "b", "c", "repo"]


def test_accumulate_says_the_change(tmp_path: Path, repo: Path) -> None:
    a = regression(tmp_path, "a", repo, {"rand.w64.s1": (RUN_B, 64, "pass")})
    b = regression(tmp_path, "b", repo, {"rand.w64.s2": (RUN_A, 64, "pass")})
    acc = tmp_path / "acc"
    said: list[str] = []
    accumulate.accumulate(a, acc, said.append, repo)
    accumulate.accumulate(b, acc, said.append, repo)
    before, after = accumulate.totals(a), accumulate.totals(acc)
    assert after["line"] > before["line"]
    assert f"line {before['line']:.1f}% -> {after['line']:.1f}%" in said[-1]


def test_bad_inputs_are_one_line_and_leave_acc_alone(tmp_path: Path, repo: Path) -> None:
    a = regression(tmp_path, "a", repo, {"rand.w64.s1": (RUN_A, 64, "pass")})
    acc = tmp_path / "acc"
    accumulate.merge([a], acc, repo, lambda s: None)
    before = (acc / "results.json").read_text()
    p = subprocess.run([sys.executable, "-m", "regress", "merge", str(a), str(tmp_path / "nope"), "--out", str(acc)],
                       cwd=REPO, capture_output=True, text=True, check=False)
    assert p.returncode == 2 and len(p.stderr.strip().splitlines()) == 1
    assert "nope: no readable results.json" in p.stderr
    assert (acc / "results.json").read_text() == before


def test_run_accumulate_into_a_non_accumulation_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "x").mkdir()
    assert cli.main(["run", "smoke", "--accumulate", str(tmp_path / "x"), "--out", str(tmp_path / "o")]) == 2
    assert "is not an accumulated folder" in capsys.readouterr().err and not (tmp_path / "o").exists()
