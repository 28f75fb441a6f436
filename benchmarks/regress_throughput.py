"""Regression throughput: seeds per hour of the smoke suite on this machine, and how it scales with -j; or, with
--clusters, the same work on each launcher backend (regress run --cluster).

    .venv/bin/python benchmarks/regress_throughput.py [--reseed 6] [--jobs 1,2,3,4] [--suite smoke] [--json PATH]
    .venv/bin/python benchmarks/regress_throughput.py --clusters local,dask-local,slurm [--reseed 4] [-j 2]

--clusters runs `regress run SUITE --reseed K -j N --cluster C` for each C (slurm needs a running Slurm:
ci/slurm_up.sh) and prints per backend: the wall time of the runs (backend start and stop included), seeds per
hour and its ratio to the first backend's, the mean run time (local: the subprocess; Dask: the task, guard and
command), the mean dispatch time (the run handed to Dask -> its command starting on the worker), the mean queue
wait, the worker start latency (first worker, all workers) and the machine's load average before the backend.

For each -j it runs `regress run SUITE --reseed K -j N --out build/bench/regress-jN` (the same fixed seeds
1..K every time, so every -j does the same work) and reads the execution wall time the runner recorded in
results.json (wall_s: the runs only; the builds are cached and done before the clock starts). Seeds per
hour = runs / wall_s * 3600; speed-up and parallel efficiency are relative to the first -j given (-j 1 by
default). Every run must pass: a
failing run would measure a different amount of work, so the script stops with the failure.
Run it on a quiet machine (2 cores here: -j above 2 only oversubscribes them).
"""
from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))


def measure(suite: str, reseed: int, jobs: int) -> dict:
    out = REPO / "build" / "bench" / f"regress-{suite}-j{jobs}"
    cmd = [sys.executable, "-m", "regress", "run", suite, "--reseed", str(reseed), "-j", str(jobs), "--out", str(out)]
    proc = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, check=False)
    if proc.returncode != 0 or not (out / "results.json").is_file():
        sys.exit(f"regress_throughput: -j {jobs}: regress exited {proc.returncode}; see {out} "
                 f"({' '.join(proc.stderr.split())[-200:]})")
    data = json.loads((out / "results.json").read_text())
    runs = data["runs"]
    wall = float(data["wall_s"])
    sim_wall = sum(float(r["wall_s"]) for r in runs)
    return {"jobs": jobs, "runs": len(runs), "wall_s": round(wall, 2), "seeds_per_hour": round(len(runs) / wall * 3600),
            "mean_run_s": round(sim_wall / len(runs), 2)}


def measure_cluster(suite: str, reseed: int, jobs: int, cluster: str) -> dict:
    out = REPO / "build" / "bench" / f"regress-{suite}-{cluster.replace('://', '-').replace(':', '-')}"
    load = os.getloadavg()[0]
    cmd = [sys.executable, "-m", "regress", "run", suite, "--reseed", str(reseed), "-j", str(jobs), "--cluster",
           cluster, "--out", str(out)]
    proc = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, check=False)
    if proc.returncode != 0 or not (out / "results.json").is_file():
        sys.exit(f"regress_throughput: --cluster {cluster}: regress exited {proc.returncode}; see {out} "
                 f"({' '.join((proc.stdout + proc.stderr).split())[-300:]})")
    data = json.loads((out / "results.json").read_text())
    runs = data["runs"]
    wall = float(data["wall_s"])
    up = re.search(r"first worker up after ([0-9.]+) s, all \d+ after ([0-9.]+) s", proc.stdout)

    def mean(key: str) -> float | None:
        vals = [float(r[key]) for r in runs if r.get(key) is not None]
        return round(sum(vals) / len(vals), 3) if vals else None
    return {"cluster": cluster, "jobs": jobs, "runs": len(runs), "wall_s": round(wall, 2), "load1": round(load, 2),
            "seeds_per_hour": round(len(runs) / wall * 3600), "mean_run_s": mean("run_s"),
            "mean_dispatch_s": mean("dispatch_s"), "mean_queue_wait_s": mean("queue_wait_s"),
            "first_worker_s": float(up.group(1)) if up else None, "all_workers_s": float(up.group(2)) if up else None}


