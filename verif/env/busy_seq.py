"""START while busy (ERR_CODE START_WHILE_BUSY), as models/driver.py step 3 and the golden device define it.

  BusySeq.in_flight        START a token, then a second START at a chosen point of it (before X, while the weights
                           stream, while the logits stream): the second START is rejected (STATUS ERROR + BUSY,
                           ERR_CODE 2, the error irq) and the token in flight runs to completion bit-exact; it ends
                           with DONE and ERROR set together (ErrorTokenChecker's IN_FLIGHT kind). Then the
                           host clears the error with a soft reset.
  BusySeq.abandon_waiting  START a token and send no X (it waits), then run the driver's token: its START is
                           rejected with START_WHILE_BUSY, and the soft reset abandons the waiting token (ABORTED):
                           STATUS 0, no frame, nothing written outside its own K/V rows.
Every token goes through the scoreboard. The re-runs of the position are the test's (verif/tests/errors.py).
"""
from __future__ import annotations

import numpy as np

from models.driver import (
    CTRL_START,
    IRQ_ALL,
    STATUS_BUSY,
    STATUS_ERROR,
    EngineError,
    ErrorCode,
    logits_frame_bytes,
    status_error_code,
)

from .error_checker import IN_FLIGHT, ErrTokenStart
from .error_seqs import ErrorSeq
from .txn import TokenReadback

POINTS = ("before_x", "weights", "logits")     # where the second START lands in the token


class BusySeq(ErrorSeq):
    async def in_flight(self, x: np.ndarray, pos: int, point: str, delay: int) -> str:
        """A second START at `point` (+`delay` cycles) of the token at `pos`; returns what happened."""
        if point not in POINTS:
            raise ValueError(f"point {point!r}: one of {POINTS}")
        env, index, csr = self.env, self.index, self.driver.csr
        self.index += 1
        what = f"token {index} pos {pos} (second START at {point} +{delay} cycles)"
        env.token_ap.write(ErrTokenStart(index, pos, x, 0, kind=IN_FLIGHT))
        env.mem.monitor.flush()
        self.watch.begin()
        beats0 = self.sink_beats()
        await self.start_token(pos, what)
        self.bus.budget_cycles = self.budget(pos)
        await self.reach(point, delay, beats0, x)
        await self.bus.csr_write(csr.CTRL, CTRL_START)                      # the second START
        status = await self.bus.csr_read(csr.STATUS)
        if not (status & STATUS_ERROR and status & STATUS_BUSY
                and status_error_code(status) == ErrorCode.START_WHILE_BUSY):
            raise AssertionError(f"{what}: STATUS {status:#x} after the second START: ERROR + BUSY with ERR_CODE "
                                 f"{int(ErrorCode.START_WHILE_BUSY)} expected (the token still in flight)")
        if not self.watch.rises:
            raise AssertionError(f"{what}: the rejected START raised no irq")
        if point == "before_x":
            await self.bus.exchange(x.tobytes(), logits_frame_bytes(env.ec.cfg))
        else:
            await self.bus.receive(logits_frame_bytes(env.ec.cfg))
        status = await self._wait_not_busy(what, self.budget(pos))
        perf = await self.driver.read_perf()
        env.mem.monitor.flush()
        env.result_ap.write(TokenReadback(index, status, status_error_code(status), perf, env.kv_region()))
        self.check_protocol(what)
        self.note(f"{what}: STATUS {status:#x} once the token ended")
        await self.bus.csr_write(csr.IRQ_STATUS, IRQ_ALL)
        await self.soft_reset(what)
        return what

    async def _wait_not_busy(self, what: str, budget_cycles: int) -> int:
        """STATUS once BUSY falls (polled every 100 cycles, at most `budget_cycles`)."""
        csr = self.driver.csr
        for _ in range(budget_cycles // 100 + 1):
            status = await self.bus.csr_read(csr.STATUS)
            if not status & STATUS_BUSY:
                return status
            await self.wait_cycles(100)
        raise TimeoutError(f"{what}: STATUS still BUSY after {budget_cycles} cycles")

    async def abandon_waiting(self, x: np.ndarray, pos: int, delay: int) -> str:
        """START (accepted, waits for X); `delay` cycles later the driver's token: START rejected; soft reset."""
        env, index = self.env, self.announce_aborted(pos, x)
        what = f"token {index} pos {pos} (waiting for X, driver START after {delay} cycles)"
        env.mem.monitor.flush()
        self.watch.begin()
        frames0 = env.logits.monitor.frames
        await self.start_token(pos, what)
        await self.wait_cycles(delay)
        try:
            await self.driver.run_token(x, pos)
        except EngineError as e:
            if e.code != ErrorCode.START_WHILE_BUSY:
                raise AssertionError(f"{what}: the driver's START failed with {e}, START_WHILE_BUSY expected") \
                    from None
        else:
            raise AssertionError(f"{what}: the driver's START was accepted while the first token waited for X")
        if not self.watch.rises:
            raise AssertionError(f"{what}: the rejected START raised no irq")
        if env.logits.monitor.frames != frames0:
            raise AssertionError(f"{what}: a logits frame although no X was sent")
        await self.soft_reset(what)
        status = await self.bus.csr_read(self.driver.csr.STATUS)
        env.mem.monitor.flush()
        env.result_ap.write(TokenReadback(index, status, 0, {}, env.kv_region()))
        self.check_protocol(what)
        self.note(f"{what}: rejected with START_WHILE_BUSY; soft reset: STATUS {status:#x}")
        return what


__all__ = ["POINTS", "BusySeq"]
