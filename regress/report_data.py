"""What the dashboard shows, read defensively from a regression output directory OUT.

Every input but the run results may be missing or malformed: a missing piece is None (the page says "not
collected") and a malformed one adds a line to `Regression.warnings`. The runs come from OUT/results.json, or,
when the regression was killed before it wrote that, from OUT/runs/*/results.json.
"""
from __future__ import annotations

import dataclasses
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

from regress.buckets import Bucket, Signature, bucket
from regress.results import DEBUG_DIR, DIVERGENCE_FILE, RunResult, wave_files


class ReportError(ValueError):
    """OUT is not a regression output directory; str() is one actionable line."""


@dataclass
class Rerun:
    """A re-run of a failing run (OUT/reruns.json, `regress run --rerun-failed`): links relative to OUT."""
    bucket: str
    run_id: str
    status: str
    dir: str | None
    log: str | None
    waves: str | None


@dataclass
class Run:
    result: RunResult
    dir: Path | None                       # the run directory found on disk (None: gone)
    speed: dict[str, Any] | None           # sim_speed.json
    waves: list[str] = field(default_factory=list)      # links relative to OUT
    reruns: list[Rerun] = field(default_factory=list)
    divergence: dict[str, Any] | None = None            # `regress debug`'s first divergence (debug/divergence.json)

    @property
    def signature(self) -> Signature | None:
        return self.result.signature

    @property
    def cycles_per_s(self) -> float | None:
        v = (self.speed or {}).get("cycles_per_s")
        return float(v) if isinstance(v, (int, float)) and v > 0 else None

    @property
    def cycles(self) -> int | None:
        v = (self.speed or {}).get("cycles")
        return int(v) if isinstance(v, (int, float)) else None


@dataclass
class Regression:
    out: Path
    meta: dict[str, Any]
    runs: list[Run]
    buckets: list[Bucket]                  # of Run, largest first
    code_cov: dict[str, Any] | None
    func_cov: dict[str, Any] | None
    gate: dict[str, Any] | None
    reruns: list[Rerun]
    warnings: list[str] = field(default_factory=list)

    @property
    def counts(self) -> tuple[int, int, int]:
        """(runs that ran to an end, passed, failed): interrupted and not-run runs are in neither."""
        ran = [r for r in self.runs if r.result.status != "not_run" and not r.result.interrupted]
        return len(ran), sum(r.result.status == "pass" for r in ran), sum(r.result.failed for r in ran)

    @property
    def passed(self) -> bool:
        n, p, _ = self.counts
        return n > 0 and p == n and not self.meta.get("interrupted") and len(self.runs) == n


def link(out: Path, path: Path | str | None) -> str | None:
    """A link to `path` from a page in OUT: relative when inside OUT (the folder can be moved), else file://."""
    if path is None:
        return None
    p = Path(path)
    p = p if p.is_absolute() else out / p
    try:
        rel = p.resolve().relative_to(out.resolve())
        return quote(rel.as_posix())
    except ValueError:
        return "file://" + quote(p.resolve().as_posix())


def sibling_link(out: Path, path: Path) -> str:
    """A relative link from a page in OUT to `path` anywhere (e.g. ../<other regression>/dashboard.html)."""
    return quote(Path(os.path.relpath(Path(path).resolve(), Path(out).resolve())).as_posix())


def read_json(path: Path, warnings: list[str]) -> Any:
    """The JSON document at `path`, or None when missing; a malformed file is a warning, not a crash."""
    try:
        return json.loads(path.read_text())
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        warnings.append(f"{path.name}: unreadable ({' '.join(str(exc).split())[:160]})")
        return None


_DEFAULTS: dict[str, Any] = {"run_id": "?", "test": "?", "cls": "", "config": "?", "seed": 0, "seeds": "",
                             "run_dir": "", "command": []}


def run_result(doc: dict[str, Any]) -> RunResult:
    """A RunResult from its to_json() form (unknown keys dropped, missing required ones defaulted)."""
    names = {f.name for f in dataclasses.fields(RunResult)}
    kw = {**_DEFAULTS, **{k: v for k, v in doc.items() if k in names}}
    for k in ("run_id", "test", "cls", "config", "seeds", "run_dir", "status", "kind", "message", "traceback",
              "engine"):
        if k in kw and not isinstance(kw[k], str):
            kw[k] = "" if kw[k] is None else str(kw[k])
    if not isinstance(kw["seed"], int):
        kw["seed"] = int(kw["seed"]) if str(kw["seed"]).lstrip("-").isdigit() else 0
    if not isinstance(kw.get("wall_s", 0.0), (int, float)):
        kw["wall_s"] = 0.0
    if not isinstance(kw.get("sim_time_ns"), (int, float)):
        kw["sim_time_ns"] = None
    return RunResult(**kw)


