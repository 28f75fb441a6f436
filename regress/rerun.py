"""Reruns of recorded runs: `regress run ... --rerun-failed` (one run per failure bucket, with FST waves and
verbose logs) and the command rewriting that `regress debug` shares.

    entries = rerun_failed(results, out, say=print)     # OUT/rerun/<run_id>/ + OUT/reruns.json

A rerun is the run's own regress.simrun (or regress.scrun) command (same master seed, so the same stimulus bit
for bit) sent to another directory. With waves it needs a build with --trace-fst: LE_WAVES=1 makes eda/simbuild.py build
(and cache) that variant, so the recorded --build-dir is dropped and the build is looked up from the sources.
Verbose: cocotb and pyuvm log at DEBUG (COCOTB_LOG_LEVEL=DEBUG). A pyuvm rerun dumps only the last
wave_window.BEFORE_CYCLES cycles before the time the failing run ended (the same time again: same seed) to the
end, and writes waves.gtkw beside the FST (regress/wave_window.py); a run that recorded no end time is dumped whole.
"""
from __future__ import annotations

import json
import os
import shlex
import subprocess
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from regress.buckets import bucket
from regress.results import RunResult, parse_cocotb_results, wave_files, write_cmd_sh
from regress.runner import kill_group
from regress.wave_window import BEFORE_CYCLES, Window, end_ps, plusargs

REPO = Path(__file__).resolve().parents[1]
RERUNS_FILE = "reruns.json"
VERBOSE_ENV = {"COCOTB_LOG_LEVEL": "DEBUG"}
DEFAULT_TIMEOUT_S = 3600.0       # a run with no recorded timeout


class RerunError(RuntimeError):
    """A recorded command that cannot be rerun; str() is one line."""


def retarget(command: Sequence[str], out_dir: Path, plusargs: Sequence[str] = ()) -> list[str]:
    """`command` (a regress.simrun or regress.scrun command) writing into `out_dir`, without its pinned build,
    plus `plusargs`."""
    if "regress.simrun" not in command and "regress.scrun" not in command:
        raise RerunError(f"the recorded command is not a regress.simrun or regress.scrun command: "
                         f"{shlex.join(command)[:120]}")
    out: list[str] = []
    skip = False
    for arg in command:
        if skip:
            skip = False
        elif arg in ("--build-dir", "--expect-build", "--out"):
            skip = True
        else:
            out.append(arg)
    for p in plusargs:
        out += ["--plusarg", p]
    return [*out, "--out", str(out_dir)]


def run_command(cmd: list[str], env_add: dict[str, str], out_dir: Path, cls: str,
                timeout: float) -> tuple[str, float]:
    """Run `cmd` into `out_dir` (run.log, cmd.sh); returns (status, wall seconds)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "results.xml").unlink(missing_ok=True)
    write_cmd_sh(out_dir, REPO, cmd, env_add)
    t0 = time.monotonic()
    with open(out_dir / "run.log", "wb") as log:
        proc = subprocess.Popen(cmd, cwd=REPO, env={**os.environ, **env_add}, stdout=log, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, start_new_session=True)
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            kill_group(proc)                  # the simulator is a grandchild: the whole process group goes
            return "timeout", time.monotonic() - t0
        except KeyboardInterrupt:
            kill_group(proc, grace=2.0)
            raise
    parsed = parse_cocotb_results(out_dir / "results.xml", cls)
    status = parsed[0] if parsed else "crash"
    if status == "pass" and proc.returncode != 0:      # as the runner judges a run (runner._finish)
        status = "crash"
    return status, time.monotonic() - t0


def waves_file(directory: Path) -> Path | None:
    found = wave_files(directory)
    return found[0] if found else None


def failure_window(res: RunResult, out_dir: Path) -> list[str]:
    """The plusargs of a pyuvm rerun's dump window: BEFORE_CYCLES up to where the failing run ended, to the end
    (none for a SystemC run, or when the run recorded no end time)."""
    end = end_ps(res.sim_time_ns) if res.engine == "pyuvm" else None
    return [] if end is None else plusargs(Window(end, BEFORE_CYCLES, None), out_dir)


def rerun_failed(results: Sequence[RunResult], out: Path, timeout: Callable[[RunResult], float] | None = None,
                 say: Callable[[str], None] = print,
                 command: Callable[[RunResult, Path], list[str]] | None = None) -> list[dict[str, Any]]:
    """Rerun the first run of every failure bucket with waves and verbose logs; write OUT/reruns.json.
    `timeout(result)`: seconds (default the run's own test-list timeout); `command(result, directory)`: the
    rerun's command (default the run's own, retargeted)."""
    timeout = timeout or (lambda r: r.timeout_s or DEFAULT_TIMEOUT_S)
    command = command or (lambda r, d: retarget(r.command, d, failure_window(r, d)))
    entries: list[dict[str, Any]] = []
    for b in bucket([r for r in results if r.failed]):
        res: RunResult = b.runs[0]
        rdir = (out / "rerun" / res.run_id).resolve()
        env_add = {**res.env, "LE_WAVES": "1", **VERBOSE_ENV}
        say(f"rerun with waves: {res.run_id} ({len(b.runs)} run(s) in bucket {b.signature})")
        try:
            cmd = command(res, rdir)
        except RerunError as exc:
            say(f"  not rerun: {exc}")
            continue
        status, wall = run_command(cmd, env_add, rdir, res.cls, timeout(res))
        wave = waves_file(rdir)
        entries.append({"bucket": str(b.signature), "run_id": res.run_id, "dir": str(rdir),
                        "waves": str(wave) if wave else None, "log": str(rdir / "run.log"), "status": status,
                        "original_status": res.status, "wall_s": round(wall, 3)})
        say(f"  {status} in {wall:.1f} s; waves {wave or '(none)'}; log {rdir / 'run.log'}")
    (out / RERUNS_FILE).write_text(json.dumps(entries, indent=2) + "\n")
    return entries
