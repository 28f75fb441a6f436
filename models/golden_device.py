"""GoldenDevice: a behavioural model of the engine behind its CSR map, implementing EngineBus in asyncio.

It is the golden-side counterpart of `models.driver`: the protocol there, executed by the golden model.
It owns a DDR byte array holding the image at `image_base`, a register file per CsrMap, and runs one
token per accepted START inside `exchange`, bit-exact with `GoldenEngine`:

  * START (CTRL bit 0) while BUSY is rejected with START_WHILE_BUSY (a test holds the device busy by writing
    START twice before exchanging); the token in flight continues and sets DONE when it completes. Idle:
    while STATUS.ERROR is set it is rejected keeping the first ERR_CODE; config CSRs that break an
    EngineConfig rule or TOKEN_POS >= MAX_SEQ reject it with ILLEGAL_CONFIG. A rejected START while idle
    clears DONE (DONE describes the latest START). Otherwise it latches the config: BUSY=1, DONE=0, perf
    counters zeroed; an image header that disagrees with the config (the bus width included), or KV_BASE
    anywhere but IMAGE_BASE + kv_base, fails the accepted token with ILLEGAL_CONFIG.
  * SOFT_RESET completes at once (the RTL drains first and ignores a START written during its drain, so no
    START can be observed inside a drain here either: both end with STATUS 0 and IRQ_STATUS 0).
  * exchange: X shorter than d_model -> X_TLAST_EARLY, longer -> X_TLAST_LATE; an armed fault
    (`inject_axi_read_error`) -> AXI_READ_ERROR. Otherwise it unpacks the model from DDR (cached per
    config and image base; `write_ddr` to the read-only part drops the cache), re-reads the KV region from
    DDR (backdoor edits are honoured), runs GoldenEngine.step, writes the K/V rows at TOKEN_POS back to
    DDR, fills the perf counters from `models.traffic` (cycles = roofline, stall = 0) and sets DONE.
    A failed token writes nothing to DDR and returns an all-zero frame.
  * Errors set STATUS.ERROR and ERR_CODE; DONE and ERROR set their IRQ_STATUS bits; irq is
    |(IRQ_STATUS & IRQ_ENABLE). SOFT_RESET clears BUSY/DONE/ERROR/ERR_CODE/IRQ_STATUS/perf and drops an
    in-flight token; config CSRs, IRQ_ENABLE and DDR are kept.

Harness mistakes (unmapped CSR, exchange without an accepted START, wrong frame size) raise at once
instead of hanging as the RTL would.
"""
from __future__ import annotations

import asyncio
from dataclasses import dataclass

import numpy as np

from . import csr_map
from .config import ConfigError, EngineConfig
from .ddr_layout import ALIGN, HEADER_WORDS, DdrLayout, header_problem, unpack, unpack_kv
from .driver import (
    CONFIG_CSRS,
    CTRL_SOFT_RESET,
    CTRL_START,
    DEFAULT_CSR_MAP,
    IRQ_ALL,
    IRQ_DONE,
    IRQ_ERROR,
    PERF_COUNTERS,
    REG_MASK,
    STATUS_BUSY,
    STATUS_DONE,
    STATUS_ERR_CODE_SHIFT,
    STATUS_ERROR,
    CsrMap,
    ErrorCode,
    ProtocolError,
    logits_frame_bytes,
)
from .golden import GoldenEngine
from .schedule import schedule_beats, token_schedule
from .traffic import roofline_cycles, token_traffic

# Registers whose every field is software read-only in rtl/csr/le_csr.rdl (STATUS, PERF_*, ID, VERSION, HW_*).
READ_ONLY_CSRS = tuple(reg for reg, fields in csr_map.ACCESS.items() if set(fields.values()) == {"RO"})


def _const_value(reg: str) -> int:
    """Reset value of a register whose fields all have one (ID, VERSION)."""
    return sum((csr_map.RESET[reg][f] or 0) << lsb for f, (lsb, _) in csr_map.FIELDS[reg].items())


