"""The regression runner: plan the runs of a suite, build each configuration once, run the seeds in parallel.

Every run is a subprocess (`python -m regress.simrun ...`, regress/simrun.py) in its own session with its own
directory: run.log (the process's stdout and stderr), cmd.sh (the exact command), seeds.txt, tools.json,
results.json, repro.sh when it failed. A run that crashes or outlives its timeout (its process group gets
SIGTERM, then SIGKILL) is recorded as a failure with its log and the regression carries on. When the regression
itself is stopped (SIGINT / Ctrl-C or SIGTERM), the runs it cuts are `interrupted` (named by the signal; not
failures: no bucket, no repro.sh), the ones not started `not_run`, and it writes what it has.
"""
from __future__ import annotations

import contextlib
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from regress.results import (
    RunResult,
    log_tail,
    parse_cocotb_results,
    with_sva,
    write_cmd_sh,
    write_repro,
    write_run_json,
)
from regress.testlist import BuildConfig, Suite, TestList, TestListError, TestSpec

REPO = Path(__file__).resolve().parents[1]
KILL_GRACE_S = 5.0
CTRL_C = "SIGINT (Ctrl-C)"


class Stopped(KeyboardInterrupt):
    """The regression was stopped by a signal other than SIGINT (which Python raises as KeyboardInterrupt)."""

    def __init__(self, signame: str) -> None:
        super().__init__(signame)
        self.signame = signame


def raise_stopped(signum: int, frame: object) -> None:
    """A signal handler (SIGTERM): stop the regression the way Ctrl-C does, naming the signal."""
    raise Stopped(signal.Signals(signum).name)


def stop_reason(exc: BaseException) -> str:
    """What stopped the regression: 'SIGTERM', ... or 'SIGINT (Ctrl-C)'."""
    return exc.signame if isinstance(exc, Stopped) else CTRL_C
HOST = socket.gethostname()


@dataclass
class Job:
    spec: TestSpec
    config: BuildConfig
    seed: int
    run_dir: Path
    result: RunResult | None = None


CommandFactory = Callable[[Job, Path | None], tuple[list[str], dict[str, str]]]
Builder = Callable[[BuildConfig], Path]


def git_info(repo: Path = REPO) -> dict[str, Any]:
    def git(*args: str) -> str:
        return subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True, check=False).stdout
    sha = git("rev-parse", "HEAD").strip() or "unknown"
    return {"sha": sha, "dirty": bool(git("status", "--porcelain", "--untracked-files=no").strip())}


def plan(tl: TestList, suite: Suite, reseed: int | None = None, seed: int | None = None,
         test: str | None = None, rng: random.Random | None = None) -> list[tuple[TestSpec, BuildConfig, int]]:
    """(test, configuration, master seed) of every run, in suite order."""
    entries = [(e.test, e.configs, e.reseeds * suite.reseed_multiplier) for e in suite.entries]
    if test is not None:
        spec = tl.test(test)
        entries = [e for e in entries if e[0] is spec] or [(spec, spec.configs, spec.reseeds)]
    rng = rng or random.SystemRandom()
    runs = []
    for spec, configs, count in entries:
        n = 1 if seed is not None else (reseed or count)
        if seed is not None:
            seeds = [seed]
        elif suite.random_seeds:
            seeds = _distinct(rng, n)
        else:
            seeds = list(range(1, n + 1))
        runs += [(spec, tl.configs[c], s) for c in configs for s in seeds]
    return runs


def _distinct(rng: random.Random, n: int) -> list[int]:
    """n different master seeds (a repeated seed would be a wasted run, and hide a seeding bug)."""
    seeds: dict[int, None] = {}
    while len(seeds) < n:
        seeds[rng.randrange(1, 2**31)] = None
    return list(seeds)


