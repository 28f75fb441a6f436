"""Host driver model: what a host does per token, written against an abstract async bus.

The pyuvm env, the SystemC harness, a lab script and the golden device (`models.golden_device`) all
implement `EngineBus`; `EngineDriver` drives any of them the same way. The protocol below is the spec
that the RTL and every harness follow.

The CSR map (offsets, bit fields) is models/csr_map.py, generated from rtl/csr/le_csr.rdl by
`python -m eda.csrgen`; docs/csr.md describes it.

Configure (once after power-up, after a soft reset that follows changed config CSRs, or to change model):
  C1. Write D_MODEL, N_HEADS, D_HEAD, D_FF, N_LAYERS, VOCAB, MAX_SEQ, W_TILE_ROWS, CTX_TILE from the
      EngineConfig (the bus width is a synthesis parameter, not a CSR).
  C2. Write IMAGE_BASE_LO/HI = DDR byte address of the image start (64-byte aligned) and
      KV_BASE_LO/HI = IMAGE_BASE + DdrLayout(cfg).kv_base.
  C3. Write IRQ_STATUS = DONE|ERROR (write-1-to-clear: drop stale interrupts), IRQ_ENABLE = DONE|ERROR.

Per token (x: int8 [d_model], sequence position pos):
  1. Validate x host-side (int8, shape [d_model]) and pos (0 <= pos < 2**32): ValueError, and nothing
     touches the bus. Range checks against the config (pos < MAX_SEQ, ...) are the engine's.
  2. Write TOKEN_POS = pos.
  3. Write CTRL = START. The engine latches every config CSR and either accepts the token (STATUS.BUSY=1,
     DONE=0, perf counters zeroed) or rejects it (STATUS.ERROR=1 with ERR_CODE ILLEGAL_CONFIG or
     START_WHILE_BUSY, IRQ_STATUS.ERROR=1; a START rejected while idle clears DONE, so DONE always
     describes the latest START). While STATUS.ERROR is set every START is rejected and the
     first ERR_CODE is kept. The decision is visible to the next CSR read. START checks what the CSRs
     alone decide (dims, lanes, n_heads*d_head, TOKEN_POS < MAX_SEQ, 64-byte aligned bases); the checks
     that need the layout or DDR (KV_BASE = IMAGE_BASE + kv_base, the image header matching the config
     and the bus width: header word 9 = the engine's axi_data_w)
     run after acceptance and fail the accepted token with ILLEGAL_CONFIG (step 5 rules apply).
  4. Read STATUS. If ERROR is set, go to 8: no stream is exchanged for a rejected START.
  5. Exchange, concurrently: send x on s_axis_x (element i in byte lane i % bus_bytes of beat
     i // bus_bytes, TLAST on the final beat) and receive one logits frame from m_axis_logits (vocab
     int32 little-endian, logit j in bytes 4j..4j+3, zero-padded to whole beats, TLAST on the final
     beat; TKEEP is all-ones except on the final beat, where it marks only the logit bytes: a sink
     keeps the whole beat, so `exchange` returns whole beats). An accepted token always consumes X
     through its TLAST beat and always emits exactly one full frame, so the streams never fall out of
     step. If the token fails (X_TLAST_EARLY/LATE, AXI errors, an image ILLEGAL_CONFIG) the frame is
     zero from the failure on: logits streamed before it keep their values (a failure during the
     logits phase leaves a prefix), so a host discards the whole frame of a failed token.
  6. Wait for irq = |(IRQ_STATUS & IRQ_ENABLE). DONE is raised only after the last logits beat is
     accepted and the K/V rows' write responses are back; ERROR when the token failed. The driver waits
     at most timeout_s (default DEFAULT_TOKEN_TIMEOUT_S = 60 s, far above any preset's token time;
     None waits forever) and then raises TimeoutError: the token's state is unknown, soft-reset before
     the next one.
  7. Read STATUS. If ERROR is set, go to 8. Otherwise DONE must be set: decode the logits (drop the
     beat padding), read PERF_CYCLES, PERF_RD_STALL_CYCLES, PERF_BYTES_RD, PERF_BYTES_WR (LO then HI;
     the counters are frozen from DONE until the next accepted START), write IRQ_STATUS = DONE. Done.
  8. Error: ERR_CODE = STATUS[15:8]; write IRQ_STATUS = DONE|ERROR; raise EngineError. The host must
     soft-reset before the next token. A failed token's K/V rows at TOKEN_POS are undefined (the golden
     device writes none); rows at other positions are untouched, and a retry at the same pos rewrites it.

Soft reset:
  S1. Write CTRL = SOFT_RESET: clears BUSY, DONE, ERROR, ERR_CODE, IRQ_STATUS and the perf counters and
      abandons an in-flight token; config CSRs, IRQ_ENABLE and DDR are kept.
  S2. Poll STATUS until it reads 0.
"""
from __future__ import annotations

