"""eda/listed_public.py: the engine's plain regression builds expose only the signals the pyuvm env reaches (the
.vlt rules of verif/hdl/le_tb_public.vlt) instead of cocotb's --public-flat-rw on the whole design, and compile
with -O3; waves and coverage builds keep the whole design public. The commands are captured without a build;
one sim test runs the regression build (tests/tb_vpi_writes.py)."""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from eda import listed_public, simbuild, vpi_main
from regress.testlist import load

REPO = Path(__file__).resolve().parents[1]
VLT = REPO / "verif" / "hdl" / "le_tb_public.vlt"


def _extra_args() -> list[str]:
    """The extra Verilator arguments of the test list's w128 build (its .f files)."""
    extra: list[str] = []
    for f in load().configs["w128"].filelists:
        extra += simbuild.read_file_list(REPO / f)[1]
    return extra


def test_the_regression_builds_are_listed_and_waves_or_coverage_are_not() -> None:
    extra = _extra_args()
    assert listed_public.public_rule_files(extra) == [VLT]
    assert listed_public.listed(extra, waves=False)
    assert not listed_public.listed(extra, waves=True)
    assert not listed_public.listed([*extra, *simbuild.COVERAGE_ARGS], waves=False)
    assert not listed_public.listed([a for a in extra if not a.endswith(".vlt")], waves=False)


def test_every_listed_module_exists() -> None:
    """A misspelt module in a public rule would silently expose nothing."""
    hdl = " ".join(p.read_text() for p in (REPO / "verif" / "hdl").glob("*.sv")) + \
        " ".join(p.read_text() for p in (REPO / "rtl").glob("*.sv"))
    defined = set(re.findall(r"^module\s+(\w+)", hdl, re.M))
    listed = re.findall(r'-module\s+"(\w+)"', VLT.read_text())
    assert listed and set(listed) <= defined, sorted(set(listed) - defined)


def _captured_build(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    """The commands ListedPublicVerilator would run for a one-module build with the .vlt (not run)."""
    captured: list[list[str]] = []
    runner = listed_public.ListedPublicVerilator()
    monkeypatch.setattr(runner, "_execute", lambda cmds, cwd: captured.extend(list(map(str, c)) for c in cmds))
    monkeypatch.setattr(runner, "_simulator_in_path_build_only", lambda: setattr(runner, "executable", "verilator"))
    src = tmp_path / "t.sv"
    src.write_text("module t; endmodule\n")
    runner.build(sources=[src], hdl_toplevel="t", build_dir=tmp_path / "b", build_args=[str(VLT)])
    return captured


def test_the_runner_drops_flat_public_and_adds_o3(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    captured = _captured_build(tmp_path, monkeypatch)
    verilate, make = captured[0], captured[-1]
    assert "--public-flat-rw" not in verilate and str(VLT) in verilate and "--vpi" in verilate
    assert make[0] == "make" and make[-2:] == list(listed_public.MAKE_OPT)


def test_every_build_gets_our_main(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """eda/le_vpi_main.cpp replaces cocotb's main in the listed builds too (it clocks the pyuvm env's top)."""
    import cocotb_tools.config
    theirs = str(cocotb_tools.config.share_dir / "lib" / "verilator" / "verilator.cpp")
    captured = _captured_build(tmp_path, monkeypatch)
    assert str(vpi_main.MAIN) in captured[0] and theirs not in captured[0]


@pytest.mark.sim
def test_writes_the_env_makes_are_checked_in_the_listed_build(tmp_path: Path) -> None:
    """In the regression build, every signal the env writes takes a VPI write, a read-only one is refused with
    the fix named (Verilator alone ignores such a write silently), and main() clocks le_tb_top."""
    cmd = [sys.executable, "-m", "regress.simrun", "--toplevel", "le_tb_top", "--module",
           str(REPO / "tests" / "tb_vpi_writes.py"), "--test", "VpiWritesTest", "--seed", "1", "--out", str(tmp_path)]
    config = load().configs["w128"]                # the smoke run's build: cached by then
    for f in config.filelists:
        cmd += ["--filelist", f]
    cmd += [f"--param={k}={v}" for k, v in config.parameters.items()] + (["--x-random"] if config.x_random else [])
    done = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, check=False, timeout=900)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "PASS=1" in done.stdout


def test_the_main_clock_names_agree() -> None:
    """eda may not import verif: the define the pyuvm build clocks itself with (verif/hdl/le_tb_pyuvm.f) is the
    variable main() publishes and verif/tests/base.py reads, at the env's period."""
    from verif.env.host import CLK_NS
    from verif.tests.base import MAIN_CLOCK_VAR
    assert vpi_main.CLOCK_DEFINE == MAIN_CLOCK_VAR
    assert f"-D{vpi_main.CLOCK_DEFINE}={CLK_NS * 1000}" in _extra_args()
