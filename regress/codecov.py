"""Code coverage of a regression: merge the runs' Verilator coverage.dat files, lcov info, HTML, summary.json.

    paths = codecov.run_files(run_dirs)                    # <run>/coverage.dat that exist (warns about the rest)
    summary = codecov.report(paths, out / "coverage" / "code", repo)

Verilator (built with eda.simbuild.COVERAGE_ARGS) writes one counter per coverage point; each line of a .dat
file is ``C '<\\x01key\\x02value...>' <count>`` with the keys f (file), l (line), t (type), page
(``v_line/<module>``, ``v_branch/<module>``, ``v_toggle/<module>``), o (comment), S (the source lines of a
block), n (the column), h (hierarchy).  Points are per Verilator module (Verilator already sums the instances
of one parameter specialization); :func:`fold` sums the specializations (``le_gemv__L8_M1000``, ...) into the
RTL module (``le_gemv``), so a point is hit when any instance hit it.

The metrics, all computed here from the merged file:

* line: the source lines of the v_line points (blocks, case items; a block's ``S`` lines, else ``l``) and of
  the v_branch points; a line is hit when any point on it counted.  These are the DA records of the lcov info.
* branch: v_branch points (each arm of an if/else), hit when counted; the BRDA records of the lcov info.
* toggle: v_toggle points (each bit's 0->1 and 1->0), hit when counted; not in the lcov info (genhtml has no
  toggle view).

The lcov info is written by this module, not by ``verilator_coverage -write-info``: the Debian 5.006 tool reads
5.48's files fine but its info has no branch records and folds toggle points into the line counts.  The
design totals (and the lcov info) hold only modules whose source is under rtl/; the testbench's (verif/hdl) are
listed apart in summary.json.  The reviewed waivers (regress.covwaive, verif/coverage_waivers.yaml) take their
lines, branch arms and toggle points out of every figure and of the lcov info, and summary.json lists them under
`waived`.
"""
from __future__ import annotations

import dataclasses
import json
import re
import subprocess
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from eda import toolchain
from regress import covwaive

METRICS = ("line", "toggle", "branch")
DAT_NAME = "coverage.dat"
_LINE_RE = re.compile(r"^C '(?P<keys>.*)' (?P<count>\d+)\s*$")


class CovError(RuntimeError):
    """A coverage step failed; str() is one line."""

    def __init__(self, message: str) -> None:
        super().__init__(" ".join(message.split()))


@dataclass(frozen=True)
class Point:
    """One coverage point of a .dat file."""

    file: str
    line: int
    column: int         # the n key: the source column (equal in every parameter specialization)
    kind: str           # "line", "branch" or "toggle" (from the page prefix)
    module: str
    comment: str
    lines: tuple[int, ...]   # source lines the point stands for (S key, else its own line)
    count: int


def _split_keys(text: str) -> dict[str, str]:
    """\\x01key\\x02value pairs of one point."""
    out: dict[str, str] = {}
    for item in text.split("\x01"):
        if item:
            key, _, value = item.partition("\x02")
            out[key] = value
    return out


def _source_lines(spec: str, line: int) -> tuple[int, ...]:
    """Lines of an ``S`` key ("2,4", "7-9"); the point's own line when absent or unreadable."""
    lines: set[int] = set()
    for part in filter(None, spec.split(",")):
        lo, _, hi = part.partition("-")
        if not lo.isdigit() or (hi and not hi.isdigit()):
            return (line,)
        lines.update(range(int(lo), int(hi or lo) + 1))
    return tuple(sorted(lines)) or (line,)


def _point(keys: dict[str, str], count: int, where: str) -> Point | None:
    """A Point, or None for a point of another kind (e.g. user cover properties)."""
    prefix, _, module = keys.get("page", "").partition("/")
    kind = {"v_line": "line", "v_branch": "branch", "v_toggle": "toggle"}.get(prefix)
    if kind is None:
        return None
    if "f" not in keys or not keys.get("l", "").isdigit() or not module:
        raise CovError(f"{where}: coverage point without file/line/module: {keys}")
    line = int(keys["l"])
    column = int(keys["n"]) if keys.get("n", "").isdigit() else 0
    return Point(keys["f"], line, column, kind, module, keys.get("o", ""), _source_lines(keys.get("S", ""), line),
                 count)


