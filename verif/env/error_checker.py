"""The error tests' transactions and checks (used by verif/env/error_seqs.py and verif/tests/errors.py).

  ErrTokenStart     TokenStart + `kind` and `csr_pos` (the TOKEN_POS written when it is not `pos`, e.g.
                    TOKEN_POS >= MAX_SEQ: the reference model needs a legal pos for its schedule). Kinds:
                      ""          a token that exchanges its streams (good, or failing with `expect_error`)
                      REJECTED    START rejected: no stream, no AXI traffic, STATUS ERROR without DONE (a
                                  rejected START clears the previous token's DONE)
                      ABORTED     abandoned by a soft / hard reset (or by the soft reset after a rejected START)
                      IN_FLIGHT   a good token that saw a second START while busy: it runs to completion bit-exact
                                  and ends with DONE and ERROR (ERR_CODE START_WHILE_BUSY) set together (the
                                  DONE is the in-flight token's: the rejected START did not replace it)
  ErrorTokenChecker TokenChecker that also checks the failed / rejected / aborted / in-flight tokens: a failed
                    token writes only its own K/V rows (pos), the rest of the KV region is untouched; a rejected
                    START exchanges no stream and moves nothing on AXI; an aborted token leaves STATUS 0 after the
                    reset, no frame, and writes nothing outside its own K/V rows; an in-flight token is checked as a
                    good one except for its STATUS
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from models.driver import STATUS_BUSY, STATUS_DONE, STATUS_ERROR, ErrorCode
from models.schedule import kv_writes

from .scoreboard import TokenChecker
from .txn import (
    ABORT_CODE,
    ABORTED,
    AUTO,
    IN_FLIGHT,
    QUIET_CYCLES,
    REJECTED,
    TokenPrediction,
    TokenReadback,
    TokenStart,
)


@dataclass(frozen=True)
class ErrTokenStart(TokenStart):
    kind: str = ""
    csr_pos: int | None = None


def row_spans(layout: Any, image_base: int, pos: int) -> list[tuple[int, int]]:
    """DDR [lo, hi) of every K/V row the token at `pos` appends."""
    return [(image_base + t.addr, image_base + t.addr + t.nbytes) for t in kv_writes(layout, pos)]


class ErrorTokenChecker(TokenChecker):
    """TokenChecker plus the checks of rejected, aborted and in-flight tokens (ErrTokenStart.kind) and, for a failed
    token, writes confined to its own K/V rows. (A failed token's logits prefix is checked by TokenChecker against
    the reference model's would-be logits.)"""

    def check(self, pred, frame, writes, result) -> None:
        start = pred.start
        kind = getattr(start, "kind", "")
        tok = f"token {start.index} (pos {start.pos}{', ' + kind if kind else ''})"
        if kind in ("", IN_FLIGHT):
            super().check(pred, frame, writes, result)
            if start.expect_error:
                self._confined(tok, start.pos, writes, pred.kv_region, result.kv_region)
            return
        self.tokens_checked += 1
        if kind == REJECTED:
            want = start.expect_error
            if (not (result.status & STATUS_ERROR and result.err_code == want)
                    or result.status & (STATUS_BUSY | STATUS_DONE)):
                self._bad("status", f"{tok}: expected a rejected START (ERROR, ERR_CODE {want}, not BUSY, DONE "
                                    f"clear: DONE describes the latest START), STATUS {result.status:#x}")
            if frame is not None:
                self._bad("logits", f"{tok}: a logits frame for a rejected START")
            for w in writes:
                self._bad("write_unexpected", f"{tok}: write at {self.where(w.addr)} for a rejected START")
            self._kv_region(tok, pred.kv_region, result.kv_region)
        elif kind == ABORTED:
            if result.status != 0:
                self._bad("status", f"{tok}: STATUS {result.status:#x} after the reset, expected 0")
            if frame is not None:
                self._bad("logits", f"{tok}: a complete logits frame from an abandoned token")
            self._confined(tok, start.pos, writes, pred.kv_region, result.kv_region)
        else:
            self._bad("kind", f"{tok}: unknown token kind {kind!r}")

    def _status(self, tok: str, pred: TokenPrediction, result: TokenReadback) -> None:
        if getattr(pred.start, "kind", "") != IN_FLIGHT:
            super()._status(tok, pred, result)
            return
        want = STATUS_DONE | STATUS_ERROR
        if (result.status & (want | STATUS_BUSY)) != want or result.err_code != ErrorCode.START_WHILE_BUSY:
            self._bad("status", f"{tok}: expected DONE and ERROR with ERR_CODE {int(ErrorCode.START_WHILE_BUSY)} "
                                f"(a second START while busy), STATUS {result.status:#x} ERR_CODE {result.err_code}")

    def _confined(self, tok: str, pos: int, writes: list, want_kv: bytes, got_kv: bytes) -> None:
        """A failed / abandoned token: writes only inside its own K/V rows; the KV region is the prediction's
        except those rows (their content is undefined, models/driver.py step 8)."""
        spans = row_spans(self.layout, self.image_base, pos) if pos < self.layout.cfg.max_seq else []
        for w in writes:
            lo, hi = w.addr, w.addr + len(w.data)
            if not any(a <= lo and hi <= b for a, b in spans):
                self._bad("write_outside_rows", f"{tok}: write [{lo:#x}, {hi:#x}) at {self.where(lo)} outside "
                                                f"the token's own K/V rows")
        got, want = bytearray(got_kv), bytearray(want_kv)
        if len(got) != len(want):
            self._bad("kv_region", f"{tok}: read {len(got)} KV bytes, {len(want)} expected")
            return
        kv0 = self.image_base + self.layout.kv_base
        for a, b in spans:
            got[a - kv0:b - kv0] = want[a - kv0:b - kv0]
        self._kv_region(tok, bytes(want), bytes(got))


__all__ = [
    "ABORTED",
    "ABORT_CODE",
    "AUTO",
    "IN_FLIGHT",
    "QUIET_CYCLES",
    "REJECTED",
    "ErrTokenStart",
    "ErrorTokenChecker",
    "row_spans",
]
