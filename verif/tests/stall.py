"""StallInjectTest: RandTest's random case with the engine's internal stream boundaries closed at random.

The RTL's ``le_stall_gate`` instances (rtl/le_stall_gate.sv, built in by the define LE_STALL_INJECT of every
regression build) withhold valid and ready at the boundaries that the engine's own schedule never stalls: the read
DMA's output, the write DMA's inputs, the main MAC's weights and results, the logits stream, K and V, LayerNorm's
input, and score -> scale/clamp -> softmax -> P.V -> serialiser in le_attn. ``+le_stall=PCT`` (the test list's
knob ``stall``) turns them on; each gate draws its own closing probability in [1, PCT] % from the run's master seed,
so every seed stalls each boundary differently, and the same seed reproduces the run bit for bit. The scoreboard
judges the tokens as usual: every logit, K/V append and KV byte bit-exact, PERF_CYCLES exact.

The test fails unless every gate is enabled at the start (a build without the define, or a run without the
plusarg, would pass vacuously) and has withheld at least one offer by the end.
"""
from __future__ import annotations

from typing import Any

import pyuvm

from verif.env.gtkw import resolve
from verif.tests.base import setting
from verif.tests.stimulus import NarrowTest, RandTest

BUSY_XFERS = 2000         # items after which a gate must have closed at least once
STALL_SETTING = "stall"    # +le_stall=PCT: the RTL gates read it; the test checks it is there
GATES = (                  # every le_stall_gate instance, from the testbench top
    "u_dut.u_stall_rd", "u_dut.u_stall_wcmd", "u_dut.u_stall_wdat", "u_dut.u_stall_main_w", "u_dut.u_stall_acc",
    "u_dut.u_stall_logit", "u_dut.u_stall_k", "u_dut.u_stall_v", "u_dut.u_main_out.u_stall_ln_in",
    "u_dut.u_attn.u_stall_s", "u_dut.u_attn.u_stall_z", "u_dut.u_attn.u_stall_p", "u_dut.u_attn.u_stall_pv",
)


class StallChecks:
    """Mixin for a test run with +le_stall: fails unless the plusarg is there, every gate was injecting and each
    withheld at least one offer (a build without the define, or a run without the plusarg, would pass vacuously)."""

    dut: Any
    logger: Any

    def start_of_simulation_phase(self) -> None:
        super().start_of_simulation_phase()      # type: ignore[misc]  # the test class it is mixed into
        self.require_stall_plusarg()

    def check_phase(self) -> None:
        super().check_phase()                    # type: ignore[misc]
        self.check_gates()

    def require_stall_plusarg(self) -> None:
        if int(setting(STALL_SETTING, "0")) <= 0:
            raise AssertionError(f"{type(self).__name__}: +le_{STALL_SETTING}=PCT missing (the test list's knob "
                                 f"{STALL_SETTING}): no stall would be injected")

    def check_gates(self) -> None:
        """After the tokens (the gates read their plusargs in an initial block, after the test's build phase): every
        gate injecting; one that passed BUSY_XFERS items or more withheld at least one offer (its probability is at
        least 2/256 a cycle: a gate that never closed in that many is broken, odds below 1e-6); some gate did."""
        rows, idle, total = [], [], 0
        for path in GATES:
            gate = resolve(self.dut, path)
            if gate is None or not hasattr(gate, "enable") or not int(gate.enable.value):
                raise AssertionError(f"{type(self).__name__}: {path} is not injecting (a build without "
                                     f"+define+LE_STALL_INJECT?)")
            held, xfer = int(gate.held_q.value), int(gate.xfer_q.value)
            total += held
            rows.append(f"{path.rsplit('.', 1)[-1][len('u_stall_'):]} {100 * int(gate.thresh.value) / 256:.0f}% "
                        f"({held} held / {xfer} items)")
            if held == 0 and xfer >= BUSY_XFERS:
                idle.append(path)
        self.logger.info(f"stall injection +le_stall={setting(STALL_SETTING, '0')}: closing probability per gate "
                         f"(offers withheld / items passed): {', '.join(rows)}")
        if idle or total == 0:
            raise AssertionError(f"{type(self).__name__}: gates that never withheld an offer: {idle or list(GATES)}")


@pyuvm.test()
class StallInjectTest(StallChecks, RandTest):
    """A random case (RandTest's draw) with internal stall injection on (nightly ``stall_inject``)."""


@pyuvm.test()
class StallNarrowTest(StallChecks, NarrowTest):
    """NarrowTest's one-beat rows (results back to back into the requant, the residual add and LayerNorm) with
    internal stall injection on (nightly ``stall_narrow``): a stall at LayerNorm's input then fills the residual
    add and back-pressures the requant, which wide rows never do."""


__all__ = ["GATES", "StallChecks", "StallInjectTest", "StallNarrowTest"]
