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
