"""One run of a `engine: systemc` test of the test list: the command regress runs for it (and every repro.sh).

    python -m regress.scrun --test sc_smoke --config w128 --seed 1 --out RUN_DIR [--param AXI_DATA_W=128 ...]
        [--plusarg +le_tokens=8 ...] [--cov] [--x-random]        (LE_WAVES=1: a waves build, RUN_DIR/dump.fst)

With --param (what the runner passes, so cmd.sh and repro.sh stand alone) the configuration's parameters and
the plusargs are the whole case; without, the test's knobs and the configuration come from the test list.

The case (regress/sccase.py) is drawn as a pyuvm test draws it: a preset bundle (case=preset: `bundle`, `tokens`
at positions 0..) or RandTest's random case from the master seed (case=random: dims, tiling, positions with the
KV cache preloaded, weights, AXI/stream timing), written into RUN_DIR/bundle. The master seed also drives the
harness's BFM randomness (verif/seeds.py: +verilator+seed+N). eda.scbuild builds the SystemC binary (cached)
and runs it into RUN_DIR (logits.bin, kv_region.bin, kv_tokens.bin, tokens.jsonl, run.json: docs/systemc.md),
then the env's own judges check it in Python: verif/env/refmodel.py GoldenPredictor predicts every token and
verif/env/scoreboard.py TokenChecker compares every logit, STATUS, the perf byte counters and the whole KV region
after every token. With +le_probe_file=DIR/probe.log (`regress debug`) the harness's le_probe writes the
operator-boundary values and the predictor the golden intermediates (DIR/golden), as in a pyuvm run. Writes
RUN_DIR/results.xml in cocotb's format (regress/results.py parse_cocotb_results reads it as it reads a pyuvm
run's) and exits 0 pass, 1 fail, 3 could not run.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from regress.sccase import PLAN_FILE, CaseError, ScCase, build_parameters, check_fits, make_case, write_case
from regress.scoutputs import read_outputs, run_txns
from regress.sctxn import CLK_NS, ScTxns

PROBE_PLUSARG = "+le_probe_file="     # +<verif/env/env.py PROBE_PLUSARG>=: `regress debug`
MUTANT_PLUSARG = "+le_mutant="        # `regress mutate`: the mutant select, read by the instrumented RTL
WAVES_PLUSARGS = ("+le_waves_from_ps=", "+le_waves_to_ps=")   # eda/vpi_main.py: the dump window (le_sc_main.h)
HARNESS_PLUSARGS = (PROBE_PLUSARG, MUTANT_PLUSARG, *WAVES_PLUSARGS)   # +le_... plusargs for the harness, not knobs
WAVES_FILE = "dump.fst"               # with LE_WAVES=1 (a waves build), as a pyuvm run's
HARNESS_OUTPUTS = ("run.json", "tokens.jsonl", "logits.bin", "kv_region.bin", "kv_tokens.bin", "txn.jsonl",
                   "txn_log.txt", "txn_log.sha256", "coverage.dat", WAVES_FILE)
"""What a harness run and its judge write into the run directory: removed first, so nothing stale is judged."""
WRITES_SKIPPED = "writes: the harness wrote no txn.jsonl (--txn 0): the K/V append transactions are not compared; " \
                 "the whole KV region after every token is"


class RunError(RuntimeError):
    """The run could not happen (bad knob, export, build, harness output unreadable): exit 3."""


def split_plusargs(plusargs: Sequence[str]) -> tuple[dict[str, str], list[str]]:
    """(+le_<knob>=<value> knobs, every other plusarg, +le_probe_file included: passed to the harness). Later
    plusargs override earlier."""
    from regress.testlist import SC_KNOBS
    knobs: dict[str, str] = {}
    rest: list[str] = []
    for p in plusargs:
        if p.startswith("+le_") and not p.startswith(HARNESS_PLUSARGS):  # le_probe.sv / le_mut_sel read these
            key, sep, value = p[4:].partition("=")
            if not sep or key not in SC_KNOBS:
                raise RunError(f"plusarg {p!r}: the systemc engine understands only "
                               f"{', '.join(f'+le_{k}=...' for k in sorted(SC_KNOBS))}")
            knobs[key] = value
        else:
            rest.append(p)
    return knobs, rest


def _checker_class() -> type[Any]:
    from verif.env.scoreboard import TokenChecker

    class ScTokenChecker(TokenChecker):
        """TokenChecker that can be told a run recorded no AXI writes (the comparison is skipped, visibly)."""
        writes_skipped = 0
        records_writes = True

        def _writes(self, tok: str, pred: Any, writes: list[Any]) -> None:
            if self.records_writes:
                super()._writes(tok, pred, writes)
            else:
                self.writes_skipped += 1

    return ScTokenChecker


def _read(path: Path) -> bytes | None:
    return path.read_bytes() if path.is_file() else None


def judge(out: Path, case: ScCase, image_base: int, say: Callable[[str], None] = print,
          trace_dir: Path | None = None, txn_records: tuple[ScTxns | None, list[str]] | None = None) -> list[str]:
    """Check the harness outputs in `out` for the tokens of `case`; the failures as lines (empty: pass). Expected
    values come from GoldenPredictor only, never from the harness's files. `txn_records`: run_txns(out), when the
    caller has read them already."""
    from verif.agents.axi4 import as_env_write
    from verif.agents.axis import LogitsFrame
    from verif.env.refmodel import GoldenPredictor
    from verif.env.txn import TokenReadback, TokenStart

    predictor = GoldenPredictor(case.qm, image_base, case.kv, trace_dir=trace_dir)
    checker = _checker_class()(predictor.layout, image_base)
    vocab, kv_size, bus_bytes = predictor.cfg.vocab, predictor.layout.kv_size, predictor.cfg.bus_bytes
    txns, txn_problems = txn_records if txn_records is not None else run_txns(out)
    ho = read_outputs(out)
    problems = list(txn_problems) + ho.problems
    checker.records_writes = txns is not None
    records, logits, kv_tokens = ho.records, ho.logits, ho.kv_tokens
    pred = None
    x = case.x
    for i, pos in enumerate(case.positions):
        pred = predictor.predict(TokenStart(i, pos, np.asarray(x[i])))
        if i >= len(records):
            problems.append(f"token {i} (pos {pos}): no result from the harness")
            continue
        rec = records[i]
        if rec.get("pos") != pos:
            problems.append(f"token {i}: the harness ran it at position {rec.get('pos')}, expected {pos}")
        row = logits[4 * vocab * i: 4 * vocab * (i + 1)]
        frame = LogitsFrame(row) if len(row) == 4 * vocab else None
        kv = kv_tokens[kv_size * i: kv_size * (i + 1)]
        perf = {k: int(v) for k, v in rec.get("perf", {}).items()}
        writes = [as_env_write(w, bus_bytes) for w in txns.writes.get(i, [])] if txns is not None else []
        span = txns.start_to_irq.get(i) if txns is not None else None
        checker.check(pred, frame, writes, TokenReadback(i, int(rec.get("status", 0)), int(rec.get("err_code", 0)),
                                                         perf, kv, span))
    if len(records) > len(x):
        problems.append(f"the harness ran {len(records)} tokens, {len(x)} expected")
    if pred is not None:
        checker.check_kv("after the last token (kv_region.bin)", pred.kv_region, ho.kv_region)
    if checker.writes_skipped:
        say(f"regress.scrun: {WRITES_SKIPPED}: {checker.writes_skipped} token(s)")
    kv_writes = "every K/V write, " if txns is not None else ""
    say(f"regress.scrun: {checker.tokens_checked} token(s) checked: logits, STATUS, perf bytes, {kv_writes}KV region "
        f"after every token")
    if case.logits_float is not None and len(logits) == 4 * vocab * len(x):
        say(fidelity(case, np.frombuffer(logits, "<i4").reshape(len(x), vocab)))
    return problems + [str(e) for e in checker.errors()]


def fidelity(case: ScCase, dut_logits: np.ndarray) -> str:
    """The float-vs-integer agreement of the DUT's logits (models/metrics.py): cosine and top-1 per token."""
    from models.metrics import logits_agreement
    ref = np.asarray(case.logits_float)[: len(dut_logits)]
    a = logits_agreement(dut_logits, case.qm.logits_scale, ref)
    return (f"regress.scrun: fidelity of the DUT's logits against the float model over {a['tokens']} token(s): "
            f"cosine mean {a['cos_mean']:.4f}, min {a['cos_min']:.4f}, top-1 agreement {100 * a['top1']:.1f} %")


