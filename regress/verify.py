"""`regress verify`: the fix -> verify step. Re-runs failing runs of an earlier regression on the current tree, with
the same seeds and command, and says per run what happened.

    regress verify RUN_DIR_OR_OUT... [--recorded-build] [--out DIR]

A RUN_DIR is one run's folder (its results.json); a regression's OUT folder stands for all its failed runs. By
default a run is built from the current sources (a pyuvm run without its recorded `--build-dir`: regress.simrun
builds through the content-hash cache and warns when the build differs from the recorded one; a systemc run always
builds from the sources); `--recorded-build` runs the recorded binary instead (the failing run bit for bit, e.g.
before a fix). Per run, first one line on the sources against the failing run's (git HEAD, the uncommitted diff's
sha256), then, when the sources and build are the same, whether the transaction log is bit for bit the failing
run's, and last the verdict: "passes now", "still fails (same signature)" or "fails differently (new signature:
...)". repro.sh is `regress verify` of its own run (regress/results.py repro_script).

Exit 0: every run passes now; 1: any still fails or fails differently; 2: bad input (one line, nothing run).
"""
from __future__ import annotations

import argparse
import hashlib
import json
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from regress.buckets import signature
from regress.rerun import run_command
from regress.results import TXN_HASH, parse_cocotb_results, with_sva

REPO = Path(__file__).resolve().parents[1]
PASSES, SAME, DIFFERENT = "passes now", "still fails (same signature)", "fails differently"


class VerifyError(ValueError):
    """Bad input: one line, exit 2."""


@dataclass(frozen=True)
class Sources:
    sha: str
    diff_sha256: str | None          # of `git diff HEAD` when the tree was dirty; None: clean (or unknown)

    def describe(self) -> str:
        return f"{self.sha[:12]}{', uncommitted diff ' + self.diff_sha256[:12] if self.diff_sha256 else ', clean'}"


def current_sources(repo: Path = REPO) -> Sources:
    def git(*args: str) -> bytes:
        return subprocess.run(["git", *args], cwd=repo, capture_output=True, check=False).stdout
    sha = git("rev-parse", "HEAD").decode().strip() or "unknown"
    diff = git("diff", "HEAD")
    return Sources(sha, hashlib.sha256(diff).hexdigest() if diff.strip() else None)


def recorded_sources(out: Path) -> Sources | None:
    """The failing regression's sources: its results.json git line and its git.diff (None when not recorded)."""
    try:
        git = json.loads((out / "results.json").read_text()).get("git", {})
    except (OSError, ValueError):
        return None
    if not isinstance(git, dict) or not git.get("sha"):
        return None
    diff = out / "git.diff"
    dirty = bool(git.get("dirty"))
    return Sources(str(git["sha"]), hashlib.sha256(diff.read_bytes()).hexdigest() if dirty and diff.is_file() else
                   ("unrecorded" if dirty else None))


def failing_runs(paths: list[Path]) -> list[tuple[dict[str, Any], Path]]:
    """(run record, the regression folder) of every run named: a run folder, or every failed run of an OUT."""
    found: list[tuple[dict[str, Any], Path]] = []
    for p in paths:
        p = p.resolve()
        doc_path = p / "results.json"
        try:
            doc = json.loads(doc_path.read_text())
        except (OSError, ValueError):
            raise VerifyError(f"{p}: no readable results.json (give a run folder or a regression's output folder)") \
                from None
        if "runs" in doc:                                    # a regression's OUT
            runs = [r for r in doc["runs"] if not r.get("passed") and r.get("signature")]
            found += [(r, p) for r in runs]
        elif "command" in doc and "run_id" in doc:          # one run
            found.append((doc, p.parent.parent))
        else:
            raise VerifyError(f"{doc_path}: neither a run's nor a regression's results.json")
    if not found:
        raise VerifyError("no failed run among " + ", ".join(str(p) for p in paths))
    return found


def command_for(run: dict[str, Any], out_dir: Path, recorded_build: bool) -> list[str]:
    """The recorded command with --out changed; without --recorded-build, a pyuvm run builds from the sources."""
    cmd = [str(c) for c in run["command"]]
    if "--out" in cmd:
        cmd[cmd.index("--out") + 1] = str(out_dir)
    if "--build-dir" in cmd:
        i = cmd.index("--build-dir")
        if recorded_build:
            if not Path(cmd[i + 1]).is_dir():
                raise VerifyError(f"{run['run_id']}: --recorded-build: the recorded build {cmd[i + 1]} is gone "
                                  f"(run without --recorded-build to build from the sources)")
        else:
            del cmd[i:i + 2]
    return cmd


