"""SystemC harness knobs that shape traffic (docs/systemc.md "Knobs"): --max-out caps the read bursts in flight (seen
in the transaction records: with 1, no AR is taken before the previous burst's last R beat; by default they overlap),
--w-early-max is accepted; --x-delay-max makes X late after START. The outputs stay bit-exact under each; (slow) an
engine that does not wait for X passes without the delay and fails with it."""
from __future__ import annotations

import itertools
import json
import shutil
from pathlib import Path

import pytest

from eda import scbuild
from regress import scrun
from regress.sccase import make_case, write_case
from verif.tests.base import IMAGE_BASE

pytestmark = pytest.mark.sim


def overlapping_reads(out: Path) -> int:
    reads = sorted((r["t_ar"], r["t_last"]) for r in map(json.loads, (out / "txn.jsonl").read_text().splitlines())
                   if r["k"] == "R")
    return sum(1 for (_, last), (ar, _) in itertools.pairwise(reads) if ar <= last)


@pytest.mark.parametrize("args, overlap", [([], True), (["--max-out", "1", "--w-early-max", "1"], False)])
def test_max_out_caps_reads_in_flight(tmp_path: Path, args: list[str], overlap: bool) -> None:
    case = make_case({"bundle": "tiny", "tokens": "2"}, 128, 0)
    write_case(case, tmp_path / "bundle")
    model = scbuild.build(128)
    done = scbuild.run(model.binary, tmp_path / "bundle", tmp_path / "out",
                       ["--image-base", str(IMAGE_BASE), "--kv-each-token", "1", "--lat-min", "20", "--lat-max", "20",
                        *args])
    assert done.returncode == 0, done.stderr
    assert (overlapping_reads(tmp_path / "out") > 0) == overlap
    assert scrun.judge(tmp_path / "out", case, IMAGE_BASE, say=lambda _: None) == []


def test_x_delay_makes_x_late_and_stays_bit_exact(tmp_path: Path) -> None:
    """--x-delay-max (le_axis_src_bfm start_delay_max, RandTest's x_delay_max): every X frame starts up to N cycles
    after the host hands it over, so the engine waits for X after START; PERF_CYCLES grows by the delays, the
    outputs stay bit-exact (the judge checks PERF_CYCLES against the START-to-irq count, delays included)."""
    case = make_case({"bundle": "tiny", "tokens": "4"}, 128, 0)
    write_case(case, tmp_path / "bundle")
    model = scbuild.build(128)
    cycles = {}
    for delay in (0, 3000):
        out = tmp_path / f"d{delay}"
        args = ["--image-base", str(IMAGE_BASE), "--kv-each-token", "1", "--x-delay-max", str(delay)]
        done = scbuild.run(model.binary, tmp_path / "bundle", out, args)
        assert done.returncode == 0, done.stderr
        assert scrun.judge(out, case, IMAGE_BASE, say=lambda _: None) == []
        cycles[delay] = [json.loads(line)["perf"]["cycles"] for line in (out / "tokens.jsonl").read_text().splitlines()]
    grown = [b - a for a, b in zip(cycles[0], cycles[3000], strict=True)]
    assert all(0 <= g <= 3000 + 50 for g in grown) and sum(grown) > 1000, (cycles, grown)


@pytest.mark.slow
def test_x_delay_catches_an_engine_that_does_not_wait_for_x(tmp_path: Path) -> None:
    """le_exec beginning the first QKV phase without the token's X (a scratch copy of rtl/): invisible while X always
    lands first (no delay: bit-exact), caught once X is late (--x-delay-max: logits differ)."""
    root = Path(__file__).resolve().parents[1]
    shutil.copytree(root / "rtl", tmp_path / "rtl")
    src = tmp_path / "rtl" / "le_exec.sv"
    old = "(ph_started_q ? main_done_i : x_rcvd_q)"
    assert old in src.read_text()
    src.write_text(src.read_text().replace(old, "(ph_started_q ? main_done_i : 1'b1)"))
    model = scbuild.build(128, rtl_root=tmp_path)
    case = make_case({"bundle": "tiny", "tokens": "4"}, 128, 0)
    write_case(case, tmp_path / "bundle")
    verdicts = {}
    for delay in (0, 3000):
        out = tmp_path / f"d{delay}"
        scbuild.run(model.binary, tmp_path / "bundle", out, ["--image-base", str(IMAGE_BASE), "--kv-each-token", "1",
                                                              "--x-delay-max", str(delay)])
        verdicts[delay] = scrun.judge(out, case, IMAGE_BASE, say=lambda _: None)
    assert verdicts[0] == [], verdicts[0]
    assert any("logits" in f for f in verdicts[3000]), verdicts[3000]
