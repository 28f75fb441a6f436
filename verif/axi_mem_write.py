"""Write channels (AW/W/B) of the AXI4 slave memory model verif/axi_mem.py (`AxiMem.wr`).

Signals: `<prefix>aw*`, `<prefix>w*`, `<prefix>b*` (with an optional `_i`/`_o` suffix), like the read side.
AWLOCK/AWCACHE/AWPROT/WSTRB are optional (no WSTRB = all bytes written).

Behaviour, per cycle (the same sampling rule as the read side):
  - AW: random AWREADY stalls (`p_aw_stall`); AWREADY low while `max_outstanding` write bursts await their B.
  - W: random WREADY stalls (`p_w_stall`). W beats may arrive before their AW (AXI4 allows it): up to
    `w_early_max` such beats are buffered, then WREADY is held low. Beats are matched to AWs in AW order.
  - A beat is applied byte-wise (WSTRB bit i -> byte i of the beat) as it is matched, unless the beat overlaps
    an error range (answered with that BRESP, not applied) or a strobed byte lies outside every read-write
    region (recorded in `errors`, NOT applied, answered DECERR): no write ever lands outside the RW regions.
  - B: one response per burst, `b_lat_min..b_lat_max` cycles after its WLAST; random gaps before a BVALID
    (`p_b_gap`); out of order across IDs with `b_reorder` (per-ID order always kept); BVALID and the payload
    held while BREADY is low. BRESP = the worst of the burst's beats (DECERR > SLVERR > OKAY).
  - `log`: one WriteBeat per matched beat (address, data, strb, AWID, resp, applied) for scoreboards.

Protocol problems recorded in the owner's `errors`: AWVALID/WVALID dropped before ready, AW/W payload changed
while stalled, a burst crossing 4 KB, AWBURST != INCR, AWSIZE != bus size, AWADDR not aligned to the bus,
WLAST on the wrong beat, more W beats than AWLEN+1 (dropped), writes outside the RW regions, X/Z on
AWVALID/WVALID/BREADY.
"""
from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from verif.axi_mem import AxiMem

OKAY, EXOKAY, SLVERR, DECERR = 0, 1, 2, 3
PAGE = 4096
_SEVERITY = {OKAY: 0, SLVERR: 1, DECERR: 2}


@dataclass(frozen=True)
class WriteBeat:
    addr: int        # address of the beat (bus aligned)
    data: int        # WDATA
    strb: int        # WSTRB
    awid: int
    resp: int        # OKAY, SLVERR (error range), DECERR (error range or outside the RW regions)
    applied: bool    # the strobed bytes were written to memory


@dataclass
class _WBurst:
    awid: int
    addr: int
    awlen: int
    seq: int
    idx: int = 0                      # beats received
    resp: int = OKAY
    ready_at: int = 0                 # cycle from which the B response may be driven


@dataclass
class WriteStats:
    bursts: int = 0                   # AWs accepted
    beats: int = 0                    # W beats accepted
    responses: int = 0                # B responses accepted
    max_outstanding: int = 0          # AWs accepted whose B was not yet accepted
    aw_stall_cycles: int = 0          # AWVALID high, AWREADY low
    w_stall_cycles: int = 0           # WVALID high, WREADY low
    early_beats: int = 0              # W beats accepted before their AW
    b_backpressure_cycles: int = 0    # BVALID high, BREADY low
    errors: dict[int, int] = field(default_factory=dict)   # BRESP -> responses