def _hash(path: Path) -> str | None:
    return path.read_text().split(" ", 1)[0] if path.is_file() else None


def verify_one(run: dict[str, Any], regression: Path, out_dir: Path, recorded_build: bool, now: Sources,
               say: Callable[[str], None] = print) -> str:
    """Re-run one failed run; returns PASSES, SAME or DIFFERENT (say() gets the lines)."""
    rid = run["run_id"]
    old = recorded_sources(regression)
    if old is None:
        say(f"{rid}: sources: the failing run's are not recorded; now {now.describe()}")
    elif old == now:
        say(f"{rid}: sources: the same as the failing run's ({now.describe()})")
    else:
        say(f"{rid}: sources DIFFER from the failing run's: then {old.describe()}, now {now.describe()}")
    if recorded_build and run.get("engine") == "systemc":
        say(f"{rid}: --recorded-build: a systemc run builds from the sources (the cached build when unchanged)")
    cmd = command_for(run, out_dir, recorded_build)
    say(f"{rid}: re-running into {out_dir} ({'the recorded build' if recorded_build else 'built from the sources'})")
    (out_dir / TXN_HASH).unlink(missing_ok=True)
    status, _ = run_command(cmd, dict(run.get("env") or {}), out_dir, str(run["cls"]),
                            float(run.get("timeout_s") or 3600))
    was, got = _hash(Path(run["run_dir"]) / TXN_HASH), _hash(out_dir / TXN_HASH)
    if was and got and (old == now or recorded_build):
        say(f"{rid}: " + (f"bit for bit: transaction log sha256 {got[:16]} equals the failing run's" if was == got
                          else f"WARNING: the transaction log differs from the failing run's ({was[:16]} vs "
                               f"{got[:16]}) on the same sources"))
    if status == "pass":
        verdict = PASSES
    else:
        new = outcome_signature(out_dir, str(run["cls"]), status)
        verdict = SAME if new == run.get("signature") else DIFFERENT
        if verdict == DIFFERENT:
            say(f"{rid}: was: {run.get('signature')}")
            verdict = f"{DIFFERENT} (new signature: {new})"
    say(f"{rid}: {verdict}")
    return verdict


def outcome_signature(out_dir: Path, cls: str, status: str) -> str:
    """The bucket signature of a failed re-run in `out_dir` (its results.xml; a crash or timeout without one: the
    status), comparable with a recorded run's `signature`."""
    parsed = parse_cocotb_results(out_dir / "results.xml", cls)
    kind, message, tb = (parsed[1], parsed[2], parsed[3]) if parsed else (status, f"no verdict ({status})", "")
    kind, message, tb = with_sva(status, kind, message, tb, out_dir / "run.log")    # an assertion names the bucket
    return str(signature(kind, message, tb))


def add_parser(sub: Any) -> None:
    p = sub.add_parser("verify", help="re-run failed runs on the current tree: fixed / still failing / new failure")
    p.add_argument("paths", nargs="+", type=Path, help="run folders, or regression output folders (their failures)")
    p.add_argument("--recorded-build", action="store_true", help="run the recorded build, not the current sources")
    p.add_argument("--out", type=Path, help="where the re-runs go (default build/verify; one folder per run)")


def main(args: argparse.Namespace) -> int:
    try:
        runs = failing_runs(list(args.paths))
        base = (args.out or REPO / "build" / "verify").resolve()
        for run, _ in runs:
            command_for(run, base / str(run["run_id"]), args.recorded_build)     # checked before anything runs
    except VerifyError as exc:
        print(f"regress verify: {exc}", file=sys.stderr)
        return 2
    now = current_sources()
    verdicts = [verify_one(run, reg, base / str(run["run_id"]), args.recorded_build, now) for run, reg in runs]
    fixed = sum(v == PASSES for v in verdicts)
    same = sum(v == SAME for v in verdicts)
    print(f"regress verify: {len(verdicts)} run(s): {fixed} fixed, {same} still failing, "
          f"{len(verdicts) - fixed - same} failing differently")
    return 0 if fixed == len(verdicts) else 1
