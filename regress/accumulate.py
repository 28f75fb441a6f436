"""Regressions accumulated into one view: `regress merge` and `regress run --accumulate`.

    regress merge OUT [OUT ...] --out ACC        # ACC: every run, seed and result of the OUTs, coverage merged
    regress run nightly --cov --accumulate ACC   # after the run: ACC (if any) + this OUT -> ACC

ACC is a regression folder like any other (results.json, coverage/, dashboard.html, a row in the trend database
with variant `merged`): its runs are the inputs' runs, named `<input folder>:<run id>` (the run folders stay where
they are; an input that is itself an accumulation keeps its names), its code coverage is the merge of the inputs'
`coverage/code/merged.dat` (regress.codecov, with the reviewed waivers), its functional coverage the merge of their
`coverage/functional/merged.ucis.xml`, its per-run hits (regress.covgrade) theirs, so `regress grade ACC` ranks
seeds across regressions. ACC is written into a scratch folder and swapped in at the end: an interrupted merge
leaves the previous ACC as it was. An input without coverage still adds its runs.
"""
from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import shutil
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from regress import codecov, covgrade, covwaive, funccov
from regress.results import json_dict

REPO = Path(__file__).resolve().parents[1]
SUITE = "merged"


class MergeError(ValueError):
    """Bad input: one line, exit 2."""


def _results(out: Path) -> dict[str, Any]:
    try:
        doc = json.loads((out / "results.json").read_text())
    except (OSError, ValueError):
        raise MergeError(f"{out}: no readable results.json (not a regression output folder)") from None
    if not isinstance(doc, dict) or not isinstance(doc.get("runs"), list):
        raise MergeError(f"{out / 'results.json'}: not a regression's results.json")
    return doc


def _name(out: Path, doc: dict[str, Any], run_id: str) -> str:
    return run_id if doc.get("suite") == SUITE else f"{out.name}:{run_id}"


def _hits(inputs: Sequence[tuple[Path, dict[str, Any]]]) -> dict[str, Any]:
    index: dict[str, int] = {}
    runs: dict[str, Any] = {}
    for out, doc in inputs:
        try:
            h = covgrade.read(out / "coverage")
        except (OSError, ValueError):
            continue
        for rid, r in h["runs"].items():
            pts = [index.setdefault(h["points"][i], len(index)) for i in r["points"]]
            runs[_name(out, doc, rid)] = {"points": sorted(pts), "wall_s": r.get("wall_s", 0.0)}
    return {"points": list(index), "runs": runs}


