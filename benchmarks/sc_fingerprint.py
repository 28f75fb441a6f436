"""Bit-for-bit fingerprint of the SystemC harness (docs/systemc.md, "Measured speed"): the sha256 of its outputs
(tokens.jsonl with every cycle count, logits.bin, kv_tokens.bin) for fixed bundles, seeds and knobs.

    .venv/bin/python benchmarks/sc_fingerprint.py [--work DIR] [--json PATH] [--compare PATH]

A change meant to make the harness faster (or to add a dump) must leave every fingerprint unchanged: record them
before the change (--json), compare after (--compare: exit 1 and one line per difference). The cases: tiny at
128 and 64 bits without knobs, tiny at both widths with every timing knob and +verilator+seed+7, small at 128 bits.
--bare also runs the bare C++ loop (le_bare_sim) and checks that its outputs equal the harness's.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from eda import scbuild  # noqa: E402

KNOBS = ("--lat-min", "0", "--lat-max", "30", "--reorder", "1", "--interleave", "1", "--p-ar-stall", "0.2",
         "--p-r-gap", "0.1", "--b-lat-max", "20", "--b-reorder", "1", "--p-aw-stall", "0.2", "--p-w-stall",
         "0.1", "--p-b-gap", "0.1", "--p-x-idle", "0.3", "--p-logits-stall", "0.3", "+verilator+seed+7")
CASES: tuple[tuple[str, str, int, int, tuple[str, ...]], ...] = (
    ("tiny.w128", "tiny", 128, 8, ()),
    ("tiny.w64", "tiny", 64, 8, ()),
    ("tiny.w128.knobs", "tiny", 128, 8, KNOBS),
    ("tiny.w64.knobs", "tiny", 64, 8, KNOBS),
    ("small.w128", "small", 128, 2, ()),
)
HASHED = ("tokens.jsonl", "logits.bin", "kv_tokens.bin")


def export(work: Path, preset: str, width: int, tokens: int) -> Path:
    out = work / f"{preset}.w{width}.t{tokens}"
    if not (out / "manifest.json").is_file():
        subprocess.run([sys.executable, "-m", "models", "export", "--preset", preset, "--seed", "1", "--tokens",
                        str(tokens), "--bus-width", str(width), "--out", str(out)], cwd=ROOT, check=True,
                       capture_output=True)
    return out


def fingerprint(out: Path) -> str:
    h = hashlib.sha256()
    for name in HASHED:
        h.update(name.encode() + b"\0" + (out / name).read_bytes())
    return h.hexdigest()


def run_all(work: Path, bare: bool) -> tuple[dict[str, str], list[str]]:
    """The SystemC harness's fingerprints; with `bare`, also the bare loop's, which must equal them (the second
    item: one line per case where they do not; txn.jsonl compared as well)."""
    got: dict[str, str] = {}
    differ: list[str] = []
    for name, preset, width, tokens, knobs in CASES:
        model = scbuild.build(width)
        bundle = export(work, preset, width, tokens)
        for engine, binary in (("systemc", model.binary), ("bare", model.bare_binary))[:2 if bare else 1]:
            out = work / "runs" / engine / name
            done = scbuild.run(binary, bundle, out, ("--kv-each-token", "1", *knobs))
            if done.returncode != 0:
                raise SystemExit(f"sc_fingerprint: {name} ({engine}): exit {done.returncode}: {done.stderr.strip()}")
            fp = fingerprint(out)
            if engine == "systemc":
                got[name] = fp
                print(f"{name:18s} {fp}")
            elif fp != got[name] or (out / "txn.jsonl").read_bytes() != (out.parents[1] / "systemc" / name /
                                                                         "txn.jsonl").read_bytes():
                differ.append(f"{name}: the bare loop's outputs differ from the SystemC harness's")
    return got, differ


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--work", type=Path, help="bundles and runs (default: a temporary folder)")
    ap.add_argument("--json", type=Path, help="write the fingerprints here")
    ap.add_argument("--compare", type=Path, help="compare with fingerprints written earlier by --json")
    ap.add_argument("--bare", action="store_true", help="also run the bare C++ loop: its outputs must be the same")
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        got, differ = run_all(a.work or Path(tmp), a.bare)
    for line in differ:
        print(f"sc_fingerprint: {line}")
    if a.bare and not differ:
        print("the bare C++ loop's outputs (txn.jsonl included) equal the SystemC harness's in every case")
    if a.json:
        a.json.write_text(json.dumps(got, indent=1) + "\n")
    if a.compare:
        want = json.loads(a.compare.read_text())
        bad = [k for k in want if got.get(k) != want[k]]
        for k in bad:
            print(f"sc_fingerprint: {k}: {got.get(k)} != recorded {want[k]}")
        print("fingerprints " + ("DIFFER" if bad else "identical"))
        return 1 if bad or differ else 0
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
