"""`regress run --cluster slurm` against a real one-node Slurm (ci/slurm_up.sh: munged, slurmctld, slurmd without
systemd), started here when it is not up and stopped after: the fake simulator's statuses and buckets as local
with the batch job id recorded, a batch job cancelled mid-run (an infra error, retried, the result kept),
Ctrl-C with batch jobs still pending (nothing left in squeue), and the real smoke test's transaction-log sha256
the same on local, dask-local and slurm. Skips with the reason when not root or Slurm is not installed."""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from regress.launchers.compare import differences
from tests.regress_cluster_fixtures import run, setup
from tests.test_regress_cluster import _alive, _doc, _runs

REPO = Path(__file__).resolve().parents[1]


def _squeue() -> str:
    return subprocess.run(["squeue", "-h", "-o", "%i %T"], capture_output=True, text=True, check=False).stdout.strip()


def _up() -> bool:
    r = subprocess.run(["sinfo", "-h", "-o", "%T"], capture_output=True, text=True, check=False)
    return r.returncode == 0 and any(s.startswith(("idle", "mix", "alloc")) for s in r.stdout.split())


@pytest.fixture(scope="module")
def slurm(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    if os.geteuid() != 0:
        pytest.skip("needs root: starts munged, slurmctld and slurmd (make test runs as root)")
    missing = [b for b in ("sbatch", "squeue", "sinfo") if shutil.which(b) is None]
    missing += [b for b in ("slurmctld", "slurmd", "munged") if not Path("/usr/sbin", b).exists()]
    if missing:
        pytest.skip(f"Slurm not installed ({', '.join(missing)}): ci/install_apt.sh slurmctld slurmd slurm-client "
                    f"munge (ci/slurm_smoke.sh, the Slurm stage of make test, does it)")
    state = tmp_path_factory.mktemp("slurm-state")
    env = {**os.environ, "SLURM_STATE_DIR": str(state)}
    if not _up():
        subprocess.run([str(REPO / "ci" / "slurm_up.sh")], env=env, check=True)
    try:
        yield
    finally:
        subprocess.run([str(REPO / "ci" / "slurm_down.sh")], env=env, check=False)   # only what it started


def test_slurm_statuses_buckets_and_placement(slurm: None, tmp_path: Path) -> None:
    cmd = setup(tmp_path)
    assert run(tmp_path, cmd, "all", out=tmp_path / "loc") == 1
    assert run(tmp_path, cmd, "all", cluster="slurm", out=tmp_path / "sl") == 1
    assert _squeue() == ""
    loc, sl = _runs(tmp_path / "loc"), _runs(tmp_path / "sl")
    assert {k: v["status"] for k, v in loc.items()} == {k: v["status"] for k, v in sl.items()}
    assert differences(tmp_path / "loc", tmp_path / "sl") == [
        f"{r}: no txn_log.sha256 in {tmp_path / 'loc'}" for r in sorted(loc)]      # the same buckets; no hashes
    g = sl["good.w64.s1"]
    assert g["backend"] == "slurm" and g["batch_job_id"].isdigit() and g["worker"].startswith("SLURMCluster")
    assert g["queue_wait_s"] >= g["dispatch_s"] >= 0


def test_slurm_job_cancelled_mid_run_is_retried(slurm: None, tmp_path: Path) -> None:
    cmd = setup(tmp_path)
    assert run(tmp_path, cmd, "lost", cluster="slurm") == 0
    runs = _runs(tmp_path / "out")
    v = runs["victim.w64.s1"]
    assert (v["status"], v["attempts"]) == ("pass", 2) and "worker lost mid-run" in v["infra_errors"][0]
    assert len(runs) == 3 and all(r["status"] == "pass" for r in runs.values())
    assert not _alive(int((tmp_path / "out" / "runs" / "victim.w64.s1" / "killed_once").read_text()))
    assert _squeue() == ""


def test_slurm_ctrl_c_with_jobs_pending(slurm: None, tmp_path: Path) -> None:
    cmd = setup(tmp_path)
    conf = tmp_path / "clusters.yaml"
    conf.write_text("clusters:\n  slurm: {queue: debug, walltime: '00:30:00', lifetime_margin: 300, max_jobs: 4}\n")
    seen: list[str] = []

    def watch() -> None:                  # Ctrl-C once two runs execute and two batch jobs are still pending
        end = time.monotonic() + 60
        while time.monotonic() < end:
            q = _squeue()
            started = list((tmp_path / "out" / "runs").glob("*/run.log")) if (tmp_path / "out").exists() else []
            if "PENDING" in q and len(started) >= 2:
                seen.append(q)
                break
            time.sleep(0.2)
        os.kill(os.getpid(), signal.SIGINT)
    t = threading.Thread(target=watch)
    t.start()
    try:
        rc = run(tmp_path, cmd, "slow", reseed=5, cluster="slurm", cluster_config=conf)
    finally:
        t.join()
    assert seen and "PENDING" in seen[0], "no batch job was pending when Ctrl-C came"
    assert rc == 1 and _squeue() == ""
    doc = _doc(tmp_path / "out")
    assert doc["interrupted"] is True
    assert sorted(r["status"] for r in doc["runs"]) == ["interrupted"] * 2 + ["not_run"] * 3
    left = subprocess.run(["pgrep", "-f", str(tmp_path / "fake_sim.py")], capture_output=True, text=True).stdout
    assert not left.strip(), f"simulators left running: {left}"


@pytest.mark.sim
def test_same_transaction_logs_on_local_dask_local_slurm(slurm: None, tmp_path: Path) -> None:
    outs = {}
    for cluster in ("local", "dask-local", "slurm"):
        outs[cluster] = tmp_path / cluster
        r = subprocess.run([str(REPO / ".venv" / "bin" / "python"), "-m", "regress", "run", "smoke", "--test", "smoke",
                            "--cluster", cluster, "--out", str(outs[cluster])], cwd=REPO, capture_output=True,
                           text=True, check=False)
        assert r.returncode == 0, r.stdout[-2000:] + r.stderr[-2000:]
    assert len(_runs(outs["local"])) == 2
    assert differences(outs["local"], outs["dask-local"]) == []
    assert differences(outs["local"], outs["slurm"]) == []
    assert {r["backend"] for r in _runs(outs["slurm"]).values()} == {"slurm"}


def test_slurm_job_never_starts(slurm: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cmd = setup(tmp_path)
    conf = tmp_path / "clusters.yaml"          # the jobs may not begin for an hour: no worker ever comes up
    conf.write_text("clusters:\n  slurm: {queue: debug, walltime: '00:30:00', lifetime_margin: 300, start_timeout: 4,"
                    " job_extra_directives: ['--begin=now+3600']}\n")
    t0 = time.monotonic()
    assert run(tmp_path, cmd, "calm", cluster="slurm", cluster_config=conf) == 1
    assert time.monotonic() - t0 < 60
    runs = _runs(tmp_path / "out")
    for r in runs.values():
        assert (r["status"], r["attempts"]) == ("infra", 2)            # retried once, then recorded apart
        assert "no worker started within 4 s" in r["message"] and "squeue:" in r["message"]
    assert _doc(tmp_path / "out")["failed"] == 0 and _squeue() == ""
    assert "infrastructure errors (not test failures): 2 run(s) lost" in capsys.readouterr().out