import enum
from dataclasses import asdict, dataclass, field
from typing import NoReturn, Protocol

import numpy as np

from . import csr_map
from .config import EngineConfig
from .ddr_layout import ALIGN, DdrLayout

# ---- register fields (from the generated models/csr_map.py, i.e. rtl/csr/le_csr.rdl) ------------------
CTRL_START = csr_map.field_mask("CTRL", "START")              # self-clearing (single pulse)
CTRL_SOFT_RESET = csr_map.field_mask("CTRL", "SOFT_RESET")    # self-clearing; wins over START when both are written
STATUS_BUSY = csr_map.field_mask("STATUS", "BUSY")
STATUS_DONE = csr_map.field_mask("STATUS", "DONE")
STATUS_ERROR = csr_map.field_mask("STATUS", "ERROR")
STATUS_ERR_CODE_SHIFT = csr_map.FIELDS["STATUS"]["ERR_CODE"][0]          # STATUS[15:8]
STATUS_ERR_CODE_MASK = (1 << csr_map.FIELDS["STATUS"]["ERR_CODE"][1]) - 1
IRQ_DONE = csr_map.field_mask("IRQ_STATUS", "DONE")    # IRQ_ENABLE / IRQ_STATUS bits; IRQ_STATUS is write-1-to-clear
IRQ_ERROR = csr_map.field_mask("IRQ_STATUS", "ERROR")
IRQ_ALL = IRQ_DONE | IRQ_ERROR
REG_MASK = 0xFFFF_FFFF
LOGIT_BYTES = 4
DEFAULT_RESET_POLLS = 2048   # S2: the drain bound at 40-cycle latencies, 1 cycle a read (host_protocol.md 6)
DEFAULT_TOKEN_TIMEOUT_S = 60.0     # step 6 irq wait per token; generous, so only a hung engine or bus hits it
CSR_ID_MAGIC = csr_map.RESET["ID"]["MAGIC"]            # ID reads this ("LENG")

_R = csr_map.REGISTERS


