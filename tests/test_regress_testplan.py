"""regress/testplan.py and the dashboard's Testplan section: every validation error as one line naming the file and
the testpoint, the status of a testpoint from hand-made run results and coverage summaries, the real testplan
against the real test list and covergroups, and the section on a fabricated regression (html and Chromium)."""
from __future__ import annotations

import json
import re
import shutil
import subprocess
from html import unescape
from pathlib import Path

import pytest
from report_fixtures import _result, parse

from models.driver import ErrorCode
from regress import report
from regress import testplan as tp
from regress.results import RunResult, write_json
from regress.testlist import load as load_testlist

TESTS = frozenset({"smoke", "rand", "axi_error"})
BINS = ("cfg.seq.len1", "cfg.seq.short", "cfg.seq.max", "axi_burst.rd_len.1", "datapath.softmax_single.seen")
BASE = """testpoints:
  - name: softmax
    desc: softmax over one position
    stage: V1
    tests: [smoke, rand]
    coverpoints: [cfg.seq.len1, datapath.softmax_single.seen]
  - name: bursts
    desc: read bursts
    stage: V2
    tests: [rand]
    coverpoints: [axi_burst.rd_len.1]
"""


def parse_plan(text: str, path: Path = Path("/x/plan.yaml")) -> tp.Testplan:
    return tp.parse(text, path, TESTS, BINS)


def one_line_error(text: str) -> str:
    with pytest.raises(tp.TestplanError) as info:
        parse_plan(text)
    msg = str(info.value)
    assert "\n" not in msg and msg.startswith("/x/plan.yaml"), msg
    return msg


# ---- validation -------------------------------------------------------------------------------------------
def test_base_plan_is_valid() -> None:
    plan = parse_plan(BASE)
    assert [t.name for t in plan.testpoints] == ["softmax", "bursts"]
    assert plan.testpoints[0].tests == ("smoke", "rand") and plan.testpoints[1].stage == "V2"
    assert plan.testpoints[0].bins == ("cfg.seq.len1", "datapath.softmax_single.seen")


def test_a_coverpoint_stands_for_its_bins_in_order() -> None:
    plan = parse_plan(BASE.replace("[cfg.seq.len1, datapath", "[cfg.seq, datapath"))
    assert plan.testpoints[0].bins == ("cfg.seq.len1", "cfg.seq.short", "cfg.seq.max", "datapath.softmax_single.seen")
    assert plan.testpoints[0].coverpoints == ("cfg.seq", "datapath.softmax_single.seen")


PLANTED = [
    ("tests: [smoke, rand]", "tests: [smoke, rnd]", ("testpoint 'softmax': unknown test 'rnd' (not in the test list's "
                                                     "tests: axi_error, rand, smoke)")),
    ("cfg.seq.len1, datapath", "cfg.seq.len2, datapath", ("testpoint 'softmax': unknown coverpoint 'cfg.seq.len2' "
                                                          "(cfg.seq has bins: len1, short, max)")),
    ("cfg.seq.len1, datapath", "cfg.sq, datapath", ("testpoint 'softmax': unknown coverpoint 'cfg.sq' (covergroup cfg "
                                                    "has: seq)")),
    ("cfg.seq.len1, datapath", "cgf.seq.len1, datapath", ("unknown coverpoint 'cgf.seq.len1' (covergroups: cfg, "
                                                          "axi_burst, datapath)")),
    ("cfg.seq.len1, datapath", "cfg.seq, cfg.seq.len1, datapath", ("testpoint 'softmax': `coverpoints` names bin(s) "
                                                                   "cfg.seq.len1 twice")),
    ("  - name: bursts", "  - name: softmax", "testpoint 'softmax': duplicate name (testpoints #1 and #2)"),
    ("    desc: read bursts\n", "", "testpoint 'bursts': missing field(s) `desc`"),
    ("    tests: [rand]\n    coverpoints: [axi_burst.rd_len.1]\n", "", ("testpoint 'bursts': missing field(s) `tests`, "
                                                                         "`coverpoints`")),
    ("  - name: bursts\n", "  - nme: bursts\n", "testpoint #2: missing field `name`"),
    ("  - name: bursts", "  - name: 2bursts", "testpoint #2: bad name '2bursts'"),
    ("    stage: V2", "    stage: V2\n    owner: me", "testpoint 'bursts': unknown field(s) owner"),
    ("    stage: V2", "    stage: V4", "testpoint 'bursts': unknown stage 'V4' (stages: V1, V2, V3)"),
    ("desc: read bursts", "desc: ' '", "testpoint 'bursts': `desc` must say what feature"),
    ("tests: [rand]", "tests: rand", "testpoint 'bursts': `tests` must be a list of names, got 'rand'"),
    ("tests: [rand]", "tests: [rand, rand]", "testpoint 'bursts': `tests` lists rand more than once"),
    ("coverpoints: [axi_burst.rd_len.1]", "coverpoints: [3]", "testpoint 'bursts': `coverpoints` must be a list"),
    ("  - name: bursts", "  - just a string\n  - name: bursts", "testpoint #2: expected a mapping"),
    ("testpoints:", "testpoint:", "expected one top-level key `testpoints`"),
    ("tests: [rand]\n", "tests: [rand\n", "line 11 invalid YAML"),
]


