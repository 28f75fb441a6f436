"""Cached Verilator builds + cocotb runs on top of ``cocotb_tools.runner``.

A build lives in ``build/sim/<toplevel>-<hash>`` where the hash covers the source files'
contents and names (in order), the files in include directories given in ``extra_args``
(``-I<dir>`` / ``+incdir+<dir>``), parameters, defines, extra Verilator args, timescale, wave
setting, the Verilator build identity and the cocotb version.  A finished build is marked with a stamp
file; with the stamp present the build step is skipped entirely, so reruns cost only the
simulation and any change gives a fresh directory.

Waves are off unless ``LE_WAVES=1`` (then FST via ``--trace-fst``, written to
``<test_dir>/dump.fst``; needs Debian package liblz4-dev). Every build's main() is eda/le_vpi_main.cpp
(eda/vpi_main.py): a waves build dumps only inside the window its plusargs give (``vpi_main.window_plusargs``),
and a build compiled with ``-CFLAGS -DLE_MAIN_CLOCK_PS=<ps>`` is clocked by main() (the pyuvm env's).

Assertions are on unless ``LE_ASSERT=0``: every build gets Verilator's ``--assert`` and ``+define+LE_ASSERT_ON``
(the macros of ``rtl/le_assert.svh`` then expand to SVA; docs/verification.md#assertions), and the header itself
goes ahead of the sources (from the folder of the RTL sources, so a scratch copy of rtl/ brings its own), so that a
module's guarded ```include "le_assert.svh"`` needs no include path.

Stall injection is built in unless ``LE_STALL_INJECT=0``: every build gets ``+define+LE_STALL_INJECT``, which turns
the ``le_stall_gate`` instances of the RTL from wires into random handshake gates that stay open (a wire, cycle for
cycle) unless a run passes ``+le_stall=PCT`` (docs/verification.md "Internal stall injection").
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import importlib.metadata
import json
import os
import shutil
import sys
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from xml.etree import ElementTree

import cocotb_tools.runner
from cocotb_tools.runner import get_runner

from eda import build_cache, listed_public, toolchain, vpi_main

REPO_ROOT = Path(__file__).resolve().parents[1]
SIM_BUILD_ROOT = REPO_ROOT / "build" / "sim"
BUILD_JOBS = 2  # the CI machine has 2 cores
STAMP = ".le_build_ok"
RECIPE = 3  # bump when the build recipe below changes in a way the hash cannot see (2: eda/listed_public.py,
            # 3: eda/le_vpi_main.cpp in every build)
WAVE_ARGS: tuple[str, ...] = ("--trace-fst", "--trace-structs")
COVERAGE_ARGS: tuple[str, ...] = ("--coverage-line", "--coverage-toggle")
"""Verilator code coverage (`regress run --cov`): line (blocks, case items), branch (if/else: v_branch points of
--coverage-line) and toggle; written at the end of a run to ``+verilator+coverage+file+<path>``."""
COVERAGE_FILE = "coverage.dat"
ASSERT_HEADER = "le_assert.svh"
ASSERT_DEFINE = "LE_ASSERT_ON"
ASSERT_ARGS: tuple[str, ...] = ("--assert",)
"""Verilator's assertion switch for a build with assertions (``LE_ASSERT``, on by default), next to
+define+LE_ASSERT_ON."""
STALL_DEFINE = "LE_STALL_INJECT"
"""The test-build define of rtl/le_stall_gate.sv (``LE_STALL_INJECT``, on by default; run time: ``+le_stall=PCT``)."""


def coverage_plusarg(run_dir: Path) -> str:
    """The plusarg that makes a coverage build write its counters to ``<run_dir>/coverage.dat``."""
    return f"+verilator+coverage+file+{Path(run_dir).resolve() / COVERAGE_FILE}"


@dataclass(frozen=True)
class Build:
    """Result of :func:`build`: where the model is and whether it came from the cache."""

    build_dir: Path
    binary: Path
    cached: bool
    seconds: float


def waves_enabled() -> bool:
    """True only when ``LE_WAVES=1``."""
    return os.environ.get("LE_WAVES", "0").strip() == "1"


def assertions_enabled() -> bool:
    """True unless ``LE_ASSERT=0``: builds carry the RTL assertions and the bound protocol checkers."""
    return os.environ.get("LE_ASSERT", "1").strip() != "0"


def stall_injection_enabled() -> bool:
    """True unless ``LE_STALL_INJECT=0``: builds can inject internal stalls (``+le_stall=PCT`` at run time)."""
    return os.environ.get(STALL_DEFINE, "1").strip() != "0"


def assert_header(sources: Sequence[Path]) -> Path:
    """rtl/le_assert.svh: the one next to the first source that has one (a scratch copy of rtl/), else the repo's."""
    for src in sources:
        if (Path(src).parent / ASSERT_HEADER).is_file():
            return Path(src).parent / ASSERT_HEADER
    return REPO_ROOT / "rtl" / ASSERT_HEADER


