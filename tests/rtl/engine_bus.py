"""cocotb implementation of models.driver.EngineBus for the `layer_engine` top level (imported in the simulator).

`CocotbEngineBus(dut, ...)` gives models.driver.EngineDriver everything it needs:

  csr_read / csr_write   AxiLiteMaster on s_axil_*: one transaction at a time, AW and W presented together,
                         returns after the R / B handshake; any RRESP/BRESP but OKAY raises ProtocolError.
  exchange               AxisSource on s_axis_x_* (random idle cycles before a beat, p_x_idle) concurrently
                         with AxisFrameSink on m_axis_logits_* (random TREADY low cycles, p_logits_stall),
                         which checks the frame: TLAST on the final beat only, TKEEP all ones except on
                         the final beat, where it marks exactly the vocab*4 logit bytes; AXIS rules (TVALID
                         held, payload stable until TREADY). Bounded by `timeout_cycles`.
  wait_irq               the level irq pin; the timeout is min(timeout_s of simulated time, timeout_cycles).

Sampling convention (as verif/valid_ready.py and verif/axi_mem.py): values read right after
`RisingEdge(clk)` are the ones the design saw at that edge; values written then are seen at the next edge.
Signals are found as `<name>`, `<name>_i` or `<name>_o`, so the helpers also attach to the lowRISC-named
sub-blocks (rtl/csr/le_csr_reg.sv through tests/hdl/le_csr_reg_tb.sv, rtl/le_axis_*.sv).

All randomness comes from one `random.Random(seed)`: a run is reproducible from its seed.
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any, Callable

from cocotb.triggers import RisingEdge, SimTimeoutError, gather, with_timeout

from models.driver import LOGIT_BYTES, ProtocolError

from verif.axil_master import AxiLiteMaster, bit as _bit, find_signal

OKAY = 0


@dataclass(frozen=True)
class Beat:
    data: int
    keep: int
    last: bool


def split_beats(payload: bytes, bus_bytes: int) -> list[Beat]:
    """models/driver.py step 5: byte i in lane i % bus_bytes of beat i // bus_bytes, TLAST on the final beat,
    TKEEP of a partial final beat marks its valid bytes only (its other lanes are driven 0)."""
    n = -(-len(payload) // bus_bytes)
    return [Beat(int.from_bytes(payload[k * bus_bytes:(k + 1) * bus_bytes], "little"),
                 (1 << len(payload[k * bus_bytes:(k + 1) * bus_bytes])) - 1, k == n - 1) for k in range(n)]


# ---------------------------------------------------------------------------------------------- AXI4-Stream
class AxisSource:
    """AXI4-Stream master: beats with random idle cycles (probability p_idle before each beat); the payload is
    held until TREADY (by construction). `sent` counts the beats transferred."""

    def __init__(self, dut: Any, clk: Any, prefix: str, rng: random.Random, p_idle: float = 0.0) -> None:
        self.clk, self.rng, self.p_idle = clk, rng, p_idle
        self.tdata, self.tkeep, self.tlast, self.tvalid, self.tready = (
            find_signal(dut, prefix + n) for n in ("tdata", "tkeep", "tlast", "tvalid", "tready"))
        self.tvalid.value = 0
        self.tlast.value = 0
        self.sent = 0

    async def send(self, beats: list[Beat]) -> None:
        try:
            for beat in beats:
                while self.p_idle and self.rng.random() < self.p_idle:
                    self.tvalid.value = 0
                    await RisingEdge(self.clk)
                self.tdata.value, self.tkeep.value, self.tlast.value = beat.data, beat.keep, int(beat.last)
                self.tvalid.value = 1
                while True:
                    await RisingEdge(self.clk)
                    if _bit(self.tready):
                        break
                self.sent += 1
        finally:
            self.tvalid.value = 0


@dataclass
class AxisFrameSink:
    """AXI4-Stream slave for one logits frame at a time, with random backpressure (TREADY low with probability
    p_stall per cycle) and the frame checks of models/driver.py step 5. Protocol slips (TVALID dropped or payload
    changed while stalled) are collected in `errors`; a frame-shape violation raises ProtocolError at once.
    TREADY is low outside `receive`, so a spurious beat stays on the bus (and `idle_valid()` sees it)."""
    dut: Any
    clk: Any
    prefix: str
    rng: random.Random
    p_stall: float = 0.0
    errors: list[str] = field(default_factory=list)
    received: int = 0                   # beats of the frame being received

    def __post_init__(self) -> None:
        self.tdata, self.tkeep, self.tlast, self.tvalid, self.tready = (
            find_signal(self.dut, self.prefix + n) for n in ("tdata", "tkeep", "tlast", "tvalid", "tready"))
        self.tready.value = 0

    def idle_valid(self) -> bool:
        return bool(_bit(self.tvalid))

    def _read(self) -> Beat:
        try:
            return Beat(int(self.tdata.value), int(self.tkeep.value), bool(int(self.tlast.value)))
        except ValueError:
            raise ProtocolError(f"{self.prefix}tdata/tkeep/tlast X/Z while TVALID is high") from None

    async def receive(self, n_bytes: int, bus_bytes: int, logit_bytes: int | None) -> bytes:
        """Exactly n_bytes // bus_bytes beats; `logit_bytes` (vocab * 4) fixes the final beat's TKEEP (None: any
        non-empty run of whole logits from lane 0)."""
        n_beats = n_bytes // bus_bytes
        full = (1 << bus_bytes) - 1
        last_keep = None
        if logit_bytes is not None:
            tail = logit_bytes - (n_beats - 1) * bus_bytes
            if not 0 < tail <= bus_bytes:
                raise ValueError(f"{logit_bytes} logit bytes do not fill {n_beats} beats of {bus_bytes} bytes")
            last_keep = (1 << tail) - 1
        out = bytearray()
        pending: Beat | None = None
        self.received = 0
        try:
            while self.received < n_beats:
                ready = 0 if self.p_stall and self.rng.random() < self.p_stall else 1
                self.tready.value = ready
                await RisingEdge(self.clk)
                valid = _bit(self.tvalid)
                if pending is not None:
                    if not valid:
                        self.errors.append(f"{self.prefix}: TVALID dropped before TREADY (beat {self.received})")
                    elif self._read() != pending:
                        self.errors.append(f"{self.prefix}: payload changed while stalled (beat {self.received}): "
                                           f"{pending} -> {self._read()}")
                if not valid:
                    pending = None
                    continue
                beat = self._read()
                if not ready:
                    pending = beat
                    continue
                pending = None
                k = self.received
                self.received += 1
                final = self.received == n_beats
                if beat.last != final:
                    raise ProtocolError(f"{self.prefix}: TLAST={int(beat.last)} on beat {k} of a {n_beats}-beat frame")
                want_keep = (last_keep if last_keep is not None else beat.keep) if final else full
                if beat.keep != want_keep or (final and not _whole_logits_mask(beat.keep, full)):
                    raise ProtocolError(f"{self.prefix}: TKEEP={beat.keep:#x} on beat {k} of {n_beats}, expected "
                                        f"{want_keep:#x}")
                out += beat.data.to_bytes(bus_bytes, "little")
        finally:
            self.tready.value = 0
        return bytes(out)


def _whole_logits_mask(keep: int, full: int) -> bool:
    """keep is a non-empty contiguous mask from lane 0 covering whole int32 logits."""
    n = keep.bit_length()
    return keep != 0 and keep == (1 << n) - 1 and keep <= full and n % LOGIT_BYTES == 0


# ---------------------------------------------------------------------------------------------- EngineBus
@dataclass
class BusKnobs:
    p_x_idle: float = 0.0               # idle cycle before an X beat, per beat (repeated: geometric gaps)
    p_logits_stall: float = 0.0         # TREADY low on m_axis_logits, per cycle
    seed: int = 1


class CocotbEngineBus:
    """models.driver.EngineBus on the layer_engine ports (clk, s_axil_*, s_axis_x_*, m_axis_logits_*, irq).

    vocab: when given, the final logits beat's TKEEP must mark exactly vocab * 4 bytes.
    timeout_cycles: bound on one exchange and on one wait_irq (None: only wait_irq's timeout_s applies).
    mangle_next_x: optional bytes -> bytes applied to the next exchange's X only (tests of the TLAST errors).
    last_frame: the logits frame of the latest exchange (a failed token's all-zero frame is checked there).
    """

    def __init__(self, dut: Any, knobs: BusKnobs | None = None, vocab: int | None = None,
                 timeout_cycles: int | None = None, clk_period_ns: int = 10) -> None:
        self.dut = dut
        self.knobs = knobs or BusKnobs()
        self.rng = random.Random(self.knobs.seed)
        self.clk = find_signal(dut, "clk")
        self.irq = find_signal(dut, "irq")
        self.vocab = vocab
        self.timeout_cycles = timeout_cycles
        self.clk_period_ns = clk_period_ns
        self.axil = AxiLiteMaster(dut, self.clk)
        self.x_src = AxisSource(dut, self.clk, "s_axis_x_", self.rng, self.knobs.p_x_idle)
        self.logits = AxisFrameSink(dut, self.clk, "m_axis_logits_", self.rng, self.knobs.p_logits_stall)
        self.bus_bytes = len(self.x_src.tdata) // 8
        self.mangle_next_x: Callable[[bytes], bytes] | None = None
        self.last_frame: bytes | None = None

    # ---- EngineBus ----
    async def csr_read(self, addr: int) -> int:
        data, resp = await self.axil.read(addr)
        if resp != OKAY:
            raise ProtocolError(f"CSR read of {addr:#x}: RRESP={resp}")
        return data

    async def csr_write(self, addr: int, value: int) -> None:
        resp = await self.axil.write(addr, value)
        if resp != OKAY:
            raise ProtocolError(f"CSR write of {addr:#x} = {value:#x}: BRESP={resp}")

    async def exchange(self, x: bytes, n_logit_bytes: int) -> bytes:
        if self.mangle_next_x is not None:
            x, self.mangle_next_x = self.mangle_next_x(x), None
        if n_logit_bytes % self.bus_bytes:
            raise ValueError(f"n_logit_bytes = {n_logit_bytes} is not whole {self.bus_bytes}-byte beats")
        beats = split_beats(x, self.bus_bytes)
        self.x_src.sent = 0
        logit_bytes = None if self.vocab is None else self.vocab * LOGIT_BYTES
        both = gather(self.x_src.send(beats), self.logits.receive(n_logit_bytes, self.bus_bytes, logit_bytes))
        try:
            if self.timeout_cycles is None:
                _, frame = await both
            else:
                _, frame = await with_timeout(both, self.timeout_cycles * self.clk_period_ns, "ns")
        except SimTimeoutError:
            raise TimeoutError(f"exchange stuck after {self.timeout_cycles} cycles: {self.x_src.sent} of {len(beats)} "
                               f"X beats accepted, {self.logits.received} of {n_logit_bytes // self.bus_bytes} "
                               "logits beats received") from None
        if self.logits.errors:
            raise ProtocolError("m_axis_logits protocol: " + "; ".join(self.logits.errors[:5]))
        self.last_frame = frame
        return frame

    async def wait_irq(self, timeout_s: float | None) -> None:
        if _bit(self.irq):
            return
        limits = [] if timeout_s is None else [timeout_s * 1e9]
        if self.timeout_cycles is not None:
            limits.append(self.timeout_cycles * self.clk_period_ns)
        edge = RisingEdge(self.irq)
        if not limits:
            await edge
            return
        limit_ns = max(1, int(min(limits)))
        try:
            await with_timeout(edge, limit_ns, "ns")
        except SimTimeoutError:
            raise TimeoutError(f"irq not raised within {limit_ns} ns of simulated time") from None
