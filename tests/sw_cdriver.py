"""ctypes binding of the bare-metal C driver (sw/le_driver.c) with its HAL implemented in Python over any
models.driver.EngineBus (the golden device, or a recording/faulty link in front of it).

  build_library(out, source)   compiles the driver (or a mutated copy of its source) into a shared library
  BusHal                       le_hal_t callbacks over an async EngineBus: every coroutine is run to completion on
                               one event loop inside the callback; an exception is kept (hal.errors) and reported
                               to the driver as a HAL failure (never raised through C)
  CDriver                      le_init / le_configure / le_run_token / le_soft_reset / le_probe from Python

The structs mirror sw/le_driver.h and sw/le_hal.h; `layout_probe_source()` is a C program printing their sizes and
offsets so a test can check the mirror (tests/test_sw_vs_python_driver.py).
"""
from __future__ import annotations

import asyncio
import ctypes
import shutil
import subprocess
from collections.abc import Coroutine
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import numpy as np

from models.config import EngineConfig
from models.ddr_layout import DdrLayout
from models.driver import EngineBus

ROOT = Path(__file__).resolve().parents[1]
SW = ROOT / "sw"
CFLAGS = ["-std=c99", "-pedantic", "-Wall", "-Wextra", "-Werror", "-Wconversion", "-O1", "-g", "-fPIC", "-shared"]

LE_WAIT_FOREVER = 0xFFFF_FFFF
LE_HAL_IRQ, LE_HAL_TIMEOUT = 0, 1
# le_status_t (sw/le_driver.h); 1..6 are STATUS.ERR_CODE values
LE_OK = 0
LE_ERR_UNKNOWN_CODE = 0x100
LE_ERR_BAD_ARG = 0x101
LE_ERR_IRQ_TIMEOUT = 0x102
LE_ERR_RESET_TIMEOUT = 0x103
LE_ERR_PROTOCOL = 0x104
LE_ERR_HAL = 0x105
LE_ERR_HW_MISMATCH = 0x106
LE_ERR_BUS_WIDTH = 0x107
LE_BUS_WIDTH_MSG_BYTES = 96

T = TypeVar("T")
P = ctypes.POINTER
U8, I8, U32, I32 = ctypes.c_uint8, ctypes.c_int8, ctypes.c_uint32, ctypes.c_int32
U64, SIZE = ctypes.c_uint64, ctypes.c_size_t

READ32 = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.c_uint32, ctypes.POINTER(ctypes.c_uint32))
WRITE32 = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.c_uint32, ctypes.c_uint32)
SEND_X = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.POINTER(ctypes.c_uint8), ctypes.c_size_t)
RECV_LOGITS = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.POINTER(ctypes.c_uint8), ctypes.c_size_t)
WAIT_IRQ = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.c_uint32)


class LeHal(ctypes.Structure):
    _fields_ = [("ctx", ctypes.c_void_p), ("read32", READ32), ("write32", WRITE32), ("send_x", SEND_X),
                ("recv_logits", RECV_LOGITS), ("wait_irq", WAIT_IRQ)]


CONFIG_DIMS = ("d_model", "n_heads", "d_head", "d_ff", "n_layers", "vocab", "max_seq", "w_tile_rows", "ctx_tile")


class LeConfig(ctypes.Structure):
    _fields_ = [*((name, ctypes.c_uint32) for name in CONFIG_DIMS), ("axi_data_w", ctypes.c_uint32),
                ("image_base", ctypes.c_uint64), ("kv_offset", ctypes.c_uint64)]


class LeDev(ctypes.Structure):
    _fields_ = [("hal", ctypes.POINTER(LeHal)), ("cfg", LeConfig), ("reset_polls", ctypes.c_uint32),
                ("irq_budget_us", ctypes.c_uint32), ("last_status", ctypes.c_uint32)]


class LePerf(ctypes.Structure):
    _fields_ = [("cycles", ctypes.c_uint64), ("rd_stall_cycles", ctypes.c_uint64), ("bytes_rd", ctypes.c_uint64),
                ("bytes_wr", ctypes.c_uint64)]


class LeTokenResult(ctypes.Structure):
    _fields_ = [("status", U32), ("err_code", U32), ("rejected", ctypes.c_bool), ("perf", LePerf)]


class LeHwInfo(ctypes.Structure):
    _fields_ = [(name, U32) for name in ("id", "version", "hw_params", "hw_max_dims", "lanes", "max_n_heads",
                                         "max_n_layers", "max_d_model", "max_d_ff")]


