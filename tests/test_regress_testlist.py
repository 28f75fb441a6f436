"""regress/testlist.py: the shipped list parses; every malformed list stops with one line naming the problem."""
from __future__ import annotations

import random
import subprocess
import sys
from pathlib import Path

import pytest

from regress import runner
from regress.testlist import TestListError, describe, load, parse

REPO = Path(__file__).resolve().parents[1]
GOOD = """
build:
  toplevel: top
  filelists: [a.f]
  parameters: {P: 1}
  configs: {w64: {W: 64}, w128: {W: 128}}
tests:
  t1: {class: T1, module: m.one, configs: [w64, w128], reseeds: 2, knobs: {tokens: 8}, plusargs: [+x=1]}
  t2: {class: T2, module: m.two, configs: [w64], timeout: 5, slow: true}
suites:
  s: {tests: [t1, {test: t2, reseeds: 3}], reseed_multiplier: 2}
  r: {tests: [t1], seeds: random}
"""


def test_shipped_list() -> None:
    tl = load()
    smoke = tl.suite("smoke")
    runs = runner.plan(tl, smoke)
    assert [(s.cls, c.name, seed) for s, c, seed in runs] == [
        ("SmokeTest", "w64", 1), ("SmokeTest", "w128", 1), ("RandTest", "w128", 1), ("XFramingTest", "w64", 1),
        ("sc_smoke", "w128", 1), ("sc_logits_pause", "w128", 1), ("sc_errors", "w128", 1)]
    assert any(e.test.module == "verif.tests.errors" for e in smoke.entries), "smoke must run an error test"
    assert tl.configs["w64"].parameters == {"MAX_VOCAB": 4096, "AXI_DATA_W": 64}
    assert {"smoke", "nightly"} <= set(tl.suites)
    assert tl.tests["sc_smoke"].engine == "systemc" and tl.tests["smoke"].engine == "pyuvm"
    assert "sc_smoke" in {e.test.name for e in tl.suite("nightly").entries}
    for spec in tl.tests.values():       # every uvm class named in the list exists in its module
        if spec.engine != "pyuvm":
            continue
        assert f"class {spec.cls}(" in (REPO / (spec.module.replace(".", "/") + ".py")).read_text()


def test_parse_and_plan() -> None:
    tl = parse(GOOD)
    t1 = tl.tests["t1"]
    assert t1.all_plusargs() == ["+x=1", "+le_tokens=8"]
    assert tl.tests["t2"].timeout == 5.0
    assert tl.tests["t2"].slow and not t1.slow
    runs = runner.plan(tl, tl.suite("s"))
    assert len(runs) == 2 * 2 * 2 + 1 * 3 * 2
    assert [s for t, c, s in runs if t.name == "t2"] == [1, 2, 3, 4, 5, 6]
    assert len(runner.plan(tl, tl.suite("s"), reseed=1)) == 3
    assert {s for _, _, s in runner.plan(tl, tl.suite("s"), seed=77)} == {77}
    only = runner.plan(tl, tl.suite("s"), test="T2", reseed=1)
    assert [(t.name, c.name) for t, c, _ in only] == [("t2", "w64")]
    rnd = runner.plan(tl, tl.suite("r"), rng=random.Random(3))
    assert len(rnd) == 4 and all(1 <= s < 2**31 for *_, s in rnd)


def test_every_run_gets_its_own_seeds(tmp_path) -> None:
    """dvsim once gave every run the same seed: here each reseed of a test has its own master seed, and each
    master seed its own derived seeds, on the command line of its run."""
    from verif.seeds import Seeds
    tl = parse(GOOD)
    for rng in (random.Random(5), _Repeating()):
        runs = runner.plan(tl, tl.suite("r"), reseed=50, rng=rng)
        per_config: dict[str, list[int]] = {}
        for _, cfg, s in runs:
            per_config.setdefault(cfg.name, []).append(s)
        assert all(len(set(v)) == len(v) == 50 for v in per_config.values())
    jobs = runner.prepare(runs[:50], tmp_path, runner.sim_command, {}, {})
    assert len({j.result.command[j.result.command.index("--seed") + 1] for j in jobs}) == 50
    assert len({Seeds(j.seed).verilator for j in jobs}) == len({Seeds(j.seed).python for j in jobs}) == 50


