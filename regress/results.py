"""Run results and the regression's reports: per-run results.json, repro.sh, JUnit XML, results JSON, summary.

A RunResult is what one run ended as: pass, fail (the cocotb test failed), crash (the simulator ended without
a result), timeout, interrupted (the regression was stopped by SIGINT / Ctrl-C or SIGTERM while it ran: not a
failure, no bucket, no repro.sh, not in the pass rate), not_run (the regression stopped before it started) or infra (the
distributed engine lost it: a worker lost mid-run, a scheduler disconnect, a batch job that never started,
on every attempt: not a test failure, no bucket; regress/launchers/).
"""
from __future__ import annotations

import contextlib
import json
import os
import shlex
import stat
import sys
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

from regress.buckets import SVA_KIND, Signature, SvaFailure, bucket, format_buckets, signature, sva_failure

FAILED = ("fail", "crash", "timeout")
INTERRUPTED = "interrupted"      # cut by a signal to the regression: neither passed nor failed
INFRA = "infra"                  # an infrastructure error (regress/launchers): apart from the test failures
LOG_TAIL = 40
TXN_HASH = "txn_log.sha256"      # verif/env/txn_log.py HASH_FILE: the determinism fingerprint of a run
WAVE_GLOBS = ("*.fst", "*.vcd", "*/*.fst", "*/*.vcd")      # where a run directory's waves are
DEBUG_DIR, DIVERGENCE_FILE = "debug", "divergence.json"    # `regress debug`: RUN_DIR/debug/divergence.json


def json_dict(doc: Any, key: str) -> dict[str, Any]:
    """doc[key] when `doc` is a dict and that value is a dict, else {} (run and report files are untrusted JSON)."""
    v = doc.get(key) if isinstance(doc, dict) else None
    return v if isinstance(v, dict) else {}


def json_list(doc: Any, key: str) -> list[Any]:
    """doc[key] when `doc` is a dict and that value is a list, else []."""
    v = doc.get(key) if isinstance(doc, dict) else None
    return v if isinstance(v, list) else []


def shell_line(command: Sequence[str], env: Mapping[str, str]) -> str:
    """`command` with its added environment, as one shell line (`K=V ... cmd args`)."""
    prefix = " ".join(f"{k}={shlex.quote(v)}" for k, v in sorted(env.items()))
    return (prefix + " " if prefix else "") + shlex.join(command)


def write_cmd_sh(directory: Path, repo: Path, command: Sequence[str], env: Mapping[str, str]) -> None:
    """directory/cmd.sh: the exact command of a run, from the repository."""
    (directory / "cmd.sh").write_text(f"#!/bin/sh\ncd {shlex.quote(str(repo))}\n{shell_line(command, env)}\n")


def wave_files(directory: Path) -> list[Path]:
    """The waves a run left in its directory (FST / VCD, also one level down)."""
    return sorted({p for g in WAVE_GLOBS for p in directory.glob(g)})


@dataclass
class RunResult:
    run_id: str
    test: str
    cls: str
    config: str
    seed: int
    seeds: str
    run_dir: str
    command: list[str]
    env: dict[str, str] = field(default_factory=dict)
    status: str = "not_run"
    kind: str = ""
    message: str = ""
    traceback: str = ""
    sim_time_ns: float | None = None
    wall_s: float = 0.0
    exit_code: int | None = None
    timeout_s: float | None = None         # the test list's timeout of this run
    engine: str = "pyuvm"                  # the test list's engine: pyuvm (regress.simrun) or systemc (regress.scrun)
    # where it ran (regress/launchers): backend (local, dask-local, slurm, ..., tcp://...), host, worker name,
    # batch job id (SLURM_JOB_ID, LSB_JOBID, ...), queue wait (submitted -> started) and run time (started -> ended)
    backend: str = "local"
    host: str = ""
    worker: str = ""
    batch_job_id: str = ""
    queue_wait_s: float | None = None
    run_s: float | None = None
    dispatch_s: float | None = None        # Dask backends: handed to the scheduler -> the command started
    attempts: int = 1                      # 1 + the retries after infrastructure errors
    infra_errors: list[str] = field(default_factory=list)     # what went wrong on each failed attempt

    @property
    def failed(self) -> bool:
        return self.status in FAILED

    @property
    def interrupted(self) -> bool:
        return self.status == INTERRUPTED

    @property
    def infra(self) -> bool:
        return self.status == INFRA

    @property
    def signature(self) -> Signature | None:
        return signature(self.kind, self.message, self.traceback) if self.failed else None

    def shell_command(self) -> str:
        return shell_line(self.command, self.env)

    def repro(self) -> str:
        """The command that re-runs this run: repro.sh for a failure, cmd.sh otherwise."""
        script = "repro.sh" if self.failed else "cmd.sh"
        return f"sh {shlex.quote(str(Path(self.run_dir) / script))}"

    def describe(self) -> str:
        return f"{self.test} {self.config} seed {self.seed}: {self.status} ({self.run_dir})"

    def to_json(self) -> dict[str, Any]:
        d = asdict(self)
        d["passed"] = self.status == "pass"
        sig = self.signature
        d["signature"] = str(sig) if sig else None
        return d


