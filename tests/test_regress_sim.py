"""The real smoke regression: `regress run smoke --reseed 1 -j 2` on the pyuvm env (the runs the test list plans),
JUnit + JSON, the
dashboard; then `regress debug` on one of its runs (real probes against the real golden traces)."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest

from regress.runner import plan
from regress.testlist import load

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def smoke(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, subprocess.CompletedProcess[str]]:
    out = tmp_path_factory.mktemp("regress") / "smoke"
    p = subprocess.run([sys.executable, "-m", "regress", "run", "smoke", "--reseed", "1", "-j", "2", "--out", str(out)],
                       cwd=REPO, capture_output=True, text=True, timeout=3600)
    return out, p


@pytest.mark.sim
def test_regress_smoke(smoke: tuple[Path, subprocess.CompletedProcess[str]]) -> None:
    out, p = smoke
    assert p.returncode == 0, p.stdout[-3000:] + p.stderr[-3000:]
    doc = json.loads((out / "results.json").read_text())
    tl = load()
    planned = {(spec.cls, cfg.name) for spec, cfg, _ in plan(tl, tl.suite("smoke"), reseed=1)}
    assert {("SmokeTest", "w64"), ("SmokeTest", "w128"), ("RandTest", "w128"), ("XFramingTest", "w64")} <= planned
    n = len(planned)
    assert (doc["total"], doc["passed"], doc["failed"]) == (n, n, 0)
    runs = {(r["cls"], r["config"]) for r in doc["runs"]}
    assert runs == planned
    for r in doc["runs"]:
        assert r["passed"] and r["sim_time_ns"] > 0 and r["seed"] == 1
        run_dir = Path(r["run_dir"])
        assert (run_dir / "results.xml").is_file() and "PASS" in (run_dir / "run.log").read_text()
    cases = list(ET.parse(out / "junit.xml").getroot().iter("testcase"))
    assert len(cases) == n and not any(c.find("failure") is not None or c.find("error") is not None for c in cases)
    for c in cases:
        props = {q.get("name"): q.get("value") for q in c.iter("property")}
        assert props["seed"] == "1" and any(m in props["command"] for m in ("regress.simrun", "regress.scrun"))
    assert "total" in p.stdout and "100.0%" in p.stdout
    assert f"dashboard: {out / 'dashboard.html'}" in p.stdout and (out / "dashboard.html").stat().st_size > 10_000


@pytest.mark.sim
def test_regress_debug_on_a_real_run(smoke: tuple[Path, subprocess.CompletedProcess[str]]) -> None:
    """Probes and golden traces of a passing RandTest agree on every value of every operator; a golden value
    changed afterwards is found as the first divergence, at the DUT's cycle for that element."""
    import numpy as np

    from regress.debug_probe import OPERATORS, compare, read_golden, read_probe
    out, _ = smoke
    run = out / "runs" / "rand.w128.s1"
    p = subprocess.run([sys.executable, "-m", "regress", "debug", str(run)], cwd=REPO, capture_output=True, text=True,
                       timeout=1800)
    assert p.returncode == 0, p.stdout[-3000:] + p.stderr[-3000:]
    assert "rerun: pass" in p.stdout and "no divergence" in p.stdout
    doc = json.loads((run / "debug" / "divergence.json").read_text())
    assert doc["first"] is None and doc["stopped"] is None and doc["missing"] == {}
    dut = read_probe(run / "debug" / "probe.log")
    names = {name for tok in dut for (_, _, name) in tok.values}
    assert names == set(OPERATORS)                      # every operator boundary was probed
    golden = run / "debug" / "golden"
    gold = read_golden(golden)
    assert len(gold) == len(dut) and not any(g.expect_error for g in gold)
    assert doc["values_compared"] == sum(a.size for g in gold for a in g.arrays.values()) > 10_000
    tok = dut[-1]
    layer, head, _ = max(k for k in tok.values if k[2] == "p")      # the last layer's last head
    last = len(tok.values[(layer, head, "p")]) - 1                   # its last probability
    path = golden / f"t{tok.index}.npz"                              # RandTest: no rejected STARTs, n-th = n-th
    with np.load(path) as z:
        arrays = {k: z[k] for k in z.files}
    arrays[f"{layer}/{head}/p"][last] += 1
    np.savez(path, **arrays)
    rep = compare(dut, read_golden(golden))
    d = rep.first
    assert d is not None and (d.token, d.layer, d.head, d.name, d.index) == (tok.index, layer, head, "p", last)
    assert d.cycle == tok.values[(layer, head, "p")][last][1] and rep.mismatches == {"p": 1}


@pytest.mark.sim
@pytest.mark.parametrize("test", ["reset_mid_token", "axi_error"])
def test_regress_debug_is_clean_on_error_and_reset_runs(tmp_path: Path, test: str) -> None:
    """Tokens cut by resets or failed by AXI errors are expected to fail: their prefixes are compared apart and
    the retried / following tokens align by position, so passing error tests debug clean (no false divergence)."""
    out = tmp_path / test
    p = subprocess.run([sys.executable, "-m", "regress", "run", "nightly", "--test", test, "--seed", "5", "-j", "2",
                        "--out", str(out)], cwd=REPO, capture_output=True, text=True, timeout=3600)
    assert p.returncode == 0, p.stdout[-3000:] + p.stderr[-3000:]
    for run in sorted((out / "runs").iterdir()):
        d = subprocess.run([sys.executable, "-m", "regress", "debug", str(run)], cwd=REPO, capture_output=True,
                           text=True, timeout=1800)
        assert d.returncode == 0 and "no divergence" in d.stdout, d.stdout[-3000:] + d.stderr[-3000:]
        assert "bit for bit: transaction log sha256" in d.stdout
        doc = json.loads((run / "debug" / "divergence.json").read_text())
        assert doc["tokens_compared"] > 1 and doc["unmatched_tokens"] == []
