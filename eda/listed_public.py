"""Engine regression builds that expose only what the testbench touches (issue 16, docs/verification.md "Speed").

cocotb's Verilator runner builds with ``--public-flat-rw``: every signal of the design stays a public, writable
variable, which keeps Verilator from optimising the datapath (measured on SmokeTest tiny at 128 bits: 2.3x slower).
A build whose extra arguments bring a Verilator configuration file with ``public_flat_rd`` / ``public_flat_rw``
rules (the pyuvm env's verif/hdl/le_tb_public.vlt: the testbench top, its BFMs and probes, the stall gates) uses
those rules instead, and compiles the model's per-cycle code with -O3 rather than -Os. Readable is not writable:
Verilator re-evaluates, on every evaluation of the model, the combinational logic that reads a signal VPI may write
(its `ico` region), so only the registers the env writes are ``public_flat_rw`` (measured on SmokeTest tiny at 128
bits: the whole testbench writable cost 16 % of the env's speed). Waves and coverage builds keep the whole design
public (a waves rerun's GTKWave save file names RTL signals through VPI; the coverage figures stay those of the
builds they were measured on).
"""
from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from eda.vpi_main import LeMainVerilator

PUBLIC_RULES = ("public_flat_rd", "public_flat_rw")
FLAT_PUBLIC_ARG = "--public-flat-rw"
MAKE_OPT: tuple[str, ...] = ("OPT_FAST=-O3", "OPT_GLOBAL=-O3")


def public_rule_files(extra_args: Sequence[str]) -> list[Path]:
    """The ``.vlt`` files among ``extra_args`` that declare public signals (``public_flat_rd`` / ``_rw`` rules)."""
    files = [Path(a) for a in extra_args if a.endswith(".vlt") and Path(a).is_file()]
    return [f for f in files if any(line.strip().startswith(PUBLIC_RULES) for line in f.read_text().splitlines())]


def listed(extra_args: Sequence[str], waves: bool) -> bool:
    """True when the build exposes only its listed signals: it has public rules, and is neither a waves build nor
    a coverage build (``--coverage*`` in its arguments)."""
    coverage = any(a.startswith("--coverage") for a in extra_args)
    return bool(public_rule_files(extra_args)) and not waves and not coverage


class ListedPublicVerilator(LeMainVerilator):
    """The project's Verilator runner (eda/vpi_main.py) without ``--public-flat-rw`` (the build's .vlt rules
    decide) and with -O3."""

    def _build_command(self) -> list[list[str]]:
        cmds = [list(map(str, cmd)) for cmd in super()._build_command()]
        verilate, make = cmds[0], cmds[-1]
        if FLAT_PUBLIC_ARG not in verilate or make[0] != "make":
            raise RuntimeError(f"cocotb's Verilator build commands changed (no {FLAT_PUBLIC_ARG} or no make step): "
                               "eda/listed_public.py cannot apply the listed public rules")
        cmds[0] = [a for a in verilate if a != FLAT_PUBLIC_ARG]
        cmds[-1] = [*make, *MAKE_OPT]
        return cmds


__all__ = ["MAKE_OPT", "ListedPublicVerilator", "listed", "public_rule_files"]
