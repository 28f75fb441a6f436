"""Launcher: the generated CSR block rtl/csr/le_csr_reg.sv over AXI4-Lite; the tests are tests/rtl/cocotb_csr.py.

Top level: tests/hdl/le_csr_reg_tb.sv, which only flattens the regblock's hwif structs into ports (see there).
"""

from __future__ import annotations

import pytest
import rtl_launch

CSR_DIR = rtl_launch.RTL_DIR / "csr"
SOURCES = [CSR_DIR / "le_csr_reg_pkg.sv", CSR_DIR / "le_csr_reg.sv",
           rtl_launch.REPO_ROOT / "tests" / "hdl" / "le_csr_reg_tb.sv"]
WAIVERS = CSR_DIR / "le_csr_reg.vlt"     # Verilator waivers for the generated SV (reasons in the file)


@pytest.mark.sim
def test_rtl_csr() -> None:
    rtl_launch.run(SOURCES, "le_csr_reg_tb", "csr", "rtl_csr", extra_args=[str(WAIVERS)])
