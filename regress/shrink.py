"""`regress shrink`: from a failing random-case run, the smallest case that still fails the same way.

    regress shrink RUN_DIR [--out DIR] [--max-runs N]

RUN_DIR is a failed run of a random-case test (RandTest, LongSeqTest, the systemc engine's sc_rand: they record
their case in RUN_DIR/case.json, verif/case_file.py). Every candidate is a real simulation: the run's own command
on the current sources (built through the cache, as `regress verify` does) with ``+le_case_file=`` a smaller case
(same master seed, so the same BFM timing draws). A candidate is kept when it fails with the same bucket signature.
The search is greedy, one field at a time (regress/shrink_cases.py: tokens, layers, the late start, vocab, heads,
head width, FFN width, max_seq, then the timing knobs off one at a time), each field's smallest value first, and
repeats the pass until nothing shrinks or --max-runs simulations ran.

First the recorded case is replayed as it is (it must fail the same way on the current tree, else exit 1). Output
in OUT (default RUN_DIR/shrink; an earlier one moves to shrink.1, ...): try-NN/ per simulation, case.json (the
smallest case), repro.sh (runs it), shrink.json (every try) and the reduction on the console, e.g.
``4 tokens x 2 layers, d_model 64 ... -> 1 token x 1 layer, d_model 16 ...; 11.2 s -> 0.9 s``.

Exit 0: done (the smallest case fails the same way); 1: the recorded case does not fail the same way now;
2: bad input (one line, nothing run).
"""
from __future__ import annotations

import argparse
import json
import shlex
import stat
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from regress.debug import keep_previous
from regress.rerun import run_command
from regress.shrink_cases import DIMENSIONS, size, timing
from regress.verify import command_for, outcome_signature
from verif.case_file import CASE_FILE, CASE_FILE_SETTING, CaseFileError, read_case_file, write_case_file
from verif.cfg_item import EngineCase

REPO = Path(__file__).resolve().parents[1]
SUMMARY = "shrink.json"
DEFAULT_MAX_RUNS = 40


class ShrinkError(ValueError):
    """Bad input: one line, exit 2."""


@dataclass
class Try:
    n: int
    what: str                  # "as recorded", "tokens 4 -> 1", ...
    status: str
    signature: str | None
    same: bool
    seconds: float

    def to_json(self) -> dict[str, Any]:
        return dict(self.__dict__)


Runner = Callable[[list[str], dict[str, str], Path, str, float], tuple[str, float]]


def load(run_dir: Path) -> tuple[dict[str, Any], EngineCase]:
    """(the run's results.json, its recorded case), checked: a failed random-case run."""
    run_dir = run_dir.resolve()
    try:
        run = json.loads((run_dir / "results.json").read_text())
    except (OSError, ValueError):
        raise ShrinkError(f"{run_dir}: no readable results.json (give one run's folder, OUT/runs/<run_id>)") from None
    if not isinstance(run, dict) or "command" not in run or "run_id" not in run:
        raise ShrinkError(f"{run_dir / 'results.json'}: not a run's results.json (give OUT/runs/<run_id>)")
    if run.get("passed") or not run.get("signature"):
        raise ShrinkError(f"{run['run_id']}: did not fail ({run.get('status')}): nothing to shrink")
    if not (run_dir / CASE_FILE).is_file():
        raise ShrinkError(f"{run['run_id']}: no {CASE_FILE}: only random-case runs (RandTest, LongSeqTest, sc_rand) "
                          f"record their case; a preset or directed test has nothing to shrink")
    try:
        case = read_case_file(run_dir / CASE_FILE)
    except CaseFileError as exc:
        raise ShrinkError(str(exc)) from None
    return run, case


def _command(run: dict[str, Any], out_dir: Path, case_path: Path) -> list[str]:
    return [*command_for(run, out_dir, recorded_build=False), "--plusarg", f"+le_{CASE_FILE_SETTING}={case_path}"]


def _change(old: EngineCase, new: EngineCase, label: str) -> str:
    a, b = old.cfg, new.cfg
    parts = [f"{k} {getattr(a, k)} -> {getattr(b, k)}" for k in ("n_layers", "vocab", "n_heads", "d_head", "d_model",
                                                                  "d_ff", "max_seq") if getattr(a, k) != getattr(b, k)]
    parts += [f"{k} {getattr(old, k)} -> {getattr(new, k)}" for k in ("n_tokens", "t0")
              if getattr(old, k) != getattr(new, k)]
    return f"{label}: " + (", ".join(parts) if parts else "off")


