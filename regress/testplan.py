"""The testplan (verif/testplan.yaml): the engine's features, the tests that exercise them and the functional
coverage bins that prove them; validated, and given a status from a regression's results and merged coverage.

    plan = load()                                   # validates against regress/testlist.yaml and the covergroups
    rows = plan_status(plan, runs, func_cov)        # RunResults + coverage/functional/summary.json (or None)
    python -m regress.testplan [OUT]                # validate; with OUT, print each testpoint's status

A testpoint has `name`, `desc`, `stage` (V1, V2, V3), `tests` (names of the test list's `tests:`; [] when no test
exercises the feature yet) and `coverpoints`: bins `covergroup.coverpoint.bin` as the merged functional coverage
names them (`cfg.seq.len1`), or a coverpoint `covergroup.coverpoint` standing for every bin of it. The known bins
are those of a fresh verif.coverage.Coverage (its holes before any sample: every bin the env can report).
Any problem (bad YAML, a missing or unknown field, a duplicate name, an unknown stage, test or coverpoint)
raises TestplanError whose str() is ONE line naming the file and the testpoint; the CLI exits 2 on it.

Status of a testpoint: each listed test is "pass" (it ran, every run passed), "fail" (a run failed, crashed or
timed out) or "not run" (no run of it in this regression); each bin is hit or a hole in the merged functional
coverage. Overall: "not run" when none of its tests ran (or it lists none), "fail" when one of them failed,
"pass" when every test ran and passed and every bin was hit, otherwise "partial" (the reason says what is
missing: tests not run, holes, or functional coverage not collected).
"""
from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from regress.results import RunResult
from regress.testlist import NAME_RE, OneLineError

REPO = Path(__file__).resolve().parents[1]
DEFAULT_PATH = REPO / "verif" / "testplan.yaml"
STAGES = ("V1", "V2", "V3")
FIELDS = ("name", "desc", "stage", "tests", "coverpoints")
PASS, PARTIAL, FAIL, NOT_RUN = "pass", "partial", "fail", "not run"
EXIT_USAGE = 2


class TestplanError(OneLineError):
    """A malformed testplan or an unknown name."""


@dataclass(frozen=True)
class Testpoint:
    __test__ = False

    name: str
    desc: str
    stage: str
    tests: tuple[str, ...]
    coverpoints: tuple[str, ...]            # as written in the file
    bins: tuple[str, ...]                   # every "cg.cp.bin" they stand for, in order


@dataclass(frozen=True)
class Testplan:
    __test__ = False

    path: Path
    testpoints: tuple[Testpoint, ...]


# ---- what the names are checked against -------------------------------------------------------------------
def defined_bins() -> tuple[str, ...]:
    """Every bin "covergroup.coverpoint.bin" the env's functional coverage defines, in the covergroups' order
    (ignored cross bins excluded).

    A fresh verif.coverage.Coverage has every bin unhit, so its holes() are all of them. verif.coverage (pyvsc)
    has no type information, hence the run-time import."""
    try:
        coverage: Any = importlib.import_module("verif.coverage")
    except ImportError as exc:
        raise TestplanError(f"cannot enumerate the covergroups (verif.coverage: {exc}); install pyvsc "
                            "(`make setup`)") from None
    return tuple(str(h) for h in coverage.Coverage().holes())


def known_tests(testlist: Path | None = None) -> frozenset[str]:
    """The test names of the test list (regress/testlist.yaml by default); TestListError when it is malformed."""
    from regress.testlist import load as load_testlist
    return frozenset(load_testlist(testlist).tests)


# ---- parsing ----------------------------------------------------------------------------------------------
def _display(path: Path) -> str:
    try:
        return path.resolve().relative_to(REPO).as_posix()
    except ValueError:
        return str(path)


def _need(cond: bool, where: str, what: str) -> None:
    if not cond:
        raise TestplanError(f"{where}: {what}")


def _names(value: Any, where: str, key: str) -> tuple[str, ...]:
    _need(isinstance(value, list) and all(isinstance(v, str) for v in value), where,
          f"`{key}` must be a list of names, got {value!r}")
    dup = sorted({v for v in value if value.count(v) > 1})
    _need(not dup, where, f"`{key}` lists {', '.join(dup)} more than once")
    return tuple(value)


def expand(entry: str, bins: Collection[str], where: str) -> list[str]:
    """The bins a coverpoints entry stands for: itself ("cg.cp.bin") or every bin of a coverpoint ("cg.cp")."""
    if entry in bins:
        return [entry]
    parts = entry.split(".")
    under = [b for b in bins if b.startswith(entry + ".")] if len(parts) == 2 else []
    if under:
        return under
    groups = list(dict.fromkeys(b.split(".")[0] for b in bins))
    points = list(dict.fromkeys(b.split(".")[1] for b in bins if b.split(".")[0] == parts[0]))
    if parts[0] not in groups:
        hint = f"covergroups: {', '.join(groups)}"
    elif len(parts) < 2 or parts[1] not in points:
        hint = f"covergroup {parts[0]} has: {', '.join(points)}"
    else:
        cp = f"{parts[0]}.{parts[1]}."
        hint = f"{cp[:-1]} has bins: {', '.join(b[len(cp):] for b in bins if b.startswith(cp))}"
    raise TestplanError(f"{where}: unknown coverpoint {entry!r} ({hint})")