def _run_docs(out: Path, warnings: list[str]) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    doc = read_json(out / "results.json", warnings)
    if isinstance(doc, dict) and isinstance(doc.get("runs"), list):
        return doc, [r for r in doc["runs"] if isinstance(r, dict)]
    per_run = [read_json(p, warnings) for p in sorted((out / "runs").glob("*/results.json"))]
    per_run = [r for r in per_run if isinstance(r, dict)]
    if not per_run:
        what = "a malformed results.json" if (out / "results.json").exists() else "no results.json"
        raise ReportError(f"{out} has {what} (not a regression output directory)")
    warnings.append("results.json missing: runs read from runs/*/results.json (the regression did not finish)")
    return {}, per_run


def _run_dir(out: Path, res: RunResult) -> Path | None:
    for cand in (out / "runs" / res.run_id, Path(res.run_dir) if res.run_dir else None):
        if cand is not None and cand.is_dir():
            return cand
    return None


def _waves(out: Path, d: Path | None) -> list[str]:
    if d is None:
        return []
    return [lk for lk in (link(out, p) for p in wave_files(d)) if lk]


def _divergence(run_dir: Path | None, warnings: list[str]) -> dict[str, Any] | None:
    """What `regress debug` named (its first divergence, or where the DUT stopped), if it ran on this run."""
    doc = read_json(run_dir / DEBUG_DIR / DIVERGENCE_FILE, warnings) if run_dir else None
    first = (doc.get("first") or doc.get("stopped")) if isinstance(doc, dict) else None
    return first if isinstance(first, dict) else None


def _reruns(out: Path, warnings: list[str]) -> list[Rerun]:
    doc = read_json(out / "reruns.json", warnings)
    if not isinstance(doc, list):
        return []
    rows = []
    for e in doc:
        if not isinstance(e, dict):
            continue
        rows.append(Rerun(str(e.get("bucket") or ""), str(e.get("run_id") or ""), str(e.get("status") or "?"),
                          link(out, e.get("dir")), link(out, e.get("log")), link(out, e.get("waves"))))
    return rows


def load(out: Path) -> Regression:
    """Everything the dashboard shows about the regression in `out`; raises ReportError when it is none."""
    out = Path(out)
    if not out.is_dir():
        raise ReportError(f"{out} is not a directory (expected a regression output directory)")
    warnings: list[str] = []
    results_doc, run_docs = _run_docs(out, warnings)
    meta = read_json(out / "regress.json", warnings)
    meta = {**(meta if isinstance(meta, dict) else {}),
            **{k: v for k, v in results_doc.items() if k not in ("runs", "buckets")}}
    reruns = _reruns(out, warnings)
    runs = []
    for d in run_docs:
        res = run_result(d)
        rd = _run_dir(out, res)
        speed = read_json(rd / "sim_speed.json", warnings) if rd else None
        runs.append(Run(res, rd, speed if isinstance(speed, dict) else None, _waves(out, rd),
                        [x for x in reruns if x.run_id == res.run_id], _divergence(rd, warnings)))
    cov = out / "coverage"
    code = read_json(cov / "code" / "summary.json", warnings)
    func = read_json(cov / "functional" / "summary.json", warnings)
    gate = read_json(cov / "gate.json", warnings)
    return Regression(out, meta, runs, bucket([r for r in runs if r.result.failed]),
                      code if isinstance(code, dict) else None, func if isinstance(func, dict) else None,
                      gate if isinstance(gate, dict) else None, reruns, warnings)


def pct(cov: dict[str, Any] | None, *keys: str) -> float | None:
    """A float found by walking `keys` into `cov` (e.g. pct(code, "totals", "line", "pct")), else None."""
    node: Any = cov
    for k in keys:
        if not isinstance(node, dict):
            return None
        node = node.get(k)
    return float(node) if isinstance(node, (int, float)) and not isinstance(node, bool) else None


def newest(root: Path) -> Path | None:
    """The most recently modified regression output directory under `root` (build/regress/)."""
    dirs = [d for d in root.glob("*/") if (d / "results.json").exists() or (d / "regress.json").exists()]
    return max(dirs, key=lambda d: os.stat(d).st_mtime, default=None)