_EMPTY = ("import sys; open(sys.argv[1] + '/results.xml', 'w').write('<testsuites><testsuite><testcase "
          "name=\"%s\" /></testsuite></testsuites>' % sys.argv[2])")


def overhead(cluster: str, runs: int, jobs: int) -> dict:
    """The launcher's own cost per run: `runs` runs of an empty command (python -c writing a passing results.xml)
    through `regress run --cluster` in this process; per-run overhead = wall * jobs / runs - the command's time."""
    import argparse as ap
    import tempfile
    import time

    from regress import cli, runner
    tmp = Path(tempfile.mkdtemp(prefix="le-overhead-"))
    (tmp / "list.yaml").write_text("build: {toplevel: t, filelists: [a.f], configs: {c: {}}}\n"
                                   f"tests: {{e: {{class: E, module: m, configs: [c], reseeds: {runs}}}}}\n"
                                   "suites: {s: {tests: [e]}}\n")

    def command(job: runner.Job, build: Path | None) -> tuple[list[str], dict[str, str]]:
        return [sys.executable, "-c", _EMPTY, str(job.run_dir), job.spec.cls], {}
    t0 = time.perf_counter()
    py = subprocess.run([sys.executable, "-c", _EMPTY, str(tmp), "E"], check=False)
    cmd_s = time.perf_counter() - t0
    assert py.returncode == 0
    ns = ap.Namespace(testlist=tmp / "list.yaml", cmd="run", suite="s", jobs=jobs, reseed=None, seed=None, test=None,
                      out=tmp / "out", waves=False, cov=False, cluster=cluster, cluster_config=None,
                      build_on_worker=False, infra_retries=None)
    with open(os.devnull, "w") as null, contextlib.redirect_stdout(null):
        cli.run(ns, make_command=command, builder=lambda cfg: tmp, tools={})
    data = json.loads((tmp / "out" / "results.json").read_text())
    ok = sum(r["status"] == "pass" for r in data["runs"])
    per_run = float(data["wall_s"]) * jobs / runs
    return {"cluster": cluster, "runs": runs, "passed": ok, "wall_s": round(float(data["wall_s"]), 2),
            "per_run_s": round(per_run, 3), "command_s": round(cmd_s, 3), "overhead_s": round(per_run - cmd_s, 3),
            "load1": round(os.getloadavg()[0], 2)}


def warm_up(suite: str) -> None:
    """One local pass of the suite first: every build (the pyuvm configurations, and the SystemC binary that
    regress.scrun builds inside its run) is cached before any backend is timed."""
    out = REPO / "build" / "bench" / f"regress-{suite}-warmup"
    cmd = [sys.executable, "-m", "regress", "run", suite, "--reseed", "1", "--out", str(out)]
    subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, check=False)


