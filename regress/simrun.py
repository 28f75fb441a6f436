"""One simulation of one uvm test: the command every regression run executes (and every repro.sh).

    python -m regress.simrun --toplevel le_tb_top --filelist rtl/layer_engine.f --filelist verif/hdl/le_tb.f \
        --param AXI_DATA_W=64 --param MAX_VOCAB=4096 --x-random --module verif.tests.smoke --test SmokeTest \
        --seed 1 --out build/sim/runs/x [--build-dir DIR] [--expect-build NAME] [--plusarg +le_tokens=8 ...] [--cov]

Derives every seed from the master (verif/seeds.py), uses the build in
`--build-dir` when it is finished (the runner builds each configuration once, up front) or builds it (cached,
eda.simbuild.build), runs the test through cocotb_tools.runner in `--out` (results.xml there) and exits
0 when the cocotb test passed, 1 when it failed, 3 when it could not run. `--cov` builds with Verilator code coverage
(simbuild.COVERAGE_ARGS, its own cached build) and writes the counters to `<out>/coverage.dat`.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from eda import simbuild

REPO = Path(__file__).resolve().parents[1]


def _param(text: str) -> tuple[str, str]:
    key, sep, value = text.partition("=")
    if not sep or not key:
        raise argparse.ArgumentTypeError(f"{text!r}: expected NAME=VALUE")
    return key, value


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m regress.simrun", description=__doc__.split("\n")[0])
    p.add_argument("--toplevel", required=True)
    p.add_argument("--filelist", action="append", required=True, help=".f file relative to the repo")
    p.add_argument("--param", action="append", type=_param, default=[])
    p.add_argument("--x-random", action="store_true", help="build with verif/seeds.X_RANDOM_BUILD_ARGS")
    p.add_argument("--module", required=True, help="dotted test module, or a path to a .py file")
    p.add_argument("--test", required=True, help="uvm_test class name")
    p.add_argument("--seed", type=lambda s: int(s, 0), required=True, help="master seed")
    p.add_argument("--out", type=Path, required=True, help="run directory (results.xml)")
    p.add_argument("--build-dir", type=Path, help="a finished build to use as is")
    p.add_argument("--expect-build", help="warn unless the build directory has this name (repro.sh)")
    p.add_argument("--plusarg", action="append", default=[])
    p.add_argument("--cov", action="store_true", help="code coverage build; counters in <out>/coverage.dat")
    return p


def _sources(filelists: list[str]) -> tuple[list[Path], list[str]]:
    sources: list[Path] = []
    extra: list[str] = []
    for f in filelists:
        s, e = simbuild.read_file_list(REPO / f, REPO)
        sources += s
        extra += e
    return sources, extra


def main(argv: list[str] | None = None) -> int:
    from cocotb_tools.runner import get_runner

    from verif.seeds import X_RANDOM_BUILD_ARGS, Seeds

    args = parser().parse_args(argv)
    seeds = Seeds(args.seed)
    params: dict[str, object] = dict(args.param)
    sources, extra = _sources(args.filelist)
    if args.x_random:
        extra += list(X_RANDOM_BUILD_ARGS)
    if args.cov:
        extra += list(simbuild.COVERAGE_ARGS)
    build_dir = args.build_dir
    if build_dir is None or not (build_dir / simbuild.STAMP).is_file():
        build_dir = simbuild.build(sources, args.toplevel, params, extra_args=extra).build_dir
    if args.expect_build and build_dir.name != args.expect_build:
        print(f"regress.simrun: WARNING: build {build_dir.name} differs from the recorded {args.expect_build}: "
              f"the sources or tools changed since the failing run", flush=True)
    out = args.out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    results = out / "results.xml"
    results.unlink(missing_ok=True)
    cov_args = [simbuild.coverage_plusarg(out)] if args.cov else []
    if args.cov:
        (out / simbuild.COVERAGE_FILE).unlink(missing_ok=True)
    print(f"regress.simrun: {args.module}.{args.test} build {build_dir} seeds {seeds.describe()}", flush=True)
    try:
        get_runner("verilator").test(
            test_module=[simbuild.test_module_name(args.module)], hdl_toplevel=args.toplevel,
            hdl_toplevel_lang="verilog",
            build_dir=build_dir, test_dir=out, results_xml=str(results), seed=seeds.cocotb,
            plusargs=[*seeds.test_plusargs(), *args.plusarg, *cov_args],
            waves=simbuild.waves_enabled(), parameters=params, test_filter=rf"(^|\.){args.test}$")
    except (SystemExit, RuntimeError) as exc:
        print(f"regress.simrun: the runner stopped: {exc!r}", flush=True)
    try:
        simbuild.check_results(results, f"{args.module}.{args.test}")
    except AssertionError as exc:
        print(f"regress.simrun: FAIL: {exc}", flush=True)
        return 1
    print("regress.simrun: PASS", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
