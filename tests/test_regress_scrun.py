"""regress/scrun.py without a simulator: its check of the SystemC harness's output files (fabricated here as a
correct harness would write them) passes them, and names the token and index of a flipped logit byte or KV byte
with TokenChecker's own messages; the write comparison is skipped visibly; results.xml reads as a pyuvm run's."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from models.bundle import build_bundle
from models.schedule import schedule_beats, token_schedule
from regress import scrun
from regress.results import parse_cocotb_results
from regress.testlist import TestListError, parse
from verif.env.refmodel import GoldenPredictor
from verif.env.txn import TokenStart

IMAGE_BASE = 0x0010_0FC0
TOKENS = 3


@pytest.fixture(scope="module")
def case() -> tuple[object, np.ndarray]:
    b = build_bundle("tiny", 1, TOKENS, bus_width=128)
    return b.qm, b.x


def fabricate(out: Path, qm: object, x: np.ndarray) -> None:
    """What a correct harness writes: logits.bin, kv_tokens.bin, kv_region.bin, tokens.jsonl, run.json."""
    gold = GoldenPredictor(qm, IMAGE_BASE)       # type: ignore[arg-type]
    logits, kv, lines = [], [], []
    for i in range(len(x)):
        p = gold.predict(TokenStart(i, i, x[i]))
        logits.append(p.logits.astype("<i4").tobytes())
        kv.append(p.kv_region)
        rd, wr = schedule_beats(token_schedule(gold.layout, i), gold.cfg.bus_bytes)
        perf = {"cycles": 1000, "rd_stall_cycles": 10, "bytes_rd": rd * gold.cfg.bus_bytes,
                "bytes_wr": wr * gold.cfg.bus_bytes}
        lines.append(json.dumps({"token": i, "pos": i, "rc": "LE_OK", "status": 2, "err_code": 0, "perf": perf}))
    out.mkdir(parents=True, exist_ok=True)
    (out / "logits.bin").write_bytes(b"".join(logits))
    (out / "kv_tokens.bin").write_bytes(b"".join(kv))
    (out / "kv_region.bin").write_bytes(kv[-1])
    (out / "tokens.jsonl").write_text("\n".join(lines) + "\n")
    (out / "run.json").write_text(json.dumps({"exit": 0, "message": "", "cycles": 3000, "protocol_errors": []}))


def flip(path: Path, offset: int) -> None:
    data = bytearray(path.read_bytes())
    data[offset] ^= 0x01
    path.write_bytes(bytes(data))


def test_correct_output_passes(case: tuple[object, np.ndarray], tmp_path: Path) -> None:
    qm, x = case
    fabricate(tmp_path, qm, x)
    said: list[str] = []
    assert scrun.judge(tmp_path, qm, x, IMAGE_BASE, said.append) == []
    assert any("writes: not recorded by the SystemC harness yet" in s for s in said), said


def test_flipped_logit_byte_fails(case: tuple[object, np.ndarray], tmp_path: Path) -> None:
    qm, x = case
    fabricate(tmp_path, qm, x)
    vocab = qm.cfg.vocab                                  # type: ignore[attr-defined]
    flip(tmp_path / "logits.bin", 4 * (vocab * 2 + 17))  # token 2, logit 17, low byte
    failures = scrun.judge(tmp_path, qm, x, IMAGE_BASE, lambda s: None)
    assert failures[0] == "logits: 1 mismatch(es)", failures
    assert failures[1].startswith("  token 2 (pos 2): logit 17: golden "), failures
    assert "token 2 (pos 2): logit 17" in scrun.summary(failures)


def test_flipped_kv_byte_fails(case: tuple[object, np.ndarray], tmp_path: Path) -> None:
    qm, x = case
    fabricate(tmp_path, qm, x)
    kv_size = len((tmp_path / "kv_region.bin").read_bytes())
    flip(tmp_path / "kv_tokens.bin", kv_size * 1 + 5)     # after token 1: layer 0 head 0 K row 0 byte 5
    failures = scrun.judge(tmp_path, qm, x, IMAGE_BASE, lambda s: None)
    assert failures[0] == "kv_region: 1 mismatch(es)", failures
    assert failures[1].startswith("  token 1 (pos 1): layer 0 head 0 K row 0 byte 5 (address"), failures
    flip(tmp_path / "kv_tokens.bin", kv_size * 1 + 5)     # restored; now the final dump differs
    flip(tmp_path / "kv_region.bin", 7)
    failures = scrun.judge(tmp_path, qm, x, IMAGE_BASE, lambda s: None)
    assert failures[1].startswith("  after the last token (kv_region.bin): layer 0 head 0 K row 0 byte 7"), failures


def test_missing_token_and_harness_error(case: tuple[object, np.ndarray], tmp_path: Path) -> None:
    qm, x = case
    fabricate(tmp_path, qm, x)
    lines = (tmp_path / "tokens.jsonl").read_text().splitlines()
    (tmp_path / "tokens.jsonl").write_text("\n".join(lines[:-1]) + "\n")
    (tmp_path / "run.json").write_text(json.dumps({"exit": 3, "message": "HANG at token 2", "protocol_errors": []}))
    failures = scrun.judge(tmp_path, qm, x, IMAGE_BASE, lambda s: None)
    assert "harness: exit 3: HANG at token 2" in failures
    assert "token 2 (pos 2): no result from the harness" in failures


def test_results_xml_reads_as_cocotb(tmp_path: Path) -> None:
    scrun.write_results(tmp_path / "ok.xml", "sc_smoke", [], 1.5, 1000.0)
    assert parse_cocotb_results(tmp_path / "ok.xml", "sc_smoke") == ("pass", "", "", "", 1000.0)
    scrun.write_results(tmp_path / "bad.xml", "sc_smoke", ["logits: 1 mismatch(es)", "  token 0 (pos 0): logit 3"],
                        1.5, None)
    got = parse_cocotb_results(tmp_path / "bad.xml", "sc_smoke")
    assert got is not None and got[0] == "fail"
    assert got[2] == "logits: 1 mismatch(es), first: token 0 (pos 0): logit 3"


def test_knobs_and_plusargs() -> None:
    knobs, rest = scrun.split_plusargs(["+le_tokens=8", "+le_bundle=small", "+verilator+seed+5", "+le_tokens=2"])
    assert knobs == {"bundle": "small", "tokens": "2"} and rest == ["+verilator+seed+5"]
    with pytest.raises(scrun.RunError, match=r"plusarg '\+le_perf_case=x'"):
        scrun.split_plusargs(["+le_perf_case=x"])


def test_systemc_knobs_validated() -> None:
    text = """
build: {toplevel: top, filelists: [a.f], configs: {w128: {W: 128}}}
tests:
  s: {engine: systemc, configs: [w128], knobs: {perf_case: small}}
suites: {x: {tests: [s]}}
"""
    with pytest.raises(TestListError, match=r"tests\.s\.knobs: knob\(s\) \['perf_case'\] not supported"):
        parse(text)
