"""`regress` command line (see regress/__init__.py): list the test list, run a suite, write the dashboard,
debug a failing run."""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any, NoReturn

from eda import build_cache
from regress import accumulate, covgate, covgrade, covwaive, debug, mutate, rerun, runner, shrink, verify
from regress.launchers import Backend, clusters
from regress.launchers.pick import opened, run_jobs
from regress.results import RunResult, summary, write_json, write_junit
from regress.testlist import TestListError, check_importable, describe, load
from verif.seeds import parse_master

EXIT_FAIL, EXIT_USAGE = 1, 2


class OneLineParser(argparse.ArgumentParser):
    """A bad argument is one line and exit 2 (``-h`` shows the usage); subcommand parsers are of this class too."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message} (see {self.prog} -h)\n")


def seed_arg(text: str) -> int:
    """argparse type of a master seed (verif.seeds.parse_master)."""
    try:
        return parse_master(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _parser() -> argparse.ArgumentParser:
    p = OneLineParser(prog="regress", description="Regressions of the layer_engine pyuvm environment.")
    p.add_argument("--testlist", type=Path, default=None, help="test list (default regress/testlist.yaml)")
    sub = p.add_subparsers(dest="cmd", required=True)
    sub.add_parser("list", help="print the suites, tests and build configurations")
    r = sub.add_parser("run", help="run a suite")
    r.add_argument("suite")
    r.add_argument("-j", "--jobs", type=int, default=2, help="parallel runs (default 2)")
    seeds = r.add_mutually_exclusive_group()
    seeds.add_argument("--reseed", type=int, metavar="K", help="K seeds per test and configuration")
    seeds.add_argument("--seed", type=seed_arg, metavar="S", help="only master seed S")
    r.add_argument("--test", metavar="NAME", help="only this test (list name or uvm class)")
    r.add_argument("--out", type=Path, help="output directory (default build/regress/<suite>-<time>)")
    r.add_argument("--waves", action="store_true", help="record waves (LE_WAVES=1 for the builds and runs)")
    r.add_argument("--cov", action="store_true", help="code + functional coverage, merged in <out>/coverage")
    r.add_argument("--cov-gate", action="store_true",
                   help="with --cov: fail when a total is below testlist coverage.gate")
    r.add_argument("--accumulate", type=Path, metavar="ACC",
                   help="after the run, merge it into the accumulated folder ACC (regress merge ACC OUT --out ACC)")
    r.add_argument("--keep-run-coverage", action="store_true",
                   help="with --cov: keep each run's coverage.dat after the merge (deleted by default)")
    r.add_argument("--cov-waivers", type=Path, metavar="FILE",
                   help="reviewed coverage waivers (default verif/coverage_waivers.yaml)")
    r.add_argument("--rerun-failed", action="store_true",
                   help="rerun one run per failure bucket with FST waves and verbose logs (OUT/rerun/)")
    r.add_argument("--cluster", default="local", metavar="NAME",
                   help="where the runs execute: local (default: subprocesses here), dask-local, slurm, lsf, pbs, "
                        "sge, htcondor (regress/clusters.yaml) or tcp://HOST:PORT (a running Dask scheduler)")
    r.add_argument("--cluster-config", type=Path, metavar="FILE",
                   help="cluster settings (default regress/clusters.yaml)")
    r.add_argument("--build-on-worker", action="store_true",
                   help="build on the workers (content-hash cache) instead of once here into a shared build dir")
    r.add_argument("--infra-retries", type=int, metavar="N",
                   help="attempts after an infrastructure error (default: the cluster's infra_retries, 1)")
    rep = sub.add_parser("report", help="(re)write the HTML dashboard of regression output folders")
    rep.add_argument("out", nargs="*", type=Path, help="regression output folders (default: the newest)")
    rep.add_argument("--history", type=Path, help="trend database (default OUT/../history.sqlite)")
    rep.add_argument("--testplan", type=Path, help="testplan shown on the dashboard (default verif/testplan.yaml)")
    rep.add_argument("--mutation", type=Path, metavar="DIR",
                     help="a regress mutate output folder for the Mutation section (default: newest in build/mutate)")
    tp = sub.add_parser("testplan", help="validate verif/testplan.yaml; with OUT, each testpoint's status")
    tp.add_argument("out", nargs="?", type=Path, help="a regression output folder")
    tp.add_argument("--testplan", type=Path, help="testplan (default verif/testplan.yaml)")
    debug.add_parser(sub)
    mutate.add_parser(sub)
    verify.add_parser(sub)
    shrink.add_parser(sub)
    covgrade.add_parser(sub)
    accumulate.add_parser(sub)
    return p


def _meta(args: argparse.Namespace, git: dict[str, Any], tools: dict[str, str], out: Path) -> dict[str, Any]:
    return {"suite": args.suite, "started": dt.datetime.now().isoformat(timespec="seconds"), "git": git,
            "tools": tools, "python": platform.python_version(), "jobs": args.jobs, "reseed": args.reseed,
            "seed": args.seed, "test": args.test, "waves": args.waves, "cov": args.cov, "out": str(out),
            "argv": sys.argv, "cluster": getattr(args, "cluster", "local"),
            "accumulate": str(Path(args.accumulate).resolve()) if getattr(args, "accumulate", None) else None,
            "build_on_worker": getattr(args, "build_on_worker", False)}


def _cluster(args: argparse.Namespace) -> clusters.ClusterSpec:
    """The --cluster settings, checked before any build (a ClusterError is one line, exit 2)."""
    spec = clusters.load(getattr(args, "cluster", None) or "local", getattr(args, "cluster_config", None))
    retries = getattr(args, "infra_retries", None)
    if retries is not None:
        if retries < 0:
            raise TestListError("--infra-retries must be >= 0")
        spec.settings["infra_retries"] = retries
    clusters.preflight(spec)
    return spec


def run(args: argparse.Namespace, make_command: runner.CommandFactory = runner.sim_command,
        builder: runner.Builder = runner.sim_build, tools: dict[str, str] | None = None,
        backend: Backend | None = None) -> int:
    """`regress run`: returns the exit code (0 all passed, 1 something failed, was interrupted or was lost to the
    infrastructure). `backend` replaces the one --cluster names (tests: regress.launchers.fake)."""
    tl = load(args.testlist)
    suite = tl.suite(args.suite)
    if args.jobs < 1 or (args.reseed is not None and args.reseed < 1):
        raise TestListError("-j and --reseed must be >= 1")
    if getattr(args, "cov_gate", False) and not args.cov:
        raise TestListError("--cov-gate needs --cov (the gate checks the coverage of this run)")
    if getattr(args, "cov_waivers", None) and not args.cov:
        raise TestListError("--cov-waivers needs --cov (the waivers apply to the coverage of this run)")
    if getattr(args, "keep_run_coverage", False) and not args.cov:
        raise TestListError("--keep-run-coverage needs --cov (without it no run writes coverage.dat)")
    acc = getattr(args, "accumulate", None)
    if acc is not None and Path(acc).exists() and not accumulate.is_accumulation(Path(acc)):
        raise TestListError(f"--accumulate {acc}: exists and is not an accumulated folder (made by regress merge "
                            f"or --accumulate): name a new folder or an accumulation")
    waivers_path = getattr(args, "cov_waivers", None) or covwaive.WAIVERS
    waivers = covwaive.load(waivers_path) if args.cov else None     # a bad file stops here, before any build
    try:
        build_cache.cap_bytes()                                      # a bad LE_BUILD_CACHE_GB too
    except ValueError as exc:
        raise TestListError(str(exc)) from None
    cluster = _cluster(args)
    on_worker = bool(getattr(args, "build_on_worker", False))
    runs = runner.plan(tl, suite, reseed=args.reseed, seed=args.seed, test=args.test)
    if make_command is runner.sim_command:          # the real simulator imports them (a fake command does not)
        check_importable({t.name: t for t, _, _ in runs}.values())     # a wrong class: / module: stops here
    runs = covgate.with_coverage(runs) if args.cov else runs
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    out = (args.out or runner.REPO / "build" / "regress" / f"{args.suite}-{stamp}").resolve()
    out.mkdir(parents=True, exist_ok=True)
    _forget_previous(out)
    if args.waves:
        os.environ["LE_WAVES"] = "1"
    if tools is None:
        from eda import toolchain
        tools = toolchain.versions()
    tools = {**tools, "python": platform.python_version()}
    git = runner.git_info()
    diff_file = None
    if git["dirty"]:
        diff = subprocess.run(["git", "diff", "HEAD"], cwd=runner.REPO, capture_output=True, check=False).stdout
        (out / "git.diff").write_bytes(diff)
        diff_file = str(out / "git.diff")
    meta = _meta(args, git, tools, out)
    (out / "regress.json").write_text(json.dumps(meta, indent=2) + "\n")
    where = "" if cluster.kind == "local" else f", cluster {cluster.name}"
    print(f"regress {args.suite}: {len(runs)} runs, -j {args.jobs}{where}, out {out}", flush=True)
    configs = list({cfg.name: cfg for _, cfg, _ in runs}.values())
    with opened(cluster, args.jobs, on_worker, backend) as be:     # workers start (batch jobs queue) while
        # the configurations build
        if on_worker:
            builds: dict[str, Path | None] = {}
            print("builds: on the workers (--build-on-worker: each worker builds through the content-hash cache)")
        else:
            builds = runner.build_all(configs, builder, lambda s: print(s, flush=True), log_dir=out)
        jobs = runner.prepare(runs, out, make_command, builds, tools)
        results: list[RunResult] = [j.result for j in jobs if j.result is not None]
        progress = runner.Progress(len(jobs))

        def done(res: RunResult) -> None:
            runner.record(res, runner.REPO, git, tools, diff_file)
            progress.done += 1
            progress.failed += res.failed
            if res.failed or res.infra or not progress.tty:
                tag = "PASS" if res.status == "pass" else res.status.upper()
                extra = f": {res.kind}: {res.message[:300 if res.infra else 160]}" if res.failed or res.infra else ""
                progress.line(f"{tag:<11} {res.run_id} ({res.wall_s:.1f} s){extra}")
            progress.refresh()

        todo = []
        for job in jobs:
            assert job.result is not None
            if builds.get(job.config.name) is None and not on_worker:
                job.result.status, job.result.kind = "crash", "BuildError"
                job.result.message = f"the build of configuration {job.config.name} failed (see the console)"
                done(job.result)
            else:
                todo.append(job)
        t0 = time.monotonic()
        interrupted = run_jobs(cluster, todo, args.jobs, make_command, builds, done, progress, backend=be)
    progress.close()
    meta["wall_s"] = round(time.monotonic() - t0, 3)
    meta["interrupted"] = interrupted is not None
    meta["stopped_by"] = interrupted
    write_json(results, out / "results.json", meta)
    write_junit(results, out / "junit.xml", args.suite)
    table = summary(results)
    (out / "summary.txt").write_text("\n".join(table) + "\n")
    print("\n".join(table))
    print(f"results: {out / 'results.json'}  junit: {out / 'junit.xml'}"
          + (f"  (interrupted by {interrupted}: partial results)" if interrupted else ""), flush=True)
    bad = interrupted is not None or any(r.failed or r.infra for r in results)
    if args.cov:
        sampled = [j.run_dir for j in jobs if j.spec.engine == "pyuvm"]     # covergroups: the pyuvm env's
        if len(sampled) < len(jobs):
            print(f"coverage: code coverage of every run; functional coverage of the {len(sampled)} pyuvm run(s) "
                  f"(the systemc engine samples no covergroups)", flush=True)
        bad |= covgate.finish(out, [j.run_dir for j in jobs], tl.cov_gate, getattr(args, "cov_gate", False),
                              functional_dirs=sampled, waivers=waivers, waivers_path=waivers_path,
                              keep_run_coverage=bool(getattr(args, "keep_run_coverage", False)))
    if getattr(args, "rerun_failed", False) and not interrupted and any(r.failed for r in results):
        try:
            rerun.rerun_failed(results, out)
        except KeyboardInterrupt:
            print("regress: reruns interrupted", flush=True)
    _dashboard(out)
    if getattr(args, "accumulate", None):
        acc = Path(args.accumulate).resolve()
        accumulate.accumulate(out, acc)
        _dashboard(acc)
        _dashboard(out)                         # now with the accumulated figures next to this run's
    return EXIT_FAIL if bad else 0


def _forget_previous(out: Path) -> None:
    """A reused OUT (make test always writes build/regress/test-smoke): an earlier regression's coverage, reruns
    and results must not feed this one's reports (run directories are emptied by runner.prepare)."""
    shutil.rmtree(out / "coverage", ignore_errors=True)
    shutil.rmtree(out / "rerun", ignore_errors=True)
    for name in ("reruns.json", "results.json", "junit.xml", "summary.txt", "git.diff", "dashboard.html"):
        (out / name).unlink(missing_ok=True)