def hw_params_words(axi_data_w: int) -> dict[str, int]:
    """HW_PARAMS / HW_MAX_DIMS of the golden device: its lanes; the model has no buffer limits, so every
    MAX_* field reads all ones (its largest value)."""
    def word(reg: str, values: dict[str, int]) -> int:
        out = 0
        for f, (lsb, width) in csr_map.FIELDS[reg].items():
            out |= min(values.get(f, (1 << width) - 1), (1 << width) - 1) << lsb
        return out
    return {"HW_PARAMS": word("HW_PARAMS", {"LANES": axi_data_w // 8}), "HW_MAX_DIMS": word("HW_MAX_DIMS", {})}


@dataclass(frozen=True)
class LatchedToken:
    """The config latched by an accepted START."""
    cfg: EngineConfig
    layout: DdrLayout
    image_base: int
    pos: int
    image_problem: str = ""     # found after the START was accepted: the token fails with ILLEGAL_CONFIG


class GoldenDevice:
    """EngineBus backed by the golden model. `image` is `models.ddr_layout.pack(qm)`, placed at DDR
    address `image_base`; `axi_data_w` is the synthesis-time bus width."""

    def __init__(self, image: bytes, image_base: int = 0, axi_data_w: int = 128,
                 csr: CsrMap = DEFAULT_CSR_MAP) -> None:
        self.ddr = bytearray(image)
        self.ddr_base = image_base
        self.axi_data_w = axi_data_w
        self.csr = csr
        self._reg_names = {offset: name for name, offset in csr.registers().items()}
        self.regs: dict[str, int] = dict.fromkeys(csr.registers(), 0)
        self.regs.update({"ID": _const_value("ID"), "VERSION": _const_value("VERSION"), **hw_params_words(axi_data_w)})
        self.busy = False
        self.done = False
        self.error: ErrorCode | None = None
        self.error_detail = ""
        self.irq_status = 0
        self.perf: dict[str, int] = dict.fromkeys(PERF_COUNTERS, 0)
        self._token: LatchedToken | None = None
        self._axi_read_fault_armed = False
        self._engine_key: tuple[EngineConfig, int] | None = None
        self._engine: GoldenEngine | None = None
        self._cached_ro_span = (0, 0)       # DDR [lo, hi) the cached model was unpacked from
        self._irq_waiters: list[asyncio.Future[None]] = []

    # ---- backdoor --------------------------------------------------------------------------------------
    def read_ddr(self, addr: int, n: int) -> bytes:
        lo = self._ddr_offset(addr, n)
        return bytes(self.ddr[lo:lo + n])

    def write_ddr(self, addr: int, data: bytes) -> None:
        """Backdoor write; a write touching the cached image's read-only part drops the model cache."""
        lo = self._ddr_offset(addr, len(data))
        self.ddr[lo:lo + len(data)] = data
        ro_lo, ro_hi = self._cached_ro_span
        if addr < ro_hi and addr + len(data) > ro_lo:
            self._engine_key, self._engine, self._cached_ro_span = None, None, (0, 0)

    def inject_axi_read_error(self) -> None:
        """Make the next token that gets past the X checks fail with AXI_READ_ERROR."""
        self._axi_read_fault_armed = True

    @property
    def irq(self) -> bool:
        return bool(self.irq_status & self.regs["IRQ_ENABLE"])

    @property
    def status(self) -> int:
        code = int(self.error) if self.error is not None else 0
        return ((STATUS_BUSY if self.busy else 0) | (STATUS_DONE if self.done else 0)
                | (STATUS_ERROR if self.error is not None else 0) | code << STATUS_ERR_CODE_SHIFT)

    # ---- EngineBus -------------------------------------------------------------------------------------
    async def csr_read(self, addr: int) -> int:
        name = self._reg_name(addr)
        if name == "CTRL":
            return 0
        if name == "STATUS":
            return self.status
        if name == "IRQ_STATUS":
            return self.irq_status
        if name.startswith("PERF_"):
            return self._perf_half(name)
        return self.regs[name]

    async def csr_write(self, addr: int, value: int) -> None:
        name = self._reg_name(addr)
        if not 0 <= value <= REG_MASK:
            raise ValueError(f"CSR {name} write of {value}: must be an unsigned 32-bit value")
        if name == "CTRL":
            self._write_ctrl(value)
        elif name == "IRQ_STATUS":
            self.irq_status &= ~value
        elif name == "IRQ_ENABLE":
            self.regs[name] = value & IRQ_ALL
            self._notify_if_irq()
        elif name not in READ_ONLY_CSRS:
            self.regs[name] = value

    async def exchange(self, x: bytes, n_logit_bytes: int) -> bytes:
        token = self._token
        if not self.busy or token is None:
            raise ProtocolError("exchange without an accepted START: the engine would not take X")
        frame_bytes = logits_frame_bytes(token.cfg)
        if n_logit_bytes != frame_bytes:
            raise ProtocolError(f"asked for {n_logit_bytes} logit bytes, the engine's frame is {frame_bytes}")
        await asyncio.sleep(0)              # the streams are concurrent: let other tasks run
        error = ErrorCode.ILLEGAL_CONFIG if token.image_problem else self._x_error(len(x), token.cfg.d_model)
        if error is None and self._axi_read_fault_armed:
            self._axi_read_fault_armed = False
            error = ErrorCode.AXI_READ_ERROR
        if error is not None:
            self._finish_with_error(error, token.image_problem or f"token at pos {token.pos}: {error.name}")
            return bytes(frame_bytes)
        logits = self._compute(token, x)
        self._finish_ok(token)
        return logits.astype("<i4").tobytes().ljust(frame_bytes, b"\0")

    async def wait_irq(self, timeout_s: float | None) -> None:
        if self.irq:
            return
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._irq_waiters.append(waiter)
        try:
            await asyncio.wait_for(waiter, timeout_s)
        finally:
            if waiter in self._irq_waiters:
                self._irq_waiters.remove(waiter)

    # ---- CTRL ------------------------------------------------------------------------------------------
    def _write_ctrl(self, value: int) -> None:
        if value & CTRL_SOFT_RESET:
            self._soft_reset()
        elif value & CTRL_START:
            self._start()

    def _soft_reset(self) -> None:
        self.busy = self.done = False
        self.error, self.error_detail = None, ""
        self.irq_status = 0
        self.perf = dict.fromkeys(PERF_COUNTERS, 0)
        self._token = None

    def _start(self) -> None:
        if self.busy:
            # Rejected; the token in flight keeps running and still reports its DONE when it ends.
            self._set_error(ErrorCode.START_WHILE_BUSY, "START while a token is in flight")
            return
        token_or_reason = self._latch_config() if self.error is None else ""
        if isinstance(token_or_reason, str):
            self.done = False                   # DONE describes the latest START: a rejected one clears it
            if self.error is None:
                self._set_error(ErrorCode.ILLEGAL_CONFIG, token_or_reason)
            else:
                self._raise_irq(IRQ_ERROR)      # rejected again, the first ERR_CODE kept
            return
        self._token = token_or_reason
        self.busy, self.done = True, False
        self.perf = dict.fromkeys(PERF_COUNTERS, 0)

    # ---- START checks ----------------------------------------------------------------------------------
    def _csr_config(self) -> EngineConfig | str:
        fields = {cfg_field: self.regs[reg] for cfg_field, reg in CONFIG_CSRS.items()}
        try:
            return EngineConfig(**fields, axi_data_w=self.axi_data_w).validate()
        except ConfigError as e:
            return f"config CSRs: {e}"

    def _latch_config(self) -> LatchedToken | str:
        """The token an accepted START runs, or why the config CSRs are illegal."""
        cfg = self._csr_config()
        if isinstance(cfg, str):
            return cfg
        pos, image_base = self.regs["TOKEN_POS"], self._reg_u64("IMAGE_BASE")
        if pos >= cfg.max_seq:
            return f"TOKEN_POS = {pos}: must be < MAX_SEQ = {cfg.max_seq}"
        kv_base = self._reg_u64("KV_BASE")
        for name, base in (("IMAGE_BASE", image_base), ("KV_BASE", kv_base)):
            if base % ALIGN:
                return f"{name} = {base:#x}: must be {ALIGN}-byte aligned"
        layout = DdrLayout(cfg)
        # The image checks need the layout and a DDR read (the header), so the engine makes them after
        # accepting the START: a bad image fails the accepted token (streams exchanged, zero frame).
        return LatchedToken(cfg, layout, image_base, pos, self._image_problem(layout, image_base))

    def _image_problem(self, layout: DdrLayout, image_base: int) -> str:
        """Why the image at image_base cannot serve this config ("" if it can)."""
        if not self._ddr_holds(image_base, layout.size):
            return f"IMAGE_BASE = {image_base:#x}: image of {layout.size} bytes does not fit in DDR"
        header = np.frombuffer(self.read_ddr(image_base, 4 * HEADER_WORDS), dtype="<u4")
        problem = header_problem(header, layout.header())
        if problem:
            return f"image header in DDR does not match the config CSRs: {problem}"
        kv_base = self._reg_u64("KV_BASE")
        if kv_base != image_base + layout.kv_base:
            return f"KV_BASE = {kv_base:#x}: must be IMAGE_BASE + {layout.kv_base:#x}"
        return ""

    @staticmethod
    def _x_error(n_bytes: int, d_model: int) -> ErrorCode | None:
        if n_bytes < d_model:
            return ErrorCode.X_TLAST_EARLY
        if n_bytes > d_model:
            return ErrorCode.X_TLAST_LATE
        return None

    # ---- one token -------------------------------------------------------------------------------------
    def _engine_for(self, token: LatchedToken) -> GoldenEngine:
        key = (token.cfg, token.image_base)
        if self._engine_key != key or self._engine is None:
            qm, _ = unpack(self.read_ddr(token.image_base, token.layout.size), token.cfg)
            self._engine, self._engine_key = GoldenEngine(qm), key
            self._cached_ro_span = (token.image_base, token.image_base + token.layout.ro_size)
        return self._engine

    def _compute(self, token: LatchedToken, x: bytes) -> np.ndarray:
        """Run the token on the golden model; write its K/V rows back to DDR. Returns logits [vocab]."""
        engine, layout = self._engine_for(token), token.layout
        engine.kv = unpack_kv(layout, self.read_ddr(token.image_base + layout.kv_base, layout.kv_size))
        logits = engine.step(np.frombuffer(x, dtype=np.int8), token.pos)
        cfg = token.cfg
        for layer in range(cfg.n_layers):
            for head in range(cfg.n_heads):
                for which in (0, 1):
                    row = engine.kv[layer, head, which, token.pos].astype(np.int8).tobytes()
                    self.write_ddr(token.image_base + layout.kv_addr(layer, head, which, token.pos), row)
        return logits

    def _finish_ok(self, token: LatchedToken) -> None:
        traffic = token_traffic(token.layout, token.pos)
        rd_beats, wr_beats = schedule_beats(token_schedule(token.layout, token.pos), token.cfg.bus_bytes)
        self.perf = {"cycles": roofline_cycles(traffic, token.cfg), "rd_stall_cycles": 0,
                     "bytes_rd": rd_beats * token.cfg.bus_bytes, "bytes_wr": wr_beats * token.cfg.bus_bytes}
        self.busy, self.done, self._token = False, True, None
        self._raise_irq(IRQ_DONE)

    def _finish_with_error(self, code: ErrorCode, detail: str) -> None:
        self.busy, self._token = False, None
        self._set_error(code, detail)

    def _set_error(self, code: ErrorCode, detail: str) -> None:
        if self.error is None:
            self.error, self.error_detail = code, detail
        self._raise_irq(IRQ_ERROR)

    # ---- irq -------------------------------------------------------------------------------------------
    def _raise_irq(self, bits: int) -> None:
        self.irq_status |= bits
        self._notify_if_irq()

    def _notify_if_irq(self) -> None:
        if not self.irq:
            return
        for waiter in self._irq_waiters:
            if not waiter.done():
                waiter.set_result(None)
        self._irq_waiters.clear()

    # ---- helpers ---------------------------------------------------------------------------------------
    def _reg_name(self, addr: int) -> str:
        try:
            return self._reg_names[addr]
        except KeyError:
            raise ValueError(f"CSR address {addr:#x} is not in the CSR map") from None

    def _reg_u64(self, prefix: str) -> int:
        return self.regs[f"{prefix}_HI"] << 32 | self.regs[f"{prefix}_LO"]

    def _perf_half(self, name: str) -> int:
        prefix, half = name.rsplit("_", 1)
        key = next(k for k, reg in PERF_COUNTERS.items() if reg == prefix)
        value = self.perf[key]
        return (value >> 32 if half == "HI" else value) & REG_MASK

    def _ddr_holds(self, addr: int, n: int) -> bool:
        return self.ddr_base <= addr and addr + n <= self.ddr_base + len(self.ddr)

    def _ddr_offset(self, addr: int, n: int) -> int:
        if not self._ddr_holds(addr, n):
            raise ValueError(f"DDR access [{addr:#x}, {addr + n:#x}) outside "
                             f"[{self.ddr_base:#x}, {self.ddr_base + len(self.ddr):#x})")
        return addr - self.ddr_base
