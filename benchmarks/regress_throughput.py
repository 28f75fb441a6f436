"""Regression throughput: seeds per hour of the smoke suite on this machine, and how it scales with -j.

    .venv/bin/python benchmarks/regress_throughput.py [--reseed 6] [--jobs 1,2,3,4] [--suite smoke] [--json PATH]

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
import json
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


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


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--suite", default="smoke")
    ap.add_argument("--reseed", type=int, default=6, help="seeds per test and configuration (default 6)")
    ap.add_argument("--jobs", default="1,2,3,4", help="comma-separated -j values (default 1,2,3,4)")
    ap.add_argument("--json", type=Path, help="also write the rows here")
    args = ap.parse_args(argv)
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
