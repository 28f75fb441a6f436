"""Scoreboard: every logit, every K/V append (address, data, strobes), the whole KV region after every token and
the perf counters (bytes moved against the schedule; PERF_CYCLES exactly against the testbench's own count from the
START write to the irq, when the readback carries it), against the reference model's predictions.

Inputs (analysis exports): `prediction` (TokenPrediction, from RefModel), `frame` (LogitsFrame, from the logits
sink monitor), `write` (AxiWrite, from the AXI monitor), `result` (TokenReadback, from the host sequence after the
token's irq; the AXI monitor has been flushed by then). Tokens are matched in order. A mismatch is reported with
the token, layer, head and index and both values; every mismatch is counted (the first MAX_REPORTS per kind are
printed) and the test fails in check_phase if any was seen or if any expected item was not consumed.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from pyuvm import uvm_component, uvm_tlm_analysis_fifo

from models.ddr_layout import DdrLayout
from models.driver import STATUS_DONE, STATUS_ERROR
from verif.agents.axi4 import AxiWrite
from verif.agents.axis import LogitsFrame

from .refmodel import kv_locate
from .txn import TokenPrediction, TokenReadback

MAX_REPORTS = 10


def _s8(b: int) -> int:
    """A byte as int8."""
    return (b ^ 0x80) - 0x80


@dataclass
class Mismatches:
    """Counted mismatches of one kind, the first few kept verbatim."""
    kind: str
    count: int = 0
    shown: list[str] = field(default_factory=list)

    def add(self, msg: str) -> None:
        self.count += 1
        if len(self.shown) < MAX_REPORTS:
            self.shown.append(msg)


class TokenChecker:
    """The comparisons, without pyuvm (unit-testable). `errors()` lists every mismatch kind with its count."""

    def __init__(self, layout: DdrLayout, image_base: int) -> None:
        self.layout, self.image_base = layout, image_base
        self.kinds: dict[str, Mismatches] = {}
        self.tokens_checked = 0
        self.prefixes: list[tuple[int, int]] = []   # (token index, logits a failed token streamed before zeros)

    def _bad(self, kind: str, msg: str) -> None:
        self.kinds.setdefault(kind, Mismatches(kind)).add(msg)

    def where(self, addr: int) -> str:
        off = addr - self.image_base - self.layout.kv_base
        if not 0 <= off < self.layout.kv_size:
            return f"address {addr:#x} (outside the KV region)"
        layer, head, which, row, byte = kv_locate(self.layout, off)
        return f"layer {layer} head {head} {'KV'[which]} row {row} byte {byte} (address {addr:#x})"

    def check(self, pred: TokenPrediction, frame: LogitsFrame | None, writes: list[AxiWrite],
              result: TokenReadback) -> None:
        tok = f"token {pred.start.index} (pos {pred.start.pos})"
        self.tokens_checked += 1
        self._status(tok, pred, result)
        self._logits(tok, pred, frame)
        if not pred.start.expect_error:
            self._writes(tok, pred, writes)
            self._kv_region(tok, pred.kv_region, result.kv_region)
            self._perf(tok, pred, result)

    def _status(self, tok: str, pred: TokenPrediction, result: TokenReadback) -> None:
        want = pred.start.expect_error
        if want and not (result.status & STATUS_ERROR and result.err_code == want):
            self._bad("status", f"{tok}: expected ERROR with ERR_CODE {want}, STATUS {result.status:#x} "
                                f"ERR_CODE {result.err_code}")
        if not want and (result.status & (STATUS_DONE | STATUS_ERROR)) != STATUS_DONE:
            self._bad("status", f"{tok}: expected DONE without ERROR, STATUS {result.status:#x} "
                                f"ERR_CODE {result.err_code}")

    def _logits(self, tok: str, pred: TokenPrediction, frame: LogitsFrame | None) -> None:
        vocab = self.layout.cfg.vocab
        if frame is None:
            self._bad("logits", f"{tok}: no logits frame")
            return
        if len(frame.data) < 4 * vocab:
            self._bad("logits", f"{tok}: frame of {len(frame.data)} bytes, {4 * vocab} expected")
            return
        got, want = frame.logits(vocab), pred.logits
        if pred.start.expect_error:       # a failed token's frame is zero from the failure on (driver step 5)
            nz = np.flatnonzero(got)
            if nz.size:                   # a prefix streamed before the failure: it must be the golden one
                k = int(nz[-1]) + 1
                bad = np.flatnonzero(got[:k] != want[:k])
                if bad.size:
                    j = int(bad[0])
                    self._bad("logits", f"{tok}: failed token's frame is neither zeros nor a correct prefix then "
                                        f"zeros: logit {j}: golden {int(want[j])}, DUT {int(got[j])} "
                                        f"(non-zero up to {k - 1})")
                else:
                    self.prefixes.append((pred.start.index, k))
            return
        for j in np.flatnonzero(got != want):
            self._bad("logits", f"{tok}: logit {j}: golden {int(want[j])}, DUT {int(got[j])}")

    def _writes(self, tok: str, pred: TokenPrediction, writes: list[AxiWrite]) -> None:
        seen: dict[int, int] = {}
        for w in writes:
            for i, (b, s) in enumerate(zip(w.data, w.strb, strict=False)):
                if not s:
                    self._bad("write_strobe", f"{tok}: WSTRB low on {self.where(w.addr + i)}")
                    continue
                if w.addr + i in seen:
                    self._bad("write_twice", f"{tok}: {self.where(w.addr + i)} written twice")
                seen[w.addr + i] = b
        expected = {kw.addr + i: (kw, i) for kw in pred.kv_writes for i in range(len(kw.data))}
        for addr in sorted(set(seen) - set(expected)):
            self._bad("write_unexpected", f"{tok}: unexpected write at {self.where(addr)}")
        for addr, (kw, i) in expected.items():
            if addr not in seen:
                self._bad("write_missing", f"{tok}: no write to {self.where(addr)}")
            elif seen[addr] != kw.data[i]:
                self._bad("write_data", f"{tok}: {self.where(addr)}: golden {_s8(kw.data[i])}, "
                                        f"DUT {_s8(seen[addr])}")

    def check_kv(self, what: str, want: bytes, got: bytes) -> None:
        """The KV region read back (`got`) against the prediction (`want`), e.g. after the last token."""
        self._kv_region(what, want, got)

    def _kv_region(self, tok: str, want: bytes, got: bytes) -> None:
        if len(got) != len(want):
            self._bad("kv_region", f"{tok}: read {len(got)} KV bytes, {len(want)} expected")
            return
        a, b = np.frombuffer(want, np.int8), np.frombuffer(got, np.int8)
        base = self.image_base + self.layout.kv_base
        for off in np.flatnonzero(a != b):
            self._bad("kv_region", f"{tok}: {self.where(base + int(off))}: golden {a[off]}, DUT {b[off]}")

    def _perf(self, tok: str, pred: TokenPrediction, result: TokenReadback) -> None:
        p = result.perf
        if (p.get("bytes_rd"), p.get("bytes_wr")) != (pred.bytes_rd, pred.bytes_wr):
            self._bad("perf", f"{tok}: PERF_BYTES_RD/WR {p.get('bytes_rd')}/{p.get('bytes_wr')}, the schedule "
                              f"moves {pred.bytes_rd}/{pred.bytes_wr}")
        # 1 <= PERF_RD_STALL <= PERF_CYCLES: the token's first read (the image header) is always waited for
        if not 1 <= p.get("rd_stall_cycles", 0) <= p.get("cycles", 0):
            self._bad("perf", f"{tok}: PERF_CYCLES {p.get('cycles')} / PERF_RD_STALL {p.get('rd_stall_cycles')}: "
                              f"1 <= PERF_RD_STALL <= PERF_CYCLES")
        if result.start_to_irq is not None and p.get("cycles") != result.start_to_irq:
            self._bad("perf", f"{tok}: PERF_CYCLES {p.get('cycles')}, the testbench counted {result.start_to_irq} "
                              f"cycles from the START write to the irq")

    def errors(self) -> list[str]:
        out = []
        for m in self.kinds.values():
            out.append(f"{m.kind}: {m.count} mismatch(es)")
            out += [f"  {s}" for s in m.shown]
        return out


class Scoreboard(uvm_component):
    """pyuvm wrapper around TokenChecker. The env sets `checker` (a TokenChecker) before the run phase."""

    def build_phase(self) -> None:
        self.pred_fifo = uvm_tlm_analysis_fifo("pred_fifo", self)
        self.frame_fifo = uvm_tlm_analysis_fifo("frame_fifo", self)
        self.write_fifo = uvm_tlm_analysis_fifo("write_fifo", self)
        self.result_fifo = uvm_tlm_analysis_fifo("result_fifo", self)
        self.prediction_export = self.pred_fifo.analysis_export
        self.frame_export = self.frame_fifo.analysis_export
        self.write_export = self.write_fifo.analysis_export
        self.result_export = self.result_fifo.analysis_export
        self.checker: TokenChecker | None = None

    async def run_phase(self) -> None:
        while True:
            result: TokenReadback = await self.result_fifo.get()
            ok, pred = self.pred_fifo.try_get()
            if not ok:
                self.logger.error(f"token {result.index}: a result without a prediction")
                continue
            ok, frame = self.frame_fifo.try_get()
            writes = []
            while True:
                got, w = self.write_fifo.try_get()
                if not got:
                    break
                writes.append(w)
            assert self.checker is not None, "Scoreboard: no TokenChecker configured"
            before = sum(m.count for m in self.checker.kinds.values())
            self.checker.check(pred, frame if ok else None, writes, result)
            after = sum(m.count for m in self.checker.kinds.values())
            if after > before:
                self.logger.error(f"token {result.index}: {after - before} mismatch(es)")

    def check_phase(self) -> None:
        left = {name: f.used() for name, f in (("prediction", self.pred_fifo), ("logits frame", self.frame_fifo),
                                               ("AXI write", self.write_fifo), ("token result", self.result_fifo))}
        leftovers = [f"{n} x{k}" for n, k in left.items() if k]
        problems = (self.checker.errors() if self.checker else ["no TokenChecker"]) + (
            [f"unconsumed at the end of the test: {', '.join(leftovers)}"] if leftovers else [])
        for line in problems:
            self.logger.error(line)
        if problems:
            raise AssertionError("scoreboard: " + "; ".join(p for p in problems if not p.startswith("  ")))
        self.logger.info(f"scoreboard: {self.checker.tokens_checked} token(s) checked, clean")