def _testpoint(i: int, raw: Any, file: str, tests: Collection[str], bins: Collection[str]) -> Testpoint:
    where = f"{file}: testpoint #{i + 1}"
    _need(isinstance(raw, dict), where, f"expected a mapping with {', '.join(FIELDS)}, got {type(raw).__name__}")
    name = raw.get("name")
    if isinstance(name, str) and NAME_RE.match(name):
        where = f"{file}: testpoint {name!r}"
    _need("name" in raw, where, "missing field `name`")
    _need(isinstance(name, str) and bool(NAME_RE.match(name)), where,
          f"bad name {name!r} (letters, digits, _ and -, not starting with a digit)")
    missing = [f for f in FIELDS if f not in raw]
    _need(not missing, where, f"missing field(s) {', '.join(f'`{f}`' for f in missing)}")
    unknown = sorted(str(k) for k in raw if k not in FIELDS)
    _need(not unknown, where, f"unknown field(s) {', '.join(unknown)} (fields: {', '.join(FIELDS)})")
    desc = raw["desc"]
    _need(isinstance(desc, str) and bool(desc.strip()), where, "`desc` must say what feature and what is checked")
    _need(raw["stage"] in STAGES, where, f"unknown stage {raw['stage']!r} (stages: {', '.join(STAGES)})")
    names = _names(raw["tests"], where, "tests")
    for t in names:
        _need(t in tests, where, f"unknown test {t!r} (not in the test list's tests: {', '.join(sorted(tests))})")
    cps = _names(raw["coverpoints"], where, "coverpoints")
    expanded = [b for cp in cps for b in expand(cp, bins, where)]
    dup = sorted({b for b in expanded if expanded.count(b) > 1})
    _need(not dup, where, f"`coverpoints` names bin(s) {', '.join(dup)} twice (a coverpoint and one of its bins?)")
    return Testpoint(str(name), " ".join(desc.split()), str(raw["stage"]), names, cps, tuple(expanded))


def parse(text: str, path: Path, tests: Collection[str], bins: Collection[str]) -> Testplan:
    """Parse and validate testplan YAML text against test names and coverage bins (`path` names it in errors)."""
    file = _display(path)
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f" line {mark.line + 1}" if mark is not None else ""
        raise TestplanError(f"{file}:{at} invalid YAML: {getattr(exc, 'problem', None) or exc}") from None
    _need(isinstance(raw, dict) and set(raw) == {"testpoints"}, file,
          "expected one top-level key `testpoints` (a list of testpoints)")
    items = raw["testpoints"]
    _need(isinstance(items, list) and bool(items), file, "`testpoints` must be a non-empty list")
    points: list[Testpoint] = []
    seen: dict[str, int] = {}
    for i, item in enumerate(items):
        tp = _testpoint(i, item, file, tests, bins)
        _need(tp.name not in seen, f"{file}: testpoint {tp.name!r}",
              f"duplicate name (testpoints #{seen.get(tp.name, 0) + 1} and #{i + 1})")
        seen[tp.name] = i
        points.append(tp)
    return Testplan(path, tuple(points))


def load(path: Path | None = None, tests: Collection[str] | None = None,
         bins: Collection[str] | None = None) -> Testplan:
    """Load and validate a testplan (default verif/testplan.yaml) against `tests` (default: the test list's) and
    `bins` (default: defined_bins())."""
    p = Path(path) if path is not None else DEFAULT_PATH
    try:
        text = p.read_text()
    except OSError as exc:
        raise TestplanError(f"{_display(p)}: cannot read the testplan ({exc.strerror or exc})") from None
    return parse(text, p, known_tests() if tests is None else tests, defined_bins() if bins is None else bins)


# ---- status from a regression -----------------------------------------------------------------------------
@dataclass(frozen=True)
class TestTally:
    """The runs of one test in a regression (runs that never started are not counted)."""
    __test__ = False

    test: str
    runs: int
    passed: int
    failed: int

    @property
    def status(self) -> str:
        return NOT_RUN if self.runs == 0 else FAIL if self.failed else PASS


@dataclass(frozen=True)
class TestpointStatus:
    testpoint: Testpoint
    tests: tuple[TestTally, ...]
    hit: tuple[str, ...]
    holes: tuple[str, ...]                  # bins not hit (all of them when coverage was not collected)
    coverage_collected: bool
    status: str                             # PASS, PARTIAL, FAIL or NOT_RUN
    reason: str                             # what keeps it from passing ("" when it passes)


