"""The CSR map: rtl/csr/le_csr.rdl and everything `python -m eda.csrgen` derives from it.

* the committed generated files are up to date (`csrgen --check`), and a changed RDL is reported stale;
* models/driver.py's CsrMap and bit constants are the RDL's;
* the C header, the pyuvm RAL, docs/csr.md and the HTML docs contain the registers;
* the generated SV passes `verilator --lint-only` (default warnings, with the documented waivers in
  rtl/csr/le_csr_reg.vlt). It is third-party generated code, so it is not in tests/test_rtl_lint.py's
  -Wall/verible scope (that test only globs rtl/*.sv; see its docstring).
The RTL behaviour of the regblock is tested in tests/rtl/test_rtl_csr.py.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from eda import csrgen, toolchain
from models import csr_map, driver

ROOT = Path(__file__).resolve().parents[1]
CSR_DIR = ROOT / "rtl" / "csr"

# Registers the issue requires (the driver's names).
REQUIRED = ("CTRL", "STATUS", "IRQ_ENABLE", "IRQ_STATUS", "D_MODEL", "N_HEADS", "D_HEAD", "D_FF", "N_LAYERS",
            "VOCAB", "MAX_SEQ", "W_TILE_ROWS", "CTX_TILE", "TOKEN_POS", "IMAGE_BASE_LO", "IMAGE_BASE_HI",
            "KV_BASE_LO", "KV_BASE_HI", "PERF_CYCLES_LO", "PERF_CYCLES_HI", "PERF_RD_STALL_CYCLES_LO",
            "PERF_RD_STALL_CYCLES_HI", "PERF_BYTES_RD_LO", "PERF_BYTES_RD_HI", "PERF_BYTES_WR_LO",
            "PERF_BYTES_WR_HI", "ID", "VERSION", "HW_PARAMS", "HW_MAX_DIMS")


def _csrgen(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "eda.csrgen", *args], cwd=ROOT, capture_output=True,
                          text=True, check=False, timeout=300)


def test_generated_files_up_to_date() -> None:
    done = _csrgen("--check")
    assert done.returncode == 0, \
        f"generated CSR files are stale; run `python -m eda.csrgen`:\n{done.stdout}{done.stderr}"


def test_modified_rdl_is_reported_stale(tmp_path: Path) -> None:
    text = csrgen.RDL.read_text()
    changed, n = re.subn(r"cfg_reg TOKEN_POS\s+@ 0x34", "cfg_reg TOKEN_POS   @ 0x48", text)   # move a register
    assert n == 1, "test needs the TOKEN_POS instance line in the RDL"
    rdl = tmp_path / "le_csr.rdl"
    rdl.write_text(changed)
    done = _csrgen("--check", "--rdl", str(rdl))
    assert done.returncode == 1, done.stdout + done.stderr
    for rel in csrgen.GENERATED:        # an offset change touches every generated file
        assert rel in done.stdout, f"{rel} not reported stale:\n{done.stdout}"
    assert csrgen.RDL.read_text() == text


def test_description_change_only_touches_docs(tmp_path: Path) -> None:
    text = csrgen.RDL.read_text()
    rdl = tmp_path / "le_csr.rdl"
    rdl.write_text(text.replace("Attention heads.", "Attention heads (changed)."))
    assert csrgen.stale_files(rdl) == [csrgen.CSR_DOC]


def test_required_registers_and_layout() -> None:
    regs = csr_map.REGISTERS
    assert set(REQUIRED) <= set(regs), sorted(set(REQUIRED) - set(regs))
    offsets = sorted(regs.values())
    assert all(o % 4 == 0 for o in offsets) and len(set(offsets)) == len(offsets)
    for name in ("IMAGE_BASE", "KV_BASE", "PERF_CYCLES", "PERF_RD_STALL_CYCLES", "PERF_BYTES_RD", "PERF_BYTES_WR"):
        assert regs[f"{name}_HI"] == regs[f"{name}_LO"] + 4, name
    assert csr_map.ACCESS["CTRL"] == {"START": "W1P", "SOFT_RESET": "W1P"}
    assert csr_map.ACCESS["IRQ_STATUS"] == {"DONE": "W1C", "ERROR": "W1C"}
    assert set(csr_map.ACCESS["STATUS"].values()) == {"RO"}
    assert csr_map.FIELDS["STATUS"]["ERR_CODE"] == (8, 8)


def test_driver_map_is_the_rdl_map() -> None:
    assert driver.CsrMap().registers() == csr_map.REGISTERS
    assert driver.DEFAULT_CSR_MAP.registers() == csr_map.REGISTERS
    top = csrgen.compile_rdl()
    assert {r.inst_name: r.address_offset for r in top.registers()} == driver.DEFAULT_CSR_MAP.registers()
    # bit constants of the host protocol
    fields = {(r.inst_name, f.inst_name): (f.lsb, f.width) for r in top.registers() for f in r.fields()}
    assert 1 << fields["CTRL", "START"][0] == driver.CTRL_START
    assert 1 << fields["CTRL", "SOFT_RESET"][0] == driver.CTRL_SOFT_RESET
    assert 1 << fields["STATUS", "BUSY"][0] == driver.STATUS_BUSY
    assert 1 << fields["STATUS", "DONE"][0] == driver.STATUS_DONE
    assert 1 << fields["STATUS", "ERROR"][0] == driver.STATUS_ERROR
    assert (driver.STATUS_ERR_CODE_SHIFT, driver.STATUS_ERR_CODE_MASK.bit_length()) == fields["STATUS", "ERR_CODE"]
    for reg in ("IRQ_STATUS", "IRQ_ENABLE"):
        assert 1 << fields[reg, "DONE"][0] == driver.IRQ_DONE
        assert 1 << fields[reg, "ERROR"][0] == driver.IRQ_ERROR
    # the pre-RDL provisional map (kept on purpose: hosts written against it keep working)
    assert (driver.CTRL_START, driver.CTRL_SOFT_RESET, driver.IRQ_DONE, driver.IRQ_ERROR) == (1, 2, 1, 2)
    assert (driver.STATUS_BUSY, driver.STATUS_DONE, driver.STATUS_ERROR, driver.STATUS_ERR_CODE_SHIFT) == (1, 2, 4, 8)


def test_c_header_has_every_register() -> None:
    text = (ROOT / csrgen.C_HEADER).read_text()
    struct = re.search(r"typedef struct[^{]*\{(.*?)\}\s*le_csr_t;", text, re.DOTALL)
    assert struct, "le_csr_t struct missing from the C header"
    members = re.findall(r"uint32_t\s+(\w+);", struct.group(1))
    assert members == sorted(csr_map.REGISTERS, key=csr_map.REGISTERS.get)
    for reg, fields in csr_map.FIELDS.items():
        for field, (lsb, _width) in fields.items():
            assert re.search(rf"#define LE_CSR__{reg}__{field}_bp {lsb}\b", text), f"{reg}.{field}"
    assert "sizeof(le_csr_t) == 0x80" in text


def test_c_header_compiles(tmp_path: Path) -> None:
    src = tmp_path / "t.c"
    src.write_text('#include <stddef.h>\n#include "le_csr.h"\n'
                   + "".join(f'_Static_assert(offsetof(le_csr_t, {r}) == {o}, "{r}");\n'
                             for r, o in csr_map.REGISTERS.items())
                   + "int main(void) { return 0; }\n")
    done = subprocess.run(["gcc", "-std=c11", "-Wall", "-Werror", "-fsyntax-only", f"-I{CSR_DIR}", str(src)],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr


def test_pyuvm_ral_model() -> None:
    pytest.importorskip("pyuvm")
    from verif.ral import le_csr_ral

    block = le_csr_ral.le_csr("le_csr")
    block.build()
    block.lock_model()
    got = {reg.get_name(): reg.get_address() for reg in block.get_registers()}
    assert got == csr_map.REGISTERS


def test_markdown_doc_tables() -> None:
    text = (ROOT / csrgen.CSR_DOC).read_text()
    for reg, offset in csr_map.REGISTERS.items():
        assert f"\n## {reg}\n\nOffset 0x{offset:02X}." in text, reg
        for field in csr_map.FIELDS[reg]:
            assert f"| {field} |" in text, f"{reg}.{field}"


def test_html_generation(tmp_path: Path) -> None:
    out = tmp_path / "html"
    done = _csrgen("--check", "--html", "--html-dir", str(out))
    assert done.returncode == 0, done.stdout + done.stderr
    index = out / "index.html"
    assert index.is_file() and index.stat().st_size > 0
    assert any("PERF_RD_STALL_CYCLES_LO" in p.read_text(errors="replace") for p in out.rglob("*") if p.is_file()
               and p.suffix in (".html", ".json", ".js")), \
        "register names missing from the HTML data"


def test_generated_sv_lints_clean() -> None:
    """verilator --lint-only (default warnings) over the package + regblock with the documented waivers."""
    cmd = [str(toolchain.verilator()), "--lint-only", str(CSR_DIR / "le_csr_reg.vlt"),
           str(CSR_DIR / "le_csr_reg_pkg.sv"), str(CSR_DIR / "le_csr_reg.sv"), "--top-module", "le_csr_reg"]
    done = subprocess.run(cmd, cwd=ROOT, env=toolchain.setup_env(), capture_output=True, text=True, check=False,
                          timeout=300)
    output = (done.stdout + done.stderr).strip()
    assert done.returncode == 0 and not re.search(r"^%(Warning|Error)", output, re.MULTILINE), output


def test_regblock_ports() -> None:
    """The port list the top level will connect (axi4-lite-flat, rst_n, hwif structs)."""
    text = (CSR_DIR / "le_csr_reg.sv").read_text()
    header = text[text.index("module le_csr_reg"):text.index(");")]
    ports = re.findall(r"(?:input|output)\s+(?:wire|logic)?\s*(?:\[[^\]]+\])?\s*(?:le_csr_reg_pkg::\w+\s+)?(\w+)",
                       header)
    assert ports == ["clk", "rst_n", "s_axil_awready", "s_axil_awvalid", "s_axil_awaddr", "s_axil_awprot",
                     "s_axil_wready", "s_axil_wvalid", "s_axil_wdata", "s_axil_wstrb", "s_axil_bready",
                     "s_axil_bvalid", "s_axil_bresp", "s_axil_arready", "s_axil_arvalid", "s_axil_araddr",
                     "s_axil_arprot", "s_axil_rready", "s_axil_rvalid", "s_axil_rdata", "s_axil_rresp",
                     "hwif_in", "hwif_out"]


def test_golden_device_identity_registers() -> None:
    """models.golden_device implements the RDL's read-only ID/VERSION/HW_* registers."""
    import asyncio

    from models.golden_device import GoldenDevice

    async def run() -> None:
        dev = GoldenDevice(b"", axi_data_w=256)
        regs = driver.DEFAULT_CSR_MAP
        assert await dev.csr_read(regs.ID) == driver.CSR_ID_MAGIC == 0x4C454E47
        assert await dev.csr_read(regs.VERSION) == 1 << 16
        lsb, width = csr_map.FIELDS["HW_PARAMS"]["LANES"]
        assert (await dev.csr_read(regs.HW_PARAMS) >> lsb) & ((1 << width) - 1) == 32
        for reg in ("ID", "VERSION", "HW_PARAMS", "HW_MAX_DIMS", "STATUS"):
            before = await dev.csr_read(csr_map.REGISTERS[reg])
            await dev.csr_write(csr_map.REGISTERS[reg], 0x5A5A_5A5A)
            assert await dev.csr_read(csr_map.REGISTERS[reg]) == before, reg

    asyncio.run(run())