class Shrinker:
    def __init__(self, run: dict[str, Any], out: Path, max_runs: int, runner: Runner = run_command,
                 say: Callable[[str], None] = print) -> None:
        self.run, self.out, self.max_runs, self.runner, self.say = run, out, max_runs, runner, say
        self.tries: list[Try] = []
        self.want = str(run["signature"])
        self.timeout = float(run.get("timeout_s") or 3600)

    def attempt(self, case: EngineCase, what: str) -> Try:
        n = len(self.tries)
        d = self.out / f"try-{n:02d}"
        d.mkdir(parents=True, exist_ok=True)
        path = write_case_file(case, d / "input_case.json")
        status, secs = self.runner(_command(self.run, d, path), dict(self.run.get("env") or {}), d,
                                   str(self.run["cls"]), self.timeout)
        sig = None if status == "pass" else outcome_signature(d, str(self.run["cls"]), status)
        t = Try(n, what, status, sig, sig == self.want, round(secs, 3))
        self.tries.append(t)
        verdict = "same failure: kept" if t.same else ("passes" if status == "pass" else f"fails differently ({sig})")
        self.say(f"  try {n:2d} {what}: {verdict} ({secs:.1f} s)")
        return t

    def search(self, case: EngineCase) -> EngineCase:
        changed = True
        while changed and len(self.tries) < self.max_runs:
            changed = False
            for label, dimension in DIMENSIONS:
                for cand in dimension(case):
                    if len(self.tries) >= self.max_runs:
                        return case
                    if self.attempt(cand, _change(case, cand, label)).same:
                        case, changed = cand, True
                        break
        return case


def _write_repro(out: Path, run: dict[str, Any], case_path: Path) -> Path:
    cmd = _command(run, out / "repro", case_path)
    env = " ".join(f"{k}={shlex.quote(str(v))}" for k, v in sorted((run.get("env") or {}).items()))
    path = out / "repro.sh"
    path.write_text("#!/bin/sh\n"
                    f"# regress shrink of {run['run_id']}: the smallest case found ({case_path.name}) that fails with\n"
                    f"# the same signature: {run['signature']}\n"
                    f"cd {shlex.quote(str(REPO))} || exit 2\n"
                    f"{env + ' ' if env else ''}exec {shlex.join(cmd)} \"$@\"\n")
    path.chmod(path.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    return path


def shrink(run_dir: Path, out: Path | None = None, max_runs: int = DEFAULT_MAX_RUNS, runner: Runner = run_command,
           say: Callable[[str], None] = print) -> int:
    run, base = load(run_dir)
    out = (out or run_dir.resolve() / "shrink").resolve()
    kept = keep_previous(out, SUMMARY)
    if kept is not None:
        say(f"regress shrink: the previous shrink is kept in {kept}")
    t0 = time.monotonic()
    sh = Shrinker(run, out, max_runs, runner, say)
    say(f"regress shrink: {run['run_id']} ({run['signature']})")
    say(f"  from {size(base)}; {timing(base)}")
    first = sh.attempt(base, "as recorded")
    if not first.same:
        say(f"regress shrink: the recorded case does not fail the same way on the current tree "
            f"({first.status}{': ' + str(first.signature) if first.signature else ''}): nothing to shrink")
        _summary(out, run, base, base, sh, first.seconds, first.seconds, time.monotonic() - t0)
        return 1
    best = sh.search(base)
    final = next(t for t in reversed(sh.tries) if t.same)
    case_path = write_case_file(best, out / CASE_FILE)
    repro = _write_repro(out, run, case_path)
    _summary(out, run, base, best, sh, first.seconds, final.seconds, time.monotonic() - t0)
    say(f"regress shrink: {size(base)}; {timing(base)}")
    say(f"            -> {size(best)}; {timing(best)}")
    say(f"            {first.seconds:.1f} s -> {final.seconds:.1f} s per run; {len(sh.tries)} simulations in "
        f"{time.monotonic() - t0:.0f} s{' (--max-runs reached)' if len(sh.tries) >= max_runs else ''}")
    say(f"case: {case_path}  repro: sh {repro}")
    return 0


def _summary(out: Path, run: dict[str, Any], base: EngineCase, best: EngineCase, sh: Shrinker, first_s: float,
             final_s: float, wall_s: float) -> None:
    doc = {"run_id": run["run_id"], "signature": run["signature"], "from": size(base), "to": size(best),
           "timing_from": timing(base), "timing_to": timing(best), "seconds_from": first_s, "seconds_to": final_s,
           "simulations": len(sh.tries), "wall_s": round(wall_s, 1), "tries": [t.to_json() for t in sh.tries]}
    (out / SUMMARY).write_text(json.dumps(doc, indent=2) + "\n")


def add_parser(sub: Any) -> None:
    p = sub.add_parser("shrink", help="from a failing random run, the smallest case failing the same way")
    p.add_argument("run_dir", type=Path, help="a failed random-case run (OUT/runs/<run_id>, with case.json)")
    p.add_argument("--out", type=Path, help="output folder (default RUN_DIR/shrink)")
    p.add_argument("--max-runs", type=int, default=DEFAULT_MAX_RUNS,
                   help=f"most simulations to spend (default {DEFAULT_MAX_RUNS})")


def main(args: argparse.Namespace) -> int:
    try:
        if args.max_runs < 1:
            raise ShrinkError("--max-runs must be >= 1")
        return shrink(args.run_dir, args.out, args.max_runs)
    except ShrinkError as exc:
        print(f"regress shrink: {exc}", file=sys.stderr)
        return 2