def with_assertions(sources: Sequence[Path | str], defines: Mapping[str, object] | None,
                    extra_args: Sequence[str] | None,
                    enabled: bool | None = None) -> tuple[list[Path], dict[str, object], list[str]]:
    """(sources with the assertion header first, defines, extra args) of a build: +LE_ASSERT_ON and --assert when
    ``enabled`` (default: :func:`assertions_enabled`), and +LE_STALL_INJECT unless ``LE_STALL_INJECT=0``."""
    paths = [Path(s).resolve() for s in sources]
    header = assert_header(paths).resolve()
    if header.is_file() and header not in paths:
        paths.insert(0, header)
    on = assertions_enabled() if enabled is None else enabled
    defs = {**(defines or {}), **({ASSERT_DEFINE: 1} if on else {}),
            **({STALL_DEFINE: 1} if stall_injection_enabled() else {})}
    args = [*(ASSERT_ARGS if on else ()), *(extra_args or [])]
    return paths, defs, args


@lru_cache(maxsize=1)
def _verilator_identity() -> str:
    return toolchain.verilator_version()


def _include_files(extra_args: Sequence[str]) -> list[Path]:
    """Header files in the ``-I<dir>`` / ``+incdir+<dir>[+<dir>]`` directories of ``extra_args``.

    Give those directories as absolute paths: Verilator runs inside the build directory.
    """
    dirs: list[Path] = []
    for arg in extra_args:
        if arg.startswith("-I") and len(arg) > 2:
            dirs.append(Path(arg[2:]))
        elif arg.startswith("+incdir+"):
            dirs.extend(Path(d) for d in arg[len("+incdir+") :].split("+") if d)
    suffixes = {".sv", ".svh", ".v", ".vh"}
    return sorted(f for d in dirs if d.is_dir() for f in d.rglob("*") if f.suffix in suffixes)


def build_hash(
    sources: Sequence[Path],
    parameters: Mapping[str, object],
    defines: Mapping[str, object],
    extra_args: Sequence[str],
    timescale: tuple[str, str] | None,
    waves: bool,
) -> str:
    """sha256 (16 hex digits) over everything that changes the built model."""
    digest = hashlib.sha256()
    arg_files = [Path(a) for a in extra_args if not a.startswith(("-", "+")) and Path(a).is_file()]
    for src in [*sources, *_include_files(extra_args), *arg_files]:      # e.g. a .vlt waiver file
        digest.update(src.name.encode() + b"\0")
        digest.update(hashlib.sha256(src.read_bytes()).digest())
    meta = {
        "parameters": {k: str(v) for k, v in sorted(parameters.items())},
        "defines": {k: str(v) for k, v in sorted(defines.items())},
        "extra_args": list(extra_args),
        "timescale": list(timescale) if timescale else None,
        "waves": waves,
        "cocotb_WAVES": os.environ.get("WAVES"),  # cocotb's own switch overrides waves= in the runner
        "verilator": _verilator_identity(),
        "cocotb": importlib.metadata.version("cocotb"),
        "recipe": RECIPE,
    }
    digest.update(json.dumps(meta, sort_keys=True).encode())
    return digest.hexdigest()[:16]


