"""verif/bfm/mem_mirror.py: the KV region kept in Python and re-read only where write bursts can have touched it,
against a model of the memory BFM proxy (no simulator)."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, cast

import pytest

from verif.bfm.mem_mirror import MemMirror, burst_span

BB = 16


@dataclass
class _Shared:
    backdoor_writes: int = 0


@dataclass
class FakeBfm:
    """The parts of AxiMemBfm the mirror uses; `store` is the memory, `peeks` counts the bytes read."""
    bus_bytes: int = BB
    store: bytearray = field(default_factory=lambda: bytearray(range(256)) * 64)
    write_listeners: list[Any] = field(default_factory=list)
    lost_records: int = 0
    resyncs: int = 0
    undrained: bool = False
    in_flight: int = 0
    s: _Shared = field(default_factory=_Shared)
    peeked: int = 0

    def undrained_writes(self) -> bool:
        return self.undrained

    def outstanding(self) -> tuple[int, int]:
        return 0, self.in_flight

    def peek(self, addr: int, n: int) -> bytes:
        self.peeked += n
        return bytes(self.store[addr:addr + n])

    def axi_write(self, addr: int, data: bytes, record: bool = True) -> None:
        self.store[addr:addr + len(data)] = data
        if record:
            for listener in self.write_listeners:
                listener(addr, -(-len(data) // BB))


def test_burst_span_covers_every_burst_type_and_stays_in_its_page() -> None:
    assert burst_span(0x1000, 2, 16) == (0x0FF0 + 0x10, 0x1020)             # never below the 4 KB page
    assert burst_span(0x1040, 4, 16) == (0x1010, 0x1080)                    # INCR up, WRAP container below
    assert burst_span(0x1047, 1, 16) == (0x1040, 0x1050)                    # FIXED / narrow: the word
    assert burst_span(0x1FE0, 8, 16) == (0x1F70, 0x2000)                    # never across 4 KB


def _mirror(bfm: FakeBfm, lo: int = 0x100, n: int = 0x400) -> MemMirror:
    return MemMirror(cast(Any, bfm), lo, n)


def test_reads_whole_once_then_only_what_writes_touched() -> None:
    bfm = FakeBfm()
    m = _mirror(bfm)
    assert m.read() == bfm.store[0x100:0x500] and m.whole_reads == 1 and bfm.peeked == 0x400
    bfm.peeked = 0
    bfm.axi_write(0x200, b"\xAA" * 32)                                      # a 2-beat burst
    bfm.axi_write(0x800, b"\xBB" * 16)                                      # outside the range: not read
    assert m.read() == bfm.store[0x100:0x500] and m.whole_reads == 1
    assert 0 < bfm.peeked <= 3 * BB
    bfm.peeked = 0
    assert m.read() == bfm.store[0x100:0x500] and bfm.peeked == 0           # nothing written: nothing read


@pytest.mark.parametrize("why", ["backdoor", "lost", "resync", "undrained", "in_flight"])
def test_reads_whole_when_it_cannot_know(why: str) -> None:
    bfm = FakeBfm()
    m = _mirror(bfm)
    m.read()
    bfm.axi_write(0x300, b"\xCC" * 16, record=False)                       # landed without a record
    if why == "backdoor":
        bfm.s.backdoor_writes += 1
    elif why == "lost":
        bfm.lost_records += 1
    elif why == "resync":
        bfm.resyncs += 1
    elif why == "undrained":
        bfm.undrained = True
    else:
        bfm.in_flight = 1
    assert m.read() == bfm.store[0x100:0x500] and m.whole_reads == 2


def test_a_change_without_a_record_is_caught_by_matches_memory() -> None:
    bfm = FakeBfm()
    m = _mirror(bfm)
    m.read()
    bfm.axi_write(0x200, b"\x11" * 16)
    assert m.matches_memory()
    bfm.axi_write(0x300, b"\x22" * 16, record=False)                       # e.g. a BFM bug: no record
    assert m.read() != bfm.store[0x100:0x500]
    assert not m.matches_memory()
