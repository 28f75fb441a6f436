"""`regress debug RUN_DIR`: rerun one regression run with operator-boundary probes and name the first divergence.

    regress debug build/regress/smoke-20261124-081500/runs/rand.w128.s1 [--waves [--before N] [--after N]]
                  [--timeout S]

The run's own command (results.json) is rerun in RUN_DIR/debug with +le_probe_file=RUN_DIR/debug/probe.log:
verif/hdl/le_probe.sv writes every value that crosses an operator boundary (Q/K/V, raw scores, scaled scores,
probabilities, O, O', residual sums, LayerNorm outputs, U, GELU, F, logits) with its cycle, and the env's
reference model saves the golden intermediates of every token (RUN_DIR/debug/golden/t<n>.npz). Same master
seed, so the rerun is the failing run bit for bit; it uses a build of the current tree (the probe is part of
the testbench), which eda/simbuild.py caches. regress/debug_probe.py compares the two and the first
divergence (earliest cycle) is printed and written to RUN_DIR/debug/divergence.json.

With --waves a second rerun (RUN_DIR/debug/waves) records FST only in a window around the divergence (--before
cycles up to it, --after past it; without a divergence, around the end of the run) and writes waves.gtkw: the
engine's phase signals and the diverging operator's ports, the marker on the divergence (regress/wave_window.py).
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from regress.debug_probe import Divergence, DivergenceReport, ProbeFormatError, compare, read_golden, read_probe
from regress.rerun import DEFAULT_TIMEOUT_S, RerunError, retarget, run_command, waves_file
from regress.results import DEBUG_DIR, DIVERGENCE_FILE, TXN_HASH, json_dict
from regress.runner import git_info
from regress.wave_window import AFTER_CYCLES, BEFORE_CYCLES, GTKW_FILE, SCOPES, WAVE_DIR, Window, end_ps, plusargs

PS_PER_NS = 1000                 # le_probe prints %t in the testbench's precision: ps (timescale 1ns/1ps)


class DebugError(RuntimeError):
    """`regress debug` cannot go on; str() is one line."""


def load_run(run_dir: Path) -> dict[str, Any]:
    path = run_dir / "results.json"
    if not path.is_file():
        raise DebugError(f"{run_dir} has no results.json (not a regression run directory)")
    try:
        data: dict[str, Any] = json.loads(path.read_text())
    except ValueError as exc:
        raise DebugError(f"{path} is not readable JSON ({exc})") from None
    if not isinstance(data, dict) or not data.get("command"):
        raise DebugError(f"{path} records no command")
    return data


def rerun(run: dict[str, Any], debug_dir: Path, timeout: float) -> tuple[str, float]:
    """Run the probe command into `debug_dir`; returns (status as in results.json, wall seconds)."""
    debug_dir.mkdir(parents=True, exist_ok=True)
    for stale in ("probe.log", DIVERGENCE_FILE, TXN_HASH):
        (debug_dir / stale).unlink(missing_ok=True)
    for old in (debug_dir / "golden").glob("t*.npz"):
        old.unlink()
    try:
        cmd = retarget(list(run["command"]), debug_dir, [f"+le_probe_file={debug_dir / 'probe.log'}"])
    except RerunError as exc:
        raise DebugError(str(exc)) from None
    return run_command(cmd, _env(run), debug_dir, run.get("cls", ""), timeout)


def _env(run: dict[str, Any]) -> dict[str, str]:
    """The run's own environment variables (results.json `env`)."""
    return {str(k): str(v) for k, v in json_dict(run, "env").items()}


