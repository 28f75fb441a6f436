"""A fabricated regression output folder for the dashboard tests (tests/test_regress_report.py,
tests/test_regress_testplan.py): a pass, two fails in one bucket with repro.sh and waves, a crash, a not-run,
code/functional coverage summaries, a gate, a re-run; and an HTML parser of the page."""
from __future__ import annotations

import json
from html.parser import HTMLParser
from pathlib import Path

from regress.results import RunResult, write_json, write_repro, write_run_json

NASTY = "token 3: logit 17 mismatch <blink>got</blink> 0x1f & expected 5"
TRACEBACK = ('Traceback (most recent call last):\n  File "/x/verif/env/scoreboard.py", line 42, in check_logits\n'
             "AssertionError: <blink>boom</blink>\n")
CODE_COV = {"tool": "verilator_coverage", "runs": 4,
            "totals": {"line": {"hit": 900, "total": 1000, "pct": 90.0},
                       "toggle": {"hit": 50, "total": 100, "pct": 50.0},
                       "branch": {"hit": 70, "total": 100, "pct": 70.0}},
            "modules": {"le_softmax": {"line": {"hit": 45, "total": 50, "pct": 90.0},
                                       "toggle": {"hit": 1, "total": 4, "pct": 25.0},
                                       "branch": {"hit": 3, "total": 4, "pct": 75.0}},
                        "le_gemv": {"line": {"hit": 99, "total": 100, "pct": 99.0},
                                    "toggle": {"hit": 9, "total": 10, "pct": 90.0},
                                    "branch": {"hit": 10, "total": 10, "pct": 100.0}}},
            "tb_modules": {"le_tb_top": {"line": {"hit": 5, "total": 10, "pct": 50.0},
                                         "toggle": {"hit": 1, "total": 2, "pct": 50.0},
                                         "branch": {"hit": 0, "total": 0, "pct": 100.0}}},
            "html": "html/index.html"}
CODE_COV["modules"]["le_logits"] = {"line": {"hit": 0, "total": 0, "pct": 0.0},      # toggles only (real case)
                                    "toggle": {"hit": 8, "total": 8, "pct": 100.0},
                                    "branch": {"hit": 0, "total": 0, "pct": 0.0}}
FUNC_COV = {"runs": 4, "total_pct": 62.5,
            "covergroups": {"cg_axi": {"pct": 40.0, "holes": ["burst_len.len_256", "split.cross_4k"],
                                       "bins": {"burst_len.len_16": 3, "burst_len.len_256": 0, "split.none": 7,
                                                "split.cross_4k": 0}},
                            "cg_config": {"pct": 100.0, "holes": []}}}


def _result(out: Path, run_id: str, status: str, seed: int, **kw: object) -> RunResult:
    test, config = run_id.split(".")[:2]
    d = out / "runs" / run_id
    d.mkdir(parents=True)
    r = RunResult(run_id, test, test.capitalize() + "Test", config, seed, f"master {seed}", str(d),
                  ["python", "-m", "regress.simrun", "--seed", str(seed), "--out", str(d)], status=status, **kw)
    (d / "run.log").write_text(f"$ {r.shell_command()}\n{r.message}\n")
    (d / "cmd.sh").write_text(f"#!/bin/sh\n{r.shell_command()}\n")
    if status != "not_run":
        write_run_json(r)
    if r.failed:
        write_repro(r, Path("/repo"), {"sha": "abc123", "dirty": False}, {"verilator": "5.048"})
    return r