def parse_dat(path: Path) -> list[Point]:
    """Every line/branch/toggle point of a Verilator coverage .dat file (other point types are skipped)."""
    try:
        text = path.read_text(errors="replace")
    except OSError as exc:
        raise CovError(f"{path}: cannot read ({exc.strerror or exc})") from None
    if not text.startswith("# SystemC::Coverage"):
        raise CovError(f"{path}: not a Verilator coverage file (no '# SystemC::Coverage' header)")
    points = []
    for n, raw in enumerate(text.splitlines()[1:], start=2):
        if not raw.strip() or raw.startswith("#"):
            continue
        m = _LINE_RE.match(raw)
        if m is None:
            raise CovError(f"{path}:{n}: unreadable coverage line {raw[:80]!r}")
        p = _point(_split_keys(m["keys"]), int(m["count"]), f"{path}:{n}")
        if p is not None:
            points.append(p)
    return points


def base_module(name: str) -> str:
    """The RTL module of a Verilator module name: ``le_gemv__L8_M1000`` (a parameter specialization) -> ``le_gemv``.

    Verilator escapes a ``__`` in a user identifier, so the first ``__`` starts its parameter suffix."""
    return name.split("__", 1)[0]


def fold(points: Iterable[Point]) -> list[Point]:
    """One point per RTL module and source point (module, file, line, column, kind, comment): the parameter
    specializations of a module are summed, so a point is hit when any instance of the module hit it."""
    acc: dict[tuple[str, str, int, int, str, str], Point] = {}
    for p in points:
        key = (base_module(p.module), p.file, p.line, p.column, p.kind, p.comment)
        old = acc.get(key)
        if old is None:
            acc[key] = dataclasses.replace(p, module=key[0])
        else:
            acc[key] = dataclasses.replace(old, count=old.count + p.count,
                                           lines=tuple(sorted(set(old.lines) | set(p.lines))))
    return list(acc.values())


# ---- figures -----------------------------------------------------------------------------------------------
def _figure(hit: int, total: int) -> dict[str, object]:
    return {"hit": hit, "total": total, "pct": round(100.0 * hit / total, 2) if total else 0.0}


def line_hits(points: Iterable[Point]) -> dict[tuple[str, int], int]:
    """(file, line) -> the largest count of a line or branch point on it (the DA records)."""
    out: dict[tuple[str, int], int] = {}
    for p in points:
        if p.kind != "toggle":
            for ln in p.lines:
                out[(p.file, ln)] = max(out.get((p.file, ln), 0), p.count)
    return out


def figures(points: Sequence[Point], skip_lines: Collection[tuple[str, int]] = ()) -> dict[str, dict[str, object]]:
    """{"line": {hit, total, pct}, "toggle": ..., "branch": ...} of a set of points; `skip_lines`: (file, line)
    keys left out of the line figure (waived)."""
    lines = {k: c for k, c in line_hits(points).items() if k not in skip_lines}
    out = {"line": _figure(sum(c > 0 for c in lines.values()), len(lines))}
    for kind in ("toggle", "branch"):
        sel = [p for p in points if p.kind == kind]
        out[kind] = _figure(sum(p.count > 0 for p in sel), len(sel))
    return {k: out[k] for k in METRICS}


def is_design(file: str, repo: Path) -> bool:
    """True for a source under <repo>/rtl (relative names are taken relative to the repo)."""
    path = Path(file) if Path(file).is_absolute() else repo / file
    return path.resolve().is_relative_to((repo / "rtl").resolve())


def by_module(points: Sequence[Point]) -> dict[str, list[Point]]:
    groups: dict[str, list[Point]] = {}
    for p in points:
        groups.setdefault(p.module, []).append(p)
    return dict(sorted(groups.items()))


def summarize(points: Sequence[Point], repo: Path, runs: int, tool: str,
              waivers: Sequence[covwaive.Waiver] | None = None, waivers_path: Path | None = None) -> dict[str, object]:
    """The summary.json document: design totals, per design module, per testbench module (points are folded).

    With `waivers` (regress.covwaive), the waived points are out of every figure and listed under `waived`
    (counts per module, each waiver with its state, the stale and hit ones, the unwaived design totals)."""
    points = fold(points)
    applied = covwaive.apply_code(points, waivers or ())
    design: dict[str, dict[str, dict[str, object]]] = {}
    tb: dict[str, dict[str, dict[str, object]]] = {}
    for module, pts in by_module(points).items():
        (design if all(is_design(p.file, repo) for p in pts) else tb)[module] = figures(applied.kept(pts),
                                                                                        applied.lines)
    design_points = [p for p in points if p.module in design]
    out: dict[str, object] = {"tool": tool, "runs": runs, "totals": figures(applied.kept(design_points), applied.lines),
                              "modules": design, "tb_modules": tb, "html": "html/index.html"}
    if waivers is not None:
        out["waived"] = covwaive.section(applied.rows, applied.by_module, figures(design_points), waivers_path)
    return out