@dataclass(frozen=True)
class CsrMap:
    """Byte offsets of the engine's 32-bit CSRs (4-byte stride).

    The defaults come from models/csr_map.py, generated from rtl/csr/le_csr.rdl by `python -m eda.csrgen`
    (tests/test_csr.py checks that the fields below are exactly the RDL's registers). 64-bit values are
    LO/HI pairs, LO at the lower offset. Field names are the register names of the RDL.
    """
    CTRL: int = _R["CTRL"]
    STATUS: int = _R["STATUS"]
    IRQ_ENABLE: int = _R["IRQ_ENABLE"]
    IRQ_STATUS: int = _R["IRQ_STATUS"]
    D_MODEL: int = _R["D_MODEL"]
    N_HEADS: int = _R["N_HEADS"]
    D_HEAD: int = _R["D_HEAD"]
    D_FF: int = _R["D_FF"]
    N_LAYERS: int = _R["N_LAYERS"]
    VOCAB: int = _R["VOCAB"]
    MAX_SEQ: int = _R["MAX_SEQ"]
    W_TILE_ROWS: int = _R["W_TILE_ROWS"]
    CTX_TILE: int = _R["CTX_TILE"]
    TOKEN_POS: int = _R["TOKEN_POS"]
    IMAGE_BASE_LO: int = _R["IMAGE_BASE_LO"]
    IMAGE_BASE_HI: int = _R["IMAGE_BASE_HI"]
    KV_BASE_LO: int = _R["KV_BASE_LO"]
    KV_BASE_HI: int = _R["KV_BASE_HI"]
    PERF_CYCLES_LO: int = _R["PERF_CYCLES_LO"]
    PERF_CYCLES_HI: int = _R["PERF_CYCLES_HI"]
    PERF_RD_STALL_CYCLES_LO: int = _R["PERF_RD_STALL_CYCLES_LO"]
    PERF_RD_STALL_CYCLES_HI: int = _R["PERF_RD_STALL_CYCLES_HI"]
    PERF_BYTES_RD_LO: int = _R["PERF_BYTES_RD_LO"]
    PERF_BYTES_RD_HI: int = _R["PERF_BYTES_RD_HI"]
    PERF_BYTES_WR_LO: int = _R["PERF_BYTES_WR_LO"]
    PERF_BYTES_WR_HI: int = _R["PERF_BYTES_WR_HI"]
    ID: int = _R["ID"]
    VERSION: int = _R["VERSION"]
    HW_PARAMS: int = _R["HW_PARAMS"]
    HW_MAX_DIMS: int = _R["HW_MAX_DIMS"]

    def registers(self) -> dict[str, int]:
        """Register name -> byte offset."""
        return asdict(self)


DEFAULT_CSR_MAP = CsrMap()

# EngineConfig field -> CSR holding it.
CONFIG_CSRS: dict[str, str] = {
    "d_model": "D_MODEL", "n_heads": "N_HEADS", "d_head": "D_HEAD", "d_ff": "D_FF",
    "n_layers": "N_LAYERS", "vocab": "VOCAB", "max_seq": "MAX_SEQ", "w_tile_rows": "W_TILE_ROWS",
    "ctx_tile": "CTX_TILE",
}
# TokenResult.perf key -> CSR name prefix of its LO/HI pair.
PERF_COUNTERS: dict[str, str] = {
    "cycles": "PERF_CYCLES", "rd_stall_cycles": "PERF_RD_STALL_CYCLES",
    "bytes_rd": "PERF_BYTES_RD", "bytes_wr": "PERF_BYTES_WR",
}


class ErrorCode(enum.IntEnum):
    """STATUS.ERR_CODE values."""
    OK = 0
    ILLEGAL_CONFIG = 1       # config CSRs break an EngineConfig rule or TOKEN_POS >= MAX_SEQ (START rejected), or
                             # the image header / KV_BASE disagree with them (the accepted token fails)
    START_WHILE_BUSY = 2     # START written while a token is in flight (the in-flight token continues)
    AXI_READ_ERROR = 3       # SLVERR/DECERR on a read
    AXI_WRITE_ERROR = 4      # SLVERR/DECERR on a write response
    X_TLAST_EARLY = 5        # TLAST on s_axis_x before d_model bytes
    X_TLAST_LATE = 6         # no TLAST on the beat carrying byte d_model-1


def as_error_code(code: int) -> ErrorCode | int:
    """The ErrorCode for `code`, or the raw int if the engine reported a code this model does not know."""
    try:
        return ErrorCode(code)
    except ValueError:
        return code


def error_name(code: int) -> str:
    known = as_error_code(code)
    return known.name if isinstance(known, ErrorCode) else f"UNKNOWN_{code}"


class EngineError(RuntimeError):
    """The engine reported STATUS.ERROR. `code` is the ErrorCode (or the raw int if unknown)."""

    def __init__(self, code: int, status: int) -> None:
        self.code = as_error_code(code)
        self.status = status
        super().__init__(f"engine error {error_name(code)} (code {code}, STATUS=0x{status:08x})")


class ProtocolError(RuntimeError):
    """The engine or the bus adapter broke the protocol (e.g. an irq with neither DONE nor ERROR)."""


