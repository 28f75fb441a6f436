"""Coverage per run, and the grading of runs: which (test, seed) pairs reach a regression's coverage.

    doc = covgrade.collect(run_dirs, repo)             # after the merge (regress.covgate.finish)
    covgrade.write(doc, out / "coverage")              # OUT/coverage/hits.json.gz
    regress grade OUT [--top N]                        # the smallest set reaching the same coverage

A run's coverage is the set of *points* it hit: the design's Verilator code points (line blocks, branch arms,
toggle bits of rtl/, specializations folded as in regress.codecov) with a count, and the functional bins
(covergroup.coverpoint.bin of its coverage.ucis.xml) hit at least once. hits.json.gz keeps every point hit by any
run once and, per run, the indices of its points: small next to the runs' coverage.dat files (which `regress run
--cov` deletes after a successful merge unless --keep-run-coverage).

Grading is greedy set cover (the classic approximation: at each step the run adding the most points not yet
covered, ties to the shorter run): a run's *contribution* is what it adds in that order; its *unique* points are
those no other run hit.
"""
from __future__ import annotations

import argparse
import gzip
import json
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from regress import codecov
from regress.funccov import UCIS_NAME

HITS_FILE = "hits.json.gz"


def code_points(dat: Path, repo: Path) -> set[str]:
    """The design points a run's coverage.dat counted: 'kind|module|file|line|column|comment'."""
    return {f"{p.kind}|{p.module}|{p.file}|{p.line}|{p.column}|{p.comment}"
            for p in codecov.fold(codecov.parse_dat(dat)) if p.count > 0 and codecov.is_design(p.file, repo)}


def functional_points(ucis: Path) -> set[str]:
    """The bins a run's coverage.ucis.xml hit: 'bin|covergroup.coverpoint.bin'."""
    from verif.coverage import report
    return {f"bin|{name}" for name, n in report(ucis).hits.items() if n > 0}


def collect(run_dirs: Iterable[Path], repo: Path, warn: Callable[[str], None] = print) -> dict[str, Any]:
    """{"points": [...], "runs": {run_id: {"points": [indices], "wall_s": s}}}: every run with a coverage file."""
    index: dict[str, int] = {}
    runs: dict[str, dict[str, Any]] = {}
    for d in run_dirs:
        d = Path(d)
        hit: set[str] = set()
        try:
            if (d / codecov.DAT_NAME).is_file():
                hit |= code_points(d / codecov.DAT_NAME, repo)
            if (d / UCIS_NAME).is_file():
                hit |= functional_points(d / UCIS_NAME)
        except (codecov.CovError, OSError, ValueError) as exc:
            warn(f"coverage: WARNING: {d.name}: per-run coverage unreadable ({exc}): not graded")
            continue
        if not hit:
            continue
        try:
            wall = float(json.loads((d / "results.json").read_text()).get("wall_s") or 0.0)
        except (OSError, ValueError, AttributeError):
            wall = 0.0
        runs[d.name] = {"points": sorted(index.setdefault(p, len(index)) for p in hit), "wall_s": wall}
    return {"points": list(index), "runs": runs}


def write(doc: dict[str, Any], cov_dir: Path) -> Path:
    cov_dir.mkdir(parents=True, exist_ok=True)
    path = cov_dir / HITS_FILE
    with gzip.open(path, "wt", encoding="utf-8") as f:
        json.dump(doc, f, separators=(",", ":"))
    return path


def read(cov_dir: Path) -> dict[str, Any]:
    with gzip.open(cov_dir / HITS_FILE, "rt", encoding="utf-8") as f:
        doc = json.load(f)
    if not isinstance(doc, dict) or not isinstance(doc.get("runs"), dict) or not isinstance(doc.get("points"), list):
        raise ValueError(f"{cov_dir / HITS_FILE}: not a hits file")
    return doc


@dataclass(frozen=True)
class GradeStep:
    run_id: str
    added: int              # points this run adds to those before it
    covered: int            # points covered after it
    unique: int             # points only this run hit
    wall_s: float


