"""A regression against the previous one of its variant, and the flaky (test, configuration, seed) triples.

* **new** failure buckets (a signature failing now that did not fail in the previous regression), **still failing**
  (failing in both) and **fixed** (failing before, not now), by bucket signature (regress/buckets.py), so random
  seeds compare too; for a test whose seeds are fixed, a run id that failed before and passes now is named as well.
* **flaky**: the same test, configuration and master seed both passed and failed on the same commit with a clean
  tree (a seed reproduces a run bit for bit, so this is non-determinism: a simulator, a host-dependent path, a
  race in the environment). Looked up over every regression in the trend database (regress/history.py).

`regress report` writes OUT/changes.json and a dashboard section from it; `regress run` prints its `line`.
"""
from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from regress import history
from regress.report_data import Regression
from regress.results import json_dict

CHANGES_FILE = "changes.json"


@dataclass
class Changes:
    variant: str
    previous_out: str | None = None              # None: no earlier regression of this variant
    previous_started: str | None = None
    previous_sha: str | None = None
    new: dict[str, list[str]] = field(default_factory=dict)          # signature -> run ids now
    still: dict[str, list[str]] = field(default_factory=dict)        # signature -> run ids now
    fixed: dict[str, list[str]] = field(default_factory=dict)        # signature -> run ids before
    now_passing: list[str] = field(default_factory=list)             # run ids failing before, passing now
    flaky: list[dict[str, Any]] = field(default_factory=list)        # test, config, seed, passed, failed

    @property
    def line(self) -> str:
        flaky = f"; {len(self.flaky)} flaky (test, config, seed) on this commit" if self.flaky else ""
        if self.previous_out is None:
            return f"changes: no earlier {self.variant} regression recorded{flaky}"
        return (f"changes against the previous {self.variant} regression ({self.previous_started}, "
                f"{(self.previous_sha or '?')[:10]}): {len(self.new)} new failure bucket(s), {len(self.still)} still "
                f"failing, {len(self.fixed)} fixed{flaky}")


def _by_signature(rows: list[tuple[str, str | None]]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = defaultdict(list)
    for run_id, sig in rows:
        if sig:
            out[sig].append(run_id)
    return dict(out)


def compare(reg: Regression, db: Path) -> Changes:
    """`reg` (already recorded in `db`) against the previous regression of its variant; flaky triples at its sha."""
    variant = history.variant_of(reg.meta)
    ch = Changes(variant)
    now = _by_signature([(r.result.run_id, str(r.signature) if r.signature else None) for r in reg.runs])
    prev = history.previous(db, variant, str(reg.meta.get("started") or history.ALL), str(reg.out.resolve()))
    if prev is not None:
        entry, runs = prev
        ch.previous_out, ch.previous_started, ch.previous_sha = entry.out, entry.started, entry.sha
        before = _by_signature([(run_id, sig) for run_id, _, _, _, _, sig in runs])
        ch.new = {s: ids for s, ids in now.items() if s not in before}
        ch.still = {s: ids for s, ids in now.items() if s in before}
        ch.fixed = {s: ids for s, ids in before.items() if s not in now}
        passing = {r.result.run_id for r in reg.runs if r.result.status == "pass"}
        ch.now_passing = sorted({run_id for ids in before.values() for run_id in ids} & passing)
    git = json_dict(reg.meta, "git")
    seen: dict[tuple[str, str, int], list[int]] = defaultdict(lambda: [0, 0])
    for test, config, seed, status in history.outcomes_at(db, str(git.get("sha") or "")):
        seen[(test, config, seed)][0 if status == "pass" else 1] += 1
    ch.flaky = [{"test": t, "config": c, "seed": s, "passed": p, "failed": f}
                for (t, c, s), (p, f) in sorted(seen.items()) if p and f]
    return ch


def write(out: Path, ch: Changes) -> Path:
    path = out / CHANGES_FILE
    path.write_text(json.dumps({**asdict(ch), "line": ch.line}, indent=2) + "\n")
    return path


def read_line(out: Path) -> str | None:
    """The summary line of OUT/changes.json (None when there is none)."""
    try:
        line = json.loads((out / CHANGES_FILE).read_text()).get("line")
    except (OSError, ValueError, AttributeError):
        return None
    return str(line) if line else None
