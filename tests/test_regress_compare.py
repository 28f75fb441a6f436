"""The regression against the previous one of its variant, flaky seeds, and variants in the trend
(regress/compare.py, regress/history.py, the dashboard's Changes section, OUT/changes.json)."""
from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from regress import compare, history, report
from regress.results import write_json
from tests.report_fixtures import _result


def regression(root: Path, name: str, started: str, outcomes: dict[str, tuple[str, str]], sha: str = "c0ffee00",
               dirty: bool = False, **meta: object) -> Path:
    """A regression folder whose runs end as `outcomes` (run id -> (status, failure message))."""
    out = root / name
    out.mkdir(parents=True)
    runs = []
    for run_id, (status, message) in outcomes.items():
        seed = int(run_id.rsplit(".s", 1)[1])
        kw = {"kind": "AssertionError", "message": message} if status != "pass" else {}
        runs.append(_result(out, run_id, status, seed, wall_s=1.0, **kw))
    m = {"suite": "nightly", "started": started, "git": {"sha": sha, "dirty": dirty}, "out": str(out),
         "test": None, "reseed": None, "seed": None, **meta}
    (out / "regress.json").write_text(json.dumps(m))
    write_json(runs, out / "results.json", {**m, "wall_s": 1.0, "interrupted": False})
    return out


LOGITS, KV, HANG = "scoreboard: logits: 3 mismatch(es)", "scoreboard: kv_region: 9 mismatch(es)", "HANG at token 0"


def test_new_still_fixed_and_passing_again(tmp_path: Path) -> None:
    first = regression(tmp_path, "n1", "2026-01-01T00:00:00", {
        "rand.w64.s1": ("fail", LOGITS), "rand.w64.s2": ("fail", KV), "smoke.w64.s1": ("pass", "")})
    report.write_dashboard(first)
    ch = json.loads((first / compare.CHANGES_FILE).read_text())
    assert ch["previous_out"] is None and ch["line"] == "changes: no earlier nightly regression recorded"
    second = regression(tmp_path, "n2", "2026-01-02T00:00:00", {
        "rand.w64.s1": ("fail", "scoreboard: logits: 17 mismatch(es)"), "rand.w64.s2": ("pass", ""),
        "smoke.w64.s1": ("timeout", HANG)}, sha="c0ffee01")               # the fix's commit
    report.write_dashboard(second)
    ch = json.loads((second / compare.CHANGES_FILE).read_text())
    assert ch["previous_out"] == str(first.resolve())
    assert [list(v) for v in ch["new"].values()] == [["smoke.w64.s1"]] and "HANG" in next(iter(ch["new"]))
    assert [list(v) for v in ch["still"].values()] == [["rand.w64.s1"]]          # 3 and 17 mismatches: one bucket
    assert [list(v) for v in ch["fixed"].values()] == [["rand.w64.s2"]] and ch["now_passing"] == ["rand.w64.s2"]
    assert ch["line"].endswith("1 new failure bucket(s), 1 still failing, 1 fixed")
    page = (second / "dashboard.html").read_text()
    assert 'id="changes"' in page and "new failures (1)" in page and "fixed (failed in the previous" in page
    # re-reporting the first regression compares it with nothing later
    report.write_dashboard(first)
    assert json.loads((first / compare.CHANGES_FILE).read_text())["previous_out"] is None


def test_flaky_same_seed_both_ways_on_one_clean_commit(tmp_path: Path) -> None:
    a = regression(tmp_path, "a", "2026-01-01T00:00:00", {"rand.w64.s5": ("pass", ""), "rand.w64.s6": ("pass", "")})
    b = regression(tmp_path, "b", "2026-01-02T00:00:00", {"rand.w64.s5": ("fail", LOGITS), "rand.w64.s6": ("pass", "")},
                   test="rand")                                       # another variant: flaky is over all of them
    c = regression(tmp_path, "c", "2026-01-03T00:00:00", {"rand.w64.s6": ("fail", LOGITS)}, dirty=True)
    d = regression(tmp_path, "d", "2026-01-04T00:00:00", {"rand.w64.s6": ("fail", LOGITS)}, sha="beef0000")
    for out in (a, b, c, d):
        report.write_dashboard(out)
    ch = json.loads((b / compare.CHANGES_FILE).read_text())
    assert ch["flaky"] == [{"test": "rand", "config": "w64", "seed": 5, "passed": 1, "failed": 1}]
    assert "1 flaky (test, config, seed) on this commit" in ch["line"] and ch["previous_out"] is None
    assert "flaky: the same seed passed and failed" in (b / "dashboard.html").read_text()
    # s6 failed only on a dirty tree (c) and on another commit (d): not flaky
    assert json.loads((d / compare.CHANGES_FILE).read_text())["flaky"] == []


def test_variants_keep_partial_runs_apart(tmp_path: Path) -> None:
    full = regression(tmp_path, "full", "2026-01-01T00:00:00", {"rand.w64.s1": ("pass", "")})
    part = regression(tmp_path, "part", "2026-01-02T00:00:00", {"rand.w64.s2": ("fail", LOGITS)}, reseed=1)
    for out in (full, part):
        report.write_dashboard(out)
    db = tmp_path / history.DB_NAME
    assert [e.out for e in history.trend(db, "nightly")] == [str(full.resolve())]
    assert [e.variant for e in history.trend(db, "nightly --reseed 1")] == ["nightly --reseed 1"]
    assert json.loads((part / compare.CHANGES_FILE).read_text())["previous_out"] is None   # not the full run


def test_a_database_from_before_variants_still_works(tmp_path: Path) -> None:
    db = tmp_path / history.DB_NAME
    with sqlite3.connect(db) as con:                    # the schema of earlier releases, one row in it
        con.executescript(history.SCHEMA.replace(" variant TEXT,", ""))
        con.execute("INSERT INTO regressions (out, started, suite, sha, dirty, runs, passed, failed) "
                    "VALUES ('/old', '2025-12-01T00:00:00', 'nightly', 'aaaa', 0, 1, 1, 0)")
    out = regression(tmp_path, "new", "2026-01-01T00:00:00", {"rand.w64.s1": ("pass", "")})
    report.write_dashboard(out, db)
    assert [e.variant for e in history.trend(db, "nightly")] == ["nightly", "nightly"]
    assert json.loads((out / compare.CHANGES_FILE).read_text())["previous_out"] == "/old"
