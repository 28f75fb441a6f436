"""Co-verification across the two engines (issue 12 part 5): the pyuvm env and the SystemC harness run the same
bundle and must agree with each other and with the golden model, byte for byte; and a planted RTL bug makes both
fail with the same first divergence in `regress debug` (slow: it builds both engines from a scratch copy).

Both engines write logits.bin (int32 little-endian, vocab per token) and kv_region.bin (the KV region after the
last token) into their run directories: verif/tests/base.py for a pyuvm run, verif/sc for a SystemC run.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from models.bundle import build_bundle
from models.ddr_layout import pack_kv
from regress.launch import RUNS_DIR, ListedRun, run_listed
from regress.testlist import load

REPO = Path(__file__).resolve().parents[1]
SEED = 1


def _same_case() -> tuple[str, int]:
    """The preset bundle and token count both smoke entries run (read from the test list and the uvm test)."""
    from verif.tests.smoke import SmokeTest
    sc = load().test("sc_smoke").knobs
    assert (sc["bundle"], int(sc["tokens"])) == (SmokeTest.bundle, SmokeTest.tokens), \
        "smoke and sc_smoke no longer run the same case: this test compares nothing"
    return str(sc["bundle"]), int(sc["tokens"])


@pytest.fixture(scope="module")
def both_runs() -> tuple[ListedRun, ListedRun]:
    """smoke (pyuvm) and sc_smoke (SystemC) on the same bundle, run once for the tests of this module."""
    _same_case()
    return (run_listed("smoke", "w128", SEED, run_dir=RUNS_DIR / "crossengine.pyuvm"),
            run_listed("sc_smoke", "w128", SEED, run_dir=RUNS_DIR / "crossengine.systemc"))


@pytest.mark.sim
def test_both_engines_agree_on_the_same_bundle(both_runs: tuple[ListedRun, ListedRun]) -> None:
    bundle, tokens = _same_case()
    uvm, sc = both_runs
    b = build_bundle(bundle, 1, tokens, bus_width=128)
    golden_logits = np.asarray(b.logits).astype("<i4").tobytes()
    golden_kv = pack_kv(b.layout, b.kv)
    assert len(golden_logits) == 4 * tokens * b.cfg.vocab and any(golden_kv)
    for run in (uvm, sc):
        logits, kv = (run.run_dir / "logits.bin").read_bytes(), (run.run_dir / "kv_region.bin").read_bytes()
        assert logits == golden_logits, f"{run.test}: logits differ from the golden model"
        assert kv == golden_kv, f"{run.test}: KV region differs from the golden model"
    assert (uvm.run_dir / "logits.bin").read_bytes() == (sc.run_dir / "logits.bin").read_bytes()
    assert (uvm.run_dir / "kv_region.bin").read_bytes() == (sc.run_dir / "kv_region.bin").read_bytes()
    perf_uvm = [t["perf"] for t in json.loads((uvm.run_dir / "tokens.json").read_text())]
    perf_sc = [json.loads(line)["perf"] for line in (sc.run_dir / "tokens.jsonl").read_text().splitlines()]
    for a, c in zip(perf_uvm, perf_sc, strict=True):       # the bytes moved are the schedule's on both
        assert (a["bytes_rd"], a["bytes_wr"]) == (c["bytes_rd"], c["bytes_wr"])


PROBE = [0x70, 0x74, 0x78, 0x7C]        # ID, VERSION, HW_PARAMS, HW_MAX_DIMS (models/csr_map.py): le_probe()


def _uvm_csr_sequence(txn_log: Path) -> list[tuple[str, int, int]]:
    """The pyuvm run's AXI4-Lite accesses in order, from its transaction log ("C W 0x14 0x00000004 resp=0 t=..")."""
    seq = []
    for line in txn_log.read_text().splitlines():
        if line.startswith("C "):
            _, rw, addr, data = line.split()[:4]
            seq.append((rw, int(addr, 16), int(data, 16)))
    return seq


