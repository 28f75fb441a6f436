"""The SystemC testbench build (docs/systemc.md): ``verif/hdl/le_tb_top.sv`` (layer_engine + the verif/hdl BFMs and
probe: the pyuvm env's testbench top, one for both engines) Verilated once as a plain C++ model, and two programs
linked from that one model with the C driver ``sw/le_driver.c``: ``le_sc_sim`` (``verif/sc/sc_main.cpp``, against
Debian's libsystemc-dev 2.3.4: its headers and the library they match, never the ``systemc`` PyPI package's
headers) and ``le_bare_sim`` (``verif/sc/bare_main.cpp``: the same work in a plain C++ loop, the speed reference).

    python -m eda.scbuild build [--bus-width 128] [--coverage] [--waves] [--x-random]   # prints the binary's path
    python -m eda.scbuild run --bundle DIR --out DIR [--bus-width 128] [--bare] [...] [-- binary options / plusargs]

Before any Verilator work :func:`eda.systemc_check.systemc_check` compiles a probe against the headers and
compares their SC_VERSION with the library's ``sc_release()``: a mismatch or a missing library is one line
naming ``apt-get install libsystemc-dev`` and exit status 2.

Variants (each its own cached build; the default has none, for speed): ``coverage`` (Verilator line and toggle
coverage, eda.simbuild.COVERAGE_ARGS: the harness writes coverage.dat), ``waves`` (FST, eda.simbuild.WAVE_ARGS:
``--waves PATH.fst``) and ``x_random`` (verif/seeds.py X_RANDOM_BUILD_ARGS: ``+verilator+rand+reset+2`` randomises
every unreset variable from ``+verilator+seed+N``). Assertions (``assertions``, on unless ``LE_ASSERT=0`` as in
eda.simbuild: Verilator's ``--assert`` and ``+define+LE_ASSERT_ON``, the RTL's assertions and the protocol checkers
that verif/hdl/le_bind.sv binds to the engine's ports; a failing one stops the harness with its name) are part of
every variant.

A build lives in ``build/sc/le_sc_sim-<hash>``; the hash (eda.simbuild.build_hash) covers the contents of every
HDL, C++ and C source and header, the parameters, the variant, the Verilator and compiler arguments, the
Verilator build and the SystemC versions. A finished build has a stamp file and is reused. Builds take the
machine-wide lock of eda.simbuild (``build/sim/.build.lock``) and run ``-j 2``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from eda import build_cache, simbuild, toolchain
from eda.systemc_check import SystemCCheck, systemc_check

REPO_ROOT = simbuild.REPO_ROOT
SC_BUILD_ROOT = REPO_ROOT / "build" / "sc"
SC_DIR = REPO_ROOT / "verif" / "sc"
TOPLEVEL = "le_tb_top"
BINARY = "le_sc_sim"
BARE_BINARY = "le_bare_sim"
RECIPE = 3  # bump when the recipe below changes in a way the hash cannot see
TB_FILELIST = REPO_ROOT / "verif" / "hdl" / "le_tb.f"    # the pyuvm env's top and BFMs: one top for both engines
SC_SOURCES = ("le_sc_bits.h", "le_sc_bfm.h", "le_sc_axil.h", "le_sc_bundle.h", "le_sc_cli.h", "le_sc_tb.h",
              "le_sc_txn.h", "le_sc_main.h", "le_sc_plan.h", "le_sc_steps.h", "bare_main.cpp")
SW_SOURCES = ("le_driver.c", "le_driver.h", "le_hal.h", "le_csr_c99.h")
DEFAULT_PARAMS: dict[str, int] = {"MAX_VOCAB": 4096, "MEM_PAGES": 4096}   # as regress/testlist.yaml's le_tb_top
CXXFLAGS = ("-std=c++17",)
STRICT = ("-Wall", "-Wextra", "-Werror")
"""The testbench's own C++ (verif/sc) compiles warning-free under these: a separate syntax-only pass over sc_main.cpp
and bare_main.cpp with Verilator's headers and the generated model as system headers (the Verilated code and runtime
are not -Wextra clean, so the model build itself does not use them)."""
MAKE_OPT = ("OPT_FAST=-O3", "OPT_GLOBAL=-O3")
"""-O3 for the model's per-cycle code, the Verilated runtime and both mains (verilated.mk puts OPT_FAST / OPT_GLOBAL
after the user flags on some rules, so -O3 is given there); the run-once constructors (OPT_SLOW) keep the default."""
CFLAGS = ("-std=c99", "-O2", "-Wall", "-Wextra", "-fexceptions")    # exceptions: the driver calls back into SystemC
BUS_WIDTHS = (64, 128, 256)
EXIT_TOOL = 2
X_RANDOM_ARGS = ("--x-assign", "unique", "--x-initial", "unique")
"""verif/seeds.py X_RANDOM_BUILD_ARGS (eda may not import verif: tests/test_systemc_harness.py checks they agree)."""
SC_MAKEFILE = """# Written by eda/scbuild.py: le_sc_sim, linked from the model and the Verilated runtime objects that
# the Verilator build of le_bare_sim made, with sc_main.cpp and libsystemc.
include Vle_tb_top.mk
le_sc_sim: sc_main.o $(VK_GLOBAL_OBJS) $(VM_PREFIX)__ALL.a
\t$(LINK) $(LDFLAGS) $^ $(LOADLIBES) $(LDLIBS) $(LIBS) -L$(SC_LIBDIR) -lsystemc -Wl,-rpath,$(SC_LIBDIR) -o $@
sc_main.o: $(SC_SRC)
\t$(OBJCACHE) $(CXX) $(CXXFLAGS) $(CPPFLAGS) $(SC_CFLAGS) $(OPT_FAST) -c -o $@ $<
"""


@dataclass(frozen=True)
class Variant:
    """What a build instruments (each combination is its own cached build)."""

    coverage: bool = False
    waves: bool = False
    x_random: bool = False
    assertions: bool = True
    stall_inject: bool = True   # +define+LE_STALL_INJECT: the le_stall_gate instances (+le_stall=PCT at run time)

    def verilator_args(self) -> list[str]:
        return [*(simbuild.COVERAGE_ARGS if self.coverage else ()), *(simbuild.WAVE_ARGS if self.waves else ()),
                *(X_RANDOM_ARGS if self.x_random else ()),
                *((*simbuild.ASSERT_ARGS, f"+define+{simbuild.ASSERT_DEFINE}") if self.assertions else ()),
                *((f"+define+{simbuild.STALL_DEFINE}",) if self.stall_inject else ())]

    def vm_defines(self) -> list[str]:
        """The VM_* macros Verilator's makefile defines for this variant (for the strict syntax-only pass)."""
        return [f"-DVM_COVERAGE={int(self.coverage)}", f"-DVM_TRACE={int(self.waves)}",
                f"-DVM_TRACE_FST={int(self.waves)}"]


