"""Reviewed coverage waivers (verif/coverage_waivers.yaml): loading, validation and matching.

    waivers = covwaive.load()                           # WaiverError (one line, `regress` exits 2) on a bad file
    applied = covwaive.apply_code(points, waivers)      # code: waived lines, branch and toggle points
    bins = covwaive.apply_bins(hits, holes, waivers)    # functional: waived covergroup bins

A waiver takes coverage points out of the denominator; the merge reports them apart (regress.codecov,
regress.funccov: `waived` in each summary.json), never drops them silently. Each waiver ends in one state:

* ``active``: it matched points and at least one of them is not hit (the waiver is doing its job);
* ``hit``: every point it matched was hit (the waiver is no longer needed: drop it);
* ``stale``: it matched no coverage point (the line moved, the signal or bin was renamed: fix or drop it).

The file: a mapping with one list, ``waivers``; each entry has a ``kind`` and the keys of that kind, plus
``reason``, ``reviewer`` and ``date`` (all required):

    kind: line     file: rtl/x.sv   line: 12 | [12, 14]     every line point on those source lines
    kind: branch   file: rtl/x.sv   line: 12 | [..]  [arm: if|else|...]    the if/else arms on those lines
    kind: toggle   module: le_x     signal: name | name[3]  the 0->1 and 1->0 points of that signal (or bit)
    kind: bin      bin: covergroup.coverpoint.bin           one functional coverage bin
"""
from __future__ import annotations

import datetime
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from regress.testlist import TestListError

if TYPE_CHECKING:
    from regress.codecov import Point

REPO = Path(__file__).resolve().parents[1]
WAIVERS = REPO / "verif" / "coverage_waivers.yaml"
COMMON = ("reason", "reviewer", "date")
KEYS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {    # kind -> (required, optional) besides COMMON
    "line": (("file", "line"), ()),
    "branch": (("file", "line"), ("arm",)),
    "toggle": (("module", "signal"), ()),
    "bin": (("bin",), ()),
}
ACTIVE, HIT, STALE = "active", "hit", "stale"
_SIGNAL_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_$.]*(\[\d+\])?$")
_BIN_RE = re.compile(r"^[A-Za-z_]\w*\.[A-Za-z_]\w*\.\S+$")
_TOGGLE_RE = re.compile(r"^(?P<sig>.+?)(?P<bit>\[\d+\])?:[01]->[01]$")


class WaiverError(TestListError):
    """A malformed waiver file; str() is one line naming the file and the entry (`regress` exits 2)."""


@dataclass(frozen=True)
class Waiver:
    """One waiver target (an entry with several lines gives one Waiver per line, same `entry`)."""

    entry: int              # 1-based position in the file's `waivers` list
    kind: str               # line, branch, toggle, bin
    reason: str
    reviewer: str
    date: str
    file: str = ""
    line: int = 0
    arm: str = ""
    module: str = ""
    signal: str = ""
    bin: str = ""

    @property
    def target(self) -> str:
        """What it waives, as the dashboard and the warnings print it."""
        if self.kind == "toggle":
            return f"{self.module}.{self.signal}"
        if self.kind == "bin":
            return self.bin
        return f"{self.file}:{self.line}" + (f" ({self.arm})" if self.arm else "")

    def doc(self) -> dict[str, Any]:
        return {"entry": self.entry, "kind": self.kind, "target": self.target, "reason": self.reason,
                "reviewer": self.reviewer, "date": self.date}


def _fail(path: Path, entry: int | None, what: str, problem: str) -> WaiverError:
    where = f"waiver {entry}" + (f" ({what})" if what else "") if entry is not None else ""
    return WaiverError(" ".join(f"{path}: {where + ': ' if where else ''}{problem}".split()))


