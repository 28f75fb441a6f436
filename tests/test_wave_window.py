"""Waves where they matter (regress/wave_window.py, eda/vpi_main.py, eda/le_vpi_main.cpp, verif/env/gtkw.py): the
dump window around a focus time, the plusargs a waves rerun gets, the failing run's end time, the operator scopes
of the save file, the save file's names (ranges as Verilator's FST declares them), and our main() in place of
cocotb's. The slow test runs one waves build: the windowed dump is a fraction of the full one, the run unchanged."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from eda import vpi_main
from regress import wave_window as ww
from regress.rerun import failure_window
from regress.results import RunResult
from verif.env import gtkw

REPO = Path(__file__).resolve().parents[1]


def test_window_bounds_and_plusargs(tmp_path: Path) -> None:
    w = ww.Window(focus_ps=37_270_000, before=500, after=100)
    assert (w.from_ps, w.to_ps) == (37_270_000 - 500 * ww.CLK_PS, 37_270_000 + 100 * ww.CLK_PS)
    assert ww.Window(1_000, before=500).from_ps == 0                 # never before time 0
    assert ww.Window(5_000_000, after=None).to_ps is None            # to the end of the run
    args = ww.plusargs(w, tmp_path, ("u_dut.u_attn.u_softmax",))
    assert f"+{vpi_main.FROM_PLUSARG}={w.from_ps}" in args and f"+{vpi_main.TO_PLUSARG}={w.to_ps}" in args
    assert f"+le_gtkw={tmp_path / ww.GTKW_FILE}" in args and "+le_gtkw_cursor_ps=37270000" in args
    assert "+le_gtkw_scopes=u_dut.u_attn.u_softmax" in args
    assert not any(a.startswith(f"+{vpi_main.TO_PLUSARG}") for a in ww.plusargs(ww.Window(9, after=None), tmp_path))
    assert ww.plusargs(w, tmp_path, ("u_dut.u_attn.u_softmax",), save_file=False) == \
        vpi_main.window_plusargs(w.from_ps, w.to_ps)                       # a systemc run: the window only
    with pytest.raises(ValueError):
        vpi_main.window_plusargs(10, 5)


def test_clock_matches_the_testbench() -> None:
    from verif.env.host import CLK_NS
    assert ww.CLK_PS == CLK_NS * 1000


def test_end_time_from_the_recorded_run() -> None:
    assert ww.end_ps(182540.0) == 182_540_000 and ww.end_ps(3) == 3000
    assert ww.end_ps(None) is None and ww.end_ps("") is None


def test_failure_window_for_pyuvm_runs_only(tmp_path: Path) -> None:
    res = RunResult("t.w64.s1", "t", "T", "w64", 1, "", str(tmp_path), [], {})
    assert failure_window(res, tmp_path / "rerun") == []                     # no recorded end: the whole run
    res.sim_time_ns = 100_000.0
    args = failure_window(res, tmp_path / "rerun")
    assert f"+{vpi_main.FROM_PLUSARG}={100_000_000 - ww.BEFORE_CYCLES * ww.CLK_PS}" in args
    assert not any(a.startswith(f"+{vpi_main.TO_PLUSARG}") for a in args)       # to the end: the failure
    res.engine = "systemc"
    assert failure_window(res, tmp_path / "rerun") == []


_INSTANCE = re.compile(r"\)\s*(u_\w+)\s*\(|^\s*le_\w+\s+(u_\w+)\s*\(", re.M)    # `) u_x (` or `le_m u_x (`


def _instances() -> set[str]:
    """Every instance name in rtl/*.sv."""
    return {m for f in (REPO / "rtl").glob("*.sv") for pair in _INSTANCE.findall(f.read_text()) for m in pair if m}


def test_every_operator_scope_is_an_rtl_instance() -> None:
    from regress.debug_probe import OPERATORS
    assert set(ww.SCOPES) == set(OPERATORS)                          # every probed value has its scopes
    inst = _instances()
    for name, paths in ww.SCOPES.items():
        for path in paths:
            parts = path.split(".")
            assert parts[0] == "u_dut" and all(p in inst for p in parts[1:]), f"{name}: {path}"


class _Sig:
    def __init__(self, path: str, width: int | None) -> None:
        self._path, self._name = path, path.rsplit(".", 1)[-1]
        self.range = None if width is None else SimpleNamespace(left=width - 1, right=0)
        self._width = width

    def __len__(self) -> int:
        return self._width or 1


class LogicObject(_Sig):
    pass


class PackedObject(_Sig):
    pass


class _Scope:
    def __init__(self, children: dict[str, Any]) -> None:
        self._children = children
        for k, v in children.items():
            setattr(self, k, v)

    def __iter__(self) -> Any:
        return iter(self._children.values())


def test_save_file_names_ranges_marker_and_groups() -> None:
    sm = "le_tb_top.u_dut.u_attn.u_softmax"
    softmax = _Scope({"in_z_i": PackedObject(f"{sm}.in_z_i", 16), "in_valid_i": LogicObject(f"{sm}.in_valid_i", None),
                      "max_q": PackedObject(f"{sm}.max_q", 16), "rst_ni": LogicObject(f"{sm}.rst_ni", None),
                      "one_o": PackedObject(f"{sm}.one_o", 1)})
    top = _Scope({"clk": LogicObject("le_tb_top.clk", None),
                  "u_dut": _Scope({"u_attn": _Scope({"u_softmax": softmax}),
                                   "main_phase": PackedObject("le_tb_top.u_dut.main_phase", 3)})})
    out = gtkw.lines(top, "/w/dump.fst", ["u_dut.u_attn.u_softmax", "u_dut.u_gone"], 37_270_000, 32_270_000)
    assert '[dumpfile] "/w/dump.fst"' in out and "[timestart] 32270000" in out
    assert out[3].startswith("*-20.000000 37270000 ")
    names = [ln for ln in out if ln.startswith("TOP.")]
    assert names == ["TOP.le_tb_top.clk", "TOP.le_tb_top.u_dut.main_phase[2:0]", f"TOP.{sm}.in_valid_i",
                     f"TOP.{sm}.in_z_i[15:0]", f"TOP.{sm}.one_o[0:0]", f"TOP.{sm}.rst_ni"]   # ports only, sorted
    assert out[out.index(f"TOP.{sm}.in_z_i[15:0]") - 1] == "@22" and out[out.index("TOP.le_tb_top.clk") - 1] == "@28"
    assert "-u_dut.u_gone: not in this build" in out


def test_our_main_replaces_cocotbs(monkeypatch: pytest.MonkeyPatch) -> None:
    import cocotb_tools.config
    import cocotb_tools.runner
    theirs = str(cocotb_tools.config.share_dir / "lib" / "verilator" / "verilator.cpp")
    monkeypatch.setattr(cocotb_tools.runner.Verilator, "_build_command",
                        lambda self: [["verilator", "-cc", theirs, "top.sv"], ["make", "-C", "b"]])
    cmds = vpi_main.LeMainVerilator()._build_command()
    assert cmds[0] == ["verilator", "-cc", str(vpi_main.MAIN), "top.sv"] and cmds[1] == ["make", "-C", "b"]
    monkeypatch.setattr(cocotb_tools.runner.Verilator, "_build_command", lambda self: [["verilator", "top.sv"]])
    with pytest.raises(RuntimeError, match="no longer names"):
        vpi_main.LeMainVerilator()._build_command()


@pytest.mark.slow
@pytest.mark.sim
def test_windowed_dump_is_a_slice_of_the_run(tmp_path: Path) -> None:
    """One waves build of smoke w64 (cached): the same run dumped whole and in a 500-cycle window; the window's
    FST is a small fraction of the whole one, the run's transactions are the same bit for bit, and the save file
    names the softmax ports and the phase signals with their ranges."""
    if shutil.which("gcc") is None:
        pytest.skip("no C compiler")
    outs = {}
    window = ww.Window(55_000_000, before=500, after=0)
    for name in ("whole", "window"):
        out = tmp_path / name
        extra = ww.plusargs(window, out, ww.SCOPES["p"]) if name == "window" else []
        cmd = [str(REPO / ".venv" / "bin" / "python"), "-m", "regress.simrun", "--toplevel", "le_tb_top",
               "--filelist", "rtl/layer_engine.f", "--filelist", "verif/hdl/le_tb.f", "--param", "MAX_VOCAB=4096",
               "--param", "AXI_DATA_W=64", "--x-random", "--module", "verif.tests.smoke", "--test", "SmokeTest",
               "--seed", "1", "--out", str(out), *[a for p in extra for a in ("--plusarg", p)]]
        done = subprocess.run(cmd, cwd=REPO, env={**os.environ, "LE_WAVES": "1"}, capture_output=True,
                              text=True, check=False, timeout=900)
        assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
        outs[name] = out
    whole, windowed = (outs[n] / "dump.fst" for n in ("whole", "window"))
    assert whole.stat().st_size > 5 * windowed.stat().st_size > 0
    assert (outs["whole"] / "txn_log.sha256").read_text() == (outs["window"] / "txn_log.sha256").read_text()
    saved = (outs["window"] / ww.GTKW_FILE).read_text().splitlines()
    assert f"[timestart] {window.from_ps}" in saved and f'[dumpfile] "{windowed}"' in saved
    assert "TOP.le_tb_top.u_dut.u_attn.u_softmax.out_p_o[15:0]" in saved
    assert "TOP.le_tb_top.u_dut.u_exec.state_q[3:0]" in saved
    if shutil.which("fst2vcd"):                   # GTKWave's converter (Debian gtkwave): the dumped times
        vcd = subprocess.run(["fst2vcd", str(windowed)], capture_output=True, text=True, check=True).stdout
        times = [int(ln[1:]) for ln in vcd.splitlines() if ln.startswith("#")]
        assert window.from_ps <= times[0] < window.from_ps + ww.CLK_PS and times[-1] <= window.focus_ps
        assert "$var wire 16" in vcd and "out_p_o [15:0]" in vcd
