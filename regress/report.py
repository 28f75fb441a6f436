"""`regress report`: the HTML dashboard of a regression, OUT/dashboard.html, and its trend database.

    regress report                       # the newest output directory under build/regress/
    regress report OUT [OUT ...]         # re-render these
    regress report OUT --history db.sqlite
    python -m regress.report OUT         # the same without the console script

The page is one self-contained file (inline CSS and SVG, a few lines of script for the copy buttons, the
run filter and sorting) whose links are relative to OUT, so OUT can be published as a CI artifact as is.
Each report records the regression in the trend database (default: history.sqlite next to OUT, i.e. in the
folder that holds all regression outputs); re-reporting the same OUT updates its row.
The Mutation section shows a `regress mutate` measurement: `--mutation DIR`, else the newest under build/mutate
next to the regressions' folder (OUT/../../mutate for OUT = build/regress/<name>).
The Testplan section is verif/testplan.yaml's status in this regression (regress/testplan.py); an invalid
testplan is a warning on the page, not a failure of the report.
Modules: report_data (reading OUT), history (sqlite), testplan, report_html / report_sections / report_plots (the page).
"""
from __future__ import annotations

import argparse
import sqlite3
import sys
from pathlib import Path

from regress import compare, history
from regress import report_mutation as mutation
from regress import testplan as tp
from regress.report_data import Regression, ReportError, load, newest
from regress.report_html import page
from regress.report_sections import PlanView
from regress.testlist import TestListError

DASHBOARD = "dashboard.html"
DEFAULT_ROOT = Path(__file__).resolve().parents[1] / "build" / "regress"
EXIT_USAGE = 2


Histories = dict[tuple[str, str], list[tuple[str, str]]]


def _record(reg: Regression, db: Path) -> tuple[list[history.Entry], Histories, str, compare.Changes | None]:
    """Record `reg` in the database; its variant's trend, per-test run histories, a note for the page and the
    changes against the previous regression of the variant (also written to OUT/changes.json)."""
    variant = history.variant_of(reg.meta)
    until = str(reg.meta.get("started") or history.ALL)
    try:
        history.record(db, reg)
        entries = history.trend(db, variant, until=until)
        keys = dict.fromkeys((r.result.test, r.result.config) for r in reg.runs)
        hist = {(t, c): history.run_history(db, variant, t, c, until=until) for t, c in keys}
        changes = compare.compare(reg, db)
        compare.write(reg.out, changes)
        return entries, hist, f"last {len(entries)} regression(s) of {variant}; database {db}", changes
    except (sqlite3.Error, OSError) as exc:
        print(f"regress report: warning: trend database {db}: {exc}", file=sys.stderr)
        return [], {}, f"trend database {db} not usable: {exc}", None


def plan_view(reg: Regression, testplan: Path | None = None, testlist: Path | None = None) -> PlanView:
    """The testplan's status in `reg` (default files: verif/testplan.yaml, regress/testlist.yaml). An invalid
    testplan or test list is a warning line (stderr and the page's warnings) and the section shows the error."""
    path = Path(testplan) if testplan is not None else tp.DEFAULT_PATH
    try:
        plan = tp.load(path, tp.known_tests(testlist))
    except (tp.TestplanError, TestListError) as exc:
        print(f"regress report: warning: {exc}", file=sys.stderr)
        reg.warnings.append(f"testplan: {exc}")
        return PlanView([], str(path), str(exc))
    return PlanView(tp.plan_status(plan, [r.result for r in reg.runs], reg.func_cov), str(path))


def write_dashboard(out: Path, history_db: Path | None = None, testplan: Path | None = None,
                    testlist: Path | None = None, mutation_dir: Path | None = None) -> Path:
    """Write OUT/dashboard.html and record the regression in the trend database; returns the page's path.
    `testplan` / `testlist`: the testplan and the test list it is checked against (default: the repo's).

    Raises ReportError (one line) when OUT is not a regression output directory.
    """
    out = Path(out).resolve()
    reg = load(out)
    db = Path(history_db) if history_db is not None else history.default_path(out)
    entries, hist, note, changes = _record(reg, db)
    plan = plan_view(reg, testplan, testlist)
    mut = Path(mutation_dir) if mutation_dir is not None else mutation.newest(out.parent.parent / "mutate")
    doc = mutation.load(mut) if mut is not None else None
    if mutation_dir is not None and doc is None:
        raise ReportError(f"--mutation {mutation_dir}: no readable {mutation.MUTATE_JSON} there (a `regress mutate` "
                          "output folder)")
    mut_html = mutation.section(doc, mut)
    path = out / DASHBOARD
    tmp = path.with_suffix(".tmp")
    tmp.write_text(page(reg, entries, hist, note, plan, changes, mut_html), encoding="utf-8")
    tmp.replace(path)
    return path


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="regress report", description="Write the HTML dashboard of regression outputs.")
    p.add_argument("out", nargs="*", type=Path, help=f"regression output directories (default: the newest under "
                                                     f"{DEFAULT_ROOT})")
    p.add_argument("--history", type=Path, default=None, metavar="PATH",
                   help="trend database (default: history.sqlite next to each OUT)")
    p.add_argument("--testplan", type=Path, default=None, metavar="PATH",
                   help="testplan shown in the Testplan section (default: verif/testplan.yaml)")
    p.add_argument("--mutation", type=Path, default=None, metavar="DIR",
                   help="a `regress mutate` output folder for the Mutation section (default: the newest under "
                        "build/mutate)")
    return p


def main(argv: list[str] | None = None, root: Path = DEFAULT_ROOT) -> int:
    args = _parser().parse_args(argv)
    outs: list[Path] = args.out
    if not outs:
        found = newest(root)
        if found is None:
            print(f"regress report: no regression output directory under {root} (run `regress run <suite>` first "
                  "or name one)", file=sys.stderr)
            return EXIT_USAGE
        outs = [found]
    status = 0
    for out in outs:
        try:
            print(f"dashboard: {write_dashboard(out, args.history, args.testplan, mutation_dir=args.mutation)}")
        except ReportError as exc:
            print(f"regress report: {exc}", file=sys.stderr)
            status = EXIT_USAGE
    return status


if __name__ == "__main__":
    sys.exit(main())
