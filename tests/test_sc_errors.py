"""Error plans on the systemc engine (regress/scplan.py, verif/sc/le_sc_plan.h, regress/scplan_judge.py).

One real run of `sc_errors` (tiny, 128-bit bus, every group: AXI errors, illegal configs, X framing, soft resets,
a second START while busy) through the C driver on the RTL, judged by the env's ErrorTokenChecker; then each check
of the judge is shown to fail on a planted fault in a copy of that run's outputs (a wrong driver code, a burst
issued after ERROR, a busy bus after the soft reset, an aborted token that left STATUS set, an in-flight token
without its ERROR, a failed token writing outside its rows, an error range never hit). The plan is a function of
the seed, and a bad plan line is one line and exit 2 from the harness.
"""
from __future__ import annotations

import json
import random
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from eda import scbuild
from models.ddr_layout import DdrLayout
from regress import scrun
from regress.sccase import PLAN_FILE, ScCase, make_case
from regress.scplan import plan_steps
from regress.scplan_judge import judge_plan
from verif.env.txn import ABORTED, IN_FLIGHT, REJECTED
from verif.seeds import Seeds
from verif.tests.base import IMAGE_BASE

pytestmark = pytest.mark.sim
SEED = 3


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, ScCase]:
    out = tmp_path_factory.mktemp("sc_errors")
    rc = scrun.main(["--test", "sc_errors", "--config", "w128", "--seed", str(SEED), "--out", str(out)])
    assert rc == 0, (out / "results.xml").read_text() if (out / "results.xml").is_file() else "no results.xml"
    seeds = Seeds(SEED)
    return out, make_case({"case": "errors"}, 128, seeds.vsc, seeds.python, IMAGE_BASE)


def records(out: Path) -> list[dict]:
    return [json.loads(line) for line in (out / "tokens.jsonl").read_text().splitlines() if line.strip()]


def judged(src: Path, case: ScCase, tmp: Path, plant: Callable[[Path, list[dict]], None]) -> list[str]:
    """The judge's failures on a copy of the run's outputs with `plant` applied (it gets the copy and its
    tokens.jsonl records, which are written back)."""
    out = tmp / "copy"
    shutil.copytree(src, out)
    recs = records(out)
    plant(out, recs)
    (out / "tokens.jsonl").write_text("".join(json.dumps(r) + "\n" for r in recs))
    assert case.plan is not None
    return judge_plan(out, case, case.plan, IMAGE_BASE, say=lambda _: None)


def step_of(case: ScCase, pred: Callable[[object], bool]) -> int:
    assert case.plan is not None
    return next(i for i, s in enumerate(case.plan) if pred(s))


def test_every_group_runs_and_passes(run: tuple[Path, ScCase]) -> None:
    out, case = run
    assert case.plan is not None
    assert judge_plan(out, case, case.plan, IMAGE_BASE, say=lambda _: None) == []
    recs = records(out)
    assert len(recs) == len(case.plan)
    rcs = {r["rc"] for r in recs}
    assert {"LE_OK", "LE_ERR_AXI_READ", "LE_ERR_AXI_WRITE", "LE_ERR_ILLEGAL_CONFIG", "LE_ERR_X_TLAST_EARLY",
            "LE_ERR_X_TLAST_LATE"} <= rcs
    kinds = {s.kind for s in case.plan}
    assert {REJECTED, ABORTED, IN_FLIGHT, ""} <= kinds
    aborted = [r for s, r in zip(case.plan, recs, strict=True) if s.kind == ABORTED]
    assert all(r["status"] == 0 and r["outstanding_after_reset"] == [0, 0] for r in aborted)
    assert any("beats of the abandoned frame dropped" in r["note"] and not r["note"].endswith("(0 beats of the "
               "abandoned frame dropped)") for r in aborted), "no abort landed in the logits stream"


def test_plan_is_a_function_of_the_seed(run: tuple[Path, ScCase]) -> None:
    _, case = run
    lines = lambda seed: [s.line() for s in plan_steps(random.Random(seed), case.qm, case.image, IMAGE_BASE, 900)]
    assert lines(5) == lines(5)
    assert lines(5) != lines(6)


def test_wrong_driver_code_fails(run: tuple[Path, ScCase], tmp_path: Path) -> None:
    out, case = run
    i = step_of(case, lambda s: s.expect == 5)                     # X_TLAST_EARLY

    def plant(_: Path, recs: list[dict]) -> None:
        recs[i]["rc"] = "LE_ERR_X_TLAST_LATE"
    fails = judged(out, case, tmp_path, plant)
    assert any("the C driver returned LE_ERR_X_TLAST_LATE, LE_ERR_X_TLAST_EARLY expected" in f for f in fails), fails


def test_burst_after_error_fails(run: tuple[Path, ScCase], tmp_path: Path) -> None:
    out, case = run
    i = step_of(case, lambda s: s.erange is not None and s.erange[3])      # a read error range

    def plant(copy: Path, _: list[dict]) -> None:
        lines = (copy / "txn.jsonl").read_text().splitlines()
        irq = next(json.loads(x)["cyc"] for x in lines if json.loads(x)["tok"] == i and json.loads(x)["k"] == "I"
                   and json.loads(x)["level"])
        late = {"tok": i, "k": "R", "id": 0, "addr": 0x10_0000, "len": 0, "resp": 0, "t_ar": irq + 5,
                "t_first": irq + 6, "t_last": irq + 6, "ooo": 0, "il": 0}
        (copy / "txn.jsonl").write_text("\n".join([*lines, json.dumps(late)]) + "\n")
    fails = judged(out, case, tmp_path, plant)
    assert any("AXI burst(s) issued after ERROR" in f for f in fails), fails


