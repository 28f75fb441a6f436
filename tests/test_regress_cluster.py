"""`regress run --cluster`: the launcher driver's fault paths on the fake backend (retry after a lost worker,
a run lost on every attempt, a worker that cannot see the build, a duplicate report, Ctrl-C with runs queued),
the cluster file's and the preflight's one-line errors, and dask-local with a fake simulator (the same
statuses as local, placement recorded, a worker killed mid-run retried and kept, Ctrl-C)."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import threading
import time
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest

from regress import cli
from regress.launchers import ClusterError, clusters
from regress.launchers.fake import FakeBackend
from tests.regress_cluster_fixtures import args as fixture_args
from tests.regress_cluster_fixtures import run, setup


def _doc(out: Path) -> dict:
    return json.loads((out / "results.json").read_text())


def _runs(out: Path) -> dict[str, dict]:
    return {r["run_id"]: r for r in _doc(out)["runs"]}


def test_fake_lost_worker_is_retried_and_kept(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cmd = setup(tmp_path)
    fake = FakeBackend({"good.w64.s1": ["lost", "pass"]})
    assert run(tmp_path, cmd, "calm", backend=fake) == 0
    runs = _runs(tmp_path / "out")
    r = runs["good.w64.s1"]
    assert (r["status"], r["attempts"], r["backend"], r["host"], r["batch_job_id"]) == ("pass", 2, "fake",
                                                                                        "fakehost", "102")
    assert "worker lost" in r["infra_errors"][0]
    assert runs["good.w128.s1"]["attempts"] == 1
    assert fake.log.count("submit good.w64.s1 2") == 1 and fake.log[-1] == "close"
    doc = _doc(tmp_path / "out")
    assert (doc["total"], doc["passed"], doc["failed"], doc["infra"], doc["retried"]) == (2, 2, 0, 0, 1)
    out = capsys.readouterr().out
    assert "INFRA       good.w64.s1: worker lost" in out and "1 run(s) kept after a retry" in out
    props = {p.get("name"): p.get("value") for p in ET.parse(tmp_path / "out" / "junit.xml").getroot().iter("property")
             if p.get("name") in ("attempts", "backend", "worker", "queue_wait_s")}
    assert props["backend"] == "fake" and props["queue_wait_s"] == "0.010"


def test_fake_lost_on_every_attempt_is_infra_not_a_failure(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cmd = setup(tmp_path)
    fake = FakeBackend({"good.w64.s1": ["lost", "never", "pass"], "bad.w64.s1": ["fail"]})
    assert run(tmp_path, cmd, "all", backend=fake) == 1
    runs = _runs(tmp_path / "out")
    r = runs["good.w64.s1"]
    assert (r["status"], r["kind"], r["attempts"]) == ("infra", "InfraError", 2)     # default: one retry
    assert "no worker started" in r["message"] and r["signature"] is None
    doc = _doc(tmp_path / "out")
    assert doc["infra"] == 1 and doc["failed"] == 1 and doc["total"] == 6
    assert all("good.w64.s1" not in b["runs"] for b in doc["buckets"])          # not a test failure: no bucket
    assert "INFRA good.w64.s1: no worker started" in capsys.readouterr().out
    errors = [c for c in ET.parse(tmp_path / "out" / "junit.xml").getroot().iter("testcase")
              if c.find("error") is not None and c.find("error").get("type") == "InfraError"]
    assert len(errors) == 1
    page = (tmp_path / "out" / "dashboard.html").read_text()
    assert "fake fakehost job 102 <span" in page and "(2 attempts)" in page       # where it ran, the retry
    assert '<div class="l">infra errors</div>' in page and "cluster <b>local</b>" in page


def test_fake_retries_configurable(tmp_path: Path) -> None:
    cmd = setup(tmp_path)
    script = {"good.w64.s1": ["lost", "lost", "pass"]}
    assert run(tmp_path, cmd, "calm", backend=FakeBackend(script), infra_retries=2) == 0
    assert _runs(tmp_path / "out")["good.w64.s1"]["attempts"] == 3
    assert run(tmp_path, cmd, "calm", backend=FakeBackend(script), infra_retries=0, out=tmp_path / "o0") == 1
    r = _runs(tmp_path / "o0")["good.w64.s1"]
    assert (r["status"], r["attempts"]) == ("infra", 1)


def test_fake_unreachable_build_is_not_retried(tmp_path: Path) -> None:
    cmd = setup(tmp_path)
    fake = FakeBackend({"good.w64.s1": ["unreachable"]})
    assert run(tmp_path, cmd, "calm", backend=fake) == 1
    assert [e for e in fake.log if e.startswith("submit good.w64.s1")] == ["submit good.w64.s1 1"]
    assert "cannot see /no/build" in _runs(tmp_path / "out")["good.w64.s1"]["message"]


def test_fake_duplicate_report_counted_once(tmp_path: Path) -> None:
    cmd = setup(tmp_path)
    seen: list[str] = []
    fake = FakeBackend({"good.w64.s1": ["dup"]})
    from regress import runner
    orig = runner.record
    runner.record = lambda res, *a: (seen.append(res.run_id), orig(res, *a))[1]   # type: ignore[assignment]
    try:
        assert run(tmp_path, cmd, "calm", backend=fake) == 0
    finally:
        runner.record = orig
    assert sorted(seen) == ["good.w128.s1", "good.w64.s1"]
    assert _doc(tmp_path / "out")["total"] == 2


def test_fake_interrupt_cancels_queued_runs(tmp_path: Path) -> None:
    cmd = setup(tmp_path)
    fake = FakeBackend({"bad.w64.s2": ["interrupt"]}, slots=1)
    assert run(tmp_path, cmd, "all", backend=fake) == 1
    doc = _doc(tmp_path / "out")
    status = {r["run_id"]: r["status"] for r in doc["runs"]}
    assert doc["interrupted"] is True
    assert status["good.w64.s1"] == "pass" and status["bad.w64.s2"] == "interrupted"
    assert status["boom.w64.s1"] == "not_run" and status["hang.w128.s1"] == "not_run"
    assert fake.cancelled == ["bad.w64.s2", "boom.w64.s1", "hang.w128.s1"] and fake.log[-2:] == ["cancel", "close"]


# -- cluster file and preflight: one line naming the fix, exit 2, before any build

def _main(tmp: Path, *extra: str) -> int:
    setup(tmp)
    return cli.main(["--testlist", str(tmp / "list.yaml"), "run", "calm", "--out", str(tmp / "out"), *extra])


@pytest.mark.parametrize(("text", "cluster", "want"), [
    ("clusters:\n  slurm: {queue: [oops\n", "slurm", "c.yaml: line 3 not valid YAML"),
    ("clusters:\n  slurm: {partition: debug}\n", "slurm", "unknown key 'partition'"),
    ("clusters:\n  slurm: {}\n", "lsf", "no such cluster in"),
    ("clusters:\n  slurm: {walltime: '00:10:00', lifetime_margin: 900}\n", "slurm", "not above lifetime_margin"),
    ("clusters:\n  grid: {}\n", "grid", "unknown kind of cluster"),
    ("defaults: {infra_retries: -1}\nclusters: {}\n", "dask-local", "infra_retries: expected a number"),
    ("clusters: {}\n", "tcp://nohost", "expected tcp://HOST:PORT"),
])
def test_cluster_file_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, cluster: str,
                             want: str) -> None:
    (tmp_path / "c.yaml").write_text(text)
    assert _main(tmp_path, "--cluster", cluster, "--cluster-config", str(tmp_path / "c.yaml")) == 2
    err = capsys.readouterr().err.strip()
    assert want in err and len(err.splitlines()) == 1
    assert not (tmp_path / "out").exists()                  # before anything: no output directory, no build


def test_default_file_loads() -> None:
    for name in ("dask-local", "slurm", "lsf", "pbs", "sge", "htcondor"):
        spec = clusters.load(name)
        assert spec.retries == 1 and spec.start_timeout > 0
    from regress.launchers.dask_backend import jobqueue_kwargs
    kw = jobqueue_kwargs(clusters.load("slurm"), "/py")
    assert kw["worker_extra_args"][:2] == ["--lifetime", f"{3600 - 1200}s"] and kw["queue"] == "debug"



def test_workers_run_with_quiet_timers() -> None:
    """Dask's own timers share the cores with the simulators (the tick at 20 ms cost 4-6 % of every run): the
    slowed ones are in effect on dask-local's workers and exported to every batch job's worker. And the local
    cluster's nannies leave no variable behind in this process (a later run of it would inherit their malloc and
    thread settings)."""
    import dask

    from regress.launchers.dask_backend import SCHEDULER_CONFIG, WORKER_ENV, DaskBackend, jobqueue_kwargs
    quiet = {k: v for k, v in SCHEDULER_CONFIG.items() if k.startswith(("distributed.admin", "distributed.worker.p",
                                                                       "distributed.worker.memory"))}
    assert "distributed.admin.tick.interval" in quiet
    for key, value in quiet.items():       # the batch workers' environment says the same
        var = "DASK_" + key.upper().replace(".", "__").replace("-", "_")
        assert str(WORKER_ENV.get(var)) == str(value), var
    prologue = jobqueue_kwargs(clusters.load("slurm"), "/py")["job_script_prologue"]
    assert all(f"export {k}={v}" in prologue for k, v in WORKER_ENV.items())
    nanny_vars = ("MALLOC_TRIM_THRESHOLD_", "OMP_NUM_THREADS", "PYTHONHASHSEED")
    before = {k: os.environ.get(k) for k in nanny_vars}
    be = DaskBackend(clusters.load("dask-local"), 1)
    be.start()
    try:
        seen = be.client.run(lambda: {k: dask.config.get(k) for k in quiet})
        # the nannies (in this process) must not leave their variables in this process's environment
        assert {k: os.environ.get(k) for k in nanny_vars} == before
    finally:
        be.close()
    assert len(seen) == 1 and next(iter(seen.values())) == quiet
    assert {k: os.environ.get(k) for k in nanny_vars} == before


def _fake_bin(tmp: Path, **scripts: str) -> str:
    b = tmp / "bin"
    b.mkdir(exist_ok=True)
    for name, body in scripts.items():
        (b / name).write_text("#!/bin/sh\n" + body + "\n")
        (b / name).chmod(0o755)
    return str(b)


def test_preflight_slurm(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("PATH", _fake_bin(tmp_path, python3="true"))
    assert _main(tmp_path, "--cluster", "slurm") == 2
    assert "sbatch not found on PATH" in capsys.readouterr().err
    monkeypatch.setenv("PATH", _fake_bin(tmp_path, sbatch="true", sinfo="echo 'batch* up'; echo 'gpu up'"))
    assert _main(tmp_path, "--cluster", "slurm") == 2
    err = capsys.readouterr().err
    assert ("no such partition 'debug' (sinfo lists: batch, gpu): fix clusters.slurm.queue in "
            "regress/clusters.yaml") in err
    monkeypatch.setenv("PATH", _fake_bin(tmp_path, sinfo="echo 'slurm_load_partitions: Unable to contact' >&2; exit 1"))
    assert _main(tmp_path, "--cluster", "slurm") == 2
    assert "is slurmctld up?" in capsys.readouterr().err
    with pytest.raises(ClusterError, match="no Dask scheduler answers"):
        clusters.preflight(clusters.load("tcp://127.0.0.1:9"))


# -- dask-local with the fake simulator

def test_dask_local_same_statuses_as_local(tmp_path: Path) -> None:
    cmd = setup(tmp_path)
    assert run(tmp_path, cmd, "all", out=tmp_path / "loc") == 1
    assert run(tmp_path, cmd, "all", cluster="dask-local", out=tmp_path / "dl") == 1
    loc, dl = _runs(tmp_path / "loc"), _runs(tmp_path / "dl")
    assert {k: v["status"] for k, v in loc.items()} == {k: v["status"] for k, v in dl.items()}
    buckets = [[b["runs"] for b in _doc(tmp_path / o)["buckets"]] for o in ("loc", "dl")]
    assert buckets[0] == buckets[1]
    assert "exit code 139" in dl["boom.w64.s1"]["message"]                        # the exit status goes through
    g = dl["good.w64.s1"]
    assert g["backend"] == "dask-local" and g["host"] and g["worker"] != "" and g["queue_wait_s"] >= 0
    assert g["run_s"] > 0 and (tmp_path / "dl" / "runs" / "good.w64.s1" / "run.log").read_text().startswith("$ ")
    assert loc["good.w64.s1"]["backend"] == "local" and loc["good.w64.s1"]["host"]
    # the same environment as a local run: not the malloc / BLAS settings Dask's nanny gives its workers
    log = (tmp_path / "dl" / "runs" / "good.w64.s1" / "run.log").read_text()
    assert "env MALLOC_TRIM_THRESHOLD_=None OMP_NUM_THREADS=None PYTHONHASHSEED=None" in log


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    stat = Path(f"/proc/{pid}/stat")
    return stat.exists() and stat.read_text().rsplit(")", 1)[1].split()[0] != "Z"


def test_dask_local_worker_killed_mid_run(tmp_path: Path) -> None:
    cmd = setup(tmp_path)
    assert run(tmp_path, cmd, "lost", cluster="dask-local") == 0
    r = _runs(tmp_path / "out")["victim.w64.s1"]
    assert (r["status"], r["attempts"]) == ("pass", 2) and "worker lost mid-run" in r["infra_errors"][0]
    first = int((tmp_path / "out" / "runs" / "victim.w64.s1" / "killed_once").read_text())
    assert not _alive(first), "the first attempt's simulator outlived its worker"
    runs = _runs(tmp_path / "out")
    assert len(runs) == 3 and all(r["status"] == "pass" for r in runs.values())
    assert [r["attempts"] for k, r in sorted(runs.items())] == [1, 1, 2]      # only the victim was retried


def test_dask_local_interrupt(tmp_path: Path) -> None:
    cmd = setup(tmp_path)
    def watch() -> None:                  # SIGTERM once two runs execute (however long the workers take to start)
        end = time.monotonic() + 60
        while time.monotonic() < end and len(list(tmp_path.glob("out/runs/*/run.log"))) < 2:
            time.sleep(0.1)
        time.sleep(0.5)
        os.kill(os.getpid(), signal.SIGTERM)
    t = threading.Thread(target=watch)
    t.start()
    t0 = time.monotonic()
    try:
        rc = run(tmp_path, cmd, "slow", reseed=4, cluster="dask-local")
    finally:
        t.join()
    assert rc == 1 and time.monotonic() - t0 < 70
    doc = _doc(tmp_path / "out")
    assert doc["interrupted"] is True
    assert sorted(r["status"] for r in doc["runs"]) == ["interrupted", "interrupted", "not_run", "not_run"]
    left = subprocess.run(["pgrep", "-f", str(tmp_path / "fake_sim.py")], capture_output=True, text=True).stdout
    assert not left.strip(), f"simulators left running: {left}"


def test_dask_local_worker_cannot_see_the_build(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cmd = setup(tmp_path)
    gone = tmp_path / "not-shared"
    rc = cli.run(fixture_args(
        tmp_path, "calm", cluster="dask-local"), make_command=cmd, builder=lambda cfg: gone / cfg.name, tools={})
    assert rc == 1
    runs = _runs(tmp_path / "out")
    for r in runs.values():
        assert r["status"] == "infra" and r["attempts"] == 1                     # not retried: it cannot help
        assert f"cannot see {gone}/" in r["message"] and "--build-on-worker" in r["message"]
    lines = [ln for ln in capsys.readouterr().out.splitlines() if ln.startswith("INFRA ") and "cannot see" in ln]
    assert len(lines) == 2
    # --build-on-worker: no build here, the runs get no --build-dir (simrun builds through its cache) and pass
    called: list[str] = []
    rc = cli.run(fixture_args(
        tmp_path, "calm", cluster="dask-local", build_on_worker=True, out=tmp_path / "bow"), make_command=cmd,
        builder=lambda cfg: called.append(cfg.name) or gone, tools={})
    assert rc == 0 and called == []
    assert all("--build-dir" not in r["command"] for r in _runs(tmp_path / "bow").values())


def test_compare_finds_a_different_transaction_log(tmp_path: Path) -> None:
    from regress.launchers.compare import main as compare_main
    cmd = setup(tmp_path)
    assert run(tmp_path, cmd, "all", out=tmp_path / "a") == 1
    assert run(tmp_path, cmd, "all", out=tmp_path / "b") == 1
    for out in ("a", "b"):
        for d in (tmp_path / out / "runs").iterdir():
            (d / "txn_log.sha256").write_text(f"{'0' * 64}  txn_log.txt\n")
    assert compare_main([str(tmp_path / "a"), str(tmp_path / "b")]) == 0
    (tmp_path / "b" / "runs" / "good.w64.s1" / "txn_log.sha256").write_text(f"{'1' * 64}  txn_log.txt\n")
    (tmp_path / "b" / "runs" / "bad.w64.s2" / "txn_log.sha256").unlink()
    from regress.launchers.compare import differences
    assert differences(tmp_path / "a", tmp_path / "b") == [
        f"bad.w64.s2: no txn_log.sha256 in {tmp_path / 'b'}",
        "good.w64.s1: transaction log sha256 0000000000000000 vs 1111111111111111"]
    assert compare_main([str(tmp_path / "a"), str(tmp_path / "b")]) == 1


def test_backend_starts_before_the_builds_and_closes_on_ctrl_c(tmp_path: Path) -> None:
    cmd = setup(tmp_path)
    fake = FakeBackend()

    def builder(cfg: object) -> Path:
        fake.log.append("build")
        raise KeyboardInterrupt
    with pytest.raises(KeyboardInterrupt):
        cli.run(fixture_args(tmp_path, "calm"), make_command=cmd, builder=builder, tools={}, backend=fake)
    assert fake.log == ["start", "build", "close"]          # workers come up while building; closed on Ctrl-C
