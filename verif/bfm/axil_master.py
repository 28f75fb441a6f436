"""AXI4-Lite master, HVL side: the proxy of verif/hdl/le_axil_master_bfm.sv (one access at a time).

Used by the pyuvm AXI4-Lite agent's driver (verif/agents/axil.py). Python never runs per clock cycle here: an
access writes the command registers of the HDL master through VPI, bumps its go_seq and sleeps until its done_seq_q
changes (the register protocol is in the .sv header); the cycle-level work (valids, readies, the handshakes, the
timeout, the ordering checks) is in the HDL. The HDL master drives the engine only once enabled (le_tb_top: its
s_axil_* ports pass through otherwise), which the proxy does when it is created.

find_signal / bit serve the irq monitor and the tests.

Sampling convention. The env has no per-cycle Python sampler left: the HDL halves of the transactors sample the
handshakes, Python reads what they recorded. Values a Python coroutine writes after `RisingEdge(clk)` are seen by
the design at the next edge, whichever clock runs. What a read right after `RisingEdge(clk)` returns depends on the
clock: with cocotb's Clock (the operator unit tests, tests/rtl/) the callback runs before the design evaluates the
edge, so it is the value the design saw at that edge; with main()'s clock (le_tb_top in the pyuvm build:
eda/le_vpi_main.cpp, LE_MAIN_CLOCK_PS) it runs after the edge's flops updated, so it is the value after the edge.
A per-cycle sampler added to the env must therefore read what the design sees at an edge in the HDL (a capture
register, as the BFMs do), not after `RisingEdge(clk)` in Python.
"""
from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from cocotb.triggers import ValueChange

from models.driver import ProtocolError
from verif.bfm.raw import read_uint
from verif.bfm.writable import require_writable

CSR_TIMEOUT_CYCLES = 1000          # one AXI4-Lite transaction; the regblock answers in a few cycles
BFM_INSTANCE = "u_axil_master"     # le_tb_top's le_axil_master_bfm
COMMAND_REGS = ("enable", "cmd_addr", "cmd_wdata", "cmd_wstrb", "cmd_write", "timeout_cycles", "go_seq")  # written
RESULT_REGS = ("done_seq_q", "rsp_status_q", "rsp_data_q", "rsp_resp_q", "rsp_aw_pend_q", "rsp_w_pend_q")   # read
STATUS_OK, STATUS_TIMEOUT, STATUS_EARLY, STATUS_X = 0, 1, 2, 3


def find_signal(dut: Any, name: str) -> Any:
    """dut.<name>, dut.<name>_i or dut.<name>_o."""
    for suffix in ("", "_i", "_o"):
        handle = getattr(dut, f"{name}{suffix}", None)
        if handle is not None:
            return handle
    raise AttributeError(f"{dut._name} has no signal {name}[_i|_o]")


def bit(handle: Any) -> int:
    """A 1-bit signal as 0/1; X/Z raises ProtocolError (a control signal must never be unknown)."""
    try:
        return int(handle.value)
    except ValueError:
        raise ProtocolError(f"{handle._name} is X/Z") from None


class AxiLiteMaster:
    """AXI4-Lite master: one outstanding transaction; AWVALID and WVALID raised together, BREADY/RREADY
    high while the response is awaited. Every wait is bounded by `timeout_cycles` (counted in the HDL).

    `dut` is the testbench top holding the HDL master (instance `u_axil_master`, or `bfm` given), `clk` its
    clock (kept for callers); `prefix` names the bus the HDL master drives (le_tb_top: the engine's s_axil_*)."""

    def __init__(self, dut: Any, clk: Any, prefix: str = "s_axil_", timeout_cycles: int = CSR_TIMEOUT_CYCLES,
                 bfm: Any = None) -> None:
        self.clk, self.prefix, self.timeout_cycles = clk, prefix, timeout_cycles
        self.h = bfm if bfm is not None else getattr(dut, BFM_INSTANCE)
        self._busy = False
        require_writable(self.h, COMMAND_REGS)
        self.h.timeout_cycles.value = max(1, timeout_cycles)
        self.h.enable.value = 1
        self._regs = SimpleNamespace(**{n: getattr(self.h, n) for n in (*COMMAND_REGS, *RESULT_REGS)})   # once

    async def _access(self, addr: int, data: int, strb: int, write: bool) -> tuple[int, int]:
        """One access through the HDL master: (RDATA, RESP); ProtocolError on a timeout, an early response or X."""
        if self._busy:
            raise RuntimeError("AxiLiteMaster: one access at a time (the driver serialises them)")
        self._busy = True
        try:
            h = self._regs
            h.cmd_addr.value, h.cmd_write.value = addr, int(write)
            if write:
                h.cmd_wdata.value, h.cmd_wstrb.value = data, strb
            seq = (read_uint(h.go_seq) + 1) & 0xFFFF_FFFF
            h.go_seq.value = seq
            while read_uint(h.done_seq_q) != seq:
                await ValueChange(h.done_seq_q)
            status = read_uint(h.rsp_status_q)
            kind = f"{'write' if write else 'read'} {addr:#x}"
            if status == STATUS_EARLY:
                raise ProtocolError(f"AXI4-Lite BVALID before the AW and W handshakes ({kind})" if write else
                                    f"AXI4-Lite RVALID before the AR handshake ({kind})")
            if status == STATUS_X:
                raise ProtocolError(f"AXI4-Lite {kind}: X/Z on a valid or a ready the master looks at")
            if status == STATUS_TIMEOUT:
                detail = ""
                if write:
                    detail = (f" (AW {'pending' if read_uint(h.rsp_aw_pend_q) else 'done'}, "
                              f"W {'pending' if read_uint(h.rsp_w_pend_q) else 'done'})")
                raise ProtocolError(f"AXI4-Lite {'write' if write else 'read'} of {addr:#x}: no response within "
                                    f"{self.timeout_cycles} cycles{detail}")
            return read_uint(h.rsp_data_q), read_uint(h.rsp_resp_q)
        finally:
            self._busy = False

    async def write(self, addr: int, data: int, strb: int = 0xF) -> int:
        """Write `data` at byte offset `addr`; returns BRESP."""
        return (await self._access(addr, data, strb, write=True))[1]

    async def read(self, addr: int) -> tuple[int, int]:
        """Read byte offset `addr`; returns (RDATA, RRESP)."""
        return await self._access(addr, 0, 0, write=False)
