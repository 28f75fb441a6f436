"""Pick and run the backend of `--cluster`: `local` is regress.runner.execute (today's subprocess pool); every
other goes through drive.py with its Backend."""
from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Callable, Iterator, Sequence
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


@contextlib.contextmanager
def opened(spec: ClusterSpec, n_jobs: int, build_on_worker: bool = False,
           backend: Backend | None = None) -> Iterator[Backend | None]:
    """The backend of `spec` (or `backend`, tests), started, closed at the end whatever happens (a Ctrl-C during the
    builds cancels the batch jobs too); None for `local`. SIGTERM is a KeyboardInterrupt meanwhile."""
    be = backend if backend is not None or spec.kind == "local" else make_backend(spec, n_jobs, build_on_worker)
    if be is None:
        yield None
        return

    def on_term(signum: int, frame: object) -> None:
        raise KeyboardInterrupt
    main = threading.current_thread() is threading.main_thread()
    old = signal.signal(signal.SIGTERM, on_term) if main else None
    try:
        be.start()
        yield be
    finally:
        be.close()
        if old is not None:
            signal.signal(signal.SIGTERM, old)


def run_jobs(spec: ClusterSpec, jobs: Sequence[Job], n_jobs: int, make_command: CommandFactory,
             builds: dict[str, Path | None], on_done: Callable[[RunResult], None], progress: Progress,
             backend: Backend | None = None, cwd: Path = REPO) -> str | None:
    """Run `jobs` on the started `backend` (drive.py), or locally (regress.runner.execute) when it is None;
    returns None, or the signal that stopped it."""
    if backend is None:
        return execute(jobs, n_jobs, make_command, builds, on_done, progress, cwd=cwd)
    return drive(backend, jobs, on_done, progress, retries=spec.retries)


__all__ = ["make_backend", "opened", "run_jobs"]
