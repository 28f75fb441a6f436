"""Functional coverage of a regression: merge the runs' UCIS files (verif.coverage) and summarise.

    paths = funccov.run_files(run_dirs)          # <run>/coverage.ucis.xml that exist (warns about the rest)
    summary = funccov.report(paths, out / "coverage" / "functional")

Every run of the pyuvm env saves its covergroups as `coverage.ucis.xml` (verif/env/coverage_sub.py);
verif.coverage.merge_ucis adds the bin hits up and verif.coverage.report gives the per-covergroup figure (the
mean of its coverpoints' and crosses' hit-bin fractions) and the unhit bins.

Waived bins (regress.covwaive, `kind: bin`) are out of their coverpoint's fraction (a coverpoint whose every bin
is waived drops out of its covergroup's mean; a covergroup with nothing left counts 100 %) and out of `holes`;
summary.json lists them under `waived` with the stale and hit waivers and the unwaived total.
"""
from __future__ import annotations

import json
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from regress import covwaive

if TYPE_CHECKING:
    from verif.coverage import CoverageReport

UCIS_NAME = "coverage.ucis.xml"


def run_files(run_dirs: Iterable[Path], warn: Callable[[str], None] = print) -> list[Path]:
    """The runs' UCIS files (a run without one gets a warning line and is skipped)."""
    from regress.codecov import per_run_files
    return per_run_files(run_dirs, UCIS_NAME, warn)


def waived_pct(hits: Mapping[str, int], holes: Collection[str], cg: str, waived: Collection[str]) -> float:
    """Covergroup `cg`'s figure with the `waived` bins ("cg.cp.bin") out: the mean over its coverpoints and
    crosses of hit / (bins - waived), the formula of verif.coverage.report."""
    per_cp: dict[str, list[bool]] = {}
    for name in hits:
        parts = name.split(".", 2)
        if len(parts) == 3 and parts[0] == cg and name not in waived:
            per_cp.setdefault(parts[1], []).append(name not in holes)
    fracs = [sum(b) / len(b) for b in per_cp.values()]
    return 100.0 * sum(fracs) / len(fracs) if fracs else 100.0


def summarize(rep: CoverageReport, runs: int, waivers: Sequence[covwaive.Waiver] | None = None,
              waivers_path: Path | None = None) -> dict[str, object]:
    """summary.json: {"runs", "total_pct", "covergroups": {cg: {"pct", "holes": ["cp.bin", ...], "bins": {"cp.bin":
    hits, ...}}}} (every bin with its merged hit count, waived ones included), and with `waivers` the `waived`
    section (regress.covwaive.section)."""
    waived, rows = covwaive.apply_bins(rep.hits, rep.holes, waivers or ())
    groups: dict[str, dict[str, object]] = {}
    counts: dict[str, int] = {}
    pcts: dict[str, float] = {}
    for cg, pct in rep.coverage.items():
        mine = [b for b in waived if b.split(".", 1)[0] == cg]
        pcts[cg] = waived_pct(rep.hits, set(rep.holes), cg, mine) if mine else float(pct)
        if mine:
            counts[cg] = len(mine)
        holes = [h.split(".", 1)[1] for h in rep.holes if h.split(".", 1)[0] == cg and h not in waived]
        bins = {name.split(".", 1)[1]: int(n) for name, n in rep.hits.items() if name.split(".", 1)[0] == cg}
        groups[cg] = {"pct": round(pcts[cg], 2), "holes": holes, "bins": bins}
    total = sum(pcts.values()) / len(pcts) if pcts and waived else float(rep.total)
    out: dict[str, object] = {"runs": runs, "total_pct": round(float(total), 2), "covergroups": groups}
    if waivers is not None:
        out["waived"] = covwaive.section(rows, counts, round(float(rep.total), 2), waivers_path)
    return out


def report(paths: Sequence[Path], out_dir: Path, waivers: Sequence[covwaive.Waiver] | None = None,
           waivers_path: Path | None = None) -> dict[str, object]:
    """Merge `paths` into out_dir/merged.ucis.xml, write out_dir/summary.json, return the summary."""
    from verif.coverage import merge_ucis
    from verif.coverage import report as ucis_report
    if not paths:
        raise ValueError("no coverage.ucis.xml files to merge")
    out_dir.mkdir(parents=True, exist_ok=True)
    merged = out_dir / "merged.ucis.xml"
    merge_ucis(paths, merged)
    summary = summarize(ucis_report(merged), len(paths), waivers, waivers_path)
    (out_dir / "summary.json").write_text(json.dumps(summary, indent=2) + "\n")
    return summary
