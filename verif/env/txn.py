"""Token-level transactions of the env (plain dataclasses: cheap to build, print and compare).

The host sequence publishes a TokenStart and, after the token, a TokenReadback; the reference model turns a
TokenStart into a TokenPrediction; the scoreboard matches predictions against what the DUT did (the bus-level
items it also reads, AxiWrite and LogitsFrame, belong to the agents that produce them).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

# Kinds of an error test's token (verif/env/error_checker.py ErrTokenStart.kind; "" = one that exchanges its
# streams: good, or failing with expect_error) and the expectation markers of the error sequences.
REJECTED, ABORTED, IN_FLIGHT = "rejected", "aborted", "in_flight"
AUTO = -1                       # an expected error decided from the memory's error responses (error_seqs.py ErrPlan)
ABORT_CODE = 0xFF               # expect_error of an aborted token (any non-zero: the reference model does not step)
QUIET_CYCLES = 200              # after ERROR: no AXI request may be issued in this many cycles


@dataclass(frozen=True)
class TokenStart:
    """A token the host started: its X (int8 [d_model]) and sequence position, and the error it must end with
    (0 = none; a test that injects an error says so before the token starts)."""
    index: int                      # token number within the test (0, 1, ...)
    pos: int
    x: np.ndarray
    expect_error: int = 0


@dataclass(frozen=True)
class KvWrite:
    """One K or V row the engine must append: DDR byte address and its bytes."""
    layer: int
    head: int
    which: int                      # 0 = K, 1 = V
    pos: int
    addr: int
    data: bytes


@dataclass(frozen=True)
class TokenPrediction:
    start: TokenStart
    logits: np.ndarray              # int64 [vocab] (int32 values)
    kv_writes: list[KvWrite]
    bytes_rd: int                   # PERF_BYTES_RD the schedule implies (bus beats x bus bytes)
    bytes_wr: int
    kv_region: bytes                # the whole KV region after the token


@dataclass(frozen=True)
class TokenReadback:
    """What the host read back after the token's irq (STATUS, ERR_CODE, the four perf counters)."""
    index: int
    status: int
    err_code: int
    perf: dict[str, int]
    kv_region: bytes                # backdoor read of the KV region after the token
    start_to_irq: int | None = None   # cycles from the START write's B handshake to the irq's rise, as the
                                      # testbench saw them (None: not measured); PERF_CYCLES must equal it
