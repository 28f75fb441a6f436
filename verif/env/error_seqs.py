"""Sequences of the error tests (verif/tests/errors.py): AXI error injection, illegal configs, X framing errors,
resets in the middle of a token. Their transactions and checks are in error_checker.py; the START-while-busy
sequences in busy_seq.py.

  ErrorWatch        subscriber of the irq monitor and the AXI monitor: at every irq rise the memory BFM's
                    outstanding bursts and burst counters; every burst answered with an error response
  AxiCtrlSeq        AxiCtrlItems (error ranges, knobs, clear) on the memory agent's sequencer
  ErrPlan           one token of an error test (what to expect, what TOKEN_POS to write, AUTO expectation, an X
                    frame of the wrong length)
  ErrorSeq          TokenSeq with the error-test token kinds: `token` (good, expected error, or AUTO: the expected
                    error decided from the memory's own record of which bursts it answered with SLVERR/DECERR),
                    `aborted_token` (START, then a soft or hard reset at a chosen point), the per-error checks
                    (ERROR raised with no AXI transaction outstanding, nothing issued after ERROR, soft reset leaves
                    the bus idle, no memory-BFM protocol error, e.g. a write outside the RW (KV) window)
"""
from __future__ import annotations

import dataclasses
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from cocotb.triggers import ClockCycles, First, RisingEdge, ValueChange
from pyuvm import uvm_component, uvm_sequence, uvm_subscriber

from models.driver import CTRL_START, STATUS_BUSY, STATUS_ERROR, EngineError, ErrorCode, status_error_code
from verif.agents.axi4 import AxiCtrlItem
from verif.bfm.axi_mem_bfm import OKAY

from .error_checker import ABORT_CODE, ABORTED, AUTO, QUIET_CYCLES, ErrTokenStart
from .host import TokenSeq
from .txn import TokenReadback


# --------------------------------------------------------------------------------------------- watch
@dataclass
class IrqRise:
    time_ns: float
    outstanding: tuple[int, int]
    bursts: tuple[int, int]


def _bursts(bfm: Any) -> tuple[int, int]:
    s = bfm.stats()
    return s["rd_bursts"], s["wr_bursts"]


class ErrorWatch(uvm_component):
    """irq rises (with the memory's state at that edge) and error-response bursts, since `begin()`."""

    def build_phase(self) -> None:
        self.irq_export = uvm_subscriber.uvm_AnalysisImp("irq_export", self, self.write_irq)
        self.burst_export = uvm_subscriber.uvm_AnalysisImp("burst_export", self, self.write_burst)
        self.bfm: Any = None
        self.begin()

    def begin(self) -> None:
        self.rises: list[IrqRise] = []
        self.err_reads: list[Any] = []
        self.err_writes: list[Any] = []

    def write_irq(self, item: Any) -> None:
        if item.level and self.bfm is not None:
            self.rises.append(IrqRise(item.time_ns, self.bfm.outstanding(), _bursts(self.bfm)))

    def write_burst(self, item: Any) -> None:
        if item.burst.resp != OKAY:
            (self.err_writes if item.write else self.err_reads).append(item.burst)


# --------------------------------------------------------------------------------------------- sequences
class AxiCtrlSeq(uvm_sequence):
    """AxiCtrlItems on the memory agent's sequencer (applied when finish_item returns)."""

    def __init__(self, items: list[AxiCtrlItem], name: str = "axi_ctrl") -> None:
        super().__init__(name)
        self.items = items

    async def body(self) -> None:
        for item in self.items:
            await self.start_item(item)
            await self.finish_item(item)


@dataclass
class ErrPlan:
    x: np.ndarray
    pos: int
    expect_error: int = 0                 # 0: good; an ErrorCode; AUTO
    kind: str = ""                        # "" / REJECTED (START must be rejected)
    csr_pos: int | None = None            # TOKEN_POS to write instead of pos
    label: str = ""
    x_bytes: bytes | None = None          # the X frame to send instead of x (a wrong length: TLAST errors)