def summary(failures: list[str]) -> str:
    """One line: every failure kind with its first instance (TokenChecker's "kind: N mismatch(es)" + detail)."""
    parts: list[str] = []
    detailed = True
    for line in failures:
        if not line.startswith("  "):
            parts.append(line)
            detailed = False
        elif parts and not detailed:
            parts[-1] += f", first: {line.strip()}"
            detailed = True
    return "; ".join(parts)


def write_results(path: Path, name: str, failures: list[str], wall_s: float, sim_ns: float | None) -> None:
    """results.xml as cocotb writes it: one testsuite, one testcase `name`, a <failure> when it failed."""
    suites = ET.Element("testsuites", name="results")
    suite = ET.SubElement(suites, "testsuite", name="regress.scrun", package="regress.scrun")
    case = ET.SubElement(suite, "testcase", name=name, classname="regress.scrun", file=__file__,
                         time=f"{wall_s:.3f}", sim_time_ns=f"{sim_ns or 0}", ratio_time="0")
    props = ET.SubElement(case, "properties")
    ET.SubElement(props, "property", name="sim_time_stop", value=f"{sim_ns or 0}")
    if failures:
        fail = ET.SubElement(case, "failure", type="ScMismatch", message=summary(failures))
        fail.text = "\n".join(failures)
    ET.ElementTree(suites).write(path, encoding="utf-8", xml_declaration=True)