class WritePort:
    """AW/W/B of an AxiMem; `mem` owns memory, config, rng, clock count and the error list."""

    def __init__(self, mem: AxiMem) -> None:
        self.mem, self.cfg = mem, mem.cfg
        self.aw = {n: mem._sig(n) for n in ("awid", "awaddr", "awlen", "awsize", "awburst", "awvalid", "awready")}
        self.aw_opt = {n: mem._sig(n, optional=True) for n in ("awlock", "awcache", "awprot")}
        self.w = {n: mem._sig(n) for n in ("wdata", "wlast", "wvalid", "wready")}
        self.w_strb = mem._sig("wstrb", optional=True)
        self.b = {n: mem._sig(n) for n in ("bid", "bresp", "bvalid", "bready")}
        self.bus_bytes = len(self.w["wdata"]) // 8
        self.rw_regions: list[tuple[int, int]] = []           # [lo, hi) writable
        self.log: list[WriteBeat] = []
        self.stats = WriteStats()
        self._aw_pending: dict[str, int] | None = None
        self._w_pending: tuple[int, int, int] | None = None
        self._data_q: deque[_WBurst] = deque()                # accepted AWs still waiting for W beats
        self._early: deque[tuple[int, int, int]] = deque()    # W beats that arrived before their AW
        self._b_queues: dict[int, deque[_WBurst]] = {}
        self._outstanding = 0
        self._seq = 0
        self._b_cur: _WBurst | None = None
        self.aw["awready"].value = 0
        self.w["wready"].value = 0
        self.b["bvalid"].value = 0

    def add_rw_region(self, lo: int, hi: int) -> None:
        self.rw_regions.append((lo, hi))

    def writable(self, addr: int) -> bool:
        return any(lo <= addr < hi for lo, hi in self.rw_regions)

    # ------------------------------------------------------------------ AW
    def aw_edge(self) -> None:
        mem = self.mem
        if mem._bit(self.aw["awvalid"], "AWVALID"):
            payload = {n: mem._int(h) for n, h in self.aw.items() if n not in ("awvalid", "awready")}
            payload.update({n: mem._int(h) for n, h in self.aw_opt.items() if h is not None})
            if self._aw_pending is not None and payload != self._aw_pending:
                mem._err(f"AW payload changed while stalled: {self._aw_pending} -> {payload}")
            if self.aw["awready"].value:
                self._accept(payload)
                self._aw_pending = None
            else:
                self.stats.aw_stall_cycles += 1
                self._aw_pending = payload
        else:
            if self._aw_pending is not None:
                mem._err(f"AWVALID dropped before AWREADY (payload {self._aw_pending})")
            self._aw_pending = None
        full = self._outstanding >= self.cfg.max_outstanding
        self.aw["awready"].value = 0 if full or mem.rng.random() < self.cfg.p_aw_stall else 1

    def _accept(self, p: dict[str, int]) -> None:
        addr, awlen, bb = p["awaddr"], p["awlen"], self.bus_bytes
        if p["awburst"] != 1:
            self.mem._err(f"AWBURST={p['awburst']} (only INCR supported) at 0x{addr:x}")
        if (1 << p["awsize"]) != bb:
            self.mem._err(f"AWSIZE={p['awsize']} != bus size {bb} bytes at 0x{addr:x}")
        if addr % bb:
            self.mem._err(f"AWADDR 0x{addr:x} not aligned to the {bb}-byte bus")
        if addr // PAGE != (addr - addr % bb + (awlen + 1) * bb - 1) // PAGE:
            self.mem._err(f"write burst 0x{addr:x} + {awlen + 1} beats crosses a 4 KB boundary")
        self._data_q.append(_WBurst(p["awid"], addr - addr % bb, awlen, self._seq))
        self._seq += 1
        self._outstanding += 1
        self.stats.bursts += 1
        self.stats.max_outstanding = max(self.stats.max_outstanding, self._outstanding)
        while self._early and self._data_q:
            self._take(*self._early.popleft())

    # ------------------------------------------------------------------ W
    def w_edge(self) -> None:
        mem = self.mem
        if mem._bit(self.w["wvalid"], "WVALID"):
            strb = mem._int(self.w_strb) if self.w_strb is not None else (1 << self.bus_bytes) - 1
            beat = (mem._int(self.w["wdata"]), strb, mem._int(self.w["wlast"]))
            if self._w_pending is not None and beat != self._w_pending:
                mem._err(f"W payload changed while stalled (WLAST/WSTRB/WDATA {self._w_pending[::-1]} -> {beat[::-1]})")
            if self.w["wready"].value:
                self.stats.beats += 1
                self._w_pending = None
                if self._data_q:
                    self._take(*beat)
                else:
                    self.stats.early_beats += 1
                    self._early.append(beat)
            else:
                self.stats.w_stall_cycles += 1
                self._w_pending = beat
        else:
            if self._w_pending is not None:
                mem._err("WVALID dropped before WREADY")
            self._w_pending = None
        full = len(self._early) >= self.cfg.w_early_max
        self.w["wready"].value = 0 if full or mem.rng.random() < self.cfg.p_w_stall else 1

    def _take(self, data: int, strb: int, last: int) -> None:
        """Match one W beat to the oldest AW still waiting for data; apply it; complete the burst on WLAST."""
        burst = self._data_q[0]
        i, bb = burst.idx, self.bus_bytes
        burst.idx += 1
        if i > burst.awlen:
            self.mem._err(f"more W beats than AWLEN+1={burst.awlen + 1} (AWID {burst.awid}, 0x{burst.addr:x}): dropped")
        else:
            if bool(last) != (i == burst.awlen):
                self.mem._err(f"WLAST={last} on beat {i} of {burst.awlen + 1} (AWID {burst.awid}, 0x{burst.addr:x})")
            self._apply(burst, burst.addr + i * bb, data, strb)
        if last:
            self._data_q.popleft()
            burst.ready_at = self.mem.now + self.mem.rng.randint(self.cfg.b_lat_min, self.cfg.b_lat_max)
            self._b_queues.setdefault(burst.awid, deque()).append(burst)

    def _apply(self, burst: _WBurst, addr: int, data: int, strb: int) -> None:
        bb = self.bus_bytes
        resp = OKAY
        for lo, hi, r in self.mem.error_ranges:
            if addr < hi and lo < addr + bb:
                resp = r
        lanes = [j for j in range(bb) if strb >> j & 1]
        if resp == OKAY and not all(self.writable(addr + j) for j in lanes):
            self.mem._err(f"write outside the RW regions at 0x{addr:x} (AWID {burst.awid}): not applied")
            resp = DECERR
        if resp == OKAY:
            raw = data.to_bytes(bb, "little")
            for j in lanes:
                self.mem.poke(addr + j, raw[j:j + 1])
        if _SEVERITY.get(resp, 0) > _SEVERITY.get(burst.resp, 0):
            burst.resp = resp
        self.log.append(WriteBeat(addr, data, strb, burst.awid, resp, resp == OKAY))

    # ------------------------------------------------------------------ B
    def b_edge(self) -> None:
        mem = self.mem
        if self._b_cur is not None:
            if not mem._bit(self.b["bready"], "BREADY"):
                self.stats.b_backpressure_cycles += 1
                return                                       # hold BVALID and the payload
            burst = self._b_cur
            self._b_queues[burst.awid].popleft()
            self._outstanding -= 1
            self.stats.responses += 1
            if burst.resp != OKAY:
                self.stats.errors[burst.resp] = self.stats.errors.get(burst.resp, 0) + 1
            self._b_cur = None
        self.b["bvalid"].value = 0
        if mem.rng.random() < self.cfg.p_b_gap:
            return
        heads = [q[0] for q in self._b_queues.values() if q and q[0].ready_at <= mem.now]
        if not heads:
            return
        if self.cfg.b_reorder:
            burst = mem.rng.choice(heads)
        else:
            oldest = min((q[0] for q in self._b_queues.values() if q), key=lambda b: b.seq)
            if oldest.ready_at > mem.now:
                return
            burst = oldest
        self._b_cur = burst
        self.b["bid"].value = burst.awid
        self.b["bresp"].value = burst.resp
        self.b["bvalid"].value = 1

    @property
    def outstanding(self) -> int:
        """Write bursts accepted (AW handshake done) whose B response has not been accepted yet."""
        return self._outstanding

    @property
    def early_buffered(self) -> int:
        """W beats accepted before their AW and still buffered, waiting for it (at most `w_early_max`)."""
        return len(self._early)

    @property
    def idle(self) -> bool:
        """No burst waiting for data or for its B response, no early W beat buffered."""
        return self._outstanding == 0 and not self._early