def _dashboard(out: Path) -> None:
    from regress.report import write_dashboard
    from regress.report_data import ReportError
    try:
        path = write_dashboard(out)
        from regress.compare import read_line
        line = read_line(out)
        if line:
            print(line, flush=True)
        print(f"dashboard: {path}", flush=True)
    except ReportError as exc:
        print(f"regress: no dashboard: {exc}", flush=True)


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    old = signal.signal(signal.SIGTERM, runner.raise_stopped) if threading.current_thread() is threading.main_thread() \
        else None
    try:
        if args.cmd == "list":
            print("\n".join(describe(load(args.testlist))))
            return 0
        if args.cmd == "report":
            from regress.report import main as report_main
            return report_main([*map(str, args.out), *(["--history", str(args.history)] if args.history else []),
                                *(["--testplan", str(args.testplan)] if args.testplan else []),
                                *(["--mutation", str(args.mutation)] if args.mutation else [])])
        if args.cmd == "testplan":
            from regress.testplan import main as testplan_main
            return testplan_main([*([str(args.out)] if args.out else []),
                                  *(["--testplan", str(args.testplan)] if args.testplan else []),
                                  *(["--testlist", str(args.testlist)] if args.testlist else [])])
        tool = {"debug": debug.main, "mutate": mutate.main, "verify": verify.main, "shrink": shrink.main,
                "grade": covgrade.main, "merge": accumulate.main}.get(args.cmd)
        return tool(args) if tool is not None else run(args)
    except TestListError as exc:
        print(f"regress: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt as exc:
        print(f"regress: stopped by {runner.stop_reason(exc)}", file=sys.stderr)
        return EXIT_FAIL
    finally:
        if old is not None:
            signal.signal(signal.SIGTERM, old)


if __name__ == "__main__":
    sys.exit(main())
