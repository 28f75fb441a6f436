"""cocotb tests of the `layer_engine` top level, driven only through models.driver.EngineDriver
(launcher: tests/rtl/test_rtl_layer_engine.py; the bus width is read from the DUT).

DDR is verif/axi_mem.py: the image of an export bundle (models/bundle.py, built in-process with seed
BUNDLE_SEED and adapted to the DUT's bus width) is loaded at IMAGE_BASE, which is 64-byte aligned but not
4 KB aligned, so bursts are split at odd places; the KV region is the only read-write region. The host side
is tests/rtl/engine_bus.py (AXI4-Lite master, X source, logits sink, irq).

After every token (checked by Env.token_ok):
  - every logit bit-exact vs the bundle (first divergence reported: index, expected, got);
  - the whole KV region byte-exact vs the golden cache (first divergence: layer, head, K/V, row, column);
  - STATUS = DONE; PERF_BYTES_RD/WR = models.schedule.schedule_beats(token_schedule) x bus bytes, and equal to
    the beats the memory model actually served / received; PERF_CYCLES >= read beats > 0; stall <= cycles;
  - the memory's write log holds exactly the token's K/V append beats (full WSTRB, none outside the KV region);
  - no AXI protocol error recorded by the memory model; at most 4 reads outstanding;
  - irq rose exactly once, and at that instant no AXI read or write was outstanding or being requested.
Error tests (codes 1..6) provoke the error, check STATUS.ERR_CODE, the irq (raised with the AXI drained),
the all-zero logits frame of an accepted token (an error that strikes while the logits stream may leave a correct
prefix, then zeros), no bus activity after ERROR, no write outside the failing
token's K/V rows; then soft reset and re-run the failed position bit-exact.

Selection / knobs, from plusargs (+le_<name>=...) or environment variables (LE_<NAME>), plusargs first:
  le_bundles  bundle:tokens list for test_bitexact, default "tiny:12,small:8" (tokens at positions 0..T-1)
  le_knobs    "stress" (default: random latency 0..40, out-of-order + interleaved R, out-of-order B, stalls on
              every AXI channel, X valid gaps, logits backpressure) or "calm" (no randomness)
  le_tests    regex over the test names to run (default: all)
  le_seed     seed of the memory model and the stream BFMs (default: COCOTB_RANDOM_SEED)
"""
from __future__ import annotations

import dataclasses
import os
import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Awaitable, Callable

import cocotb
import numpy as np
from cocotb.clock import Clock
from cocotb.triggers import ReadOnly, RisingEdge

from engine_bus import BusKnobs, CocotbEngineBus
from models import csr_map
from models.bundle import build_bundle
from models.config import EngineConfig
from models.ddr_layout import HEADER_WORDS, DdrLayout, pack, pack_kv
from models.driver import (CTRL_START, IRQ_ALL, STATUS_BUSY, STATUS_DONE, STATUS_ERROR, EngineDriver, EngineError,
                           ErrorCode, TokenResult, logits_frame_bytes, status_error_code)
from models.schedule import kv_writes, schedule_beats, token_schedule
from models.traffic import beats
from verif.axi_mem import DECERR, SLVERR, AxiMem, AxiMemConfig

IMAGE_BASE = 0x0010_0FC0          # 64-byte aligned, 4032 mod 4096: the header ends on a 4 KB boundary
BUNDLE_SEED = 1
CLK_NS = 10
MAX_RD_OUTSTANDING = 4
RESET_CYCLES = 10
HEADER_BYTES = 4 * HEADER_WORDS
ERROR_POS = 2                     # error tests: tokens 0..ERROR_POS-1 first, then the error at ERROR_POS
CSR = csr_map.REGISTERS


# ---------------------------------------------------------------------------------------------- settings
def setting(name: str, default: str) -> str:
    key = f"le_{name}"
    if key in cocotb.plusargs:
        return str(cocotb.plusargs[key])
    return os.environ.get(key.upper(), default)


def selected(test: str) -> bool:
    return re.search(setting("tests", ".*"), test) is not None


def bundle_list() -> list[tuple[str, int]]:
    out = []
    for item in setting("bundles", "tiny:12,small:8").split(","):
        name, _, tokens = item.strip().partition(":")
        out.append((name, int(tokens or 8)))
    return out


def seed() -> int:
    return int(setting("seed", str(cocotb.RANDOM_SEED))) & 0xFFFF_FFFF


