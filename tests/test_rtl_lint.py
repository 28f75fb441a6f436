"""Lint every rtl/*.sv file with verible-verilog-lint and `verilator --lint-only -Wall`, and check that the
RTL also goes through Verilator's SystemC mode (`--sc`) unchanged.

Files are discovered at collection time, so every file that appears in rtl/ is linted (one test id per
file and tool: a failure names the file). Packages (`*_pkg.sv`, le_pkg.sv first) are passed ahead of the
file under test; modules it instantiates are found with `-y rtl` (file name = module name). Any warning
fails the test with the tool's output. Waivers live only in rtl/lint/ (verilator.vlt, verible.rules,
verible.waiver), each with its reason.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from regress import toolchain

ROOT = Path(__file__).resolve().parents[1]
RTL = ROOT / "rtl"
LINT = RTL / "lint"
VLT = LINT / "verilator.vlt"
VERIBLE_RULES = LINT / "verible.rules"
VERIBLE_WAIVER = LINT / "verible.waiver"
SV_FILES = sorted(RTL.glob("*.sv"))
OUR_FILES = ("le_pkg.sv", "le_pipe_ctrl.sv", "le_requant.sv", "le_score_scale_clamp.sv",
             "le_residual_add.sv", "le_act_lut.sv")


def _strip_comments(text: str) -> str:
    text = re.sub(r"/\*.*?\*/", " ", text, flags=re.DOTALL)
    return re.sub(r"//[^\n]*", "", text)


def _declared(path: Path, keyword: str) -> list[str]:
    code = _strip_comments(path.read_text(errors="replace"))
    return re.findall(rf"^\s*{keyword}\s+(?:automatic\s+|static\s+)?(\w+)", code, flags=re.MULTILINE)


def _packages() -> list[Path]:
    """Package files, le_pkg.sv first (others may import it), then the rest by name."""
    pkgs = [p for p in SV_FILES if _declared(p, "package")]
    return sorted(pkgs, key=lambda p: (p.name != "le_pkg.sv", p.name))


def _run(cmd: list[str | Path], systemc: bool = False) -> subprocess.CompletedProcess[str]:
    env = toolchain.setup_env()
    if systemc:
        env.update(toolchain.systemc().env())   # SYSTEMC_INCLUDE/SYSTEMC_LIBDIR for --sc code generation
    return subprocess.run([str(c) for c in cmd], cwd=ROOT, env=env, capture_output=True, text=True,
                          check=False, timeout=300)


def _verilator_cmd(sv: Path, *mode: str) -> list[str | Path]:
    """verilator <mode> -Wall over the packages + `sv`, top = the module `sv` declares (if any)."""
    pkgs = _packages()
    modules = _declared(sv, "module")
    cmd: list[str | Path] = [toolchain.verilator(), *mode, "-Wall", "-y", RTL, "+libext+.sv", VLT]
    cmd += [p for p in pkgs if p != sv] + [sv]
    if modules:
        cmd += ["--top-module", modules[0]]
    return cmd


def _fail_on_output(what: str, sv: Path, done: subprocess.CompletedProcess[str], pattern: str) -> None:
    output = (done.stdout + done.stderr).strip()
    if done.returncode != 0 or re.search(pattern, output, flags=re.MULTILINE):
        pytest.fail(f"{what} failed on rtl/{sv.name} (exit {done.returncode}):\n{output}", pytrace=False)


def test_rtl_files_present() -> None:
    names = {p.name for p in SV_FILES}
    missing = [n for n in OUR_FILES if n not in names]
    assert not missing, f"missing from rtl/: {missing}"
    for f in (VLT, VERIBLE_RULES, VERIBLE_WAIVER):
        assert f.is_file(), f


@pytest.mark.parametrize("sv", SV_FILES, ids=lambda p: p.name)
def test_verible_lint(sv: Path) -> None:
    done = _run([toolchain.verible_lint(), f"--rules_config={VERIBLE_RULES}", f"--waiver_files={VERIBLE_WAIVER}",
                 sv.relative_to(ROOT)])
    _fail_on_output("verible-verilog-lint", sv, done, r"\S")


@pytest.mark.parametrize("sv", SV_FILES, ids=lambda p: p.name)
def test_verilator_lint_wall(sv: Path) -> None:
    done = _run(_verilator_cmd(sv, "--lint-only"))
    _fail_on_output("verilator --lint-only -Wall", sv, done, r"^%(Warning|Error)")


@pytest.mark.parametrize("sv", SV_FILES, ids=lambda p: p.name)
def test_verilator_sc_mode(sv: Path, tmp_path: Path) -> None:
    """The same sources lint in SystemC mode and, for modules, Verilator generates the SystemC model.

    `--sc --lint-only` checks the front end in SC mode; the second run (modules only) emits the SystemC
    C++ (ports as sc_in/sc_out) into a scratch directory without compiling it, so a construct that the
    SC back end rejects is caught here too. The full SC compile and link is covered by
    tests/test_toolchain.py::test_systemc_smoke_links_and_runs.
    """
    done = _run(_verilator_cmd(sv, "--sc", "--lint-only"), systemc=True)
    _fail_on_output("verilator --sc --lint-only -Wall", sv, done, r"^%(Warning|Error)")
    if not _declared(sv, "module"):
        return
    done = _run([*_verilator_cmd(sv, "--sc"), "--Mdir", tmp_path / "obj"], systemc=True)
    _fail_on_output("verilator --sc (SystemC code generation)", sv, done, r"^%(Warning|Error)")
    top = _declared(sv, "module")[0]
    header = (tmp_path / "obj" / f"V{top}.h").read_text()
    assert "sc_core::sc_module" in header and re.search(r"sc_core::sc_in<", header), f"V{top}.h is not a SystemC model"
