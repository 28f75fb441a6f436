"""The trend database: one sqlite file (default `<folder of the regression outputs>/history.sqlite`) with a row
per regression and a row per run, so that the dashboard can plot pass rate, coverage and speed over time.

A regression is keyed by its output directory and start time: re-reporting the same OUT updates its rows
(and replaces its runs) instead of adding a second regression. Its *variant* is the suite plus what narrows the
population of runs (`nightly --test rand`, `smoke --reseed 1`, `nightly --seed 7`): the trend, the per-test
histories and the comparison with the previous regression stay within one variant, so partial runs do not mix with
full ones. Flaky pairs are looked up over every variant (regress/compare.py).
"""
from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from statistics import mean
from typing import Any

from regress.report_data import Regression, pct
from regress.results import json_dict

DB_NAME = "history.sqlite"
ALL = "~"                   # an `until` that sorts after every ISO time: no limit
SCHEMA = """
CREATE TABLE IF NOT EXISTS regressions (
    id INTEGER PRIMARY KEY,
    out TEXT NOT NULL, started TEXT NOT NULL, suite TEXT NOT NULL,
    sha TEXT, dirty INTEGER, runs INTEGER, passed INTEGER, failed INTEGER, pass_rate REAL, wall_s REAL,
    line_pct REAL, toggle_pct REAL, branch_pct REAL, functional_pct REAL, cycles_per_s REAL, variant TEXT,
    UNIQUE (out, started));
CREATE TABLE IF NOT EXISTS runs (
    regression_id INTEGER NOT NULL REFERENCES regressions(id) ON DELETE CASCADE,
    run_id TEXT NOT NULL, test TEXT, config TEXT, seed INTEGER, status TEXT, signature TEXT,
    wall_s REAL, cycles_per_s REAL,
    PRIMARY KEY (regression_id, run_id));
"""
COLUMNS = ("out", "started", "suite", "sha", "dirty", "runs", "passed", "failed", "pass_rate", "wall_s",
           "line_pct", "toggle_pct", "branch_pct", "functional_pct", "cycles_per_s", "variant")
VARIANT = "COALESCE(variant, suite)"        # rows written before variants existed: their suite
G_VARIANT = "COALESCE(g.variant, g.suite)"


@dataclass(frozen=True)
class Entry:
    """One regression as the trend shows it."""
    out: str
    started: str
    suite: str
    sha: str
    dirty: bool
    runs: int
    passed: int
    failed: int
    pass_rate: float | None
    wall_s: float | None
    line_pct: float | None
    toggle_pct: float | None
    branch_pct: float | None
    functional_pct: float | None
    cycles_per_s: float | None
    variant: str = ""


def variant_of(meta: dict[str, Any]) -> str:
    """The suite and the options that narrow its runs: 'nightly', 'nightly --test rand --reseed 1', ..."""
    parts = [str(meta.get("suite") or "?")]
    for key in ("test", "reseed", "seed"):
        if meta.get(key) is not None:
            parts.append(f"--{key} {meta[key]}")
    return " ".join(parts)


def default_path(out: Path) -> Path:
    return Path(out).resolve().parent / DB_NAME


@contextmanager
def connect(path: Path) -> Iterator[sqlite3.Connection]:
    path.parent.mkdir(parents=True, exist_ok=True)
    con = sqlite3.connect(path, timeout=30)
    try:
        con.execute("PRAGMA foreign_keys = ON")
        con.executescript(SCHEMA)
        if "variant" not in {row[1] for row in con.execute("PRAGMA table_info(regressions)")}:
            con.execute("ALTER TABLE regressions ADD COLUMN variant TEXT")      # a database from before variants
        with con:
            yield con
    finally:
        con.close()


def entry(reg: Regression) -> Entry:
    """The trend row of a regression."""
    n, p, f = reg.counts
    speeds = [s for s in (r.cycles_per_s for r in reg.runs) if s is not None]
    git = json_dict(reg.meta, "git")
    wall = reg.meta.get("wall_s")
    return Entry(str(reg.out.resolve()), str(reg.meta.get("started") or ""), str(reg.meta.get("suite") or "?"),
                 str(git.get("sha") or "unknown"), bool(git.get("dirty")), n, p, f,
                 100.0 * p / n if n else None, float(wall) if isinstance(wall, (int, float)) else None,
                 pct(reg.code_cov, "totals", "line", "pct"), pct(reg.code_cov, "totals", "toggle", "pct"),
                 pct(reg.code_cov, "totals", "branch", "pct"), pct(reg.func_cov, "total_pct"),
                 mean(speeds) if speeds else None, variant_of(reg.meta))