def sim_command(job: Job, build_dir: Path | None) -> tuple[list[str], dict[str, str]]:
    """The command of a job (and the environment it adds): regress.simrun for a pyuvm test, regress.scrun for a
    systemc one (it builds its own SystemC binary, cached; `build_dir`, the pyuvm build, does not concern it)."""
    cfg = job.config
    if job.spec.engine == "systemc":
        cmd = [sys.executable, "-m", "regress.scrun", "--test", job.spec.name, "--config", cfg.name,
               "--seed", str(job.seed), "--out", str(job.run_dir)]
        for k, v in cfg.parameters.items():      # the configuration on the command line: cmd.sh / repro.sh
            cmd += ["--param", f"{k}={v}"]         # need no test list
        for p in job.spec.all_plusargs():
            cmd += ["--plusarg", p]
        if cfg.coverage:                          # a coverage build of the harness: coverage.dat merged with the
            cmd.append("--cov")                   # pyuvm runs' (not X-randomised: cfg.x_random is the pyuvm builds')
        return cmd, {"LE_WAVES": "1"} if os.environ.get("LE_WAVES") == "1" else {}
    cmd = [sys.executable, "-m", "regress.simrun", "--toplevel", cfg.toplevel]
    for f in cfg.filelists:
        cmd += ["--filelist", f]
    for k, v in cfg.parameters.items():
        cmd += ["--param", f"{k}={v}"]
    if cfg.x_random:
        cmd.append("--x-random")
    cmd += ["--module", job.spec.module, "--test", job.spec.cls, "--seed", str(job.seed), "--out", str(job.run_dir)]
    if build_dir is not None:
        cmd += ["--build-dir", str(build_dir), "--expect-build", build_dir.name]
    for p in job.spec.all_plusargs():
        cmd += ["--plusarg", p]
    if cfg.coverage:
        cmd.append("--cov")
    env = {"LE_WAVES": "1"} if os.environ.get("LE_WAVES") == "1" else {}
    return cmd, env


def sim_build(cfg: BuildConfig) -> Path:
    from eda import simbuild
    from verif.seeds import X_RANDOM_BUILD_ARGS
    sources: list[Path] = []
    extra: list[str] = []
    for f in cfg.filelists:
        s, e = simbuild.read_file_list(REPO / f, REPO)
        sources += s
        extra += e
    if cfg.x_random:
        extra += list(X_RANDOM_BUILD_ARGS)
    if cfg.coverage:
        extra += list(simbuild.COVERAGE_ARGS)
    return simbuild.build(sources, cfg.toplevel, cfg.parameters, extra_args=extra).build_dir


