"""Launcher: rtl/le_stall_gate.sv alone; the cocotb tests are tests/rtl/cocotb_stall_gate.py.

Fast (one small build, four short runs): a wire without ``+le_stall``; the stream protocol under ``+le_stall=60``;
the same ``+le_seed`` reproduces the gate's decisions bit for bit, another seed does not. Slow: each check shown
to fail on a planted bug in a scratch copy of the gate (closing on an offer it has shown; gating valid but not
ready), once stopped by the gate's assertion (the build with assertions) and once by the cocotb checker
(``LE_ASSERT=0``).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import rtl_launch

from eda import simbuild

TOP = "le_stall_gate"
PCT = 60

PLANTS = {   # assertion that must stop the run -> (text as written, planted text, the cocotb checker's message)
    "GateValidHeld_A": ("assign offered_d = valid_o && !ready_i;", "assign offered_d = 1'b0;",
                        "valid_o withdrawn before its handshake"),
    "GateOneHandshake_A": ("assign ready_o = ready_i && open_gate;", "assign ready_o = ready_i;",
                           "upstream handshake"),
}


def _run(src: Path, name: str, plusargs: list[str], test: str) -> Path:
    return rtl_launch.run([src], TOP, "stall_gate", name, plusargs=plusargs, test_filter=test)


def _digest(run_dir: Path) -> str:
    return (run_dir / "trace.sha256").read_text().strip()


@pytest.mark.sim
def test_rtl_stall_gate() -> None:
    src = rtl_launch.RTL_DIR / f"{TOP}.sv"
    _run(src, "rtl_stall_gate_wire", [], "wire")
    runs = {name: _run(src, f"rtl_stall_gate_{name}", [f"+le_stall={PCT}", f"+le_seed={seed}"], "protocol")
            for name, seed in (("s7a", 7), ("s7b", 7), ("s8", 8))}
    assert _digest(runs["s7a"]) == _digest(runs["s7b"]), "the same +le_seed gave different stalls"
    assert _digest(runs["s7a"]) != _digest(runs["s8"]), "two seeds gave the same stalls"


@pytest.mark.sim
@pytest.mark.slow
@pytest.mark.parametrize("label", sorted(PLANTS))
@pytest.mark.parametrize("assertions", [True, False], ids=["sva", "cocotb"])
def test_rtl_stall_gate_planted(label: str, assertions: bool, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                capfd: pytest.CaptureFixture[str]) -> None:
    """A planted bug fails the run: by the assertion `label` (assertions on), by the cocotb checker (off)."""
    original, planted, message = PLANTS[label]
    src = tmp_path / f"{TOP}.sv"
    text = (rtl_launch.RTL_DIR / f"{TOP}.sv").read_text()
    assert text.count(original) == 1, f"{original!r} is not in rtl/{TOP}.sv"
    src.write_text(text.replace(original, planted))
    shutil.copy(rtl_launch.RTL_DIR / simbuild.ASSERT_HEADER, tmp_path / simbuild.ASSERT_HEADER)
    monkeypatch.setenv("LE_ASSERT", "1" if assertions else "0")
    name = f"rtl_stall_gate_planted_{label}_{'sva' if assertions else 'cocotb'}"
    with pytest.raises(AssertionError) as failed:
        _run(src, name, [f"+le_stall={PCT}", "+le_seed=7"], "protocol")
    out = capfd.readouterr()
    log = out.out + out.err + str(failed.value)
    if assertions:
        assert f"LE_ASSERT {label} failed" in log, log[-3000:]
    else:
        assert "LE_ASSERT" not in log and message in log, log[-3000:]
