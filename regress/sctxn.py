"""The SystemC harness's transaction records (RUN/txn.jsonl, docs/systemc.md) as the pyuvm env's objects.

One JSON object per line, in completion order, each with "tok" (the token it belongs to; -1: set-up):

    {"k": "R", "id", "addr", "len", "resp", "t_ar", "t_first", "t_last", "ooo", "il"}       a read burst
    {"k": "W", "id", "addr", "len", "resp", "t_aw", "t_b", "beats": [[data, strb, resp], ...], "lost"}
                                                        a write burst; data: the beat's bytes in hex, byte 0 first
    {"k": "C", "w", "addr", "data", "resp", "cyc"}      an AXI4-Lite access of the C driver
    {"k": "I", "level", "cyc"}                          an irq edge

R and W become verif/bfm ReadBurst / WriteBurst (the records the pyuvm proxy drains from the same SystemVerilog
BFM), so the scoreboard compares the SystemC run's K/V writes with verif/agents/axi4.py as_env_write and the
transaction log uses verif/env/txn_log.py's own line format. The cycles from each token's START write to the
irq's next rise are what PERF_CYCLES must equal (verif/env/start_irq.py does the same for the pyuvm env).
"""
from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from models.csr_map import REGISTERS
from models.driver import CTRL_START

CLK_NS = 10                      # the harness's clock period: a "cyc" as the pyuvm log's ns
CTRL = REGISTERS["CTRL"]


class TxnFormatError(ValueError):
    """txn.jsonl is not what the harness writes (one line names the file, the line and the problem)."""


@dataclass
class ScTxns:
    """The records of one run: bursts per token (for the write check) and the log lines in order."""
    writes: dict[int, list[Any]] = field(default_factory=lambda: defaultdict(list))   # token -> [WriteBurst]
    lines: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=lambda: {"R": 0, "W": 0, "C": 0, "I": 0})
    lost: int = 0                                     # W records whose beats the harness could not keep
    start_to_irq: dict[int, int] = field(default_factory=dict)   # token -> cycles from its START write to the irq
    bursts: dict[int, list[Span]] = field(default_factory=lambda: defaultdict(list))   # token -> its bursts
    irq_rises: dict[int, list[int]] = field(default_factory=lambda: defaultdict(list))  # token -> irq rise cycles


@dataclass(frozen=True)
class Span:
    """A burst's life on the bus: issued (AR / AW taken) and finished (last R beat / B) cycles, its response."""
    write: bool
    addr: int
    issued: int
    done: int
    resp: int


def _burst(rec: dict[str, Any]) -> Any:
    from verif.bfm.axi_mem_bfm_types import ReadBurst, WriteBeatRec, WriteBurst
    if rec["k"] == "R":
        return ReadBurst(int(rec["id"]), int(rec["addr"]), int(rec["len"]), int(rec["resp"]), int(rec["t_ar"]),
                         int(rec["t_first"]), int(rec["t_last"]), bool(rec["ooo"]), bool(rec["il"]))
    beats = [WriteBeatRec(int.from_bytes(bytes.fromhex(d), "little"), int(s, 16) if isinstance(s, str) else int(s),
                          int(r)) for d, s, r in rec["beats"]]
    return WriteBurst(int(rec["id"]), int(rec["addr"]), int(rec["len"]), int(rec["resp"]), int(rec["t_aw"]),
                      int(rec["t_b"]), beats, bool(rec.get("lost", 0)))


def read_txns(path: Path) -> ScTxns:
    from verif.env.txn_log import burst_line
    out = ScTxns()
    start: tuple[int, int] | None = None              # (token, cycle) of the last START write
    for n, text in enumerate(path.read_text().splitlines(), 1):
        if not text.strip():
            continue
        try:
            rec = json.loads(text)
            kind = rec["k"]
            if kind in ("R", "W"):
                b = _burst(rec)
                out.lines.append(burst_line(kind == "W", b))
                w = kind == "W"
                out.bursts[int(rec["tok"])].append(Span(w, int(rec["addr"]), int(rec["t_aw" if w else "t_ar"]),
                                                        int(rec["t_b" if w else "t_last"]), int(rec["resp"])))
                if kind == "W":
                    out.writes[int(rec["tok"])].append(b)
                    out.lost += int(b.beats_lost)
            elif kind == "C":
                if rec["w"] and int(rec["addr"]) == CTRL and int(rec["data"]) & CTRL_START:
                    start = (int(rec["tok"]), int(rec["cyc"]))
                out.lines.append(f"C {'W' if rec['w'] else 'R'} {int(rec['addr']):#04x} {int(rec['data']):#010x} "
                                 f"resp={int(rec['resp'])} t={int(rec['cyc']) * CLK_NS}")
            elif kind == "I":
                if int(rec["level"]):
                    out.irq_rises[int(rec["tok"])].append(int(rec["cyc"]))
                if int(rec["level"]) and start is not None:
                    out.start_to_irq[start[0]] = int(rec["cyc"]) - start[1]
                    start = None
                out.lines.append(f"I {int(rec['level'])} t={int(rec['cyc']) * CLK_NS}")
            else:
                raise KeyError(f"kind {kind!r}")
            out.counts[kind] += 1
        except (ValueError, KeyError, TypeError) as exc:
            raise TxnFormatError(f"{path}:{n}: unreadable record ({exc}): {text[:120]}") from None
    return out


def csr_sequence(path: Path) -> list[tuple[str, int, int]]:
    """The C driver's AXI4-Lite accesses in order: (R|W, address, data)."""
    seq = []
    for text in path.read_text().splitlines():
        if text.strip():
            rec = json.loads(text)
            if rec.get("k") == "C":
                seq.append(("W" if rec["w"] else "R", int(rec["addr"]), int(rec["data"])))
    return seq
