"""`regress run --cov [--cov-gate]`: the coverage flow after the runs, and the gate.

    runs = covgate.with_coverage(runs)                            # coverage builds + --cov in every command
    ...the runs...
    failed = covgate.finish(out, run_dirs, tl.cov_gate, enforce=args.cov_gate)

`finish` writes `<out>/coverage/code/` (regress.codecov: merged.dat, coverage.info, html/, summary.json),
`<out>/coverage/functional/` (regress.funccov: merged.ucis.xml, summary.json), `<out>/coverage/hits.json.gz` (each
run's points, regress.covgrade: `regress grade`) and `<out>/coverage/gate.json`; after a successful code merge it
deletes the runs' coverage.dat unless `keep_run_coverage`,
prints the figures (after the reviewed waivers of verif/coverage_waivers.yaml, regress.covwaive: waived points are out
of the figures the gate checks, and a stale or hit waiver prints a warning line), and returns True when the gate is
enforced and a total is below its threshold (testlist.yaml
`coverage.gate`, in percent) or could not be measured.
"""
from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, TypeVar

from eda import toolchain
from regress import codecov, covgrade, covwaive, funccov
from regress.testlist import GATE_KEYS, BuildConfig

REPO = Path(__file__).resolve().parents[1]
Say = Callable[[str], None]
Waivers = tuple[list[covwaive.Waiver], Path]
T = TypeVar("T")
S = TypeVar("S")


def with_coverage(runs: Sequence[tuple[T, BuildConfig, S]]) -> list[tuple[T, BuildConfig, S]]:
    """The planned runs with coverage builds (BuildConfig.coverage: simbuild.COVERAGE_ARGS, simrun --cov)."""
    return [(spec, dataclasses.replace(cfg, coverage=True), seed) for spec, cfg, seed in runs]


def misses(figures: Mapping[str, float | None], thresholds: Mapping[str, float]) -> list[str]:
    """One line per metric below its threshold (a metric without a figure misses too)."""
    out = []
    for metric in GATE_KEYS:
        if metric not in thresholds:
            continue
        value, limit = figures.get(metric), thresholds[metric]
        if value is None:
            out.append(f"coverage gate: {metric} not measured < {limit:g}%")
        elif value < limit:
            out.append(f"coverage gate: {metric} {value:.1f}% < {limit:g}%")
    return out


def _code(out: Path, run_dirs: Sequence[Path], repo: Path, say: Say, waivers: Waivers) -> dict[str, Any] | None:
    paths = []
    for path in codecov.run_files(run_dirs, say):
        try:                            # a run killed while writing leaves a truncated file: skip it alone
            codecov.parse_dat(path)
            paths.append(path)
        except codecov.CovError as exc:
            say(f"coverage: WARNING: {exc}: skipped")
    if not paths:
        say("coverage: no readable coverage.dat in any run: no code coverage")
        return None
    try:
        return codecov.report(paths, out / "coverage" / "code", repo, waivers=waivers[0], waivers_path=waivers[1])
    except (codecov.CovError, toolchain.ToolMissing) as exc:
        say(f"coverage: code coverage failed: {exc}")
        return None


def _functional(out: Path, run_dirs: Sequence[Path], say: Say, waivers: Waivers) -> dict[str, Any] | None:
    paths = funccov.run_files(run_dirs, say)
    if not paths:
        say("coverage: no coverage.ucis.xml in any run: no functional coverage")
        return None
    try:
        return funccov.report(paths, out / "coverage" / "functional", waivers[0], waivers[1])
    except Exception as exc:        # pyucis raises anything on a bad file; report it in one line
        say(f"coverage: functional coverage failed: {' '.join(str(exc).split())[:300]}")
        return None


def figures(code: Mapping[str, Any] | None, functional: Mapping[str, Any] | None) -> dict[str, float | None]:
    """metric -> total percent (None: not measured)."""
    totals = code["totals"] if code else {}
    out: dict[str, float | None] = {m: totals[m]["pct"] if m in totals and totals[m]["total"] else None
                                    for m in ("line", "toggle", "branch")}
    out["functional"] = functional["total_pct"] if functional else None
    return out


def _lines(code: Mapping[str, Any] | None, functional: Mapping[str, Any] | None, out: Path) -> list[str]:
    lines = []
    if code:
        t = code["totals"]
        parts = "  ".join(f"{m} {t[m]['pct']:.1f}% ({t[m]['hit']}/{t[m]['total']})"
                          for m in ("line", "toggle", "branch"))
        lines.append(f"coverage: code ({code['runs']} runs, design rtl/): {parts}")
        lines.append(f"coverage: html {out / 'coverage' / 'code' / code['html']}")
    if functional:
        groups = "  ".join(f"{n} {g['pct']:.1f}%" for n, g in functional["covergroups"].items())
        lines.append(f"coverage: functional ({functional['runs']} runs): {functional['total_pct']:.1f}%  [{groups}]")
    return lines + _waiver_lines(code, functional)


