"""The real smoke regression: `regress run smoke --reseed 1 -j 2` on the pyuvm env (3 runs), JUnit + JSON."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest

REPO = Path(__file__).resolve().parents[1]


@pytest.mark.sim
def test_regress_smoke(tmp_path: Path) -> None:
    out = tmp_path / "smoke"
    p = subprocess.run([sys.executable, "-m", "regress", "run", "smoke", "--reseed", "1", "-j", "2", "--out", str(out)],
                       cwd=REPO, capture_output=True, text=True, timeout=3600)
    assert p.returncode == 0, p.stdout[-3000:] + p.stderr[-3000:]
    doc = json.loads((out / "results.json").read_text())
    assert (doc["total"], doc["passed"], doc["failed"]) == (3, 3, 0)
    runs = {(r["cls"], r["config"]) for r in doc["runs"]}
    assert runs == {("SmokeTest", "w64"), ("SmokeTest", "w128"), ("RandTest", "w128")}
    for r in doc["runs"]:
        assert r["passed"] and r["sim_time_ns"] > 0 and r["seed"] == 1
        run_dir = Path(r["run_dir"])
        assert (run_dir / "results.xml").is_file() and "PASS" in (run_dir / "run.log").read_text()
    cases = list(ET.parse(out / "junit.xml").getroot().iter("testcase"))
    assert len(cases) == 3 and not any(c.find("failure") is not None or c.find("error") is not None for c in cases)
    for c in cases:
        props = {q.get("name"): q.get("value") for q in c.iter("property")}
        assert props["seed"] == "1" and "regress.simrun" in props["command"]
    assert "total" in p.stdout and "100.0%" in p.stdout
