"""What a Dask worker executes for one run: `run_job(spec)`, a plain function (cloudpickle sends a reference to
it; the worker imports this module from the same shared checkout). It checks that the worker sees the run's
paths (the shared-filesystem assumption), writes run.log as the local runner does, runs the run's own command
under guard.py in a new session, enforces the test's timeout, and returns where and how it ran. It never
raises for the run's own outcome: an exception from a future is the infrastructure's (drive.py)."""
from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

GUARD = str(Path(__file__).with_name("guard.py"))
BATCH_ID_VARS = ("SLURM_JOB_ID", "LSB_JOBID", "PBS_JOBID", "JOB_ID", "CLUSTER_ID")   # slurm lsf pbs sge htcondor
LAUNCH_FILE = ".launch.json"      # in the run directory: which attempt started it (a silent restart shows)
_RUNNING: dict[str, subprocess.Popen[bytes]] = {}     # run_id -> its guard (a group leader), on this worker
_LOCK = threading.Lock()


def _worker_name() -> str:
    try:
        from distributed import get_worker
        return str(get_worker().name)
    except (ImportError, ValueError):
        return ""


def batch_job_id() -> str:
    for var in BATCH_ID_VARS:
        if os.environ.get(var):
            return os.environ[var]
    return ""


def _kill(proc: subprocess.Popen[bytes], grace: float) -> None:
    """SIGTERM the guard's process group (the guard passes it on and SIGKILLs the group 0.5 s later), SIGKILL
    after `grace` s."""
    for sig, wait in ((signal.SIGTERM, grace), (signal.SIGKILL, 0.0)):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            return
        end = time.monotonic() + wait
        while time.monotonic() < end:
            if proc.poll() is not None:
                return
            time.sleep(0.05)


def _environment(spec: dict[str, Any]) -> dict[str, str]:
    """The worker's environment without what Dask's nanny added for its own workers (spec["unset"]: the malloc and
    BLAS thread settings of distributed.nanny.pre-spawn-environ), plus the run's own variables."""
    unset = set(spec.get("unset", ()))
    return {**{k: v for k, v in os.environ.items() if k not in unset}, **spec["env"]}


def run_job(spec: dict[str, Any]) -> dict[str, Any]:
    """spec: run_id, key (this attempt), command, env, cwd, run_dir, timeout_s, need (paths the worker must see),
    submitted (the client's time.time() when the run was queued), dispatched (... when it was given to Dask).
    Returns outcome (done / timeout / unreachable), rc, message, host, worker, batch_job_id, queue_wait_s (queued
    -> started), dispatch_s (given to Dask -> started), run_s, notes."""
    start = time.time()
    info: dict[str, Any] = {"host": socket.gethostname(), "worker": _worker_name(), "batch_job_id": batch_job_id(),
                            "queue_wait_s": max(0.0, start - float(spec["submitted"])),
                            "dispatch_s": max(0.0, start - float(spec["dispatched"])), "notes": []}
    for path in spec["need"]:
        if not os.path.exists(path):
            return {**info, "outcome": "unreachable", "rc": None, "run_s": 0.0,
                    "message": f"worker {info['worker'] or '?'} on {info['host']} cannot see {path} (workers must "
                               f"share the submitting host's filesystem at the same path; or --build-on-worker)"}
    run_dir = Path(spec["run_dir"])
    marker = run_dir / LAUNCH_FILE
    try:
        prev = json.loads(marker.read_text())
        if prev.get("key") == spec["key"]:
            info["notes"].append(f"restarted by the scheduler after worker {prev.get('worker')} on "
                                 f"{prev.get('host')} went away")
    except (OSError, ValueError):
        pass
    marker.write_text(json.dumps({"key": spec["key"], "host": info["host"], "worker": info["worker"]}) + "\n")
    (run_dir / "results.xml").unlink(missing_ok=True)      # an earlier attempt's result must not count
    with open(run_dir / "run.log", "wb") as log:
        log.write(f"$ {spec['shell']}\n".encode())
        log.flush()
        proc = subprocess.Popen([sys.executable, "-I", "-S", GUARD, "--", *spec["command"]], cwd=spec["cwd"],
                                env=_environment(spec), stdout=log, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, start_new_session=True)
        with _LOCK:
            _RUNNING[spec["run_id"]] = proc
        timed_out = threading.Event()

        def on_timeout() -> None:
            timed_out.set()
            _kill(proc, 5.0)
        timer = threading.Timer(float(spec["timeout_s"]), on_timeout)
        timer.start()
        try:
            proc.wait()                                    # blocking: returns the moment the command ends
        finally:
            timer.cancel()
            with _LOCK:
                _RUNNING.pop(spec["run_id"], None)
        outcome = "timeout" if timed_out.is_set() else "done"
    return {**info, "outcome": outcome, "rc": proc.returncode, "message": "", "run_s": time.time() - start}


def kill_all(grace: float = 2.0) -> list[str]:
    """Kill every run executing on this worker (Client.run on Ctrl-C); returns their run ids."""
    with _LOCK:
        running = dict(_RUNNING)
    for proc in running.values():
        _kill(proc, grace)
    return sorted(running)


__all__ = ["batch_job_id", "kill_all", "run_job"]