@dataclass(frozen=True)
class ScBuild:
    """Result of :func:`build`: the SystemC binary, the bare C++ loop binary, their folder, whether they came from
    the cache, the SystemC check, the variant."""

    build_dir: Path
    binary: Path
    cached: bool
    seconds: float
    systemc: SystemCCheck
    bare_binary: Path = Path()
    variant: Variant = Variant()


def sources(rtl_root: Path = REPO_ROOT, sw_dir: Path = REPO_ROOT / "sw",
            sc_dir: Path = SC_DIR) -> tuple[list[Path], list[str], list[Path]]:
    """(HDL sources in order, extra Verilator arguments from rtl/layer_engine.f, C/C++ files hashed).

    ``rtl_root`` is the folder holding ``rtl/`` (a scratch copy for a planted-bug check), ``sw_dir`` the C
    driver's folder (its ``le_csr_c99.h`` includes ``../rtl/csr/le_csr.h``), ``sc_dir`` the testbench's C++
    (verif/sc, or a scratch copy)."""
    sc_dir = Path(sc_dir)
    rtl, extra = simbuild.read_file_list(Path(rtl_root) / "rtl" / "layer_engine.f", Path(rtl_root))
    tb, tb_extra = simbuild.read_file_list(TB_FILELIST, REPO_ROOT)
    hdl = [*rtl, *tb]
    extra = [*extra, *tb_extra]
    sw = Path(sw_dir)
    cpp = [sc_dir / "sc_main.cpp", *(sc_dir / f for f in SC_SOURCES), *(sw / f for f in SW_SOURCES),
           (sw / ".." / "rtl" / "csr" / "le_csr.h").resolve()]
    missing = [str(p) for p in cpp if not p.is_file()]
    if missing:
        raise FileNotFoundError(f"SystemC testbench sources missing: {missing}")
    return hdl, [*extra, str(sc_dir / "le_sc_public.vlt")], cpp