def _waiver_lines(code: Mapping[str, Any] | None, functional: Mapping[str, Any] | None) -> list[str]:
    """What the waivers took out (the unwaived figures beside), then a line per stale or hit waiver."""
    lines = []
    cw = code.get("waived") if code else None
    if isinstance(cw, Mapping) and cw.get("waivers"):
        n = {m: sum(c.get(m, 0) for c in cw["counts"].values()) for m in ("line", "toggle", "branch")}
        raw = "  ".join(f"{m} {cw['unwaived'][m]['pct']:.1f}%" for m in ("line", "toggle", "branch"))
        lines.append(f"coverage: waived ({cw['file']}): {n['line']} line(s), {n['branch']} branch(es), "
                     f"{n['toggle']} toggle point(s) of {len(cw['counts'])} module(s); unwaived: {raw}")
    fw = functional.get("waived") if functional else None
    if isinstance(fw, Mapping) and fw.get("waivers"):
        bins = ", ".join(r["target"] for r in fw["waivers"])
        lines.append(f"coverage: waived ({fw['file']}): {len(fw['waivers'])} functional bin(s) ({bins}); "
                     f"unwaived: {fw['unwaived']:.1f}%")
    return lines + covwaive.warnings(code, "code") + covwaive.warnings(functional, "functional")


def _gate_waivers(code: Mapping[str, Any] | None, functional: Mapping[str, Any] | None, path: Path
                  ) -> dict[str, Any]:
    """gate.json's note: the figures are after these waivers (their file, how many applied, stale, hit)."""
    docs = [d["waived"] for d in (code, functional) if d and isinstance(d.get("waived"), Mapping)]
    return {"file": covwaive.display_path(path), "applied": sum(len(d["waivers"]) for d in docs),
            "stale": sum(len(d["stale"]) for d in docs), "hit": sum(len(d["hit"]) for d in docs)}


def finish(out: Path, run_dirs: Sequence[Path], thresholds: Mapping[str, float], enforce: bool,
           repo: Path | None = None, say: Say = print, functional_dirs: Sequence[Path] | None = None,
           waivers: Sequence[covwaive.Waiver] | None = None, waivers_path: Path | None = None,
           keep_run_coverage: bool = True) -> bool:
    """Merge and report the coverage of `run_dirs` under `out`/coverage, print it, apply the gate. Functional
    coverage comes from `functional_dirs` (default `run_dirs`): the runs whose testbench samples covergroups.

    Returns True when `enforce` is set and the gate missed (the caller exits non-zero). `repo`: where rtl/ is
    (default this repository). `waivers`: the loaded waiver file (regress.covwaive.load, checked before the
    builds; default: loaded here, from `waivers_path` or verif/coverage_waivers.yaml)."""
    path = waivers_path or covwaive.WAIVERS
    wv: Waivers = (list(waivers) if waivers is not None else covwaive.load(path), path)
    code = _code(out, run_dirs, repo or REPO, say, wv)
    functional = _functional(out, run_dirs if functional_dirs is None else functional_dirs, say, wv)
    for line in _lines(code, functional, out):
        say(line)
    graded = covgrade.collect(run_dirs, repo or REPO, say)
    if graded["runs"]:
        hits = covgrade.write(graded, out / "coverage")
        steps, total = covgrade.grade(graded)
        say(f"coverage: {len(steps)} of {len(graded['runs'])} run(s) reach the same coverage ({total} points): "
            f"regress grade {out} (per-run hits in {hits})")
    if code is not None and not keep_run_coverage:
        covgrade.slim(run_dirs, say)
    figs = figures(code, functional)
    missed = misses(figs, thresholds)
    doc = {"enabled": enforce, "thresholds": dict(thresholds), "figures": figs, "misses": missed,
           "passed": not missed, "waivers": _gate_waivers(code, functional, path)}
    (out / "coverage").mkdir(parents=True, exist_ok=True)
    (out / "coverage" / "gate.json").write_text(json.dumps(doc, indent=2) + "\n")
    limits = ", ".join(f"{k} >= {v:g}%" for k, v in thresholds.items()) or "no thresholds"
    if not enforce:
        say(f"coverage gate: not enforced (--cov-gate checks {limits}){': would miss' if missed else ''}")
    for line in missed:
        say(line)
    if enforce and not missed:
        say(f"coverage gate: passed ({limits})")
    return enforce and bool(missed)
