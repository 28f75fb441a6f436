"""`regress shrink` (regress/shrink.py, regress/shrink_cases.py) on a fake simulator, and the case file both engines
replay (verif/case_file.py).

The fake run reads +le_case_file=PATH and plays a planted bug: it fails ("logits: N mismatch(es)") while the FFN
is at least two lane groups wide, whatever else the case is; with a vocab below 8 it fails differently, so those
candidates must be rejected. The shrink must end at 1 token x 1 layer, no late start, one head of one lane group,
d_ff 32 (the smallest that still fails), the smallest vocab >= 8 its halving reaches, every timing knob off.
"""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from models.config import EngineConfig
from regress import shrink
from regress.results import RunResult, parse_cocotb_results
from regress.shrink_cases import DIMENSIONS, size, timing
from verif.case_file import CaseFileError, case_from_json, case_to_json, read_case_file, write_case_file
from verif.cfg_item import EngineCase

REPO = Path(__file__).resolve().parents[1]
FAKE = '''
import json, sys
from pathlib import Path
sys.path.insert(0, {repo!r})
from regress.scrun import write_results
out = Path(sys.argv[sys.argv.index("--out") + 1])
out.mkdir(parents=True, exist_ok=True)
files = [a.split("=", 1)[1] for a in sys.argv if a.startswith("+le_case_file=")]
case = json.loads(Path(files[-1]).read_text()) if files else json.loads(Path({base!r}).read_text())
cfg = case["cfg"]
(out / "case.json").write_text(json.dumps(case))
if cfg["vocab"] < 8:
    fail = ["status: 1 mismatch(es)", "  token 0: expected DONE"]
elif cfg["d_ff"] >= 2 * cfg["axi_data_w"] // 8:
    fail = ["logits: %d mismatch(es)" % (cfg["vocab"] * case["n_tokens"]),
            "  token 0 (pos 0): logit 1: golden 1, DUT 2"]
else:
    fail = []
write_results(out / "results.xml", "fake", fail, 0.1, 10.0)
sys.exit(1 if fail else 0)
'''


def big_case() -> EngineCase:
    cfg = EngineConfig(d_model=64, n_heads=2, d_head=32, d_ff=256, n_layers=3, vocab=100, max_seq=64,
                       axi_data_w=128, w_tile_rows=16, ctx_tile=16).validate()
    return EngineCase(seed=7, cfg=cfg, t0=5, n_tokens=4, weight_dist="uniform", latency="medium",
                      backpressure="light", axi_mem=dict(lat_min=4, lat_max=40, b_lat_min=0, b_lat_max=20,
                                                         p_ar_stall=0.05, p_r_gap=0.05, p_aw_stall=0.05,
                                                         p_w_stall=0.05, p_b_gap=0.05, reorder=True,
                                                         interleave=False, b_reorder=True, seed=11),
                      bus_knobs=dict(p_x_idle=0.05, p_logits_stall=0.05, x_delay_max=300, seed=12), data_seed=13,
                      intent={"tile_shape": "many"})


def failed_run(tmp: Path) -> Path:
    """A failed fake random-case run folder (results.json, case.json) whose command is the fake simulator."""
    base = tmp / "base_case.json"
    write_case_file(big_case(), base)
    fake = tmp / "fake_sim.py"
    fake.write_text(FAKE.format(repo=str(REPO), base=str(base)))
    run_dir = tmp / "reg" / "runs" / "rand.w128.s3"
    cmd = [sys.executable, str(fake), "--seed", "3", "--out", str(run_dir)]
    subprocess.run(cmd, check=False)
    parsed = parse_cocotb_results(run_dir / "results.xml", "fake")
    assert parsed is not None and parsed[0] == "fail"
    r = RunResult("rand.w128.s3", "rand", "fake", "w128", 3, "master 3", str(run_dir), cmd, status="fail",
                  kind=parsed[1], message=parsed[2], traceback=parsed[3], timeout_s=60.0)
    (run_dir / "results.json").write_text(json.dumps(r.to_json()))
    return run_dir


def test_case_file_round_trip_and_errors(tmp_path: Path) -> None:
    c = big_case()
    assert case_from_json(json.loads(json.dumps(case_to_json(c)))) == c
    p = write_case_file(c, tmp_path / "c.json")
    assert read_case_file(p, 128) == c
    with pytest.raises(CaseFileError, match="a case for a 128-bit bus; this build has 64 bits"):
        read_case_file(p, 64)
    doc = case_to_json(c)
    for bad, needle in (({**doc, "n_tokens": 0}, "n_tokens = 0"), ({**doc, "t0": 62}, "exceed max_seq"),
                        ({**doc, "cfg": {**doc["cfg"], "d_model": 48}}, "cfg: d_model = 48"),
                        ({**doc, "extra": 1}, "unknown field(s) ['extra']")):
        with pytest.raises(CaseFileError, match=needle.replace("[", r"\[").replace("]", r"\]").replace("(", r"\(")
                           .replace(")", r"\)")):
            case_from_json(bad)
    (tmp_path / "junk.json").write_text("{")
    with pytest.raises(CaseFileError, match="cannot read it"):
        read_case_file(tmp_path / "junk.json")


