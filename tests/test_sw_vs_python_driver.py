"""Co-verification without RTL: the C driver (sw/le_driver.c, through ctypes: tests/sw_cdriver.py) and the Python
driver (models/driver.py EngineDriver) drive two golden devices (models/golden_device.py) holding the same image
through the same recording link, scenario by scenario. For every scenario: the CSR access sequence (read/write,
address, data, order, with the stream exchanges and irq waits in place) is EQUAL, every outcome is equal, completed
tokens' logits are bit-exact with the golden model, and both devices' DDR ends identical. Then planted differences
in the C driver (mutated copies of its source) must each be caught by a named scenario."""
from __future__ import annotations

import asyncio
import ctypes
import dataclasses
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import sw_cdriver as cd

from models.bundle import Bundle, build_bundle
from models.config import EngineConfig
from models.ddr_layout import bus_width_mismatch, pack
from models.driver import (
    CTRL_START,
    DEFAULT_CSR_MAP,
    STATUS_DONE,
    STATUS_ERROR,
    EngineDriver,
    EngineError,
    ProtocolError,
)
from models.golden_device import GoldenDevice

pytestmark = pytest.mark.skipif(shutil.which("gcc") is None, reason="gcc not on PATH")

TOKENS = 8
IMAGE_BASE = 0x1_2000_0000          # above 4 GiB: the _HI halves of the bases matter
RESET_POLLS = 5
CSR = DEFAULT_CSR_MAP
Step = tuple[Any, ...]             # ("token", i) / ("token", i, pos) / ("configure",) / ("reset",) / a fault to arm
Outcome = tuple[Any, ...]


@pytest.fixture(scope="module")
def bundle() -> Bundle:
    return build_bundle("tiny", 3, TOKENS)


@pytest.fixture(scope="module")
def lib_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("sw")


@pytest.fixture(scope="module")
def lib(lib_dir: Path) -> ctypes.CDLL:
    return cd.load(cd.build_library(lib_dir))


# ---- the link both drivers talk through -------------------------------------------------------------------
class RecordingLink:
    """EngineBus in front of a golden device: logs every access in order, and applies the faults a scenario arms
    (X rewritten on the next exchange, the next irq wait timing out, STATUS reads stuck with ERROR)."""

    def __init__(self, device: GoldenDevice) -> None:
        self.device = device
        self.log: list[tuple[Any, ...]] = []
        self.mangle_next_x: Callable[[bytes], bytes] | None = None
        self.mute_next_irq = False
        self.stuck_status = False

    async def csr_read(self, addr: int) -> int:
        value = await self.device.csr_read(addr)
        if self.stuck_status and addr == CSR.STATUS:
            value |= STATUS_ERROR
        self.log.append(("R", addr, value))
        return value

    async def csr_write(self, addr: int, value: int) -> None:
        self.log.append(("W", addr, value))
        await self.device.csr_write(addr, value)

    async def exchange(self, x: bytes, n_logit_bytes: int) -> bytes:
        self.log.append(("EXCHANGE", x.hex(), n_logit_bytes))
        mangle, self.mangle_next_x = self.mangle_next_x, None
        return await self.device.exchange(mangle(x) if mangle else x, n_logit_bytes)

    async def wait_irq(self, timeout_s: float | None) -> None:
        self.log.append(("WAIT_IRQ", timeout_s))
        if self.mute_next_irq:
            self.mute_next_irq = False
            raise TimeoutError("irq muted by the scenario")
        await self.device.wait_irq(timeout_s)


@dataclass
class Run:
    link: RecordingLink
    outcomes: list[Outcome] = field(default_factory=list)


def arm(link: RecordingLink, loop: asyncio.AbstractEventLoop, step: Step) -> bool:
    """Apply a scenario step that is not a driver call; False if `step` is a driver call."""
    kind = step[0]
    if kind == "inject_axi_read_error":
        link.device.inject_axi_read_error()
    elif kind == "x_short":
        link.mangle_next_x = lambda x: x[:-1]
    elif kind == "x_long":
        link.mangle_next_x = lambda x: x + bytes(16)
    elif kind == "mute_irq":
        link.mute_next_irq = True
    elif kind == "stuck_status":
        link.stuck_status = bool(step[1])
    elif kind == "raw_start":                    # a START the test writes itself: the device goes busy
        loop.run_until_complete(link.csr_write(CSR.CTRL, CTRL_START))
    else:
        return False
    return True