class Progress:
    """A live one-line status on a TTY; plain lines otherwise."""

    def __init__(self, total: int, stream: IO[str] | None = None, tty: bool | None = None) -> None:
        self.stream = stream or sys.stdout
        self.tty = self.stream.isatty() if tty is None else tty
        self.total, self.start = total, time.monotonic()
        self.done = self.failed = self.running = 0

    def status(self) -> str:
        eta = "-"
        if self.done:
            left = (time.monotonic() - self.start) / self.done * (self.total - self.done)
            eta = f"{int(left // 60)}m{int(left % 60):02d}s"
        width = 24
        fill = width * self.done // max(1, self.total)
        red = min(fill, -(-width * self.failed // max(1, self.total)))       # failures: '!' (at least one cell)
        bar = "!" * red + "#" * (fill - red) + "." * (width - fill)
        return (f"[{self.done}/{self.total} done, {self.failed} failed, {self.running} running, ETA {eta}] "
                f"|{bar}| {100 * self.done // max(1, self.total)}%")

    def refresh(self) -> None:
        if self.tty:                     # never wider than the terminal, or \r cannot redraw a wrapped line
            cols = shutil.get_terminal_size((120, 24)).columns
            self.stream.write("\r\x1b[K" + self.status()[:max(20, cols - 1)])
            self.stream.flush()

    def line(self, text: str) -> None:
        self.stream.write(("\r\x1b[K" if self.tty else "") + text + "\n")
        self.refresh()

    def close(self) -> None:
        if self.tty:
            self.stream.write("\r\x1b[K")
            self.stream.flush()


@dataclass
class _Running:
    job: Job
    proc: subprocess.Popen[bytes]
    log: IO[bytes]
    start: float
    deadline: float


def kill_group(proc: subprocess.Popen[bytes], grace: float = KILL_GRACE_S) -> None:
    """SIGTERM the run's process group (the simulator is a grandchild), SIGKILL after `grace` seconds."""
    for sig, wait in ((signal.SIGTERM, grace), (signal.SIGKILL, 10.0)):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            break
        try:
            proc.wait(wait)
            break
        except subprocess.TimeoutExpired:
            continue


def _finish(run: _Running, rc: int | None, how: str, reason: str = CTRL_C) -> RunResult:
    run.log.close()
    res = finish_result(run.job, rc, how, time.monotonic() - run.start, reason)
    res.host = HOST
    return res


def finish_result(job: Job, rc: int | None, how: str, wall_s: float, reason: str = CTRL_C) -> RunResult:
    """The job's RunResult after its command ended (`how`: done, timeout or interrupted, then `reason` names the
    signal), from its exit code and its run directory (results.xml, run.log): shared by every launcher."""
    res = job.result
    assert res is not None
    res.wall_s = wall_s
    res.run_s = wall_s
    res.exit_code = rc
    log = job.run_dir / "run.log"
    parsed = parse_cocotb_results(job.run_dir / "results.xml", job.spec.cls)
    if how == "timeout":
        res.status, res.kind = "timeout", "Timeout"
        res.message = f"killed after the {job.spec.timeout:g} s timeout"
        res.traceback = log_tail(log)
    elif how == "interrupted":
        res.status, res.kind = "interrupted", "Interrupted"
        res.message = f"the regression was stopped by {reason} while this run ran"
        res.traceback = log_tail(log)
    elif parsed is None:
        what = f"signal {signal.Signals(-rc).name}" if rc is not None and rc < 0 else f"exit code {rc}"
        res.status, res.kind = "crash", "Crash"
        res.message = f"the simulation ended ({what}) without a result for {job.spec.cls}"
        res.traceback = log_tail(log)
    else:
        res.status, res.kind, res.message, res.traceback, res.sim_time_ns = parsed
        if res.status == "pass" and rc != 0:
            res.status, res.kind = "crash", "Crash"
            res.message = f"the test passed but the simulation exited with code {rc}"
            res.traceback = log_tail(log)
    if parsed is not None and res.sim_time_ns is None:
        res.sim_time_ns = parsed[4]
    if res.failed and how == "done":          # stopped by an assertion: the bucket is named after it
        res.kind, res.message, res.traceback = with_sva(res.status, res.kind, res.message, res.traceback, log)
    return res


def execute(jobs: Sequence[Job], n_jobs: int, make_command: CommandFactory, builds: dict[str, Path | None],
            on_done: Callable[[RunResult], None], progress: Progress, cwd: Path = REPO,
            poll_s: float = 0.05) -> str | None:
    """Run `jobs` with at most `n_jobs` at a time. Returns None, or what stopped it ('SIGINT (Ctrl-C)',
    'SIGTERM')."""
    pending = list(jobs)
    running: list[_Running] = []
    old = signal.signal(signal.SIGTERM, raise_stopped) if _main_thread() else None
    try:
        while pending or running:
            while pending and len(running) < max(1, n_jobs):
                job = pending.pop(0)
                assert job.result is not None
                log = open(job.run_dir / "run.log", "wb")  # noqa: SIM115 - open while the run runs; closed at its end
                log.write(f"$ {job.result.shell_command()}\n".encode())
                log.flush()
                env = {**os.environ, **job.result.env}
                proc = subprocess.Popen(job.result.command, cwd=cwd, stdout=log, stderr=subprocess.STDOUT,
                                        stdin=subprocess.DEVNULL, env=env, start_new_session=True)
                now = time.monotonic()
                running.append(_Running(job, proc, log, now, now + job.spec.timeout))
                progress.running = len(running)
                progress.refresh()
            time.sleep(poll_s)
            for run in list(running):
                rc = run.proc.poll()
                timed_out = rc is None and time.monotonic() > run.deadline
                if rc is None and not timed_out:
                    continue
                if timed_out:
                    kill_group(run.proc)
                running.remove(run)
                progress.running = len(running)
                on_done(_finish(run, run.proc.returncode, "timeout" if timed_out else "done"))
        return None
    except KeyboardInterrupt as exc:
        reason = stop_reason(exc)
        for run in running:
            kill_group(run.proc, grace=2.0)
            on_done(_finish(run, run.proc.returncode, "interrupted", reason))
        return reason
    finally:
        if old is not None:
            signal.signal(signal.SIGTERM, old)


def _main_thread() -> bool:
    import threading
    return threading.current_thread() is threading.main_thread()


def prepare(runs: Sequence[tuple[TestSpec, BuildConfig, int]], out: Path, make_command: CommandFactory,
            builds: dict[str, Path | None], tools: dict[str, str]) -> list[Job]:
    """Jobs with their run directories, cmd.sh, seeds.txt, tools.json and a not_run RunResult."""
    from verif.seeds import Seeds
    jobs: list[Job] = []
    seen: dict[str, int] = {}
    for spec, cfg, seed in runs:
        name = f"{spec.name}.{cfg.name}.s{seed}"
        seen[name] = seen.get(name, 0) + 1
        if seen[name] > 1:
            name += f".{seen[name]}"
        job = Job(spec, cfg, seed, (out / "runs" / name).resolve())
        if job.run_dir.exists():          # a reused OUT: nothing of an earlier run may feed this one's reports
            shutil.rmtree(job.run_dir)
        job.run_dir.mkdir(parents=True)
        cmd, env = make_command(job, builds.get(cfg.name))
        job.result = RunResult(name, spec.name, spec.cls, cfg.name, seed, Seeds(seed).describe(), str(job.run_dir),
                               cmd, env, timeout_s=spec.timeout, engine=spec.engine)
        write_cmd_sh(job.run_dir, REPO, cmd, env)
        (job.run_dir / "seeds.txt").write_text(job.result.seeds + "\n")
        (job.run_dir / "tools.json").write_text(json.dumps(tools, indent=2) + "\n")
        jobs.append(job)
    return jobs


@contextlib.contextmanager
def output_to(path: Path) -> Iterator[None]:
    """Send stdout and stderr to `path`: file descriptors 1 and 2 (child processes) and sys.stdout/stderr."""
    sys.stdout.flush()
    sys.stderr.flush()
    saved = os.dup(1), os.dup(2)
    with open(path, "ab") as fh, open(path, "a", buffering=1) as text:
        os.dup2(fh.fileno(), 1)
        os.dup2(fh.fileno(), 2)
        try:
            with contextlib.redirect_stdout(text), contextlib.redirect_stderr(text):   # Python-level writers too
                yield
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os.dup2(saved[0], 1)
            os.dup2(saved[1], 2)
            os.close(saved[0])
            os.close(saved[1])


def build_all(configs: Sequence[BuildConfig], builder: Builder, say: Callable[[str], None],
              log_dir: Path | None = None) -> dict[str, Path | None]:
    """Build every configuration once, serially; a failed build is None (its runs are recorded as crashes).
    With `log_dir`, each build's output (Verilator, make, the C++ compiler) goes to log_dir/build.<config>.log."""
    builds: dict[str, Path | None] = {}
    for cfg in configs:
        t0 = time.monotonic()
        log = log_dir / f"build.{cfg.name}.log" if log_dir is not None else None
        where = f" (log {log})" if log is not None else ""
        try:
            with output_to(log) if log is not None else contextlib.nullcontext():
                builds[cfg.name] = builder(cfg)
            say(f"build {cfg.name}: {builds[cfg.name]} ({time.monotonic() - t0:.1f} s){where}")
        except Exception as exc:     # any build failure is reported and its runs fail
            builds[cfg.name] = None
            say(f"build {cfg.name}: FAILED: {' '.join(str(exc).split())[:300]}{where}")
    return builds


def record(result: RunResult, repo: Path, git: dict[str, Any], tools: dict[str, str],
           diff_file: str | None) -> None:
    write_run_json(result)
    if result.failed:
        write_repro(result, repo, git, tools, diff_file)


__all__ = ["Job", "Progress", "TestListError", "build_all", "execute", "finish_result", "git_info", "plan", "prepare",
           "record", "sim_build", "sim_command"]
