"""AXI4 slave memory model for cocotb 2.x (our own, in the spirit of cocotbext-axi's AxiRam).

A sparse, byte-addressable memory behind an AXI4 slave port. Read channels (AR/R) are modelled here, the
write channels (AW/W/B) in verif/axi_mem_write.py (`AxiMem.wr`, a WritePort). Each side is present only if
the DUT has its signals (ARVALID / AWVALID), so a read-only or a write-only master can be attached.

Signals: `<prefix><chan>` (e.g. prefix "m_axi_" -> m_axi_arid), also found with an `_i`/`_o` suffix
(lowRISC port names: m_axi_arid_o, m_axi_arready_i). ARLOCK/ARCACHE/ARPROT/RLAST are optional.

Sampling follows verif/valid_ready.py: values read right after `RisingEdge` are the ones the design saw
at that edge; values written then are seen by the design at the next edge.

Knobs (`AxiMemConfig`, seeded with its own random.Random): read latency (AR accept -> first beat may
be driven) uniform in [lat_min, lat_max] cycles; random ARREADY stalls; random gaps before an RVALID;
out-of-order completion across ARIDs (order within one ARID is always kept, as AXI requires); optional
beat-by-beat interleaving across IDs; error ranges answering SLVERR/DECERR.

Protocol problems are recorded in `errors` (the test asserts it is empty), never raised: ARVALID
dropped or AR payload changed while stalled, a burst crossing 4 KB, ARBURST != INCR, ARSIZE != the bus
size, ARLEN > 255, reads of bytes outside the loaded regions (answered DECERR), X/Z on ARVALID/RREADY.
The write side's checks (and its read-write regions: `add_rw_region`) are listed in verif/axi_mem_write.py.

Read-only state for scoreboards and monitors: `stats`, `errors`, `rd_outstanding`, `error_ranges`; on the write
side `wr.stats`, `wr.log`, `wr.outstanding`, `wr.early_buffered`, `wr.idle`.
"""
from __future__ import annotations

import random
from collections import deque
from dataclasses import dataclass
from typing import Any

from cocotb.triggers import RisingEdge

from verif.axi_mem_write import WriteBeat, WritePort

__all__ = ["DECERR", "EXOKAY", "OKAY", "SLVERR", "AxiMem", "AxiMemConfig", "AxiMemStats", "WriteBeat", "WritePort"]

OKAY, EXOKAY, SLVERR, DECERR = 0, 1, 2, 3
PAGE = 4096


@dataclass
class AxiMemConfig:
    lat_min: int = 0              # cycles from AR acceptance until the first beat may be driven
    lat_max: int = 0
    p_ar_stall: float = 0.0       # probability that ARREADY is low in a cycle
    p_r_gap: float = 0.0          # probability of an idle cycle before driving a beat
    reorder: bool = False         # complete bursts of different IDs out of order
    interleave: bool = False      # interleave R beats of different IDs (implies reorder)
    max_outstanding: int = 64     # AR/AWREADY stay low while this many bursts (per side) are outstanding
    # write side (verif/axi_mem_write.py)
    p_aw_stall: float = 0.0       # probability that AWREADY is low in a cycle
    p_w_stall: float = 0.0        # probability that WREADY is low in a cycle
    b_lat_min: int = 0            # cycles from a burst's WLAST until its B response may be driven
    b_lat_max: int = 0
    p_b_gap: float = 0.0          # probability of an idle cycle before driving a B response
    b_reorder: bool = False       # B responses of different IDs out of order
    w_early_max: int = 64         # W beats buffered ahead of their AW before WREADY is held low
    seed: int = 1


@dataclass
class _Burst:
    arid: int
    addr: int
    beats: list[tuple[int, int]]  # (data, resp) per beat
    ready_at: int                 # cycle from which beats may be driven
    seq: int                      # acceptance order
    idx: int = 0                  # next beat to send


@dataclass
class AxiMemStats:
    bursts: int = 0
    beats: int = 0
    max_outstanding: int = 0
    ar_stall_cycles: int = 0      # ARVALID high, ARREADY low
    r_backpressure_cycles: int = 0  # RVALID high, RREADY low


