"""The main() of every cocotb Verilator build of the project: eda/le_vpi_main.cpp in place of cocotb's own
Verilator main. It schedules the VPI callbacks as cocotb's does, and adds a dump window for waves builds
(plusargs, `window_plusargs`; cocotb's main dumps every time step) and, in builds compiled with
``-CFLAGS -DLE_MAIN_CLOCK_PS=<ps>`` (the pyuvm env's: verif/hdl/le_tb_pyuvm.f), a clock driven by main() itself
(no Python or VPI timer per clock edge). The trace closes when the simulator is killed (SIGTERM / SIGINT) as at
any other end of the run."""
from __future__ import annotations

from pathlib import Path

import cocotb_tools.config
import cocotb_tools.runner

MAIN = Path(__file__).resolve().with_name("le_vpi_main.cpp")
FROM_PLUSARG = "le_waves_from_ps"
TO_PLUSARG = "le_waves_to_ps"
CLOCK_DEFINE = "LE_MAIN_CLOCK_PS"     # the C++ define of a build clocked by main(), and the environment variable
                                      # main() publishes its period in (ps) to the embedded Python


def window_plusargs(from_ps: int, to_ps: int | None) -> list[str]:
    """The plusargs of a dump window [from_ps, to_ps] (ps; to_ps None: to the end of the run)."""
    if from_ps < 0 or (to_ps is not None and to_ps < from_ps):
        raise ValueError(f"wave window [{from_ps}, {to_ps}] ps is empty or negative")
    return [f"+{FROM_PLUSARG}={from_ps}"] + ([f"+{TO_PLUSARG}={to_ps}"] if to_ps is not None else [])


class LeMainVerilator(cocotb_tools.runner.Verilator):
    """cocotb's Verilator runner with eda/le_vpi_main.cpp as the executable's main()."""

    def _build_command(self) -> list[list[str]]:
        cocotb_main = str(cocotb_tools.config.share_dir / "lib" / "verilator" / "verilator.cpp")
        cmds = [list(map(str, cmd)) for cmd in super()._build_command()]
        if not any(cocotb_main in cmd for cmd in cmds):
            raise RuntimeError(f"cocotb's Verilator build command no longer names {cocotb_main}: eda/vpi_main.py "
                               f"cannot put its own main in place")
        return [[str(MAIN) if arg == cocotb_main else arg for arg in cmd] for cmd in cmds]


__all__ = ["CLOCK_DEFINE", "FROM_PLUSARG", "MAIN", "TO_PLUSARG", "LeMainVerilator", "window_plusargs"]