class _Repeating(random.Random):
    """An RNG that repeats every value once (a collision the planner must step over)."""

    def __init__(self) -> None:
        super().__init__(9)
        self._last: int | None = None

    def randrange(self, *args: int) -> int:          # type: ignore[override]
        if self._last is None:
            self._last = super().randrange(*args)
            return self._last
        value, self._last = self._last, None
        return value


@pytest.mark.parametrize("text, needle", [
    ("build: [", "invalid YAML"),
    ("- 1", "expected a mapping"),
    (GOOD.replace("suites:", "suitez:"), "unknown key(s) ['suitez']"),
    (GOOD.replace("class: T2, ", ""), "tests.t2: missing key(s) ['class']"),
    (GOOD.replace("configs: [w64], timeout", "configs: [w32], timeout"), "unknown configuration 'w32'"),
    (GOOD.replace("reseeds: 2", "reseeds: 0"), "tests.t1.reseeds: expected an integer >= 1"),
    (GOOD.replace("timeout: 5", "timeout: -1"), "tests.t2.timeout"),
    (GOOD.replace("[+x=1]", "[x=1]"), "does not start with '+'"),
    (GOOD.replace("tests: [t1, {", "tests: [t9, {"), "suites.s.tests[0]: unknown test 't9'"),
    (GOOD.replace("{test: t2, reseeds: 3}", "{test: t2, configs: [w128]}"), "test 't2' does not run on 'w128'"),
    (GOOD.replace("seeds: random", "seeds: often"), "expected fixed or random"),
    (GOOD.replace("knobs: {tokens: 8}", "knobs: {tokens: [8]}"), "values must be scalars"),
    (GOOD.replace("slow: true", "slow: yes please"), "tests.t2.slow: expected true or false"),
    (GOOD.replace("slow: true", "engine: verilog"), "tests.t2.engine: expected one of pyuvm, systemc, got 'verilog'"),
    (GOOD.replace("class: T2, module: m.two, ", ""), "tests.t2: missing key(s) ['class', 'module']"),
    (GOOD.replace("knobs: {tokens: 8}", "engine: systemc, knobs: {perf_case: x}"),
     "tests.t1.knobs: knob(s) ['perf_case'] not supported by the systemc engine"),
])
def test_malformed(text: str, needle: str) -> None:
    with pytest.raises(TestListError) as info:
        parse(text)
    msg = str(info.value)
    assert needle in msg and "\n" not in msg


def test_engine_key_and_dispatch(tmp_path: Path) -> None:
    """engine: systemc needs no class/module; its runs execute regress.scrun with the test, config, seed, run
    directory and the knobs as plusargs; pyuvm stays the default and runs regress.simrun."""
    text = GOOD.replace("class: T2, module: m.two, ", "engine: systemc, ").replace("slow: true", "knobs: {tokens: 2}")
    tl = parse(text)
    t2 = tl.tests["t2"]
    assert (t2.engine, t2.cls, t2.module) == ("systemc", "t2", "regress.scrun")
    assert tl.tests["t1"].engine == "pyuvm"
    sc = runner.Job(t2, tl.configs["w64"], 7, tmp_path / "r")
    cmd, env = runner.sim_command(sc, Path("/some/build"))
    assert cmd[1:] == ["-m", "regress.scrun", "--test", "t2", "--config", "w64", "--seed", "7", "--out",
                       str(tmp_path / "r"), "--param", "P=1", "--param", "W=64", "--plusarg", "+le_tokens=2"]
    assert env == {}
    uvm, _ = runner.sim_command(runner.Job(tl.tests["t1"], tl.configs["w64"], 7, tmp_path / "u"), None)
    assert uvm[1:3] == ["-m", "regress.simrun"]
    assert any(line.startswith("  t2: [systemc] ") for line in describe(tl))
    assert any(line.startswith("  t1: [pyuvm] ") for line in describe(tl))


