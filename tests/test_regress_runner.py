"""regress runner, results and buckets without a simulator: a fake run command that passes, fails, crashes,
hangs past its timeout; JUnit / JSON / summary / repro.sh content; Ctrl-C keeps the results gathered so far."""
from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest

from regress import buckets, cli, runner
from regress.results import RunResult, repro_script, summary

REPO = Path(__file__).resolve().parents[1]
FAKE = textwrap.dedent('''
    import sys, time
    from pathlib import Path
    mode, cls, out, seed = sys.argv[1], sys.argv[2], Path(sys.argv[3]), int(sys.argv[4])
    print(f"fake {mode} {cls} seed {seed}", flush=True)
    def xml(body):
        (out / "results.xml").write_text(
            '<testsuites><testsuite><testcase classname="m" name="%s" time="0.1">%s<properties>'
            '<property name="sim_time_stop" value="%d.0" /></properties></testcase></testsuite></testsuites>'
            % (cls, body, 1000 + seed))
    if mode == "pass":
        xml("")
    elif mode == "fail":
        site = "check_a" if seed % 2 else "check_b"
        xml('<failure message="token %d: logit %d mismatch at 0x%x after %d ns" type="AssertionError">'
            'Traceback (most recent call last):\\n  File "/x/verif/env/scoreboard.py", line 42, in %s\\n'
            'AssertionError: boom</failure>' % (seed, seed * 7, seed * 4096, seed * 10, site))
        sys.exit(1)
    elif mode == "crash":
        print("Segmentation fault in the model", flush=True)
        sys.exit(139)
    elif mode == "hang":
        time.sleep(60)
''')
GOOD = """
build: {toplevel: top, filelists: [a.f], configs: {w64: {W: 64}, w128: {W: 128}}}
tests:
  good: {class: Good, module: m, configs: [w64, w128]}
  bad:  {class: Bad, module: m, configs: [w64], reseeds: 3}
  boom: {class: Boom, module: m, configs: [w64]}
  hang: {class: Hang, module: m, configs: [w128], timeout: 1}
  nap:  {class: Hang, module: m, configs: [w64], timeout: 30}
suites:
  all: {tests: [good, bad, boom, hang]}
  calm: {tests: [good]}
  slow: {tests: [{test: nap}]}
"""
MODES = {"Good": "pass", "Bad": "fail", "Boom": "crash", "Hang": "hang"}


@pytest.fixture
def fake(tmp_path: Path) -> tuple[Path, runner.CommandFactory]:
    script = tmp_path / "fake_sim.py"
    script.write_text(FAKE)
    (tmp_path / "list.yaml").write_text(GOOD)

    def command(job: runner.Job, build_dir: Path | None) -> tuple[list[str], dict[str, str]]:
        return ([sys.executable, str(script), MODES[job.spec.cls], job.spec.cls, str(job.run_dir), str(job.seed)],
                {"FAKE_BUILD": str(build_dir)})
    return tmp_path, command


def _args(tmp: Path, suite: str, **kw: object) -> argparse.Namespace:
    base = dict(testlist=tmp / "list.yaml", cmd="run", suite=suite, jobs=2, reseed=None, seed=None, test=None,
                out=tmp / "out", waves=False, cov=False)
    return argparse.Namespace(**{**base, **kw})


def _run(tmp: Path, command: runner.CommandFactory, suite: str, **kw: object) -> int:
    return cli.run(_args(tmp, suite, **kw), make_command=command, builder=lambda cfg: tmp / f"build-{cfg.name}",
                   tools={"verilator": "5.048", "cocotb": "2.1.0"})


