"""Waves where they matter: a waves rerun dumps FST only in a window around the time that matters (the first
divergence for `regress debug --waves`, the failure for `regress run --rerun-failed`) and gets a GTKWave save file
with the engine's phase signals and the ports of the operator that diverged, its marker on that time.

The window is `before` clock cycles up to the focus and `after` cycles past it (eda/le_vpi_main.cpp dumps only
there: eda/vpi_main.py); the save file is written by the env from the simulator's own view of the design
(verif/env/gtkw.py), so every name carries the range the FST declares.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from eda.vpi_main import window_plusargs

CLK_PS = 10_000                 # the testbench clock (verif/env/host.py CLK_NS = 10; tests/test_wave_window.py)
BEFORE_CYCLES = 2000
AFTER_CYCLES = 200
GTKW_FILE = "waves.gtkw"
WAVE_DIR = "waves"

_GEMV = ("u_dut.u_logits", "u_dut.u_main_out.u_requant")
_LN = ("u_dut.u_main_out.u_layernorm",)
# probe name (regress/debug_probe.py OPERATORS) -> the instances under le_tb_top that compute it
SCOPES: dict[str, tuple[str, ...]] = {
    "q": _GEMV, "k": _GEMV, "v": _GEMV, "oprime": _GEMV, "u": _GEMV, "f": _GEMV,
    "s_raw": ("u_dut.u_attn.u_score_gemv",),
    "s": ("u_dut.u_attn.u_score_scale_clamp",),
    "p": ("u_dut.u_attn.u_softmax",),
    "o": ("u_dut.u_attn.u_pv_accum", "u_dut.u_attn.u_o_requant"),
    "y1": ("u_dut.u_main_out.u_residual_add",), "y2": ("u_dut.u_main_out.u_residual_add",),
    "x_att": _LN, "x_att_res": _LN, "x": _LN, "x_res": _LN,
    "u_act": ("u_dut.u_main_out.u_act_lut",),
    "logits": ("u_dut.u_logits", "u_dut.u_main_out.u_logits_bias"),
}


@dataclass(frozen=True)
class Window:
    """The dump window around `focus_ps` (ps)."""
    focus_ps: int
    before: int = BEFORE_CYCLES
    after: int | None = AFTER_CYCLES          # None: to the end of the run

    @property
    def from_ps(self) -> int:
        return max(0, self.focus_ps - self.before * CLK_PS)

    @property
    def to_ps(self) -> int | None:
        return None if self.after is None else self.focus_ps + self.after * CLK_PS

    def describe(self) -> str:
        end = "the end" if self.to_ps is None else f"{self.to_ps / 1000:,.0f} ns"
        return (f"waves from {self.from_ps / 1000:,.0f} ns to {end} ({self.before} cycles before "
                f"{self.focus_ps / 1000:,.0f} ns" + ("" if self.after is None else f", {self.after} after") + ")")


def plusargs(window: Window, out_dir: Path, scopes: tuple[str, ...] = (), save_file: bool = True) -> list[str]:
    """The waves rerun's plusargs: the dump window and, with `save_file` (a pyuvm run: the env writes it from VPI),
    the save file out_dir/waves.gtkw."""
    out = window_plusargs(window.from_ps, window.to_ps)
    if not save_file:
        return out
    out += [f"+le_gtkw={out_dir / GTKW_FILE}", f"+le_gtkw_dump={out_dir / 'dump.fst'}",
            f"+le_gtkw_cursor_ps={window.focus_ps}", f"+le_gtkw_from_ps={window.from_ps}"]
    return out + ([f"+le_gtkw_scopes={','.join(scopes)}"] if scopes else [])


def end_ps(sim_time_ns: object) -> int | None:
    """A run's recorded end (results.json / RunResult sim_time_ns, from its results.xml) in ps; None when unknown."""
    return round(float(sim_time_ns) * 1000) if isinstance(sim_time_ns, (int, float)) else None


__all__ = ["AFTER_CYCLES", "BEFORE_CYCLES", "CLK_PS", "GTKW_FILE", "SCOPES", "WAVE_DIR", "Window", "end_ps",
           "plusargs"]