def waves_rerun(run: dict[str, Any], debug_dir: Path, rep: DivergenceReport, before: int, after: int,
                timeout: float, say: Any) -> Path | None:
    """The second rerun, with waves in a window around the divergence (else the end of the run, the same for the
    same seed) and the save file; returns the FST."""
    d = rep.first or rep.stopped
    focus = d.time if d is not None else end_ps(run.get("sim_time_ns"))
    window = Window(int(focus), before, after) if focus is not None else Window(0, 0, None)    # else: all of it
    wave_dir = debug_dir / WAVE_DIR
    scopes = SCOPES.get(d.name, ()) if d is not None else ()
    env = {**_env(run), "LE_WAVES": "1"}
    pyuvm = run.get("engine", "pyuvm") == "pyuvm"      # the save file comes from the env (VPI): pyuvm runs only
    args = plusargs(window, wave_dir, scopes, save_file=pyuvm)
    what = window.describe() if focus is not None else "waves of the whole run (the run recorded no end time)"
    say(f"regress debug: rerunning with {what}; log {wave_dir / 'run.log'}")
    status, wall = run_command(retarget(list(run["command"]), wave_dir, args), env, wave_dir, run.get("cls", ""),
                               timeout)
    wave = waves_file(wave_dir)
    size = f", {wave.stat().st_size / 1e6:.1f} MB" if wave is not None else ""
    view = f"gtkwave {wave_dir / GTKW_FILE}" if pyuvm else f"gtkwave {wave} (no save file for a systemc run)"
    say(f"waves: {wave or '(none)'} ({status} in {wall:.1f} s{size}); GTKWave: {view}")
    return wave


def _describe(d: Divergence, what: str) -> list[str]:
    idx = f"{d.name}[{d.index}]"
    lines = [f"{what}: {d.where()}",
             f"  operator  {d.operator}",
             f"  golden    models/{d.golden_op}",
             f"  element   {idx}: golden {d.golden if d.golden is not None else '(none)'}, "
             f"DUT {d.dut if d.dut is not None else '(never produced)'}",
             f"  at cycle  {d.cycle} (sim time {d.time / PS_PER_NS:,.0f} ns: open the waves there)"]
    if d.dut is not None:
        lines.append(f"  inputs    the probed ones matched until then; it also reads {d.unprobed_inputs} (not probed)")
    return lines


def format_report(rep: DivergenceReport, run_id: str) -> list[str]:
    lines = [f"compared {rep.values_compared} values of {rep.tokens_compared} token(s) of {run_id}"]
    if rep.unmatched_tokens:
        lines.append(f"DUT tokens with no golden prediction at their position: {rep.unmatched_tokens}")
    if rep.first is not None:
        lines += _describe(rep.first, "FIRST DIVERGENCE")
        lines.append(f"  mismatching elements per operator (tokens expected to pass): {_tally(rep.mismatches)}")
    elif rep.stopped is not None:
        lines += _describe(rep.stopped, "NO VALUE DIVERGED, but the DUT never produced")
    else:
        lines.append("no divergence: every probed value equals the golden model's, and every golden value was "
                     "produced")
    if rep.missing and rep.first is not None:
        lines.append(f"  golden elements never produced: {_tally(rep.missing)}")
    if rep.failed_first is not None:
        f = rep.failed_first
        lines.append(f"in tokens the test expects to fail (a prefix at most, undefined after the failure): "
                     f"{rep.failed_mismatches} mismatch(es), the earliest {f.where()} {f.name}[{f.index}] "
                     f"at cycle {f.cycle}")
    return lines


def _tally(counts: dict[str, int]) -> str:
    return ", ".join(f"{k} {v}" for k, v in sorted(counts.items(), key=lambda kv: -kv[1]))


def _identity(run_dir: Path, debug_dir: Path) -> list[str]:
    """Is the rerun the recorded run? The tree's SHA and dirty flag against OUT/regress.json, and the rerun's
    transaction-log hash against the run's (the probes change no transaction)."""
    notes = []
    meta_file = run_dir.parent.parent / "regress.json"
    try:
        git = json.loads(meta_file.read_text()).get("git", {})
    except (OSError, ValueError, AttributeError):
        git = {}
    now = git_info()
    if git and (git.get("sha"), bool(git.get("dirty"))) != (now["sha"], now["dirty"]):
        notes.append(f"WARNING: the run was made at {git.get('sha')} (dirty: {bool(git.get('dirty'))}), this tree is "
                     f"{now['sha']} (dirty: {now['dirty']}): the rerun may not be the same run")
    old, new = run_dir / TXN_HASH, debug_dir / TXN_HASH
    if old.is_file() and new.is_file():
        same = old.read_text().split()[:1] == new.read_text().split()[:1]
        notes.append(f"bit for bit: transaction log sha256 {new.read_text()[:16]} equals the run's" if same else
                     f"WARNING: the rerun's transaction log differs from the run's ({old} vs {new})")
    return notes


