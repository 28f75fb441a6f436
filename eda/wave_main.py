"""The main() of the waves builds (LE_WAVES=1): eda/le_vpi_main.cpp in place of cocotb's own Verilator main, which
dumps every time step. Ours dumps only inside a window of simulation time (plusargs, `window_plusargs`) and
closes the trace when the simulator is killed (SIGTERM / SIGINT) as at any other end of the run; otherwise it
schedules the VPI callbacks as cocotb expects. Builds without waves keep cocotb's main."""
from __future__ import annotations

from pathlib import Path

import cocotb_tools.config
import cocotb_tools.runner

MAIN = Path(__file__).resolve().with_name("le_vpi_main.cpp")
FROM_PLUSARG = "le_waves_from_ps"
TO_PLUSARG = "le_waves_to_ps"


def window_plusargs(from_ps: int, to_ps: int | None) -> list[str]:
    """The plusargs of a dump window [from_ps, to_ps] (ps; to_ps None: to the end of the run)."""
    if from_ps < 0 or (to_ps is not None and to_ps < from_ps):
        raise ValueError(f"wave window [{from_ps}, {to_ps}] ps is empty or negative")
    return [f"+{FROM_PLUSARG}={from_ps}"] + ([f"+{TO_PLUSARG}={to_ps}"] if to_ps is not None else [])


class WindowedVerilator(cocotb_tools.runner.Verilator):
    """cocotb's Verilator runner with eda/le_vpi_main.cpp as the executable's main()."""

    def _build_command(self) -> list[list[str]]:
        cocotb_main = str(cocotb_tools.config.share_dir / "lib" / "verilator" / "verilator.cpp")
        cmds = [list(map(str, cmd)) for cmd in super()._build_command()]
        if not any(cocotb_main in cmd for cmd in cmds):
            raise RuntimeError(f"cocotb's Verilator build command no longer names {cocotb_main}: eda/wave_main.py "
                               f"cannot put its own main in place")
        return [[str(MAIN) if arg == cocotb_main else arg for arg in cmd] for cmd in cmds]


__all__ = ["FROM_PLUSARG", "MAIN", "TO_PLUSARG", "WindowedVerilator", "window_plusargs"]