def build_dir_for(
    sources: Sequence[Path | str],
    toplevel: str,
    parameters: Mapping[str, object] | None = None,
    defines: Mapping[str, object] | None = None,
    extra_args: Sequence[str] | None = None,
    timescale: tuple[str, str] | None = ("1ns", "1ps"),
) -> Path:
    """The cache directory the given build would use (``build/sim/<toplevel>-<hash>``)."""
    toolchain.setup_env()
    paths, defines, extra_args = with_assertions(sources, defines, extra_args)
    hashed = [*paths, vpi_main.MAIN]                                   # every build has our main()
    digest = build_hash(hashed, parameters or {}, defines or {}, extra_args or [], timescale, waves_enabled())
    return SIM_BUILD_ROOT / f"{toplevel}-{digest}"


def build(
    sources: Sequence[Path | str],
    toplevel: str,
    parameters: Mapping[str, object] | None = None,
    defines: Mapping[str, object] | None = None,
    extra_args: Sequence[str] | None = None,
    timescale: tuple[str, str] | None = ("1ns", "1ps"),
) -> Build:
    """Build ``toplevel`` with Verilator for cocotb, or reuse the cached build."""
    toolchain.setup_env()
    build_cache.cap_bytes()                                      # a bad LE_BUILD_CACHE_GB stops before any work
    build_dir = build_dir_for(sources, toplevel, parameters, defines, extra_args, timescale)
    sources, defines, extra_args = with_assertions(sources, defines, extra_args)
    binary = build_dir / toplevel
    if build_cache.hit(build_dir, STAMP, binary):
        return Build(build_dir, binary, cached=True, seconds=0.0)
    with _build_lock():
        if build_cache.hit(build_dir, STAMP, binary):           # built by another process meanwhile
            return Build(build_dir, binary, cached=True, seconds=0.0)
        done = _build_locked(build_dir, binary, sources, toplevel, parameters, defines, extra_args, timescale)
        build_cache.prune(build_dir, STAMP)                      # the cache's size cap, oldest use out first
        return done


@contextlib.contextmanager
def _build_lock() -> Iterator[None]:
    """One Verilator build at a time on this machine (2 cores): an flock shared by every process."""
    SIM_BUILD_ROOT.mkdir(parents=True, exist_ok=True)
    with open(SIM_BUILD_ROOT / ".build.lock", "w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _build_locked(build_dir: Path, binary: Path, sources: Sequence[Path | str], toplevel: str,
                  parameters: Mapping[str, object] | None, defines: Mapping[str, object] | None,
                  extra_args: Sequence[str] | None, timescale: tuple[str, str] | None) -> Build:
    waves = waves_enabled()
    if waves:
        toolchain.fst_support()
    if build_dir.exists():
        shutil.rmtree(build_dir)  # unfinished earlier attempt
    start = time.monotonic()
    cocotb_tools.runner.MAX_PARALLEL_BUILD_JOBS = BUILD_JOBS  # make -j for the C++ compile
    runner: cocotb_tools.runner.Runner
    if listed_public.listed(extra_args or [], waves):
        runner = listed_public.ListedPublicVerilator()  # only the .vlt's public signals, -O3
    else:
        runner = vpi_main.LeMainVerilator()              # our main(): a windowed dump, a clock if the build has one
    runner.build(
        sources=[Path(s).resolve() for s in sources],
        hdl_toplevel=toplevel,
        parameters=dict(parameters or {}),
        defines=dict(defines or {}),
        build_args=["-j", str(BUILD_JOBS), *(WAVE_ARGS if waves else ()), *(extra_args or [])],
        build_dir=build_dir,
        timescale=timescale,
        waves=waves,
    )
    seconds = time.monotonic() - start
    (build_dir / STAMP).write_text(f"built in {seconds:.1f}s by eda.simbuild\n")
    return Build(build_dir, binary, cached=False, seconds=seconds)