def _parameters(bus_width: int, overrides: Mapping[str, int] | None) -> dict[str, int]:
    if bus_width not in BUS_WIDTHS:
        raise ValueError(f"bus width {bus_width}: must be one of {BUS_WIDTHS}")
    return {**DEFAULT_PARAMS, **(overrides or {}), "AXI_DATA_W": bus_width}


def build_dir_for(bus_width: int = 128, rtl_root: Path = REPO_ROOT, sw_dir: Path = REPO_ROOT / "sw",
                  parameters: Mapping[str, int] | None = None,
                  sc_check: SystemCCheck | None = None, variant: Variant = Variant(), sc_dir: Path = SC_DIR) -> Path:
    """The cache folder the build would use."""
    toolchain.setup_env()
    check = sc_check or systemc_check(SC_BUILD_ROOT)
    params = _parameters(bus_width, parameters)
    hdl, extra, cpp = sources(rtl_root, sw_dir, sc_dir)
    sc_id = [check.header_version, check.library_version, str(check.sysc.include_dir), str(check.sysc.lib_dir)]
    meta = {"cxxflags": CXXFLAGS, "strict": STRICT, "cflags": CFLAGS, "make": MAKE_OPT, "recipe": RECIPE,
            "systemc": sc_id, "variant": variant.verilator_args(), "sc_makefile": SC_MAKEFILE}
    digest = simbuild.build_hash([*hdl, *cpp], params, {}, [*extra, json.dumps(meta, sort_keys=True)], None, False)
    return SC_BUILD_ROOT / f"{BINARY}-{digest}"


def build(bus_width: int = 128, rtl_root: Path = REPO_ROOT, sw_dir: Path = REPO_ROOT / "sw",
          parameters: Mapping[str, int] | None = None, *, coverage: bool = False, waves: bool = False,
          x_random: bool = False, sc_dir: Path = SC_DIR, assertions: bool | None = None) -> ScBuild:
    """Check SystemC, then build both binaries (one model) or reuse the cached ones. ``coverage`` / ``waves`` /
    ``x_random`` / ``assertions`` (None: eda.simbuild.assertions_enabled, on unless LE_ASSERT=0) select the variant;
    ``sc_dir`` a scratch copy of verif/sc (the planted-bug tests)."""
    variant = Variant(coverage, waves, x_random, simbuild.assertions_enabled() if assertions is None else assertions,
                      simbuild.stall_injection_enabled())
    check = systemc_check(SC_BUILD_ROOT)        # raises ToolMissing before any Verilator work
    build_cache.cap_bytes()                     # a bad LE_BUILD_CACHE_GB too
    if waves:
        toolchain.fst_support()
    build_dir = build_dir_for(bus_width, rtl_root, sw_dir, parameters, check, variant, sc_dir)
    binary, bare = build_dir / BINARY, build_dir / BARE_BINARY
    if build_cache.hit(build_dir, simbuild.STAMP, binary, bare):
        return ScBuild(build_dir, binary, True, 0.0, check, bare, variant)
    with simbuild._build_lock():
        if build_cache.hit(build_dir, simbuild.STAMP, binary, bare):
            return ScBuild(build_dir, binary, True, 0.0, check, bare, variant)
        done = _build_locked(build_dir, bus_width, rtl_root, sw_dir, parameters, check, variant,
                             Path(sc_dir).resolve())
        build_cache.prune(build_dir, simbuild.STAMP)    # the cache's size cap (eda/build_cache.py)
        return done


