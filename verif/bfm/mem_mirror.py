"""A byte range of the memory BFM's store, read back through VPI only where it can have changed.

The env compares the whole KV region with the reference model's after every token. Reading it whole costs one VPI
access per bus word (tiny: 512 words per token, small: 4,096), most of the Python time of a token. The store changes
only through the AXI write port, whose every burst the BFM records, and through the proxy's backdoor (poke, page
allocation, unmap: counted in the shared state). So the mirror keeps the range in Python and, on each `read`, re-
reads only the words the write bursts drained since the last read can have touched. It reads the whole range when it
cannot know: on the first read, after a backdoor change, after lost records or a resync (a reset drops write bursts
whose beats may have landed without a record), while completed write bursts are not drained yet or write bursts are
in flight (their beats may have landed before their record). `matches_memory` compares the updated mirror with a
whole read (the env does at the end of a test: a store change without a record fails the test).

    mirror = MemMirror(bfm, kv_lo, kv_size)
    ... tokens; the monitor drains the records (bfm.drain_records) before each read ...
    region = mirror.read()
"""
from __future__ import annotations

from verif.bfm.axi_mem_bfm import AxiMemBfm
from verif.bfm.axi_mem_bfm_types import PAGE_BITS


def burst_span(addr: int, beats: int, bus_bytes: int) -> tuple[int, int]:
    """[lo, hi) holding every byte a write burst of `beats` beats at `addr` can write, whatever its type and size:
    an INCR burst from the bus word of `addr` up, a WRAP burst inside its container below, a FIXED one in one
    word; never across the 4 KB page of `addr` (AXI4 bursts do not cross 4 KB)."""
    word = addr - addr % bus_bytes
    page_lo = addr >> PAGE_BITS << PAGE_BITS
    lo = max(page_lo, word - (beats - 1) * bus_bytes)
    hi = min(page_lo + (1 << PAGE_BITS), word + beats * bus_bytes)
    return lo, hi


class MemMirror:
    """[addr, addr + n) of `bfm`'s store (see the module docstring)."""

    def __init__(self, bfm: AxiMemBfm, addr: int, n: int) -> None:
        self.bfm, self.addr, self.n = bfm, addr, n
        self._data: bytearray | None = None
        self._state: tuple[int, int, int] = (-1, -1, -1)
        self._dirty: list[tuple[int, int]] = []
        self.whole_reads = 0                     # how often the whole range was read (for tests and figures)
        bfm.write_listeners.append(self._written)

    def _written(self, addr: int, beats: int) -> None:
        lo, hi = burst_span(addr, beats, self.bfm.bus_bytes)
        if lo < self.addr + self.n and hi > self.addr:
            self._dirty.append((max(lo, self.addr), min(hi, self.addr + self.n)))

    def read(self) -> bytes:
        """The range as the store holds it now."""
        bfm = self.bfm
        state = (bfm.lost_records, bfm.s.backdoor_writes, bfm.resyncs)
        if self._data is None or state != self._state or bfm.undrained_writes() or bfm.outstanding()[1]:
            self._data = bytearray(bfm.peek(self.addr, self.n))
            self._state = state
            self.whole_reads += 1
        else:
            for lo, hi in self._dirty:
                self._data[lo - self.addr:hi - self.addr] = bfm.peek(lo, hi - lo)
        self._dirty.clear()
        return bytes(self._data)

    def matches_memory(self) -> bool:
        """Bring the mirror up to date (drain the records first) and compare it with a whole read of the store."""
        return self.read() == self.bfm.peek(self.addr, self.n)


__all__ = ["MemMirror", "burst_span"]
