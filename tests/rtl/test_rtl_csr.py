"""Launcher: the generated CSR block rtl/csr/le_csr_reg.sv over AXI4-Lite (cocotb module tests/rtl/cocotb_csr.py).

Top level: tests/hdl/le_csr_reg_tb.sv, which only flattens the regblock's hwif structs into ports (see there).
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from eda import simbuild

import rtl_harness as h

HERE = Path(__file__).resolve().parent
CSR_DIR = h.RTL_DIR / "csr"
SOURCES = [CSR_DIR / "le_csr_reg_pkg.sv", CSR_DIR / "le_csr_reg.sv", h.REPO_ROOT / "tests" / "hdl" / "le_csr_reg_tb.sv"]
WAIVERS = CSR_DIR / "le_csr_reg.vlt"     # Verilator waivers for the generated SV (reasons in the file)


@pytest.mark.sim
def test_rtl_csr() -> None:
    start = time.monotonic()
    simbuild.run_cocotb(SOURCES, "le_csr_reg_tb", HERE / "cocotb_csr.py", h.RUNS_DIR / "rtl_csr",
                        extra_args=[str(WAIVERS)], seed=h.SEED)
    print(f"le_csr_reg: {time.monotonic() - start:.1f}s")