def read_file_list(path: Path, root: Path = REPO_ROOT) -> tuple[list[Path], list[str]]:
    """(HDL sources in order, extra Verilator arguments) from a .f file: one path per line relative to `root`,
    `//` or `#` comments, `.vlt` configuration files and `+`/`-` options go to the Verilator command line."""
    if not path.is_file():
        raise FileNotFoundError(f"{path} is missing")
    sources: list[Path] = []
    extra: list[str] = []
    for raw in path.read_text().splitlines():
        line = raw.split("//", 1)[0].split("#", 1)[0].strip()
        if not line:
            continue
        if line.startswith(("+", "-")):
            extra.append(line)
        elif line.endswith(".vlt"):
            extra.append(str(root / line))
        else:
            sources.append(root / line)
    missing = [str(s) for s in sources if not s.is_file()]
    if missing:
        raise FileNotFoundError(f"{path}: listed sources missing: {missing}")
    return sources, extra


def test_module_name(test_module: str | Path) -> str:
    """Dotted module name; a ``.py`` path also puts its folder on ``sys.path`` (the sim inherits it)."""
    path = Path(test_module)
    if path.suffix != ".py":
        return str(test_module)
    folder = str(path.resolve().parent)
    if folder not in sys.path:
        sys.path.insert(0, folder)
    return path.stem


def _failures(results_xml: Path) -> tuple[int, list[str]]:
    """(number of tests, ``name: message`` per failed/errored test) from a cocotb results file."""
    total, failed = 0, []
    for case in ElementTree.parse(results_xml).getroot().iter("testcase"):
        total += 1
        for bad in (*case.findall("failure"), *case.findall("error")):
            message = " ".join((bad.get("message") or bad.text or "").split())
            failed.append(f"{case.get('name')}: {message[:300] or 'failed'}")
    return total, failed


def check_results(results_xml: Path, what: str) -> None:
    """Raise AssertionError naming every failing cocotb test (or the missing results file)."""
    if not results_xml.is_file():
        raise AssertionError(f"{what}: simulation ended without writing {results_xml} (crash? see the log above)")
    total, failed = _failures(results_xml)
    if total == 0:
        raise AssertionError(f"{what}: no cocotb tests ran (results in {results_xml})")
    if failed:
        lines = "\n  ".join(failed)
        raise AssertionError(f"{what}: {len(failed)} of {total} cocotb tests failed ({results_xml}):\n  {lines}")


def run_cocotb(
    sources: Sequence[Path | str],
    toplevel: str,
    test_module: str | Path | Sequence[str],
    test_dir: Path | str,
    parameters: Mapping[str, object] | None = None,
    defines: Mapping[str, object] | None = None,
    extra_args: Sequence[str] | None = None,
    seed: int | None = None,
    plusargs: Sequence[str] | None = None,
    timescale: tuple[str, str] | None = ("1ns", "1ps"),
    test_filter: str | None = None,
) -> Path:
    """Build (cached) and run the cocotb tests in ``test_module``; return the results XML path.

    ``test_filter`` is cocotb's regular expression over the test names (None: every test).

    ``test_module`` is a dotted module name, a path to a ``.py`` file, or a list of dotted module names.  Raises
    AssertionError listing the failing tests if any cocotb test failed or the simulation crashed.
    """
    model = build(sources, toplevel, parameters, defines, extra_args, timescale)
    test_path = Path(test_dir).resolve()
    test_path.mkdir(parents=True, exist_ok=True)
    results_xml = test_path / "results.xml"
    if isinstance(test_module, (str, Path)):
        module: str | list[str] = test_module_name(test_module)
    else:
        module = [test_module_name(m) for m in test_module]
    try:
        get_runner("verilator").test(
            test_module=module,
            hdl_toplevel=toplevel,
            hdl_toplevel_lang="verilog",
            build_dir=model.build_dir,
            test_dir=test_path,
            results_xml=str(results_xml),
            seed=seed,
            plusargs=list(plusargs or []),
            waves=waves_enabled(),
            parameters=dict(parameters or {}),
            test_filter=test_filter,
        )
    except (SystemExit, RuntimeError) as exc:  # the runner exits/raises on failures; report them below
        check_results(results_xml, f"{module} on {toplevel}")
        raise AssertionError(f"{module} on {toplevel}: simulator failed ({exc!r}) but all tests passed") from exc
    check_results(results_xml, f"{module} on {toplevel}")
    return results_xml