def knobs() -> tuple[AxiMemConfig, BusKnobs]:
    s = seed()
    kind = setting("knobs", "stress")
    if kind == "calm":
        return AxiMemConfig(seed=s), BusKnobs(seed=s + 1)
    if kind != "stress":
        raise ValueError(f"le_knobs={kind!r}: stress or calm")
    mem = AxiMemConfig(lat_min=0, lat_max=40, p_ar_stall=0.2, p_r_gap=0.2, reorder=True, interleave=True,
                       p_aw_stall=0.25, p_w_stall=0.25, b_lat_min=0, b_lat_max=30, p_b_gap=0.2, b_reorder=True,
                       seed=s)
    return mem, BusKnobs(p_x_idle=0.3, p_logits_stall=0.3, seed=s + 1)


# ---------------------------------------------------------------------------------------------- model
@dataclass(frozen=True)
class Model:
    name: str
    cfg: EngineConfig
    image: bytes
    x: np.ndarray           # int8 [T, d_model], token i at position i
    logits: np.ndarray      # int32 [T, vocab]
    kv: np.ndarray          # int8 [L, H, 2, max_seq, d_head] after the T tokens

    @property
    def layout(self) -> DdrLayout:
        return DdrLayout(self.cfg)

    def kv_bytes(self, n_tokens: int) -> bytes:
        """The KV region once positions 0..n_tokens-1 have run."""
        kv = self.kv.copy()
        kv[:, :, :, n_tokens:] = 0
        return pack_kv(self.layout, kv)


@lru_cache(maxsize=None)
def load_model(name: str, tokens: int, bus_bits: int) -> Model:
    """A bundle (preset `name`, BUNDLE_SEED) for a bus of bus_bits: the numerics do not depend on the bus width,
    only the image header's axi_data_w word does, so the image is re-packed for the DUT's width."""
    b = build_bundle(name, BUNDLE_SEED, tokens)
    cfg = b.cfg.replace(axi_data_w=bus_bits)
    return Model(name, cfg, pack(dataclasses.replace(b.qm, cfg=cfg)), b.x, b.logits, b.kv)


def expected_beats(layout: DdrLayout, pos: int, bus_bytes: int) -> tuple[int, int]:
    """(read, write) beats of one token: models.schedule plus the 64-byte header read the engine does first
    (added here only if the schedule does not list it yet)."""
    sched = token_schedule(layout, pos)
    rd, wr = schedule_beats(sched, bus_bytes)
    if not any(t.tensor == "header" for t in sched):
        rd += beats(HEADER_BYTES, bus_bytes)
    return rd, wr