def token_args(step: Step, b: Bundle) -> tuple[np.ndarray, int]:
    """("token", i) runs x[i] at position i; ("token", i, pos) writes TOKEN_POS = pos instead."""
    i = int(step[1])
    return b.x[i], int(step[2]) if len(step) > 2 else i


def run_python(b: Bundle, cfg: EngineConfig, steps: list[Step]) -> Run:
    loop = asyncio.new_event_loop()
    run = Run(RecordingLink(GoldenDevice(pack(b.qm), IMAGE_BASE, b.cfg.axi_data_w)))
    drv = EngineDriver(run.link, cfg, IMAGE_BASE, reset_polls=RESET_POLLS)
    try:
        for step in steps:
            if arm(run.link, loop, step):
                continue
            try:
                if step[0] == "configure":
                    loop.run_until_complete(drv.configure())
                    run.outcomes.append(("ok",))
                elif step[0] == "reset":
                    loop.run_until_complete(drv.soft_reset())
                    run.outcomes.append(("ok",))
                else:
                    res = loop.run_until_complete(drv.run_token(*token_args(step, b)))
                    run.outcomes.append(("done", res.status, res.perf, res.logits.tolist()))
            except EngineError as e:
                run.outcomes.append(("error", int(e.code), e.status))
            except TimeoutError:
                run.outcomes.append(("irq_timeout",))
            except ProtocolError as e:
                run.outcomes.append(("reset_timeout",) if "soft reset" in str(e) else ("protocol",))
    finally:
        loop.close()
    return run


def c_outcome(drv: cd.CDriver, code: int, token: cd.CToken | None = None) -> Outcome:
    if drv.hal.errors:
        return ("hal_error", drv.name(code), [repr(e) for e in drv.hal.errors])
    if drv.hal.pending_x is not None:
        return ("send_x without recv_logits", drv.name(code))
    if code == cd.LE_OK:
        if token is None:
            return ("ok",)
        assert token.logits is not None
        return ("done", token.status, token.perf, token.logits.tolist())
    if token is not None and (1 <= code <= 6 or code == cd.LE_ERR_UNKNOWN_CODE):
        return ("error", token.err_code, token.status)
    return {cd.LE_ERR_IRQ_TIMEOUT: ("irq_timeout",), cd.LE_ERR_PROTOCOL: ("protocol",),
            cd.LE_ERR_RESET_TIMEOUT: ("reset_timeout",)}.get(code, ("c_error", drv.name(code)))


def run_c(lib: ctypes.CDLL, b: Bundle, cfg: EngineConfig, steps: list[Step]) -> tuple[Run, list[cd.CToken]]:
    loop = asyncio.new_event_loop()
    run = Run(RecordingLink(GoldenDevice(pack(b.qm), IMAGE_BASE, b.cfg.axi_data_w)))
    drv = cd.CDriver(lib, run.link, cfg, IMAGE_BASE, loop, reset_polls=RESET_POLLS)
    tokens: list[cd.CToken] = []
    try:
        for step in steps:
            if arm(run.link, loop, step):
                continue
            drv.hal.errors.clear()
            if step[0] in ("configure", "reset"):
                code = drv.configure() if step[0] == "configure" else drv.soft_reset()
                run.outcomes.append(c_outcome(drv, code))
            else:
                x, pos = token_args(step, b)
                tokens.append(drv.run_token(x, pos))
                run.outcomes.append(c_outcome(drv, tokens[-1].code, tokens[-1]))
            drv.hal.pending_x = None
    finally:
        loop.close()
    return run, tokens


def difference(py: Run, c: Run) -> str | None:
    """Where the C run departs from the Python run (access sequence, outcomes, DDR), or None."""
    for i, (a, b) in enumerate(zip(py.link.log, c.link.log, strict=False)):
        if a != b:
            return f"access {i}: Python {a}, C {b}"
    if len(py.link.log) != len(c.link.log):
        n = min(len(py.link.log), len(c.link.log))
        return (f"access sequences of {len(py.link.log)} (Python) and {len(c.link.log)} (C) accesses; first extra: "
                f"{(py.link.log[n:] or c.link.log[n:])[0]}")
    if py.outcomes != c.outcomes:
        return f"outcomes differ: Python {py.outcomes}, C {c.outcomes}"
    if py.link.device.ddr != c.link.device.ddr:
        return "DDR contents differ"
    return None


