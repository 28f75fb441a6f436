"""Accuracy of the integer golden model against the float reference (same float weights, same x_float).

    .venv/bin/python benchmarks/accuracy.py [--presets tiny small minilm] [--tokens 64] [--seed 1]

Prints, per preset: mean and min per-token logits cosine, top-1 agreement, and the targets
(tiny/small: cosine >= 0.995; minilm: cosine >= 0.99 and top-1 >= 95%). The figures are recorded in
docs/numerics.md. Exit status 1 if any target is missed.
"""
from __future__ import annotations

import argparse
import sys
import time

from models.bundle import build_bundle
from models.metrics import logits_agreement
from models.minilm import MINILM_MISSING_REASON, minilm_model_dir

TARGETS = {"tiny": (0.995, None), "small": (0.995, None), "minilm": (0.99, 0.95)}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--presets", nargs="+", default=list(TARGETS))
    ap.add_argument("--tokens", type=int, default=64)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--robustness-tokens", type=int, default=200,
                    help="also report minilm over this many tokens (no target; 0 to skip)")
    a = ap.parse_args()
    ok = True
    print(f"{'preset':8} {'tokens':>6} {'cos mean':>9} {'cos min':>8} {'top-1':>7}  target            seconds")
    runs = [(n, a.tokens) for n in a.presets]
    if "minilm" in a.presets and a.robustness_tokens:
        runs.append(("minilm", a.robustness_tokens))
    for name, tokens in runs:
        if name == "minilm" and minilm_model_dir() is None:
            print(f"{name:8} skipped: {MINILM_MISSING_REASON}")
            continue
        t0 = time.perf_counter()
        b = build_bundle(name, a.seed, tokens)
        m = logits_agreement(b.logits, b.qm.logits_scale, b.logits_float)
        cos_t, top_t = TARGETS.get(name, (0.0, None)) if tokens == a.tokens else (0.0, None)
        met = m["cos_mean"] >= cos_t and (top_t is None or m["top1"] >= top_t)
        ok &= met
        target = (f"cos>={cos_t}" + (f", top1>={top_t:.0%}" if top_t else "")) if cos_t else "(report only)"
        print(f"{name:8} {m['tokens']:6d} {m['cos_mean']:9.4f} {m['cos_min']:8.4f} {m['top1']:7.1%}  "
              f"{target:17} {('met' if met else 'MISSED') if cos_t else '-':6} {time.perf_counter() - t0:5.1f}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
