"""`regress mutate`'s machinery on a few real mutants, cheaply: the operator-level testbench of le_requant (its
cocotb test against the golden requant) as the suite, so the mutant build is one small module. Shown: mutant 0
(the design as written) passes the self-check, the select reaches the RTL (a rounding mutant is killed with the
test's own message), a waived mutant is not run, a waiver that matches nothing is reported stale, the report and
the score. The full measurement with the smoke / nightly suites is `regress mutate` (docs/regress.md)."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from regress import mutate
from regress.mutants import generate
from regress.testlist import parse

REPO = Path(__file__).resolve().parents[1]
TESTLIST = f"""
build:
  toplevel: le_requant
  filelists: [rtl/layer_engine.f]
  configs: {{op: {{}}}}
tests:
  requant: {{class: requant_matches_golden, module: {REPO}/tests/rtl/cocotb_requant.py, configs: [op], timeout: 600}}
suites:
  q: {{tests: [requant]}}
"""
ROUNDING = ("prod_t'((ProdW'(1) << r_q1) >> 1)", "prod_t'((ProdW'(1) << r_q1) >> 0)")   # rounds at 1, not 1/2
DROP_BIAS = ("prod_q + rnd_q", "prod_q")


@pytest.mark.sim
def test_mutate_machinery_on_le_requant(tmp_path: Path) -> None:
    generated, _ = generate(REPO, mutate.rtl_files())           # ids are global: the same with --modules
    by_text = {(m.original.strip(), m.mutated.strip()): m for m in generated}
    rounding, drop = by_text[ROUNDING], by_text[DROP_BIAS]
    waivers = tmp_path / "waivers.yaml"
    waivers.write_text(f"""waivers:
  - {{file: rtl/le_requant.sv, original: "{DROP_BIAS[0]}", mutated: "{DROP_BIAS[1]}", reason: "planted: skip it"}}
  - {{file: rtl/le_requant.sv, original: "a_gone + b", mutated: "a_gone - b", reason: "a line that changed"}}
""")
    said: list[str] = []
    verdicts, stale = mutate.measure(parse(TESTLIST), "q", ["rtl/le_requant.sv"], None, 1, 2, tmp_path / "out",
                                     say=said.append, ids=[rounding.id, drop.id], waivers_path=waivers)
    v = {x.mutant.id: x for x in verdicts}
    assert v[rounding.id].status == "killed" and v[rounding.id].by == "requant.op.s1", said
    assert v[rounding.id].how == "fail" and v[rounding.id].message, v[rounding.id]
    assert v[drop.id].status == "waived" and not (tmp_path / "out" / "runs" / f"m{drop.id}").exists()
    assert [w["original"] for w in stale] == ["a_gone + b"]
    assert "PASS" in (tmp_path / "out" / "selfcheck" / "run.log").read_text()
    lines = mutate.report(verdicts, stale, "q", tmp_path / "out")
    assert lines[0] == "mutation score of q: 1/1 = 100.0 % (1 waived)"
    doc = json.loads((tmp_path / "out" / "mutate.json").read_text())
    assert doc["score_pct"] == 100.0 and {m["status"] for m in doc["mutants"]} == {"killed", "waived"}
    assert any("a_gone" in ln for ln in lines)


def test_bad_input_is_one_line(tmp_path: Path) -> None:
    tl = parse(TESTLIST)
    with pytest.raises(mutate.MutateError, match="--ids: no mutant"):
        mutate.measure(tl, "q", ["rtl/le_requant.sv"], None, 1, 1, tmp_path, ids=[99999],
                       waivers_path=tmp_path / "none.yaml")
    (tmp_path / "w.yaml").write_text("waivers:\n  - {file: x.sv, original: a, mutated: b}\n")
    with pytest.raises(mutate.MutateError, match="waiver 0: needs file, original, mutated and a reason"):
        mutate.load_waivers(tmp_path / "w.yaml")
    with pytest.raises(mutate.MutateError, match=r"unknown suite .nosuch. \(known: q\)"):
        mutate.measure(tl, "nosuch", ["rtl/le_requant.sv"], None, 1, 1, tmp_path, waivers_path=tmp_path / "n.yaml")
