"""The environment of the layer_engine cocotb tests (tests/rtl/cocotb_layer_engine.py): `start_env` brings up
the DUT and returns an `Env`, whose `token_ok` / `token_error` run one token through models.driver.EngineDriver
and check it.

DDR is verif/axi_mem.py holding the image of the bundle (engine_model.py) at IMAGE_BASE; the KV region is the
only read-write region. The host side is tests/rtl/engine_bus.py (AXI4-Lite master, X source, logits sink, irq).

After every token (checked by Env.token_ok):
  - every logit bit-exact vs the bundle (first divergence reported: index, expected, got);
  - the whole KV region byte-exact vs the golden cache (first divergence: layer, head, K/V, row, column);
  - STATUS = DONE; PERF_BYTES_RD/WR = models.schedule.schedule_beats(token_schedule) x bus bytes, and equal to
    the beats the memory model actually served / received; PERF_CYCLES >= read beats > 0; stall <= cycles;
  - the memory's write log holds exactly the token's K/V append beats (full WSTRB, none outside the KV region);
  - no AXI protocol error recorded by the memory model; at most 4 reads outstanding;
  - irq rose exactly once, and at that instant no AXI read or write was outstanding or being requested.
A failing token (Env.token_error) must raise the expected STATUS.ERR_CODE and the irq (raised with the AXI
drained), give the all-zero logits frame of an accepted token (an error that strikes while the logits stream may
leave a correct prefix, then zeros), no bus activity after ERROR, no write outside the failing token's K/V rows;
then it soft-resets the engine.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Awaitable, Callable

import cocotb
import numpy as np
from cocotb.clock import Clock
from cocotb.triggers import RisingEdge

from engine_bus import CocotbEngineBus
from engine_model import IMAGE_BASE, Model, expected_beats, first_kv_divergence, first_logit_divergence, load_model
from engine_monitors import Counter, IrqWatch
from engine_settings import knobs
from models import csr_map
from models.config import EngineConfig
from models.ddr_layout import DdrLayout
from models.driver import (STATUS_DONE, STATUS_ERROR, EngineDriver, EngineError, ErrorCode, TokenResult,
                           logits_frame_bytes, status_error_code)
from models.schedule import kv_writes
from verif.axi_mem import AxiMem

__all__ = ["CLK_NS", "CSR", "MAX_RD_OUTSTANDING", "RESET_CYCLES", "Env", "start_env"]

CLK_NS = 10
MAX_RD_OUTSTANDING = 4
RESET_CYCLES = 10
CSR = csr_map.REGISTERS


@dataclass
class Env:
    """One DUT brought up by `start_env`: its bundle, memory, host bus, driver and monitors."""

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
        """Bytes per bus beat."""
        return self.bus.bus_bytes

    @property
    def cfg(self) -> EngineConfig:
        """The engine configuration of the bundle (for the DUT's bus width)."""
        return self.model.cfg

    @property
    def layout(self) -> DdrLayout:
        """The DDR layout of the bundle."""
        return self.model.layout

    @property
    def kv_lo(self) -> int:
        """DDR address of the KV region."""
        return IMAGE_BASE + self.layout.kv_base

    def log(self, msg: str) -> None:
        """Log through the DUT's logger."""
        self.dut._log.info(msg)

    def kv_region(self) -> bytes:
        """The KV region as the memory holds it now."""
        return self.mem.peek(self.kv_lo, self.layout.kv_size)

    def check_kv(self, want: bytes, what: str) -> None:
        """The KV region equals `want` byte for byte."""
        div = first_kv_divergence(self.layout, self.kv_region(), want)
        assert not div, f"{what}: {div}"

    def check_mem_clean(self, what: str) -> None:
        """No AXI protocol error recorded by the memory model, at most MAX_RD_OUTSTANDING reads ever outstanding."""
        assert not self.mem.errors, f"{what}: AXI memory model errors:\n  " + "\n  ".join(self.mem.errors[:10])
        assert self.mem.stats.max_outstanding <= MAX_RD_OUTSTANDING, \
            f"{what}: {self.mem.stats.max_outstanding} reads outstanding (max {MAX_RD_OUTSTANDING})"

    def append_beats(self, pos: int) -> set[int]:
        """DDR addresses of the beats of the token's K/V appends."""
        return {IMAGE_BASE + t.addr + i * self.bb for t in kv_writes(self.layout, pos)
                for i in range(t.nbytes // self.bb)}

    def token_timeout(self, pos: int) -> int:
        """Cycles the host bus waits for the token at `pos` before it gives up."""
        rd, wr = expected_beats(self.layout, pos, self.bb)
        return 40 * (rd + wr) + 50_000

    async def cycles(self, n: int) -> None:
        """Wait n clock cycles."""
        for _ in range(n):
            await RisingEdge(self.dut.clk)

    async def wait_bus_idle(self, what: str, limit: int = 20_000) -> None:
        """After a soft reset: the engine must still accept the responses of what it had issued (AXI cannot
        abort a burst); wait until the memory has nothing outstanding."""
        assert self.mem.wr is not None
        for _ in range(limit):
            if self.mem.rd_outstanding == 0 and self.mem.wr.idle:
                return
            await RisingEdge(self.dut.clk)
        raise AssertionError(f"{what}: {self.mem.rd_outstanding} read / {self.mem.wr.outstanding} write bursts still "
                             f"outstanding {limit} cycles after the soft reset")

    def close(self) -> None:
        """Cancel the env's background tasks (counter, memory model, irq watch)."""
        for t in self.tasks:
            t.cancel()

    # ---- one good token ----
    async def token_ok(self, pos: int) -> TokenResult:
        """Run the bundle's token at `pos` through the driver and make every check listed in the module docstring."""
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
            assert mem.rd_outstanding == 0 and mem.wr.idle, f"{what}: AXI transactions outstanding after ERROR"
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
        """The failed token's logits frame is all zeros (allow_prefix: or a correct prefix of the logits, then
        zeros)."""
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
        """The KV region equals `before` except the K/V rows of position `pos` (whose content is undefined)."""
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
