"""The regression test list (regress/testlist.yaml): build configurations, tests and suites.

    tl = load()                       # or load(path)
    tl.suite("smoke").entries         # [(TestSpec, configs, reseeds), ...]

Any problem (bad YAML, a missing key, a wrong type, an unknown test, configuration, suite or key) raises
TestListError whose str() is ONE line naming the file and the place; the CLI prints it and exits 2.
"""
from __future__ import annotations

import ast
import importlib.util
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

import yaml

DEFAULT_PATH = Path(__file__).resolve().with_name("testlist.yaml")
NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_\-]*$")
TEST_KEYS = {"class", "module", "configs", "reseeds", "plusargs", "knobs", "timeout", "slow", "engine"}
ENGINES = ("pyuvm", "systemc")
# what regress.scrun understands (regress/sccase.py)
SC_KNOBS = {"bundle", "tokens", "case", "errors", "max_vocab", "mem_pages", "case_file", "logits_pause"}
SC_MODULE = "regress.scrun"
SUITE_KEYS = {"tests", "reseed_multiplier", "seeds"}
ENTRY_KEYS = {"test", "configs", "reseeds"}
BUILD_KEYS = {"toplevel", "filelists", "parameters", "x_random", "configs"}
COVERAGE_KEYS = {"gate"}
GATE_KEYS = ("line", "toggle", "branch", "functional")


class OneLineError(ValueError):
    """A user error the CLI prints as one line and exits 2 on (whitespace in the message folded)."""

    __test__ = False          # not a pytest class

    def __init__(self, message: str) -> None:
        super().__init__(" ".join(message.split()))


class TestListError(OneLineError):
    """A malformed test list or an unknown name."""


@dataclass(frozen=True)
class BuildConfig:
    name: str
    toplevel: str
    filelists: tuple[str, ...]
    parameters: dict[str, Any]
    x_random: bool
    coverage: bool = False      # `regress run --cov`: Verilator code coverage build (eda.simbuild.COVERAGE_ARGS)


@dataclass(frozen=True)
class TestSpec:
    __test__ = False

    name: str
    cls: str
    module: str
    configs: tuple[str, ...]
    reseeds: int
    plusargs: tuple[str, ...] = ()
    knobs: dict[str, Any] = field(default_factory=dict)
    timeout: float = 600.0
    slow: bool = False          # pytest runs it only with the slow marker (tests/rtl/test_uvm_testlist.py)
    engine: str = "pyuvm"       # pyuvm: regress.simrun (cocotb + pyuvm env); systemc: regress.scrun (verif/sc)

    def all_plusargs(self) -> list[str]:
        """The test's plusargs, then one +le_<knob>=<value> per knob."""
        return [*self.plusargs, *(f"+le_{k}={v}" for k, v in sorted(self.knobs.items()))]


@dataclass(frozen=True)
class SuiteEntry:
    test: TestSpec
    configs: tuple[str, ...]
    reseeds: int


@dataclass(frozen=True)
class Suite:
    name: str
    entries: tuple[SuiteEntry, ...]
    reseed_multiplier: int
    random_seeds: bool


@dataclass(frozen=True)
class TestList:
    __test__ = False

    path: Path
    configs: dict[str, BuildConfig]
    tests: dict[str, TestSpec]
    suites: dict[str, Suite]
    cov_gate: dict[str, float] = field(default_factory=dict)   # coverage.gate: metric -> minimum percent

    def suite(self, name: str) -> Suite:
        if name not in self.suites:
            raise TestListError(f"unknown suite {name!r} (known: {', '.join(self.suites)})")
        return self.suites[name]

    def test(self, name: str) -> TestSpec:
        """A test by its list name or by its uvm class name."""
        if name in self.tests:
            return self.tests[name]
        for spec in self.tests.values():
            if spec.cls == name:
                return spec
        raise TestListError(f"unknown test {name!r} (known: {', '.join(self.tests)})")


def _need(cond: bool, where: str, what: str) -> None:
    if not cond:
        raise TestListError(f"{where}: {what}")


def _mapping(value: Any, where: str) -> dict[str, Any]:
    _need(isinstance(value, dict), where, f"expected a mapping, got {type(value).__name__}")
    return cast(dict[str, Any], value)


def _keys(value: dict[str, Any], allowed: set[str], required: set[str], where: str) -> None:
    unknown = sorted(set(value) - allowed)
    _need(not unknown, where, f"unknown key(s) {unknown} (allowed: {sorted(allowed)})")
    missing = sorted(required - set(value))
    _need(not missing, where, f"missing key(s) {missing}")


def _str_list(value: Any, where: str) -> tuple[str, ...]:
    _need(isinstance(value, list) and all(isinstance(v, str) for v in value), where, "expected a list of strings")
    return tuple(value)


def _pos_int(value: Any, where: str) -> int:
    _need(isinstance(value, int) and not isinstance(value, bool) and value >= 1, where,
          f"expected an integer >= 1, got {value!r}")
    return int(value)