def _run(cmd: Sequence[str], env: Mapping[str, str], what: str, log: Path) -> None:
    done = subprocess.run(list(cmd), env=dict(env), capture_output=True, text=True, check=False)
    with log.open("a") as fh:
        fh.write(f"$ {' '.join(cmd)}\n{done.stdout}{done.stderr}\n")
    if done.returncode != 0:
        raise RuntimeError(f"{what} failed (exit {done.returncode}):\n{done.stdout[-4000:]}\n{done.stderr[-4000:]}")


def _build_locked(build_dir: Path, bus_width: int, rtl_root: Path, sw_dir: Path,
                  parameters: Mapping[str, int] | None, check: SystemCCheck, variant: Variant,
                  sc_dir: Path) -> ScBuild:
    if build_dir.exists():
        shutil.rmtree(build_dir)          # an unfinished earlier attempt
    build_dir.mkdir(parents=True)
    start = time.monotonic()
    env = {**toolchain.setup_env(), **check.sysc.env()}
    params = _parameters(bus_width, parameters)
    hdl, extra, _ = sources(rtl_root, sw_dir, sc_dir)
    sw = Path(sw_dir).resolve()
    driver_o = build_dir / "le_driver.o"
    log = build_dir / "build.log"                 # every command and its output (warnings included)
    cc = env.get("CC") or shutil.which("gcc") or "cc"
    _run([cc, *CFLAGS, f"-I{sw}", "-c", str(sw / "le_driver.c"), "-o", str(driver_o)], env, "C driver compile", log)
    vroot = toolchain.verilator_root()
    defines = [f"-DLE_SC_AXI_DATA_W={bus_width}", f"-DLE_SC_MEM_PAGES={params['MEM_PAGES']}",
               f"-DLE_SC_MAX_VOCAB={params['MAX_VOCAB']}"]
    cmd = [
        str(toolchain.verilator()), "--cc", "--exe", "--build", "-j", str(simbuild.BUILD_JOBS), "-O3",
        "--top-module", TOPLEVEL, "--Mdir", str(build_dir), "-o", BARE_BINARY, "--timescale", "1ns/1ps",
        *variant.verilator_args(),
        "-CFLAGS", " ".join([*CXXFLAGS, *defines, f"-I{sw}", f"-I{sc_dir}"]),
        "-MAKEFLAGS", " ".join(MAKE_OPT),
        "-LDFLAGS", str(driver_o),
        *(f"-G{k}={v}" for k, v in params.items()),
        *extra, *(str(p) for p in hdl), str(sc_dir / "bare_main.cpp"),
    ]  # fmt: skip
    _run(cmd, env, "verilator build (model and le_bare_sim)", log)
    sc_inc = str(check.sysc.include_dir)
    system_inc = sc_inc in ("/usr/include", "/usr/local/include")    # -I/-isystem /usr/include breaks #include_next
    (build_dir / "le_sc.mk").write_text(SC_MAKEFILE)
    _run(["make", "-C", str(build_dir), "-f", "le_sc.mk", "-j", str(simbuild.BUILD_JOBS), *MAKE_OPT,
          f"SC_SRC={sc_dir / 'sc_main.cpp'}", f"SC_LIBDIR={check.sysc.lib_dir}",
          f"SC_CFLAGS={'' if system_inc else '-isystem' + sc_inc}", BINARY], env, "le_sc_sim link", log)
    system = [f"{vroot}/include", f"{vroot}/include/vltstd", str(build_dir)]
    if not system_inc:
        system.append(sc_inc)
    vm = ["-DVERILATOR=1", "-DVM_SC=0", "-DVM_TIMING=0", *variant.vm_defines(), "-DVM_TRACE_VCD=0",
          "-DVM_TRACE_SAIF=0"]
    for main in ("sc_main.cpp", "bare_main.cpp"):
        _run([env.get("CXX") or shutil.which("g++") or "c++", "-fsyntax-only", *CXXFLAGS, *STRICT, *vm, *defines,
              *(f"-isystem{d}" for d in system), f"-I{sw}", f"-I{sc_dir}", str(sc_dir / main)],
             env, f"strict warning check of verif/sc/{main}", log)
    seconds = time.monotonic() - start
    (build_dir / simbuild.STAMP).write_text(f"built in {seconds:.1f}s by eda.scbuild\n")
    return ScBuild(build_dir, build_dir / BINARY, False, seconds, check, build_dir / BARE_BINARY, variant)