def tally(test: str, runs: Sequence[RunResult]) -> TestTally:
    mine = [r for r in runs if r.test == test and r.status != "not_run"]
    return TestTally(test, len(mine), sum(r.status == "pass" for r in mine), sum(r.failed for r in mine))


def bin_hits(func_cov: Mapping[str, Any] | None) -> Mapping[str, frozenset[str]] | None:
    """Per covergroup of coverage/functional/summary.json, its holes ("cp.bin"); None when not collected."""
    groups = func_cov.get("covergroups") if isinstance(func_cov, Mapping) else None
    if not isinstance(groups, Mapping):
        return None
    return {str(cg): frozenset(str(h) for h in d["holes"]) for cg, d in groups.items()
            if isinstance(d, Mapping) and isinstance(d.get("holes"), list)}


def _is_hit(b: str, holes: Mapping[str, frozenset[str]]) -> bool:
    """A bin is hit when its covergroup was merged and does not list it as a hole."""
    cg, rest = b.split(".", 1)
    return cg in holes and rest not in holes[cg]


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def testpoint_status(tp: Testpoint, runs: Sequence[RunResult],
                     holes_by_cg: Mapping[str, frozenset[str]] | None) -> TestpointStatus:
    tallies = tuple(tally(t, runs) for t in tp.tests)
    collected = holes_by_cg is not None
    hit = tuple(b for b in tp.bins if holes_by_cg is not None and _is_hit(b, holes_by_cg))
    holes = tuple(b for b in tp.bins if b not in hit)
    ran = [t for t in tallies if t.runs]
    failed = [t.test for t in tallies if t.failed]
    unrun = [t.test for t in tallies if not t.runs]
    if not ran:
        status, reason = NOT_RUN, "no test listed" if not tallies else f"{', '.join(unrun)} not run"
    elif failed:
        status, reason = FAIL, f"{', '.join(failed)} failed"
    else:
        why = ([f"{', '.join(unrun)} not run"] if unrun else []) + (
            [f"functional coverage not collected ({_plural(len(tp.bins), 'bin')} unknown)"] if tp.bins and not collected
            else [f"{_plural(len(holes), 'hole')}"] if holes else [])
        status, reason = (PARTIAL, "; ".join(why)) if why else (PASS, "")
    return TestpointStatus(tp, tallies, hit, holes, collected, status, reason)


def plan_status(plan: Testplan, runs: Sequence[RunResult],
                func_cov: Mapping[str, Any] | None) -> list[TestpointStatus]:
    """Each testpoint's status from a regression's run results and its merged functional coverage summary."""
    holes = bin_hits(func_cov)
    return [testpoint_status(tp, runs, holes) for tp in plan.testpoints]


def status_lines(rows: Sequence[TestpointStatus]) -> list[str]:
    """One line per testpoint: status, name, tests with pass/fail counts, bins hit/total and the holes."""
    w = max((len(r.testpoint.name) for r in rows), default=4)
    out = []
    for r in rows:
        tests = " ".join(f"{t.test}[{t.passed}/{t.runs}]" if t.runs else f"{t.test}[not run]" for t in r.tests)
        cov = f"{len(r.hit)}/{len(r.testpoint.bins)} bins" + (f", holes {' '.join(r.holes)}" if r.holes else "")
        out.append(f"{r.status:<8} {r.testpoint.name:<{w}}  tests {tests or '-'}; {cov}")
    return out


def main(argv: list[str] | None = None) -> int:
    """`python -m regress.testplan [OUT]`: validate the testplan; with OUT, print each testpoint's status."""
    from regress.report_data import ReportError
    from regress.report_data import load as load_regression
    from regress.testlist import TestListError
    p = argparse.ArgumentParser(prog="regress testplan", description="Validate the testplan; show its status.")
    p.add_argument("out", nargs="?", type=Path, help="a regression output directory: print the testplan status")
    p.add_argument("--testplan", type=Path, default=None, help=f"testplan (default {_display(DEFAULT_PATH)})")
    p.add_argument("--testlist", type=Path, default=None, help="test list (default regress/testlist.yaml)")
    args = p.parse_args(argv)
    try:
        plan = load(args.testplan, known_tests(args.testlist))
        print(f"testplan: {_display(plan.path)}: {_plural(len(plan.testpoints), 'testpoint')}, valid")
        if args.out is not None:
            reg = load_regression(args.out)
            print("\n".join(status_lines(plan_status(plan, [r.result for r in reg.runs], reg.func_cov))))
    except (TestplanError, TestListError, ReportError) as exc:
        print(f"regress testplan: {exc}", file=sys.stderr)
        return EXIT_USAGE
    return 0


if __name__ == "__main__":
    sys.exit(main())