def make_out(root: Path, name: str = "nightly-20260101-000000", started: str = "2026-01-01T00:00:00",
             failing: bool = True, cov: bool = True) -> Path:
    """A fixture regression output directory, as `regress run` and the coverage/rerun steps write it."""
    out = root / name
    out.mkdir(parents=True)
    runs = [_result(out, "rand.w64.s1", "pass", 1, wall_s=3.5, sim_time_ns=120000.0)]
    (out / "runs" / "rand.w64.s1" / "sim_speed.json").write_text(
        json.dumps({"cycles": 12000, "seconds": 0.2, "tokens": 4, "cycles_per_s": 60000.0}))
    runs.append(_result(out, "sc_smoke.w128.s4", "pass", 4, wall_s=0.6, sim_time_ns=108000.0, engine="systemc"))
    if failing:
        for seed in (7, 9):
            runs.append(_result(out, f"rand.w128.s{seed}", "fail", seed, kind="AssertionError", message=NASTY,
                                traceback=TRACEBACK, wall_s=2.0 + seed, sim_time_ns=5000.0))
        (out / "runs" / "rand.w128.s7" / "dump.fst").write_bytes(b"FST")
        dbg = out / "runs" / "rand.w128.s9" / "debug"             # `regress debug` ran on s9, not on s7
        dbg.mkdir()
        (dbg / "run.log").write_text("probe rerun\n")
        (dbg / "divergence.json").write_text(json.dumps({"first": {
            "token": 0, "pos": 9, "layer": 1, "head": -1, "name": "y1", "index": 4, "golden": 3, "dut": -3,
            "cycle": 3583, "operator": "residual add 1 (<le_residual_add>)"}, "stopped": None}))
        runs.append(_result(out, "smoke.w64.s2", "crash", 2, kind="Crash", wall_s=1.0,
                            message="the simulation ended (signal SIGSEGV) without a result for SmokeTest"))
        runs.append(_result(out, "smoke.w128.s3", "not_run", 3))
        rerun = out / "reruns" / "rand.w128.s7"
        rerun.mkdir(parents=True)
        (rerun / "run.log").write_text("rerun\n")
        (rerun / "dump.fst").write_bytes(b"FST")
        sig = str(runs[1].signature)
        (out / "reruns.json").write_text(json.dumps([{"bucket": sig, "run_id": "rand.w128.s7", "dir": str(rerun),
                                                      "waves": str(rerun / "dump.fst"),
                                                      "log": "reruns/rand.w128.s7/run.log", "status": "fail"}]))
    meta = {"suite": "nightly", "started": started, "git": {"sha": "abc123def4567890", "dirty": True},
            "tools": {"verilator": "5.048", "cocotb": "2.1.0"}, "jobs": 2, "out": str(out),
            "argv": ["regress", "run", "nightly", "--out", str(out)]}
    (out / "regress.json").write_text(json.dumps(meta))
    write_json(runs, out / "results.json", {**meta, "wall_s": 12.5, "interrupted": False})
    if cov:
        code = out / "coverage" / "code"
        (code / "html").mkdir(parents=True)
        (code / "html" / "index.html").write_text("<html>genhtml</html>")
        (code / "html" / "rtl").mkdir()
        (code / "html" / "rtl" / "le_gemv.sv.gcov.html").write_text("<html>le_gemv lines</html>")
        (code / "summary.json").write_text(json.dumps(CODE_COV))
        (out / "coverage" / "functional").mkdir()
        (out / "coverage" / "functional" / "summary.json").write_text(json.dumps(FUNC_COV))
        (out / "coverage" / "gate.json").write_text(json.dumps(
            {"enabled": True, "thresholds": {"line": 85, "functional": 90}, "misses": ["functional 62.5% < 90%"]}))
    return out


class Page(HTMLParser):
    """The dashboard's links, ids, <code> texts followed by a copy button, tags seen and text."""

    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []
        self.ids: set[str] = set()
        self.tags: list[str] = []
        self.copyable: list[str] = []
        self.text: list[str] = []
        self.srcs: list[str] = []
        self._code: list[str] | None = None
        self._last_code = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        self.tags.append(tag)
        if a.get("id"):
            self.ids.add(str(a["id"]))
        if tag == "a" and a.get("href"):
            self.hrefs.append(str(a["href"]))
        if a.get("src"):
            self.srcs.append(str(a["src"]))
        if tag == "code":
            self._code = []
        if tag == "button" and "copy" in (a.get("class") or "") and self._last_code:
            self.copyable.append(self._last_code)
            self._last_code = ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "code" and self._code is not None:
            self._last_code, self._code = "".join(self._code), None

    def handle_data(self, data: str) -> None:
        self.text.append(data)
        if self._code is not None:
            self._code.append(data)


def parse(path: Path) -> Page:
    p = Page()
    p.feed(path.read_text())
    return p