def run(binary: Path, bundle: Path, out: Path, args: Sequence[str] = (),
        timeout: float | None = 600) -> subprocess.CompletedProcess[str]:
    """Run a testbench binary (le_sc_sim or le_bare_sim) on a bundle; ``out`` is created. The caller checks the
    results."""
    Path(out).mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "SYSTEMC_DISABLE_COPYRIGHT_MESSAGE": "1"}
    return subprocess.run([str(binary), "--bundle", str(bundle), "--out", str(out), *args], env=env,
                          capture_output=True, text=True, check=False, timeout=timeout)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m eda.scbuild", description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    for name in ("build", "run"):
        p = sub.add_parser(name)
        p.add_argument("--bus-width", type=int, default=128, choices=BUS_WIDTHS)
        p.add_argument("--rtl-root", type=Path, default=REPO_ROOT, help="folder holding rtl/ (default: the repo)")
        p.add_argument("--sw-dir", type=Path, default=REPO_ROOT / "sw", help="the C driver's folder")
        p.add_argument("--param", action="append", default=[], metavar="NAME=VALUE",
                       help="a top-level parameter (MAX_VOCAB, MEM_PAGES)")
        p.add_argument("--coverage", action="store_true", help="the coverage variant")
        p.add_argument("--waves", action="store_true", help="the FST waves variant")
        p.add_argument("--x-random", action="store_true", help="the X-randomised variant")
        p.add_argument("--bare", action="store_true", help="the bare C++ loop instead of the SystemC harness")
        if name == "run":
            p.add_argument("--bundle", type=Path, required=True)
            p.add_argument("--out", type=Path, required=True)
            p.add_argument("binary_args", nargs=argparse.REMAINDER, help="-- then le_sc_sim options / plusargs")
    a = ap.parse_args(argv)
    try:
        params = {k: int(v, 0) for k, v in (p.split("=", 1) for p in a.param)}
    except ValueError:
        print(f"error: --param {a.param}: NAME=INTEGER expected", file=sys.stderr)
        return EXIT_TOOL
    try:
        model = build(a.bus_width, a.rtl_root, a.sw_dir, params, coverage=a.coverage, waves=a.waves,
                      x_random=a.x_random)
    except toolchain.ToolMissing as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_TOOL
    except (RuntimeError, FileNotFoundError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    binary = model.bare_binary if a.bare else model.binary
    if a.cmd == "build":
        print(binary)
        return 0
    extra = [x for x in a.binary_args if x != "--"]
    done = run(binary, a.bundle, a.out, extra, timeout=None)
    sys.stdout.write(done.stdout)
    sys.stderr.write(done.stderr)
    return done.returncode


if __name__ == "__main__":
    sys.exit(main())


__all__ = ["ScBuild", "Variant", "build", "build_dir_for", "main", "run", "sources"]
