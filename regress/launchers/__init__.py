"""Launchers: where the runs of a regression execute (dvsim's launcher split: one backend interface, several
backends). `regress run SUITE --cluster NAME`:

| NAME | backend |
| --- | --- |
| `local` (default) | today's subprocess pool on this machine (`-j` at a time): regress.runner.execute |
| `dask-local` | a `distributed.LocalCluster` of `-j` one-thread workers on this machine |
| `slurm`, `lsf`, `pbs`, `sge`, `htcondor` | dask-jobqueue: `-j` (or `max_jobs`) one-core batch jobs, one worker each |
| `tcp://HOST:PORT` | an existing Dask scheduler and its workers |
| `fake` | the tests' backend: no processes, scripted outcomes (regress/launchers/fake.py) |

Every backend but `local` goes through one driver (drive.py): it submits each run, turns what the backend
reports into the run's result (the same regress.runner.finish_result as a local run), retries a run lost to the
infrastructure (a worker lost mid-run, a scheduler disconnect, a batch job that never started: `infra_retries`,
default 1) and records it as status `infra` when every attempt was lost; each run is counted exactly once.
Cluster settings: regress/clusters.yaml (clusters.py). A Dask task runs the run's own command (task.py) under a
guard process (guard.py) that kills the command when its worker dies.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from regress.runner import Job
from regress.testlist import TestListError


class ClusterError(TestListError):
    """A misconfigured cluster (bad YAML, unknown cluster, no sbatch, no such partition): one line naming the fix;
    `regress run` exits 2 before any build (a TestListError, so the CLI treats it as a usage error)."""


@dataclass
class Attempt:
    """What a backend reports about one attempt of a run.

    outcome: `done` (the command ended: rc), `timeout` (killed after the test's timeout), `infra` (lost to the
    infrastructure: retried), `unreachable` (the worker cannot see a path of the run: not retried)."""
    job: Job
    outcome: str
    rc: int | None = None
    message: str = ""
    host: str = ""
    worker: str = ""
    batch_job_id: str = ""
    queue_wait_s: float | None = None
    run_s: float | None = None
    notes: list[str] = field(default_factory=list)      # e.g. a silent restart by the scheduler
    dispatch_s: float | None = None                      # handed to the backend -> its command started


class Backend(Protocol):
    """One way to execute runs. pick.opened calls start() before the builds (workers come up meanwhile) and close()
    at the end, always; the driver calls submit() per attempt, poll() until every run has an outcome, cancel() on
    Ctrl-C / SIGTERM."""
    name: str

    def start(self) -> None: ...

    def submit(self, job: Job, attempt: int) -> None: ...

    def poll(self, timeout_s: float) -> list[Attempt]:
        """The attempts that ended since the last poll (waits at most `timeout_s` for one)."""
        ...

    def running(self) -> int:
        """How many runs are executing now (for the progress line)."""
        ...

    def cancel(self) -> None:
        """Cancel the queued runs, kill the running ones, cancel the batch jobs (nothing left in the queue)."""
        ...

    def close(self) -> None: ...


__all__ = ["Attempt", "Backend", "ClusterError"]
