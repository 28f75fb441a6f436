"""`python -m models ...`: export test-vector bundles, verify them, and print the DDR layout.

    python -m models export --preset tiny --seed 1 --tokens 8 --out out/tiny [--bus-width 64]
    python -m models verify out/tiny [--bus-width 64]   # re-run the golden model from ddr.bin + x.npy only
    python -m models layout --preset small    # the DDR layout as Markdown (docs/ddr_layout.md)
Errors print one line naming the problem and exit with status 2.
"""
from __future__ import annotations

import argparse
import hashlib
import sys
from pathlib import Path
from typing import NoReturn

import numpy as np

from .config import PRESETS, ConfigError, EngineConfig, preset
from .ddr_layout import DdrLayout, pack_kv, unpack
from .quant import DEFAULT_ALPHA

BUS_WIDTHS = (64, 128)          # the engine's synthesized widths (regress/testlist.yaml configs w64, w128)


def _export(a: argparse.Namespace) -> int:
    from .bundle import build_bundle, write_bundle
    from .metrics import logits_agreement
    b = build_bundle(a.preset, a.seed, a.tokens, alpha=a.alpha, bus_width=a.bus_width)
    m = write_bundle(b, Path(a.out))
    acc = logits_agreement(b.logits, b.qm.logits_scale, b.logits_float)
    print(f"wrote {a.out}: preset {a.preset}, seed {a.seed}, {m['tokens']} tokens, {a.bus_width}-bit bus, "
          f"ddr.bin {m['ddr_size']} bytes; "
          f"golden vs float: cosine {acc['cos_mean']:.4f}, top-1 {acc['top1']:.3f}")
    return 0


def _verify(a: argparse.Namespace) -> int:
    """Independent check of a bundle: unpack ddr.bin, decode x.npy, compare logits.npy and kv_region.bin."""
    from .bundle import check_bundle_bus_width, load_manifest
    from .golden import GoldenEngine
    d = Path(a.bundle)
    if not (d / "manifest.json").is_file():
        raise FileNotFoundError(f"{d}/manifest.json not found: pass a folder written by `python -m models export`")
    m = load_manifest(d)
    files = sorted(m.get("files", {}).items())
    missing = [f for f, _ in files if not (d / f).is_file()]
    stale = [f for f, h in files if f not in missing and hashlib.sha256((d / f).read_bytes()).hexdigest() != h]
    if missing or stale:
        print(f"{d}: " + "; ".join([*([f"missing: {', '.join(missing)}"] if missing else []),
                                    *([f"files differ from the manifest's sha256: {', '.join(stale)}"] if stale
                                      else [])]))
        return 1
    check_bundle_bus_width(d, a.bus_width if a.bus_width is not None else int(m["config"]["axi_data_w"]))
    cfg = EngineConfig.from_dict(m["config"])
    qm, kv = unpack((d / "ddr.bin").read_bytes(), cfg)
    eng = GoldenEngine(qm, kv)
    logits = eng.run(np.load(d / "x.npy"), start_pos=m.get("start_pos", 0))
    want = np.load(d / "logits.npy")
    bad = int((logits != want).sum())
    kv_ok = pack_kv(DdrLayout(cfg), eng.kv) == (d / "kv_region.bin").read_bytes()
    print(f"{d}: logits {'match' if bad == 0 else f'{bad} mismatches'}, KV region {'matches' if kv_ok else 'differs'}")
    return 0 if bad == 0 and kv_ok else 1


def _layout(a: argparse.Namespace) -> int:
    from .layout_doc import layout_markdown
    names = a.preset if a.preset else ("tiny", "small", "minilm")
    print(layout_markdown([preset(p) for p in names]))
    return 0


class _Parser(argparse.ArgumentParser):
    """Argument errors print one line (`--help` shows the usage)."""

    def error(self, message: str) -> NoReturn:
        print(f"error: {message}", file=sys.stderr)
        sys.exit(2)


def _seed(text: str) -> int:
    v = int(text)
    if not 0 <= v < 1 << 63:
        raise argparse.ArgumentTypeError(f"{text}: must be an integer in [0, 2^63)")
    return v


def _alpha(text: str) -> float:
    v = float(text)
    if not 0.0 <= v <= 1.0:
        raise argparse.ArgumentTypeError(f"{text}: must be a number in [0, 1]")
    return v


def main(argv: list[str] | None = None) -> int:
    ap = _Parser(prog="python -m models", description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    e = sub.add_parser("export", help="write a test-vector bundle")
    e.add_argument("--preset", required=True, choices=sorted(PRESETS))
    e.add_argument("--seed", type=_seed, default=1)
    e.add_argument("--tokens", type=int, default=8)
    e.add_argument("--out", required=True)
    e.add_argument("--alpha", type=_alpha, default=DEFAULT_ALPHA, help="per-channel scale migration strength (0..1)")
    e.add_argument("--bus-width", type=int, choices=BUS_WIDTHS, default=128,
                   help="the engine's AXI data width in bits (recorded in image header word 9)")
    e.set_defaults(func=_export)
    v = sub.add_parser("verify", help="re-run the golden model on a bundle and compare")
    v.add_argument("bundle")
    v.add_argument("--bus-width", type=int, choices=BUS_WIDTHS, default=None,
                   help="the engine's bus width in bits: the bundle must have been exported for it")
    v.set_defaults(func=_verify)
    lo = sub.add_parser("layout", help="print the DDR layout as Markdown")
    lo.add_argument("--preset", action="append", choices=sorted(PRESETS))
    lo.set_defaults(func=_layout)
    a = ap.parse_args(argv)
    try:
        rc: int = a.func(a)
        return rc
    except (ConfigError, ValueError, RuntimeError, FileNotFoundError, KeyError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