def test_pass_fail_crash_timeout(fake: tuple[Path, runner.CommandFactory], capsys: pytest.CaptureFixture[str]) -> None:
    tmp, command = fake
    t0 = time.monotonic()
    assert _run(tmp, command, "all") == 1
    assert time.monotonic() - t0 < 30
    out = tmp / "out"
    doc = json.loads((out / "results.json").read_text())
    status = {r["run_id"]: r["status"] for r in doc["runs"]}
    assert status == {"good.w64.s1": "pass", "good.w128.s1": "pass", "bad.w64.s1": "fail", "bad.w64.s2": "fail",
                      "bad.w64.s3": "fail", "boom.w64.s1": "crash", "hang.w128.s1": "timeout"}
    assert (doc["total"], doc["passed"], doc["failed"]) == (7, 2, 5)
    # buckets: the two fail sites (s1, s3 at check_a; s2 at check_b), the crash, the timeout; largest first
    counts = [b["count"] for b in doc["buckets"]]
    assert counts == [2, 1, 1, 1] and "check_a" in doc["buckets"][0]["signature"]
    assert "<n>" in doc["buckets"][0]["signature"] and "<hex>" in doc["buckets"][0]["signature"]
    good = out / "runs" / "good.w64.s1"
    res = json.loads((good / "results.json").read_text())
    assert res["passed"] and res["sim_time_ns"] == 1001.0 and res["seed"] == 1 and res["config"] == "w64"
    assert res["wall_s"] > 0 and res["test"] == "good" and res["cls"] == "Good"
    assert "fake pass Good seed 1" in (good / "run.log").read_text()
    assert "master 1:" in (good / "seeds.txt").read_text()
    assert json.loads((good / "tools.json").read_text())["cocotb"] == "2.1.0"
    assert "fake_sim.py pass Good" in (good / "cmd.sh").read_text()
    assert not (good / "repro.sh").exists()
    crash = json.loads((out / "runs" / "boom.w64.s1" / "results.json").read_text())
    assert "exit code 139" in crash["message"] and "Segmentation fault" in crash["traceback"]
    hang = json.loads((out / "runs" / "hang.w128.s1" / "results.json").read_text())
    assert hang["kind"] == "Timeout" and hang["wall_s"] < 15
    for run in ("bad.w64.s2", "boom.w64.s1", "hang.w128.s1"):
        assert (out / "runs" / run / "repro.sh").is_file()
    # JUnit: one testcase per run, seed + repro as properties and in system-out
    root = ET.parse(out / "junit.xml").getroot()
    cases = list(root.iter("testcase"))
    assert len(cases) == 7
    bad = next(c for c in cases if c.get("name") == "Bad.w64.seed2")
    props = {p.get("name"): p.get("value") for p in bad.iter("property")}
    assert props["seed"] == "2" and props["repro"].endswith("bad.w64.s2/repro.sh")
    assert props["engine"] == "pyuvm" and res["engine"] == "pyuvm"
    assert bad.find("failure") is not None and "seed: 2" in (bad.findtext("system-out") or "")
    assert "repro.sh" in (bad.findtext("system-out") or "")
    hang_case = next(c for c in cases if c.get("name") == "Hang.w128.seed1")
    assert hang_case.find("error").get("type") == "Timeout"
    text = capsys.readouterr().out
    assert "bucket 1: 2 run(s)" in text and "\ngood  " in text and "total" in text
    assert (out / "summary.txt").read_text().splitlines()[0].startswith("test")


def test_all_pass_exit_zero(fake: tuple[Path, runner.CommandFactory]) -> None:
    tmp, command = fake
    assert _run(tmp, command, "calm", reseed=2) == 0
    doc = json.loads((tmp / "out" / "results.json").read_text())
    assert doc["passed"] == 4 and doc["failed"] == 0
    assert _run(tmp, command, "calm", seed=9, out=tmp / "o2") == 0
    assert {r["seed"] for r in json.loads((tmp / "o2" / "results.json").read_text())["runs"]} == {9}


def test_failed_build_is_recorded(fake: tuple[Path, runner.CommandFactory], capfd: pytest.CaptureFixture[str]) -> None:
    tmp, command = fake

    def builder(cfg: object) -> Path:
        print("%Error: a.sv:3: syntax error", flush=True)                     # what Verilator prints
        subprocess.run(["sh", "-c", "echo make: the compiler said no >&2"], check=False)
        raise RuntimeError("verilator: syntax error")
    assert cli.run(_args(tmp, "calm"), make_command=command, builder=builder, tools={}) == 1
    doc = json.loads((tmp / "out" / "results.json").read_text())
    assert {r["kind"] for r in doc["runs"]} == {"BuildError"}
    # the build's own output (this process's and its children's) is in OUT/build.<config>.log, not the console
    out, _ = capfd.readouterr()
    log = (tmp / "out" / "build.w64.log").read_text()
    assert "a.sv:3: syntax error" in log and "the compiler said no" in log
    assert "syntax error" not in out.replace("FAILED: verilator: syntax error", "") and "build.w64.log" in out


