"""What the SystemC harness wrote into a run directory (docs/systemc.md "Outputs"), read once for the judges
(regress/scrun.py judge, regress/scplan_judge.py judge_plan)."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from regress.sctxn import ScTxns, TxnFormatError, read_txns


def _read(path: Path) -> bytes | None:
    return path.read_bytes() if path.is_file() else None


@dataclass
class HarnessOutputs:
    run: dict[str, Any]                     # run.json ({} when missing)
    records: list[dict[str, Any]]           # tokens.jsonl, one per token (or plan step)
    logits: bytes                           # logits.bin: int32 LE [tokens, vocab]
    kv_tokens: bytes                        # kv_tokens.bin: the KV region after each token
    kv_region: bytes                        # kv_region.bin: after the run
    problems: list[str] = field(default_factory=list)   # the harness's own verdict (exit, protocol errors)


def read_outputs(out: Path) -> HarnessOutputs:
    run: dict[str, Any] = json.loads((out / "run.json").read_text()) if (out / "run.json").is_file() else {}
    problems: list[str] = []
    if not run:
        problems.append("harness: no run.json")
    elif run.get("exit") != 0:
        problems.append(f"harness: exit {run.get('exit')}: {run.get('message')}")
    problems += [f"harness: BFM protocol error: {e}" for e in run.get("protocol_errors", [])]
    lines = (out / "tokens.jsonl").read_text().splitlines() if (out / "tokens.jsonl").is_file() else []
    return HarnessOutputs(run, [json.loads(line) for line in lines if line.strip()], _read(out / "logits.bin") or b"",
                          _read(out / "kv_tokens.bin") or b"", _read(out / "kv_region.bin") or b"", problems)


def run_txns(out: Path) -> tuple[ScTxns | None, list[str]]:
    """The run's transaction records (None when the harness wrote none or they are unreadable) and the problems
    they show (unreadable, a lost record)."""
    if not (out / "txn.jsonl").is_file():
        return None, []
    try:
        txns = read_txns(out / "txn.jsonl")
    except TxnFormatError as exc:
        return None, [f"harness: {exc}"]
    lost = [f"harness: the data of {txns.lost} write burst(s) was lost (record ring overrun)"] if txns.lost else []
    return txns, lost