@pytest.mark.parametrize("old,new,message", PLANTED, ids=[p[2][:40] for p in PLANTED])
def test_each_planted_error_is_one_line(old: str, new: str, message: str) -> None:
    assert old in BASE
    assert message in one_line_error(BASE.replace(old, new, 1))


def test_empty_plan_and_unreadable_file(tmp_path: Path) -> None:
    assert "`testpoints` must be a non-empty list" in one_line_error("testpoints: []\n")
    with pytest.raises(tp.TestplanError, match=r"^/\S+/nope.yaml: cannot read the testplan"):
        tp.load(tmp_path / "nope.yaml", TESTS, BINS)


def test_cli_exits_2_with_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    plan = tmp_path / "plan.yaml"
    plan.write_text(BASE.replace("tests: [rand]", "tests: [rand, nightly_only]"))
    assert tp.main(["--testplan", str(plan)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith(f"regress testplan: {plan}: testpoint 'bursts': unknown test "
                                                   "'nightly_only'")
    plan.write_text(BASE)
    assert tp.main(["--testplan", str(plan)]) == 0
    assert f"testplan: {plan}: 2 testpoints, valid" in capsys.readouterr().out


# ---- the real files ---------------------------------------------------------------------------------------
def test_defined_bins_are_the_merged_coverage_names() -> None:
    bins = tp.defined_bins()
    assert {"cfg.seq.len1", "datapath.softmax_single.seen", "axi_burst.rd_len.16_255", "cfg.seq_x_ctx.<max,many>",
            "axi_token.bp_b.seen"} <= set(bins)
    assert "cfg.seq_x_ctx.<len1,one>" not in bins                # an ignore bin of the cross
    assert len(bins) == len(set(bins)) and all(b.count(".") == 2 for b in bins)


def test_real_testplan_validates_against_the_test_list() -> None:
    """Fails until regress/testlist.yaml has every test the testplan names (x_framing, start_while_busy, bundles)."""
    plan = tp.load()
    tests = set(load_testlist().tests)
    listed = {t for p in plan.testpoints for t in p.tests}
    assert listed == tests, f"tests in no testpoint: {sorted(tests - listed)}"
    assert set(tp.defined_bins()) == {b for p in plan.testpoints for b in p.bins}, "a bin no testpoint claims"
    for code in ErrorCode:
        if code is not ErrorCode.OK:
            claim = [p for p in plan.testpoints if f"ERR_CODE {int(code)} {code.name}" in p.desc and p.tests]
            assert claim, f"no testpoint with a test for {code.name}"


# ---- status -----------------------------------------------------------------------------------------------
def run(test: str, status: str, seed: int = 1) -> RunResult:
    return RunResult(f"{test}.w64.s{seed}", test, "T", "w64", seed, "", "", [], status=status)


def cov(**holes: list[str]) -> dict[str, object]:
    """A functional summary.json with the covergroups cfg, axi_burst and datapath (holes given per group)."""
    groups = {cg: {"pct": 50.0, "holes": holes.get(cg, [])} for cg in ("cfg", "axi_burst", "datapath")}
    return {"runs": 2, "total_pct": 50.0, "covergroups": groups}


def statuses(runs: list[RunResult], func: dict[str, object] | None, text: str = BASE) -> dict[str, tp.TestpointStatus]:
    return {s.testpoint.name: s for s in tp.plan_status(parse_plan(text), runs, func)}


def test_pass_needs_every_test_passed_and_every_bin_hit() -> None:
    s = statuses([run("smoke", "pass"), run("rand", "pass"), run("rand", "pass", 2)], cov())
    assert s["softmax"].status == tp.PASS and s["softmax"].reason == ""
    assert [(t.test, t.runs, t.passed, t.failed) for t in s["softmax"].tests] == [("smoke", 1, 1, 0), ("rand", 2, 2, 0)]
    assert s["softmax"].hit == ("cfg.seq.len1", "datapath.softmax_single.seen") and s["softmax"].holes == ()


def test_a_failed_run_fails_the_testpoint() -> None:
    for bad in ("fail", "crash", "timeout"):
        s = statuses([run("smoke", "pass"), run("rand", "pass"), run("rand", bad, 2)], cov())
        assert s["softmax"].status == s["bursts"].status == tp.FAIL, bad
        assert s["bursts"].reason == "rand failed" and s["bursts"].tests[0].failed == 1


def test_holes_and_tests_not_run_are_partial() -> None:
    s = statuses([run("smoke", "pass"), run("rand", "pass")], cov(cfg=["seq.len1"]))
    assert s["softmax"].status == tp.PARTIAL and s["softmax"].holes == ("cfg.seq.len1",)
    assert s["softmax"].reason == "1 hole" and s["bursts"].status == tp.PASS
    s = statuses([run("rand", "pass")], cov())
    assert s["softmax"].status == tp.PARTIAL and s["softmax"].reason == "smoke not run"
    assert s["softmax"].tests[0].status == tp.NOT_RUN and s["softmax"].tests[1].status == tp.PASS


def test_a_covergroup_missing_from_the_summary_is_not_hit() -> None:
    func = cov()
    del func["covergroups"]["datapath"]                       # type: ignore[attr-defined]
    s = statuses([run("smoke", "pass"), run("rand", "pass")], func)
    assert s["softmax"].holes == ("datapath.softmax_single.seen",) and s["softmax"].status == tp.PARTIAL


def test_coverage_not_collected() -> None:
    text = BASE.replace("coverpoints: [axi_burst.rd_len.1]", "coverpoints: []")
    s = statuses([run("smoke", "pass"), run("rand", "pass")], None, text)
    assert s["softmax"].status == tp.PARTIAL and not s["softmax"].coverage_collected
    assert s["softmax"].reason == "functional coverage not collected (2 bins unknown)"
    assert s["bursts"].status == tp.PASS                     # no bins to prove: its tests decide


def test_a_subset_regression_leaves_untouched_testpoints_not_run() -> None:
    text = BASE + "  - name: later\n    desc: no test yet\n    stage: V3\n    tests: []\n    coverpoints: []\n"
    s = statuses([run("smoke", "pass"), run("rand", "not_run")], cov(cfg=["seq.len1"]), text)
    assert s["bursts"].status == tp.NOT_RUN and s["bursts"].reason == "rand not run"
    assert s["bursts"].tests[0].runs == 0                     # a run that never started is not a run
    assert s["softmax"].status == tp.PARTIAL
    assert s["later"].status == tp.NOT_RUN and s["later"].reason == "no test listed"


def test_status_lines() -> None:
    rows = tp.plan_status(parse_plan(BASE), [run("smoke", "pass"), run("rand", "fail")], cov(cfg=["seq.len1"]))
    assert tp.status_lines(rows) == [
        "fail     softmax  tests smoke[1/1] rand[0/1]; 1/2 bins, holes cfg.seq.len1",
        "fail     bursts   tests rand[0/1]; 1/1 bins"]


# ---- the dashboard ----------------------------------------------------------------------------------------
DASH_PLAN = """testpoints:
  - name: tp_pass
    desc: passes <b>bold</b>
    stage: V1
    tests: [smoke]
    coverpoints: [cfg.seq.len1]
  - name: tp_fail
    desc: a failing test
    stage: V1
    tests: [smoke, rand]
    coverpoints: []
  - name: tp_partial
    desc: a hole
    stage: V2
    tests: [smoke]
    coverpoints: [cfg.seq.len1, axi_burst.rd_len.256]
  - name: tp_untouched
    desc: a test this regression did not run
    stage: V2
    tests: [axi_error]
    coverpoints: [axi_burst.rd_len.1]
"""


def fabricated(root: Path, plan_text: str = DASH_PLAN) -> tuple[Path, Path]:
    """A regression of smoke (2 passes) and rand (a pass, a fail) with a functional summary, and a testplan."""
    out = root / "nightly-20260101-000000"
    out.mkdir(parents=True)
    runs = [_result(out, "smoke.w64.s1", "pass", 1), _result(out, "smoke.w128.s1", "pass", 1),
            _result(out, "rand.w64.s2", "pass", 2), _result(out, "rand.w128.s3", "fail", 3, kind="AssertionError",
                                                            message="logit 3 mismatch")]
    meta = {"suite": "nightly", "started": "2026-01-01T00:00:00", "out": str(out)}
    (out / "regress.json").write_text(json.dumps(meta))
    write_json(runs, out / "results.json", {**meta, "wall_s": 1.0, "interrupted": False})
    (out / "coverage" / "functional").mkdir(parents=True)
    (out / "coverage" / "functional" / "summary.json").write_text(json.dumps(
        {"runs": 4, "total_pct": 50.0, "covergroups": {"cfg": {"pct": 90.0, "holes": ["seq.max"]},
                                                       "axi_burst": {"pct": 50.0, "holes": ["rd_len.256"]}}}))
    plan = root / "testplan.yaml"
    plan.write_text(plan_text)
    return out, plan


def tp_row(html: str, name: str) -> str:
    start = html.index(f'<tr class="tp" id="tp-{name}">')
    return html[start:html.index("</tr>", start)]


def test_dashboard_testplan_section(tmp_path: Path) -> None:
    out, plan = fabricated(tmp_path)
    path = report.write_dashboard(out, tmp_path / "h.sqlite", plan)
    html, page = path.read_text(), parse(path)
    assert "testplan" in page.ids and "#testplan" in page.hrefs
    expect = {"tp_pass": "pass", "tp_fail": "fail", "tp_partial": "partial", "tp_untouched": "not_run"}
    for name, status in expect.items():
        row = tp_row(html, name)
        assert re.findall(r'class="st (\w+)"', row) == [status], name
    assert "smoke <b>2/2 pass</b>" in tp_row(html, "tp_pass") and "1/1" in tp_row(html, "tp_pass")
    assert "rand <b>1/2 pass, 1 fail</b>" in tp_row(html, "tp_fail") and "rand failed" in tp_row(html, "tp_fail")
    partial = tp_row(html, "tp_partial")
    assert "1/2" in partial and "<code>axi_burst.rd_len.256</code>" in partial and "1 hole" in partial
    assert "axi_error <b>not run</b>" in tp_row(html, "tp_untouched")
    assert "passes &lt;b&gt;bold&lt;/b&gt;" in html and "<b>bold</b>" not in html
    assert "1/4 pass" in " ".join(page.text)                 # the summary's testplan figure


def test_dashboard_with_an_invalid_testplan_warns(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out, plan = fabricated(tmp_path, DASH_PLAN.replace("[axi_error]", "[axi_errors]"))
    assert report.main([str(out), "--history", str(tmp_path / "h.sqlite"), "--testplan", str(plan)]) == 0
    html = unescape((out / "dashboard.html").read_text())
    msg = f"{plan}: testpoint 'tp_untouched': unknown test 'axi_errors'"
    assert f'<div class="warn">testplan: {msg}' in html and f"testplan not shown: {msg}" in html
    assert f"regress report: warning: {msg}" in capsys.readouterr().err


SORT_BY_STATUS = """<script>window.addEventListener('load', function () {
  leSort(document.querySelector('#testplan th:nth-child(1)'));
  document.body.setAttribute('data-order', [].map.call(document.querySelectorAll('#testplan tbody tr'),
    function (t) { return t.id; }).join(','));
});</script></body>"""


def test_testplan_sorts_by_status_in_chromium(tmp_path: Path) -> None:
    exe = shutil.which("chromium-headless-shell") or shutil.which("chromium")
    if exe is None:
        pytest.skip("no chromium-headless-shell on PATH (Debian package chromium-headless-shell, `make setup`)")
    out, plan = fabricated(tmp_path)
    probe = out / "probe.html"
    probe.write_text(report.write_dashboard(out, tmp_path / "h.sqlite", plan).read_text().replace("</body>",
                                                                                              SORT_BY_STATUS))
    dom = subprocess.run([exe, "--headless", "--no-sandbox", "--disable-gpu", "--dump-dom", probe.as_uri()],
                         capture_output=True, text=True, timeout=120, check=True).stdout
    order = dom.split('data-order="')[1].split('"')[0].split(",")
    assert order == ["tp-tp_fail", "tp-tp_partial", "tp-tp_untouched", "tp-tp_pass"]