MIRRORED = {"le_hal_t": LeHal, "le_config_t": LeConfig, "le_dev_t": LeDev, "le_perf_t": LePerf,
            "le_token_result_t": LeTokenResult, "le_hw_info_t": LeHwInfo}


def layout_probe_source() -> str:
    """C source printing `<type> size <n>` and `<type>.<field> <offset>` for every mirrored struct."""
    lines = ['#include <stdio.h>', '#include "le_driver.h"', "int main(void) {"]
    for ctype, struct in MIRRORED.items():
        lines.append(f'    printf("{ctype} size %zu\\n", sizeof({ctype}));')
        for name in (f[0] for f in struct._fields_):
            lines.append(f'    printf("{ctype}.{name} %zu\\n", offsetof({ctype}, {name}));')
    lines += ["    return 0;", "}"]
    return "\n".join(lines) + "\n"


def python_layout() -> dict[str, int]:
    """What layout_probe_source prints, computed from the ctypes mirror."""
    out: dict[str, int] = {}
    for ctype, struct in MIRRORED.items():
        out[f"{ctype} size"] = ctypes.sizeof(struct)
        for name in (f[0] for f in struct._fields_):
            out[f"{ctype}.{name}"] = getattr(struct, name).offset
    return out


def build_library(out: Path, source: str | None = None) -> Path:
    """Compile sw/le_driver.c (or `source`, a mutated copy of it, compiled next to the real headers) into
    out/libledriver.so. Raises RuntimeError with gcc's output on failure."""
    gcc = shutil.which("gcc")
    if gcc is None:
        raise RuntimeError("gcc not on PATH")
    src = SW / "le_driver.c"
    if source is not None:
        work = out / "sw"
        work.mkdir(parents=True, exist_ok=True)
        for header in ("le_driver.h", "le_hal.h", "le_csr_c99.h"):
            shutil.copy(SW / header, work / header)
        if not (out / "rtl").exists():
            (out / "rtl").symlink_to(ROOT / "rtl")          # le_csr_c99.h includes ../rtl/csr/le_csr.h
        src = work / "le_driver.c"
        src.write_text(source)
    lib = out / "libledriver.so"
    run = subprocess.run([gcc, *CFLAGS, "-o", str(lib), str(src)], capture_output=True, text=True, timeout=60)
    if run.returncode != 0:
        raise RuntimeError(f"gcc failed on {src}:\n{run.stderr}")
    return lib


def load(lib_path: Path) -> ctypes.CDLL:
    lib = ctypes.CDLL(str(lib_path))
    dev_p = P(LeDev)
    sigs: dict[str, list[Any]] = {
        "le_init": [dev_p, P(LeHal), P(LeConfig)],
        "le_configure": [dev_p],
        "le_run_token": [dev_p, P(I8), SIZE, U32, P(U8), SIZE, P(LeTokenResult)],
        "le_soft_reset": [dev_p],
        "le_probe": [dev_p, P(LeHwInfo)],
        "le_config_from_header": [P(LeConfig), P(U8), SIZE, U64],
        "le_check_bus_width": [P(LeConfig), U32, ctypes.c_char_p, SIZE],
        "le_decode_logits": [P(U8), SIZE, P(I32), SIZE],
        "le_logits_frame_bytes": [P(LeConfig)],
    }
    for name, args in sigs.items():
        fn = getattr(lib, name)
        fn.argtypes = args
        fn.restype = ctypes.c_size_t if name == "le_logits_frame_bytes" else ctypes.c_int
    lib.le_status_name.argtypes = [ctypes.c_int]
    lib.le_status_name.restype = ctypes.c_char_p
    return lib