@pytest.mark.parametrize("sig, name", [(signal.SIGINT, "SIGINT (Ctrl-C)"), (signal.SIGTERM, "SIGTERM")])
def test_interrupt_keeps_results(fake: tuple[Path, runner.CommandFactory], sig: signal.Signals, name: str) -> None:
    """A stopped regression writes what it has; the run it cut is `interrupted`, named by the signal, and is not a
    failure: no bucket, no repro.sh, not in the pass rate (exit 1 all the same: the regression is incomplete)."""
    tmp, command = fake
    timer = threading.Timer(1.5, lambda: os.kill(os.getpid(), sig))
    timer.start()
    try:
        rc = _run(tmp, command, "slow", reseed=3, jobs=1, out=tmp / "o3")
    finally:
        timer.cancel()
    assert rc == 1
    doc = json.loads((tmp / "o3" / "results.json").read_text())
    assert doc["interrupted"] is True and doc["stopped_by"] == name
    assert doc["failed"] == 0 and doc["buckets"] == [] and doc["interrupted_runs"] == 1
    cut = [r for r in doc["runs"] if r["status"] == "interrupted"]
    assert sorted(r["status"] for r in doc["runs"]) == ["interrupted", "not_run", "not_run"]
    assert cut[0]["message"] == f"the regression was stopped by {name} while this run ran"
    assert not (Path(cut[0]["run_dir"]) / "repro.sh").exists() and (Path(cut[0]["run_dir"]) / "cmd.sh").exists()
    skipped = list(ET.parse(tmp / "o3" / "junit.xml").getroot().iter("skipped"))
    assert len(skipped) == 3 and not list(ET.parse(tmp / "o3" / "junit.xml").getroot().iter("error"))
    text = (tmp / "o3" / "summary.txt").read_text()
    assert "(1 interrupted, 2 not run)" in text and "failures:" not in text
    assert f"interrupted ({name})" in (tmp / "o3" / "dashboard.html").read_text()


def test_repro_script(tmp_path: Path) -> None:
    """repro.sh names the failing run (seeds, git, tools, command) and is `regress verify` of its run folder
    (tests/test_regress_verify.py runs it: rebuilt from the sources by default, --recorded-build passed through)."""
    r = RunResult("bad.w64.s5", "bad", "Bad", "w64", 5, "master 5: python 1", str(tmp_path),
                  ["/v/bin/python", "-m", "regress.simrun", "--seed", "5", "--out", str(tmp_path)], {"LE_WAVES": "1"},
                  status="fail", kind="AssertionError", message="x 1")
    text = repro_script(r, REPO, {"sha": "abc123", "dirty": True}, {"verilator": "5.048"}, "/o/git.diff")
    for needle in ("abc123", "dirty: yes", "/o/git.diff", "verilator 5.048", "master 5", "--seed 5", "LE_WAVES=1",
                   f"cd {REPO}", f"exec /v/bin/python -m regress verify {tmp_path} --out build/repro \"$@\"",
                   "--recorded-build"):
        assert needle in text, needle


def test_normalise_and_site() -> None:
    a = buckets.normalise("token 3 pos 17: logit 5 dut -12 golden 4 at 0x1f00 after 1234.5 ns")
    b = buckets.normalise("token 0 pos 2: logit 9 dut 3 golden 8 at 0xdead after 7 ns")
    assert a == b == "token <n> pos <n>: logit <n> dut <n> golden <n> at <hex> after <time>"
    tb = ('Traceback:\n  File "/w/verif/tests/errors.py", line 88, in run_phase\n'
          '  File "/w/.venv/lib/python3.11/site-packages/pyuvm/x.py", line 3, in f\n')
    assert buckets.assert_site(tb) == "verif/tests/errors.py:88 in run_phase"
    assert buckets.assert_site("") == ""
    rs = [RunResult(f"r{i}", "t", "T", "w64", i, "", "/r", [], status="fail", kind=k, message=m)
          for i, (k, m) in enumerate([("E", "a 1"), ("E", "a 2"), ("F", "a 3"), ("E", "b"), ("E", "a 9")])]
    got = buckets.bucket(rs)
    assert [len(b.runs) for b in got] == [3, 1, 1] and got[0].signature.kind == "E"
    lines = summary(rs)
    assert lines[1].split()[:5] == ["t", "w64", "5", "0", "5"] and any("bucket 1: 3 run(s)" in x for x in lines)


def test_progress_line() -> None:
    import io
    buf = io.StringIO()
    prog = runner.Progress(4, buf, tty=True)
    prog.done, prog.failed, prog.running = 2, 1, 2
    prog.refresh()
    prog.line("FAIL x")
    assert "\r\x1b[K[2/4 done, 1 failed, 2 running, ETA" in buf.getvalue() and "FAIL x\n" in buf.getvalue()
    assert "|" + "!" * 6 + "#" * 6 + "." * 12 + "| 50%" in buf.getvalue()
    plain = io.StringIO()
    p2 = runner.Progress(1, plain, tty=False)
    p2.refresh()
    p2.line("PASS y")
    assert plain.getvalue() == "PASS y\n"