SCENARIOS: dict[str, list[Step]] = {
    "tokens": [("configure",), *(("token", i) for i in range(6))],
    "illegal_pos": [("configure",), ("token", 0), ("token", 1, 64), ("reset",), ("token", 1)],
    "start_while_busy": [("configure",), ("token", 0), ("token", 1), ("raw_start",), ("token", 2), ("reset",),
                         ("token", 2)],
    "axi_read_error": [("configure",), ("token", 0), ("inject_axi_read_error",), ("token", 1), ("reset",),
                       ("token", 1)],
    "x_framing": [("configure",), ("x_short",), ("token", 0), ("reset",), ("token", 0), ("x_long",), ("token", 1),
                  ("reset",), ("token", 1)],
    "irq_timeout": [("configure",), ("token", 0), ("mute_irq",), ("token", 1), ("reset",), ("token", 1)],
    "reset_timeout": [("configure",), ("token", 0), ("stuck_status", True), ("reset",), ("stuck_status", False),
                      ("reset",), ("token", 1)],
}
# what each scenario must show besides the equality (outcome kinds in order, error codes where they matter)
EXPECTED_KINDS: dict[str, list[object]] = {
    "tokens": ["ok", *["done"] * 6],
    "illegal_pos": ["ok", "done", ("error", 1), "ok", "done"],
    "start_while_busy": ["ok", "done", "done", ("error", 2), "ok", "done"],
    "axi_read_error": ["ok", "done", ("error", 3), "ok", "done"],
    "x_framing": ["ok", ("error", 5), "ok", "done", ("error", 6), "ok", "done"],
    "irq_timeout": ["ok", "done", "irq_timeout", "ok", "done"],
    "reset_timeout": ["ok", "done", "reset_timeout", "ok", "done"],
}


# STATUS words of the error outcomes, as docs/host_protocol.md section 5 lists them, DONE included: a rejected
# START clears the previous token's DONE (0x104, not 0x106).
EXPECTED_ERROR_STATUS: dict[str, list[int]] = {
    "illegal_pos": [0x104], "start_while_busy": [0x205], "axi_read_error": [0x304], "x_framing": [0x504, 0x604],
}


def kinds(outcomes: list[Outcome]) -> list[object]:
    return [(o[0], o[1]) if o[0] == "error" else o[0] for o in outcomes]


@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
def test_c_driver_equals_python_driver(lib: ctypes.CDLL, bundle: Bundle, scenario: str) -> None:
    steps = SCENARIOS[scenario]
    py = run_python(bundle, bundle.cfg, steps)
    c, tokens = run_c(lib, bundle, bundle.cfg, steps)
    assert difference(py, c) is None, difference(py, c)
    assert kinds(c.outcomes) == EXPECTED_KINDS[scenario]
    assert [o[2] for o in c.outcomes if o[0] == "error"] == EXPECTED_ERROR_STATUS.get(scenario, [])
    assert all(o[1] == STATUS_DONE for o in c.outcomes if o[0] == "done")
    token_steps = [s for s in steps if s[0] == "token"]
    for step, tok in zip(token_steps, tokens, strict=True):
        if tok.logits is not None:                          # bit-exact with GoldenEngine.run of the bundle
            assert tok.logits.tolist() == bundle.logits[int(step[1])].tolist(), f"{scenario}: token {step}"
    rejected = {o[1] for o, t in zip([o for o in c.outcomes if o[0] in ("done", "error")],
                                     [t for t in tokens if t.code != cd.LE_ERR_IRQ_TIMEOUT], strict=True)
                if o[0] == "error" and t.rejected}
    assert rejected == ({1} if scenario == "illegal_pos" else {2} if scenario == "start_while_busy" else set())