class AxiMem:
    """Sparse AXI4 slave memory. `start()` launches the channel process."""

    def __init__(self, dut: Any, clk: Any, prefix: str = "m_axi_", config: AxiMemConfig | None = None) -> None:
        self.dut, self.clk, self.prefix = dut, clk, prefix
        self.cfg = config or AxiMemConfig()
        self.rng = random.Random(self.cfg.seed)
        self._pages: dict[int, bytearray] = {}
        self._regions: list[tuple[int, int]] = []             # [lo, hi) loaded regions
        self._err_ranges: list[tuple[int, int, int]] = []     # [lo, hi) -> resp
        self.errors: list[str] = []
        self.stats = AxiMemStats()
        self.now = 0
        self.wr: WritePort | None = None
        if self._sig("awvalid", optional=True) is not None:
            self.wr = WritePort(self)
        self.has_read = self._sig("arvalid", optional=True) is not None
        self._queues: dict[int, deque[_Burst]] = {}
        self._outstanding = 0
        self._seq = 0
        self._ar_pending: dict[str, int] | None = None
        self._r_cur: _Burst | None = None                     # burst whose beat is on the bus / in progress
        self._r_presenting = False
        if not self.has_read:
            self.bus_bytes = self.wr.bus_bytes if self.wr is not None else 0
            return
        # read channels
        self.ar = {n: self._sig(n) for n in ("arid", "araddr", "arlen", "arsize", "arburst", "arvalid", "arready")}
        self.ar_opt = {n: self._sig(n, optional=True) for n in ("arlock", "arcache", "arprot")}
        self.r = {n: self._sig(n) for n in ("rid", "rdata", "rresp", "rvalid", "rready")}
        self.r_last = self._sig("rlast", optional=True)
        self.bus_bytes = len(self.r["rdata"]) // 8
        self.ar["arready"].value = 0
        self.r["rvalid"].value = 0

    # ------------------------------------------------------------------ backdoor
    def load(self, addr: int, data: bytes) -> None:
        """Map [addr, addr+len) as readable memory and write `data` there."""
        self._regions.append((addr, addr + len(data)))
        self.poke(addr, data)

    def poke(self, addr: int, data: bytes) -> None:
        """Write bytes without changing which addresses are mapped."""
        for i, b in enumerate(data):
            a = addr + i
            self._pages.setdefault(a // PAGE, bytearray(PAGE))[a % PAGE] = b

    def peek(self, addr: int, n: int) -> bytes:
        """Read n bytes (unwritten bytes read as 0)."""
        out = bytearray(n)
        for i in range(n):
            page = self._pages.get((addr + i) // PAGE)
            out[i] = page[(addr + i) % PAGE] if page is not None else 0
        return bytes(out)

    def mapped(self, addr: int, n: int) -> bool:
        return any(lo <= addr and addr + n <= hi for lo, hi in self._regions)

    def add_rw_region(self, lo: int, hi: int) -> None:
        """Allow writes to [lo, hi); a write anywhere else is a recorded error and is not applied."""
        assert self.wr is not None, "the DUT has no write channels"
        self.wr.add_rw_region(lo, hi)

    def add_error_range(self, lo: int, hi: int, resp: int) -> None:
        """Read beats / write beats whose bytes overlap [lo, hi) are answered with `resp` (SLVERR or DECERR)."""
        self._err_ranges.append((lo, hi, resp))

    def remove_error_range(self, lo: int, hi: int, resp: int) -> None:
        """Undo one `add_error_range(lo, hi, resp)`: bursts accepted from now on see the range no more (bursts
        already accepted keep the responses they were given). ValueError if no such range was added."""
        self._err_ranges.remove((lo, hi, resp))

    @property
    def error_ranges(self) -> tuple[tuple[int, int, int], ...]:
        """The error ranges in force, as (lo, hi, resp) for [lo, hi), in the order they were added (a copy)."""
        return tuple(self._err_ranges)

    # ------------------------------------------------------------------ state (read-only)
    @property
    def rd_outstanding(self) -> int:
        """Read bursts accepted (AR handshake done) whose last R beat has not been accepted yet."""
        return self._outstanding

    # ------------------------------------------------------------------ process
    def start(self) -> Any:
        import cocotb
        return cocotb.start_soon(self._run())

    async def _run(self) -> None:
        while True:
            await RisingEdge(self.clk)
            self.now += 1
            if self.has_read:
                self._ar_edge()
                self._r_edge()
            if self.wr is not None:
                self.wr.aw_edge()
                self.wr.w_edge()
                self.wr.b_edge()

    # ------------------------------------------------------------------ read address channel
    def _ar_edge(self) -> None:
        arvalid = self._bit(self.ar["arvalid"], "ARVALID")
        arready = bool(self.ar["arready"].value)
        if arvalid:
            payload = {n: self._int(h) for n, h in self.ar.items() if n not in ("arvalid", "arready")}
            payload.update({n: self._int(h) for n, h in self.ar_opt.items() if h is not None})
            if self._ar_pending is not None and payload != self._ar_pending:
                self._err(f"AR payload changed while stalled: {self._ar_pending} -> {payload}")
            if arready:
                self._accept(payload)
                self._ar_pending = None
            else:
                self.stats.ar_stall_cycles += 1
                self._ar_pending = payload
        else:
            if self._ar_pending is not None:
                self._err(f"ARVALID dropped before ARREADY (payload {self._ar_pending})")
            self._ar_pending = None
        full = self._outstanding >= self.cfg.max_outstanding
        self.ar["arready"].value = 0 if full or self.rng.random() < self.cfg.p_ar_stall else 1

    def _accept(self, p: dict[str, int]) -> None:
        addr, arlen, size = p["araddr"], p["arlen"], p["arsize"]
        nbeats = arlen + 1
        if p["arburst"] != 1:
            self._err(f"ARBURST={p['arburst']} (only INCR supported) at 0x{addr:x}")
        if (1 << size) != self.bus_bytes:
            self._err(f"ARSIZE={size} != bus size {self.bus_bytes} bytes at 0x{addr:x}")
        if arlen > 255:
            self._err(f"ARLEN={arlen} > 255 at 0x{addr:x}")
        nbytes = nbeats * self.bus_bytes
        if addr // PAGE != (addr - addr % self.bus_bytes + nbytes - 1) // PAGE:
            self._err(f"burst 0x{addr:x} + {nbeats} beats crosses a 4 KB boundary")
        beats: list[tuple[int, int]] = []
        base = addr - addr % self.bus_bytes
        for i in range(nbeats):
            a = base + i * self.bus_bytes
            resp = OKAY
            for lo, hi, r in self._err_ranges:
                if a < hi and lo < a + self.bus_bytes:
                    resp = r
            if resp == OKAY and not self.mapped(a, self.bus_bytes):
                self._err(f"read of unmapped address 0x{a:x} (burst 0x{addr:x}, ARID {p['arid']})")
                resp = DECERR
            beats.append((int.from_bytes(self.peek(a, self.bus_bytes), "little"), resp))
        lat = self.rng.randint(self.cfg.lat_min, self.cfg.lat_max)
        burst = _Burst(p["arid"], addr, beats, self.now + lat, self._seq)
        self._seq += 1
        self._queues.setdefault(p["arid"], deque()).append(burst)
        self._outstanding += 1
        self.stats.bursts += 1
        self.stats.max_outstanding = max(self.stats.max_outstanding, self._outstanding)

    # ------------------------------------------------------------------ read data channel
    def _r_edge(self) -> None:
        if self._r_presenting:
            rready = self._bit(self.r["rready"], "RREADY")
            if not rready:
                self.stats.r_backpressure_cycles += 1
                return                                   # hold RVALID and the payload
            burst = self._r_cur
            assert burst is not None
            burst.idx += 1
            self.stats.beats += 1
            self._r_presenting = False
            if burst.idx == len(burst.beats):
                self._queues[burst.arid].popleft()
                self._outstanding -= 1
                self._r_cur = None
        self.r["rvalid"].value = 0
        if self.rng.random() < self.cfg.p_r_gap:
            return
        burst = self._pick()
        if burst is None:
            return
        self._r_cur = burst
        data, resp = burst.beats[burst.idx]
        self.r["rid"].value = burst.arid
        self.r["rdata"].value = data
        self.r["rresp"].value = resp
        if self.r_last is not None:
            self.r_last.value = int(burst.idx == len(burst.beats) - 1)
        self.r["rvalid"].value = 1
        self._r_presenting = True

    def _pick(self) -> _Burst | None:
        """Next burst to send a beat of: per-ID order is always kept (only queue heads are eligible)."""
        cur = self._r_cur
        if cur is not None and cur.idx > 0 and not self.cfg.interleave:
            return cur if cur.ready_at <= self.now else None   # finish the burst started
        heads = [q[0] for q in self._queues.values() if q]
        if not heads:
            return None
        if not (self.cfg.reorder or self.cfg.interleave):
            oldest = min(heads, key=lambda b: b.seq)
            return oldest if oldest.ready_at <= self.now else None
        ready = [b for b in heads if b.ready_at <= self.now]
        return self.rng.choice(ready) if ready else None

    # ------------------------------------------------------------------ helpers
    def _sig(self, name: str, optional: bool = False) -> Any:
        for suffix in ("", "_o", "_i"):
            handle = getattr(self.dut, f"{self.prefix}{name}{suffix}", None)
            if handle is not None:
                return handle
        if optional:
            return None
        raise AttributeError(f"{self.dut._name} has no signal {self.prefix}{name}[_i|_o]")

    def _int(self, handle: Any) -> int:
        try:
            return int(handle.value)
        except ValueError:
            self._err(f"{handle._name} is X/Z while valid")
            return -1

    def _bit(self, handle: Any, what: str) -> bool:
        try:
            return bool(int(handle.value))
        except ValueError:
            self._err(f"{what} is X/Z")
            return False

    def _err(self, msg: str) -> None:
        self.errors.append(f"cycle {self.now}: {msg}")
