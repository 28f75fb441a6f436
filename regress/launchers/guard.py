"""The guard of one run on a Dask worker: `python guard.py -- COMMAND...` (run by path: it imports nothing of the
project). It leads a new process group, runs COMMAND in it and waits; when its parent (the worker process) dies,
or on SIGTERM / SIGINT, it kills the whole group (COMMAND's children too: the simulator is a grandchild), so a
run whose worker was lost does not go on writing into the run directory its retry is using. It ends as
COMMAND ended (its exit status, or the same signal)."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time

GRACE_S = 5.0


def kill_group(proc: subprocess.Popen[bytes] | None, grace: float = GRACE_S) -> None:
    """SIGTERM the group (the guard ignores it), SIGKILL it (the guard too) when the command has not ended within
    `grace` s or as soon as it has (its children may linger)."""
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    os.killpg(0, signal.SIGTERM)
    end = time.monotonic() + grace
    while proc is not None and proc.poll() is None and time.monotonic() < end:
        time.sleep(0.05)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    os.killpg(0, signal.SIGKILL)          # the guard goes with its group


def main(argv: list[str]) -> int:
    if not argv or argv[0] != "--" or len(argv) < 2:
        print("usage: guard.py -- COMMAND...", file=sys.stderr)
        return 2
    parent = os.getppid()
    procs: list[subprocess.Popen[bytes]] = []

    def on_signal(signum: int, frame: object) -> None:
        kill_group(procs[0] if procs else None)
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    proc = subprocess.Popen(argv[1:])                  # same process group as the guard
    procs.append(proc)

    def watch_parent() -> None:
        while proc.poll() is None:
            if os.getppid() != parent:                 # the worker died: nothing will collect this run
                print("guard: the worker process is gone: killing the run", flush=True)
                os.killpg(0, signal.SIGTERM)           # (the guard's own handler starts kill_group too)
                time.sleep(0.5)
                os.killpg(0, signal.SIGKILL)
            time.sleep(0.25)
    threading.Thread(target=watch_parent, daemon=True).start()
    rc = proc.wait()                                   # blocking: returns the moment the command ends
    if rc < 0:                                         # end as the command ended: the same signal
        signal.signal(-rc, signal.SIG_DFL)
        os.kill(os.getpid(), -rc)
    return rc

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
