"""The `fake` backend: no processes, no Dask; scripted outcomes per run and attempt, for fast tests of the fault
paths of drive.py (retries, lost workers, jobs that never start, duplicates, Ctrl-C with runs queued).

    FakeBackend({"rand.w64.s1": ["lost", "pass"], "smoke.w64.s1": ["never", "never"]}, slots=2)

Outcomes: pass, fail (a cocotb failure), crash (no results.xml, exit 139), timeout, lost (the worker died
mid-run), never (no worker started), unreachable (the worker cannot see the build), dup (passes, and the same
attempt is reported twice), interrupt (Ctrl-C arrives when this run starts). A run without a script passes.
`log` records what the driver asked: submit / cancel / close, in order."""
from __future__ import annotations

from collections.abc import Mapping, Sequence

from regress.launchers import Attempt
from regress.runner import Job

_XML = ('<testsuites><testsuite><testcase classname="m" name="{cls}" time="0.1">{body}<properties>'
        '<property name="sim_time_stop" value="1000.0" /></properties></testcase></testsuite></testsuites>')
_FAIL = ('<failure message="fake failure of seed {seed}" type="AssertionError">Traceback (most recent call last):\n'
         '  File "/x/verif/env/scoreboard.py", line 42, in check\nAssertionError: fake</failure>')


def _place(job: Job, attempt: int, outcome: str, rc: int | None = None, message: str = "") -> Attempt:
    return Attempt(job, outcome, rc, message, "fakehost", f"fake-{attempt}", str(100 + attempt), 0.01, 0.1)


class FakeBackend:
    name = "fake"

    def __init__(self, script: Mapping[str, Sequence[str]] | None = None, slots: int = 2) -> None:
        self.script = {k: list(v) for k, v in (script or {}).items()}
        self.slots = slots
        self.queue: list[tuple[Job, int]] = []
        self.log: list[str] = []
        self.cancelled: list[str] = []
        self._running = 0

    def start(self) -> None:
        self.log.append("start")

    def submit(self, job: Job, attempt: int) -> None:
        assert job.result is not None
        self.log.append(f"submit {job.result.run_id} {attempt}")
        self.queue.append((job, attempt))

    def poll(self, timeout_s: float) -> list[Attempt]:
        out: list[Attempt] = []
        batch, self.queue = self.queue[:self.slots], self.queue[self.slots:]
        self._running = len(batch)
        for job, attempt in batch:
            assert job.result is not None
            steps = self.script.get(job.result.run_id, [])
            what = steps[attempt - 1] if attempt <= len(steps) else "pass"
            if what == "interrupt":
                self.queue = [(job, attempt), *self.queue]
                (job.run_dir / "run.log").write_text("fake: started, then Ctrl-C\n")
                raise KeyboardInterrupt
            if what in ("lost", "never", "unreachable"):
                msg = {"lost": "worker lost mid-run (KilledWorker: fake)",
                       "never": "no worker started within 1 s (fake)",
                       "unreachable": "worker fake on fakehost cannot see /no/build (fake)"}[what]
                out.append(_place(job, attempt, "infra" if what != "unreachable" else "unreachable", message=msg))
                continue
            (job.run_dir / "run.log").write_text(f"fake {what} attempt {attempt}\n")
            rc = {"pass": 0, "dup": 0, "fail": 1, "crash": 139, "timeout": -15}[what]
            if what in ("pass", "dup", "fail"):
                body = _FAIL.format(seed=job.seed) if what == "fail" else ""
                (job.run_dir / "results.xml").write_text(_XML.format(cls=job.spec.cls, body=body))
            a = _place(job, attempt, "timeout" if what == "timeout" else "done", rc)
            out += [a, a] if what == "dup" else [a]
        return out

    def running(self) -> int:
        return self._running

    def cancel(self) -> None:
        self.cancelled = [j.result.run_id for j, _ in self.queue if j.result is not None]
        self.queue = []
        self.log.append("cancel")

    def close(self) -> None:
        self.log.append("close")


__all__ = ["FakeBackend"]
