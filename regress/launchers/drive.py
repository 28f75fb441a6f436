"""The driver of every non-local backend: submit each run, turn the backend's attempts into results, retry the
runs lost to the infrastructure, cancel everything on Ctrl-C / SIGTERM. Each run reaches `on_done` exactly once:
an attempt of a run that already has its result (a late duplicate from a backend) is dropped."""
from __future__ import annotations

import signal
import threading
import time
from collections.abc import Callable, Sequence

from regress.launchers import Attempt, Backend
from regress.results import INFRA, RunResult, log_tail
from regress.runner import Job, Progress, finish_result, raise_stopped, stop_reason

POLL_S = 0.2


def _placement(res: RunResult, a: Attempt, backend: str) -> None:
    res.backend = backend
    res.host, res.worker, res.batch_job_id = a.host, a.worker, a.batch_job_id
    res.queue_wait_s = None if a.queue_wait_s is None else round(a.queue_wait_s, 3)
    res.run_s = None if a.run_s is None else round(a.run_s, 3)
    res.dispatch_s = None if a.dispatch_s is None else round(a.dispatch_s, 3)


def _lost(job: Job, a: Attempt, backend: str) -> RunResult:
    res = job.result
    assert res is not None
    _placement(res, a, backend)
    res.status, res.kind = INFRA, "InfraError"
    res.message = res.infra_errors[-1] if res.infra_errors else a.message
    res.wall_s = a.run_s or 0.0
    res.traceback = log_tail(job.run_dir / "run.log")
    return res


def drive(backend: Backend, jobs: Sequence[Job], on_done: Callable[[RunResult], None], progress: Progress,
          retries: int = 1, poll_s: float = POLL_S) -> str | None:
    """Run `jobs` on `backend` (started; its owner closes it: pick.opened); returns None, or what stopped it
    (SIGINT / Ctrl-C, SIGTERM: the backend cancels its queued runs, kills the running ones and its batch jobs; runs
    that had started are recorded `interrupted`)."""
    by_id = {id(j): j for j in jobs}
    open_ids = set(by_id)
    tries = dict.fromkeys(by_id, 1)
    main = threading.current_thread() is threading.main_thread()
    old = signal.signal(signal.SIGTERM, raise_stopped) if main else None
    try:
        for job in jobs:
            backend.submit(job, 1)
        while open_ids:
            for a in backend.poll(poll_s):
                key = id(a.job)
                if key not in open_ids:
                    continue                              # never double-count: this run already has its result
                res = a.job.result
                assert res is not None
                res.infra_errors += a.notes
                if a.outcome in ("infra", "unreachable"):
                    res.infra_errors.append(a.message)
                    if a.outcome == "infra" and tries[key] <= retries:
                        tries[key] += 1
                        res.attempts = tries[key]
                        progress.line(f"{'INFRA':<11} {res.run_id}: {a.message} (retry {tries[key] - 1} of "
                                      f"{retries})")
                        backend.submit(a.job, tries[key])
                        continue
                    open_ids.discard(key)
                    on_done(_lost(a.job, a, backend.name))
                    continue
                open_ids.discard(key)
                res = finish_result(a.job, a.rc, "timeout" if a.outcome == "timeout" else "done", a.run_s or 0.0)
                _placement(res, a, backend.name)
                on_done(res)
            progress.running = backend.running()
            progress.refresh()
        return None
    except KeyboardInterrupt as exc:
        reason = stop_reason(exc)
        backend.cancel()
        for key in sorted(open_ids, key=lambda k: jobs.index(by_id[k])):
            job = by_id[key]
            if (job.run_dir / "run.log").is_file():          # it had started: interrupted, as a local run
                res = finish_result(job, None, "interrupted", 0.0, reason)
                res.backend = backend.name
                on_done(res)
        return reason
    finally:
        if old is not None:
            signal.signal(signal.SIGTERM, old)


def wait_until(pred: Callable[[], bool], timeout_s: float, step_s: float = 0.2) -> bool:
    end = time.monotonic() + timeout_s
    while time.monotonic() < end:
        if pred():
            return True
        time.sleep(step_s)
    return pred()


__all__ = ["drive", "wait_until"]
