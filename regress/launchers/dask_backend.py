"""The Dask backend: `dask-local` (distributed.LocalCluster), the batch systems (dask-jobqueue: one one-core
Dask worker per batch job) and `tcp://HOST:PORT` (an existing scheduler). Each attempt of a run is one Dask task,
task.run_job, with a key of its own (so a retry is a new task). The scheduler's own retry of a task whose
worker died is switched off (allowed-failures 0) where the scheduler is ours: a lost worker surfaces here as
KilledWorker and drive.py decides (an infra error, retried once by default)."""
from __future__ import annotations

import contextlib
import importlib
import logging
import os
import shlex
import signal
import subprocess
import threading
import time
import uuid
from pathlib import Path
from typing import Any

from regress.launchers import Attempt
from regress.launchers.clusters import REPO, ClusterSpec, walltime_s
from regress.launchers.drive import wait_until
from regress.launchers.task import kill_all, run_job
from regress.runner import Job

JOBQUEUE = {"slurm": "SLURMCluster", "lsf": "LSFCluster", "pbs": "PBSCluster", "sge": "SGECluster",
            "htcondor": "HTCondorCluster"}
SCHEDULER_CONFIG = {"distributed.scheduler.allowed-failures": 0,        # a lost worker is ours to retry
                    "distributed.scheduler.work-stealing": False,       # no moves between workers
                    "distributed.scheduler.worker-saturation": 1.0,     # a worker holds only the run it executes
                    "distributed.worker.daemon": False,                 # workers' runs are plain subprocesses
                    # a worker sits beside a simulator on the same core: no 10 ms statistical profiler, slower
                    # memory and system monitors and event-loop health ticks (20 ms by default, in every scheduler,
                    # worker and nanny: 6-9 % of a core for 2 idle workers, 2.3 % at 1 s); their CPU is the
                    # simulator's
                    "distributed.admin.tick.interval": "1s",
                    "distributed.worker.profile.enabled": False,
                    "distributed.worker.memory.monitor-interval": "1s",
                    "distributed.admin.system-monitor.interval": "2s"}
WORKER_ENV = {"DASK_DISTRIBUTED__ADMIN__TICK__INTERVAL": "1s",                 # the same for batch-job workers
              "DASK_DISTRIBUTED__WORKER__PROFILE__ENABLED": "False",
              "DASK_DISTRIBUTED__WORKER__MEMORY__MONITOR_INTERVAL": "1s",
              "DASK_DISTRIBUTED__ADMIN__SYSTEM_MONITOR__INTERVAL": "2s"}
QUEUE_GONE_S = 30.0


def jobqueue_kwargs(spec: ClusterSpec, python: str) -> dict[str, Any]:
    """The dask-jobqueue cluster arguments of a clusters.yaml entry (one run at a time per core)."""
    margin = int(spec.get("lifetime_margin", 600))
    wall = str(spec.get("walltime", "01:00:00"))
    lifetime = max(60, walltime_s(wall) - margin)
    cores = int(spec.get("cores", 1))
    kw: dict[str, Any] = {
        "cores": cores, "processes": 1, "memory": str(spec.get("memory", "2GiB")),
        "python": str(spec.get("python", python)), "log_directory": str(REPO / spec.get("log_directory",
                                                                                   "build/regress/dask-jobs")),
        "worker_extra_args": ["--lifetime", f"{lifetime}s", "--lifetime-stagger", f"{min(60, margin // 4)}s",
                              "--nthreads", str(cores)],
        "job_extra_directives": list(spec.get("job_extra_directives", [])),
        "job_script_prologue": [*(f"export {k}={v}" for k, v in WORKER_ENV.items()),
                                *spec.get("job_script_prologue", [])],
        "scheduler_options": {"dashboard_address": ":0", "dashboard": False},     # no fixed port: no clash
    }
    if spec.name != "htcondor":
        kw["walltime"] = wall
    for key in ("queue", "account", "interface"):
        if spec.get(key) is not None:
            kw[key] = spec.get(key)
    if spec.name == "slurm" and spec.get("account") is not None:
        kw["account"] = spec.get("account")
    return kw


