"""regress/mutants.py: which statements get which mutants, what is never mutated, and that the whole RTL with
every generated mutant behind the run-time select still elaborates (Verilator --lint-only, seconds)."""
from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from regress.mutants import SEL, constant_functions, expression_mutants, file_mutants, generate, instrument

REPO = Path(__file__).resolve().parents[1]

SNIPPET = """\
module m #(parameter int W = 8) (input logic clk_i, input logic [W-1:0] a_i, output logic out_valid_o);
  localparam int unsigned Depth = W + 1;
  logic [W-1:0] q, d;
  if (W > 4) begin : gen_big
    assign d = a_i + 8'd3;
  end
  assign out_valid_o = (q == a_i) && q[W-1:0] != '0;
  always_ff @(posedge clk_i) begin
    if (q < a_i) begin
      q <= d >> 1;
    end
  end
  function automatic int unsigned depth_of(int unsigned x);
    return x + 2;
  endfunction
  localparam int unsigned D2 = depth_of(3);
endmodule
"""


def test_operators_and_what_is_left_alone(tmp_path: Path) -> None:
    f = tmp_path / "m.sv"
    f.write_text(SNIPPET)
    consts = constant_functions([SNIPPET])
    assert consts == {"depth_of"}
    ms, skipped = file_mutants(f, "m.sv", 1, frozenset(consts))
    got = {(m.line, m.op, m.mutated.strip()) for m in ms}
    assert (5, "arith", "a_i - 8'd3") in got and (5, "const", "a_i + 8'd4") in got and (5, "drop_term", "a_i") in got
    assert (7, "cmp", "(q != a_i) && q[W-1:0] != '0") in got and (7, "logic", "(q == a_i) || q[W-1:0] != '0") in got
    assert (7, "stuck", "1'b0") in got and (7, "stuck", "1'b1") in got            # out_valid_o
    assert (9, "cmp", "q <= a_i") in got and (9, "negate", "!(q < a_i)") in got
    assert (10, "const", "d >> 2") in got and (10, "const", "d >> 0") in got
    lines = {m.line for m in ms}
    assert not lines & {2, 4, 14, 16}      # localparam, generate if, a function evaluated at elaboration
    assert not any("W-2:0" in m.mutated or "W-0:0" in m.mutated for m in ms)       # [msb:lsb] ranges kept
    assert all(m.id == i for i, m in enumerate(ms, 1)) and skipped == 0
    assert len({(m.line, m.mutated) for m in ms}) == len(ms)                        # no duplicates


def test_no_mutant_in_a_cast_width() -> None:
    muts = [m for _, m in expression_mutants("(W + 1)'(d >> 2) + 1", False, "v =")]
    assert not any(m.startswith(("(W - 1)'", "(W + 2)'", "(W + 0)'")) for m in muts)
    assert "(W + 1)'(d >> 3) + 1" in muts and "(W + 1)'(d >> 2) + 2" in muts


def test_no_equivalent_or_unary_mutants() -> None:
    muts = [m for _, m in expression_mutants("-x + (y >>> 2) + &z", False, "v =")]
    assert "-x + (y >> 2) + &z" not in muts and "-x + (y >>> 2) + |z" not in muts   # no >>> <-> >>, no reduction
    assert "+x + (y >>> 2) + &z" not in muts                                        # unary minus kept
    assert "-x - (y >>> 2) + &z" in muts


def test_the_instrumented_rtl_elaborates_with_every_mutant(tmp_path: Path) -> None:
    from eda import toolchain
    flist = [ln.strip() for ln in (REPO / "rtl" / "layer_engine.f").read_text().splitlines() if ln.strip()]
    files = [f for f in flist if f.endswith(".sv") and "/csr/" not in f]
    mutants, _ = generate(REPO, files)
    per_file = {m.file for m in mutants}
    # no site for the operators: constants-only packages (le_axi_pkg, le_ctrl_pkg: its functions are evaluated
    # at elaboration), the exp ROM, le_score_scale_clamp (a wrapper), le_host_if (plain moves and ternaries)
    assert len(mutants) > 1000 and len(per_file) >= len(files) - 5
    instrument(REPO, tmp_path, files, mutants)
    text = (tmp_path / "rtl" / "le_requant.sv").read_text()
    assert f"({SEL} == " in text
    srcs = [str(tmp_path / "rtl" / "le_mut_pkg.sv")] + [str(tmp_path / f) if f in files else str(REPO / f)
                                                         for f in flist]
    p = subprocess.run([str(toolchain.verilator()), "--lint-only", "-Wno-fatal", "-Wno-lint", "-Wno-style",
                        "--top-module", "layer_engine", *srcs], capture_output=True, text=True, timeout=300)
    errors = [ln for ln in p.stderr.splitlines() if "%Error" in ln]
    assert p.returncode == 0 and not errors, "\n".join(errors[:20])


@pytest.mark.parametrize("bad", ["le_nosuch"])
def test_unknown_module_is_one_line(bad: str) -> None:
    from regress.mutate import MutateError, rtl_files
    with pytest.raises(MutateError, match=f"--modules: unknown {bad} "):
        rtl_files([bad])
