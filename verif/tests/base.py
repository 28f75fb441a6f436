"""BaseTest: clock, reset, the model and its DDR image, the env, and one TokenSeq; subclasses choose the model,
the knobs and the tokens.

Run-time selection (plusargs +le_<name>=..., or environment LE_<NAME>): le_seed (the master seed: every other
seed derives from it, verif/seeds.py), le_bundle (preset of the model, default "tiny"), le_tokens.
"""
from __future__ import annotations

import dataclasses
import json
import os
import time
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import cocotb
import numpy as np
from cocotb.clock import Clock
from cocotb.handle import Immediate
from cocotb.triggers import ClockCycles, RisingEdge
from cocotb.utils import get_sim_time
from pyuvm import ConfigDB, uvm_test

from models.bundle import build_bundle
from models.ddr_layout import check_bus_width, pack
from models.qmodel import QModel
from verif import settings
from verif.bfm.axi_mem_bfm import BfmKnobs
from verif.env.env import EnvConfig, LayerEngineEnv
from verif.env.host import CLK_NS, TokenPlan, TokenSeq
from verif.seeds import Seeds

MAIN_CLOCK_VAR = "LE_MAIN_CLOCK_PS"   # set by the simulator's main() when it drives clk itself (eda/le_vpi_main.cpp)


def clocked_by_main() -> bool:
    """True when the simulator's main() drives clk (the pyuvm build: verif/hdl/le_tb_pyuvm.f), at the env's period;
    False when the test must start cocotb's Clock. A main clock of another period is an error."""
    period = os.environ.get(MAIN_CLOCK_VAR)
    if period is None:
        return False
    if period != str(CLK_NS * 1000):
        raise RuntimeError(f"the simulator's main() clocks clk at {period} ps but the env expects {CLK_NS * 1000} ps "
                           f"(verif/env/host.py CLK_NS): rebuild with -DLE_MAIN_CLOCK_PS={CLK_NS * 1000}")
    return True


IMAGE_BASE = 0x0010_0FC0          # 64-byte aligned, not 4 KB aligned: bursts split at odd places
RESET_CYCLES = 10


def setting(name: str, default: str) -> str:
    """A test knob: verif/settings.py (+le_<name>=..., else $LE_<NAME>, else `default`)."""
    value = settings.setting(name, default)
    assert value is not None
    return value


@cache
def bundle_model(name: str, tokens: int, bus_bits: int) -> tuple[QModel, bytes, np.ndarray]:
    """(quantized model for the bus width, packed image, X [tokens, d_model]) of a preset bundle (seed 1), exported
    for the DUT's bus width; the image's header word 9 is checked against it (one line if they differ)."""
    b = build_bundle(name, 1, tokens, bus_width=bus_bits)
    image = pack(b.qm)
    check_bus_width(image, bus_bits)
    return b.qm, image, b.x


@dataclass(frozen=True)
class SimSpeed:
    """DUT cycles and wall seconds of the token sequence (the run phase's work, without build/model setup), and
    the part of those seconds spent in Python (cocotb's event loop; None if cocotb's internals moved)."""
    cycles: int
    seconds: float
    tokens: int
    python_s: float | None = None

    @property
    def cycles_per_s(self) -> float:
        return self.cycles / self.seconds if self.seconds > 0 else 0.0


class PythonTime:
    """Wall seconds spent in Python while the block runs: every return from the simulator into cocotb goes
    through its event loop's run() (cocotb 2.1 internals: seconds stays None if they are not there)."""

    def __enter__(self) -> PythonTime:
        import cocotb._event_loop as loop
        self.seconds: float | None = None
        self._loop = getattr(loop, "_inst", None)
        inner = getattr(self._loop, "run", None)
        if inner is None:
            return self
        self.seconds = 0.0

        def timed() -> None:
            t0 = time.perf_counter()
            try:
                inner()
            finally:
                self.seconds = (self.seconds or 0.0) + time.perf_counter() - t0
        self._loop.run = timed        # type: ignore[union-attr]
        return self

    def __exit__(self, *exc: object) -> None:
        if self.seconds is not None:
            del self._loop.run          # type: ignore[union-attr]   # back to the class's method


