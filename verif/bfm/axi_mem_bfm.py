"""HVL proxy of the AXI4 slave memory BFM verif/hdl/le_axi_slave_bfm.sv (a split transactor).

The SystemVerilog half does all cycle-level work (handshakes, latency, stalls, reordering, error
injection, protocol checks, transaction records). This proxy works at transaction level only: it never
awaits a clock edge. It writes knob registers, the page table and the page store through cocotb handles
(`Immediate` deposits, so a value is readable at once) and drains the record and error FIFOs in batches.

    bfm = AxiMemBfm(dut.u_bfm, dut.clk)
    bfm.configure(BfmKnobs(lat_min=0, lat_max=60, p_ar_stall=0.3, reorder=True, interleave=True))
    bfm.load(0x10_0000, image)                 # map pages + backdoor write
    bfm.set_rw_region(0x10_0000, 0x12_0000)    # writes allowed (and mapped) here only
    ... run the DUT ...
    reads, writes = bfm.drain_records()
    assert not bfm.protocol_errors()

Knobs: BfmKnobs in verif/bfm/axi_mem_bfm_types.py. The readable map has page granularity (4 KB; `load` maps
whole pages, bytes never written read as 0); read data is taken from memory when a beat is presented (not when
the AR is accepted); an unmapped read is recorded once per burst; the random generator is the simulator's
($urandom, seeded by +verilator+seed+N), `BfmKnobs.seed` is not used; X/Z checks use $isunknown, which never
fires under Verilator (2-state).

Writes land in memory one cycle after their W beat is accepted. Knob registers are zero-initialised and 0 is
every knob's default (the HDL has no initialisers: cocotb's first test may write before the first evaluation).
State kept across proxies: the page table (HDL) and its Python mirror `_Shared` (one per BFM instance and
simulation), so a proxy made in a later cocotb test sees the memory as the last test left it (`unmap_all()`
forgets every page). Record, error and statistics pointers start at the proxy's creation.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, ClassVar

from cocotb.handle import Immediate

from verif.bfm.axi_mem_bfm_types import (
    ADDR_W,
    DECERR,
    ERROR_CODES,
    EXOKAY,
    N_ERR,
    N_RW,
    OKAY,
    PAGE,
    PAGE_BITS,
    PROB_ONE,
    SLVERR,
    BfmKnobs,
    ReadBurst,
    WriteBeatRec,
    WriteBurst,
)
from verif.bfm.raw import RawArray
from verif.bfm.raw import read_uint as _u
from verif.bfm.writable import require_writable

__all__ = [
    "DECERR",
    "ERROR_CODES",
    "EXOKAY",
    "OKAY",
    "SLVERR",
    "AxiMemBfm",
    "BfmKnobs",
    "ReadBurst",
    "WriteBeatRec",
    "WriteBurst",
]


@dataclass
class _Shared:
    """Per BFM instance and simulation: page map and knob mirrors (survive proxy re-creation)."""
    pages: dict[int, int] = field(default_factory=dict)       # virtual page -> slot
    next_slot: int = 0
    initialised: bool = False                                  # owner table, knobs, ranges written once
    err_ranges: list[tuple[int, int, int, bool, bool]] = field(default_factory=list)
    rw: list[tuple[int, int]] = field(default_factory=list)
    backdoor_writes: int = 0                                   # +1 per backdoor change (poke, new page, unmap)


_SHARED: dict[str, _Shared] = {}
_M32 = 1 << 32                             # HDL counters are 32 bits, start anywhere, wrap
RD_REC_PER_WORD = 4                        # le_axi_bfm_rd RecPerWord: read records per element of rec[]
_REC160 = (1 << 160) - 1


def _span(ptr: int, end: int, depth: int) -> tuple[int, int, int]:
    """(first, count, lost) of the ring entries pushed from counter value ptr to end (modulo 2^32)."""
    n = (end - ptr) % _M32
    lost = max(0, n - depth)
    return ptr + lost, n - lost, lost


# The registers the proxy writes (le_axi_slave_bfm), and its DDR model's (le_axi_bfm_mem): checked writable once.
KNOB_REGS = ("k_lat_min", "k_lat_max", "k_p_ar_stall", "k_p_r_gap", "k_reorder", "k_interleave", "k_max_out",
             "k_p_aw_stall", "k_p_w_stall", "k_b_lat_min", "k_b_lat_max", "k_p_b_gap", "k_b_reorder", "k_w_early_max",
             "k_p_rd_err", "k_p_wr_err", "k_rand_err_resp", "k_no_wdata_rec")
RANGE_REGS = ("k_erng_lo", "k_erng_hi", "k_erng_resp", "k_erng_rd", "k_erng_wr", "k_rw_lo", "k_rw_hi", "k_rw_en")
STORE_ARRAYS = ("pt", "owner", "words")


class AxiMemBfm:
    """Proxy of one le_axi_slave_bfm instance (`handle`); `clk` is kept for callers that await on it."""

    def __init__(self, handle: Any, clk: Any) -> None:
        self.h, self.clk = handle, clk
        require_writable(handle, KNOB_REGS + RANGE_REGS)
        require_writable(handle.u_mem, STORE_ARRAYS)
        self.bus_bytes = len(handle.axi_rdata) // 8
        self.wpp = PAGE // self.bus_bytes                      # words per page
        self.max_pages = len(handle.u_mem.words) // self.wpp
        self.slot_w = (self.max_pages - 1).bit_length()
        self._pt = RawArray(handle.u_mem.pt, self.slot_w + 1)
        self._words = RawArray(handle.u_mem.words, 8 * self.bus_bytes)
        self._rd, self._wr = handle.u_rd, handle.u_wr
        self._rec_depth, self._wrec_depth = len(self._rd.rec) * RD_REC_PER_WORD, len(self._wr.rec)
        self._wb_depth, self._err_depth = len(self._wr.wbeat), len(self._rd.err_fifo)
        self._rrec, self._wrec = RawArray(self._rd.rec, 160 * RD_REC_PER_WORD), RawArray(self._wr.rec, 192)
        self._wbeat = RawArray(self._wr.wbeat, 9 * self.bus_bytes + 2)
        self._efifo = {"rd": RawArray(self._rd.err_fifo, 72), "wr": RawArray(self._wr.err_fifo, 72)}
        self._owner = RawArray(handle.u_mem.owner, ADDR_W - PAGE_BITS + 1)
        self._free = 1 << (ADDR_W - PAGE_BITS)                 # owner entry of a free slot
        self.s = _SHARED.setdefault(handle._path, _Shared())
        if not self.s.initialised:                             # HDL state may be random (x-initial unique)
            for slot in range(self.max_pages):
                self._owner.set(slot, self._free)
            self.configure(BfmKnobs())
            self._write_err_ranges()
            self._write_rw()
            self.s.initialised = True
        self._rd_ptr, self._wr_ptr = _u(self._rd.rec_wr), _u(self._wr.rec_wr)
        self._err_ptr = {"rd": _u(self._rd.err_wr), "wr": _u(self._wr.err_wr)}
        self._errors: list[tuple[int, str]] = []
        self.lost_records = 0
        self.write_listeners: list[Callable[[int, int], None]] = []   # (addr, beats) of each drained write burst
        self.resyncs = 0                                       # records skipped by resync: +1 each
        self._stat_handles = [(f"{side}_{n}", getattr(self._rd if side == "rd" else self._wr, f"st_{n}"))
                              for side, names in self._STAT_NAMES.items() for n in names]   # looked up once
        self._stats0 = self._raw_stats()

    # ------------------------------------------------------------------ pages and backdoor
    def _slot(self, vpage: int, zero: bool = True) -> int:
        """The slot of a virtual page, allocated (and zero-filled unless `zero` is False) if new."""
        slot = self.s.pages.get(vpage)
        if slot is None:
            if self.s.next_slot >= self.max_pages:
                raise MemoryError(f"BFM page store full ({self.max_pages} pages of {PAGE} bytes)")
            slot = self.s.next_slot
            self.s.next_slot += 1
            if zero:                                           # reused or randomly initialised
                for i in range(self.wpp):
                    self._words.set(slot * self.wpp + i, 0)
            self.s.pages[vpage] = slot
            self.s.backdoor_writes += 1
            self._owner.set(slot, vpage)
            self._pt.set(vpage, (1 << self.slot_w) | slot)
        return slot

    def map(self, lo: int, hi: int, zero: bool = True) -> None:
        """Map the pages covering [lo, hi); new pages are zero-filled, except whole pages when `zero` is
        False (the caller writes them completely)."""
        for vp in range(lo >> PAGE_BITS, ((hi - 1) >> PAGE_BITS) + 1 if hi > lo else lo >> PAGE_BITS):
            whole = lo <= vp << PAGE_BITS and (vp + 1) << PAGE_BITS <= hi
            self._slot(vp, zero=zero or not whole)

    def unmap_all(self) -> None:
        """Forget every page (reads become DECERR) and the RW windows; the page store is reused."""
        for vp, slot in self.s.pages.items():
            self._pt.set(vp, 0)
            self._owner.set(slot, self._free)
        self.s.pages.clear()
        self.s.backdoor_writes += 1
        self.s.next_slot = 0
        self.s.rw.clear()
        self._write_rw()

    def load(self, addr: int, data: bytes) -> None:
        """Map the pages of [addr, addr+len) and write `data` there (backdoor)."""
        self.map(addr, addr + len(data), zero=False)
        self.poke(addr, data)

    def poke(self, addr: int, data: bytes) -> None:
        """Backdoor write (pages are mapped as needed; partial words are read-modify-written)."""
        bb, end = self.bus_bytes, addr + len(data)
        a = addr - addr % bb
        self.s.backdoor_writes += 1
        while a < end:
            slot = self._slot(a >> PAGE_BITS)
            idx = slot * self.wpp + (a % PAGE) // bb
            lo, hi = max(a, addr), min(a + bb, end)
            if lo == a and hi == a + bb:
                word = int.from_bytes(data[a - addr:a - addr + bb], "little")
            else:
                raw = bytearray(self._words.get(idx).to_bytes(bb, "little"))
                raw[lo - a:hi - a] = data[lo - addr:hi - addr]
                word = int.from_bytes(raw, "little")
            self._words.set(idx, word)
            a += bb

    def peek(self, addr: int, n: int) -> bytes:
        """Backdoor read of n bytes (unmapped pages read as 0)."""
        bb = self.bus_bytes
        a0 = addr - addr % bb
        out = bytearray()
        for a in range(a0, addr + n, bb):
            slot = self.s.pages.get(a >> PAGE_BITS)
            word = 0 if slot is None else self._words.get(slot * self.wpp + (a % PAGE) // bb)
            out += word.to_bytes(bb, "little")
        return bytes(out[addr - a0:addr - a0 + n])

    # ------------------------------------------------------------------ windows, error ranges, knobs
    def set_rw_region(self, lo: int, hi: int) -> None:
        """Writes are allowed in [lo, hi) only (its pages are mapped); replaces every earlier window."""
        self.s.rw = [(lo, hi)]
        self.map(lo, hi)
        self._write_rw()

    def add_rw_region(self, lo: int, hi: int) -> None:
        """One more write window (up to 4)."""
        if len(self.s.rw) >= N_RW:
            raise ValueError(f"at most {N_RW} RW windows")
        self.s.rw.append((lo, hi))
        self.map(lo, hi)
        self._write_rw()

    def _write_rw(self) -> None:
        w = ADDR_W + 1
        self.h.k_rw_lo.value = Immediate(sum(lo << (i * w) for i, (lo, _) in enumerate(self.s.rw)))
        self.h.k_rw_hi.value = Immediate(sum(hi << (i * w) for i, (_, hi) in enumerate(self.s.rw)))
        self.h.k_rw_en.value = Immediate((1 << len(self.s.rw)) - 1)

    def add_error_range(self, lo: int, hi: int, resp: int, reads: bool = True, writes: bool = True) -> None:
        """Beats overlapping [lo, hi) answer `resp` (SLVERR/DECERR); later ranges win. Up to 8 ranges."""
        if len(self.s.err_ranges) >= N_ERR:
            raise ValueError(f"at most {N_ERR} error ranges")
        self.s.err_ranges.append((lo, hi, resp, reads, writes))
        self._write_err_ranges()

    def clear_errors(self) -> None:
        """Remove every error range (the random error probabilities are knobs: see configure)."""
        self.s.err_ranges.clear()
        self._write_err_ranges()

    def _write_err_ranges(self) -> None:
        for name, field_no, width in (("lo", 0, ADDR_W + 1), ("hi", 1, ADDR_W + 1), ("resp", 2, 2), ("rd", 3, 1),
                                      ("wr", 4, 1)):
            v = sum(int(e[field_no]) << (i * width) for i, e in enumerate(self.s.err_ranges))
            getattr(self.h, f"k_erng_{name}").value = Immediate(v)

    def configure(self, knobs: BfmKnobs) -> None:
        """Write every knob register."""
        k = knobs
        p = lambda x: max(0, min(PROB_ONE, round(x * PROB_ONE)))
        regs = {
            "k_lat_min": k.lat_min, "k_lat_max": max(k.lat_min, k.lat_max), "k_p_ar_stall": p(k.p_ar_stall),
            "k_p_r_gap": p(k.p_r_gap), "k_reorder": int(k.reorder or k.interleave),
            "k_interleave": int(k.interleave), "k_max_out": k.max_outstanding,
            "k_p_aw_stall": p(k.p_aw_stall), "k_p_w_stall": p(k.p_w_stall), "k_b_lat_min": k.b_lat_min,
            "k_b_lat_max": max(k.b_lat_min, k.b_lat_max), "k_p_b_gap": p(k.p_b_gap),
            "k_b_reorder": int(k.b_reorder), "k_w_early_max": k.w_early_max, "k_p_rd_err": p(k.p_rd_err),
            "k_p_wr_err": p(k.p_wr_err), "k_rand_err_resp": k.rand_err_resp, "k_no_wdata_rec": int(not k.record_wdata),
        }
        assert tuple(regs) == KNOB_REGS, "KNOB_REGS lists the registers configure() writes"
        for name, v in regs.items():
            getattr(self.h, name).value = Immediate(v)
        self.knobs = k

    # ------------------------------------------------------------------ records, errors, statistics
    def drain_records(self) -> tuple[list[ReadBurst], list[WriteBurst]]:
        """Read and write bursts completed since the last drain (oldest first)."""
        reads: list[ReadBurst] = []
        end = _u(self._rd.rec_wr)
        first, count, lost = _span(self._rd_ptr, end, self._rec_depth)
        self.lost_records += lost
        get, depth, per = self._rrec.get, self._rec_depth, RD_REC_PER_WORD
        element, word = -1, 0
        for i in range(first, first + count):       # ReadBurst's fields in order (positional: the hot path)
            j = i % depth
            if j // per != element:                 # RD_REC_PER_WORD records per element: one read for each
                element = j // per
                word = get(element)
            v = word >> (160 * (j % per)) & _REC160
            f = v >> 152
            reads.append(ReadBurst(v >> 136 & 0xFF, v >> 96 & 0xFFFFFFFF, v >> 128 & 0xFF, v >> 144 & 0xFF,
                                   v >> 64 & 0xFFFFFFFF, v >> 32 & 0xFFFFFFFF, v & 0xFFFFFFFF, bool(f & 1),
                                   bool(f & 2)))
        self._rd_ptr = end
        writes: list[WriteBurst] = []
        end = _u(self._wr.rec_wr)
        first, count, lost = _span(self._wr_ptr, end, self._wrec_depth)
        self.lost_records += lost
        wb_end = _u(self._wr.wb_wr)
        bb, mask = self.bus_bytes, (1 << (8 * self.bus_bytes)) - 1
        for i in range(first, first + count):
            v = self._wrec.get(i % self._wrec_depth)
            nb, beat0 = v >> 144 & 0xFFFF, v >> 96 & 0xFFFFFFFF
            lost = nb > 0 and (wb_end - beat0) % _M32 > self._wb_depth
            beats = []
            if not lost:
                for j in range(nb):
                    b = self._wbeat.get((beat0 + j) % self._wb_depth)
                    beats.append(WriteBeatRec(data=b & mask, strb=b >> (8 * bb) & ((1 << bb) - 1),
                                              resp=b >> (9 * bb) & 3))
            writes.append(WriteBurst(awid=v >> 176 & 0xFF, addr=v >> 64 & 0xFFFFFFFF, awlen=v >> 168 & 0xFF,
                                     resp=v >> 160 & 0xFF, t_aw=v >> 32 & 0xFFFFFFFF, t_b=v & 0xFFFFFFFF,
                                     beats=beats, beats_lost=lost))
            for listener in self.write_listeners:
                listener(writes[-1].addr, max(nb, writes[-1].awlen + 1))
        self._wr_ptr = end
        return reads, writes

    def resync(self, keep_errors: bool = True) -> None:
        """After a reset of the HDL (rst_n): restart the record and error pointers and the statistics from the
        HDL's current counters. keep_errors: collect the protocol errors recorded so far first (a reset in the
        middle of a test); False for the power-on reset, before which the HDL held random X-initialised state."""
        if keep_errors:
            self.protocol_errors()
        else:
            self._errors = []
        self.resyncs += 1
        self._rd_ptr, self._wr_ptr = _u(self._rd.rec_wr), _u(self._wr.rec_wr)
        self._err_ptr = {"rd": _u(self._rd.err_wr), "wr": _u(self._wr.err_wr)}
        self._stats0 = self._raw_stats()

    def protocol_errors(self) -> list[str]:
        """Every protocol error recorded since this proxy was made, by cycle: 'cycle N: <what> at 0xADDR (side)'."""
        for side, mod in (("rd", self._rd), ("wr", self._wr)):
            end = _u(mod.err_wr)
            first, count, lost = _span(self._err_ptr[side], end, self._err_depth)
            for i in range(first, first + count):
                v = self._efifo[side].get(i % self._err_depth)
                code, addr, cyc = v >> 64, v >> 32 & 0xFFFFFFFF, v & 0xFFFFFFFF
                what = ERROR_CODES.get(code, f"error code {code}")
                if lost:
                    self._errors.append((cyc, f"cycle {cyc}: {lost} earlier {side} errors lost (FIFO overflow)"))
                    lost = 0
                self._errors.append((cyc, f"cycle {cyc}: [{code}] {what} at 0x{addr:x} ({side})"))
            self._err_ptr[side] = end
        self._errors.sort(key=lambda e: e[0])
        return [m for _, m in self._errors]

    _STAT_NAMES: ClassVar[dict[str, tuple[str, ...]]] = {
        "rd": ("bursts", "beats", "max_out", "ar_stall", "r_bp", "r_gap", "reordered", "interleaved"),
        "wr": ("bursts", "beats", "resps", "max_out", "aw_stall", "w_stall", "b_bp", "b_gap", "early", "reordered")}

    def _raw_stats(self) -> dict[str, int]:
        return {key: _u(h) for key, h in self._stat_handles}

    def stats(self) -> dict[str, int]:
        """Counters since this proxy was made: rd_/wr_ bursts, beats, (wr_resps), max_out (the maximum
        outstanding reached, not a difference), ar/aw/w_stall and r/b_bp (cycles VALID high with READY low
        on AR/AW/W, RVALID/BVALID high with the master's READY low), r_gap/b_gap (cycles a beat / response was
        pending and a random gap held RVALID / BVALID low), wr_early (W beats before their AW),
        reordered (bursts completed ahead of an older one), rd_interleaved; plus cycle (now). max_out counts
        from the last reset."""
        raw = self._raw_stats()
        out = {k: (v if k.endswith("max_out") else (v - self._stats0[k]) % _M32) for k, v in raw.items()}
        out["cycle"] = _u(self.h.now)
        return out

    def undrained_writes(self) -> bool:
        """True while write bursts completed in the HDL are not drained yet (drain_records)."""
        return _u(self._wr.rec_wr) != self._wr_ptr

    def outstanding(self) -> tuple[int, int]:
        """(read bursts accepted whose last beat was not transferred, write bursts whose B was not)."""
        return _u(self._rd.cnt), _u(self._wr.outstanding)

    @property
    def now(self) -> int:
        """The BFM's cycle counter (rising edges since time zero)."""
        return _u(self.h.now)
