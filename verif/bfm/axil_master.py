"""AXI4-Lite master: one transaction at a time (cocotb, cycle level only while a transaction is active).

Used by the pyuvm AXI4-Lite agent's driver (verif/agents/axil.py) and the irq monitor (find_signal). Sampling
convention: values read right after `RisingEdge(clk)` are the ones the design saw at that edge; values written then
are seen at the next edge.
"""
from __future__ import annotations

from typing import Any

from cocotb.triggers import RisingEdge

from models.driver import ProtocolError

CSR_TIMEOUT_CYCLES = 1000          # one AXI4-Lite transaction; the regblock answers in a few cycles


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
    high while the response is awaited. Every wait is bounded by `timeout_cycles`."""

    def __init__(self, dut: Any, clk: Any, prefix: str = "s_axil_", timeout_cycles: int = CSR_TIMEOUT_CYCLES) -> None:
        self.clk, self.timeout_cycles = clk, timeout_cycles
        names = ("awaddr", "awprot", "awvalid", "awready", "wdata", "wstrb", "wvalid", "wready", "bresp", "bvalid",
                 "bready", "araddr", "arprot", "arvalid", "arready", "rdata", "rresp", "rvalid", "rready")
        self.s = {n: find_signal(dut, prefix + n) for n in names}
        for n in ("awaddr", "awprot", "awvalid", "wdata", "wstrb", "wvalid", "bready", "araddr", "arprot", "arvalid",
                  "rready"):
            self.s[n].value = 0

    async def write(self, addr: int, data: int, strb: int = 0xF) -> int:
        """Write `data` at byte offset `addr`; returns BRESP."""
        s = self.s
        s["awaddr"].value, s["awprot"].value, s["awvalid"].value = addr, 0, 1
        s["wdata"].value, s["wstrb"].value, s["wvalid"].value = data, strb, 1
        s["bready"].value = 1
        aw_pending = w_pending = True
        for _ in range(self.timeout_cycles):
            await RisingEdge(self.clk)
            bvalid = bit(s["bvalid"])          # all sampled at this edge, before any update below
            if aw_pending and bit(s["awready"]):
                aw_pending = False
                s["awvalid"].value = 0
            if w_pending and bit(s["wready"]):
                w_pending = False
                s["wvalid"].value = 0
            if bvalid:
                if aw_pending or w_pending:
                    raise ProtocolError(f"AXI4-Lite BVALID before the AW and W handshakes (write {addr:#x})")
                bresp = int(s["bresp"].value)
                s["bready"].value = 0
                return bresp
        raise ProtocolError(f"AXI4-Lite write of {addr:#x}: no response within {self.timeout_cycles} cycles "
                            f"(AW {'pending' if aw_pending else 'done'}, W {'pending' if w_pending else 'done'})")

    async def read(self, addr: int) -> tuple[int, int]:
        """Read byte offset `addr`; returns (RDATA, RRESP)."""
        s = self.s
        s["araddr"].value, s["arprot"].value, s["arvalid"].value = addr, 0, 1
        s["rready"].value = 1
        ar_pending = True
        for _ in range(self.timeout_cycles):
            await RisingEdge(self.clk)
            rvalid = bit(s["rvalid"])
            if ar_pending and bit(s["arready"]):
                ar_pending = False
                s["arvalid"].value = 0
            if rvalid:
                if ar_pending:
                    raise ProtocolError(f"AXI4-Lite RVALID before the AR handshake (read {addr:#x})")
                got = (int(s["rdata"].value), int(s["rresp"].value))
                s["rready"].value = 0
                return got
        raise ProtocolError(f"AXI4-Lite read of {addr:#x}: no response within {self.timeout_cycles} cycles")
