"""regress debug's comparison (regress/debug_probe.py) on probe files written from the golden model itself.

A fake probe file is the golden Trace of real tokens written in le_probe.sv's format and in execution order
(head by head: q k v s_raw s p o, then oprime y1 x_att x_att_res u u_act f y2 x x_res per layer, then logits),
with explicit indices where le_probe.sv has them and -1 (arrival order) where it does not. Then one value is
corrupted, or a stream cut short, and the report must name exactly that place.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from models.config import preset
from models.golden import HEAD_NAMES, GoldenEngine, Trace
from models.quant import quantize
from models.random_model import calibration_set, random_inputs, random_weights
from regress.debug import format_report
from regress.debug_probe import OPERATORS, ProbeFormatError, compare, read_golden, read_probe
from regress.rerun import RerunError, retarget
from verif.env.refmodel import save_trace

EXPLICIT = {"q", "k", "v", "s", "o", "oprime", "u", "f", "x_att", "x_att_res", "x", "x_res", "u_act"}
LAYER_ORDER = ("oprime", "y1", "x_att", "x_att_res", "u", "u_act", "f", "y2", "x", "x_res")


@pytest.fixture(scope="module")
def traces() -> tuple[list[Trace], list[int], int, int]:
    cfg = preset("tiny")
    qm = quantize(cfg, random_weights(cfg, 5), calibration_set(cfg, 5))
    x = qm.quantize_x(random_inputs(cfg, 5, 3))
    eng = GoldenEngine(qm)
    trs = []
    for pos in range(3):
        tr = Trace()
        eng.step(x[pos], pos, tr=tr, tok=0)
        trs.append(tr)
    return trs, [0, 1, 2], cfg.n_layers, cfg.n_heads


SKIP, TWICE = "skip", "twice"


def write_probe(path: Path, trs: list[Trace], positions: list[int], n_layers: int, n_heads: int,
                edit: dict[tuple[int, int, int, str, int], int | str | None] | None = None) -> None:
    """le_probe's file for these traces; `edit[(tok, layer, head, name, idx)]` replaces a value (None drops
    it and every later line: the DUT stopped there; SKIP drops only it; TWICE writes it twice)."""
    edit = edit or {}
    lines: list[str] = []
    cycle = 0

    def emit(tok: int, layer: int, head: int, name: str, values: np.ndarray) -> bool:
        nonlocal cycle
        for i, v in enumerate(values):
            key = (tok, layer, head, name, i)
            if key in edit and edit[key] is None:
                return False
            val = edit.get(key, int(v))
            if val == SKIP:
                continue
            for _ in range(2 if val == TWICE else 1):
                cycle += 1
                out = int(v) if val == TWICE else val
                index = i if name in EXPLICIT else -1
                lines.append(f"{cycle} {cycle * 1000} {tok} {layer} {head} {name} {index} {out}")
        return True

    for tok, (tr, pos) in enumerate(zip(trs, positions, strict=True)):
        cycle += 10
        lines.append(f"{cycle} {cycle * 1000} T {tok} {pos}")
        for layer in range(n_layers):
            for head in range(n_heads):
                for name in HEAD_NAMES:
                    if not emit(tok, layer, head, name, tr.get(0, layer, head, name)):
                        path.write_text("\n".join(lines) + "\n")
                        return
            for name in LAYER_ORDER:
                if not emit(tok, layer, -1, name, tr.get(0, layer, None, name)):
                    path.write_text("\n".join(lines) + "\n")
                    return
        if not emit(tok, -1, -1, "logits", tr.get(0, None, None, "logits")):
            break
    path.write_text("\n".join(lines) + "\n")


def write_golden(directory: Path, trs: list[Trace], positions: list[int], failing: tuple[int, ...] = ()) -> None:
    directory.mkdir()
    for n, (tr, pos) in enumerate(zip(trs, positions, strict=True)):
        save_trace(directory / f"t{n}.npz", tr, pos, expect_error=n in failing)


def run_compare(tmp_path: Path, traces, edit=None, dut_positions=None, golden_positions=None, failing=()):
    trs, positions, n_layers, n_heads = traces
    write_probe(tmp_path / "probe.log", trs, dut_positions or positions, n_layers, n_heads, edit)
    write_golden(tmp_path / "golden", trs, golden_positions or positions, failing)
    return compare(read_probe(tmp_path / "probe.log"), read_golden(tmp_path / "golden"))


def test_identical_streams_are_clean(tmp_path: Path, traces) -> None:
    rep = run_compare(tmp_path, traces)
    assert rep.clean and rep.first is None and rep.mismatches == {}
    trs, _, _n_layers, _n_heads = traces
    per_tok = sum(v.size for (_, _, _, name), v in trs[0].values.items()
                  if name in HEAD_NAMES or name in LAYER_ORDER or name == "logits")
    assert rep.values_compared == sum(sum(v.size for (_, _, _, name), v in tr.values.items()
                                          if name in HEAD_NAMES or name in LAYER_ORDER or name == "logits")
                                      for tr in trs)
    assert per_tok > 0 and rep.tokens_compared == 3
    assert "no divergence" in format_report(rep, "x")[-1]


@pytest.mark.parametrize("tok,layer,head,name,idx", [
    (0, 0, 0, "q", 3), (1, 1, 1, "p", 1), (2, 0, 1, "s_raw", 2), (1, 0, -1, "u_act", 17),
    (2, 1, -1, "y2", 5), (2, -1, -1, "logits", 40), (0, 1, -1, "x_att_res", 0),
])
def test_a_corrupted_value_is_the_first_divergence(tmp_path: Path, traces, tok, layer, head, name, idx) -> None:
    trs = traces[0]
    golden = int(trs[tok].get(0, None if layer < 0 else layer, None if head < 0 else head, name)[idx])
    rep = run_compare(tmp_path, traces, edit={(tok, layer, head, name, idx): golden + 3})
    d = rep.first
    assert d is not None
    assert (d.token, d.pos, d.layer, d.head, d.name, d.index) == (tok, tok, layer, head, name, idx)
    assert (d.golden, d.dut) == (golden, golden + 3)
    assert rep.mismatches == {name: 1}
    assert d.operator == OPERATORS[name][0]
    text = "\n".join(format_report(rep, "r"))
    assert f"{name}[{idx}]: golden {golden}, DUT {golden + 3}" in text and f"at cycle  {d.cycle}" in text


def test_earliest_cycle_wins_over_later_mismatches(tmp_path: Path, traces) -> None:
    trs = traces[0]
    later = int(trs[2].get(0, 0, 0, "k")[0])
    earlier = int(trs[1].get(0, 1, None, "f")[2])
    rep = run_compare(tmp_path, traces, edit={(2, 0, 0, "k", 0): later - 1, (1, 1, -1, "f", 2): earlier + 1})
    assert rep.first is not None and (rep.first.token, rep.first.name, rep.first.index) == (1, "f", 2)
    assert rep.mismatches == {"f": 1, "k": 1}


def test_a_stream_cut_short_is_named_where_the_dut_stopped(tmp_path: Path, traces) -> None:
    trs = traces[0]
    rep = run_compare(tmp_path, traces, edit={(1, 0, 1, "s", 1): None})
    assert rep.first is None and rep.stopped is not None and not rep.clean
    s = rep.stopped
    assert (s.token, s.layer, s.head, s.name, s.index, s.dut) == (1, 0, 1, "s", 1, None)
    assert s.golden == int(trs[1].get(0, 0, 1, "s")[1])
    assert "never produced" in format_report(rep, "r")[1]


def test_an_element_missing_in_the_middle_is_found(tmp_path: Path, traces) -> None:
    """Token 0 lacks one GELU output, every later value is right: not clean, and that element is named."""
    rep = run_compare(tmp_path, traces, edit={(0, 1, -1, "u_act", 5): SKIP})
    assert rep.first is None and rep.missing == {"u_act": 1}
    assert (rep.stopped.token, rep.stopped.layer, rep.stopped.name, rep.stopped.index) == (0, 1, "u_act", 5)


def test_an_element_produced_twice_diverges_even_with_the_right_value(tmp_path: Path, traces) -> None:
    rep = run_compare(tmp_path, traces, edit={(2, 0, 1, "o", 3): TWICE})
    d = rep.first
    assert d is not None and (d.token, d.layer, d.head, d.name, d.index) == (2, 0, 1, "o", 3)
    assert d.dut == d.golden and rep.mismatches == {"o": 1}


def test_tokens_expected_to_fail_are_reported_apart(tmp_path: Path, traces) -> None:
    """Token 1 is expected to fail: its wrong and its missing values do not make the first divergence; a
    mismatch in token 2 (expected to pass) does."""
    trs = traces[0]
    bad = int(trs[1].get(0, 0, 0, "p")[0]) + 1
    rep = run_compare(tmp_path, traces, edit={(1, 0, 0, "p", 0): bad, (1, 1, -1, "x", 2): SKIP}, failing=(1,))
    assert rep.clean and rep.missing == {} and rep.failed_mismatches == 1
    assert (rep.failed_first.token, rep.failed_first.name) == (1, "p")
    assert "tokens the test expects to fail" in format_report(rep, "r")[-1]
    wrong = int(trs[2].get(0, 1, None, "y1")[0]) - 1
    rep2 = compare(read_probe(_probe(tmp_path, traces, {(1, 0, 0, "p", 0): bad, (2, 1, -1, "y1", 0): wrong})),
                   read_golden(tmp_path / "golden"))
    assert rep2.first is not None and (rep2.first.token, rep2.first.name) == (2, "y1")


def _probe(tmp_path: Path, traces, edit) -> Path:
    trs, positions, n_layers, n_heads = traces
    path = tmp_path / "probe2.log"
    write_probe(path, trs, positions, n_layers, n_heads, edit)
    return path


def test_tokens_align_by_position_past_a_rejected_start(tmp_path: Path, traces) -> None:
    trs, positions, n_layers, n_heads = traces
    # golden predicted a START at pos 2 that the engine rejected (no DUT token), then the three real tokens
    write_probe(tmp_path / "probe.log", trs, positions, n_layers, n_heads, {(1, 0, 0, "v", 2): 99})
    write_golden(tmp_path / "golden", [trs[2], *trs], [9, *positions])
    rep = compare(read_probe(tmp_path / "probe.log"), read_golden(tmp_path / "golden"))
    assert rep.first is not None and (rep.first.token, rep.first.pos, rep.first.name) == (1, 1, "v")
    assert rep.unmatched_tokens == []


def test_a_dut_token_without_prediction_is_reported(tmp_path: Path, traces) -> None:
    rep = run_compare(tmp_path, traces, golden_positions=[0, 1, 7])
    assert rep.unmatched_tokens == [2] and not rep.clean


def test_bad_files_give_one_line_errors(tmp_path: Path) -> None:
    with pytest.raises(ProbeFormatError, match="no probe file"):
        read_probe(tmp_path / "missing.log")
    (tmp_path / "p.log").write_text("1 2 T 0 0\n3 4 0 0 0 q zz 1\n")
    with pytest.raises(ProbeFormatError, match=r"p.log:2: unreadable"):
        read_probe(tmp_path / "p.log")
    (tmp_path / "g").mkdir()
    with pytest.raises(ProbeFormatError, match="no golden traces"):
        read_golden(tmp_path / "g")


def test_retarget_drops_the_pinned_build_and_adds_plusargs(tmp_path: Path) -> None:
    cmd = ["py", "-m", "regress.simrun", "--seed", "3", "--out", "/old", "--build-dir", "/b", "--expect-build", "b",
           "--plusarg", "+le_tokens=2"]
    new = retarget(cmd, tmp_path, ["+le_probe_file=/p"])
    assert new == ["py", "-m", "regress.simrun", "--seed", "3", "--plusarg", "+le_tokens=2",
                   "--plusarg", "+le_probe_file=/p", "--out", str(tmp_path)]
    sc = ["py", "-m", "regress.scrun", "--test", "sc_smoke", "--seed", "3", "--out", "/old"]
    assert retarget(sc, tmp_path, ["+le_probe_file=/p"]) == [*sc[:-2], "--plusarg", "+le_probe_file=/p", "--out",
                                                             str(tmp_path)]
    with pytest.raises(RerunError, match=r"not a regress\.simrun or regress\.scrun command"):
        retarget(["sh", "x"], tmp_path)


def test_debug_refuses_what_is_not_a_run_directory(tmp_path: Path) -> None:
    import argparse

    from regress import debug
    assert debug.main(argparse.Namespace(run_dir=tmp_path, waves=False, timeout=1.0)) == 2
    assert debug.main(argparse.Namespace(run_dir=tmp_path, waves=True, timeout=1.0, before=-1, after=5)) == 2
    (tmp_path / "results.json").write_text("{broken")
    with pytest.raises(debug.DebugError, match="not readable JSON"):
        debug.load_run(tmp_path)
    (tmp_path / "results.json").write_text('{"run_id": "x", "command": ["sh", "y"]}')
    with pytest.raises(debug.DebugError, match=r"not a regress\.simrun or regress\.scrun command"):
        debug.rerun(debug.load_run(tmp_path), tmp_path / "debug", 1.0)


def test_a_second_debug_keeps_the_first_report(tmp_path: Path) -> None:
    from regress.debug import keep_previous
    from regress.results import DIVERGENCE_FILE
    d = tmp_path / "debug"
    assert keep_previous(d) is None                           # no earlier debug
    d.mkdir()
    (d / "run.log").write_text("half\n")
    assert keep_previous(d) is None and d.is_dir()            # an unfinished one (no report) is reused
    for n in (1, 2):
        (d / DIVERGENCE_FILE).write_text(f'{{"n": {n}}}\n')
        assert keep_previous(d) == tmp_path / f"debug.{n}" and not d.exists()
        d.mkdir()
    assert (tmp_path / "debug.1" / DIVERGENCE_FILE).read_text() == '{"n": 1}\n'
    assert (tmp_path / "debug.2" / DIVERGENCE_FILE).read_text() == '{"n": 2}\n'