def _entry(path: Path, n: int, raw: Any) -> list[Waiver]:
    if not isinstance(raw, dict):
        raise _fail(path, n, "", f"must be a mapping, not {type(raw).__name__}")
    kind = raw.get("kind")
    if kind not in KEYS:
        raise _fail(path, n, "", f"kind {kind!r}: must be one of {', '.join(KEYS)}")
    required, optional = KEYS[kind]
    what = f"{kind} " + " ".join(str(raw[k]) for k in required if k in raw)
    unknown = sorted(set(raw) - {"kind", *COMMON, *required, *optional})
    if unknown:
        raise _fail(path, n, what, f"unknown key(s) {', '.join(map(str, unknown))} (a {kind} waiver has "
                                   f"{', '.join(('kind', *required, *optional, *COMMON))})")
    missing = [k for k in (*required, *COMMON) if raw.get(k) in (None, "")]
    if missing:
        raise _fail(path, n, what, f"missing {', '.join(missing)} (every waiver needs a reason, a reviewer "
                                   "and a date)")
    for k in ("reason", "reviewer", "file", "module", "signal", "bin", "arm"):
        if k in raw and not isinstance(raw[k], str):
            raise _fail(path, n, what, f"{k} must be a string, not {type(raw[k]).__name__}")
    if len(raw["reason"].split()) < 3:
        raise _fail(path, n, what, f"reason {raw['reason']!r} is too short: say why the point cannot or need "
                                   "not be covered")
    date = raw["date"]
    if isinstance(date, str):
        try:
            date = datetime.date.fromisoformat(date)
        except ValueError:
            raise _fail(path, n, what, f"date {date!r} is not YYYY-MM-DD") from None
    if not isinstance(date, datetime.date):
        raise _fail(path, n, what, f"date must be YYYY-MM-DD, not {type(date).__name__}")
    common = dict(entry=n, kind=kind, reason=" ".join(raw["reason"].split()), reviewer=raw["reviewer"],
                  date=date.isoformat())
    if kind == "toggle":
        if not _SIGNAL_RE.match(raw["signal"]):
            raise _fail(path, n, what, f"signal {raw['signal']!r}: a signal name, optionally with one bit: "
                                       "name or name[3]")
        return [Waiver(**common, module=raw["module"], signal=raw["signal"])]
    if kind == "bin":
        if not _BIN_RE.match(raw["bin"]):
            raise _fail(path, n, what, f"bin {raw['bin']!r}: must be covergroup.coverpoint.bin")
        return [Waiver(**common, bin=raw["bin"])]
    lines = raw["line"] if isinstance(raw["line"], list) else [raw["line"]]
    if not lines or not all(isinstance(x, int) and not isinstance(x, bool) and x > 0 for x in lines):
        raise _fail(path, n, what, f"line must be a positive integer or a list of them, not {raw['line']!r}")
    return [Waiver(**common, file=raw["file"], line=x, arm=raw.get("arm", "")) for x in lines]


def parse(doc: Any, path: Path) -> list[Waiver]:
    """The waivers of a loaded YAML document (WaiverError on the first bad entry)."""
    if doc is None:
        return []
    if not isinstance(doc, dict) or set(doc) - {"waivers"}:
        raise _fail(path, None, "", "expected a mapping with one key, `waivers` (a list)")
    entries = doc.get("waivers") or []
    if not isinstance(entries, list):
        raise _fail(path, None, "", "`waivers` must be a list")
    out: list[Waiver] = []
    for n, raw in enumerate(entries, start=1):
        out += _entry(path, n, raw)
    seen: dict[tuple[str, ...], int] = {}
    for w in out:
        key = (w.kind, w.target)
        if key in seen and seen[key] != w.entry:
            raise _fail(path, w.entry, f"{w.kind} {w.target}", f"duplicates waiver {seen[key]}")
        seen.setdefault(key, w.entry)
    return out


def load(path: Path | None = None) -> list[Waiver]:
    """The waivers of `path` (default verif/coverage_waivers.yaml; a missing default file means none)."""
    path = path or WAIVERS
    if not path.is_file():
        if path == WAIVERS:
            return []
        raise _fail(path, None, "", "no such file")
    try:
        doc = yaml.safe_load(path.read_text())
    except yaml.YAMLError as exc:
        raise _fail(path, None, "", f"not valid YAML: {' '.join(str(exc).split())}") from None
    return parse(doc, path)


# ---- matching ------------------------------------------------------------------------------------------------
def same_file(point_file: str, waiver_file: str) -> bool:
    """A point's source (absolute, as the build saw it) is the waiver's repo-relative file."""
    return point_file == waiver_file or point_file.endswith("/" + waiver_file.lstrip("./"))


def _toggle_match(p: Point, w: Waiver) -> bool:
    from regress.codecov import base_module
    if base_module(p.module) != w.module:
        return False
    m = _TOGGLE_RE.match(p.comment)
    if m is None:
        return False
    return m["sig"] == w.signal or m["sig"] + (m["bit"] or "") == w.signal


def _state(counts: Sequence[int]) -> str:
    return STALE if not counts else HIT if all(c > 0 for c in counts) else ACTIVE


@dataclass
class CodeWaived:
    """What the code waivers took out: points (branch, toggle), (file, line) keys (line), each waiver's state."""

    points: set[int] = field(default_factory=set)                    # id() of waived branch/toggle points
    lines: dict[tuple[str, int], Waiver] = field(default_factory=dict)
    rows: list[dict[str, Any]] = field(default_factory=list)         # one per waiver (matched or not)
    by_module: dict[str, dict[str, int]] = field(default_factory=dict)

    def kept(self, points: Iterable[Point]) -> list[Point]:
        return [p for p in points if id(p) not in self.points]


