"""The SystemC harness's memory knobs that shape outstanding traffic (docs/systemc.md "Knobs"): --max-out caps the
read bursts in flight (seen in the transaction records: with 1, no AR is taken before the previous burst's last R
beat; by default they overlap), --w-early-max is accepted; the outputs stay bit-exact under both."""
from __future__ import annotations

import itertools
import json
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