class DaskBackend:
    """One Dask client, its cluster (unless attached by address) and the futures of the open attempts."""

    def __init__(self, spec: ClusterSpec, n_workers: int, cwd: Path = REPO, python: str | None = None,
                 build_on_worker: bool = False) -> None:
        import sys
        self.spec, self.name = spec, spec.name
        self.n = int(spec.get("max_jobs", n_workers)) if spec.kind == "batch" else n_workers
        self.cwd, self.python = cwd, python or sys.executable
        self.build_on_worker = build_on_worker
        self.pending: list[tuple[Job, int, float]] = []     # (job, attempt, queued at): not yet given to Dask
        self.futures: dict[Any, tuple[Job, float]] = {}      # future -> (job, dispatched at)
        self.cluster: Any = None
        self.client: Any = None
        self.job_ids: set[str] = set()
        self.no_worker_since: float | None = None
        self._cfg: Any = None
        self.t_start: float | None = None
        self.t_first: float | None = None
        self._changed = threading.Event()
        self._checked = 0.0
        self._unset: list[str] = []
        self._env_before: dict[str, str | None] = {}

    # -- lifecycle
    def start(self) -> None:
        import dask
        dist: Any = importlib.import_module("distributed")
        self.t_start = time.monotonic()
        # the nanny starts workers with MALLOC_TRIM_THRESHOLD_=65536, OMP/MKL/OPENBLAS_NUM_THREADS=1 (and a fixed
        # PYTHONHASHSEED, __DASK_PARENT_PID): a run must
        # not inherit them (the same command in the same environment as a local run; the malloc setting slowed the
        # simulations by 10-50 %), unless they are set here too
        spawn = dask.config.get("distributed.nanny.pre-spawn-environ", default={}) or {}
        self._unset = sorted(k for k in [*spawn, "PYTHONHASHSEED", "__DASK_PARENT_PID"] if k not in os.environ)
        # a LocalCluster's nannies run in this process and set those variables in *its* environment too, for good:
        # a later backend (or a local run) of the same process would inherit them. Put them back after the start.
        self._env_before = {k: os.environ.get(k) for k in [*spawn, "PYTHONHASHSEED", "__DASK_PARENT_PID"]}
        self._cfg = dask.config.set(SCHEDULER_CONFIG)
        self._cfg.__enter__()
        logging.getLogger("distributed").setLevel(logging.ERROR)
        if self.spec.kind == "dask-local":
            self.cluster = dist.LocalCluster(n_workers=self.n, threads_per_worker=1, processes=True,
                                             dashboard_address=":0", scheduler_kwargs={"dashboard": False},
                                             silence_logs=logging.ERROR)
        elif self.spec.kind == "batch":
            cls = getattr(_import_jobqueue(), JOBQUEUE[self.name])
            self.cluster = cls(**jobqueue_kwargs(self.spec, self.python))
            self.cluster.scale(jobs=self.n)
        self.client = dist.Client(self.cluster if self.cluster is not None else self.name, set_as_default=False,
                             timeout=30)
        self._restore_env()
        self.no_worker_since = time.monotonic()

    def _restore_env(self) -> None:
        for k, v in self._env_before.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v

    def submit(self, job: Job, attempt: int) -> None:
        """Queue an attempt here, on the client: it goes to Dask when a worker thread is free (dispatch), so a
        worker never holds a run it is not executing (a lost worker loses only its own run) and a Ctrl-C has
        nothing queued on the scheduler to chase."""
        self.pending.append((job, attempt, time.time()))

    def _dispatch(self) -> None:
        if not self.pending:
            return
        threads = self._threads()
        self._note_start(threads)
        free = threads - len(self.futures)
        while self.pending and free > 0:
            job, attempt, queued = self.pending.pop(0)
            res = job.result
            assert res is not None
            need = [str(job.run_dir)]
            build = _build_dir(res.command)
            if build is not None and not self.build_on_worker:
                need.append(build)
            now = time.time()
            spec = {"run_id": res.run_id, "key": f"{res.run_id}#a{attempt}", "command": res.command,
                    "env": res.env, "cwd": str(self.cwd), "run_dir": str(job.run_dir), "timeout_s": job.spec.timeout,
                    "need": need, "submitted": queued, "dispatched": now, "shell": res.shell_command(),
                    "unset": self._unset}
            fut = self.client.submit(run_job, spec, key=f"regress_run-{uuid.uuid4().hex}", pure=False)
            fut.add_done_callback(lambda f: self._changed.set())
            self.futures[fut] = (job, now)
            free -= 1

    def _note_start(self, threads: int) -> None:
        """One line when the first worker and when all -j workers are up (the worker start latency)."""
        if self.t_start is None or threads == 0:
            return
        t = time.monotonic() - self.t_start
        if self.t_first is None:
            self.t_first = t
        if threads >= self.n:
            print(f"cluster {self.name}: first worker up after {self.t_first:.1f} s, all {self.n} after {t:.1f} s",
                  flush=True)
            self.t_start = None

    def _threads(self) -> int:
        try:
            return int(sum(self.client.nthreads().values()))
        except Exception:           # a scheduler that went away: no worker
            return 0

    # -- progress
    def poll(self, timeout_s: float) -> list[Attempt]:
        self._dispatch()
        if not any(f.done() for f in self.futures):
            self._changed.wait(timeout_s if self.futures else min(timeout_s, 0.05))   # a done callback wakes it
        self._changed.clear()
        out: list[Attempt] = []
        lost_worker = False
        for fut in [f for f in self.futures if f.done()]:
            job, _ = self.futures.pop(fut)
            a = self._attempt(fut, job)
            lost_worker |= a.outcome == "infra"
            out.append(a)
        if lost_worker and self.spec.kind == "batch":
            self._replace_lost_workers()
        out += self._never_started()
        self._dispatch()
        return out

    def _attempt(self, fut: Any, job: Job) -> Attempt:
        if fut.status == "finished":
            d = fut.result()
            self.job_ids.add(str(d.get("batch_job_id") or ""))
            return Attempt(job, d["outcome"], d.get("rc"), d.get("message", ""), d["host"], d["worker"],
                           d["batch_job_id"], d.get("queue_wait_s"), d.get("run_s"), list(d.get("notes", [])),
                           d.get("dispatch_s"))
        if fut.status == "cancelled":
            why = "the task was cancelled (scheduler disconnected or restarted)"
        else:
            exc = fut.exception()
            why = f"worker lost mid-run ({type(exc).__name__}: {' '.join(str(exc).split())[:200]})"
        return Attempt(job, "infra", message=why)

    def _never_started(self) -> list[Attempt]:
        """Every queued attempt is an infra error when no worker has been up for start_timeout seconds (a batch job
        that never starts, a scheduler without workers). Asks the scheduler at most once a second."""
        now = time.monotonic()
        if (not self.pending and not self.futures) or now - self._checked < 1.0:
            return []
        self._checked = now
        if self._threads():
            self.no_worker_since = None
            return []
        if self.no_worker_since is None:
            self.no_worker_since = time.monotonic()
        if time.monotonic() - self.no_worker_since < self.spec.start_timeout:
            return []
        self.no_worker_since = None
        why = f"no worker started within {self.spec.start_timeout:g} s ({self._queue_state()})"
        out = [Attempt(job, "infra", message=why) for job, _, _ in self.pending]
        self.pending.clear()
        for fut, (job, _) in list(self.futures.items()):
            fut.cancel()
            self.futures.pop(fut)
            out.append(Attempt(job, "infra", message=why))
        if self.spec.kind == "batch":
            self._replace_lost_workers()
        return out

    def _queue_state(self) -> str:
        if self.name != "slurm":
            return f"the {self.name} jobs stayed queued: check the queue, account and walltime in {self.spec.source}"
        r = subprocess.run(["squeue", "-h", "-o", "%i %T %r", "-n", "dask-worker"], capture_output=True, text=True,
                           check=False)
        jobs = "; ".join(ln.strip() for ln in r.stdout.splitlines()[:3] if ln.strip()) or "no job"
        return f"squeue: {jobs}: check the partition, account and walltime in {self.spec.source}"

    def _replace_lost_workers(self) -> None:
        """dask-jobqueue keeps a dead job in its spec: scale down to the live workers, then up again."""
        with contextlib.suppress(Exception):
            self.cluster.scale(jobs=len(self.client.nthreads()))
            self.cluster.scale(jobs=self.n)

    def running(self) -> int:
        return len(self.futures)

    # -- the end
    def cancel(self) -> None:
        if self.client is None:
            return
        self.pending.clear()
        with contextlib.suppress(Exception):
            self.client.cancel(list(self.futures), force=True)
        with contextlib.suppress(Exception):
            self.client.run(kill_all)                       # the running runs' process groups, on every worker
        self.futures.clear()
        self._close_cluster()

    def close(self) -> None:
        self._close_cluster()
        self._restore_env()
        if self._cfg is not None:
            self._cfg.__exit__(None, None, None)
            self._cfg = None

    def _close_cluster(self) -> None:
        ids = set(self._batch_ids())
        if self.client is not None:
            with contextlib.suppress(Exception):
                self.client.close(timeout=10)
            self.client = None
        if self.cluster is not None:
            with contextlib.suppress(Exception):
                self.cluster.close(timeout=30)
            self.cluster = None
        if self.name == "slurm" and ids:                    # squeue empty when we return
            wait_until(lambda: not _in_squeue(ids), QUEUE_GONE_S)

    def _batch_ids(self) -> list[str]:
        if self.spec.kind != "batch" or self.cluster is None:
            return []
        ids = [str(getattr(w, "job_id", "") or "") for w in getattr(self.cluster, "workers", {}).values()]
        return [i for i in {*ids, *self.job_ids} if i]