class EngineBus(Protocol):
    """What a harness provides to drive one engine. Every method is a coroutine of the harness's own
    framework (asyncio, cocotb, a thread-backed lab adapter...).

    Addresses are byte offsets into the CSR block (see CsrMap); values are unsigned 32-bit.
    """

    async def csr_read(self, addr: int) -> int:
        """Read the 32-bit CSR at byte offset `addr` (4-byte aligned); returns 0 <= value < 2**32."""
        ...

    async def csr_write(self, addr: int, value: int) -> None:
        """Write the 32-bit CSR at byte offset `addr`; returns once the write has taken effect
        (write response received), so a following csr_read observes its consequences."""
        ...

    async def exchange(self, x: bytes, n_logit_bytes: int) -> bytes:
        """Send one token's X on s_axis_x while receiving one logits frame from m_axis_logits.

        x: the token's bytes (d_model int8 for a well-formed token), split into beats of the bus width,
        byte i in lane i % bus_bytes of beat i // bus_bytes, TLAST on the final beat (a partial final
        beat has TKEEP set for its valid bytes only). Sending and receiving run concurrently (the
        engine may start emitting before X is fully accepted, and back-pressure on either stream must
        not deadlock the other): use the framework's concurrency (asyncio.gather, cocotb.start_soon,
        threads). Returns exactly n_logit_bytes (a whole number of beats); raises ProtocolError if the
        frame's TLAST does not fall on its final beat.
        """
        ...

    async def wait_irq(self, timeout_s: float | None) -> None:
        """Return once the engine's level-sensitive irq output is high (at once if it already is);
        raise TimeoutError if `timeout_s` (None: wait forever) elapses first."""
        ...


@dataclass
class TokenResult:
    """One completed token: int32 logits [vocab], the STATUS word read in step 7, perf counters."""
    logits: np.ndarray
    status: int
    perf: dict[str, int] = field(default_factory=dict)


