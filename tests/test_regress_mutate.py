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
from regress.mutants import SEL, generate
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
    assert "PASS" in (tmp_path / "out" / "selfcheck" / "pyuvm" / "run.log").read_text()
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


def test_tree_is_the_whole_rtl_with_the_select() -> None:
    """The instrumented tree holds every file of rtl/layer_engine.f and its own filelist (the select package first,
    the bind last), so eda/scbuild.py builds the SystemC harness from it (regress.scrun --rtl-root); no build."""
    from eda.simbuild import read_file_list
    generated, _ = generate(REPO, mutate.rtl_files())
    rounding = next(m for m in generated if (m.original.strip(), m.mutated.strip()) == ROUNDING)
    tree = mutate.tree_for(["rtl/le_requant.sv"], [rounding], "le_tb_top")
    sources, extra = read_file_list(tree / "rtl" / "layer_engine.f", tree)
    assert sources[0] == tree / "rtl" / "le_mut_pkg.sv" and sources[-1] == tree / "rtl" / "le_mut_bind.sv"
    assert "-Wno-fatal" in extra and all(str(p).startswith(str(tree)) for p in sources)
    header = tree / "rtl" / "le_assert.svh"           # the assertion macros, ahead of every module that uses them
    assert header.is_file() and sources.index(header) < sources.index(tree / "rtl" / "le_pkg.sv")
    assert f"({SEL} == {rounding.id})" in (tree / "rtl" / "le_requant.sv").read_text()
    assert "bind le_tb_top le_mut_sel" in (tree / "rtl" / "le_mut_bind.sv").read_text()


def test_runs_cheap_first_nested_suites_and_the_mutant_plusarg_reaches_the_harness() -> None:
    """Runs are tried cheapest first (by timeout, systemc ahead of pyuvm at the same timeout), all at master seed
    1 (nightly's random seeds would make the score irreproducible); `smoke,nightly` tries smoke's runs first, so
    one measurement scores both; suites listed the wrong way round are one line."""
    from regress import scrun
    from regress.testlist import load
    tl = load()
    runs, bounds = mutate._runs(tl, "smoke")
    assert bounds == [("smoke", len(runs))] and {sd for _, _, sd in runs} == {1}
    assert [s.timeout for s, _, _ in runs] == sorted(s.timeout for s, _, _ in runs)
    assert runs[0][0].engine == "systemc" and {s.engine for s, _, _ in runs} == {"systemc", "pyuvm"}
    both, bounds = mutate._runs(tl, "smoke,nightly")
    (smoke, n_smoke), (nightly, n_all) = bounds
    assert (smoke, nightly) == ("smoke", "nightly")
    assert both[:n_smoke] == runs and n_all == len(both) == len(mutate._runs(tl, "nightly")[0])
    with pytest.raises(mutate.MutateError, match="nightly,smoke: smoke does not hold every run"):
        mutate._runs(tl, "nightly,smoke")
    knobs, rest = scrun.split_plusargs(["+le_mutant=7", "+le_tokens=2"])
    assert knobs == {"tokens": "2"} and rest == ["+le_mutant=7"]


def test_score_per_nested_suite(tmp_path: Path) -> None:
    """A mutant killed by a nightly-only run counts for nightly, not for smoke; the report has a line per suite."""
    from regress.mutants import Mutant
    vs = [mutate.Verdict(Mutant(i, "rtl/x.sv", i, "const", "a", "b")) for i in range(1, 5)]
    vs[0].status, vs[0].killed_in = "killed", ("smoke", "nightly")
    vs[1].status, vs[1].killed_in = "killed", ("nightly",)
    vs[2].status, vs[3].status = "survived", "waived"
    assert mutate.score(vs, "smoke") == (1, 3, 100 / 3) and mutate.score(vs, "nightly")[:2] == (2, 3)
    lines = mutate.report(vs, [], "smoke,nightly", tmp_path)
    assert lines[:2] == ["mutation score of smoke: 1/3 = 33.3 % (1 waived)",
                         "mutation score of nightly: 2/3 = 66.7 % (1 waived)"]
    doc = json.loads((tmp_path / "mutate.json").read_text())
    assert doc["scores"]["smoke"]["killed"] == 1 and doc["mutants"][1]["killed_in"] == ["nightly"]
    assert mutate.parse_gate("smoke=95,nightly=98", "smoke,nightly") == {"smoke": 95.0, "nightly": 98.0}
    assert mutate.gate_misses(vs, {"smoke": 30, "nightly": 66}) == []
    assert mutate.gate_misses(vs, {"smoke": 95, "nightly": 66}) == ["smoke 33.3% < 95%"]
    for bad, why in (("rand=90", "'rand' is not one of --suite smoke,nightly"), ("smoke=high", "SUITE=PERCENT")):
        with pytest.raises(mutate.MutateError, match=why):
            mutate.parse_gate(bad, "smoke,nightly")


def test_a_waiver_with_a_line_matches_only_that_line(tmp_path: Path) -> None:
    """`line:` pins a waiver to one site: the same text on another line of the file is not waived."""
    from regress.mutants import Mutant
    a = Mutant(1, "rtl/x.sv", 10, "const", "1'b0", "1'b1")
    b = Mutant(2, "rtl/x.sv", 20, "const", "1'b0", "1'b1")
    anywhere = {"file": "rtl/x.sv", "original": "1'b0", "mutated": "1'b1", "reason": "r"}
    pinned = {**anywhere, "line": 20}
    assert mutate._waived(a, [anywhere]) and mutate._waived(b, [anywhere])
    assert mutate._waived(a, [pinned]) is None and mutate._waived(b, [pinned]) == pinned
    (tmp_path / "w.yaml").write_text("waivers:\n  - {file: x.sv, original: a, mutated: b, reason: r, line: -3}\n")
    with pytest.raises(mutate.MutateError, match="waiver 0: line -3: a line number >= 1"):
        mutate.load_waivers(tmp_path / "w.yaml")


def test_shipped_waivers_all_match() -> None:
    """Every reviewed waiver in verif/mutation_waivers.yaml matches a generated mutant (none stale)."""
    everything, _ = generate(mutate.REPO, mutate.rtl_files())
    stale = [w for w in mutate.load_waivers() if not any(mutate._waived(m, [w]) for m in everything)]
    assert stale == []