def test_unknown_names() -> None:
    tl = parse(GOOD)
    with pytest.raises(TestListError, match="unknown suite 'x'"):
        tl.suite("x")
    with pytest.raises(TestListError, match="unknown test 'x'"):
        tl.test("x")


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "regress", *args], cwd=REPO, capture_output=True, text=True)


def test_cli_errors_one_line(tmp_path: Path) -> None:
    for args in (["run", "nosuch"], ["run", "smoke", "--test", "nosuch"]):
        p = _cli(*args)
        assert p.returncode == 2 and len(p.stderr.strip().splitlines()) == 1, p.stderr
    bad = tmp_path / "bad.yaml"
    bad.write_text("build: {toplevel: x}\n")
    p = _cli("--testlist", str(bad), "list")
    assert p.returncode == 2 and p.stderr.count("\n") == 1 and "bad.yaml" in p.stderr
    p = _cli("--testlist", str(tmp_path / "missing.yaml"), "list")
    assert p.returncode == 2 and "cannot read" in p.stderr
    p = _cli("list")
    assert p.returncode == 0 and "smoke:" in p.stdout and "SmokeTest" in p.stdout
    assert "sc_smoke: [systemc] " in p.stdout


@pytest.mark.parametrize("args, needle", [
    (["--seed", "-5"], "seed '-5': must be in [0, 2^63)"),
    (["--seed", "abc"], "seed 'abc': not an integer"),
    (["--seed", str(2**63)], "must be in [0, 2^63)"),
    (["-j", "0"], "-j and --reseed must be >= 1"),
    (["--reseed", "0"], "-j and --reseed must be >= 1"),
    (["--bogus"], "unrecognized arguments: --bogus"),
])
def test_cli_values_checked_first(tmp_path: Path, args: list[str], needle: str) -> None:
    """Bad values: one line naming the rule, exit 2, before any build, no output folder."""
    out = tmp_path / "out"
    p = _cli("run", "smoke", *args, "--out", str(out))
    assert p.returncode == 2 and len(p.stderr.strip().splitlines()) == 1 and needle in p.stderr, p.stderr
    assert not out.exists() and not p.stdout


def test_seed_formats() -> None:
    from regress.cli import seed_arg
    assert seed_arg("0x10") == 16 and seed_arg("17") == 17 and seed_arg(str(2**63 - 1)) == 2**63 - 1


def test_shipped_classes_exist() -> None:
    from regress.testlist import check_importable
    check_importable(load().tests.values())


@pytest.mark.parametrize("field, value, needle", [
    ("class", "NoSuchTest", "tests.smoke.class: verif.tests.smoke ("),
    ("module", "verif.tests.nosuch", "tests.smoke.module: no Python module 'verif.tests.nosuch'"),
    ("module", "nosuchpkg.tests", "tests.smoke.module: no Python module 'nosuchpkg.tests'"),
])
def test_wrong_class_or_module_stops_before_build(tmp_path: Path, field: str, value: str, needle: str) -> None:
    text = (REPO / "regress" / "testlist.yaml").read_text()
    good = {"class": "class: SmokeTest", "module": "module: verif.tests.smoke"}[field]
    assert good in text
    bad = tmp_path / "testlist.yaml"
    bad.write_text(text.replace(good, f"{field}: {value}", 1))
    out = tmp_path / "out"
    p = _cli("--testlist", str(bad), "run", "smoke", "--out", str(out))
    assert p.returncode == 2 and len(p.stderr.strip().splitlines()) == 1 and needle in p.stderr, p.stderr
    assert not out.exists() and "build" not in p.stdout
