"""AXI4-Lite monitor, HVL side: the proxy of verif/hdl/le_axil_monitor.sv (per completed access, never per cycle).

The HDL records every completed access (write at its B handshake, read at its R handshake) with its ordering check
into a ring (mem_rec) and counts them in rec_seq_q; `next_records` sleeps until rec_seq_q changes and returns the
records not read yet, oldest first. Record layout (the .sv header):
{early, write, resp[1:0], addr[ADDR_W-1:0], data[31:0]}.
"""
from __future__ import annotations

from typing import Any, NamedTuple

from cocotb.triggers import ValueChange

from verif.bfm.raw import RawArray, read_uint

MONITOR_INSTANCE = "u_axil_mon"    # le_tb_top's le_axil_monitor


class AxilRecord(NamedTuple):
    write: bool
    addr: int
    data: int
    resp: int
    early: bool                    # the response came before the request handshakes (a protocol error)


class AxiLiteMonitorBfm:
    """Proxy of le_axil_monitor (`handle` is the monitor instance). Records made before the proxy exists are
    skipped."""

    def __init__(self, handle: Any) -> None:
        self.h = handle
        self.addr_w = len(handle.awaddr_i)
        self.depth = len(handle.mem_rec)
        self._rec = RawArray(handle.mem_rec, self.addr_w + 36)
        self._seq = handle.rec_seq_q
        self._seen = read_uint(self._seq)
        self.overflows = 0             # records lost because more than `depth` arrived between two reads

    def decode(self, word: int) -> AxilRecord:
        aw = self.addr_w
        return AxilRecord(write=bool(word >> (aw + 34) & 1), addr=word >> 32 & ((1 << aw) - 1),
                          data=word & 0xFFFF_FFFF, resp=word >> (aw + 32) & 3, early=bool(word >> (aw + 35) & 1))

    def pending(self) -> list[AxilRecord]:
        """The records not read yet (without waiting), oldest first."""
        seq = read_uint(self._seq)
        n = (seq - self._seen) & 0xFFFF_FFFF
        if n > self.depth:
            self.overflows += n - self.depth
            n = self.depth
        first = (seq - n) & 0xFFFF_FFFF
        self._seen = seq
        return [self.decode(self._rec.get((first + k) % self.depth)) for k in range(n)]

    async def next_records(self) -> list[AxilRecord]:
        """Sleep until at least one new record, then return every record not read yet."""
        while read_uint(self._seq) == self._seen:
            await ValueChange(self._seq)
        return self.pending()