def test_busy_bus_after_soft_reset_fails(run: tuple[Path, ScCase], tmp_path: Path) -> None:
    out, case = run
    i = step_of(case, lambda s: s.kind == ABORTED)

    def plant(_: Path, recs: list[dict]) -> None:
        recs[i]["outstanding_after_reset"] = [1, 0]
    fails = judged(out, case, tmp_path, plant)
    assert any("with 1 read / 0 write bursts outstanding" in f for f in fails), fails


def test_aborted_token_leaving_status_fails(run: tuple[Path, ScCase], tmp_path: Path) -> None:
    out, case = run
    i = step_of(case, lambda s: s.kind == ABORTED)

    def plant(_: Path, recs: list[dict]) -> None:
        recs[i]["status"] = 0x2
    fails = judged(out, case, tmp_path, plant)
    assert any("after the reset, expected 0" in f for f in fails), fails


def test_in_flight_without_error_fails(run: tuple[Path, ScCase], tmp_path: Path) -> None:
    out, case = run
    i = step_of(case, lambda s: s.kind == IN_FLIGHT)

    def plant(_: Path, recs: list[dict]) -> None:
        recs[i]["status"], recs[i]["err_code"] = 0x2, 0
    fails = judged(out, case, tmp_path, plant)
    assert any("expected DONE and ERROR with ERR_CODE 2" in f for f in fails), fails


def test_failed_token_writing_outside_its_rows_fails(run: tuple[Path, ScCase], tmp_path: Path) -> None:
    out, case = run
    i = step_of(case, lambda s: s.expect == 4 and s.erange is not None)      # a write error range
    addr = IMAGE_BASE + DdrLayout(case.qm.cfg).kv_addr(0, 0, 0, 0)    # row 0: not the failed token's position
    bb = case.qm.cfg.axi_data_w // 8

    def plant(copy: Path, _: list[dict]) -> None:
        w = {"tok": i, "k": "W", "id": 0, "addr": addr, "len": 0, "resp": 0, "t_aw": 1, "t_b": 2,
             "beats": [["00" * bb, "f" * (bb // 4), 0]], "lost": 0}
        with (copy / "txn.jsonl").open("a") as f:
            f.write(json.dumps(w) + "\n")
    fails = judged(out, case, tmp_path, plant)
    assert any("outside the token's own K/V rows" in f for f in fails), fails


def test_error_range_not_hit_fails(run: tuple[Path, ScCase], tmp_path: Path) -> None:
    out, case = run
    i = step_of(case, lambda s: s.erange is not None)

    def plant(copy: Path, _: list[dict]) -> None:
        lines = [json.loads(x) for x in (copy / "txn.jsonl").read_text().splitlines() if x.strip()]
        for rec in lines:
            if rec["tok"] == i and rec["k"] in "RW":
                rec["resp"] = 0
        (copy / "txn.jsonl").write_text("".join(json.dumps(r) + "\n" for r in lines))
    fails = judged(out, case, tmp_path, plant)
    assert any("the range was not hit" in f for f in fails), fails


@pytest.mark.parametrize("line, says", [
    ("row=0", "row=R (below the"),
    ("row=0 pos=1 erange=1:2:1:1:0", "RESP must be 2 (SLVERR) or 3 (DECERR)"),
    ("row=0 pos=1 abort=middle:3", "POINT one of before_x, weights, logits"),
    ("row=0 pos=1 speed=3", "unknown key 'speed'"),
    ("row=0 pos=1 x_pad=abc", "odd length"),
])
def test_bad_plan_line_is_one_line(run: tuple[Path, ScCase], tmp_path: Path, line: str, says: str) -> None:
    out, _ = run
    plan = tmp_path / PLAN_FILE
    plan.write_text(f"# a comment\n{line}\n")
    done = scbuild.run(scbuild.build(128).binary, out / "bundle", tmp_path / "o", ["--plan", str(plan)], timeout=60)
    assert done.returncode == 2, done.stderr
    err = done.stderr.strip().splitlines()
    assert len(err) == 1 and says in err[0] and f"{plan}:2:" in err[0], err


@pytest.mark.slow
def test_planted_x_framing_bug_fails(run: tuple[Path, ScCase], tmp_path: Path) -> None:
    """le_axis_x_in accepting a partial TKEEP on the TLAST beat (a mutant the pyuvm smoke let survive): the plan's
    bytes-short step ends DONE instead of X_TLAST_EARLY, and the judge says so."""
    out, case = run
    root = Path(__file__).resolve().parents[1]
    shutil.copytree(root / "rtl", tmp_path / "rtl")
    src = tmp_path / "rtl" / "le_axis_x_in.sv"
    text = src.read_text()
    assert "s_axis_tlast_i && (!at_last || !keep_full)" in text
    src.write_text(text.replace("s_axis_tlast_i && (!at_last || !keep_full)", "s_axis_tlast_i && !at_last"))
    model = scbuild.build(128, rtl_root=tmp_path)
    run_dir = tmp_path / "run"
    scbuild.run(model.binary, out / "bundle", run_dir, ["--image-base", str(IMAGE_BASE), "--kv-each-token", "1",
                                                        "--plan", str(out / "bundle" / PLAN_FILE)])
    assert case.plan is not None
    fails = judge_plan(run_dir, case, case.plan, IMAGE_BASE, say=lambda _: None)
    assert any("short" in f and "LE_ERR_X_TLAST_EARLY expected" in f for f in fails), fails