def clusters_table(args: argparse.Namespace) -> list[dict]:
    """Each backend `--rounds` times, the order rotated every round (a slow patch of the machine, another user's
    build, hits every backend alike); per backend the median sample by wall time is shown, with every wall."""
    warm_up(args.suite)
    names = args.clusters.split(",")
    samples: dict[str, list[dict]] = {c: [] for c in names}
    for k in range(args.rounds):
        for c in names[k % len(names):] + names[:k % len(names)]:
            samples[c].append(measure_cluster(args.suite, args.reseed, int(args.jobs.split(",")[0]), c))
            print(f"round {k + 1}: --cluster {c}: {samples[c][-1]['runs']} runs in {samples[c][-1]['wall_s']} s "
                  f"(load {samples[c][-1]['load1']})", flush=True)
    rows = []
    for c in names:
        ordered = sorted(samples[c], key=lambda r: r["wall_s"])
        row = dict(ordered[(len(ordered) - 1) // 2])
        row["walls"] = [r["wall_s"] for r in samples[c]]
        rows.append(row)
    base = rows[0]["seeds_per_hour"]
    print(f"\n{args.suite} suite, --reseed {args.reseed}, -j {rows[0]['jobs']}, {rows[0]['runs']} runs per sample, "
          f"{args.rounds} round(s): the median sample")
    print(f"{'cluster':<12} {'wall s':>7} {'seeds/h':>8} {'vs first':>8} {'run s':>6} {'dispatch s':>10} "
          f"{'queue s':>8} {'1st worker s':>12} {'all s':>6} {'load':>5}  every wall s")

    def f(v: float | None, fmt: str = ".2f") -> str:
        return "-" if v is None else format(v, fmt)
    for r in rows:
        r["ratio"] = round(r["seeds_per_hour"] / base, 3)
        print(f"{r['cluster']:<12} {r['wall_s']:>7} {r['seeds_per_hour']:>8} {r['ratio']:>8.1%} "
              f"{f(r['mean_run_s']):>6} {f(r['mean_dispatch_s'], '.3f'):>10} {f(r['mean_queue_wait_s']):>8} "
              f"{f(r['first_worker_s'], '.1f'):>12} {f(r['all_workers_s'], '.1f'):>6} {r['load1']:>5}  "
              f"{', '.join(map(str, r['walls']))}")
    return rows


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--suite", default="smoke")
    ap.add_argument("--reseed", type=int, default=6, help="seeds per test and configuration (default 6)")
    ap.add_argument("--jobs", default="1,2,3,4", help="comma-separated -j values (default 1,2,3,4)")
    ap.add_argument("--json", type=Path, help="also write the rows here")
    ap.add_argument("--rounds", type=int, default=1, help="with --clusters: samples per backend (median shown)")
    ap.add_argument("--overhead", type=int, metavar="N",
                    help="with --clusters: N empty runs per backend instead of the suite (the launcher's own cost)")
    ap.add_argument("--clusters", help="comma-separated --cluster backends to compare at the first -j "
                                       "(e.g. local,dask-local,slurm)")
    args = ap.parse_args(argv)
    if args.clusters:
        if args.jobs == "1,2,3,4":
            args.jobs = "2"
        if args.overhead:
            rows = [overhead(c, args.overhead, int(args.jobs.split(",")[0])) for c in args.clusters.split(",")]
            print(f"{'cluster':<12} {'runs':>5} {'wall s':>7} {'s/run':>6} {'command s':>9} {'overhead s':>10} "
                  f"{'load':>5}")
            for r in rows:
                print(f"{r['cluster']:<12} {r['runs']:>5} {r['wall_s']:>7} {r['per_run_s']:>6} {r['command_s']:>9} "
                      f"{r['overhead_s']:>10} {r['load1']:>5}")
        else:
            rows = clusters_table(args)
        if args.json:
            args.json.write_text(json.dumps(rows, indent=2) + "\n")
        return 0
    rows = []
    for j in (int(x) for x in args.jobs.split(",")):
        rows.append(measure(args.suite, args.reseed, j))
        print(f"-j {j}: {rows[-1]['runs']} runs in {rows[-1]['wall_s']} s", flush=True)
    base = rows[0]["seeds_per_hour"] / rows[0]["jobs"]
    print(f"\n{args.suite} suite, --reseed {args.reseed}, {rows[0]['runs']} runs per -j")
    print(f"{'-j':>3} {'wall s':>8} {'seeds/hour':>11} {'speed-up':>9} {'efficiency':>11} {'mean run s':>11}")
    for r in rows:
        r["speedup"] = round(r["seeds_per_hour"] / rows[0]["seeds_per_hour"], 2)
        r["efficiency"] = round(r["seeds_per_hour"] / (base * r["jobs"]), 2)
        print(f"{r['jobs']:>3} {r['wall_s']:>8} {r['seeds_per_hour']:>11} {r['speedup']:>9} {r['efficiency']:>11} "
              f"{r['mean_run_s']:>11}")
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
