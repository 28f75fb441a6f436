"""regress/scrun.py and regress/sccase.py without a simulator: the check of the SystemC harness's output files
(fabricated here as a correct harness would write them) passes them, for a preset bundle and for a random case
with a late start (KV cache preloaded), and names the token and index of a flipped logit byte or KV byte with
TokenChecker's own messages; the write comparison is skipped visibly; results.xml reads as a pyuvm run's; the case
knobs become harness options and a bundle directory the harness reads."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from models.ddr_layout import DdrLayout, pack_kv
from models.schedule import schedule_beats, token_schedule
from regress import scrun
from regress.results import parse_cocotb_results
from regress.sccase import CaseError, ScCase, build_parameters, check_fits, make_case, preset_case, write_case
from regress.testlist import TestListError, parse
from verif.env.refmodel import GoldenPredictor
from verif.env.txn import KvWrite, TokenStart

IMAGE_BASE = 0x0010_0FC0
TOKENS = 3


@pytest.fixture(scope="module")
def case() -> ScCase:
    return preset_case("tiny", TOKENS, 128)


@pytest.fixture(scope="module")
def late_case() -> ScCase:
    """A random case (RandTest's draw) that starts late, with more tokens than the case asks for."""
    for seed in range(1, 40):
        c = make_case({"case": "random", "tokens": "3"}, 64, seed)
        if c.start_pos > 0 and len(c.positions) == 3:
            return c
    raise AssertionError("no late-start random case in 40 seeds")


def w_records(tok: int, writes: list[KvWrite], bus: int) -> list[str]:
    """txn.jsonl W lines as the harness writes them: one burst per K/V row, bus-aligned beats, row bytes strobed."""
    out = []
    for w in writes:
        lo, hi = w.addr - w.addr % bus, w.addr + len(w.data)
        beats = []
        for a in range(lo, hi, bus):
            data, strb = bytearray(bus), 0
            for j in range(bus):
                if w.addr <= a + j < hi:
                    data[j], strb = w.data[a + j - w.addr], strb | (1 << j)
            beats.append([data.hex(), f"{strb:x}", 0])
        out.append(json.dumps({"k": "W", "tok": tok, "id": 1, "addr": lo, "len": len(beats) - 1, "resp": 0,
                               "t_aw": 10 * tok, "t_b": 10 * tok + 5, "beats": beats, "lost": 0}))
    return out


def fabricate(out: Path, case: ScCase, txn: bool = True) -> None:
    """What a correct harness writes: logits.bin, kv_tokens.bin, kv_region.bin, tokens.jsonl, run.json and (txn)
    txn.jsonl with the K/V writes, a read and a CSR access per token."""
    gold = GoldenPredictor(case.qm, IMAGE_BASE, case.kv)
    logits, kv, lines, txns = [], [], [], []
    for i, pos in enumerate(case.positions):
        p = gold.predict(TokenStart(i, pos, case.x[i]))
        txns.append(json.dumps({"k": "C", "tok": i, "w": 1, "addr": 0x14, "data": pos, "resp": 0, "cyc": 2000 * i}))
        txns.append(json.dumps({"k": "C", "tok": i, "w": 1, "addr": 0x00, "data": 1, "resp": 0,
                                "cyc": 2000 * i + 3}))                       # START; PERF_CYCLES 1000 below
        txns.append(json.dumps({"k": "I", "tok": i, "level": 1, "cyc": 2000 * i + 1003}))
        txns.append(json.dumps({"k": "R", "tok": i, "id": 0, "addr": IMAGE_BASE, "len": 3, "resp": 0, "t_ar": 1,
                                "t_first": 3, "t_last": 6, "ooo": 0, "il": 0}))
        txns += w_records(i, p.kv_writes, gold.cfg.bus_bytes)
        logits.append(p.logits.astype("<i4").tobytes())
        kv.append(p.kv_region)
        rd, wr = schedule_beats(token_schedule(gold.layout, pos), gold.cfg.bus_bytes)
        perf = {"cycles": 1000, "rd_stall_cycles": 10, "bytes_rd": rd * gold.cfg.bus_bytes,
                "bytes_wr": wr * gold.cfg.bus_bytes}
        lines.append(json.dumps({"token": i, "pos": pos, "rc": "LE_OK", "status": 2, "err_code": 0, "perf": perf}))
    out.mkdir(parents=True, exist_ok=True)
    (out / "logits.bin").write_bytes(b"".join(logits))
    (out / "kv_tokens.bin").write_bytes(b"".join(kv))
    (out / "kv_region.bin").write_bytes(kv[-1])
    (out / "tokens.jsonl").write_text("\n".join(lines) + "\n")
    (out / "run.json").write_text(json.dumps({"exit": 0, "message": "", "cycles": 3000, "protocol_errors": []}))
    if txn:
        (out / "txn.jsonl").write_text("\n".join(txns) + "\n")


def flip(path: Path, offset: int) -> None:
    data = bytearray(path.read_bytes())
    data[offset] ^= 0x01
    path.write_bytes(bytes(data))


def test_correct_output_passes(case: ScCase, tmp_path: Path) -> None:
    fabricate(tmp_path, case)
    said: list[str] = []
    assert scrun.judge(tmp_path, case, IMAGE_BASE, said.append) == []
    assert not any("writes:" in s for s in said), said
    fabricate(tmp_path / "no_txn", case, txn=False)
    assert scrun.judge(tmp_path / "no_txn", case, IMAGE_BASE, said.append) == []
    assert any("writes: the harness wrote no txn.jsonl" in s for s in said), said
    assert any("fidelity of the DUT's logits against the float model over 3 token(s): cosine mean 0.9" in s
               for s in said), said


def test_late_start_random_case(late_case: ScCase, tmp_path: Path) -> None:
    """Positions from start_pos, the predictor starting from the preloaded KV cache: a correct output passes; the
    same output judged as if the case started at 0 fails (the check is not blind to the positions)."""
    fabricate(tmp_path, late_case)
    assert scrun.judge(tmp_path, late_case, IMAGE_BASE, lambda s: None) == []
    at_zero = ScCase(late_case.qm, late_case.image, late_case.x, list(range(len(late_case.x))), None)
    failures = scrun.judge(tmp_path, at_zero, IMAGE_BASE, lambda s: None)
    assert any("the harness ran it at position" in f for f in failures), failures


def test_flipped_logit_byte_fails(case: ScCase, tmp_path: Path) -> None:
    fabricate(tmp_path, case)
    vocab = case.qm.cfg.vocab
    flip(tmp_path / "logits.bin", 4 * (vocab * 2 + 17))  # token 2, logit 17, low byte
    failures = scrun.judge(tmp_path, case, IMAGE_BASE, lambda s: None)
    assert failures[0] == "logits: 1 mismatch(es)", failures
    assert failures[1].startswith("  token 2 (pos 2): logit 17: golden "), failures
    assert "token 2 (pos 2): logit 17" in scrun.summary(failures)


def test_flipped_kv_byte_fails(case: ScCase, tmp_path: Path) -> None:
    fabricate(tmp_path, case)
    kv_size = len((tmp_path / "kv_region.bin").read_bytes())
    flip(tmp_path / "kv_tokens.bin", kv_size * 1 + 5)     # after token 1: layer 0 head 0 K row 0 byte 5
    failures = scrun.judge(tmp_path, case, IMAGE_BASE, lambda s: None)
    assert failures[0] == "kv_region: 1 mismatch(es)", failures
    assert failures[1].startswith("  token 1 (pos 1): layer 0 head 0 K row 0 byte 5 (address"), failures
    flip(tmp_path / "kv_tokens.bin", kv_size * 1 + 5)     # restored; now the final dump differs
    flip(tmp_path / "kv_region.bin", 7)
    failures = scrun.judge(tmp_path, case, IMAGE_BASE, lambda s: None)
    assert failures[1].startswith("  after the last token (kv_region.bin): layer 0 head 0 K row 0 byte 7"), failures


def test_missing_token_and_harness_error(case: ScCase, tmp_path: Path) -> None:
    fabricate(tmp_path, case)
    lines = (tmp_path / "tokens.jsonl").read_text().splitlines()
    (tmp_path / "tokens.jsonl").write_text("\n".join(lines[:-1]) + "\n")
    (tmp_path / "run.json").write_text(json.dumps({"exit": 3, "message": "HANG at token 2", "protocol_errors": []}))
    failures = scrun.judge(tmp_path, case, IMAGE_BASE, lambda s: None)
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
    knobs, rest = scrun.split_plusargs(["+le_probe_file=/d/probe.log"])      # the probe file goes to the harness
    assert knobs == {} and scrun.probe_trace_dir(rest) == Path("/d/golden")
    from verif.env.env import PROBE_PLUSARG
    assert f"+{PROBE_PLUSARG}=" == scrun.PROBE_PLUSARG
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


def test_case_knobs(late_case: ScCase, tmp_path: Path) -> None:
    """The random case's timing becomes harness options (every knob it sets has one); the bundle directory holds
    the image with the preloaded KV cache at kv_base, X and the start position; bad knobs are one line."""
    args = late_case.harness_args()
    assert "--lat-max" in args and "--p-x-idle" in args and "--reorder" in args
    assert all(a.startswith("--") for a in args[::2])
    write_case(late_case, tmp_path)
    lay = DdrLayout(late_case.qm.cfg)
    ddr = (tmp_path / "ddr.bin").read_bytes()
    assert late_case.kv is not None and ddr[lay.kv_base: lay.kv_base + lay.kv_size] == pack_kv(lay, late_case.kv)
    assert np.array_equal(np.load(tmp_path / "x.npy"), late_case.x)
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    assert (manifest["tokens"], manifest["start_pos"]) == (3, late_case.start_pos)
    assert build_parameters({"max_vocab": "32768"}, {"MAX_VOCAB": 4096, "MEM_PAGES": 4096}) == \
        {"MAX_VOCAB": 32768, "MEM_PAGES": 4096}
    for knobs, msg in (({"case": "fuzzy"}, "expected one of preset, random"), ({"tokens": "0"}, "must be > 0"),
                       ({"tokens": "many"}, "not an integer"), ({"bundle": "huge"}, "bundle huge x4")):
        with pytest.raises(CaseError, match=msg):
            make_case(knobs, 128, 1)


def test_k_v_writes_are_compared(case: ScCase, tmp_path: Path) -> None:
    """The W records of txn.jsonl are the writes TokenChecker compares: a dropped row, a changed byte and a lost
    beat ring each fail, named by token; the transaction log uses the pyuvm env's line format."""
    fabricate(tmp_path, case)
    recs = (tmp_path / "txn.jsonl").read_text().splitlines()
    scrun.write_fingerprint(tmp_path, scrun.run_txns(tmp_path)[0])
    log = (tmp_path / "txn_log.txt").read_text().splitlines()
    assert log[:3] == ["C W 0x14 0x00000000 resp=0 t=0", "C W 0x00 0x00000001 resp=0 t=30", "I 1 t=10030"]
    assert log[3].startswith("R id=0 addr=0x100fc0 len=4 resp=0")
    assert log[4].startswith("W id=1 addr=") and "transactions (R 3, W" in (tmp_path / "txn_log.sha256").read_text()
    w_rows = [n for n, r in enumerate(recs) if '"k": "W"' in r and '"tok": 1' in r]
    (tmp_path / "txn.jsonl").write_text("\n".join(r for n, r in enumerate(recs) if n != w_rows[0]) + "\n")
    failures = scrun.judge(tmp_path, case, IMAGE_BASE, lambda s: None)
    assert failures[0].startswith("write_missing: ") and failures[1].startswith("  token 1 (pos 1): no write to")
    rec = json.loads(recs[w_rows[-1]])
    data = bytearray(bytes.fromhex(rec["beats"][0][0]))
    data[int(rec["beats"][0][1], 16).bit_length() - 1] ^= 0x40           # the last strobed byte
    rec["beats"][0][0] = data.hex()
    recs[w_rows[-1]] = json.dumps(rec)
    (tmp_path / "txn.jsonl").write_text("\n".join(recs) + "\n")
    failures = scrun.judge(tmp_path, case, IMAGE_BASE, lambda s: None)
    assert failures[0] == "write_data: 1 mismatch(es)" and failures[1].startswith("  token 1 (pos 1): "), failures
    rec["lost"] = 1
    recs[w_rows[-1]] = json.dumps(rec)
    (tmp_path / "txn.jsonl").write_text("\n".join(recs) + "\n")
    failures = scrun.judge(tmp_path, case, IMAGE_BASE, lambda s: None)
    assert "harness: the data of 1 write burst(s) was lost (record ring overrun)" in failures
    (tmp_path / "txn.jsonl").write_text('{"k": "Q"}\n')
    failures = scrun.judge(tmp_path, case, IMAGE_BASE, lambda s: None)
    assert failures[0].startswith(f"harness: {tmp_path / 'txn.jsonl'}:1: unreadable record"), failures


def test_a_case_the_build_cannot_hold_is_one_line(case: ScCase) -> None:
    check_fits(case, {"MAX_VOCAB": 4096, "MEM_PAGES": 4096}, IMAGE_BASE)
    with pytest.raises(CaseError, match=r"tiny x3: vocab 97 > the build.s MAX_VOCAB 32: give the test the knob "
                                        r"max_vocab: 128"):
        check_fits(case, {"MAX_VOCAB": 32, "MEM_PAGES": 4096}, IMAGE_BASE)
    pages = -(-(IMAGE_BASE % 4096 + len(case.image)) // 4096)
    check_fits(case, {"MAX_VOCAB": 4096, "MEM_PAGES": pages}, IMAGE_BASE)
    with pytest.raises(CaseError, match=rf"needs {pages} pages of 4 KB, the build's memory has MEM_PAGES {pages - 1}"):
        check_fits(case, {"MAX_VOCAB": 4096, "MEM_PAGES": pages - 1}, IMAGE_BASE)


def test_perf_cycles_against_the_start_to_irq_count(case: ScCase, tmp_path: Path) -> None:
    """PERF_CYCLES must equal the cycles from the START write to the irq in txn.jsonl: one cycle off fails."""
    fabricate(tmp_path, case)
    recs = (tmp_path / "txn.jsonl").read_text().splitlines()
    n = next(k for k, r in enumerate(recs) if '"k": "I"' in r and '"tok": 2' in r)
    rec = json.loads(recs[n])
    rec["cyc"] += 1
    recs[n] = json.dumps(rec)
    (tmp_path / "txn.jsonl").write_text("\n".join(recs) + "\n")
    failures = scrun.judge(tmp_path, case, IMAGE_BASE, lambda s: None)
    assert failures == ["perf: 1 mismatch(es)", "  token 2 (pos 2): PERF_CYCLES 1000, the testbench counted 1001 "
                                                "cycles from the START write to the irq"], failures