def _scalar_map(value: Any, where: str) -> dict[str, Any]:
    m = _mapping(value, where)
    bad = [k for k, v in m.items() if not isinstance(k, str) or not isinstance(v, (str, int, float, bool))]
    _need(not bad, where, f"values must be scalars (bad: {bad})")
    return dict(m)


def _configs(raw: dict[str, Any], where: str) -> dict[str, BuildConfig]:
    _keys(raw, BUILD_KEYS, {"toplevel", "filelists", "configs"}, where)
    toplevel = raw["toplevel"]
    _need(isinstance(toplevel, str) and bool(toplevel), f"{where}.toplevel", "expected a name")
    filelists = _str_list(raw["filelists"], f"{where}.filelists")
    common = _scalar_map(raw.get("parameters", {}), f"{where}.parameters")
    x_random = raw.get("x_random", False)
    _need(isinstance(x_random, bool), f"{where}.x_random", "expected true or false")
    configs = _mapping(raw["configs"], f"{where}.configs")
    _need(bool(configs), f"{where}.configs", "no configurations")
    out: dict[str, BuildConfig] = {}
    for name, params in configs.items():
        _need(isinstance(name, str) and bool(NAME_RE.match(name)), f"{where}.configs", f"bad name {name!r}")
        own = _scalar_map(params or {}, f"{where}.configs.{name}")
        out[name] = BuildConfig(name, toplevel, filelists, {**common, **own}, x_random)
    return out


def _test(name: str, raw: Any, configs: dict[str, BuildConfig], where: str) -> TestSpec:
    raw = _mapping(raw, where)
    engine = raw.get("engine", "pyuvm")
    _need(engine in ENGINES, f"{where}.engine", f"expected one of {', '.join(ENGINES)}, got {engine!r}")
    # a systemc test has no uvm class: its name names the testcase of results.xml, regress.scrun runs it
    _keys(raw, TEST_KEYS, {"configs"} | ({"class", "module"} if engine == "pyuvm" else set()), where)
    if engine == "systemc":
        raw = {"class": name, "module": SC_MODULE, **raw}
    for key in ("class", "module"):
        _need(isinstance(raw[key], str) and bool(raw[key]), f"{where}.{key}", "expected a non-empty string")
    cfgs = _str_list(raw["configs"], f"{where}.configs")
    _need(bool(cfgs), f"{where}.configs", "no configurations")
    for c in cfgs:
        _need(c in configs, f"{where}.configs", f"unknown configuration {c!r} (known: {', '.join(configs)})")
    timeout = raw.get("timeout", 600)
    _need(isinstance(timeout, (int, float)) and not isinstance(timeout, bool) and timeout > 0,
          f"{where}.timeout", f"expected seconds > 0, got {timeout!r}")
    plusargs = _str_list(raw.get("plusargs", []), f"{where}.plusargs")
    for p in plusargs:
        _need(p.startswith("+"), f"{where}.plusargs", f"{p!r} does not start with '+'")
    slow = raw.get("slow", False)
    _need(isinstance(slow, bool), f"{where}.slow", f"expected true or false, got {slow!r}")
    knobs = _scalar_map(raw.get("knobs", {}), f"{where}.knobs")
    if engine == "systemc":
        bad = sorted(set(knobs) - SC_KNOBS)
        _need(not bad, f"{where}.knobs", f"knob(s) {bad} not supported by the systemc engine "
                                         f"(supported: {sorted(SC_KNOBS)})")
    return TestSpec(name, raw["class"], raw["module"], cfgs, _pos_int(raw.get("reseeds", 1), f"{where}.reseeds"),
                    plusargs, knobs, float(timeout), slow, engine)


def _suite(name: str, raw: Any, tests: dict[str, TestSpec], where: str) -> Suite:
    raw = _mapping(raw, where)
    _keys(raw, SUITE_KEYS, {"tests"}, where)
    items = raw["tests"]
    _need(isinstance(items, list) and bool(items), f"{where}.tests", "expected a non-empty list")
    entries: list[SuiteEntry] = []
    for i, item in enumerate(items):
        at = f"{where}.tests[{i}]"
        if isinstance(item, str):
            item = {"test": item}
        item = _mapping(item, at)
        _keys(item, ENTRY_KEYS, {"test"}, at)
        _need(item["test"] in tests, at, f"unknown test {item['test']!r} (known: {', '.join(tests)})")
        spec = tests[item["test"]]
        cfgs = _str_list(item.get("configs", list(spec.configs)), f"{at}.configs")
        for c in cfgs:
            _need(c in spec.configs, f"{at}.configs", f"test {spec.name!r} does not run on {c!r}")
        entries.append(SuiteEntry(spec, cfgs, _pos_int(item.get("reseeds", spec.reseeds), f"{at}.reseeds")))
    seeds = raw.get("seeds", "fixed")
    _need(seeds in ("fixed", "random"), f"{where}.seeds", f"expected fixed or random, got {seeds!r}")
    return Suite(name, tuple(entries), _pos_int(raw.get("reseed_multiplier", 1), f"{where}.reseed_multiplier"),
                 seeds == "random")


