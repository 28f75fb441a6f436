"""Run one test of the test list on one configuration with one master seed, outside a regression.

    from regress.launch import run_listed
    run = run_listed("smoke", "w64", seed=1)                  # build (cached) + simulate; raises RunFailed
    run.run_dir / "txn_log.sha256"                            # every file a regression run writes there

This is the one way code outside `regress run` (pytest's test of every list entry, tests/rtl/test_uvm_testlist.py;
the benchmarks) starts a pyuvm test: the same regress.simrun command a regression run executes (runner.sim_command),
so there is no second list of tests, seeds or plusargs. Extra plusargs (e.g. `+le_tokens=16`) go after the
test's own, so they override its knobs.
"""
from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

from regress.results import log_tail
from regress.runner import REPO, Job, sim_command
from regress.testlist import TestList, load

RUNS_DIR = REPO / "build" / "sim" / "runs"


class RunFailed(AssertionError):
    """The test failed, crashed or timed out; str() names the run, its log and the log's tail."""


@dataclass(frozen=True)
class ListedRun:
    test: str
    config: str
    seed: int
    run_dir: Path

    @property
    def log(self) -> Path:
        return self.run_dir / "run.log"


def run_listed(test: str, config: str, seed: int, run_dir: Path | None = None, plusargs: tuple[str, ...] = (),
               testlist: TestList | None = None, timeout_s: float | None = None) -> ListedRun:
    """Run test `test` (list name or uvm class) on configuration `config` with master `seed` into `run_dir`
    (default build/sim/runs/<test>.<config>.s<seed>); its output goes to run_dir/run.log. Raises RunFailed."""
    tl = testlist or load()
    spec = tl.test(test)
    if config not in spec.configs:
        raise ValueError(f"test {spec.name!r} does not run on {config!r} (its configurations: "
                         f"{', '.join(spec.configs)})")
    run_dir = (run_dir or RUNS_DIR / f"{spec.name}.{config}.s{seed}").resolve()
    run_dir.mkdir(parents=True, exist_ok=True)
    cmd, env = sim_command(Job(spec, tl.configs[config], seed, run_dir), None)
    for p in plusargs:
        cmd += ["--plusarg", p]
    run = ListedRun(spec.name, config, seed, run_dir)
    with open(run.log, "w") as log:
        try:
            rc = subprocess.run(cmd, cwd=REPO, stdout=log, stderr=subprocess.STDOUT, env={**os.environ, **env},
                                timeout=timeout_s or spec.timeout, check=False).returncode
        except subprocess.TimeoutExpired:
            raise RunFailed(f"{spec.name} on {config} seed {seed}: no result within {timeout_s or spec.timeout:.0f} s "
                            f"(log {run.log})") from None
    if rc != 0:
        raise RunFailed(f"{spec.name} on {config} seed {seed}: exit {rc} (log {run.log}):\n{log_tail(run.log)}")
    return run


__all__ = ["RUNS_DIR", "ListedRun", "RunFailed", "run_listed"]