def keep_previous(debug_dir: Path, marker: str = DIVERGENCE_FILE) -> Path | None:
    """An earlier `regress debug` of the run (debug/ with its report, `marker`) moves to debug.1, debug.2, ... (the
    next free number) so that a second one never overwrites the first; returns where it went. debug/ stays the
    newest. `regress shrink` keeps its folders the same way."""
    if not (debug_dir / marker).is_file():
        return None                                # nothing finished there: reused as before
    n = 1
    while debug_dir.with_name(f"{debug_dir.name}.{n}").exists():
        n += 1
    kept = debug_dir.with_name(f"{debug_dir.name}.{n}")
    debug_dir.rename(kept)
    return kept


def debug(run_dir: Path, waves: bool = False, timeout: float | None = None, say: Any = print,
          before: int = BEFORE_CYCLES, after: int = AFTER_CYCLES) -> DivergenceReport:
    run_dir = run_dir.resolve()
    run = load_run(run_dir)
    debug_dir = run_dir / DEBUG_DIR
    kept = keep_previous(debug_dir)
    if kept is not None:
        say(f"regress debug: the previous report is kept in {kept}")
    if timeout is None:                            # the probes slow the run a little; a hang still ends
        recorded = run.get("timeout_s")
        timeout = 3 * float(recorded) if isinstance(recorded, (int, float)) and recorded > 0 else DEFAULT_TIMEOUT_S
    say(f"regress debug: rerunning {run.get('run_id', run_dir.name)} (original: {run.get('status', '?')}) "
        f"with operator probes, timeout {timeout:.0f} s; log {debug_dir / 'run.log'}")
    status, wall = rerun(run, debug_dir, timeout)
    say(f"rerun: {status} in {wall:.1f} s"
        + ("" if status == run.get("status") else f" (the original run was {run.get('status')})"))
    for note in _identity(run_dir, debug_dir):
        say(note)
    try:
        rep = compare(read_probe(debug_dir / "probe.log"), read_golden(debug_dir / "golden"))
    except ProbeFormatError as exc:
        raise DebugError(f"{exc}; see {debug_dir / 'run.log'}") from None
    lines = format_report(rep, run.get("run_id", run_dir.name))
    for line in lines:
        say(line)
    wave = waves_rerun(run, debug_dir, rep, before, after, timeout, say) if waves else None
    payload = {"run_id": run.get("run_id"), "rerun_status": status, "original_status": run.get("status"),
               "first": rep.first.to_json() if rep.first else None,
               "stopped": rep.stopped.to_json() if rep.stopped else None,
               "failed_first": rep.failed_first.to_json() if rep.failed_first else None,
               "mismatches": rep.mismatches, "missing": rep.missing, "failed_mismatches": rep.failed_mismatches,
               "values_compared": rep.values_compared, "tokens_compared": rep.tokens_compared,
               "unmatched_tokens": rep.unmatched_tokens, "waves": str(wave) if wave else None, "report": lines}
    (debug_dir / DIVERGENCE_FILE).write_text(json.dumps(payload, indent=2) + "\n")
    return rep


def add_parser(sub: Any) -> None:
    p = sub.add_parser("debug", help="rerun a run with operator probes; name the first divergence from golden")
    p.add_argument("run_dir", type=Path, help="a run directory (OUT/runs/<run_id>)")
    p.add_argument("--waves", action="store_true",
                   help="then rerun with FST waves around the divergence and a GTKWave save file (a waves build)")
    p.add_argument("--before", type=int, default=BEFORE_CYCLES, help=f"waves: cycles before (default {BEFORE_CYCLES})")
    p.add_argument("--after", type=int, default=AFTER_CYCLES, help=f"waves: cycles after (default {AFTER_CYCLES})")
    p.add_argument("--timeout", type=float, default=None,
                   help="seconds (default 3x the test's timeout from the test list, else 3600)")


def main(args: argparse.Namespace) -> int:
    try:
        before, after = getattr(args, "before", BEFORE_CYCLES), getattr(args, "after", AFTER_CYCLES)
        if before < 0 or after < 0:
            raise DebugError("--before and --after are cycle counts >= 0")
        debug(args.run_dir, waves=args.waves, timeout=args.timeout, before=before, after=after)
    except DebugError as exc:
        print(f"regress debug: {exc}", file=sys.stderr)
        return 2
    return 0
