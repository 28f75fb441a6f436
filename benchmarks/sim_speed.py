"""Simulation speed of the pyuvm environment: DUT cycles per wall second of the run phase.

    .venv/bin/python benchmarks/sim_speed.py [--widths 128,64] [--tokens 16] [--profile] [--json PATH]

Runs the test list's `smoke` test (SmokeTest through regress.launch.run_listed: the whole env: RAL + AXI4-Lite
agent, split-transactor AXI4 memory and AXI-Stream BFMs, golden reference model, scoreboard, coverage and
transaction log) on the `tiny` and `small` bundles and reads the cycles and seconds the test measured around its
token sequence (verif/tests/base.py SimSpeed: model building and the Verilator build are excluded). --profile turns
on cocotb's Python profiler and prints where the Python time goes. Run it on a quiet machine: two cores shared with
other simulations halve the figure.
"""
from __future__ import annotations

import argparse
import json
import os
import pstats
import sys
import time
from pathlib import Path

from regress.launch import RUNS_DIR, run_listed

TARGET = 50_000          # cycles/s on tiny (issue target)


def measure(bundle: str, width: int, tokens: int, profile: bool) -> dict:
    if profile:
        os.environ["COCOTB_ENABLE_PROFILING"] = "1"
    start = time.perf_counter()
    run = run_listed("smoke", f"w{width}", 1, run_dir=RUNS_DIR / f"sim_speed.{bundle}.w{width}",
                     plusargs=(f"+le_bundle={bundle}", f"+le_tokens={tokens}"))
    wall = time.perf_counter() - start
    speed = json.loads((run.run_dir / "sim_speed.json").read_text())
    row = {"bundle": bundle, "bus": width, **speed, "process_wall_s": wall}
    if profile:
        stats = pstats.Stats(str(run.run_dir / "cocotb.pstat"))
        row["python_s"] = stats.total_tt
        stats.sort_stats("tottime").print_stats(12)
    return row


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--widths", default="128,64")
    ap.add_argument("--tokens", type=int, default=16)
    ap.add_argument("--profile", action="store_true")
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()
    rows = [measure(b, int(w), args.tokens if b == "tiny" else max(2, args.tokens // 8), args.profile)
            for w in args.widths.split(",") for b in ("tiny", "small")]
    print("| bundle | bus | tokens | DUT cycles | wall s | cycles/s |" + (" Python s |" if args.profile else ""))
    print("| --- | ---: | ---: | ---: | ---: | ---: |" + (" ---: |" if args.profile else ""))
    for r in rows:
        extra = f" {r['python_s']:.2f} |" if args.profile else ""
        print(f"| {r['bundle']} | {r['bus']} | {r['tokens']} | {r['cycles']:,} | {r['seconds']:.2f} | "
              f"{r['cycles_per_s']:,.0f} |{extra}")
    tiny = [r["cycles_per_s"] for r in rows if r["bundle"] == "tiny"]
    print(f"\ntarget {TARGET:,} cycles/s on tiny: {'met' if min(tiny) >= TARGET else 'NOT met'} "
          f"(min {min(tiny):,.0f})")
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
