"""Generators of the RTL files that are tables of the golden model (kept in git, checked for staleness).

    python -m eda.rtl_gen            # (re)write the generated files in rtl/
    python -m eda.rtl_gen --check    # exit 1 and name the stale files if any differs from its generator

Generated files:
  rtl/le_exp_lut_rom.sv   the softmax EXP_LUT (models.ops.EXP_LUT) as an always_comb case table.

tests/test_rtl_gen.py fails when a committed file differs from what its generator writes now.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

from models import ops

REPO_ROOT = Path(__file__).resolve().parents[1]
RTL_DIR = REPO_ROOT / "rtl"


def exp_lut_rom_sv() -> str:
    """rtl/le_exp_lut_rom.sv: a 256 x 16 combinational ROM, val_o = EXP_LUT[f_i]."""
    lut = [int(v) for v in ops.EXP_LUT]
    if len(lut) != 1 << ops.SCORE_FB or lut[0] != 1 << ops.EXP_FB or not all(0 < v < 1 << 16 for v in lut):
        raise ValueError("ops.EXP_LUT is not a 256-entry table of uint16 values starting at 2^EXP_FB")
    head = """\
// Copyright layer-engine contributors. Licensed under the Apache License, Version 2.0.
//
// GENERATED FILE - do not edit. Written by `python -m eda.rtl_gen` from models.ops.EXP_LUT;
// tests/test_rtl_gen.py fails when this file is stale.
//
// le_exp_lut_rom: the softmax exponent table, val_o = EXP_LUT[f_i] (combinational ROM).
//
//   EXP_LUT[f] = round_half_up(2^15 * 2^(-f/256)), f = 0 .. 255 (Q1.15, EXP_LUT[0] = 32768)
//
// Golden twin:         models.ops.EXP_LUT (docs/numerics.md, "softmax").
// Latency:             0 cycles (combinational; the user registers the output).
// Initiation interval: 1 cycle.
// Throughput:          1 look-up per cycle.
//
// 256 x 16 bits: a 4 Kb table. Synthesis maps the case table onto LUTs (about 16 x 4 LUT6 per bit
// slice), or onto a block RAM / ROM when the user's output register is absorbed into it.

module le_exp_lut_rom (
  input  logic [7:0]  f_i,     // fractional part of d = max - z (d & 255)
  output logic [15:0] val_o    // EXP_LUT[f_i], unsigned Q1.15
);

  always_comb begin
    unique case (f_i)
"""
    body = "".join(f"      8'd{f:<3d}: val_o = 16'd{v};\n" for f, v in enumerate(lut))
    tail = """\
      default: val_o = '0;
    endcase
  end

endmodule
"""
    return head + body + tail


GENERATED: dict[str, Callable[[], str]] = {
    "le_exp_lut_rom.sv": exp_lut_rom_sv,
}


def stale(rtl_dir: Path = RTL_DIR) -> list[str]:
    """Names of the generated files whose committed text differs from the generator's output."""
    return [name for name, gen in GENERATED.items()
            if not (rtl_dir / name).is_file() or (rtl_dir / name).read_text() != gen()]


def write_all(rtl_dir: Path = RTL_DIR) -> list[Path]:
    out = []
    for name, gen in GENERATED.items():
        path = rtl_dir / name
        path.write_text(gen())
        out.append(path)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m eda.rtl_gen", description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only check; exit 1 if a generated file is stale")
    args = parser.parse_args(argv)
    if args.check:
        bad = stale()
        for name in bad:
            print(f"rtl/{name} is stale: run `python -m eda.rtl_gen`", file=sys.stderr)
        return 1 if bad else 0
    for path in write_all():
        print(f"wrote {path.relative_to(REPO_ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
