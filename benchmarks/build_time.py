"""Verilator build time of each build kind, without and with ccache (eda/toolchain.py: OBJCACHE=ccache).

    .venv/bin/python benchmarks/build_time.py [--kinds plain,coverage,waves,systemc] [--width 64] [--json PATH]

For each kind, three builds of the same model into a build directory of the benchmark's own (the regressions'
cached builds are left alone): `off` (no ccache: what a build costs), `cold` (ccache with an empty cache: the cost
of filling it) and `warm` (the same build again from scratch with the cache filled: a rebuild of unchanged C++,
e.g. the Verilator runtime of every model and the generated files an RTL edit leaves alone). Kinds:
  plain     the pyuvm env's le_tb_top at -j 2, as `regress run` builds it (assertions on)
  coverage  the same with --coverage-line --coverage-toggle (`regress run --cov`)
  waves     the same with --trace-fst and the windowed main (LE_WAVES=1: reruns, `regress debug --waves`)
  systemc   the SystemC harness (eda/scbuild.py: model, bare C++ main, sc_main, strict checks)
Times are the builds' own (inside the build lock: a wait for another process's build is not counted).
stdout: the Markdown table. Run it on a quiet machine: two cores, -j 2 (a build is CPU-bound).
"""
from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from eda import scbuild, simbuild, toolchain  # noqa: E402
from regress.mutate import tree_sources  # noqa: E402
from regress.testlist import load  # noqa: E402

MARK = ["-CFLAGS", "-DLE_BUILD_BENCH=1"]     # a build directory of the benchmark's own


def _pyuvm(width: int, coverage: bool, waves: bool) -> Callable[[], tuple[Path, float]]:
    cfg = load(None).configs[f"w{width}"]
    sources, extra = tree_sources(cfg, Path("/nonexistent"))
    extra = [*extra, *MARK, *(simbuild.COVERAGE_ARGS if coverage else ())]

    def build() -> tuple[Path, float]:
        old = os.environ.get("LE_WAVES")
        os.environ["LE_WAVES"] = "1" if waves else "0"
        try:
            d = simbuild.build_dir_for(sources, cfg.toplevel, cfg.parameters, extra_args=extra)
            shutil.rmtree(d, ignore_errors=True)
            b = simbuild.build(sources, cfg.toplevel, cfg.parameters, extra_args=extra)
            return b.build_dir, b.seconds          # measured inside the build lock (not waiting for another build)
        finally:
            if old is None:
                os.environ.pop("LE_WAVES", None)
            else:
                os.environ["LE_WAVES"] = old
    return build


def _systemc(width: int, scratch: Path) -> Callable[[], tuple[Path, float]]:
    sc_dir = scratch / "sc"
    if not sc_dir.exists():
        shutil.copytree(scbuild.SC_DIR, sc_dir)

    def build() -> tuple[Path, float]:        # sc_dir is this run's scratch copy: its build directory is new
        b = scbuild.build(width, sc_dir=sc_dir)
        return b.build_dir, b.seconds
    return build


@contextlib.contextmanager
def _stdout_to_stderr() -> Iterator[None]:
    """The builds' own output (make, the compiler) to stderr: stdout is the table."""
    sys.stdout.flush()
    saved = os.dup(1)
    os.dup2(2, 1)
    try:
        yield
    finally:
        sys.stdout.flush()
        os.dup2(saved, 1)
        os.close(saved)


def measure(kind: str, build: Callable[[], tuple[Path, float]], cache: Path) -> dict[str, object]:
    row: dict[str, object] = {"kind": kind}
    for label, objcache in (("off", ""), ("cold", "ccache"), ("warm", "ccache")):
        os.environ["OBJCACHE"] = objcache
        os.environ["CCACHE_DIR"] = str(cache)
        print(f"build_time: {kind} {label} ...", file=sys.stderr, flush=True)
        with _stdout_to_stderr():
            d, seconds = build()
        row[label] = round(seconds, 1)
        shutil.rmtree(d, ignore_errors=True)
    return row


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--kinds", default="plain,coverage,waves,systemc")
    ap.add_argument("--width", type=int, default=64, choices=(64, 128))
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()
    toolchain.setup_env()
    if not shutil.which("ccache"):
        print("build_time: ccache not found: make setup installs it (Debian package ccache)", file=sys.stderr)
        return 2
    load_avg = os.getloadavg()[0]
    rows = []
    with tempfile.TemporaryDirectory(prefix="le-build-bench-") as tmp:
        scratch = Path(tmp)
        kinds = {"plain": _pyuvm(args.width, False, False), "coverage": _pyuvm(args.width, True, False),
                 "waves": _pyuvm(args.width, False, True), "systemc": _systemc(args.width, scratch)}
        for kind in args.kinds.split(","):
            if kind not in kinds:
                print(f"build_time: unknown kind {kind!r} (known: {', '.join(kinds)})", file=sys.stderr)
                return 2
            rows.append(measure(kind, kinds[kind], scratch / f"ccache-{kind}"))
    print(f"Verilator builds at {args.width} bits, -j {simbuild.BUILD_JOBS} (load average {load_avg:.2f} before)\n")
    print("| build kind | no ccache s | ccache, empty s | ccache, filled s |\n| --- | ---: | ---: | ---: |")
    for r in rows:
        print(f"| {r['kind']} | {r['off']} | {r['cold']} | {r['warm']} |")
    if args.json:
        args.json.write_text(json.dumps({"width": args.width, "load1": load_avg, "rows": rows}, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