class BusHal:
    """le_hal_t over an async EngineBus. send_x keeps the frame; recv_logits runs bus.exchange with it (the bus
    exchanges both streams concurrently); wait_irq runs bus.wait_irq with the budget in seconds."""

    def __init__(self, bus: EngineBus, loop: asyncio.AbstractEventLoop) -> None:
        self.bus, self.loop = bus, loop
        self.pending_x: bytes | None = None
        self.errors: list[BaseException] = []
        # the CFUNCTYPE objects must outlive every call into C: kept on self
        self._cbs = (READ32(self._read32), WRITE32(self._write32), SEND_X(self._send_x),
                     RECV_LOGITS(self._recv_logits), WAIT_IRQ(self._wait_irq))
        self.hal = LeHal(None, *self._cbs)

    def run(self, coro: Coroutine[Any, Any, T]) -> T:
        return self.loop.run_until_complete(coro)

    def _guard(self, fn: Any) -> int:
        try:
            return int(fn())
        except Exception as e:          # reported to the driver as a HAL failure, kept for the test
            self.errors.append(e)
            return 1

    def _read32(self, _ctx: Any, offset: int, value: Any) -> int:
        def read() -> int:
            value[0] = self.run(self.bus.csr_read(offset))
            return 0
        return self._guard(read)

    def _write32(self, _ctx: Any, offset: int, value: int) -> int:
        return self._guard(lambda: self.run(self.bus.csr_write(offset, value)) or 0)

    def _send_x(self, _ctx: Any, x: Any, n: int) -> int:
        self.pending_x = ctypes.string_at(x, n)
        return 0

    def _recv_logits(self, _ctx: Any, buf: Any, n: int) -> int:
        def recv() -> int:
            x, self.pending_x = self.pending_x, None
            if x is None:
                raise RuntimeError("recv_logits without send_x")
            frame = self.run(self.bus.exchange(x, n))
            if len(frame) != n:
                raise RuntimeError(f"logits frame of {len(frame)} bytes, {n} asked")
            ctypes.memmove(buf, frame, n)
            return 0
        return self._guard(recv)

    def _wait_irq(self, _ctx: Any, budget_us: int) -> int:
        try:
            self.run(self.bus.wait_irq(None if budget_us == LE_WAIT_FOREVER else budget_us / 1e6))
        except TimeoutError:
            return LE_HAL_TIMEOUT
        except Exception as e:
            self.errors.append(e)
            return LE_HAL_TIMEOUT
        return LE_HAL_IRQ


@dataclass
class CToken:
    """One le_run_token: its le_status_t, the result struct's fields, the decoded logits (completed tokens)."""
    code: int
    status: int
    err_code: int
    rejected: bool
    perf: dict[str, int] = field(default_factory=dict)
    logits: np.ndarray | None = None


def c_config(cfg: EngineConfig, image_base: int) -> LeConfig:
    """le_config_t of a config (kv_offset = DdrLayout(cfg).kv_base, as the image header holds it)."""
    return LeConfig(*(getattr(cfg, name) for name in CONFIG_DIMS), cfg.axi_data_w, image_base,
                    DdrLayout(cfg).kv_base)


class CDriver:
    """The C driver on a bus: the same constructor arguments as models.driver.EngineDriver."""

    def __init__(self, lib: ctypes.CDLL, bus: EngineBus, cfg: EngineConfig, image_base: int,
                 loop: asyncio.AbstractEventLoop, reset_polls: int | None = None) -> None:
        self.lib, self.cfg = lib, cfg
        self.hal = BusHal(bus, loop)
        self.ccfg = c_config(cfg, image_base)
        self.dev = LeDev()
        rc = lib.le_init(ctypes.byref(self.dev), ctypes.byref(self.hal.hal), ctypes.byref(self.ccfg))
        if rc != LE_OK:
            raise ValueError(f"le_init: {self.name(rc)}")
        if reset_polls is not None:
            self.dev.reset_polls = reset_polls
        self.frame_bytes = int(lib.le_logits_frame_bytes(ctypes.byref(self.ccfg)))

    def name(self, code: int) -> str:
        return bytes(self.lib.le_status_name(code)).decode()

    def configure(self) -> int:
        return int(self.lib.le_configure(ctypes.byref(self.dev)))

    def soft_reset(self) -> int:
        return int(self.lib.le_soft_reset(ctypes.byref(self.dev)))

    def run_token(self, x: np.ndarray, pos: int) -> CToken:
        xb = np.ascontiguousarray(x, dtype=np.int8)
        frame = (ctypes.c_uint8 * self.frame_bytes)()
        res = LeTokenResult()
        code = int(self.lib.le_run_token(ctypes.byref(self.dev), xb.ctypes.data_as(P(I8)), xb.size, pos,
                                         frame, self.frame_bytes, ctypes.byref(res)))
        perf = {name: int(getattr(res.perf, name)) for name in (f[0] for f in LePerf._fields_)}
        token = CToken(code, int(res.status), int(res.err_code), bool(res.rejected), perf)
        if code == LE_OK:
            logits = (ctypes.c_int32 * self.cfg.vocab)()
            rc = self.lib.le_decode_logits(frame, self.frame_bytes, logits, self.cfg.vocab)
            if rc != LE_OK:
                raise RuntimeError(f"le_decode_logits: {self.name(rc)}")
            token.logits = np.array(logits, dtype=np.int32)
        return token
