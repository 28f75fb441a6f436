"""regress run --rerun-failed: one rerun per failure bucket, with waves and verbose logs, linked from the
dashboard; on the fake simulator of tests/test_regress_runner.py (which writes dump.fst when LE_WAVES=1)."""
from __future__ import annotations

import json
import sys
from pathlib import Path

from test_regress_runner import _run, fake  # noqa: F401  (the fixture)

from regress import rerun
from regress.results import RunResult

WAVY = '''
import os
from pathlib import Path
if os.environ.get("LE_WAVES") == "1":
    Path(sys.argv[3]).mkdir(parents=True, exist_ok=True)
    (Path(sys.argv[3]) / "dump.fst").write_bytes(b"FST")
print("log level", os.environ.get("COCOTB_LOG_LEVEL"), flush=True)
'''


def test_one_rerun_per_bucket_with_waves(fake, capsys) -> None:  # noqa: F811
    tmp, command = fake
    script = tmp / "fake_sim.py"
    text = script.read_text()
    script.write_text(text.replace('print(f"fake {mode}', WAVY + 'print(f"fake {mode}', 1))
    assert _run(tmp, command, "all") == 1
    out = tmp / "out"
    doc = json.loads((out / "results.json").read_text())
    results = [RunResult(**{k: v for k, v in r.items() if k in RunResult.__dataclass_fields__}) for r in doc["runs"]]

    def again(res: RunResult, directory: Path) -> list[str]:
        return [sys.executable, str(script), res.command[2], res.cls, str(directory), str(res.seed)]
    entries = rerun.rerun_failed(results, out, timeout=lambda r: 1.0 if r.cls == "Hang" else 30.0, command=again)
    # buckets: check_a (bad s1, s3), check_b (bad s2), the crash, the timeout -> 4 reruns, the first run of each
    assert sorted(e["run_id"] for e in entries) == ["bad.w64.s1", "bad.w64.s2", "boom.w64.s1", "hang.w128.s1"]
    assert json.loads((out / rerun.RERUNS_FILE).read_text()) == entries
    by_id = {e["run_id"]: e for e in entries}
    bad = by_id["bad.w64.s1"]
    assert bad["status"] == "fail" and bad["waves"] == str(out / "rerun" / "bad.w64.s1" / "dump.fst")
    log = Path(bad["log"]).read_text()
    assert "log level DEBUG" in log and "fake fail Bad seed 1" in log
    assert "LE_WAVES=1" in (out / "rerun" / "bad.w64.s1" / "cmd.sh").read_text()
    assert by_id["hang.w128.s1"]["status"] == "timeout" and by_id["boom.w64.s1"]["status"] == "crash"
    from regress.report import write_dashboard
    html = write_dashboard(out, tmp / "history.sqlite").read_text()
    assert "rerun/bad.w64.s1/dump.fst" in html


def test_retarget_keeps_everything_but_out_and_build() -> None:
    cmd = ["py", "-m", "regress.simrun", "--cov", "--seed", "9", "--out", "/a", "--build-dir", "/b"]
    assert rerun.retarget(cmd, Path("/c")) == ["py", "-m", "regress.simrun", "--cov", "--seed", "9", "--out", "/c"]


def test_cli_rerun_failed_reports_a_command_it_cannot_rerun(fake, capsys) -> None:  # noqa: F811
    tmp, command = fake
    assert _run(tmp, command, "all", rerun_failed=True) == 1
    text = capsys.readouterr().out
    assert "not rerun: the recorded command is not a regress.simrun or regress.scrun command" in text
    assert json.loads((tmp / "out" / rerun.RERUNS_FILE).read_text()) == []
    assert (tmp / "out" / "dashboard.html").is_file()