def _cov_gate(raw: Any, where: str) -> dict[str, float]:
    """coverage: {gate: {line: %, toggle: %, branch: %, functional: %}} (every metric optional)."""
    raw = _mapping(raw, where)
    _keys(raw, COVERAGE_KEYS, set(), where)
    gate = _mapping(raw.get("gate", {}), f"{where}.gate")
    _keys(gate, set(GATE_KEYS), set(), f"{where}.gate")
    for k, v in gate.items():
        _need(isinstance(v, (int, float)) and not isinstance(v, bool) and 0 <= v <= 100, f"{where}.gate.{k}",
              f"expected a percentage 0..100, got {v!r}")
    return {k: float(gate[k]) for k in GATE_KEYS if k in gate}


def parse(text: str, path: Path = DEFAULT_PATH) -> TestList:
    """Parse and validate test-list YAML text (`path` only names it in messages)."""
    where = path.name
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f" line {mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise TestListError(f"{where}:{at} invalid YAML: {problem}") from None
    raw = _mapping(raw, where)
    _keys(raw, {"build", "tests", "suites", "coverage"}, {"build", "tests", "suites"}, where)
    configs = _configs(_mapping(raw["build"], f"{where}: build"), f"{where}: build")
    tests: dict[str, TestSpec] = {}
    for name, spec in _mapping(raw["tests"], f"{where}: tests").items():
        _need(isinstance(name, str) and bool(NAME_RE.match(name)), f"{where}: tests", f"bad test name {name!r}")
        tests[name] = _test(name, spec, configs, f"{where}: tests.{name}")
    suites = {name: _suite(name, s, tests, f"{where}: suites.{name}")
              for name, s in _mapping(raw["suites"], f"{where}: suites").items()}
    gate = _cov_gate(raw.get("coverage", {}), f"{where}: coverage")
    return TestList(path, configs, tests, suites, gate)


def load(path: Path | str | None = None) -> TestList:
    p = Path(path) if path is not None else DEFAULT_PATH
    try:
        text = p.read_text()
    except OSError as exc:
        raise TestListError(f"{p}: cannot read the test list ({exc.strerror or exc})") from None
    return parse(text, p)


def describe(tl: TestList) -> list[str]:
    """`regress list`: the suites, then one line per test."""
    lines = ["suites:"]
    for s in tl.suites.values():
        runs = sum(len(e.configs) * e.reseeds * s.reseed_multiplier for e in s.entries)
        names = ", ".join(f"{e.test.name}[{'/'.join(e.configs)} x{e.reseeds * s.reseed_multiplier}]" for e in s.entries)
        lines.append(f"  {s.name}: {runs} runs, {'random' if s.random_seeds else 'fixed'} seeds: {names}")
    lines.append("tests:")
    for t in tl.tests.values():
        extra = " ".join(t.all_plusargs())
        lines.append(f"  {t.name}: [{t.engine}] {t.module}.{t.cls} on {', '.join(t.configs)}, reseeds {t.reseeds}, "
                     f"timeout {t.timeout:g}s{' ' + extra if extra else ''}")
    lines.append("configs:")
    for c in tl.configs.values():
        params = ", ".join(f"{k}={v}" for k, v in c.parameters.items())
        lines.append(f"  {c.name}: {c.toplevel} {params}{' x-random' if c.x_random else ''}")
    return lines


def _defines(tree: ast.Module, name: str) -> bool:
    """True when a module's top level defines or imports `name` (a class, an assignment or an import alias)."""
    for node in tree.body:
        if isinstance(node, ast.ClassDef) and node.name == name:
            return True
        if isinstance(node, (ast.Import, ast.ImportFrom)) and any((a.asname or a.name) == name for a in node.names):
            return True
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == name for t in node.targets):
            return True
    return False


def check_importable(tests: Iterable[TestSpec]) -> None:
    """Every pyuvm test's `module:` is found and defines its `class:`, checked by reading the source (nothing is
    imported, nothing runs): a wrong name stops `regress run` before any build with one line."""
    for t in tests:
        if t.engine != "pyuvm":
            continue
        where = f"tests.{t.name}"
        try:
            spec = importlib.util.find_spec(t.module)
        except (ImportError, ValueError):
            spec = None
        if spec is None or spec.origin is None or not spec.origin.endswith(".py"):
            raise TestListError(f"{where}.module: no Python module {t.module!r} on the path")
        try:
            tree = ast.parse(Path(spec.origin).read_text(encoding="utf-8"), spec.origin)
        except (OSError, SyntaxError) as exc:
            raise TestListError(f"{where}.module: {spec.origin} cannot be read ({exc})") from None
        _need(_defines(tree, t.cls), f"{where}.class", f"{t.module} ({spec.origin}) defines no {t.cls!r}")