def write_fingerprint(out: Path, txns: ScTxns | None) -> None:
    """txn_log.txt and txn_log.sha256 as a pyuvm run writes them: the transaction log in verif/env/txn_log.py's
    line format (`txns`: the BFM's R/W records, the C driver's CSR accesses, irq edges, from txn.jsonl) and the
    sha256 of that log and of what the harness produced (tokens.jsonl with its cycle counts, logits.bin,
    kv_tokens.bin), so repro.sh can say "bit for bit"."""
    h = hashlib.sha256()
    what = "harness outputs (tokens.jsonl, logits.bin, kv_tokens.bin)"
    if txns is not None:
        text = "".join(line + "\n" for line in txns.lines)
        (out / "txn_log.txt").write_text(text)
        h.update(text.encode() + b"\0")
        counts = ", ".join(f"{k} {v}" for k, v in txns.counts.items())
        what = f"{len(txns.lines)} transactions ({counts}) and the " + what
    for f in ("tokens.jsonl", "logits.bin", "kv_tokens.bin"):
        h.update((_read(out / f) or b"") + b"\0")
    (out / "txn_log.sha256").write_text(f"{h.hexdigest()}  {what}\n")


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m regress.scrun", description=__doc__.split("\n")[0])
    p.add_argument("--test", required=True, help="test name in the test list (engine: systemc)")
    p.add_argument("--config", required=True, help="build configuration of the test list (its AXI_DATA_W)")
    p.add_argument("--seed", type=lambda s: int(s, 0), required=True, help="master seed")
    p.add_argument("--out", type=Path, required=True, help="run directory (results.xml)")
    p.add_argument("--param", action="append", default=[], help="NAME=VALUE of the configuration (AXI_DATA_W...)")
    p.add_argument("--plusarg", action="append", default=[])
    p.add_argument("--testlist", type=Path, help="the test list (default regress/testlist.yaml)")
    p.add_argument("--cov", action="store_true", help="a coverage build; the run writes RUN_DIR/coverage.dat")
    p.add_argument("--x-random", action="store_true",
                   help="an X-randomised build, run with +verilator+rand+reset+2 (verif/seeds.py)")
    p.add_argument("--rtl-root", type=Path,
                   help="build from the rtl/ under this folder instead of the repository's (regress mutate's "
                        "instrumented tree, a scratch copy with a planted bug)")
    return p