def _import_jobqueue() -> Any:
    """dask_jobqueue, without the SIGINT handler its runner module installs on import (sys.exit): Ctrl-C must stay
    a KeyboardInterrupt, which cancels the runs and the batch jobs (drive.py)."""
    old = signal.getsignal(signal.SIGINT)
    try:
        return importlib.import_module("dask_jobqueue")
    finally:
        signal.signal(signal.SIGINT, old)


def _in_squeue(ids: set[str]) -> bool:
    r = subprocess.run(["squeue", "-h", "-o", "%i", "-j", ",".join(sorted(ids))], capture_output=True, text=True,
                       check=False)
    return bool(set(r.stdout.split()) & ids)


def _build_dir(command: list[str]) -> str | None:
    return command[command.index("--build-dir") + 1] if "--build-dir" in command else None


def describe(spec: ClusterSpec, n: int) -> str:
    if spec.kind == "batch":
        kw = jobqueue_kwargs(spec, "python")
        return (f"{spec.name}: {spec.get('max_jobs', n)} job(s) of {kw['cores']} core(s), {kw['memory']}, walltime "
                f"{kw.get('walltime', '-')}, queue {kw.get('queue', 'default')}, worker "
                f"{shlex.join(kw['worker_extra_args'])}")
    return f"{spec.name}: {n} worker(s)"


__all__ = ["DaskBackend", "describe", "jobqueue_kwargs"]
