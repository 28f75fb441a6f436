"""Shared by the tests of `regress run --cluster`: a fake simulator script (no Verilator), a test list for it,
and cli.run with that command. Modes: pass, fail, crash (exit 139), hang (sleeps 60 s), killworker (the first
attempt SIGKILLs its Dask worker process and then sleeps: the guard must kill it; later attempts pass)."""
from __future__ import annotations

import argparse
import sys
import textwrap
from pathlib import Path

from regress import cli, runner
from regress.launchers import Backend

FAKE_SIM = textwrap.dedent('''
    import os, signal, sys, time
    from pathlib import Path
    mode, cls, out, seed = sys.argv[1], sys.argv[2], Path(sys.argv[3]), int(sys.argv[4])
    print(f"fake {mode} {cls} seed {seed} pid {os.getpid()}", flush=True)
    names = ("MALLOC_TRIM_THRESHOLD_", "OMP_NUM_THREADS", "PYTHONHASHSEED")
    print("env " + " ".join(f"{k}={os.environ.get(k)}" for k in names))
    def xml(body):
        (out / "results.xml").write_text(
            '<testsuites><testsuite><testcase classname="m" name="%s" time="0.1">%s<properties>'
            '<property name="sim_time_stop" value="%d.0" /></properties></testcase></testsuite></testsuites>'
            % (cls, body, 1000 + seed))
    if mode == "killworker" and not (out / "killed_once").exists():
        (out / "killed_once").write_text(str(os.getpid()))
        if os.environ.get("SLURM_JOB_ID"):                 # a batch job: the whole job goes (node lost, walltime)
            os.system("scancel " + os.environ["SLURM_JOB_ID"])
            time.sleep(60)
        guard = os.getppid()
        worker = int(Path(f"/proc/{guard}/stat").read_text().rsplit(")", 1)[1].split()[1])
        os.kill(worker, signal.SIGKILL)
        time.sleep(60)
    if mode in ("pass", "killworker"):
        xml("")
    elif mode == "fail":
        xml('<failure message="token %d mismatch" type="AssertionError">Traceback (most recent call last):\\n'
            '  File "/x/verif/env/scoreboard.py", line 42, in check\\nAssertionError: boom</failure>' % seed)
        sys.exit(1)
    elif mode == "crash":
        sys.exit(139)
    elif mode == "hang":
        time.sleep(60)
''')
LIST = """
build: {toplevel: top, filelists: [a.f], configs: {w64: {W: 64}, w128: {W: 128}}}
tests:
  good: {class: Good, module: m, configs: [w64, w128]}
  bad:  {class: Bad, module: m, configs: [w64], reseeds: 2}
  boom: {class: Boom, module: m, configs: [w64]}
  hang: {class: Hang, module: m, configs: [w128], timeout: 2}
  nap:  {class: Hang, module: m, configs: [w64], timeout: 30}
  victim: {class: Victim, module: m, configs: [w64]}
suites:
  all: {tests: [good, bad, boom, hang]}
  calm: {tests: [good]}
  slow: {tests: [{test: nap}]}
  lost: {tests: [victim, good]}
"""
MODES = {"Good": "pass", "Bad": "fail", "Boom": "crash", "Hang": "hang", "Victim": "killworker"}


def setup(tmp: Path) -> runner.CommandFactory:
    script = tmp / "fake_sim.py"
    script.write_text(FAKE_SIM)
    (tmp / "list.yaml").write_text(LIST)

    def command(job: runner.Job, build_dir: Path | None) -> tuple[list[str], dict[str, str]]:
        cmd = [sys.executable, str(script), MODES[job.spec.cls], job.spec.cls, str(job.run_dir), str(job.seed)]
        return cmd + (["--build-dir", str(build_dir)] if build_dir else []), {}
    return command


def args(tmp: Path, suite: str, **kw: object) -> argparse.Namespace:
    base = dict(testlist=tmp / "list.yaml", cmd="run", suite=suite, jobs=2, reseed=None, seed=None, test=None,
                out=tmp / "out", waves=False, cov=False, cluster="local", cluster_config=None,
                build_on_worker=False, infra_retries=None)
    return argparse.Namespace(**{**base, **kw})


def run(tmp: Path, command: runner.CommandFactory, suite: str, backend: Backend | None = None,
        **kw: object) -> int:
    def builder(cfg: object) -> Path:
        d = tmp / f"build-{getattr(cfg, 'name', '')}"
        d.mkdir(exist_ok=True)
        return d
    return cli.run(args(tmp, suite, **kw), make_command=command, builder=builder,
                   tools={"verilator": "5.048"}, backend=backend)