def first_kv_divergence(layout: DdrLayout, got: bytes, want: bytes) -> str:
    diff = np.flatnonzero(np.frombuffer(got, np.uint8) != np.frombuffer(want, np.uint8))
    if not diff.size:
        return ""
    c = layout.cfg
    off = int(diff[0])
    slab, within = divmod(off, layout.kv_slab)
    (layer, head), which = divmod(slab // 2, c.n_heads), slab % 2
    row, col = divmod(within, c.d_head)
    return (f"{diff.size} KV bytes differ; first: layer {layer} head {head} {'KV'[which]} row {row} byte {col} "
            f"(DDR {IMAGE_BASE + layout.kv_base + off:#x}): expected {np.int8(want[off])}, got {np.int8(got[off])}")


def first_logit_divergence(got: np.ndarray, want: np.ndarray) -> str:
    bad = np.flatnonzero(got != want)
    if not bad.size:
        return ""
    j = int(bad[0])
    return f"{bad.size} of {want.size} logits differ; first: logit {j} expected {int(want[j])}, got {int(got[j])}"


# ---------------------------------------------------------------------------------------------- monitors
@dataclass
class IrqRise:
    cycle: int
    rd_outstanding: int
    wr_outstanding: int
    early_w: int
    requesting: list[str]       # AXI valids high at that instant (a new request after the token ended)
    rd_bursts: int
    wr_bursts: int

    def drained(self) -> bool:
        return not (self.rd_outstanding or self.wr_outstanding or self.early_w or self.requesting)

    def __str__(self) -> str:
        return (f"irq rose at cycle {self.cycle} with {self.rd_outstanding} read / {self.wr_outstanding} write bursts "
                f"outstanding, {self.early_w} early W beats, valids high: {self.requesting or 'none'}")


class IrqWatch:
    """Snapshots the memory model at every rising edge of irq (ReadOnly: the memory has processed that edge)."""

    def __init__(self, dut: Any, mem: AxiMem, cycles: Callable[[], int]) -> None:
        self.dut, self.mem, self.cycles = dut, mem, cycles
        self.rises: list[IrqRise] = []

    async def run(self) -> None:
        d, mem = self.dut, self.mem
        assert mem.wr is not None
        while True:
            await RisingEdge(d.irq)
            await ReadOnly()
            req = [n for n in ("m_axi_arvalid", "m_axi_awvalid", "m_axi_wvalid") if int(getattr(d, n).value)]
            self.rises.append(IrqRise(self.cycles(), mem._outstanding, mem.wr._outstanding, len(mem.wr._early), req,
                                      mem.stats.bursts, mem.wr.stats.bursts))


class Counter:
    def __init__(self) -> None:
        self.now = 0

    async def run(self, clk: Any) -> None:
        while True:
            await RisingEdge(clk)
            self.now += 1


# ---------------------------------------------------------------------------------------------- environment
@dataclass
class Env:
    dut: Any
    model: Model
    mem: AxiMem
    bus: CocotbEngineBus
    driver: EngineDriver
    watch: IrqWatch
    counter: Counter
    tasks: list[Any] = field(default_factory=list)
    filled: int = 0             # positions 0..filled-1 hold correct K/V rows

    @property
    def bb(self) -> int:
        return self.bus.bus_bytes

    @property
    def cfg(self) -> EngineConfig:
        return self.model.cfg

    @property
    def layout(self) -> DdrLayout:
        return self.model.layout

    @property
    def kv_lo(self) -> int:
        return IMAGE_BASE + self.layout.kv_base

    def log(self, msg: str) -> None:
        self.dut._log.info(msg)

    def kv_region(self) -> bytes:
        return self.mem.peek(self.kv_lo, self.layout.kv_size)

    def check_kv(self, want: bytes, what: str) -> None:
        div = first_kv_divergence(self.layout, self.kv_region(), want)
        assert not div, f"{what}: {div}"

    def check_mem_clean(self, what: str) -> None:
        assert not self.mem.errors, f"{what}: AXI memory model errors:\n  " + "\n  ".join(self.mem.errors[:10])
        assert self.mem.stats.max_outstanding <= MAX_RD_OUTSTANDING, \
            f"{what}: {self.mem.stats.max_outstanding} reads outstanding (max {MAX_RD_OUTSTANDING})"

    def append_beats(self, pos: int) -> set[int]:
        """DDR addresses of the beats of the token's K/V appends."""
        return {IMAGE_BASE + t.addr + i * self.bb for t in kv_writes(self.layout, pos)
                for i in range(t.nbytes // self.bb)}

    def token_timeout(self, pos: int) -> int:
        rd, wr = expected_beats(self.layout, pos, self.bb)
        return 40 * (rd + wr) + 50_000

    async def cycles(self, n: int) -> None:
        for _ in range(n):
            await RisingEdge(self.dut.clk)

    async def wait_bus_idle(self, what: str, limit: int = 20_000) -> None:
        """After a soft reset: the engine must still accept the responses of what it had issued (AXI cannot
        abort a burst); wait until the memory has nothing outstanding."""
        assert self.mem.wr is not None
        for _ in range(limit):
            if self.mem._outstanding == 0 and self.mem.wr.idle:
                return
            await RisingEdge(self.dut.clk)
        raise AssertionError(f"{what}: {self.mem._outstanding} read / {self.mem.wr._outstanding} write bursts still "
                             f"outstanding {limit} cycles after the soft reset")

    def close(self) -> None:
        for t in self.tasks:
            t.cancel()

    # ---- one good token ----
    async def token_ok(self, pos: int) -> TokenResult:
        assert pos <= self.filled, f"token at pos {pos} needs positions 0..{pos - 1} first"
        mem, bb = self.mem, self.bb
        assert mem.wr is not None
        rd_beats, wr_beats = expected_beats(self.layout, pos, bb)
        rd0, wr0, log0, irq0 = mem.stats.beats, mem.wr.stats.beats, len(mem.wr.log), len(self.watch.rises)
        self.bus.timeout_cycles = self.token_timeout(pos)
        t0 = self.counter.now
        res = await self.driver.run_token(self.model.x[pos], pos)
        what = f"{self.model.name} token at pos {pos} ({bb * 8}-bit bus)"
        div = first_logit_divergence(res.logits, self.model.logits[pos])
        assert not div, f"{what}: {div}"
        assert res.status == STATUS_DONE, f"{what}: STATUS {res.status:#x} after DONE, expected {STATUS_DONE:#x}"
        self.filled = max(self.filled, pos + 1)
        self.check_kv(self.model.kv_bytes(self.filled), what)
        # bus truth: what the memory model served and received
        assert mem.stats.beats - rd0 == rd_beats, f"{what}: {mem.stats.beats - rd0} R beats on the bus, " \
                                                  f"schedule says {rd_beats}"
        assert mem.wr.stats.beats - wr0 == wr_beats, f"{what}: {mem.wr.stats.beats - wr0} W beats, expected {wr_beats}"
        writes = mem.wr.log[log0:]
        want_addrs = self.append_beats(pos)
        got_addrs = [w.addr for w in writes]
        assert sorted(got_addrs) == sorted(want_addrs), f"{what}: write beats at {sorted(set(got_addrs) - want_addrs)[:8]} " \
                                                        f"unexpected, {sorted(want_addrs - set(got_addrs))[:8]} missing"
        assert all(w.strb == (1 << bb) - 1 and w.applied for w in writes), f"{what}: partial or rejected write beat"
        self.check_mem_clean(what)
        # perf counters
        p = res.perf
        assert p["bytes_rd"] == rd_beats * bb, f"{what}: PERF_BYTES_RD {p['bytes_rd']}, expected {rd_beats} x {bb}"
        assert p["bytes_wr"] == wr_beats * bb, f"{what}: PERF_BYTES_WR {p['bytes_wr']}, expected {wr_beats} x {bb}"
        assert p["cycles"] >= rd_beats > 0, f"{what}: PERF_CYCLES {p['cycles']} < {rd_beats} read beats"
        assert p["rd_stall_cycles"] <= p["cycles"], f"{what}: stall {p['rd_stall_cycles']} > cycles {p['cycles']}"
        # irq: once, with the bus drained
        rises = self.watch.rises[irq0:]
        assert len(rises) == 1, f"{what}: irq rose {len(rises)} times"
        assert rises[0].drained(), f"{what}: DONE before the AXI traffic drained: {rises[0]}"
        assert not int(self.dut.irq.value), f"{what}: irq still high after the driver acknowledged DONE"
        assert not self.bus.logits.idle_valid(), f"{what}: m_axis_logits TVALID high after the frame"
        self.log(f"{what}: bit-exact; {p['cycles']} cycles (START->DONE; {self.counter.now - t0} with the host), "
                 f"rd stall {p['rd_stall_cycles']}, {rd_beats} R / {wr_beats} W beats")
        return res

    # ---- one failing token ----
    async def token_error(self, pos: int, code: ErrorCode, provoke: Callable[[], Awaitable[None]],
                          accepted: bool | None, drained: bool = True, allow_prefix: bool = False) -> EngineError:
        """Run `provoke` (which must raise EngineError through the driver), check the error, soft-reset.

        accepted: the token was accepted (streams exchanged: its frame must be all zeros); False: START was
        rejected and no frame may have been exchanged; None: either. drained: the ERROR irq must find the AXI bus idle.
        allow_prefix: the error strikes while the logits are streaming, so the frame may start with the correct
        logits already sent, then zeros (le_axis_logits_out's flush); otherwise it must be all zeros."""
        mem = self.mem
        assert mem.wr is not None
        what = f"{self.model.name} {code.name} at pos {pos} ({self.bb * 8}-bit bus)"
        kv_before = self.kv_region()
        log0, irq0 = len(mem.wr.log), len(self.watch.rises)
        self.bus.last_frame = None
        self.bus.timeout_cycles = self.token_timeout(min(pos, self.cfg.max_seq - 1))
        try:
            await provoke()
        except EngineError as e:
            err = e
        else:
            raise AssertionError(f"{what}: no EngineError")
        assert err.code == code, f"{what}: ERR_CODE {err.code!r}, expected {code!r} (STATUS {err.status:#x})"
        status = await self.bus.csr_read(CSR["STATUS"])
        assert status & STATUS_ERROR and status_error_code(status) == code, \
            f"{what}: STATUS {status:#x} after the error (ERROR with code {int(code)} must stay until soft reset)"
        rises = self.watch.rises[irq0:]
        assert rises, f"{what}: irq never rose"
        if drained:
            assert rises[0].drained(), f"{what}: ERROR raised before the AXI traffic drained: {rises[0]}"
        assert not int(self.dut.irq.value), f"{what}: irq high after the driver's W1C of IRQ_STATUS"
        if accepted is None:        # either rejected at START, or accepted and failed in its first step
            self.log(f"{what}: " + ("rejected at START" if self.bus.last_frame is None else
                                    "START accepted, the token failed after exchanging the streams"))
        if accepted or (accepted is None and self.bus.last_frame is not None):
            self.check_failed_frame(pos, what, allow_prefix)
        elif accepted is not None:
            assert self.bus.last_frame is None, f"{what}: streams exchanged for a rejected START"
        if drained:             # nothing moves after ERROR
            await self.cycles(200)
            end = rises[-1]
            assert (mem.stats.bursts, mem.wr.stats.bursts) == (end.rd_bursts, end.wr_bursts), \
                f"{what}: AXI requests after ERROR ({mem.stats.bursts - end.rd_bursts} AR, " \
                f"{mem.wr.stats.bursts - end.wr_bursts} AW)"
            assert mem._outstanding == 0 and mem.wr.idle, f"{what}: AXI transactions outstanding after ERROR"
        # writes: only the failing token's own K/V rows (undefined content); everything else untouched
        allowed = self.append_beats(pos) if pos < self.cfg.max_seq else set()
        stray = sorted({w.addr for w in mem.wr.log[log0:]} - allowed)
        assert not stray, f"{what}: writes outside the token's K/V rows at {[hex(a) for a in stray[:8]]}"
        self.check_kv_except_pos(kv_before, pos, what)
        self.check_mem_clean(what)
        await self.driver.soft_reset()
        assert await self.bus.csr_read(CSR["STATUS"]) == 0
        await self.wait_bus_idle(what)
        self.log(f"{what}: raised as expected ({err}); soft reset done")
        return err

    def check_failed_frame(self, pos: int, what: str, allow_prefix: bool) -> None:
        frame = self.bus.last_frame
        assert frame is not None and len(frame) == logits_frame_bytes(self.cfg), f"{what}: no / short logits frame"
        got = np.frombuffer(frame, dtype="<i4")
        if not got.any():
            return
        want = self.model.logits[min(pos, len(self.model.logits) - 1)]
        nz = np.flatnonzero(got)
        k = int(nz[-1]) + 1                      # logits 0..k-1 may carry values, k.. are zero
        prefix_ok = k <= self.cfg.vocab and np.array_equal(got[:k], want[:k])
        detail = (f"non-zero logits up to index {k - 1} ({'a correct prefix' if prefix_ok else 'NOT a correct prefix'}"
                  f" of the expected logits), zeros after")
        assert allow_prefix and prefix_ok, f"{what}: the failed token's logits frame is not all zeros: {detail}"
        self.log(f"{what}: failed frame = correct prefix of {k} logits, then zeros (error during the logits phase)")

    def check_kv_except_pos(self, before: bytes, pos: int, what: str) -> None:
        got, want = bytearray(self.kv_region()), bytearray(before)
        if pos < self.cfg.max_seq:
            for t in kv_writes(self.layout, pos):
                lo = t.addr - self.layout.kv_base
                got[lo:lo + t.nbytes] = want[lo:lo + t.nbytes]
        div = first_kv_divergence(self.layout, bytes(got), bytes(want))
        assert not div, f"{what}: K/V rows of other positions changed: {div}"


_CLOCK: dict[str, Any] = {}


async def start_env(dut: Any, name: str, tokens: int) -> Env:
    """Clock, memory with the image, hard reset, driver configured (ID / HW_PARAMS checked)."""
    mem_cfg, bus_knobs = knobs()
    bus_bits = len(dut.m_axi_rdata)
    model = load_model(name, tokens, bus_bits)
    clock_task = _CLOCK.get("task")
    if clock_task is None or clock_task.done():         # cocotb ends a test's tasks (its clock) with the test
        _CLOCK["task"] = Clock(dut.clk, CLK_NS, unit="ns").start()
    dut.rst_n.value = 0
    bus = CocotbEngineBus(dut, bus_knobs, vocab=model.cfg.vocab, clk_period_ns=CLK_NS)
    mem = AxiMem(dut, dut.clk, "m_axi_", mem_cfg)
    assert mem.wr is not None and mem.has_read
    layout = model.layout
    mem.load(IMAGE_BASE, model.image)
    mem.add_rw_region(IMAGE_BASE + layout.kv_base, IMAGE_BASE + layout.kv_base + layout.kv_size)
    counter = Counter()
    tasks = [cocotb.start_soon(counter.run(dut.clk))]
    for _ in range(RESET_CYCLES):
        await RisingEdge(dut.clk)
    dut.rst_n.value = 1
    await RisingEdge(dut.clk)
    watch = IrqWatch(dut, mem, lambda: counter.now)
    tasks += [mem.start(), cocotb.start_soon(watch.run())]
    driver = EngineDriver(bus, model.cfg, IMAGE_BASE)
    env = Env(dut, model, mem, bus, driver, watch, counter, tasks)
    assert await bus.csr_read(CSR["ID"]) == csr_map.RESET["ID"]["MAGIC"], "ID register"
    hw = await bus.csr_read(CSR["HW_PARAMS"])
    lanes = hw >> csr_map.FIELDS["HW_PARAMS"]["LANES"][0] & 0xFF
    assert lanes == model.cfg.lanes, f"HW_PARAMS.LANES = {lanes}, the bus has {model.cfg.lanes} bytes"
    assert await bus.csr_read(CSR["STATUS"]) == 0, "STATUS after reset"
    await driver.configure()
    env.log(f"{name}: {bus_bits}-bit bus, image {len(model.image)} B at {IMAGE_BASE:#x}, KV region "
            f"[{env.kv_lo:#x}, {env.kv_lo + layout.kv_size:#x}), memory {mem_cfg}, streams {bus_knobs}")
    return env


# ---------------------------------------------------------------------------------------------- bit-exact
@cocotb.test(skip=not selected("test_bitexact"))
async def test_bitexact(dut: Any) -> None:
    """Each bundle of le_bundles: tokens at positions 0..T-1, every check of Env.token_ok."""
    for name, tokens in bundle_list():
        env = await start_env(dut, name, tokens)
        total = 0
        for pos in range(tokens):
            total += (await env.token_ok(pos)).perf["cycles"]
        env.log(f"{name}: {tokens} tokens bit-exact (logits, KV, perf), {total} engine cycles in all")
        env.close()


# ---------------------------------------------------------------------------------------------- errors
async def error_env(dut: Any) -> Env:
    env = await start_env(dut, "tiny", 8)
    for pos in range(ERROR_POS):
        await env.token_ok(pos)
    return env


def header_addr(word: int) -> int:
    return IMAGE_BASE + 4 * word


HEADER_WORD = {"d_model": 2, "n_heads": 3, "d_head": 4, "d_ff": 5, "n_layers": 6, "vocab": 7, "max_seq": 8}


@cocotb.test(skip=not selected("test_err1_illegal_config"))
async def test_err1_illegal_config(dut: Any) -> None:
    """ILLEGAL_CONFIG at START for each rule, each followed by soft reset, reconfigure and a bit-exact token.
    Where a rule is about the dims, the image header is patched to agree with the illegal CSRs, so only the
    rule under test can reject the token."""
    env = await error_env(dut)
    cfg, bus, drv = env.cfg, env.bus, env.driver
    lanes, pos = cfg.lanes, ERROR_POS
    f = csr_map.FIELDS
    hw = await bus.csr_read(CSR["HW_PARAMS"])
    dims = await bus.csr_read(CSR["HW_MAX_DIMS"])
    max_layers = hw >> f["HW_PARAMS"]["MAX_N_LAYERS"][0] & 0xFF
    max_d_ff = dims >> f["HW_MAX_DIMS"]["MAX_D_FF"][0] & 0xFFFF
    small_head = lanes // 2            # a legal product n_heads * d_head = d_model, d_head not whole beats

    def dims_case(**values: int) -> Callable[[], Awaitable[None]]:
        async def provoke() -> None:
            for k, v in values.items():
                await bus.csr_write(CSR[k.upper()], v)
                env.mem.poke(header_addr(HEADER_WORD[k]), v.to_bytes(4, "little"))
            await drv.run_token(env.model.x[pos], pos)
        return provoke

    def csr_case(**values: int) -> Callable[[], Awaitable[None]]:
        async def provoke() -> None:
            for k, v in values.items():
                await bus.csr_write(CSR[k], v & 0xFFFF_FFFF)
            await drv.run_token(env.model.x[pos], pos)
        return provoke

    async def bad_pos() -> None:
        await drv.run_token(env.model.x[pos], cfg.max_seq)

    async def bad_magic() -> None:
        env.mem.poke(IMAGE_BASE, bytes([env.model.image[0] ^ 1]))
        await drv.run_token(env.model.x[pos], pos)

    unaligned = IMAGE_BASE + 32
    cases = [
        ("d_model = 0", dims_case(d_model=0)),
        ("n_heads * d_head != d_model", dims_case(n_heads=cfg.n_heads + 1)),
        ("d_ff not a multiple of the lanes", dims_case(d_ff=cfg.d_ff + lanes // 2)),
        ("d_head not a multiple of the lanes", dims_case(d_head=small_head, n_heads=cfg.d_model // small_head)),
        ("d_ff above HW_MAX_DIMS.MAX_D_FF", dims_case(d_ff=max_d_ff + lanes)),
        ("n_layers above HW_PARAMS.MAX_N_LAYERS", dims_case(n_layers=max_layers + 1)),
        ("TOKEN_POS = MAX_SEQ", bad_pos),
        ("IMAGE_BASE not 64-byte aligned", csr_case(IMAGE_BASE_LO=unaligned, KV_BASE_LO=unaligned + env.layout.kv_base)),
        ("KV_BASE != IMAGE_BASE + kv_base", csr_case(KV_BASE_LO=env.kv_lo + 64)),
        ("CSR max_seq disagrees with the image header", csr_case(MAX_SEQ=cfg.max_seq // 2)),
        ("image header magic corrupted", bad_magic),
    ]
    # models/driver.py step 3: what the CSRs alone decide rejects START; the checks that need the layout or DDR
    # (KV_BASE, the image header) fail the accepted token (all-zero frame).
    at_start = {"d_model = 0", "n_heads * d_head != d_model", "d_ff not a multiple of the lanes",
                "d_head not a multiple of the lanes", "d_ff above HW_MAX_DIMS.MAX_D_FF",
                "n_layers above HW_PARAMS.MAX_N_LAYERS", "TOKEN_POS = MAX_SEQ", "IMAGE_BASE not 64-byte aligned"}
    for label, provoke in cases:
        env.log(f"ILLEGAL_CONFIG case: {label}")
        bad = pos if label != "TOKEN_POS = MAX_SEQ" else cfg.max_seq
        try:
            await env.token_error(bad, ErrorCode.ILLEGAL_CONFIG, provoke, accepted=label not in at_start)
        except AssertionError as e:
            raise AssertionError(f"case '{label}': {e}") from None
        env.mem.poke(IMAGE_BASE, env.model.image[:HEADER_BYTES])     # restore the header
        await drv.configure()
        await env.token_ok(pos)
    env.close()


@cocotb.test(skip=not selected("test_err2_start_while_busy"))
async def test_err2_start_while_busy(dut: Any) -> None:
    """A second START while a token is in flight: START_WHILE_BUSY, and the in-flight token continues to
    completion (bit-exact logits and K/V, DONE) as in models/golden_device.py; then soft reset and a re-run."""
    env = await error_env(dut)
    bus, pos, cfg = env.bus, ERROR_POS, env.cfg
    what = f"START_WHILE_BUSY at pos {pos}"
    irq0 = len(env.watch.rises)
    await bus.csr_write(CSR["TOKEN_POS"], pos)
    await bus.csr_write(CSR["CTRL"], CTRL_START)
    status = await bus.csr_read(CSR["STATUS"])
    assert status == STATUS_BUSY, f"{what}: STATUS {status:#x} after the first START"
    await bus.csr_write(CSR["CTRL"], CTRL_START)
    status = await bus.csr_read(CSR["STATUS"])
    assert status & STATUS_ERROR and status & STATUS_BUSY and status_error_code(status) == ErrorCode.START_WHILE_BUSY, \
        f"{what}: STATUS {status:#x} after the second START"
    assert len(env.watch.rises) > irq0 and int(dut.irq.value), f"{what}: no ERROR irq"
    bus.timeout_cycles = env.token_timeout(pos)
    frame = await bus.exchange(env.model.x[pos].tobytes(), logits_frame_bytes(cfg))
    got = np.frombuffer(frame, dtype="<i4", count=cfg.vocab)
    div = first_logit_divergence(got, env.model.logits[pos])
    assert not div, f"{what}: in-flight token: {div}"
    for _ in range(env.token_timeout(pos) // 10):
        status = await bus.csr_read(CSR["STATUS"])
        if not status & STATUS_BUSY:
            break
    assert status == STATUS_DONE | STATUS_ERROR | ErrorCode.START_WHILE_BUSY << 8, \
        f"{what}: STATUS {status:#x} once the in-flight token ended (DONE and the kept ERROR expected)"
    env.filled = pos + 1
    env.check_kv(env.model.kv_bytes(env.filled), f"{what}: in-flight token")
    env.check_mem_clean(what)
    assert env.mem._outstanding == 0 and env.mem.wr.idle
    await bus.csr_write(CSR["IRQ_STATUS"], IRQ_ALL)
    assert not int(dut.irq.value)
    await env.driver.soft_reset()
    await env.token_ok(pos)
    await env.token_ok(pos + 1)
    env.close()


@cocotb.test(skip=not selected("test_err2_soft_reset_abandons_waiting_token"))
async def test_err2_soft_reset_abandons_waiting_token(dut: Any) -> None:
    """tests/test_driver.py's sequence: a START is accepted (the token waits for X), the driver's START is rejected
    with START_WHILE_BUSY, and the soft reset abandons the waiting token; the position is then re-run."""
    env = await error_env(dut)
    bus, pos = env.bus, ERROR_POS
    await bus.csr_write(CSR["TOKEN_POS"], pos)

    async def provoke() -> None:
        await bus.csr_write(CSR["CTRL"], CTRL_START)            # accepted: waits for X
        await env.cycles(50)                                    # let it issue its first reads
        await env.driver.run_token(env.model.x[pos], pos)       # its START is rejected

    await env.token_error(pos, ErrorCode.START_WHILE_BUSY, provoke, accepted=False, drained=False)
    await env.token_ok(pos)
    await env.token_ok(pos + 1)
    env.close()


@cocotb.test(skip=not selected("test_err3_axi_read_error"))
async def test_err3_axi_read_error(dut: Any) -> None:
    """SLVERR on a beat in the middle of L1's W1 weights, DECERR on the last beat of the logits weights."""
    env = await error_env(dut)
    lay, pos, bb = env.layout, ERROR_POS, env.bb
    w1, lw = lay.by_name["L1.w1.w"], lay.by_name["logits.w"]
    for label, addr, resp in (("SLVERR mid L1.w1.w", IMAGE_BASE + w1.base + w1.size // 2 // bb * bb, SLVERR),
                              ("DECERR last beat of logits.w", IMAGE_BASE + lw.base + (lw.size - 1) // bb * bb, DECERR)):
        late = label.startswith("DECERR")       # strikes while logits stream: a correct prefix may be out
        env.log(f"AXI_READ_ERROR case: {label} at {addr:#x}")
        rng = (addr, addr + bb, resp)
        env.mem.add_error_range(*rng)

        async def provoke() -> None:
            await env.driver.run_token(env.model.x[pos], pos)

        await env.token_error(pos, ErrorCode.AXI_READ_ERROR, provoke, accepted=True, allow_prefix=late)
        env.mem._err_ranges.remove(rng)
        await env.token_ok(pos)
    env.close()


@cocotb.test(skip=not selected("test_err4_axi_write_error"))
async def test_err4_axi_write_error(dut: Any) -> None:
    """SLVERR on the last K/V append of the token (L1, last head, V), DECERR on the first (L0, head 0, K)."""
    env = await error_env(dut)
    lay, pos, bb, cfg = env.layout, ERROR_POS, env.bb, env.cfg
    for label, (layer, head, which), resp in (("SLVERR last V append", (cfg.n_layers - 1, cfg.n_heads - 1, 1), SLVERR),
                                              ("DECERR first K append", (0, 0, 0), DECERR)):
        addr = IMAGE_BASE + lay.kv_addr(layer, head, which, pos)
        env.log(f"AXI_WRITE_ERROR case: {label} at {addr:#x}")
        rng = (addr, addr + bb, resp)
        env.mem.add_error_range(*rng)

        async def provoke() -> None:
            await env.driver.run_token(env.model.x[pos], pos)

        await env.token_error(pos, ErrorCode.AXI_WRITE_ERROR, provoke, accepted=True)
        env.mem._err_ranges.remove(rng)
        await env.token_ok(pos)
    env.close()


async def x_framing_error(dut: Any, code: ErrorCode, mangles: list[tuple[str, Callable[[bytes], bytes]]]) -> None:
    env = await error_env(dut)
    pos = ERROR_POS
    for label, mangle in mangles:
        env.log(f"{code.name} case: {label}")

        async def provoke(mangle: Callable[[bytes], bytes] = mangle) -> None:
            env.bus.mangle_next_x = mangle
            await env.driver.run_token(env.model.x[pos], pos)

        await env.token_error(pos, code, provoke, accepted=True)
        await env.token_ok(pos)
    env.close()


@cocotb.test(skip=not selected("test_err5_x_tlast_early"))
async def test_err5_x_tlast_early(dut: Any) -> None:
    """TLAST one beat early; TLAST on the right beat with a short TKEEP (one byte missing)."""
    bb = len(dut.m_axi_rdata) // 8
    await x_framing_error(dut, ErrorCode.X_TLAST_EARLY, [("one beat short", lambda x: x[:-bb]),
                                                         ("one byte short", lambda x: x[:-1])])


@cocotb.test(skip=not selected("test_err6_x_tlast_late"))
async def test_err6_x_tlast_late(dut: Any) -> None:
    """One whole extra beat; one extra byte (a partial extra beat)."""
    bb = len(dut.m_axi_rdata) // 8
    await x_framing_error(dut, ErrorCode.X_TLAST_LATE, [("one extra beat", lambda x: x + bytes(bb)),
                                                        ("one extra byte", lambda x: x + b"\x01")])