class BaseTest(uvm_test):
    """Subclasses override `knobs()` / `plans()` / the class attributes."""
    bundle = "tiny"
    tokens = 4
    p_x_idle = 0.0
    p_logits_stall = 0.0
    x_delay_max = 0                 # cycles: each X frame waits 0..x_delay_max after the host hands it over

    def knobs(self) -> BfmKnobs:
        return BfmKnobs()

    def build_phase(self) -> None:
        self.dut = cocotb.top
        self.seeds = Seeds.from_settings()
        self.bus_bits = len(self.dut.u_mem.axi_rdata)
        self.choose()
        self.qm, image, self.x, self.positions, kv = self.model()
        ConfigDB().set(None, "*", "env_cfg",
                       EnvConfig(self.dut, self.qm, image, IMAGE_BASE, self.knobs(), self.p_x_idle,
                                 self.p_logits_stall, kv=kv, x_delay_max=self.x_delay_max))
        self.env = LayerEngineEnv("env", self)

    def choose(self) -> None:
        """Hook before model() and knobs(): dut, seeds and bus_bits are set (e.g. randomize a case here)."""

    def model(self) -> tuple[QModel, bytes, np.ndarray, list[int], np.ndarray | None]:
        """(quantized model, DDR image, X per token, the tokens' positions, preloaded KV cache or None).
        Default: the `bundle` preset (le_bundle / le_tokens override), tokens at positions 0.."""
        name = setting("bundle", self.bundle)
        n = int(setting("tokens", str(self.tokens)))
        qm, image, x = bundle_model(name, n, self.bus_bits)
        return qm, image, x, list(range(n)), None

    def plans(self) -> list[TokenPlan]:
        return [TokenPlan(self.x[i], p) for i, p in enumerate(self.positions)]

    async def reset(self) -> None:
        self.dut.rst_n.value = 0
        await ClockCycles(self.dut.clk, RESET_CYCLES)
        self.dut.rst_n.value = 1
        await RisingEdge(self.dut.clk)

    async def power_on(self) -> None:
        """rst_n low before the first clock edge (X-initialised state must not run unreset), the clock, the DDR
        image, the reset pulse, the env resynchronised to the reset BFMs."""
        self.dut.rst_n.value = Immediate(0)            # now, not at the end of the time step
        if not clocked_by_main():
            cocotb.start_soon(Clock(self.dut.clk, CLK_NS, unit="ns").start())
        self.env.load_memory()
        await self.reset()
        self.env.after_reset(power_on=True)

    async def run_phase(self) -> None:
        self.raise_objection()
        await self.power_on()
        self.logger.info(f"{type(self).__name__}: {self.seeds.describe()}")
        seq = TokenSeq(self.env, self.plans())
        t_wall, t_sim = time.perf_counter(), get_sim_time("ns")
        with PythonTime() as py:
            await seq.start()
        self.speed = SimSpeed(int((get_sim_time("ns") - t_sim) // CLK_NS), time.perf_counter() - t_wall,
                              len(self.plans()), py.seconds)
        for line in seq.log.lines:
            self.logger.info(line)
        self.logger.info(f"speed: {self.speed.cycles} DUT cycles in {self.speed.seconds:.2f} s wall = "
                         f"{self.speed.cycles_per_s:,.0f} cycles/s ({self.speed.tokens} tokens)")
        Path("sim_speed.json").write_text(json.dumps(dataclasses.asdict(self.speed) |
                                                     {"cycles_per_s": self.speed.cycles_per_s}))
        Path("tokens.json").write_text(json.dumps(seq.log.tokens, indent=1) + "\n")
        Path("logits.bin").write_bytes(b"".join(seq.log.logits))      # as the SystemC harness writes them
        Path("kv_region.bin").write_bytes(seq.log.kv_region)
        await ClockCycles(self.dut.clk, 10)
        self.drop_objection()
