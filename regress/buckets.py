"""Failure signatures and buckets.

A failing run's signature is (exception type, assert site, normalised message): the innermost traceback frame
in the project's own code (not site-packages) as `path:line in function`, and the message with hex numbers,
decimal numbers, sim times and paths of run directories masked, so that the same bug on different seeds falls
in one bucket and a different bug does not.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

_FRAME = re.compile(r'File "(?P<file>[^"]+)", line (?P<line>\d+), in (?P<func>\S+)')
_MASKS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"(?:/[\w.\-]+)+/(?:runs?|regress)/[\w.\-/]+"), "<path>"),
    (re.compile(r"\b0x[0-9a-fA-F_]+\b"), "<hex>"),
    (re.compile(r"\b\d+(?:\.\d+)?\s*(?:fs|ps|ns|us|ms|s)\b"), "<time>"),
    (re.compile(r"[-+]?\b\d+(?:\.\d+)?(?:[eE][-+]?\d+)?\b"), "<n>"),
    (re.compile(r"\s+"), " "),
)
MAX_MESSAGE = 200
SVA_KIND = "AssertionFailed"
"""The kind of a run stopped by a failed SystemVerilog assertion (rtl/le_assert.svh, Verilator --assert)."""
# rtl/le_assert.svh's $error text: 'LE_ASSERT <Name> failed: File "<file>", line <n>, in <scope>.<Name>'
_LE_ASSERT = re.compile(r'LE_ASSERT (?P<name>\w+) failed: '
                        r'File "(?P<file>[^"]+)", line (?P<line>\d+), in (?P<scope>\S+)')
# Verilator's own line for any failed assertion: '%Error: <file>:<n>: Assertion failed in <scope>[: <text>]'
_VERILATOR_ASSERT = re.compile(r"%Error: (?P<file>[^\s:]+):(?P<line>\d+): Assertion failed in (?P<scope>[^\s:]+)")


def normalise(message: str) -> str:
    """The message with numbers, addresses, times and run paths masked, whitespace collapsed."""
    text = message.strip()
    for pattern, repl in _MASKS:
        text = pattern.sub(repl, text)
    return text[:MAX_MESSAGE]


def assert_site(traceback: str, repo_marker: str = "/site-packages/") -> str:
    """`file:line in func` of the innermost frame outside site-packages (else the innermost), or ''."""
    frames = list(_FRAME.finditer(traceback or ""))
    own = [f for f in frames if repo_marker not in f.group("file")]
    pick = (own or frames)[-1:] if frames else []
    if not pick:
        return ""
    f = pick[0]
    path = f.group("file")
    for anchor in ("/verif/", "/models/", "/regress/", "/tests/", "/rtl/"):
        if anchor in path:
            path = path[path.rindex(anchor) + 1:]
            break
    return f"{path}:{f.group('line')} in {f.group('func')}"


@dataclass(frozen=True)
class SvaFailure:
    """The first failed assertion of a simulation log: its label, hierarchical scope (ending in the label) and a
    traceback-style frame ``File "<file>", line <n>, in <scope>`` (what assert_site reads)."""
    name: str
    scope: str
    frame: str

    @property
    def message(self) -> str:
        return f"LE_ASSERT {self.name} failed in {self.scope}"


def sva_failure(log: str) -> SvaFailure | None:
    """The first failed assertion in a simulation log (Verilator stops at the first: its $error counts against
    +verilator+error+limit, 1 by default), or None. A failing run's bucket is then named after it."""
    m = _LE_ASSERT.search(log) or _VERILATOR_ASSERT.search(log)   # the latter: a plain `assert property`
    if not m:
        return None
    scope = _short_scope(m.group("scope"))
    name = m.groupdict().get("name") or scope.rsplit(".", 1)[-1]
    return SvaFailure(name, scope, f'File "{m.group("file")}", line {m.group("line")}, in {scope}')


def _short_scope(scope: str) -> str:
    """The scope without the simulators' top wrappers (cocotb's TOP., the SystemC harness's top., then le_tb_top.):
    the same for both engines' builds."""
    for prefix in ("TOP.", "top.", "le_tb_top."):
        scope = scope.removeprefix(prefix)
    return scope


@dataclass(frozen=True)
class Signature:
    kind: str          # exception type, or Timeout / Crash / Interrupted
    site: str
    message: str

    def __str__(self) -> str:
        site = f" at {self.site}" if self.site else ""
        return f"{self.kind}{site}: {self.message}"


def signature(kind: str, message: str, traceback: str = "") -> Signature:
    return Signature(kind or "Failure", assert_site(traceback), normalise(message))


class Failed(Protocol):
    @property
    def signature(self) -> Signature | None: ...


@dataclass
class Bucket:
    signature: Signature
    runs: list[Any] = field(default_factory=list)


def bucket(failures: Iterable[Failed]) -> list[Bucket]:
    """Failures grouped by signature, largest bucket first (ties: first seen first)."""
    groups: dict[Signature, Bucket] = {}
    for run in failures:
        sig = run.signature
        if sig is None:
            continue
        groups.setdefault(sig, Bucket(sig)).runs.append(run)
    return sorted(groups.values(), key=lambda b: -len(b.runs))


def format_buckets(buckets: Sequence[Bucket], describe: Callable[[Any], str] = str) -> list[str]:
    lines: list[str] = []
    for i, b in enumerate(buckets, 1):
        lines.append(f"bucket {i}: {len(b.runs)} run(s): {b.signature}")
        lines += [f"    {describe(r)}" for r in b.runs[:10]]
        if len(b.runs) > 10:
            lines.append(f"    ... and {len(b.runs) - 10} more")
    return lines
