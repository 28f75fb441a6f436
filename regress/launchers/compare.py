"""Do two regressions of the same suite and seeds agree? Per run, the transaction-log sha256 (txn_log.sha256:
every AXI burst, stream frame, CSR access and irq edge with its sim time) and the status; overall, the failure
buckets. The determinism check between backends (local vs dask-local vs slurm: CI and tests).

    python -m regress.launchers.compare OUT_A OUT_B     # exit 0 when they agree, 1 with one line per difference
"""
from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from regress.results import TXN_HASH


def fingerprint(out: Path) -> tuple[dict[str, tuple[str, str]], list[tuple[str, tuple[str, ...]]]]:
    """({run_id: (status, txn sha256 or '')}, [(bucket signature, its run ids)]) of regression output `out`."""
    doc: Any = json.loads((out / "results.json").read_text())
    runs: dict[str, tuple[str, str]] = {}
    for r in doc.get("runs", []):
        h = Path(r["run_dir"]) / TXN_HASH
        runs[r["run_id"]] = (r["status"], h.read_text().split()[0] if h.is_file() else "")
    buckets = sorted((b["signature"], tuple(sorted(b["runs"]))) for b in doc.get("buckets", []))
    return runs, buckets


def differences(a: Path, b: Path) -> list[str]:
    ra, ba = fingerprint(a)
    rb, bb = fingerprint(b)
    out = [f"{rid}: only in {a if rid in ra else b}" for rid in sorted(set(ra) ^ set(rb))]
    for rid in sorted(set(ra) & set(rb)):
        (sa, ha), (sb, hb) = ra[rid], rb[rid]
        if sa != sb:
            out.append(f"{rid}: status {sa} vs {sb}")
        if not ha or not hb:
            out.append(f"{rid}: no {TXN_HASH} in {a if not ha else b}")
        elif ha != hb:
            out.append(f"{rid}: transaction log sha256 {ha[:16]} vs {hb[:16]}")
    if ba != bb:
        out.append(f"failure buckets differ: {ba} vs {bb}")
    return out


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 2:
        print("usage: python -m regress.launchers.compare OUT_A OUT_B", file=sys.stderr)
        return 2
    a, b = Path(args[0]), Path(args[1])
    diff = differences(a, b)
    runs = len(fingerprint(a)[0])
    for line in diff:
        print(f"compare: {line}")
    print(f"compare: {a} vs {b}: {runs} runs, " + ("same transaction-log sha256 and failure buckets" if not diff
                                                   else f"{len(diff)} difference(s)"))
    return 1 if diff else 0


if __name__ == "__main__":
    sys.exit(main())