@pytest.mark.sim
def test_c_driver_and_python_driver_make_the_same_csr_accesses_on_the_rtl(
        both_runs: tuple[ListedRun, ListedRun]) -> None:
    """The C driver (SystemC harness) and the Python driver (pyuvm env) on the same RTL and bundle: after the C
    driver's le_probe (ID, VERSION, HW_PARAMS, HW_MAX_DIMS reads: the env's sequence does not probe), the same
    AXI4-Lite accesses in the same order with the same data, read values included (both hosts take the same
    cycles per access, so even the PERF_CYCLES values agree)."""
    from regress.sctxn import csr_sequence
    uvm, sc = both_runs
    if not (sc.run_dir / "txn.jsonl").is_file():
        pytest.fail("the SystemC harness wrote no txn.jsonl")
    py, c = _uvm_csr_sequence(uvm.run_dir / "txn_log.txt"), csr_sequence(sc.run_dir / "txn.jsonl")
    assert [(rw, addr) for rw, addr, _ in c[:len(PROBE)]] == [("R", a) for a in PROBE]
    c = c[len(PROBE):]
    assert py[0] == ("W", 0x10, 32), "the env's log does not start with the first configuration write"
    assert len(py) == len(c) > 60
    for n, (x, y) in enumerate(zip(py, c, strict=True)):
        assert x == y, f"access {n}: Python driver {x}, C driver {y}"


PLANT_FILE = "rtl/le_requant.sv"
PLANT_FROM = "assign rnd_d  = prod_t'((ProdW'(1) << r_q1) >> 1);"
PLANT_TO = "assign rnd_d  = prod_t'((ProdW'(1) << r_q1) >> 2);"      # round at a quarter, not a half


def _scratch_copy(dst: Path) -> Path:
    """The tracked tree (as it is in the working tree) in `dst`, with the rounding bug planted."""
    files = subprocess.run(["git", "ls-files", "-z"], cwd=REPO, capture_output=True, check=True).stdout
    for name in files.decode().split("\0"):
        if name and (REPO / name).is_file():
            (dst / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(REPO / name, dst / name)
    src = (dst / PLANT_FILE).read_text()
    assert src.count(PLANT_FROM) == 1
    (dst / PLANT_FILE).write_text(src.replace(PLANT_FROM, PLANT_TO))
    tl = dst / "regress" / "testlist.yaml"
    text = tl.read_text()
    assert text.count("\nsuites:\n") == 1
    suite = "  planted:\n    tests: [{test: smoke, configs: [w128]}, sc_smoke]\n"
    tl.write_text(text.replace("\nsuites:\n", "\nsuites:\n" + suite))
    return dst


@pytest.mark.sim
@pytest.mark.slow
def test_a_planted_rtl_bug_gives_the_same_first_divergence_on_both_engines(tmp_path: Path) -> None:
    _same_case()
    scratch = _scratch_copy(tmp_path / "repo")
    out = tmp_path / "regress"
    env = {**os.environ, "PYTHONPATH": str(scratch)}
    p = subprocess.run([sys.executable, "-m", "regress", "run", "planted", "--out", str(out), "-j", "1"],
                       cwd=scratch, capture_output=True, text=True, timeout=3600, env=env)
    assert p.returncode == 1, p.stdout[-3000:] + p.stderr[-3000:]          # both runs fail
    firsts = {}
    for run in ("smoke.w128.s1", "sc_smoke.w128.s1"):
        status = json.loads((out / "runs" / run / "results.json").read_text())["status"]
        assert status == "fail", f"{run}: {status}"
        d = subprocess.run([sys.executable, "-m", "regress", "debug", str(out / "runs" / run)], cwd=scratch,
                           capture_output=True, text=True, timeout=1800, env=env)
        assert d.returncode == 0, d.stdout[-3000:] + d.stderr[-3000:]
        first = json.loads((out / "runs" / run / "debug" / "divergence.json").read_text())["first"]
        assert first is not None, f"{run}: no divergence found"
        for when in ("cycle", "time_ps"):         # the hosts differ (Python vs C driver): so does the timing
            first.pop(when)
        firsts[run] = first
    assert firsts["smoke.w128.s1"] == firsts["sc_smoke.w128.s1"], firsts
    assert firsts["smoke.w128.s1"]["token"] == 0

