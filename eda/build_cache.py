"""A size cap on the cached Verilator builds (build/sim and build/sc), least recently used out first.

Every change to the RTL, the testbench or a build option gives a new build directory (eda/simbuild.py,
eda/scbuild.py: the directory is named by a hash of what it was built from), and nothing removed the old ones:
a day of work left ~70 GB on the 2-core machine and filled its disk. Now every use of a build (a cache hit or a
fresh build) touches its stamp file, and after each fresh build the builds of both roots are pruned, least
recently used first, until they fit under the cap:

    LE_BUILD_CACHE_GB    the cap in GB (default 30); 0 keeps everything (no pruning)

A build used in the last PROTECT_S seconds is never removed (a regression of two or more runs reuses its builds
at each run; another process may be running from one), nor the build just made; if those alone exceed the cap,
they stay and one line says so. Folders that are not builds (build/sim/runs, anything without the
`<top>-<16 hex digits>` name) are left alone; a build directory without its stamp is an unfinished attempt
(pruning runs under the build lock, so no build is in progress) and goes first. Each removal is one line on
stderr.
"""
from __future__ import annotations

import contextlib
import os
import re
import shutil
import sys
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
ROOTS = (REPO_ROOT / "build" / "sim", REPO_ROOT / "build" / "sc")   # eda/simbuild.py, eda/scbuild.py
CAP_ENV = "LE_BUILD_CACHE_GB"
DEFAULT_CAP_GB = 30.0
PROTECT_S = 3600.0
_BUILD_NAME = re.compile(r"^[A-Za-z_][\w]*-[0-9a-f]{16}$")


def cap_bytes() -> int | None:
    """The cap from LE_BUILD_CACHE_GB (None: 0, no pruning); ValueError with the fix for a bad value."""
    raw = os.environ.get(CAP_ENV, "").strip()
    if not raw:
        return int(DEFAULT_CAP_GB * 1e9)
    try:
        gb = float(raw)
    except ValueError:
        raise ValueError(f"{CAP_ENV}={raw!r}: give the build cache's size cap in GB, e.g. {CAP_ENV}=30 "
                         f"(0 keeps every build)") from None
    if gb < 0 or gb != gb:
        raise ValueError(f"{CAP_ENV}={raw!r}: the cap must be a number of GB >= 0 (0 keeps every build)")
    return None if gb == 0 else int(gb * 1e9)


def touch(build_dir: Path, stamp: str) -> None:
    """Mark a build as used now (its stamp's mtime is the LRU order)."""
    with contextlib.suppress(OSError):     # a read-only checkout or a build removed meanwhile: nothing to order by
        os.utime(build_dir / stamp)


def hit(build_dir: Path, stamp: str, *files: Path) -> bool:
    """True when the build is complete (its stamp and `files` exist); a hit marks it used (touch)."""
    if (build_dir / stamp).is_file() and all(f.is_file() for f in files):
        touch(build_dir, stamp)
        return True
    return False


@dataclass(frozen=True)
class CachedBuild:
    path: Path
    size: int
    used: float                    # stamp mtime; 0.0 for an unfinished build (no stamp)


def _size(path: Path) -> int:
    total = 0
    for root, _, files in os.walk(path):
        for name in files:
            with contextlib.suppress(OSError):           # removed meanwhile
                total += os.lstat(os.path.join(root, name)).st_size
    return total


def scan(roots: Iterable[Path], stamp: str) -> list[CachedBuild]:
    """The build directories under `roots` (by name), with their sizes and last use."""
    found = []
    for root in roots:
        if not root.is_dir():
            continue
        for d in sorted(root.iterdir()):
            if not d.is_dir() or d.is_symlink() or not _BUILD_NAME.match(d.name):
                continue
            st = d / stamp
            found.append(CachedBuild(d, _size(d), st.stat().st_mtime if st.is_file() else 0.0))
    return found


def prune(keep: Path, stamp: str, roots: Sequence[Path] = ROOTS, cap: int | None = None, now: float | None = None,
          protect_s: float = PROTECT_S) -> list[CachedBuild]:
    """Remove builds, least recently used first, until the total is <= `cap` (default: cap_bytes()); never `keep`
    nor a build used within `protect_s`. Returns what was removed. Call it under the build lock."""
    cap = cap_bytes() if cap is None else cap
    if cap is None:
        return []
    now = time.time() if now is None else now
    builds = scan(roots, stamp)
    total = sum(b.size for b in builds)
    removed: list[CachedBuild] = []
    for b in sorted(builds, key=lambda b: b.used):
        if total <= cap:
            break
        if b.path.resolve() == keep.resolve() or (b.used and now - b.used < protect_s):
            continue
        shutil.rmtree(b.path, ignore_errors=True)
        total -= b.size
        removed.append(b)
        print(f"eda: build cache over {cap / 1e9:.0f} GB ({CAP_ENV}): removed {b.path} ({b.size / 1e9:.2f} GB, "
              f"{'unfinished' if not b.used else f'last used {(now - b.used) / 3600:.1f} h ago'})", file=sys.stderr)
    if total > cap:
        print(f"eda: build cache {total / 1e9:.1f} GB stays over its {cap / 1e9:.0f} GB cap ({CAP_ENV}): the rest "
              f"was used in the last {protect_s / 60:.0f} min", file=sys.stderr)
    return removed


__all__ = ["CAP_ENV", "ROOTS", "CachedBuild", "cap_bytes", "hit", "prune", "scan", "touch"]