@dataclass
class ErrLog:
    lines: list[str] = field(default_factory=list)
    codes: dict[str, int] = field(default_factory=dict)


class ErrorSeq(TokenSeq):
    """The host sequence of the error tests. `hard_reset` (a coroutine pulsing rst_n) comes from the test."""

    def __init__(self, env: Any, watch: ErrorWatch, name: str = "errors",
                 hard_reset: Callable[[], Awaitable[None]] | None = None) -> None:
        super().__init__(env, [], name, configure=True)
        self.watch = watch
        self.hard_reset_fn = hard_reset
        self.index = 0
        self.elog = ErrLog()
        self.last_cycles = 0                # PERF_CYCLES of the latest good token

    # ---- helpers ----------------------------------------------------------------------------------------------
    @property
    def bfm(self) -> Any:
        return self.env.mem_bfm

    @property
    def clk(self) -> Any:
        return self.env.ec.dut.clk

    def note(self, msg: str) -> None:
        self.elog.lines.append(msg)
        self.env.logger.info(msg)

    async def axi(self, *items: AxiCtrlItem) -> None:
        await AxiCtrlSeq(list(items)).start(self.env.mem.sequencer)

    async def knobs(self, **changes: Any) -> None:
        await self.axi(AxiCtrlItem(knobs=dataclasses.replace(self.env.mem.cfg.knobs, **changes)))

    def check_protocol(self, what: str) -> None:
        """The memory BFM's protocol checks (a write outside the RW = KV window is one) found nothing so far."""
        errs = self.bfm.protocol_errors()
        if errs:
            raise AssertionError(f"{what}: AXI memory protocol error(s): {'; '.join(errs[:5])}")

    async def wait_cycles(self, n: int) -> None:
        if n > 0:
            await ClockCycles(self.clk, n)

    # ---- one token ------------------------------------------------------------------------------------------
    async def body(self) -> None:          # the test drives the tokens; configure only
        if self.configure:
            await self.driver.configure()

    async def token(self, plan: ErrPlan) -> int:
        """Run one token through EngineDriver; returns the ERR_CODE it ended with (0: DONE)."""
        env, index = self.env, self.index
        self.index += 1
        auto = plan.expect_error == AUTO
        start = ErrTokenStart(index, plan.pos, plan.x, 0 if auto else plan.expect_error, kind=plan.kind,
                              csr_pos=plan.csr_pos)
        if not auto:
            env.token_ap.write(start)
        env.mem.monitor.flush()
        self.watch.begin()
        frames0 = env.logits.monitor.frames
        status, err, perf = 0, 0, {}
        try:
            pos = plan.pos if plan.csr_pos is None else plan.csr_pos
            res = await (self.driver.run_token(plan.x, pos) if plan.x_bytes is None else
                         self.raw_token(pos, plan.x_bytes))
            status, perf = res.status, res.perf
            self.last_cycles = perf.get("cycles", self.last_cycles)
        except EngineError as e:
            status, err = e.status, status_error_code(e.status)
        env.mem.monitor.flush()
        what = f"token {index} pos {plan.pos}{' (' + plan.label + ')' if plan.label else ''}"
        if err:
            await self.check_error_raised(what, rejected=env.logits.monitor.frames == frames0)
        if auto:
            rd, wr = bool(self.watch.err_reads), bool(self.watch.err_writes)
            if rd and wr:
                raise AssertionError(f"{what}: AUTO token with both read and write errors (enable one at a time)")
            want = ErrorCode.AXI_READ_ERROR if rd else ErrorCode.AXI_WRITE_ERROR if wr else 0
            env.token_ap.write(dataclasses.replace(start, expect_error=int(want)))
            await RisingEdge(self.clk)                      # the reference model predicts before the result
            what += f" (AUTO: {len(self.watch.err_reads)} read / {len(self.watch.err_writes)} write bursts " \
                    f"answered an error -> expect {int(want)})"
        env.result_ap.write(TokenReadback(index, status, err, perf, env.kv_region()))
        self.check_protocol(what)
        self.note(f"{what}: STATUS {status:#x} ERR_CODE {err}")
        if err:
            self.elog.codes[plan.label or what] = err
            await self.soft_reset(what)
        return err

    async def check_error_raised(self, what: str, rejected: bool) -> None:
        """ERROR raised with no AXI transaction outstanding, and nothing issued after it."""
        rises = self.watch.rises
        if not rises:
            raise AssertionError(f"{what}: ERROR without an irq rise")
        first = rises[0]
        if first.outstanding != (0, 0):
            raise AssertionError(f"{what}: irq (ERROR) raised with {first.outstanding[0]} read / "
                                 f"{first.outstanding[1]} write bursts outstanding")
        await self.wait_cycles(QUIET_CYCLES)
        now = _bursts(self.bfm)
        if now != first.bursts or self.bfm.outstanding() != (0, 0):
            raise AssertionError(f"{what}: AXI bursts issued after ERROR: {first.bursts} at the irq, {now} "
                                 f"{QUIET_CYCLES} cycles later")
        status = await self.bus.csr_read(self.driver.csr.STATUS)
        if not status & STATUS_ERROR:
            raise AssertionError(f"{what}: STATUS {status:#x}: ERROR must stay set until the soft reset")

    async def soft_reset(self, what: str) -> None:
        """Driver S1-S2, then: STATUS 0 means the AXI side is drained."""
        await self.driver.soft_reset()
        out = self.bfm.outstanding()
        if out != (0, 0):
            raise AssertionError(f"{what}: STATUS reads 0 after the soft reset with {out[0]} read / {out[1]} "
                                 f"write bursts outstanding")

    # ---- tokens abandoned by a soft or hard reset -------------------------------------------------------------
    def announce_aborted(self, pos: int, x: np.ndarray) -> int:
        """The next token index, announced to the reference model as one a reset will abandon."""
        index = self.index
        self.index += 1
        self.env.token_ap.write(ErrTokenStart(index, pos, x, ABORT_CODE, kind=ABORTED))
        return index

    async def poll_idle(self, polls: int) -> int:
        """Read STATUS up to `polls` times, until it reads 0; the last value read (0: idle)."""
        status = -1
        for _ in range(polls):
            status = await self.bus.csr_read(self.driver.csr.STATUS)
            if status == 0:
                break
        return status

    def close_aborted(self, index: int, status: int, what: str) -> None:
        """After a drain the test ended by hand: the sink resynchronised, the readback published, the memory
        protocol checked, a line noted."""
        self.resync_sink()
        self.env.mem.monitor.flush()
        self.env.result_ap.write(TokenReadback(index, status, 0, {}, self.env.kv_region()))
        self.check_protocol(what)
        self.note(f"{what}: STATUS 0, IRQ_STATUS 0 after the drain")

    # ---- resets in the middle of a token ----------------------------------------------------------------------
    def sink(self) -> Any:
        return self.env.ec.dut.u_logits_sink

    def sink_beats(self) -> int:
        return int(self.sink().beats_recv.value)

    def resync_sink(self) -> int:
        """Drop the partial logits frame an abandoned token left in the sink BFM (AxisSinkBfm.drop_partial).
        Returns the number of beats dropped. Only while TVALID is low."""
        if int(self.sink().s_axis_tvalid.value):
            raise AssertionError("m_axis_logits TVALID high after the soft reset (stream not abandoned)")
        return self.env.logits.monitor.cfg.bfm.drop_partial()

    async def start_token(self, pos: int, what: str) -> None:
        """TOKEN_POS and START; the token must be accepted (STATUS reads BUSY)."""
        csr = self.driver.csr
        await self.bus.csr_write(csr.TOKEN_POS, pos)
        await self.bus.csr_write(csr.CTRL, CTRL_START)
        status = await self.bus.csr_read(csr.STATUS)
        if status != STATUS_BUSY:
            raise AssertionError(f"{what}: STATUS {status:#x} after START, expected BUSY")

    async def reach(self, point: str, delay: int, beats0: int, x: np.ndarray) -> None:
        """Bring the started token to `point`: "before_x" `delay` cycles after START with no X sent; otherwise X
        is sent, then "weights" = `delay` cycles later or at the first logits beat, whichever comes first, and
        "logits" = `delay` cycles after the first logits beat (`beats0`: the sink's beat count at START)."""
        if point == "before_x":
            await self.wait_cycles(delay)
            return
        await self.bus.send_x(x.tobytes())
        if point == "logits":
            while self.sink_beats() == beats0:
                await ValueChange(self.sink().beats_recv)
            await self.wait_cycles(delay)
        else:
            await First(ClockCycles(self.clk, max(delay, 1)), ValueChange(self.sink().beats_recv))

    async def aborted_token(self, x: np.ndarray, pos: int, point: str, delay: int, hard: bool = False) -> str:
        """START the token at `pos`, then reset at `point`: "before_x" (X never sent, `delay` cycles after START),
        "weights" (`delay` cycles after X was accepted; before the first logits beat), "logits" (`delay` cycles
        after the first logits beat). soft: CTRL.SOFT_RESET + poll STATUS; hard: rst_n, then reconfigure.
        Returns what actually happened (the point may be too late: the logits may already stream)."""
        env, csr = self.env, self.driver.csr
        index = self.announce_aborted(pos, x)
        env.mem.monitor.flush()
        self.watch.begin()
        frames0, beats0 = env.logits.monitor.frames, self.sink_beats()
        await self.start_token(pos, f"token {index} pos {pos}")
        await self.reach(point, delay, beats0, x)
        got = self.sink_beats() - beats0
        busy = await self.bus.csr_read(csr.STATUS)
        happened = (f"{'hard' if hard else 'soft'} reset at {point} +{delay} cycles: {got} logits beats out, "
                    f"STATUS {busy:#x} before the reset")
        if busy != STATUS_BUSY:
            raise AssertionError(f"token {index} pos {pos}: {happened}: the token was no longer in flight "
                                 f"(choose an earlier point)")
        if env.logits.monitor.frames != frames0:
            raise AssertionError(f"token {index} pos {pos}: {happened}: the frame completed before the reset")
        if hard:
            await self.hard_reset(f"token {index}")
        else:
            await self.soft_reset(f"token {index} pos {pos}")
            dropped = self.resync_sink()
            happened += f"; sink resynchronised ({dropped} beats of the abandoned frame dropped)"
        status = await self.bus.csr_read(csr.STATUS)
        env.mem.monitor.flush()
        env.result_ap.write(TokenReadback(index, status, 0, {}, env.kv_region()))
        self.check_protocol(f"token {index} pos {pos} ({happened})")
        self.note(f"token {index} pos {pos}: {happened}; STATUS {status:#x} after it")
        return happened

    async def hard_reset(self, what: str) -> None:
        """rst_n with X fully sent (the source BFM idle): the memory BFM drops its outstanding bursts, the sink
        its partial frame; the proxy is re-synchronised (env.after_reset) and the engine reconfigured."""
        if self.hard_reset_fn is None:
            raise RuntimeError("ErrorSeq: no hard reset callback")
        self.env.mem.monitor.flush()          # completed bursts before the proxy re-reads its pointers
        self.check_protocol(f"{what}: before the hard reset")
        await self.hard_reset_fn()
        self.env.after_reset()
        self.watch.begin()
        out = self.bfm.outstanding()
        if out != (0, 0):
            raise AssertionError(f"{what}: {out} bursts outstanding in the memory BFM after rst_n")
        if int(self.sink().wr_idx_q.value):
            raise AssertionError(f"{what}: the sink BFM kept a partial frame through rst_n")
        await self.driver.configure()


__all__ = ["ABORT_CODE", "AUTO", "AxiCtrlSeq", "ErrLog", "ErrPlan", "ErrorSeq", "ErrorWatch"]