def logits_frame_bytes(cfg: EngineConfig) -> int:
    """Bytes of one logits frame: vocab int32, padded up to whole bus beats."""
    raw = cfg.vocab * LOGIT_BYTES
    return -(-raw // cfg.bus_bytes) * cfg.bus_bytes


def decode_logits(frame: bytes, cfg: EngineConfig) -> np.ndarray:
    """Little-endian int32 logits [vocab] from a frame, beat padding dropped."""
    return np.frombuffer(frame, dtype="<i4", count=cfg.vocab).astype(np.int32)


def status_error_code(status: int) -> int:
    return (status >> STATUS_ERR_CODE_SHIFT) & STATUS_ERR_CODE_MASK


def check_token_input(x: object, pos: object, cfg: EngineConfig) -> None:
    """Host-side checks of step 1; one-line ValueError naming what is wrong."""
    if not isinstance(x, np.ndarray) or x.dtype != np.int8 or x.shape != (cfg.d_model,):
        got = f"{x.dtype} array of shape {x.shape}" if isinstance(x, np.ndarray) else type(x).__name__
        raise ValueError(f"x must be an int8 array of shape ({cfg.d_model},), got {got}")
    if not isinstance(pos, (int, np.integer)) or isinstance(pos, bool) or not 0 <= pos <= REG_MASK:
        raise ValueError(f"pos = {pos!r}: must be an integer in [0, 2**32)")


class EngineDriver:
    """Drives one engine through an EngineBus following the protocol in the module docstring."""

    def __init__(self, bus: EngineBus, cfg: EngineConfig, image_base: int = 0,
                 csr: CsrMap = DEFAULT_CSR_MAP, reset_polls: int = DEFAULT_RESET_POLLS) -> None:
        if not 0 <= image_base < 1 << 64 or image_base % ALIGN:
            raise ValueError(f"image_base = {image_base:#x}: must be a {ALIGN}-byte aligned 64-bit address")
        self.bus, self.cfg, self.csr = bus, cfg.validate(), csr
        self.image_base = image_base
        self.layout = DdrLayout(self.cfg)
        self.reset_polls = reset_polls

    @property
    def kv_base_addr(self) -> int:
        """DDR byte address of the KV region."""
        return self.image_base + self.layout.kv_base

    async def write_u64(self, lo_addr: int, hi_addr: int, value: int) -> None:
        await self.bus.csr_write(lo_addr, value & REG_MASK)
        await self.bus.csr_write(hi_addr, (value >> 32) & REG_MASK)

    async def read_u64(self, lo_addr: int, hi_addr: int) -> int:
        lo = await self.bus.csr_read(lo_addr)
        hi = await self.bus.csr_read(hi_addr)
        return (hi << 32) | lo

    async def configure(self) -> None:
        """Steps C1-C3."""
        regs = self.csr.registers()
        for cfg_field, reg in CONFIG_CSRS.items():
            await self.bus.csr_write(regs[reg], getattr(self.cfg, cfg_field))
        await self.write_u64(self.csr.IMAGE_BASE_LO, self.csr.IMAGE_BASE_HI, self.image_base)
        await self.write_u64(self.csr.KV_BASE_LO, self.csr.KV_BASE_HI, self.kv_base_addr)
        await self.bus.csr_write(self.csr.IRQ_STATUS, IRQ_ALL)
        await self.bus.csr_write(self.csr.IRQ_ENABLE, IRQ_ALL)

    async def run_token(self, x: np.ndarray, pos: int,
                        timeout_s: float | None = DEFAULT_TOKEN_TIMEOUT_S) -> TokenResult:
        """Steps 1-8 for one token; raises EngineError (step 8), TimeoutError (step 6) or ValueError (1).

        timeout_s bounds the irq wait of step 6 (default DEFAULT_TOKEN_TIMEOUT_S); None waits forever.
        """
        check_token_input(x, pos, self.cfg)
        await self.bus.csr_write(self.csr.TOKEN_POS, int(pos))
        await self.bus.csr_write(self.csr.CTRL, CTRL_START)
        status = await self.bus.csr_read(self.csr.STATUS)
        if status & STATUS_ERROR:
            await self._fail(status)
        frame = await self.bus.exchange(x.tobytes(), logits_frame_bytes(self.cfg))
        try:
            await self.bus.wait_irq(timeout_s)
        except TimeoutError as err:
            raise TimeoutError(f"token at pos {pos}: no irq within timeout_s = {timeout_s} s (engine or bus hung; "
                               f"soft-reset before the next token, or pass timeout_s=None to wait forever)"
                               ) from err
        status = await self.bus.csr_read(self.csr.STATUS)
        if status & STATUS_ERROR:
            await self._fail(status)
        if not status & STATUS_DONE:
            raise ProtocolError(f"irq raised but STATUS=0x{status:08x} has neither DONE nor ERROR")
        result = TokenResult(decode_logits(frame, self.cfg), status, await self.read_perf())
        await self.bus.csr_write(self.csr.IRQ_STATUS, IRQ_DONE)
        return result

    async def run(self, xs: np.ndarray, start_pos: int = 0,
                  timeout_s: float | None = DEFAULT_TOKEN_TIMEOUT_S) -> np.ndarray:
        """Tokens xs [T, d_model] at positions start_pos..; returns int32 logits [T, vocab].

        timeout_s bounds each token's irq wait, as in run_token (None waits forever).
        """
        return np.stack([(await self.run_token(x, start_pos + i, timeout_s)).logits for i, x in enumerate(xs)])

    async def read_perf(self) -> dict[str, int]:
        """The four 64-bit perf counters, keyed as in PERF_COUNTERS."""
        regs = self.csr.registers()
        return {key: await self.read_u64(regs[f"{reg}_LO"], regs[f"{reg}_HI"]) for key, reg in PERF_COUNTERS.items()}

    async def soft_reset(self) -> None:
        """Steps S1-S2; raises ProtocolError if STATUS does not clear within `reset_polls` reads."""
        await self.bus.csr_write(self.csr.CTRL, CTRL_SOFT_RESET)
        status = 0
        for _ in range(self.reset_polls):
            status = await self.bus.csr_read(self.csr.STATUS)
            if status == 0:
                return
        raise ProtocolError(f"STATUS=0x{status:08x} still set after soft reset ({self.reset_polls} polls)")

    async def _fail(self, status: int) -> NoReturn:
        """Step 8."""
        await self.bus.csr_write(self.csr.IRQ_STATUS, IRQ_ALL)
        raise EngineError(status_error_code(status), status)
