"""The real smoke regression with coverage: `regress run smoke --cov --cov-gate` (its runs on the two coverage builds,
cached in build/sim after the first time): every run writes coverage.dat, the merged figures equal a merge done
here in Python from the per-run files, genhtml's totals equal summary.json, the gate passes and is recorded."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from regress import codecov, covgrade, covwaive
from regress.runner import plan
from regress.testlist import load

REPO = Path(__file__).resolve().parents[1]


@pytest.mark.sim
@pytest.mark.slow          # make test's second stage already runs this regression (--cov --cov-gate); 67 s
def test_regress_smoke_cov(tmp_path: Path) -> None:
    out = tmp_path / "smoke"
    p = subprocess.run([sys.executable, "-m", "regress", "run", "smoke", "-j", "2", "--cov", "--cov-gate",
                        "--keep-run-coverage", "--out", str(out)], cwd=REPO, capture_output=True, text=True,
                       timeout=3600)
    assert p.returncode == 0, p.stdout[-3000:] + p.stderr[-3000:]
    runs = json.loads((out / "results.json").read_text())["runs"]
    tl = load()
    planned = plan(tl, tl.suite("smoke"))
    n = sum(spec.engine == "pyuvm" for spec, _, _ in planned)       # functional coverage: the pyuvm runs
    assert n >= 4 and len(runs) == len(planned) > n and all(r["passed"] for r in runs)
    assert f"functional coverage of the {n} pyuvm run(s)" in p.stdout
    assert "has no coverage.dat" not in p.stdout
    dats = []
    for r in runs:                                # code coverage: every run, the systemc ones included
        run_dir = Path(r["run_dir"])
        assert "--cov" in r["command"] and "--cov" in (run_dir / "cmd.sh").read_text()
        dats.append(run_dir / "coverage.dat")
        assert dats[-1].is_file()
        assert (run_dir / "coverage.ucis.xml").is_file() == ("regress.scrun" not in r["command"])
    code = out / "coverage" / "code"
    s = json.loads((code / "summary.json").read_text())
    assert list(s) == ["tool", "runs", "totals", "modules", "tb_modules", "html", "waived"] and s["runs"] == len(runs)
    assert {"layer_engine", "le_gemv", "le_softmax"} <= set(s["modules"]) and "le_tb_top" in s["tb_modules"]
    assert not any("__" in m for m in s["modules"])          # parameter specializations folded into RTL modules
    # verilator_coverage's merge == summing the per-run files here
    mine = codecov.summarize([pt for d in dats for pt in codecov.parse_dat(d)], REPO, len(runs), s["tool"],
                             covwaive.load())
    assert mine["totals"] == s["totals"] and mine["modules"] == s["modules"] and mine["waived"] == s["waived"]
    assert s["waived"]["stale"] == [] and s["waived"]["waivers"]      # the reviewed waivers all match this design
    lcov = subprocess.run(["lcov", "--summary", str(code / "coverage.info"), "--rc", "lcov_branch_coverage=1"],
                          capture_output=True, text=True, check=True)
    t = s["totals"]
    text = lcov.stdout + lcov.stderr
    assert f"({t['line']['hit']} of {t['line']['total']} lines)" in text
    assert f"({t['branch']['hit']} of {t['branch']['total']} branches)" in text
    assert (code / s["html"]).is_file()
    func = json.loads((out / "coverage" / "functional" / "summary.json").read_text())
    assert func["runs"] == n and set(func["covergroups"]) >= {"cfg", "stim", "axi_burst", "datapath"}
    graded = covgrade.read(out / "coverage")                  # every run graded; the set covers everything
    steps, total = covgrade.grade(graded)
    assert sorted(graded["runs"]) == sorted(r["run_id"] for r in runs) and steps[-1].covered == total
    gate = json.loads((out / "coverage" / "gate.json").read_text())
    assert gate["enabled"] and gate["misses"] == [] and gate["thresholds"] == load().cov_gate
    for metric, limit in gate["thresholds"].items():
        assert gate["figures"][metric] >= limit
    assert f"coverage: code ({len(runs)} runs" in p.stdout and "coverage gate: passed" in p.stdout
