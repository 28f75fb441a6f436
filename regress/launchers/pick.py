"""Pick and run the backend of `--cluster`: `local` is regress.runner.execute (today's subprocess pool); every
other goes through drive.py with its Backend."""
from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from regress.launchers import Backend
from regress.launchers.clusters import ClusterSpec
from regress.launchers.drive import drive
from regress.results import RunResult
from regress.runner import REPO, CommandFactory, Job, Progress, execute


def make_backend(spec: ClusterSpec, n_jobs: int, build_on_worker: bool = False) -> Backend:
    if spec.kind == "fake":
        from regress.launchers.fake import FakeBackend
        return FakeBackend(slots=n_jobs)
    from regress.launchers.dask_backend import DaskBackend
    return DaskBackend(spec, n_jobs, build_on_worker=build_on_worker)


def run_jobs(spec: ClusterSpec, jobs: Sequence[Job], n_jobs: int, make_command: CommandFactory,
             builds: dict[str, Path | None], on_done: Callable[[RunResult], None], progress: Progress,
             backend: Backend | None = None, build_on_worker: bool = False, cwd: Path = REPO) -> bool:
    """Run `jobs`; returns True when interrupted. `backend` overrides the one `spec` names (tests)."""
    if backend is None and spec.kind == "local":
        return execute(jobs, n_jobs, make_command, builds, on_done, progress, cwd=cwd)
    if not jobs:
        return False
    return drive(backend or make_backend(spec, n_jobs, build_on_worker), jobs, on_done, progress,
                 retries=spec.retries)


__all__ = ["make_backend", "run_jobs"]