def apply_code(points: Sequence[Point], waivers: Iterable[Waiver]) -> CodeWaived:
    """Match the line, branch and toggle waivers against folded points (a point taken by an earlier waiver is
    not matched again)."""
    from regress.codecov import line_hits
    out = CodeWaived()
    hits = line_hits(points)
    line_module = {(p.file, ln): p.module for p in points if p.kind != "toggle" for ln in p.lines}
    for w in waivers:
        if w.kind == "bin":
            continue
        found: list[tuple[str, int]] = []          # (module, count) of every point it takes
        if w.kind == "line":
            for key, count in hits.items():
                if key[1] == w.line and same_file(key[0], w.file) and key not in out.lines:
                    out.lines[key] = w
                    found.append((line_module[key], count))
        else:
            for p in points:
                if id(p) in out.points:
                    continue
                if w.kind == "branch":
                    ok = p.kind == "branch" and p.line == w.line and same_file(p.file, w.file) and (
                        not w.arm or p.comment == w.arm)
                else:
                    ok = p.kind == "toggle" and _toggle_match(p, w)
                if ok:
                    out.points.add(id(p))
                    found.append((p.module, p.count))
        for mod, _ in found:
            out.by_module.setdefault(mod, {"line": 0, "toggle": 0, "branch": 0})[w.kind] += 1
        counts = [c for _, c in found]
        out.rows.append({**w.doc(), "module": ", ".join(sorted({m for m, _ in found})), "points": len(counts),
                         "points_hit": sum(c > 0 for c in counts), "state": _state(counts)})
    return out


def apply_bins(hits: Mapping[str, int], holes: Iterable[str], waivers: Iterable[Waiver]
               ) -> tuple[dict[str, Waiver], list[dict[str, Any]]]:
    """Match the bin waivers against the merged bins (`hits`: every bin's hit count, `holes`: the unhit ones):
    (bin -> waiver, one row per bin waiver)."""
    hole_set = set(holes)
    waived: dict[str, Waiver] = {}
    rows = []
    for w in waivers:
        if w.kind != "bin":
            continue
        counts: list[int] = []
        if w.bin in hits:
            waived[w.bin] = w
            counts = [0 if w.bin in hole_set else max(1, hits[w.bin])]
        rows.append({**w.doc(), "module": w.bin.split(".", 1)[0], "points": len(counts),
                     "points_hit": sum(c > 0 for c in counts), "hits": hits.get(w.bin, 0), "state": _state(counts)})
    return waived, rows


def _merged(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One row per file entry: the targets of an entry with several lines joined (rtl/x.sv:62,63 (if))."""
    out: dict[int, dict[str, Any]] = {}
    for r in rows:
        m = out.get(r["entry"])
        if m is None:
            out[r["entry"]] = dict(r)
            continue
        rest = r["target"].partition(":")[2]
        m["target"] = f"{m['target'].split(' (')[0]},{rest}"
        m["module"] = ", ".join(sorted({*m["module"].split(", "), *r["module"].split(", ")} - {""}))
        m["points"] += r["points"]
        m["points_hit"] += r["points_hit"]
        m["state"] = HIT if m["state"] == HIT and r["state"] == HIT else ACTIVE
    return list(out.values())


def section(rows: list[dict[str, Any]], counts: Mapping[str, Any], raw: Any, path: Path | None) -> dict[str, Any]:
    """The `waived` key of a summary.json: the file, counts per module or covergroup, every waiver that applied
    (one row per file entry) with its state, the stale targets (one row each) and the hit waivers apart, and the
    figure(s) without waivers (`unwaived`)."""
    live = _merged([r for r in rows if r["state"] != STALE])
    return {"file": display_path(path or WAIVERS), "counts": dict(counts), "waivers": live,
            "stale": [r for r in rows if r["state"] == STALE],
            "hit": [r for r in live if r["state"] == HIT],
            "unwaived": raw}


def display_path(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(REPO))
    except ValueError:
        return str(path)


def warnings(summary: Mapping[str, Any] | None, what: str) -> list[str]:
    """The console lines of a summary's stale and hit waivers (none without waivers)."""
    w = summary.get("waived") if isinstance(summary, Mapping) else None
    if not isinstance(w, Mapping):
        return []
    f = w.get("file", "coverage waivers")
    out = [f"coverage: WARNING: stale {what} waiver {f} #{r['entry']} ({r['kind']} {r['target']}): matches no "
           "coverage point; fix or remove it" for r in w.get("stale", [])]
    out += [f"coverage: WARNING: {what} waiver {f} #{r['entry']} ({r['kind']} {r['target']}) is hit "
            f"({r['points_hit']}/{r['points']} point(s)): no longer needed, remove it" for r in w.get("hit", [])]
    return out
