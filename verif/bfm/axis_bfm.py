"""AXI4-Stream split transactors, HVL side: frame-level Python proxies of the SystemVerilog BFMs.

  AxisSourceBfm  proxy of verif/hdl/le_axis_src_bfm.sv   (frame -> beats with random TVALID gaps)
  AxisSinkBfm    proxy of verif/hdl/le_axis_sink_bfm.sv  (beats -> frames with random TREADY stalls,
                                                          double-buffered, protocol checks in HDL)

Python never runs per clock cycle here: a send writes the frame's beats into the BFM's array through VPI,
bumps a sequence register and sleeps until the BFM's done counter changes; a receive sleeps until the
sink's frame counter changes, then reads the captured beats. The cycle-level behaviour (gaps, stalls,
payload hold, protocol checks) lives in the HDL, so the simulator runs at Verilator speed between frames.
The register protocol is written down in the header of each .sv file.

Beat layout (models/driver.py step 5): byte i of a frame is byte lane i % bus_bytes of beat i // bus_bytes;
a partial final beat has TKEEP set for its valid bytes only and its other lanes driven 0.

Randomness: the HDL draws $urandom, seeded by the simulator (+verilator+seed+N under Verilator), so a
run is reproducible from that seed.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from cocotb.triggers import Lock, ValueChange

from verif.bfm.raw import DEPOSIT, RawArray
from verif.bfm.raw import read_uint as _uint
from verif.bfm.writable import require_writable

SOURCE_REGS = ("mem", "n_beats", "go_seq", "p_idle", "start_delay_max")             # what the proxies write
SINK_REGS = ("ack_seq", "p_stall", "err_clr_seq", "drop_seq", "pause_len", "pause_at")
FRACTION_ONE = 1 << 16                   # the probability registers are 16-bit fractions of 65536

# Sink protocol error codes (le_axis_sink_bfm.sv)
SINK_ERRORS = {1: "VALID_DROP", 2: "PAYLOAD_CHANGE", 3: "X_CTRL", 4: "OVERFLOW"}
SINK_ERROR_TEXT = {
    1: "TVALID dropped before TREADY",
    2: "TDATA/TKEEP/TLAST changed while stalled",
    3: "X/Z on TVALID (or on TLAST with TVALID high)",
    4: "more than MAX_BEATS beats without TLAST",
}


def _fraction(p: float, name: str) -> int:
    if not 0.0 <= p < 1.0:
        raise ValueError(f"{name} = {p}: must be in [0, 1)")
    return min(round(p * FRACTION_ONE), FRACTION_ONE - 1)


@dataclass(frozen=True)
class Frame:
    """One received frame: whole beats (a sink keeps the whole beat, TKEEP says which bytes count)."""
    data: bytes                          # beat k at data[k * bus_bytes:(k + 1) * bus_bytes]
    tkeep: tuple[int, ...]               # TKEEP per beat
    beats: int
    overflow: bool = False               # more than MAX_BEATS beats: only the first MAX_BEATS are here

    def payload(self) -> bytes:
        """The bytes whose TKEEP bit is set, in order."""
        bus_bytes = len(self.data) // self.beats if self.beats else 0
        out = bytearray()
        for k, keep in enumerate(self.tkeep):
            beat = self.data[k * bus_bytes:(k + 1) * bus_bytes]
            out += bytes(b for i, b in enumerate(beat) if keep >> i & 1)
        return bytes(out)


def split_beats(data: bytes, bus_bytes: int) -> list[tuple[int, int, bool]]:
    """(tdata, tkeep, tlast) per beat of `data` by the driver's rule (TLAST on the final beat)."""
    n = -(-len(data) // bus_bytes)
    out = []
    for k in range(n):
        chunk = data[k * bus_bytes:(k + 1) * bus_bytes]
        out.append((int.from_bytes(chunk, "little"), (1 << len(chunk)) - 1, k == n - 1))
    return out


def check_frame(frame: Frame, bus_bytes: int, n_beats: int | None = None, final_keep: int | None = None,
                keep_unit: int = 1) -> list[str]:
    """Frame-shape checks of models/driver.py step 5:
    TLAST on the final beat only (the sink ends a frame at TLAST, so a wrong beat count is a misplaced
    TLAST), TKEEP all ones on every beat but the final one, the final TKEEP equal to `final_keep` when
    given, else a non-empty contiguous mask from lane 0 covering whole `keep_unit`-byte units (4 for logits).
    Returns the problems found (empty: the frame is good)."""
    problems: list[str] = []
    full = (1 << bus_bytes) - 1
    if frame.overflow:
        problems.append(f"frame longer than the sink's MAX_BEATS ({frame.beats} beats kept)")
    if n_beats is not None and frame.beats != n_beats:
        problems.append(f"TLAST on beat {frame.beats - 1} of a {n_beats}-beat frame")
    for k, keep in enumerate(frame.tkeep[:-1]):
        if keep != full:
            problems.append(f"TKEEP={keep:#x} on beat {k} of {frame.beats} (not the final beat), expected {full:#x}")
    if frame.tkeep:
        keep = frame.tkeep[-1]
        n = keep.bit_length()
        if final_keep is not None:
            if keep != final_keep:
                problems.append(f"final TKEEP={keep:#x}, expected {final_keep:#x}")
        elif keep == 0 or keep != (1 << n) - 1 or n % keep_unit:
            problems.append(f"final TKEEP={keep:#x} is not a contiguous run of whole {keep_unit}-byte units")
    return problems


class AxisSourceBfm:
    """Proxy of le_axis_src_bfm (`handle` is the BFM instance, `clk` its clock; the clock is only kept
    for callers that want to time out in cycles). One frame in flight at a time: concurrent sends queue."""

    def __init__(self, handle: Any, clk: Any) -> None:
        self.h, self.clk = handle, clk
        self.bus_bytes = len(handle.m_axis_tdata) // 8
        self.max_beats = len(handle.mem)
        self._data_w = 8 * self.bus_bytes
        self._lock = Lock()
        require_writable(handle, SOURCE_REGS)
        self._mem = RawArray(handle.mem, self._data_w + self.bus_bytes + 1, DEPOSIT)   # read at an edge after go
        self.frames = 0

    def configure(self, p_idle: float, start_delay_max: int = 0) -> None:
        """p_idle: probability of a gap cycle (TVALID low) before each beat, repeated (geometric gaps);
        start_delay_max: each frame first waits a uniform 0..start_delay_max cycles (X late after START)."""
        if not 0 <= start_delay_max <= 0xFFFF:
            raise ValueError(f"start_delay_max = {start_delay_max}: must be in [0, 65535]")
        self.h.p_idle.value = _fraction(p_idle, "p_idle")
        self.h.start_delay_max.value = start_delay_max

    async def send(self, data: bytes, keep_last_override: Sequence[tuple[int, bool]] | None = None) -> None:
        """Send `data` as one frame and return once its final beat has been accepted.

        keep_last_override: (tkeep, tlast) for every beat of `data` (same beat count), to send any framing:
        TLAST early / late / missing, a short TKEEP anywhere. Without it: the driver's rule."""
        beats = split_beats(data, self.bus_bytes)
        if keep_last_override is not None:
            if len(keep_last_override) != len(beats):
                raise ValueError(f"keep_last_override has {len(keep_last_override)} entries for {len(beats)} beats")
            beats = [(d, keep, bool(last)) for (d, _, _), (keep, last) in zip(beats, keep_last_override, strict=True)]
        if len(beats) > self.max_beats:
            raise ValueError(f"{len(beats)} beats > the source BFM's MAX_BEATS = {self.max_beats}")
        async with self._lock:
            h = self.h
            shift_last = self._data_w + self.bus_bytes
            for k, (d, keep, last) in enumerate(beats):
                self._mem.set(k, (int(last) << shift_last) | (keep << self._data_w) | d)
            h.n_beats.value = len(beats)
            aborted = _uint(h.frames_aborted)
            seq = (_uint(h.go_seq) + 1) & 0xFFFF_FFFF
            h.go_seq.value = seq
            while _uint(h.done_seq) != seq:
                await ValueChange(h.done_seq)
            if _uint(h.frames_aborted) != aborted:
                raise RuntimeError("AXIS source: frame abandoned by a reset")
            self.frames += 1

    def stats(self) -> dict[str, int]:
        """Counters since time zero: beats_sent, frames_sent, frames_aborted, gap_cycles, stall_cycles."""
        return {n: _uint(getattr(self.h, n)) for n in
                ("beats_sent", "frames_sent", "frames_aborted", "gap_cycles", "stall_cycles")}


class AxisSinkBfm:
    """Proxy of le_axis_sink_bfm (`handle` is the BFM instance). Frames already captured but not read when
    the proxy is created are discarded (acknowledged)."""

    def __init__(self, handle: Any, clk: Any) -> None:
        self.h, self.clk = handle, clk
        self.bus_bytes = len(handle.s_axis_tdata) // 8
        self.max_beats = len(handle.mem) // 2
        self._data_w = 8 * self.bus_bytes
        self._keep_mask = (1 << self.bus_bytes) - 1
        self._data_mask = (1 << self._data_w) - 1
        self._lock = Lock()
        require_writable(handle, SINK_REGS)
        self._mem = RawArray(handle.mem, self._data_w + self.bus_bytes + 1, DEPOSIT)
        self.flush()

    def configure(self, p_stall: float, pause_len: int = 0, pause_at: int = 0) -> None:
        """p_stall: probability that TREADY is low in a cycle (independent per cycle); pause_len: one TREADY-low
        pause of that many cycles per frame once pause_at beats of it are taken (0: none)."""
        self.h.p_stall.value = _fraction(p_stall, "p_stall")
        if not (0 <= pause_len <= 0xFFFF and 0 <= pause_at <= 0xFFFF):
            raise ValueError(f"pause_len {pause_len} / pause_at {pause_at}: 0..65535")
        self.h.pause_len.value = pause_len
        self.h.pause_at.value = pause_at

    def flush(self) -> None:
        """Drop every captured frame not read yet."""
        self._consumed = _uint(self.h.frame_seq)
        self.h.ack_seq.value = self._consumed

    def pending(self) -> int:
        """Frames captured and not read yet (0..2)."""
        return (_uint(self.h.frame_seq) - self._consumed) & 0xFFFF_FFFF

    async def recv(self) -> Frame:
        """The next frame (waits for its TLAST beat; no per-cycle work)."""
        async with self._lock:
            h = self.h
            while _uint(h.frame_seq) == self._consumed:
                await ValueChange(h.frame_seq)
            bank = self._consumed & 1
            n = _uint(h.frame_len[bank])
            overflow = bool(_uint(h.frame_ovf[bank]))
            base = bank * self.max_beats
            data = bytearray()
            keeps = []
            for k in range(n):
                word = self._mem.get(base + k)
                data += (word & self._data_mask).to_bytes(self.bus_bytes, "little")
                keeps.append((word >> self._data_w) & self._keep_mask)
            self._consumed = (self._consumed + 1) & 0xFFFF_FFFF
            h.ack_seq.value = self._consumed          # frees the bank
            return Frame(bytes(data), tuple(keeps), n, overflow)

    def drop_partial(self) -> int:
        """Drop the beats of an unfinished frame (a stream abandoned mid frame, e.g. by a soft reset) at the next
        clock edge; returns how many beats were stored. Only while TVALID is low (raises otherwise)."""
        n = _uint(self.h.wr_idx_q)
        if n:
            if _uint(self.h.s_axis_tvalid):
                raise RuntimeError("AXIS sink: drop_partial while TVALID is high (the stream is still running)")
            self.h.drop_seq.value = (_uint(self.h.drop_seq) + 1) & 0xFFFF_FFFF
        return n

    def check_frame(self, frame: Frame, n_beats: int | None = None, final_keep: int | None = None,
                    keep_unit: int = 1) -> list[str]:
        """Frame-shape problems (see module-level check_frame); a monitor calls this per frame."""
        return check_frame(frame, self.bus_bytes, n_beats, final_keep, keep_unit)

    def protocol_errors(self) -> list[str]:
        """One line per protocol error kind recorded by the HDL since the last clear_errors()."""
        h = self.h
        count = _uint(h.err_count)
        if not count:
            return []
        mask = _uint(h.err_mask)
        last, at = _uint(h.err_last_code), _uint(h.err_last_cycle)
        out = [f"{SINK_ERRORS[c]}: {SINK_ERROR_TEXT[c]}" for c in sorted(SINK_ERRORS) if mask >> (c - 1) & 1]
        out.append(f"{count} error cycle(s), the last {SINK_ERRORS.get(last, last)} at cycle {at}")
        return out

    def error_codes(self) -> set[str]:
        """The names of the error kinds recorded (SINK_ERRORS values)."""
        mask = _uint(self.h.err_mask)
        return {name for c, name in SINK_ERRORS.items() if mask >> (c - 1) & 1}

    def clear_errors(self) -> None:
        """Clear the HDL's error record (takes effect at the next rising edge)."""
        self.h.err_clr_seq.value = (_uint(self.h.err_clr_seq) + 1) & 0xFFFF_FFFF

    def stats(self) -> dict[str, int]:
        """Counters since time zero: beats_recv, frames_recv, stall_cycles, full_cycles, err_count."""
        return {n: _uint(getattr(self.h, n)) for n in
                ("beats_recv", "frames_recv", "stall_cycles", "full_cycles", "err_count")}


__all__ = ["SINK_ERRORS", "AxisSinkBfm", "AxisSourceBfm", "Frame", "check_frame", "split_beats"]