def merge(outs: Sequence[Path], acc: Path, repo: Path = REPO, say: Callable[[str], None] = print) -> dict[str, Any]:
    """Write ACC from `outs` (ACC itself may be one of them); returns ACC's results document."""
    outs = [Path(o).resolve() for o in outs]
    acc = Path(acc).resolve()
    if not outs:
        raise MergeError("nothing to merge: name at least one regression output folder")
    inputs = [(o, _results(o)) for o in outs]                  # all checked before anything is written
    tmp = acc.with_name(acc.name + ".merging")
    shutil.rmtree(tmp, ignore_errors=True)
    (tmp / "coverage").mkdir(parents=True)
    runs: list[dict[str, Any]] = []
    sources: list[dict[str, Any]] = []
    for out, doc in inputs:
        for r in doc["runs"]:
            runs.append({**r, "run_id": _name(out, doc, str(r.get("run_id")))})
        sources += (doc.get("merged_from") or []) if doc.get("suite") == SUITE else [
            {"out": str(out), "suite": doc.get("suite"), "started": doc.get("started"),
             "sha": json_dict(doc, "git").get("sha"), "runs": len(doc["runs"])}]
    waivers = covwaive.load(covwaive.WAIVERS)
    dats = [o / "coverage" / "code" / "merged.dat" for o, _ in inputs
            if (o / "coverage" / "code" / "merged.dat").is_file()]
    if dats:
        codecov.report(dats, tmp / "coverage" / "code", repo, waivers=waivers, waivers_path=covwaive.WAIVERS)
    ucis = [o / "coverage" / "functional" / "merged.ucis.xml" for o, _ in inputs
            if (o / "coverage" / "functional" / "merged.ucis.xml").is_file()]
    if ucis:
        funccov.report(ucis, tmp / "coverage" / "functional", waivers, covwaive.WAIVERS)
    hits = _hits(inputs)
    if hits["runs"]:
        covgrade.write(hits, tmp / "coverage")
    newest = max(inputs, key=lambda x: str(x[1].get("started") or ""))[1]
    meta = {"suite": SUITE, "started": dt.datetime.now().isoformat(timespec="seconds"), "git": json_dict(newest, "git"),
            "merged_from": sources, "out": str(acc), "argv": sys.argv, "interrupted": False,
            "total": len(runs), "passed": sum(bool(r.get("passed")) for r in runs),
            "failed": sum(bool(r.get("signature")) for r in runs), "runs": runs}
    (tmp / "results.json").write_text(json.dumps(meta, indent=2) + "\n")
    (tmp / "regress.json").write_text(json.dumps({k: v for k, v in meta.items() if k != "runs"}, indent=2) + "\n")
    old = acc.with_name(acc.name + ".old")
    shutil.rmtree(old, ignore_errors=True)
    if acc.exists():
        acc.rename(old)
    tmp.rename(acc)
    shutil.rmtree(old, ignore_errors=True)
    figs = "".join(f"; {m} {v:.1f}%" for m, v in totals(acc).items())
    say(f"regress merge: {len(sources)} regression(s), {len(runs)} run(s) ({meta['passed']} passed, "
        f"{meta['failed']} failed){figs} -> {acc}")
    return meta


def totals(acc: Path) -> dict[str, float]:
    """ACC's coverage totals (line, toggle, branch, functional), those it has."""
    out: dict[str, float] = {}
    cov = acc / "coverage"
    with contextlib.suppress(OSError, ValueError, KeyError, TypeError):
        code = json.loads((cov / "code" / "summary.json").read_text())
        out.update({m: float(code["totals"][m]["pct"]) for m in ("line", "toggle", "branch")})
    with contextlib.suppress(OSError, ValueError, KeyError, TypeError):
        out["functional"] = float(json.loads((cov / "functional" / "summary.json").read_text())["total_pct"])
    return out


def is_accumulation(path: Path) -> bool:
    """Is `path` a folder `regress merge` / `--accumulate` made (its results.json names the accumulated suite)?"""
    try:
        return bool(json.loads((path / "results.json").read_text()).get("suite") == SUITE)
    except (OSError, ValueError, AttributeError):
        return False


def accumulate(out: Path, acc: Path, say: Callable[[str], None] = print, repo: Path = REPO) -> None:
    """`regress run --accumulate ACC`: ACC (when it exists) + OUT -> ACC, and the change in coverage said."""
    before = totals(acc) if (acc / "results.json").is_file() else {}
    merge([acc, out] if (acc / "results.json").is_file() else [out], acc, repo, say)
    after = totals(acc)
    if after:
        say("accumulated coverage: " + "  ".join(f"{m} {before[m]:.1f}% -> {v:.1f}%" if m in before else f"{m} {v:.1f}%"
                                                  for m, v in after.items()))


def add_parser(sub: Any) -> None:
    p = sub.add_parser("merge", help="accumulate regressions (runs, seeds, results, coverage) into one folder")
    p.add_argument("outs", nargs="+", type=Path, help="regression output folders (an accumulation may be one)")
    p.add_argument("--out", type=Path, required=True, help="the accumulated folder (written whole, then swapped in)")


def main(args: argparse.Namespace) -> int:
    try:
        merge(list(args.outs), args.out)
    except MergeError as exc:
        print(f"regress merge: {exc}", file=sys.stderr)
        return 2
    except codecov.CovError as exc:
        print(f"regress merge: code coverage: {exc}", file=sys.stderr)
        return 1
    from regress.report import write_dashboard
    print(f"dashboard: {write_dashboard(Path(args.out))}")
    return 0
