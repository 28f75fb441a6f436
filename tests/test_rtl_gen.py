"""Generated RTL tables (eda/rtl_gen.py) are current and equal the golden tables.

rtl/le_exp_lut_rom.sv is written by `python -m eda.rtl_gen` from models.ops.EXP_LUT. These tests fail when
the committed file is stale (differs from what the generator writes now) and, independently of the
generator, when the ROM's case table is not ops.EXP_LUT bit for bit.
"""

from __future__ import annotations

import re
from pathlib import Path

from eda import rtl_gen
from models import ops

ROOT = Path(__file__).resolve().parents[1]
ROM = ROOT / "rtl" / "le_exp_lut_rom.sv"


def test_generated_rtl_is_current() -> None:
    bad = rtl_gen.stale()
    assert not bad, f"stale generated RTL {bad}: run `python -m eda.rtl_gen` and commit the result"


def test_exp_lut_rom_equals_ops_exp_lut() -> None:
    """Parse the committed case table (not the generator) and compare it with ops.EXP_LUT entry by entry."""
    entries = re.findall(r"^\s*8'd(\d+)\s*:\s*val_o\s*=\s*16'd(\d+)\s*;", ROM.read_text(), flags=re.MULTILINE)
    idx = [int(f) for f, _ in entries]
    assert sorted(idx) == list(range(256)), "the ROM must list every f = 0 .. 255 exactly once"
    table = {int(f): int(v) for f, v in entries}
    bad = [f for f in range(256) if table[f] != int(ops.EXP_LUT[f])]
    assert not bad, f"EXP_LUT ROM differs from ops.EXP_LUT at f = {bad[:10]}"


def test_stale_file_is_detected(tmp_path: Path) -> None:
    rtl_gen.write_all(tmp_path)
    assert rtl_gen.stale(tmp_path) == []
    rom = tmp_path / "le_exp_lut_rom.sv"
    rom.write_text(rom.read_text().replace("8'd17 : val_o = 16'd31294;", "8'd17 : val_o = 16'd31295;"))
    assert rtl_gen.stale(tmp_path) == ["le_exp_lut_rom.sv"]
    rom.unlink()
    assert rtl_gen.stale(tmp_path) == ["le_exp_lut_rom.sv"]


def test_check_cli_exit_code() -> None:
    assert rtl_gen.main(["--check"]) == 0