def test_every_candidate_is_smaller_and_valid() -> None:
    c = big_case()
    for label, dim in DIMENSIONS:
        cands = dim(c)
        assert cands, label                           # the big case has room in every dimension
        for n in cands:
            n.cfg.validate()
            assert n != c and n.t0 + n.n_tokens <= n.cfg.max_seq, label
    assert "reordering" in timing(c) and timing(DIMENSIONS[-1][1](c)[0]) != timing(c)


def test_shrink_finds_the_smallest_case_failing_the_same_way(tmp_path: Path) -> None:
    run_dir = failed_run(tmp_path)
    lines: list[str] = []
    assert shrink.shrink(run_dir, max_runs=60, say=lines.append) == 0
    out = run_dir / "shrink"
    best = read_case_file(out / "case.json")
    g = best.cfg
    assert (best.n_tokens, g.n_layers, best.t0, g.n_heads, g.d_head, g.d_ff) == (1, 1, 0, 1, 16, 32), size(best)
    assert g.vocab == 12 and g.max_seq == 1                       # 100 -> 50 -> 25 -> 12 (6 and 1 fail differently)
    assert timing(best) == "no timing knobs" and best.backpressure == "none" and best.latency == "none"
    doc = json.loads((out / "shrink.json").read_text())
    assert doc["tries"][0]["what"] == "as recorded" and doc["tries"][0]["same"]
    assert any(t["what"].startswith("vocab: vocab 12 -> 1") and not t["same"] for t in doc["tries"])
    assert "-> 1 token x 1 layer, d_model 16 (1 head of 16), d_ff 32, vocab 12" in "\n".join(lines)
    # the repro runs the smallest case and fails with the same signature
    p = subprocess.run(["sh", str(out / "repro.sh")], capture_output=True, text=True, check=False)
    assert p.returncode == 1
    assert json.loads((out / "repro" / "case.json").read_text()) == case_to_json(best)
    # a second shrink keeps the first
    assert shrink.shrink(run_dir, max_runs=2, say=lines.append) == 0
    assert (run_dir / "shrink.1" / "shrink.json").is_file() and "kept in" in "\n".join(lines)


def test_no_shrink_when_the_recorded_case_no_longer_fails(tmp_path: Path) -> None:
    run_dir = failed_run(tmp_path)
    doc = case_to_json(big_case())
    doc["cfg"]["d_ff"] = 16                   # the recorded case now passes (the "fix")
    (run_dir / "case.json").write_text(json.dumps(doc))
    lines: list[str] = []
    assert shrink.shrink(run_dir, say=lines.append) == 1
    assert "does not fail the same way on the current tree (pass)" in lines[-1]
    assert not (run_dir / "shrink" / "case.json").exists()


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "regress", "shrink", *args], cwd=REPO, capture_output=True,
                          text=True, check=False)


def test_bad_input_is_one_line(tmp_path: Path) -> None:
    run_dir = failed_run(tmp_path)
    (run_dir / "case.json").unlink()
    for args, needle in (([str(tmp_path)], "no readable results.json"), ([str(run_dir)], "no case.json"),
                         ([str(run_dir), "--max-runs", "0"], "--max-runs must be >= 1")):
        p = _cli(*args)
        assert p.returncode == 2 and len(p.stderr.strip().splitlines()) == 1 and needle in p.stderr, p.stderr
        assert not (run_dir / "shrink").exists()


def test_systemc_case_replays_the_file(tmp_path: Path) -> None:
    """The systemc engine's case=random takes +le_case_file (regress.scrun records case.json the same way)."""
    from regress.sccase import CaseError, make_case
    path = write_case_file(big_case(), tmp_path / "c.json")
    sc = make_case({"case": "random", "case_file": str(path), "tokens": "16"}, 128, vsc_seed=1)
    assert sc.engine_case == big_case() and sc.positions == [5, 6, 7, 8] and "case file" in sc.describe
    with pytest.raises(CaseError, match="this build has 64 bits"):
        make_case({"case": "random", "case_file": str(path)}, 64, vsc_seed=1)
    with pytest.raises(CaseError, match="only with \\+le_case=random"):
        make_case({"case": "preset", "case_file": str(path)}, 128, vsc_seed=1)
