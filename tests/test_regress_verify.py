"""`regress verify` and repro.sh (regress/verify.py): the fix -> verify step on a fake simulator (no build).

A fake run writes results.xml in cocotb's format and a transaction-log hash, its outcome read from a mode file the
test flips to play the fix: the same failure ("still fails (same signature)", exit 1), a pass ("passes now", exit
0), another failure ("fails differently (new signature: ...)"). The sources line compares git HEAD and the
uncommitted diff with the failing regression's; the bit-for-bit line appears on the same sources only; a gone
recorded build and a folder without results.json are one line, exit 2, nothing run. repro.sh delegates to it.
"""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from regress import verify
from regress.results import RunResult, parse_cocotb_results, repro_script, with_sva

REPO = Path(__file__).resolve().parents[1]
FAKE = '''
import sys
from pathlib import Path
sys.path.insert(0, {repo!r})
from regress.scrun import write_results
out = Path(sys.argv[sys.argv.index("--out") + 1])
out.mkdir(parents=True, exist_ok=True)
mode = Path({mode!r}).read_text().strip()
if mode.startswith("sva:"):                  # stopped by an assertion: its line, then the harness found nothing
    name = mode[4:]
    print(f"[0] %Error: c.sv:7: Assertion failed in top.le_tb_top.u_dut.u_c.{{name}}: LE_ASSERT {{name}} failed: "
          f'File "/x/verif/hdl/c.sv", line 7, in top.le_tb_top.u_dut.u_c.{{name}}', flush=True)
fail = {{"pass": [], "same": ["logits: 3 mismatch(es)", "  token 0 (pos 0): logit 5: golden 1, DUT 2"],
        "other": ["status: 1 mismatch(es)", "  token 1 (pos 1): expected DONE"]}}.get(mode, ["harness: no run.json"])
write_results(out / "results.xml", "fake", fail, 0.1, 10.0)
(out / "txn_log.sha256").write_text(("aaaa" if mode != "other" else "bbbb") + "  12 transactions\\n")
sys.exit(1 if fail else 0)
'''


def make_regression(tmp: Path, sha: str | None = None, first: str = "same") -> tuple[Path, Path, Path]:
    """(the regression's OUT, its failed run's folder, the mode file) after one failing fake run (mode `first`)."""
    mode = tmp / "mode"
    mode.write_text(first)
    fake = tmp / "fake_sim.py"
    fake.write_text(FAKE.format(repo=str(REPO), mode=str(mode)))
    out = tmp / "reg"
    run_dir = out / "runs" / "fake.w64.s3"
    run_dir.mkdir(parents=True)
    cmd = [sys.executable, str(fake), "--seed", "3", "--out", str(run_dir)]
    with open(run_dir / "run.log", "wb") as log:
        subprocess.run(cmd, check=False, stdout=log, stderr=subprocess.STDOUT)
    parsed = parse_cocotb_results(run_dir / "results.xml", "fake")
    assert parsed is not None and parsed[0] == "fail"
    kind, message, tb = with_sva(parsed[0], parsed[1], parsed[2], parsed[3], run_dir / "run.log")   # as the runner
    r = RunResult("fake.w64.s3", "fake", "fake", "w64", 3, "master 3", str(run_dir), cmd, status="fail",
                  kind=kind, message=message, traceback=tb, timeout_s=60.0)
    (run_dir / "results.json").write_text(json.dumps(r.to_json()))
    now = verify.current_sources()
    git = {"sha": sha or now.sha, "dirty": now.diff_sha256 is not None}
    if now.diff_sha256:
        (out / "git.diff").write_bytes(subprocess.run(["git", "diff", "HEAD"], cwd=REPO, capture_output=True).stdout)
    (out / "results.json").write_text(json.dumps({"suite": "s", "git": git, "runs": [r.to_json()]}))
    return out, run_dir, mode


def run_verify(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "regress", "verify", *args], cwd=REPO, capture_output=True,
                          text=True, timeout=120)


def test_still_fails_then_passes_then_fails_differently(tmp_path: Path) -> None:
    out, run_dir, mode = make_regression(tmp_path)
    re_out = tmp_path / "re"
    same = run_verify(str(run_dir), "--out", str(re_out))
    assert same.returncode == 1, same.stderr
    lines = same.stdout.splitlines()
    assert "sources: the same as the failing run's" in lines[0]
    assert any("bit for bit: transaction log sha256 aaaa" in ln for ln in lines)
    assert lines[-2].endswith("fake.w64.s3: still fails (same signature)"), lines
    assert lines[-1] == "regress verify: 1 run(s): 0 fixed, 1 still failing, 0 failing differently"
    mode.write_text("pass")
    fixed = run_verify(str(out), "--out", str(re_out))           # the regression's OUT: its failed runs
    assert fixed.returncode == 0 and fixed.stdout.splitlines()[-2].endswith(": passes now"), fixed.stdout
    mode.write_text("other")
    other = run_verify(str(run_dir), "--out", str(re_out))
    assert other.returncode == 1, other.stdout
    assert "fails differently (new signature: " in other.stdout.splitlines()[-2]
    assert "WARNING: the transaction log differs" in other.stdout