def _kinds(doc: dict[str, Any]) -> list[str]:
    return [p.split("|", 1)[0] for p in doc["points"]]


def grade(doc: dict[str, Any], metric: str = "all") -> tuple[list[GradeStep], int]:
    """The greedy order of runs until everything any run hit is covered, and that total. `metric`: all, code
    (line, branch, toggle points) or functional (bins)."""
    kinds = _kinds(doc)
    keep = {i for i, k in enumerate(kinds) if metric == "all" or (k == "bin") == (metric == "functional")}
    sets = {rid: set(r["points"]) & keep for rid, r in doc["runs"].items()}
    wall = {rid: float(r.get("wall_s") or 0.0) for rid, r in doc["runs"].items()}
    owners: dict[int, int] = {}
    for s in sets.values():
        for p in s:
            owners[p] = owners.get(p, 0) + 1
    unique = {rid: sum(owners[p] == 1 for p in s) for rid, s in sets.items()}
    total = len(owners)
    covered: set[int] = set()
    steps: list[GradeStep] = []
    left = dict(sets)
    while left and len(covered) < total:
        rid = max(sorted(left), key=lambda r: (len(left[r] - covered), -wall[r]))
        gain = left.pop(rid) - covered
        if not gain:
            break
        covered |= gain
        steps.append(GradeStep(rid, len(gain), len(covered), unique[rid], wall[rid]))
    return steps, total


def table(doc: dict[str, Any], metric: str = "all", top: int | None = None) -> list[str]:
    steps, total = grade(doc, metric)
    n = len(doc["runs"])
    wall_all = sum(float(r.get("wall_s") or 0.0) for r in doc["runs"].values())
    wall_set = sum(s.wall_s for s in steps)
    lines = [f"{'run':<28} {'adds':>7} {'covered':>8} {'of all':>7} {'unique':>7} {'wall s':>7}"]
    for s in steps[:top]:
        lines.append(f"{s.run_id:<28} {s.added:>7} {s.covered:>8} {100.0 * s.covered / total:6.1f}% {s.unique:>7} "
                     f"{s.wall_s:>7.1f}")
    lines.append(f"{len(steps)} of {n} run(s) reach the same coverage ({total} {metric} points); "
                 f"their wall time {wall_set:.0f} s of {wall_all:.0f} s")
    return lines


def add_parser(sub: Any) -> None:
    p = sub.add_parser("grade", help="the smallest set of runs reaching a --cov regression's coverage")
    p.add_argument("out", type=Path, help="a regression output folder made with --cov")
    p.add_argument("--metric", choices=("all", "code", "functional"), default="all")
    p.add_argument("--top", type=int, help="print only the first N runs of the set")


def main(args: argparse.Namespace, say: Callable[[str], None] = print) -> int:
    cov = Path(args.out) / "coverage"
    try:
        doc = read(cov)
    except (OSError, ValueError) as exc:
        print(f"regress grade: {args.out}: no per-run coverage ({exc.__class__.__name__}: run with --cov; "
              f"{cov / HITS_FILE} is written after the merge)", file=sys.stderr)
        return 2
    if args.top is not None and args.top < 1:
        print("regress grade: --top must be >= 1", file=sys.stderr)
        return 2
    for line in table(doc, args.metric, args.top):
        say(line)
    return 0


def slim(run_dirs: Sequence[Path], say: Callable[[str], None] = print) -> int:
    """Delete the runs' coverage.dat (merged into coverage/code/merged.dat, graded in hits.json.gz); bytes freed."""
    freed = 0
    for d in run_dirs:
        f = Path(d) / codecov.DAT_NAME
        if f.is_file():
            freed += f.stat().st_size
            f.unlink()
    if freed:
        say(f"coverage: per-run coverage.dat deleted after the merge ({freed / 1e6:.1f} MB; --keep-run-coverage "
            f"keeps them)")
    return freed
