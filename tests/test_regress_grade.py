"""Per-run coverage and grading (regress/covgrade.py), and the per-run coverage.dat deleted after the merge."""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

import pytest

from eda import toolchain
from regress import cli, covgate, covgrade
from tests.test_regress_cov import RTL, RUN_A, RUN_B, _dat, _ucis

REPO = Path(__file__).resolve().parents[1]


def doc(runs: dict[str, tuple[list[int], float]]) -> dict[str, object]:
    n = 1 + max(p for pts, _ in runs.values() for p in pts)
    kinds = ["line", "branch", "toggle", "bin"]
    return {"points": [f"{kinds[i % 4]}|m|f|{i}|0|c" for i in range(n)],
            "runs": {rid: {"points": pts, "wall_s": w} for rid, (pts, w) in runs.items()}}


def test_greedy_grade_contributions_and_unique() -> None:
    d = doc({"big.s1": (list(range(10)), 9.0), "half.s2": (list(range(5)), 1.0),
             "tail.s3": ([10, 11], 5.0), "tail.s4": ([10, 11], 2.0), "dup.s5": ([1, 2], 0.5)})
    steps, total = covgrade.grade(d)
    assert total == 12
    assert [(s.run_id, s.added, s.covered) for s in steps] == [("big.s1", 10, 10), ("tail.s4", 2, 12)]  # tie: faster
    assert [s.unique for s in steps] == [5, 0]                 # points 5..9 only in big.s1; 10, 11 in both tails
    lines = covgrade.table(d)
    assert lines[-1] == "2 of 5 run(s) reach the same coverage (12 all points); their wall time 11 s of 18 s"
    code, _ = covgrade.grade(d, "code")
    func, ftotal = covgrade.grade(d, "functional")
    assert ftotal == 3 and [s.run_id for s in func] == ["big.s1", "tail.s4"]   # bins are points 3, 7, 11
    assert sum(s.added for s in code) == 9


def _out(tmp_path: Path) -> tuple[Path, Path, list[Path]]:
    toolchain.setup_env()
    repo = tmp_path / "repo"
    rtl = repo / "rtl" / "x.sv"
    rtl.parent.mkdir(parents=True)
    rtl.write_text("".join(f"// line {i}\n" for i in range(1, 40)))
    runs = []
    for name, lines, bus, weight in (("rand.w64.s1", RUN_A, 64, "trained"), ("rand.w128.s2", RUN_B, 128, "trained"),
                                     ("smoke.w64.s3", RUN_B, 64, "trained")):
        d = tmp_path / "out" / "runs" / name
        d.mkdir(parents=True)
        _dat(d / "coverage.dat", [x.replace(str(RTL), str(rtl)) for x in lines])
        _ucis(d / "coverage.ucis.xml", bus, weight)
        (d / "results.json").write_text(json.dumps({"wall_s": 2.0}))
        runs.append(d)
    return tmp_path / "out", repo, runs


def test_finish_grades_and_deletes_the_run_files(tmp_path: Path) -> None:
    out, repo, runs = _out(tmp_path)
    said: list[str] = []
    covgate.finish(out, runs, {}, False, repo=repo, say=said.append, keep_run_coverage=False)
    d = covgrade.read(out / "coverage")
    assert sorted(d["runs"]) == ["rand.w128.s2", "rand.w64.s1", "smoke.w64.s3"]
    steps, _ = covgrade.grade(d)
    # a covers the design points it hit and 64-bit bins; b adds the case point (line 20) and the 128-bit bin; s3
    # (the same .dat as b, a 64-bit bus) adds nothing
    assert [s.run_id for s in steps] == ["rand.w64.s1", "rand.w128.s2"]
    assert any(line.startswith("coverage: 2 of 3 run(s) reach the same coverage") for line in said)
    assert not any((r / "coverage.dat").exists() for r in runs)                     # deleted after the merge
    assert all((r / "coverage.ucis.xml").exists() for r in runs)                   # small: kept
    assert (out / "coverage" / "code" / "merged.dat").is_file()
    assert any("per-run coverage.dat deleted" in s for s in said)


def test_keep_run_coverage(tmp_path: Path) -> None:
    out, repo, runs = _out(tmp_path)
    covgate.finish(out, runs, {}, False, repo=repo, say=lambda s: None, keep_run_coverage=True)
    assert all((r / "coverage.dat").is_file() for r in runs)


def test_grade_cli(tmp_path: Path) -> None:
    out, repo, runs = _out(tmp_path)
    covgate.finish(out, runs, {}, False, repo=repo, say=lambda s: None)
    said: list[str] = []
    assert covgrade.main(argparse.Namespace(out=out, metric="all", top=None), said.append) == 0
    assert said[1].startswith("rand.w64.s1 ") and said[-1].startswith("2 of 3 run(s) reach the same coverage")
    p = subprocess.run([sys.executable, "-m", "regress", "grade", str(tmp_path)], cwd=REPO, capture_output=True,
                       text=True, check=False)
    assert p.returncode == 2 and len(p.stderr.strip().splitlines()) == 1 and "run with --cov" in p.stderr


def test_keep_run_coverage_needs_cov(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["run", "smoke", "--keep-run-coverage"]) == cli.EXIT_USAGE
    assert "--keep-run-coverage needs --cov" in capsys.readouterr().err