def test_image_that_disagrees_with_the_config_fails_the_accepted_token(lib: ctypes.CDLL, bundle: Bundle) -> None:
    """The config CSRs legal but not the image's (another w_tile_rows): START accepted, the token fails with
    ILLEGAL_CONFIG after the streams, in both drivers alike."""
    cfg = bundle.cfg.replace(w_tile_rows=bundle.cfg.w_tile_rows + 4)
    steps: list[Step] = [("configure",), ("token", 0), ("reset",)]
    py = run_python(bundle, cfg, steps)
    c, tokens = run_c(lib, bundle, cfg, steps)
    assert difference(py, c) is None, difference(py, c)
    assert kinds(c.outcomes) == ["ok", ("error", 1), "ok"] and not tokens[0].rejected


def test_illegal_dims_are_rejected_at_start(lib: ctypes.CDLL, bundle: Bundle) -> None:
    """The C driver leaves dim legality to the engine (the Python driver refuses such a config up front): the golden
    device rejects the START with ILLEGAL_CONFIG and the driver acknowledges both interrupts."""
    loop = asyncio.new_event_loop()
    link = RecordingLink(GoldenDevice(pack(bundle.qm), IMAGE_BASE, bundle.cfg.axi_data_w))
    drv = cd.CDriver(lib, link, bundle.cfg, IMAGE_BASE, loop)
    drv.dev.cfg.n_heads = 3                                 # n_heads * d_head != d_model
    assert drv.configure() == cd.LE_OK
    tok = drv.run_token(bundle.x[0], 0)
    loop.close()
    assert (tok.code, tok.err_code, tok.rejected) == (1, 1, True)
    assert link.log[1] == ("W", CSR.N_HEADS, 3)
    assert link.log[-4:] == [("W", CSR.TOKEN_POS, 0), ("W", CSR.CTRL, CTRL_START),
                             ("R", CSR.STATUS, STATUS_ERROR | 1 << 8), ("W", CSR.IRQ_STATUS, 3)]


def test_probe_and_header_agree_with_the_golden_device(lib: ctypes.CDLL, bundle: Bundle) -> None:
    loop = asyncio.new_event_loop()
    drv = cd.CDriver(lib, RecordingLink(GoldenDevice(pack(bundle.qm), IMAGE_BASE, bundle.cfg.axi_data_w)),
                     bundle.cfg, IMAGE_BASE, loop)
    info = cd.LeHwInfo()
    assert lib.le_probe(ctypes.byref(drv.dev), ctypes.byref(info)) == cd.LE_OK
    assert info.lanes == bundle.cfg.bus_bytes and info.id == 0x4C45_4E47
    loop.close()
    image = pack(bundle.qm)
    hdr = (ctypes.c_uint8 * 64).from_buffer_copy(image[:64])
    got = cd.LeConfig()
    assert lib.le_config_from_header(ctypes.byref(got), hdr, 64, IMAGE_BASE) == cd.LE_OK
    assert bytes(got) == bytes(cd.c_config(bundle.cfg, IMAGE_BASE))     # header words = config + DdrLayout


@pytest.mark.parametrize("image_bits,engine_bits", [(128, 128), (64, 64), (128, 64), (64, 128)])
def test_bus_width_check_names_both_widths_like_python(lib: ctypes.CDLL, bundle: Bundle, image_bits: int,
                                                        engine_bits: int) -> None:
    """le_config_from_header + le_check_bus_width against the engine's HW_PARAMS.LANES (le_probe on a golden
    device of engine_bits): the one line of models.ddr_layout.bus_width_mismatch, LE_OK when they agree."""
    image = pack(dataclasses.replace(bundle.qm, cfg=bundle.cfg.replace(axi_data_w=image_bits)))
    cfg = cd.LeConfig()
    hdr = (ctypes.c_uint8 * 64).from_buffer_copy(image[:64])
    assert lib.le_config_from_header(ctypes.byref(cfg), hdr, 64, IMAGE_BASE) == cd.LE_OK
    loop = asyncio.new_event_loop()
    drv = cd.CDriver(lib, RecordingLink(GoldenDevice(image, IMAGE_BASE, engine_bits)),
                     bundle.cfg.replace(axi_data_w=engine_bits), IMAGE_BASE, loop)
    info = cd.LeHwInfo()
    assert lib.le_probe(ctypes.byref(drv.dev), ctypes.byref(info)) == cd.LE_OK
    loop.close()
    msg = ctypes.create_string_buffer(cd.LE_BUS_WIDTH_MSG_BYTES)
    rc = lib.le_check_bus_width(ctypes.byref(cfg), info.lanes * 8, msg, len(msg))
    want = bus_width_mismatch(image_bits, engine_bits)
    assert (rc, msg.value.decode() if rc else "") == (cd.LE_ERR_BUS_WIDTH if want else cd.LE_OK, want)