def test_a_run_stopped_by_an_assertion_is_verified_by_its_assertion(tmp_path: Path) -> None:
    """The signature that verify compares is the assertion's (docs/verification.md#assertions): the same assertion
    again is 'still fails', another one 'fails differently' and names it, whatever else the run reported."""
    out, run_dir, mode = make_regression(tmp_path, first="sva:Held_A")
    recorded = json.loads((out / "results.json").read_text())["runs"][0]["signature"]
    assert recorded == ("AssertionFailed at verif/hdl/c.sv:7 in u_dut.u_c.Held_A: "
                        "LE_ASSERT Held_A failed in u_dut.u_c.Held_A"), recorded
    same = run_verify(str(run_dir), "--out", str(tmp_path / "re"))
    assert same.returncode == 1 and same.stdout.splitlines()[-2].endswith("still fails (same signature)"), same.stdout
    mode.write_text("sva:Stable_A")
    other = run_verify(str(run_dir), "--out", str(tmp_path / "re"))
    assert other.returncode == 1, other.stdout
    assert ("fails differently (new signature: AssertionFailed at verif/hdl/c.sv:7 in u_dut.u_c.Stable_A: "
            "LE_ASSERT Stable_A failed in u_dut.u_c.Stable_A)") in other.stdout.splitlines()[-2], other.stdout


def test_sources_that_differ_are_said(tmp_path: Path) -> None:
    _, run_dir, _ = make_regression(tmp_path, sha="0123456789abcdef0123")
    p = run_verify(str(run_dir), "--out", str(tmp_path / "re"))
    assert "sources DIFFER from the failing run's: then 0123456789ab" in p.stdout, p.stdout
    assert "bit for bit" not in p.stdout                 # other sources: the log may differ legitimately


def test_pyuvm_command_builds_from_the_sources_unless_recorded(tmp_path: Path) -> None:
    run = {"run_id": "r", "command": ["py", "-m", "regress.simrun", "--build-dir", str(tmp_path), "--expect-build",
                                      "b-1", "--out", "old"]}
    assert verify.command_for(run, tmp_path / "new", False) == ["py", "-m", "regress.simrun", "--expect-build",
                                                                 "b-1", "--out", str(tmp_path / "new")]
    assert "--build-dir" in verify.command_for(run, tmp_path / "new", True)
    gone = {**run, "command": ["py", "--build-dir", str(tmp_path / "gone"), "--out", "o"]}
    with pytest.raises(verify.VerifyError, match=r"the recorded build .* is gone"):
        verify.command_for(gone, tmp_path, True)


def test_bad_input_is_one_line(tmp_path: Path) -> None:
    p = run_verify(str(tmp_path))
    assert p.returncode == 2 and len(p.stderr.strip().splitlines()) == 1 and "no readable results.json" in p.stderr
    (tmp_path / "results.json").write_text(json.dumps({"suite": "s", "runs": []}))
    p = run_verify(str(tmp_path))
    assert p.returncode == 2 and "no failed run among" in p.stderr


def test_repro_sh_is_verify_of_its_run(tmp_path: Path) -> None:
    _, run_dir, mode = make_regression(tmp_path)
    doc = json.loads((run_dir / "results.json").read_text())
    r = RunResult(**{k: v for k, v in doc.items() if k in RunResult.__dataclass_fields__})
    text = repro_script(r, REPO, {"sha": "abc123", "dirty": True}, {"verilator": "5.048"}, "/o/git.diff")
    for needle in ("abc123", "dirty: yes", "/o/git.diff", "verilator 5.048", "master 3", "--recorded-build",
                   f"-m regress verify {run_dir} --out build/repro"):
        assert needle in text, needle
    script = run_dir / "repro.sh"
    script.write_text(text)
    mode.write_text("pass")
    p = subprocess.run(["sh", str(script)], capture_output=True, text=True, timeout=120)
    assert p.returncode == 0 and p.stdout.splitlines()[-2].endswith("passes now"), p.stdout + p.stderr