def parse_cocotb_results(path: Path, test: str) -> tuple[str, str, str, str, float | None] | None:
    """(status, kind, message, traceback, sim_time_ns) of testcase `test` in a cocotb results.xml, or None."""
    try:
        root = ET.parse(path).getroot()
    except (OSError, ET.ParseError):
        return None
    for case in root.iter("testcase"):
        if case.get("name") != test:
            continue
        props = {p.get("name"): p.get("value") for p in case.iter("property")}
        sim: float | None = None
        with contextlib.suppress(ValueError):
            sim = float(props.get("sim_time_stop") or "")
        for bad in (*case.findall("failure"), *case.findall("error")):
            return ("fail", bad.get("type") or "Failure", " ".join((bad.get("message") or "").split()),
                    bad.text or "", sim)
        if case.find("skipped") is not None:
            return ("fail", "Skipped", "the test was skipped", "", sim)
        return ("pass", "", "", "", sim)
    return None


def sva_in_log(path: Path) -> SvaFailure | None:
    """The first failed assertion in a run's log (regress/buckets.py sva_failure), or None."""
    try:
        text = path.read_text(errors="replace")
    except OSError:
        return None
    return sva_failure(text) if "failed" in text else None


def with_sva(status: str, kind: str, message: str, traceback: str, log: Path) -> tuple[str, str, str]:
    """(kind, message, traceback) of a failed run, named after the assertion that stopped it when its log has one
    (the bucket signature then reads `AssertionFailed at <file>:<line> in <scope>.<Name>: LE_ASSERT <Name> failed
    in <scope>`); unchanged otherwise (a pass, or no assertion in the log)."""
    if status == "pass":
        return kind, message, traceback
    sva = sva_in_log(log)
    if sva is None:
        return kind, message, traceback
    return SVA_KIND, sva.message, f"{traceback}\n{sva.frame}".lstrip("\n")


def log_tail(path: Path, lines: int = LOG_TAIL) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


def write_run_json(result: RunResult) -> None:
    Path(result.run_dir, "results.json").write_text(json.dumps(result.to_json(), indent=2) + "\n")


def repro_script(result: RunResult, repo: Path, git: dict[str, Any], tools: dict[str, str],
                 diff_file: str | None = None) -> str:
    """repro.sh: `regress verify` of this run into build/repro/<run id>: built from the current sources by default
    (after a fix: "passes now" / "still fails (same signature)" / "fails differently (...)"), `repro.sh
    --recorded-build` the failing run's own build, bit for bit (regress/verify.py)."""
    python = result.command[0] if result.command and "python" in Path(result.command[0]).name else sys.executable
    lines = [
        "#!/bin/sh",
        f"# Reproduce regression run {result.run_id}: {result.test} ({result.cls}) on {result.config}",
        f"# failed as: {result.status}: {result.signature}",
        f"# seeds: {result.seeds}",
        f"# git: {git.get('sha')} dirty: {'yes' if git.get('dirty') else 'no'}",
        *([f"# uncommitted changes of the failing run: {diff_file} (git apply it on {git.get('sha')})"]
          if diff_file else []),
        "# tools: " + ", ".join(f"{k} {v}" for k, v in sorted(tools.items())),
        f"# command: {result.shell_command()}",
        "#   sh repro.sh                   re-run on the current sources (after a fix: does it pass now?)",
        "#   sh repro.sh --recorded-build  re-run the failing run's own build, bit for bit",
        f"cd {shlex.quote(str(repo))} || exit 2",
        f"exec {shlex.quote(python)} -m regress verify {shlex.quote(str(result.run_dir))} --out build/repro \"$@\"",
    ]
    return "\n".join(lines) + "\n"


