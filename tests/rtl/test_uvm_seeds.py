"""Seeds: the same seed gives an identical transaction log (sha256 of verif/env/txn_log.py's log), a different
seed different stimulus. `seed_timing` (SeedTimingTest, verif/tests/seed_tests.py) randomises the memory and stream
timing; it runs through regress.launch.run_listed like every listed test. Also checks that the run left its UCIS
coverage file (verif/env/coverage_sub.py) and what it must contain.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from regress.launch import RUNS_DIR, run_listed
from verif.coverage import report

SEED_A, SEED_B = 11, 12


def _run(master: int, run_dir: Path) -> tuple[str, str, Path]:
    run = run_listed("seed_timing", "w64", master, run_dir=run_dir)
    digest = (run.run_dir / "txn_log.sha256").read_text().split()[0]
    return digest, (run.run_dir / "txn_log.txt").read_text(), run.run_dir


@pytest.mark.sim
def test_uvm_seed_determinism() -> None:
    a1, log_a1, run_dir = _run(SEED_A, RUNS_DIR / "seed_timing_a1")
    cov = run_dir / "coverage.ucis.xml"
    assert cov.is_file() and cov.stat().st_size > 0
    rep = report(cov)
    assert set(rep.coverage) == {"cfg", "stim", "axi_burst", "axi_depth", "axi_token", "datapath"}
    for bin_ in ("cfg.seq.len1", "datapath.softmax_single.seen", "axi_burst.rd_len.16_255",
                 # R/B: the memory's gaps (layer_engine holds RREADY/BREADY high by design)
                 *(f"axi_token.bp_{ch}.seen" for ch in ("ar", "r", "aw", "w", "b")),
                 "axi_token.rd_reordered.seen", "axi_token.rd_interleaved.seen", "axi_depth.rd_outstanding.4"):
        assert rep.hits.get(bin_, 0) > 0, f"{bin_} not hit: {rep.text()}"
    assert len(log_a1.splitlines()) > 100

    a2, log_a2, _ = _run(SEED_A, RUNS_DIR / "seed_timing_a2")
    assert log_a1 == log_a2, "same seed, different transaction log"
    assert a1 == a2
    b, log_b, _ = _run(SEED_B, RUNS_DIR / "seed_timing_b")
    assert a1 != b, "different seeds gave the same transaction log"
    assert log_a1 != log_b