# ---- lcov info ---------------------------------------------------------------------------------------------
def lcov_info(points: Sequence[Point], waivers: Sequence[covwaive.Waiver] = ()) -> str:
    """lcov tracefile text: DA per line (line_hits), BRDA per if/else arm, with LF/LH/BRF/BRH per file; waived
    lines and branch arms are left out (so genhtml's totals are the summary's)."""
    points = fold(points)
    applied = covwaive.apply_code(points, waivers)
    points = applied.kept(points)
    lines = {k: c for k, c in line_hits(points).items() if k not in applied.lines}
    files = sorted({f for f, _ in lines} | {p.file for p in points if p.kind == "branch"})
    out = ["TN:regress"]
    for f in files:
        out.append(f"SF:{f}")
        branches = sorted((p for p in points if p.kind == "branch" and p.file == f),
                          key=lambda p: (p.line, p.column, p.comment))
        blocks: dict[int, int] = {}
        for p in branches:
            blocks[p.line] = blocks.get(p.line, -1) + 1
            out.append(f"BRDA:{p.line},0,{blocks[p.line]},{p.count if p.count else '-'}")
        out += [f"BRF:{len(branches)}", f"BRH:{sum(p.count > 0 for p in branches)}"]
        da = sorted((ln, c) for (ff, ln), c in lines.items() if ff == f)
        out += [f"DA:{ln},{c}" for ln, c in da]
        out += [f"LF:{len(da)}", f"LH:{sum(c > 0 for _, c in da)}", "end_of_record"]
    return "\n".join(out) + "\n"


# ---- tools -------------------------------------------------------------------------------------------------
def _tool(cmd: Sequence[str | Path], what: str, timeout: float = 600) -> str:
    try:
        done = subprocess.run([str(c) for c in cmd], capture_output=True, text=True, check=False, timeout=timeout)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise CovError(f"{what} failed: {exc}") from None
    if done.returncode != 0:
        tail = " ".join((done.stderr or done.stdout).split())[-300:]
        raise CovError(f"{what} failed (exit {done.returncode}): {tail}")
    return done.stdout


def tool_version(tool: Path) -> str:
    """What ``verilator_coverage --version`` prints, e.g. ``Verilator 5.006 2023-01-22 rev (Debian 5.006-3)``."""
    return _tool([tool, "--version"], f"{tool} --version", timeout=60).strip()


def merge(paths: Sequence[Path], out: Path, tool: Path) -> None:
    """``verilator_coverage -write out paths...``: counts of equal points add up."""
    if not paths:
        raise CovError("no coverage.dat files to merge")
    out.parent.mkdir(parents=True, exist_ok=True)
    _tool([tool, "-write", out, *paths], "verilator_coverage -write")
    if not out.is_file():
        raise CovError(f"verilator_coverage -write did not write {out}")


def genhtml(info: Path, html_dir: Path) -> None:
    """lcov's genhtml with branch coverage into html_dir (index.html)."""
    _tool([toolchain.genhtml(), "--quiet", "--branch-coverage", "--legend", "--title", "layer-engine regression",
           "--output-directory", html_dir, info], "genhtml")


def per_run_files(run_dirs: Iterable[Path], name: str, warn: Callable[[str], None] = print) -> list[Path]:
    """<run>/<name> of every run that wrote it (not empty); a run without one gets a warning line and is skipped."""
    found = []
    for d in run_dirs:
        f = Path(d) / name
        if f.is_file() and f.stat().st_size > 0:
            found.append(f)
        else:
            warn(f"coverage: WARNING: {d} has no {name} (the run ended before writing it): skipped")
    return found


def run_files(run_dirs: Iterable[Path], warn: Callable[[str], None] = print) -> list[Path]:
    """The runs' coverage.dat files."""
    return per_run_files(run_dirs, DAT_NAME, warn)


def report(paths: Sequence[Path], out_dir: Path, repo: Path, tool: Path | None = None,
           waivers: Sequence[covwaive.Waiver] | None = None, waivers_path: Path | None = None) -> dict[str, object]:
    """Merge `paths` into out_dir/merged.dat, write coverage.info (design files only, waived points left out, so
    genhtml's totals are the summary's line and branch totals), html/ and summary.json; return the summary."""
    tool = tool or toolchain.verilator_coverage()
    merged = out_dir / "merged.dat"
    merge(paths, merged, tool)
    points = fold(parse_dat(merged))
    summary = summarize(points, repo, len(paths), tool_version(tool), waivers, waivers_path)
    info = out_dir / "coverage.info"
    info.write_text(lcov_info([p for p in points if p.module in summary["modules"]],  # type: ignore[operator]
                              waivers or ()))
    genhtml(info, out_dir / "html")
    (out_dir / "summary.json").write_text(json.dumps(summary, indent=2) + "\n")
    return summary