def test_ctypes_mirror_matches_the_c_structs(lib_dir: Path) -> None:
    src = lib_dir / "layout_probe.c"
    src.write_text(cd.layout_probe_source())
    exe = lib_dir / "layout_probe"
    build = subprocess.run(["gcc", "-std=c99", f"-I{cd.SW}", "-o", str(exe), str(src)], capture_output=True, text=True)
    assert build.returncode == 0, build.stderr
    printed = subprocess.run([str(exe)], capture_output=True, text=True, check=True).stdout.splitlines()
    c_layout = {line.rsplit(" ", 1)[0]: int(line.rsplit(" ", 1)[1]) for line in printed}
    assert c_layout == cd.python_layout()


# ---- planted differences: each mutant of the C driver is caught by the named scenario ------------------------
MUTANTS: dict[str, tuple[str, str, str]] = {
    # name: (original text of sw/le_driver.c, replacement, scenario that must catch it)
    "no_w1c_of_done": ("    return wr(dev, REG(IRQ_STATUS), IRQ_DONE);\n", "    return LE_OK;\n", "tokens"),
    "token_pos_after_start": (
        "    TRY(wr(dev, REG(TOKEN_POS), pos));\n    TRY(wr(dev, REG(CTRL), CTRL_START));\n",
        "    TRY(wr(dev, REG(CTRL), CTRL_START));\n    TRY(wr(dev, REG(TOKEN_POS), pos));\n", "tokens"),
    "error_w1c_only_error": ("    TRY(wr(dev, REG(IRQ_STATUS), IRQ_ALL));\n    return res->err_code",
                             "    TRY(wr(dev, REG(IRQ_STATUS), 2u));\n    return res->err_code", "axi_read_error"),
    "perf_hi_before_lo": ("    TRY(rd(dev, lo, &l));\n    TRY(rd(dev, hi, &h));\n",
                          "    TRY(rd(dev, hi, &h));\n    TRY(rd(dev, lo, &l));\n", "tokens"),
    "kv_base_without_image_base": ("c->image_base + c->kv_offset", "c->kv_offset", "tokens"),
    "busy_hides_start_error": ("    if ((status & STATUS_ERROR) != 0u) {       /* ERROR first",
                               "    if ((status & (STATUS_ERROR | 1u)) == STATUS_ERROR) {       /* ERROR first",
                               "start_while_busy"),
    "one_reset_poll_short": ("for (i = 0; i < dev->reset_polls; i++)", "for (i = 1; i < dev->reset_polls; i++)",
                             "reset_timeout"),
    "logit_sign_bug": ("-(int32_t)(~u) - 1", "-(int32_t)(~u)", "tokens"),
}


@pytest.mark.parametrize("mutant", sorted(MUTANTS))
def test_planted_difference_is_caught(bundle: Bundle, lib_dir: Path, mutant: str) -> None:
    old, new, scenario = MUTANTS[mutant]
    source = (cd.SW / "le_driver.c").read_text()
    assert source.count(old) == 1, f"mutant {mutant}: its original text is no longer in sw/le_driver.c exactly once"
    mlib = cd.load(cd.build_library(lib_dir / mutant, source.replace(old, new)))
    steps = SCENARIOS[scenario]
    py = run_python(bundle, bundle.cfg, steps)
    c, tokens = run_c(mlib, bundle, bundle.cfg, steps)
    logits_wrong = any(t.logits is not None and t.logits.tolist() != bundle.logits[int(s[1])].tolist()
                       for s, t in zip([s for s in steps if s[0] == "token"], tokens, strict=True))
    assert difference(py, c) is not None or logits_wrong, f"mutant {mutant} passed scenario {scenario}"
