"""Functional coverage of a regression: merge the runs' UCIS files (verif.coverage) and summarise.

    paths = funccov.run_files(run_dirs)          # <run>/coverage.ucis.xml that exist (warns about the rest)
    summary = funccov.report(paths, out / "coverage" / "functional")

Every run of the pyuvm env saves its covergroups as `coverage.ucis.xml` (verif/env/coverage_sub.py);
verif.coverage.merge_ucis adds the bin hits up and verif.coverage.report gives the per-covergroup figure (the
mean of its coverpoints' and crosses' hit-bin fractions) and the unhit bins.
"""
from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from verif.coverage import CoverageReport

UCIS_NAME = "coverage.ucis.xml"


def run_files(run_dirs: Iterable[Path], warn: Callable[[str], None] = print) -> list[Path]:
    """The runs' UCIS files (a run without one gets a warning line and is skipped)."""
    from regress.codecov import per_run_files
    return per_run_files(run_dirs, UCIS_NAME, warn)


def summarize(rep: CoverageReport, runs: int) -> dict[str, object]:
    """summary.json: {"runs", "total_pct", "covergroups": {cg: {"pct", "holes": ["cp.bin", ...]}}}."""
    groups: dict[str, dict[str, object]] = {}
    for cg, pct in rep.coverage.items():
        holes = [h.split(".", 1)[1] for h in rep.holes if h.split(".", 1)[0] == cg]
        groups[cg] = {"pct": round(float(pct), 2), "holes": holes}
    return {"runs": runs, "total_pct": round(float(rep.total), 2), "covergroups": groups}


def report(paths: Sequence[Path], out_dir: Path) -> dict[str, object]:
    """Merge `paths` into out_dir/merged.ucis.xml, write out_dir/summary.json, return the summary."""
    from verif.coverage import merge_ucis
    from verif.coverage import report as ucis_report
    if not paths:
        raise ValueError("no coverage.ucis.xml files to merge")
    out_dir.mkdir(parents=True, exist_ok=True)
    merged = out_dir / "merged.ucis.xml"
    merge_ucis(paths, merged)
    summary = summarize(ucis_report(merged), len(paths))
    (out_dir / "summary.json").write_text(json.dumps(summary, indent=2) + "\n")
    return summary