def _prepare(args: argparse.Namespace, out: Path) -> tuple[str, ScCase, Path, list[str]]:
    """(test name, the case, harness binary, harness arguments)."""
    from eda import scbuild, simbuild, toolchain
    from regress.testlist import TestListError, load
    from verif.seeds import Seeds
    from verif.tests.base import IMAGE_BASE

    if args.param:
        name, plusargs = args.test, list(args.plusarg)
        raw = dict(p.partition("=")[::2] for p in args.param)
    else:
        try:
            tl = load(args.testlist)
            spec = tl.test(args.test)
            if args.config not in spec.configs:
                raise RunError(f"test {spec.name!r} does not run on {args.config!r}")
        except TestListError as exc:
            raise RunError(str(exc)) from None
        if spec.engine != "systemc":
            raise RunError(f"test {spec.name!r} is a {spec.engine} test (regress.simrun runs it)")
        name, plusargs = spec.name, [*spec.all_plusargs(), *args.plusarg]
        raw = {k: str(v) for k, v in tl.configs[args.config].parameters.items()}
    knobs, harness_plusargs = split_plusargs(plusargs)
    try:
        params = {k: int(v, 0) for k, v in raw.items()}
        bus = params.pop("AXI_DATA_W")
    except (ValueError, KeyError) as exc:
        raise RunError(f"configuration {args.config}: parameters {raw}: need integer values and AXI_DATA_W "
                       f"({exc})") from None
    rtl_root = args.rtl_root.resolve() if args.rtl_root else scbuild.REPO_ROOT
    if not (rtl_root / "rtl" / "layer_engine.f").is_file():
        raise RunError(f"--rtl-root {args.rtl_root}: no rtl/layer_engine.f under it")
    seeds = Seeds(args.seed)
    try:
        params = build_parameters(knobs, {**scbuild.DEFAULT_PARAMS, **params})
        case = make_case(knobs, bus, seeds.vsc, seeds.python, IMAGE_BASE)
        check_fits(case, params, IMAGE_BASE)
    except CaseError as exc:
        raise RunError(str(exc)) from None
    print(f"regress.scrun: {name} on {args.config} ({bus}-bit bus), {case.describe}, seeds {seeds.describe()}",
          flush=True)
    write_case(case, out / "bundle")
    if case.engine_case is not None:                  # a random case: recorded for `regress shrink` / replay
        from verif.case_file import CASE_FILE, write_case_file
        write_case_file(case.engine_case, out / CASE_FILE)
    waves = simbuild.waves_enabled()
    try:
        model = scbuild.build(bus, rtl_root, parameters=params, coverage=args.cov, waves=waves,
                              x_random=args.x_random)
    except (toolchain.ToolMissing, RuntimeError, FileNotFoundError, ValueError) as exc:
        raise RunError(f"SystemC build: {' '.join(str(exc).split())[:500]}") from None
    print(f"regress.scrun: SystemC build {model.build_dir} ({'cached' if model.cached else f'{model.seconds:.0f} s'})",
          flush=True)
    # the BFMs' $urandom from the master; with --x-random also every X-initialised variable (Seeds.plusargs())
    plan = ["--plan", str(out / "bundle" / PLAN_FILE)] if case.plan is not None else []
    harness = [*case_args(case, IMAGE_BASE), *plan,
               *(["--coverage-file", str(out / simbuild.COVERAGE_FILE)] if args.cov else []),
               *(["--waves", str(out / WAVES_FILE)] if waves else []),
               *(seeds.plusargs() if args.x_random else [f"+verilator+seed+{seeds.verilator}"]), *harness_plusargs]
    return name, case, model.binary, harness


def clear_outputs(out: Path) -> None:
    """Remove HARNESS_OUTPUTS from a run directory."""
    for stale in HARNESS_OUTPUTS:
        (out / stale).unlink(missing_ok=True)


def case_args(case: ScCase, image_base: int) -> list[str]:
    """The harness options every run of `case` needs: the image base, the KV region after each token (the judge
    checks every token's) and the case's timing knobs."""
    return ["--image-base", str(image_base), "--kv-each-token", "1", *case.harness_args()]


def probe_trace_dir(harness: list[str]) -> Path | None:
    """Where the golden intermediates go for +le_probe_file=... (verif/env/env.py, the pyuvm runs' rule)."""
    from verif.env.env import golden_trace_dir
    probes = [a[len(PROBE_PLUSARG):] for a in harness if a.startswith(PROBE_PLUSARG)]
    return golden_trace_dir(probes[-1]) if probes else None


def main(argv: list[str] | None = None) -> int:
    from eda import scbuild
    from verif.tests.base import IMAGE_BASE

    args = parser().parse_args(argv)
    out = args.out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    results = out / "results.xml"
    results.unlink(missing_ok=True)
    clear_outputs(out)
    try:
        name, case, binary, harness = _prepare(args, out)
    except RunError as exc:
        print(f"regress.scrun: cannot run: {exc}", flush=True)
        return 3
    t0 = time.monotonic()
    print(f"regress.scrun: $ {binary} --bundle {out / 'bundle'} --out {out} {' '.join(harness)}", flush=True)
    done = scbuild.run(binary, out / "bundle", out, harness, timeout=None)
    sys.stdout.write(done.stdout)
    sys.stdout.write(done.stderr)
    sys.stdout.flush()
    wall = time.monotonic() - t0
    records = run_txns(out)                       # read once: the judge and the fingerprint both use them
    if case.plan is not None:
        from regress.scplan_judge import judge_plan
        failures = judge_plan(out, case, case.plan, IMAGE_BASE, trace_dir=probe_trace_dir(harness), txn_records=records)
    else:
        failures = judge(out, case, IMAGE_BASE, trace_dir=probe_trace_dir(harness), txn_records=records)
    run = json.loads((out / "run.json").read_text()) if (out / "run.json").is_file() else {}
    sim_ns = float(run["cycles"]) * CLK_NS if "cycles" in run else None
    write_results(results, name, failures, wall, sim_ns)
    write_fingerprint(out, records[0])
    if failures:
        for line in failures:
            print(f"regress.scrun: {line}", flush=True)
        print(f"regress.scrun: FAIL: {summary(failures)}", flush=True)
        return 1
    print("regress.scrun: PASS", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
