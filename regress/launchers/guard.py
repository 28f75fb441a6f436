"""The guard of one run on a Dask worker: `python -I -S guard.py -- COMMAND...` (run by path, without site: it
imports only os, signal, sys, threading and time, to start in a few ms). It leads a new process group, runs
COMMAND in it and waits; when its parent (the worker process) dies, or on SIGTERM / SIGINT, it kills the whole
group (COMMAND's children too: the simulator is a grandchild), so a run whose worker was lost does not go on
writing into the run directory its retry is using. It ends as COMMAND ended (its exit status, or the same
signal)."""
from __future__ import annotations

import os
import signal
import sys
import threading
import time

GRACE_S = 5.0


def _alive(pid: int) -> bool:
    try:
        return os.waitpid(pid, os.WNOHANG) == (0, 0)
    except ChildProcessError:
        return False


def kill_group(pid: int, grace: float = GRACE_S) -> None:
    """SIGTERM the group (the guard ignores it), SIGKILL it (the guard too) when the command has not ended within
    `grace` s or as soon as it has (its children may linger)."""
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    os.killpg(0, signal.SIGTERM)
    end = time.monotonic() + grace
    while pid and _alive(pid) and time.monotonic() < end:
        time.sleep(0.05)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    os.killpg(0, signal.SIGKILL)          # the guard goes with its group


def main(argv: list[str]) -> int:
    if not argv or argv[0] != "--" or len(argv) < 2:
        print("usage: guard.py -- COMMAND...", file=sys.stderr)
        return 2
    parent = os.getppid()
    pid = 0

    def on_signal(signum: int, frame: object) -> None:
        kill_group(pid)
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    pid = os.posix_spawnp(argv[1], argv[1:], os.environ)       # same process group as the guard
    done = threading.Event()

    def watch_parent() -> None:
        while not done.wait(0.25):
            if os.getppid() != parent:                 # the worker died: nothing will collect this run
                print("guard: the worker process is gone: killing the run", flush=True)
                os.killpg(0, signal.SIGTERM)           # (the guard's own handler starts kill_group too)
                time.sleep(0.5)
                os.killpg(0, signal.SIGKILL)
    threading.Thread(target=watch_parent, daemon=True).start()
    _, status = os.waitpid(pid, 0)                     # blocking: returns the moment the command ends
    done.set()
    if os.WIFSIGNALED(status):                         # end as the command ended: the same signal
        sig = os.WTERMSIG(status)
        signal.signal(sig, signal.SIG_DFL)
        os.kill(os.getpid(), sig)
    return os.waitstatus_to_exitcode(status)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
