"""Cycles per token of the layer_engine RTL, from its own perf counters, against the memory roofline.

    .venv/bin/python benchmarks/perf.py [--widths 128,64] [--cases small,minilm-1L,minilm-6L] [--json PATH]

stdout: the Markdown table only (progress goes to stderr). Exit 1 if a run fails (a token not bit-exact: the
pyuvm scoreboard checks every logit, every K/V write and the whole KV region).

Each (case, width) is one run of the test list's `perf` test (verif/tests/perf.py PerfTest, through
regress.launch.run_listed: the pyuvm env on le_tb_top, the same builds as the regressions) with the case as a
plusarg. Memory: the split-transactor AXI4 BFM with a fixed 40-cycle read latency (AR accept -> first beat) and
a 40-cycle write response latency, no stalls, in order; X with no gaps, logits with no backpressure. Cases:
  small      the `small` preset at pos = max_seq - 1 = 127, the largest position it allows (the most K/V
             context a small token can read)
  minilm-1L  one MiniLM-sized layer (d_model 384, 12 heads x 32, d_ff 1536, w_tile_rows 32, ctx_tile 32,
             max_seq 512, vocab shortened to 1024) with random weights at pos 128
Positions 0..pos-1 are run through GoldenEngine and their K/V rows preloaded, so only the measured token is
simulated.
  minilm-6L  the full all-MiniLM-L6-v2 (6 layers, vocab 30522, the real weights) through the SystemC harness
             (benchmarks/perf_sc.py: the same memory timing, 2 tokens at positions 0 and 1, bit-exact by the shared
             judge of regress/scrun.py), one row per token

Columns: cycles = PERF_CYCLES (START accepted -> DONE); roofline = max(read, write) beats of the bytes the
token must move (models.traffic.roofline_cycles: requested bytes / bus bytes per cycle); ratio =
roofline / cycles (1.0 = the bus never idles); rd stall = PERF_RD_STALL_CYCLES; sched beats = the read beats
the engine's DMA schedule actually puts on the bus (models.schedule: whole beats per transfer, plus the
64-byte header read), which is what PERF_BYTES_RD counts.

Second table, where the cycles go: le_tb_top's bus profile of the token (verif/tests/perf.py profile.json): every
busy cycle (le_token_ctrl in TBusy) is an R beat, a wait on a read burst in flight (latency the prefetch does not
hide), or a cycle with no read in flight, attributed to the main MAC's phase of its latest begin (QKV + each
head's attention, Wo + residual + LayerNorm 1, W1 + GELU, W2 + residual + LayerNorm 2, logits).
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from models.config import EngineConfig
from models.ddr_layout import DdrLayout
from models.schedule import schedule_beats, token_schedule
from models.traffic import beats, roofline_cycles, token_traffic
from regress.launch import RUNS_DIR, RunFailed, run_listed
from verif.tests.perf import PERF_CASES, PROFILE_FILE, PROFILE_PHASES, READ_LATENCY, perf_case

sys.path.insert(0, str(Path(__file__).resolve().parent))
from perf_sc import measure_minilm

CASES = (*PERF_CASES, "minilm-6L")

SEED = 1


def roofline(cfg: EngineConfig, pos: int) -> int:
    return roofline_cycles(token_traffic(DdrLayout(cfg), pos), cfg)


def sched_read_beats(cfg: EngineConfig, pos: int) -> int:
    sched = token_schedule(DdrLayout(cfg), pos)
    rd, _ = schedule_beats(sched, cfg.bus_bytes)
    if not any(t.tensor == "header" for t in sched):
        rd += beats(64, cfg.bus_bytes)
    return rd


def measure(case: str, width: int) -> dict[str, Any]:
    """One PerfTest run; raises RunFailed when it fails (not bit-exact, hung, ...)."""
    cfg, pos = perf_case(case, width)
    print(f"perf: {case} at {width} bits ...", file=sys.stderr, flush=True)
    run = run_listed("perf", f"w{width}", SEED, run_dir=RUNS_DIR / f"perf.{case}.w{width}",
                     plusargs=(f"+le_perf_case={case}", "+le_perf_budget=off"))    # measure, whatever it is
    (token,) = json.loads((run.run_dir / "tokens.json").read_text())
    p = token["perf"]
    roof = roofline(cfg, pos)
    return {"config": case, "bus_bits": width, "pos": pos, "cycles": p["cycles"], "roofline_cycles": roof,
            "ratio": roof / p["cycles"] if p["cycles"] else 0.0, "rd_stall_cycles": p["rd_stall_cycles"],
            "bytes_rd": p["bytes_rd"], "bytes_wr": p["bytes_wr"], "sched_rd_beats": sched_read_beats(cfg, pos),
            "read_latency": READ_LATENCY, "bit_exact": True, "run_dir": str(run.run_dir),
            "profile": json.loads((run.run_dir / PROFILE_FILE).read_text())}


def table(rows: list[dict[str, Any]]) -> str:
    lines = ["| config | bus | pos | cycles | roofline cycles | roofline/cycles | rd stall cycles | sched rd beats "
             "| bit-exact |",
             "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |"]
    for r in rows:
        pos = f"{r['pos']}" + (" (max_seq-1)" if r["config"] == "small" else "")
        lines.append(f"| {r['config']} | {r['bus_bits']} | {pos} | {r['cycles']} | {r['roofline_cycles']} | "
                     f"{r['ratio']:.3f} | {r['rd_stall_cycles']} | {r['sched_rd_beats']} | "
                     f"{'yes' if r['bit_exact'] else 'NO'} |")
    return "\n".join(lines)


def breakdown(rows: list[dict[str, Any]]) -> str:
    """Where each token's cycles go (le_tb_top's bus profile, verif/tests/perf.py): busy cycles = R beats + cycles
    waiting on a read in flight + cycles with no read in flight, by the main MAC's phase."""
    lines = ["| config | bus | pos | busy cycles | R beats | read latency not hidden | " +
             " | ".join(f"no read: {label}" for label in PROFILE_PHASES.values()) + " |",
             "| --- | ---: | ---: | ---: | ---: | ---: | " + " | ".join("---:" for _ in PROFILE_PHASES) + " |"]
    for r in rows:
        p = r["profile"]
        cells = [f"{p[k]} ({100 * p[k] / p['cycles']:.1f} %)" for k in ("rbeat", "rwait", *PROFILE_PHASES)]
        lines.append(f"| {r['config']} | {r['bus_bits']} | {r['pos']} | {p['cycles']} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    ap.add_argument("--widths", default="128,64", help="AXI_DATA_W values, comma separated (default 128,64)")
    ap.add_argument("--cases", default=",".join(CASES), help=f"comma separated subset of {CASES}")
    ap.add_argument("--json", type=Path, help="also write the rows as JSON here")
    args = ap.parse_args(argv)
    cases = args.cases.split(",")
    unknown = sorted(set(cases) - set(CASES))
    if unknown:
        print(f"perf.py: unknown case(s) {unknown}: choose from {', '.join(CASES)}", file=sys.stderr)
        return 2
    rows: list[dict[str, Any]] = []
    failed: list[str] = []
    for width in (int(w) for w in args.widths.split(",")):
        for case in cases:
            try:
                if case == "minilm-6L":
                    rows += measure_minilm(width, RUNS_DIR / f"perf.minilm-6L.w{width}", roofline, sched_read_beats)
                else:
                    rows.append(measure(case, width))
            except (RunFailed, RuntimeError) as e:
                failed.append(str(e).splitlines()[0])
    print(f"## layer_engine cycles per token ({READ_LATENCY}-cycle read latency, no stalls, in order)\n")
    print(table(rows))
    print("\n## Where the cycles go (bus profile of the token)\n")
    print(breakdown(rows))
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1) + "\n")
    if failed:
        print("\nFAILED:\n" + "\n".join(failed), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
