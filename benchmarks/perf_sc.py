"""The full all-MiniLM-L6-v2 (6 layers, vocab 30522) through the SystemC harness, measured as benchmarks/perf.py
measures its pyuvm cases: the same memory timing (40-cycle read latency, 40-cycle write response latency, no
stalls, in order), the engine's PERF_CYCLES per token against the memory roofline, and le_tb_top's bus profile
of each token (tokens.jsonl "profile": the same counters verif/tests/perf.py reads).

The bundle is the test list's sc_minilm case (the real weights, regress/sccase.py make_case) with 2 tokens, at
positions 0 and 1 (the harness starts a sequence: there is no KV context to preload). Bit-exact = the shared
judge (regress/scrun.py judge: every logit and every KV-cache byte against the golden model) found nothing.
"""
from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from eda import scbuild
from models.config import EngineConfig
from regress.sccase import build_parameters, check_fits, make_case, write_case
from regress.scrun import case_args, clear_outputs, judge
from verif.tests.base import IMAGE_BASE
from verif.tests.perf import PROFILE_KEYS, READ_LATENCY

CASE = "minilm-6L (SystemC)"
TOKENS = 2
KNOBS = {"bundle": "minilm", "tokens": str(TOKENS), "max_vocab": "32768", "mem_pages": "8192"}
TIMING = ("--lat-min", str(READ_LATENCY), "--lat-max", str(READ_LATENCY),
          "--b-lat-min", str(READ_LATENCY), "--b-lat-max", str(READ_LATENCY))


PerPos = Callable[[EngineConfig, int], int]       # (config, position) -> cycles or beats (benchmarks/perf.py)


def measure_minilm(width: int, out: Path, roofline: PerPos, sched_read_beats: PerPos) -> list[dict[str, Any]]:
    """One row per token (benchmarks/perf.py's row keys); raises RuntimeError when the harness fails or the judge
    finds a difference."""
    print(f"perf: {CASE} at {width} bits ...", file=sys.stderr, flush=True)
    case = make_case(KNOBS, width, vsc_seed=1, py_seed=1, image_base=IMAGE_BASE)
    params = build_parameters(KNOBS, scbuild.DEFAULT_PARAMS)
    check_fits(case, params, IMAGE_BASE)
    out.mkdir(parents=True, exist_ok=True)
    clear_outputs(out)
    write_case(case, out / "bundle")
    model = scbuild.build(width, parameters=params)
    done = scbuild.run(model.binary, out / "bundle", out, [*case_args(case, IMAGE_BASE), *TIMING], timeout=None)
    if done.returncode != 0:
        raise RuntimeError(f"{CASE} w{width}: harness exit {done.returncode}: {done.stderr.strip()[:300]}")
    failures = judge(out, case, IMAGE_BASE, say=lambda _: None)
    if failures:
        raise RuntimeError(f"{CASE} w{width}: not bit-exact: {failures[0]}")
    cfg = case.qm.cfg
    rows = []
    for line in (out / "tokens.jsonl").read_text().splitlines():
        rec = json.loads(line)
        p, prof = rec["perf"], rec["profile"]
        if sum(prof[k] for k in PROFILE_KEYS[1:]) != prof["cycles"]:
            raise RuntimeError(f"{CASE} w{width}: the bus profile's buckets do not add up to its cycles: {prof}")
        roof = roofline(cfg, rec["pos"])
        rows.append({"config": CASE, "bus_bits": width, "pos": rec["pos"], "cycles": p["cycles"],
                     "roofline_cycles": roof, "ratio": roof / p["cycles"] if p["cycles"] else 0.0,
                     "rd_stall_cycles": p["rd_stall_cycles"], "bytes_rd": p["bytes_rd"], "bytes_wr": p["bytes_wr"],
                     "sched_rd_beats": sched_read_beats(cfg, rec["pos"]), "read_latency": READ_LATENCY,
                     "bit_exact": True, "run_dir": str(out), "profile": prof})
    return rows