def record(path: Path, reg: Regression) -> int:
    """Insert or update the regression and its runs; returns its row id."""
    e = entry(reg)
    values = [getattr(e, c) for c in COLUMNS]
    with connect(path) as con:
        updates = ", ".join(f"{c} = excluded.{c}" for c in COLUMNS[2:])
        con.execute(f"INSERT INTO regressions ({', '.join(COLUMNS)}) VALUES ({', '.join('?' * len(COLUMNS))}) "
                    f"ON CONFLICT (out, started) DO UPDATE SET {updates}", values)
        rid = con.execute("SELECT id FROM regressions WHERE out = ? AND started = ?", (e.out, e.started)).fetchone()[0]
        con.execute("DELETE FROM runs WHERE regression_id = ?", (rid,))
        con.executemany("INSERT OR REPLACE INTO runs VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", [
            (rid, r.result.run_id, r.result.test, r.result.config, r.result.seed, r.result.status,
             str(r.signature) if r.signature else None, r.result.wall_s, r.cycles_per_s) for r in reg.runs])
        return int(rid)


def trend(path: Path, variant: str, limit: int = 20, until: str = ALL) -> list[Entry]:
    """The last `limit` regressions of `variant` (variant_of: a plain suite name for full runs) started at or before
    `until` (ISO time), oldest first."""
    if not path.exists():
        return []
    with connect(path) as con:
        rows = con.execute(f"SELECT {', '.join(COLUMNS)} FROM regressions WHERE {VARIANT} = ? AND started <= ? "
                           "ORDER BY started DESC, id DESC LIMIT ?", (variant, until, limit)).fetchall()
    return [_entry_row(list(row)) for row in reversed(rows)]


def _entry_row(row: list[Any]) -> Entry:
    row[4] = bool(row[4])                   # dirty: sqlite stores 0/1
    row[15] = row[15] or row[2]             # no variant recorded: the suite
    return Entry(*row)


def run_history(path: Path, variant: str, test: str, config: str, limit: int = 50,
                until: str = ALL) -> list[tuple[str, str]]:
    """(started, status) of the last `limit` runs of `test` on `config` in regressions of `variant` started at or
    before `until`, newest first."""
    if not path.exists():
        return []
    with connect(path) as con:
        return [(str(a), str(b)) for a, b in con.execute(
            "SELECT g.started, r.status FROM runs r JOIN regressions g ON g.id = r.regression_id "
            f"WHERE {G_VARIANT} = ? AND r.test = ? "
            "AND r.config = ? AND g.started <= ? ORDER BY g.started DESC, r.seed LIMIT ?",
            (variant, test, config, until, limit))]


RunRow = tuple[str, str, str, int, str, str | None]      # run_id, test, config, seed, status, signature


def previous(path: Path, variant: str, started: str, out: str) -> tuple[Entry, list[RunRow]] | None:
    """The regression of `variant` just before the one that started at `started` in `out`, and its runs."""
    if not path.exists():
        return None
    with connect(path) as con:
        row = con.execute(f"SELECT id, {', '.join(COLUMNS)} FROM regressions WHERE {VARIANT} = ? AND started < ? "
                          "AND NOT (out = ? AND started = ?) ORDER BY started DESC, id DESC LIMIT 1",
                          (variant, started, out, started)).fetchone()
        if row is None:
            return None
        runs = con.execute("SELECT run_id, test, config, seed, status, signature FROM runs WHERE regression_id = ? "
                           "ORDER BY run_id", (row[0],)).fetchall()
    return _entry_row(list(row[1:])), [(str(a), str(b), str(c), int(d), str(s), g) for a, b, c, d, s, g in runs]


def outcomes_at(path: Path, sha: str) -> list[tuple[str, str, int, str]]:
    """(test, config, seed, status) of every pass or failure recorded on commit `sha` with a clean tree (a dirty
    tree's sources are unknown), over every regression and variant: what regress/compare.py finds flaky pairs in."""
    if not path.exists() or not sha or sha == "unknown":
        return []
    with connect(path) as con:
        return [(str(t), str(c), int(s), str(st)) for t, c, s, st in con.execute(
            "SELECT r.test, r.config, r.seed, r.status FROM runs r JOIN regressions g ON g.id = r.regression_id "
            "WHERE g.sha = ? AND g.dirty = 0 AND r.status IN ('pass', 'fail', 'crash', 'timeout')", (sha,))]