def write_repro(result: RunResult, repo: Path, git: dict[str, Any], tools: dict[str, str],
                diff_file: str | None = None) -> Path:
    path = Path(result.run_dir) / "repro.sh"
    path.write_text(repro_script(result, repo, git, tools, diff_file))
    path.chmod(path.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    return path


def summary_rows(results: Sequence[RunResult]) -> list[tuple[str, str, int, int, int]]:
    """(test, config, runs, passed, failed) per test and configuration, in first-seen order."""
    rows: dict[tuple[str, str], list[int]] = {}
    for r in results:
        row = rows.setdefault((r.test, r.config), [0, 0, 0])
        if r.status == "not_run" or r.interrupted:
            continue
        row[0] += 1
        row[1] += r.status == "pass"
        row[2] += r.failed
    return [(t, c, n, p, f) for (t, c), (n, p, f) in rows.items()]


def summary(results: Sequence[RunResult]) -> list[str]:
    """The summary table, then the failure buckets (largest first)."""
    rows = summary_rows(results)
    w = max([4, *(len(t) for t, *_ in rows)])
    lines = [f"{'test':<{w}}  {'config':<6}  {'runs':>4}  {'pass':>4}  {'fail':>4}  {'rate':>6}"]
    for t, c, n, p, f in rows:
        rate = f"{100 * p / n:5.1f}%" if n else "    -"
        lines.append(f"{t:<{w}}  {c:<6}  {n:>4}  {p:>4}  {f:>4}  {rate:>6}")
    n = sum(r[2] for r in rows)
    p = sum(r[3] for r in rows)
    f = sum(r[4] for r in rows)
    skipped = sum(r.status == "not_run" for r in results)
    cut = sum(r.interrupted for r in results)
    apart = ", ".join([*([f"{cut} interrupted"] if cut else []), *([f"{skipped} not run"] if skipped else [])])
    lines.append(f"{'total':<{w}}  {'':<6}  {n:>4}  {p:>4}  {f:>4}  "
                 f"{(f'{100 * p / n:5.1f}%' if n else '    -'):>6}" + (f"  ({apart})" if apart else ""))
    infra = [r for r in results if r.infra]
    retried = [r for r in results if r.attempts > 1 and not r.infra]
    if infra or retried:
        lines.append("")
        lines.append(f"infrastructure errors (not test failures): {len(infra)} run(s) lost on every attempt, "
                     f"{len(retried)} run(s) kept after a retry")
        lines += [f"  INFRA {r.run_id}: {r.message}" for r in infra]
        lines += [f"  retried {r.run_id} ({r.attempts} attempts): {r.infra_errors[-1] if r.infra_errors else ''}"
                  for r in retried]
    buckets = bucket([r for r in results if r.failed])
    if buckets:
        lines.append("")
        lines.append(f"failures: {f} in {len(buckets)} bucket(s), largest first")
        lines += format_buckets(buckets, lambda r: f"{r.describe()}  repro: {r.repro()}")
    return lines


def write_junit(results: Sequence[RunResult], path: Path, suite: str) -> None:
    """JUnit XML: one testsuite per test, one testcase per run; seed and repro as properties and system-out."""
    root = ET.Element("testsuites", name=f"regress {suite}")
    by_test: dict[str, list[RunResult]] = {}
    for r in results:
        by_test.setdefault(r.test, []).append(r)
    for test, runs in by_test.items():
        ts = ET.SubElement(root, "testsuite", name=f"{suite}.{test}", tests=str(len(runs)),
                           failures=str(sum(r.status == "fail" for r in runs)),
                           errors=str(sum(r.status in ("crash", "timeout", INFRA) for r in runs)),
                           skipped=str(sum(r.status == "not_run" or r.interrupted for r in runs)),
                           time=f"{sum(r.wall_s for r in runs):.3f}")
        for r in runs:
            tc = ET.SubElement(ts, "testcase", classname=f"regress.{suite}.{test}",
                               name=f"{r.cls}.{r.config}.seed{r.seed}", time=f"{r.wall_s:.3f}")
            props = ET.SubElement(tc, "properties")
            for name, value in (("seed", str(r.seed)), ("seeds", r.seeds), ("config", r.config), ("engine", r.engine),
                                ("status", r.status), ("repro", r.repro()), ("command", r.shell_command()),
                                ("run_dir", r.run_dir),
                                ("sim_time_ns", "" if r.sim_time_ns is None else f"{r.sim_time_ns:g}"),
                                ("backend", r.backend), ("host", r.host), ("worker", r.worker),
                                ("batch_job_id", r.batch_job_id),
                                ("queue_wait_s", "" if r.queue_wait_s is None else f"{r.queue_wait_s:.3f}"),
                                ("run_s", "" if r.run_s is None else f"{r.run_s:.3f}"),
                                ("attempts", str(r.attempts))):
                ET.SubElement(props, "property", name=name, value=value)
            if r.status == "fail":
                ET.SubElement(tc, "failure", message=r.message, type=r.kind).text = r.traceback or r.message
            elif r.failed or r.infra:
                ET.SubElement(tc, "error", message=r.message, type=r.kind).text = r.traceback or r.message
            elif r.interrupted:
                ET.SubElement(tc, "skipped", message=f"interrupted: {r.message}")
            elif r.status == "not_run":
                ET.SubElement(tc, "skipped", message="not run (the regression was interrupted)")
            ET.SubElement(tc, "system-out").text = (
                f"seed: {r.seed} ({r.seeds})\nrepro: {r.repro()}\ncommand: {r.shell_command()}\n"
                f"log: {Path(r.run_dir) / 'run.log'}\n")
    ET.indent(root)
    ET.ElementTree(root).write(path, encoding="utf-8", xml_declaration=True)


def write_json(results: Sequence[RunResult], path: Path, meta: dict[str, Any]) -> None:
    failed = [r for r in results if r.failed]
    doc = {
        **meta,
        "total": len(results),
        "passed": sum(r.status == "pass" for r in results),
        "failed": len(failed),
        "not_run": sum(r.status == "not_run" for r in results),
        "interrupted_runs": sum(r.interrupted for r in results),
        "infra": sum(r.infra for r in results),
        "retried": sum(r.attempts > 1 for r in results),
        "buckets": [{"signature": str(b.signature), "count": len(b.runs), "runs": [r.run_id for r in b.runs]}
                    for b in bucket(failed)],
        "runs": [r.to_json() for r in results],
    }
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(doc, indent=2) + "\n")
    os.replace(tmp, path)
