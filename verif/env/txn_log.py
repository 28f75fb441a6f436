"""TxnLog: the run's transaction log, in arrival order, and its sha256 (the determinism fingerprint of a seed).

One text line per observed transaction (analysis exports, wired in env.py):

    burst_export  AxiBurstItem (mem.monitor.ap)   R id=.. addr=.. len=.. resp=.. t_ar/t_first/t_last (BFM cycles)
                                                  ooo=/il= flags; W id addr len resp t_aw/t_b and a digest
                                                  of the written data and strobes
    frame_export  LogitsFrame (logits.monitor.ap) F bytes=.. digest of the data and TKEEPs, sim time
    csr_export    AxilRecord (axil.monitor.ap)    C R|W addr data resp, sim time
    irq_export    IrqItem (irq.monitor.ap)        I level, sim time of the edge

The same seed must give the identical log (hash) and different seeds different ones when the test randomises
timing (tests/rtl/test_uvm_seeds.py). `sha256` is the hex digest of the lines joined by newlines (each line
followed by "\\n"). At the end (extract_phase, before the scoreboard's check_phase can fail the test) the log is
written as `txn_log.txt` and the digest as `txn_log.sha256` ("<hex>  <n> transactions") into the run directory
(the simulator's cwd, or the plusarg / environment setting le_txn_dir), and the digest is logged. repro.sh
compares the rerun's digest with the failing run's (regress/results.py).
"""
from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from cocotb.utils import get_sim_time
from pyuvm import uvm_component, uvm_subscriber

from verif.settings import setting

LOG_FILE = "txn_log.txt"
HASH_FILE = "txn_log.sha256"


def _now_ns() -> int:
    try:
        return int(get_sim_time("ns"))
    except Exception:                         # outside a simulation (unit tests)
        return 0


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:16]


def burst_line(write: bool, b: Any) -> str:
    if write:
        payload = b"".join(f"{x.data:x}/{x.strb:x}/{x.resp};".encode() for x in b.beats)
        return (f"W id={b.awid} addr={b.addr:#x} len={b.awlen + 1} resp={b.resp} t_aw={b.t_aw} t_b={b.t_b} "
                f"data={_digest(payload)}{' lost' if b.beats_lost else ''}")
    return (f"R id={b.arid} addr={b.addr:#x} len={b.arlen + 1} resp={b.resp} t_ar={b.t_ar} t_first={b.t_first} "
            f"t_last={b.t_last} ooo={int(b.out_of_order)} il={int(b.interleaved)}")


class TxnLog(uvm_component):
    def build_phase(self) -> None:
        self.lines: list[str] = []
        self.burst_export = uvm_subscriber.uvm_AnalysisImp("burst_export", self, self.write_burst)
        self.frame_export = uvm_subscriber.uvm_AnalysisImp("frame_export", self, self.write_frame)
        self.csr_export = uvm_subscriber.uvm_AnalysisImp("csr_export", self, self.write_csr)
        self.irq_export = uvm_subscriber.uvm_AnalysisImp("irq_export", self, self.write_irq)
        self.counts = dict(burst=0, frame=0, csr=0, irq=0)
        self.dir: Path | None = None

    def add(self, kind: str, line: str) -> None:
        self.lines.append(line)
        self.counts[kind] += 1

    @property
    def sha256(self) -> str:
        """sha256 of text() (hashed when asked: one update instead of one per line)."""
        return hashlib.sha256(self.text().encode()).hexdigest()

    def text(self) -> str:
        return "".join(line + "\n" for line in self.lines)

    # ---- inputs -------------------------------------------------------------------------------------------
    def write_burst(self, item: Any) -> None:
        self.add("burst", burst_line(bool(item.write), item.burst))

    def write_frame(self, frame: Any) -> None:
        keep = ",".join(f"{k:x}" for k in frame.tkeep)
        self.add("frame", f"F bytes={len(frame.data)} data={_digest(frame.data)} keep={_digest(keep.encode())} "
                          f"t={_now_ns()}")

    def write_csr(self, item: Any) -> None:
        self.add("csr", f"C {'W' if item.write else 'R'} {item.addr:#04x} {item.data:#010x} resp={item.resp} "
                        f"t={_now_ns()}")

    def write_irq(self, item: Any) -> None:
        self.add("irq", f"I {item.level} t={int(item.time_ns)}")

    # ---- end of test ----------------------------------------------------------------------------------------
    def extract_phase(self) -> None:      # before check_phase: a failing run keeps its fingerprint too
        self.dir = Path(setting("txn_dir") or Path.cwd())
        self.dir.mkdir(parents=True, exist_ok=True)
        text = self.text()
        sha256 = hashlib.sha256(text.encode()).hexdigest()
        (self.dir / LOG_FILE).write_text(text)
        (self.dir / HASH_FILE).write_text(f"{sha256}  {len(self.lines)} transactions\n")
        counts = ", ".join(f"{k} {v}" for k, v in self.counts.items())
        self.logger.info(f"txn log: sha256 {sha256} ({len(self.lines)} transactions: {counts}) -> "
                         f"{self.dir / LOG_FILE}")
