"""The host side of the env: models.driver.EngineDriver (the host protocol, unchanged) over the env's agents.

  UvmEngineBus   EngineBus for the env: CSR accesses through the register model (RAL -> AXI4-Lite agent),
                 `exchange` = an X frame on the source agent's sequencer while the logits sink monitor
                 delivers the frame, `wait_irq` = the irq monitor (a cycle budget, in simulated time)
  TokenSeq       the virtual sequence of a test: configure, then for each token publish the TokenStart (to the
                 reference model), run it through EngineDriver (an EngineError is an expected error or a
                 failure), flush the AXI monitor, read the KV region back and publish the TokenReadback (to
                 the scoreboard); a failed token is followed by a soft reset
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from cocotb.triggers import SimTimeoutError, gather, with_timeout
from pyuvm import uvm_sequence, uvm_status_e

from models.driver import (
    CTRL_START,
    IRQ_ALL,
    STATUS_ERROR,
    EngineDriver,
    EngineError,
    ProtocolError,
    logits_frame_bytes,
    status_error_code,
)
from models.driver import TokenResult as DriverTokenResult
from models.schedule import token_beats
from verif.agents.axis import AxisFrameItem

from .env import LayerEngineEnv
from .txn import TokenReadback, TokenStart

CLK_NS = 10


class _FrameSeq(uvm_sequence):
    """Sends one AxisFrameItem (a helper sequence of the source agent)."""

    def __init__(self, item: object) -> None:
        super().__init__("x_frame")
        self.item = item

    async def body(self) -> None:
        await self.start_item(self.item)
        await self.finish_item(self.item)


class UvmEngineBus:
    def __init__(self, env: LayerEngineEnv) -> None:
        self.env = env
        self.map = env.ral.get_default_map()
        self.budget_cycles = env.ec.irq_timeout_cycles     # per token: TokenSeq sets it from the schedule

    async def csr_read(self, addr: int) -> int:
        reg = self.map.get_reg_by_offset(addr, read=True)
        if reg is None:
            raise ProtocolError(f"CSR read of {addr:#x}: no register there")
        status, value = await reg.read()
        if status != uvm_status_e.UVM_IS_OK:
            raise ProtocolError(f"CSR read of {reg.get_name()} ({addr:#x}): bus error")
        return int(value)

    async def csr_write(self, addr: int, value: int) -> None:
        reg = self.map.get_reg_by_offset(addr, read=False)
        if reg is None:
            raise ProtocolError(f"CSR write of {addr:#x}: no register there")
        status = await reg.write(value)
        if status != uvm_status_e.UVM_IS_OK:
            raise ProtocolError(f"CSR write of {reg.get_name()} ({addr:#x}): bus error")

    async def exchange(self, x: bytes, n_logit_bytes: int) -> bytes:
        both = gather(self.send_x(x), self.env.frames.get())
        return await self._logits(both, n_logit_bytes, "X frame sent and logits frame received not both done")

    async def send_x(self, x: bytes, keep_last: Sequence[tuple[int, bool]] | None = None) -> None:
        """The X frame alone (its last beat accepted); `keep_last`: (TKEEP, TLAST) per beat, any framing."""
        await _FrameSeq(AxisFrameItem(data=x, keep_last=keep_last)).start(self.env.x_src.sequencer)

    async def receive(self, n_logit_bytes: int) -> bytes:
        """The logits frame alone (X sent already)."""
        return await self._logits(gather(self.env.frames.get()), n_logit_bytes, "no logits frame")

    async def _logits(self, waits: Any, n_logit_bytes: int, what: str) -> bytes:
        try:
            *_, frame = await with_timeout(waits, self.budget_cycles * CLK_NS, "ns")
        except SimTimeoutError:
            raise TimeoutError(f"engine hung: {what} within {self.budget_cycles} cycles (the token's budget)") \
                from None
        if len(frame.data) != n_logit_bytes:
            raise ProtocolError(f"logits frame of {len(frame.data)} bytes, {n_logit_bytes} expected")
        return bytes(frame.data)

    async def wait_irq(self, timeout_s: float | None) -> None:
        await self.env.irq.monitor.wait_high(self.budget_cycles * CLK_NS)


@dataclass
class TokenPlan:
    """One token of a test: X, position, the error it must end with (0: none)."""
    x: np.ndarray
    pos: int
    expect_error: int = 0


@dataclass
class HostLog:
    """What the host saw, per token (for the test's summary and the determinism hash), and each token's STATUS,
    ERR_CODE and perf counters (the test writes them to tokens.json in the run directory), the logits of every
    completed token (int32 little-endian, vocab each: logits.bin, as the SystemC harness writes it) and the KV
    region after the last token (kv_region.bin)."""
    lines: list[str] = field(default_factory=list)
    tokens: list[dict[str, object]] = field(default_factory=list)
    logits: list[bytes] = field(default_factory=list)
    kv_region: bytes = b""


class TokenSeq(uvm_sequence):
    """Runs `plans` in order through EngineDriver. `configure` first unless told otherwise."""

    def __init__(self, env: LayerEngineEnv, plans: list[TokenPlan], name: str = "tokens",
                 configure: bool = True) -> None:
        super().__init__(name)
        self.env, self.plans, self.configure = env, plans, configure
        self.bus = UvmEngineBus(env)
        self.driver = EngineDriver(self.bus, env.ec.cfg, env.ec.image_base)
        self.log = HostLog()

    async def body(self) -> None:
        if self.configure:
            await self.driver.configure()
        for i, plan in enumerate(self.plans):
            await self.run_one(i, plan)

    def budget(self, pos: int) -> int:
        """Cycles a token may take before the env calls it hung: 50x its read beats (a memory-bound token needs
        about 1x), at least 200,000, at most EnvConfig.irq_timeout_cycles."""
        cfg = self.env.ec.cfg
        beats = token_beats(cfg, pos)[0] if 0 <= pos < cfg.max_seq else 0
        return min(self.env.ec.irq_timeout_cycles, max(200_000, 50 * beats))

    async def run_one(self, index: int, plan: TokenPlan) -> None:
        env = self.env
        env.token_ap.write(TokenStart(index, plan.pos, plan.x, plan.expect_error))
        self.bus.budget_cycles = self.budget(plan.pos)
        status, err, perf = 0, 0, {}
        try:
            result = await self.driver.run_token(plan.x, plan.pos)
            status, perf = result.status, result.perf
            self.log.logits.append(np.asarray(result.logits).astype("<i4").tobytes())
        except EngineError as e:
            status, err = e.status, status_error_code(e.status)
        except TimeoutError as e:
            rd, wr = env.mem_bfm.outstanding()
            raise TimeoutError(f"token {index} (pos {plan.pos}): {e}; AXI bursts outstanding: {rd} reads, "
                               f"{wr} writes; logits frames seen: {env.logits.monitor.frames}") from None
        env.mem.monitor.flush()
        self.log.kv_region = env.kv_region()
        env.result_ap.write(TokenReadback(index, status, err, perf, self.log.kv_region,
                                          env.start_irq.take(CLK_NS)))
        self.log.lines.append(f"token {index} pos {plan.pos}: STATUS {status:#x} ERR {err} perf {perf}")
        self.log.tokens.append({"index": index, "pos": plan.pos, "status": status, "err_code": err, "perf": perf})
        if err:
            await self.driver.soft_reset()

    async def raw_token(self, pos: int, x_bytes: bytes) -> DriverTokenResult:
        """A token whose X frame is `x_bytes` instead of d_model int8 (the X framing errors): the driver's steps
        1-8 with the raw bytes (the driver checks the X shape first, so it cannot send them)."""
        d, csr = self.driver, self.driver.csr
        await self.bus.csr_write(csr.TOKEN_POS, pos)
        await self.bus.csr_write(csr.CTRL, CTRL_START)
        status = await self.bus.csr_read(csr.STATUS)
        if not status & STATUS_ERROR:
            await self.bus.exchange(x_bytes, logits_frame_bytes(d.cfg))
            await self.bus.wait_irq(None)
            status = await self.bus.csr_read(csr.STATUS)
        await self.bus.csr_write(csr.IRQ_STATUS, IRQ_ALL)
        if status & STATUS_ERROR:
            raise EngineError(status_error_code(status), status)
        return DriverTokenResult(np.zeros(d.cfg.vocab, np.int32), status, {})
