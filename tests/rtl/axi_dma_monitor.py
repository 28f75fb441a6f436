"""Per-cycle side of the DMA operator tests on verif/hdl/le_axi_dma_bfm_tb.sv (one coroutine, one time base).

The AXI4 memory is the SystemVerilog slave BFM (no Python on its cycle path); what stays per cycle here is what
the DMA's own streams need and the wrapper cannot do in HDL:
  - the read DMA's out stream (rd_out_*): a passive valid/ready check (valid dropped before ready, payload
    changed while stalled; the rules verif/valid_ready.py StreamSink applies) and every transfer (data, last,
    resp) with its edge index;
  - edge stamps of R transfers (m_axi_rvalid & m_axi_rready), of the write DMA's in transfers and of W transfers,
    for the latency / initiation-interval checks against the RTL headers;
  - command idle gaps: the wrapper offers a command whenever its ring holds one, so commands with random idle
    cycles in between (verif/valid_ready.py StreamSource semantics: a geometric number of idle cycles, p_idle
    each, before every command) are appended one at a time once the ring is empty.
Values are sampled right after each rising edge, as verif/valid_ready.py does.
"""
from __future__ import annotations

import random
from collections import deque
from typing import Any

from axi_dma_tb import Cmd
from cocotb.triggers import RisingEdge

from verif.bfm.axi_mem_bfm import _u


class DmaMonitor:
    """Observer and command feeder of one DMA ("rd" or "wr") of le_axi_dma_bfm_tb; start `run()` once."""

    def __init__(self, dut: Any, kind: str, rng: random.Random) -> None:
        assert kind in ("rd", "wr")
        self.dut, self.kind, self.rng = dut, kind, rng
        self.ring = "rc" if kind == "rd" else "wc"
        self.cmd_depth = len(getattr(dut, f"{self.ring}_addr"))
        self.edge = 0
        self.out: list[tuple[int, int, int]] = []          # rd: (data, last, resp) of every out transfer
        self.out_at: list[int] = []                         # rd: edge of every out transfer
        self.r_at: list[int] = []                           # rd: edge of every R transfer
        self.in_at: list[int] = []                          # wr: edge of every in (data stream) transfer
        self.w_at: list[int] = []                           # wr: edge of every W transfer
        self.errors: list[str] = []                         # out-stream protocol violations
        self._queue: deque[Cmd] = deque()
        self._p_idle = 0.0
        self._idle_left = 0
        self._n = 0                                         # the ring's write counter as this feeder wrote it

    # ------------------------------------------------------------------ commands
    def send(self, cmds: list[Cmd], p_idle: float) -> None:
        """Queue commands: all at once (back to back) if p_idle is 0, else one by one with idle gaps."""
        assert not self._queue, "the previous commands are still being fed"
        self._n = _u(getattr(self.dut, f"{self.ring}_n"))
        self._p_idle = p_idle
        self._queue.extend(cmds)
        if p_idle == 0.0:
            self._push_all()
        else:
            self._idle_left = self._draw_idle()

    @property
    def fed(self) -> bool:
        """Every queued command is in the wrapper's ring."""
        return not self._queue

    def _draw_idle(self) -> int:
        k = 0
        while self.rng.random() < self._p_idle:
            k += 1
        return k

    def _push_all(self) -> None:
        d, r = self.dut, self.ring
        while self._queue:
            assert len(self._queue) <= self.cmd_depth, "more commands than the wrapper's ring holds"
            c = self._queue.popleft()
            getattr(d, f"{r}_addr")[self._n % self.cmd_depth].value = c.addr
            getattr(d, f"{r}_len")[self._n % self.cmd_depth].value = c.nbytes
            self._n += 1
        getattr(d, f"{r}_n").value = self._n

    def _feed(self) -> None:
        """One cycle of the gapped feeder: the next command once the ring is empty and the gap has elapsed."""
        if _u(getattr(self.dut, f"{self.ring}_i")) != self._n % (1 << 32):
            return                                          # the last command is still offered
        if self._idle_left:
            self._idle_left -= 1
            return
        c = self._queue.popleft()
        d, r = self.dut, self.ring
        getattr(d, f"{r}_addr")[self._n % self.cmd_depth].value = c.addr
        getattr(d, f"{r}_len")[self._n % self.cmd_depth].value = c.nbytes
        self._n += 1
        getattr(d, f"{r}_n").value = self._n
        self._idle_left = self._draw_idle()

    # ------------------------------------------------------------------ the cycle loop
    async def run(self) -> None:
        d = self.dut
        pending: tuple[int, int, int] | None = None         # out payload offered but not accepted
        while True:
            await RisingEdge(d.clk)
            self.edge += 1
            if self._queue:
                self._feed()
            if self.kind == "wr":
                if d.wr_in_valid.value and d.wr_in_ready.value:
                    self.in_at.append(self.edge)
                if d.m_axi_wvalid.value and d.m_axi_wready.value:
                    self.w_at.append(self.edge)
                continue
            if d.m_axi_rvalid.value and d.m_axi_rready.value:
                self.r_at.append(self.edge)
            valid = bool(d.rd_out_valid.value)
            item = (_u(d.rd_out_data), _u(d.rd_out_last), _u(d.rd_out_resp)) if valid or pending else None
            if pending is not None:
                if not valid:
                    self.errors.append(f"out: valid dropped before ready (edge {self.edge})")
                elif item != pending:
                    self.errors.append(f"out: payload changed while stalled (edge {self.edge}): {pending} -> {item}")
            if not valid:
                pending = None
            elif d.rd_out_ready.value:
                assert item is not None
                self.out.append(item)
                self.out_at.append(self.edge)
                pending = None
            else:
                pending = item
