"""One run of a `engine: systemc` test of the test list: the command regress runs for it (and every repro.sh).

    python -m regress.scrun --test sc_smoke --config w128 --seed 1 --out RUN_DIR [--param AXI_DATA_W=128 ...]
        [--plusarg +le_tokens=8 ...]

With --param (what the runner passes, so cmd.sh and repro.sh stand alone) the configuration's parameters and
the plusargs are the whole case; without, the test's knobs and the configuration come from the test list.

The case comes from the test's knobs as a pyuvm test's does (verif/tests/base.py bundle_model): the `bundle`
preset (default tiny) with model seed 1, `tokens` tokens (default 4) at positions 0.., exported for the
configuration's bus width into RUN_DIR/bundle (models/bundle.py). The master seed drives the harness's BFM
randomness (verif/seeds.py Seeds.plusargs: +verilator+seed+N). eda.scbuild builds the SystemC binary (cached) and
runs it into RUN_DIR (logits.bin, kv_region.bin, kv_tokens.bin, tokens.jsonl, run.json: docs/systemc.md), then
the env's own judges check it in Python: verif/env/refmodel.py GoldenPredictor predicts every token and
verif/env/scoreboard.py TokenChecker compares every logit, STATUS, the perf byte counters and the whole KV region
after every token. The harness records no K/V write transactions yet: the checker's write comparison is skipped
for this engine and run.log says so. Writes RUN_DIR/results.xml in cocotb's format (regress/results.py
parse_cocotb_results reads it as it reads a pyuvm run's) and exits 0 pass, 1 fail, 3 could not run.
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

CLK_NS = 10                      # the harness's sc_clock period (verif/sc/sc_main.cpp)
DEFAULTS = {"bundle": "tiny", "tokens": "4"}      # verif/tests/base.py BaseTest.bundle / .tokens
WRITES_SKIPPED = "writes: not recorded by the SystemC harness yet (the K/V append transactions are not compared; " \
                 "the whole KV region after every token is)"


class RunError(RuntimeError):
    """The run could not happen (bad knob, export, build, harness output unreadable): exit 3."""


def split_plusargs(plusargs: Sequence[str]) -> tuple[dict[str, str], list[str]]:
    """(+le_<knob>=<value> knobs, every other plusarg: passed to the harness). Later plusargs override earlier."""
    from regress.testlist import SC_KNOBS
    knobs, rest = dict(DEFAULTS), []
    for p in plusargs:
        if p.startswith("+le_"):
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
        """TokenChecker with its write comparison made explicit: the SystemC harness records no AXI writes."""
        writes_skipped = 0

        def _writes(self, tok: str, pred: Any, writes: list[Any]) -> None:
            self.writes_skipped += 1

        def kv_after_run(self, want: bytes, got: bytes) -> None:
            self._kv_region("after the last token (kv_region.bin)", want, got)

    return ScTokenChecker


def _read(path: Path) -> bytes | None:
    return path.read_bytes() if path.is_file() else None


def judge(out: Path, qm: Any, x: np.ndarray, image_base: int, say: Callable[[str], None] = print) -> list[str]:
    """Check the harness outputs in `out` for the tokens of `x` at positions 0.. of model `qm`; the failures as
    lines (empty: pass). Expected values come from GoldenPredictor only, never from the harness's files."""
    from verif.agents.axis import LogitsFrame
    from verif.env.refmodel import GoldenPredictor
    from verif.env.txn import TokenReadback, TokenStart

    predictor = GoldenPredictor(qm, image_base)
    checker = _checker_class()(predictor.layout, image_base)
    vocab, kv_size = predictor.cfg.vocab, predictor.layout.kv_size
    problems: list[str] = []
    run: dict[str, Any] = json.loads((out / "run.json").read_text()) if (out / "run.json").is_file() else {}
    if not run:
        problems.append("harness: no run.json")
    elif run.get("exit") != 0:
        problems.append(f"harness: exit {run.get('exit')}: {run.get('message')}")
    problems += [f"harness: BFM protocol error: {e}" for e in run.get("protocol_errors", [])]
    lines = (out / "tokens.jsonl").read_text().splitlines() if (out / "tokens.jsonl").is_file() else []
    records = [json.loads(line) for line in lines if line.strip()]
    logits = _read(out / "logits.bin") or b""
    kv_tokens = _read(out / "kv_tokens.bin") or b""
    pred = None
    for i in range(len(x)):
        pred = predictor.predict(TokenStart(i, i, np.asarray(x[i])))
        if i >= len(records):
            problems.append(f"token {i} (pos {i}): no result from the harness")
            continue
        rec = records[i]
        if rec.get("pos") != i:
            problems.append(f"token {i}: the harness ran it at position {rec.get('pos')}, expected {i}")
        row = logits[4 * vocab * i: 4 * vocab * (i + 1)]
        frame = LogitsFrame(row) if len(row) == 4 * vocab else None
        kv = kv_tokens[kv_size * i: kv_size * (i + 1)]
        perf = {k: int(v) for k, v in rec.get("perf", {}).items()}
        checker.check(pred, frame, [], TokenReadback(i, int(rec.get("status", 0)), int(rec.get("err_code", 0)),
                                                     perf, kv))
    if len(records) > len(x):
        problems.append(f"the harness ran {len(records)} tokens, {len(x)} expected")
    if pred is not None:
        checker.kv_after_run(pred.kv_region, _read(out / "kv_region.bin") or b"")
    if checker.writes_skipped:
        say(f"regress.scrun: {WRITES_SKIPPED}: {checker.writes_skipped} token(s)")
    say(f"regress.scrun: {checker.tokens_checked} token(s) checked: logits, STATUS, perf bytes, KV region after "
        f"every token")
    return problems + [str(e) for e in checker.errors()]


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


def write_fingerprint(out: Path) -> None:
    """txn_log.sha256 as a pyuvm run writes it ("<hex>  <what>"): here the sha256 of what the harness produced
    (tokens.jsonl with its cycle counts, logits.bin, kv_tokens.bin), so repro.sh can say "bit for bit"."""
    h = hashlib.sha256()
    for f in ("tokens.jsonl", "logits.bin", "kv_tokens.bin"):
        h.update((_read(out / f) or b"") + b"\0")
    (out / "txn_log.sha256").write_text(f"{h.hexdigest()}  harness outputs (tokens.jsonl, logits.bin, "
                                        f"kv_tokens.bin)\n")


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m regress.scrun", description=__doc__.split("\n")[0])
    p.add_argument("--test", required=True, help="test name in the test list (engine: systemc)")
    p.add_argument("--config", required=True, help="build configuration of the test list (its AXI_DATA_W)")
    p.add_argument("--seed", type=lambda s: int(s, 0), required=True, help="master seed")
    p.add_argument("--out", type=Path, required=True, help="run directory (results.xml)")
    p.add_argument("--param", action="append", default=[], help="NAME=VALUE of the configuration (AXI_DATA_W...)")
    p.add_argument("--plusarg", action="append", default=[])
    p.add_argument("--testlist", type=Path, help="the test list (default regress/testlist.yaml)")
    return p


def _prepare(args: argparse.Namespace, out: Path) -> tuple[str, Any, np.ndarray, Path, list[str]]:
    """(test name, quantized model, X, harness binary, harness arguments)."""
    from eda import scbuild, toolchain
    from models.bundle import build_bundle, write_bundle
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
    seeds = Seeds(args.seed)
    print(f"regress.scrun: {name} on {args.config} ({bus}-bit bus), bundle {knobs['bundle']} x{knobs['tokens']}, "
          f"seeds {seeds.describe()}", flush=True)
    try:
        b = build_bundle(knobs["bundle"], 1, int(knobs["tokens"]), bus_width=bus)
        write_bundle(b, out / "bundle")
    except (ValueError, RuntimeError, KeyError) as exc:
        raise RunError(f"bundle {knobs['bundle']} x{knobs['tokens']}: {exc}") from None
    try:
        model = scbuild.build(bus, parameters=params)
    except (toolchain.ToolMissing, RuntimeError, FileNotFoundError, ValueError) as exc:
        raise RunError(f"SystemC build: {' '.join(str(exc).split())[:500]}") from None
    print(f"regress.scrun: SystemC build {model.build_dir} ({'cached' if model.cached else f'{model.seconds:.0f} s'})",
          flush=True)
    # the BFMs' $urandom from the master (Seeds.plusargs()[0]); not +verilator+rand+reset: the SystemC build is not
    # an X-randomised one (verif/seeds.py X_RANDOM_BUILD_ARGS), and with it the harness fails its first read
    harness = ["--image-base", str(IMAGE_BASE), "--kv-each-token", "1", f"+verilator+seed+{seeds.verilator}",
               *harness_plusargs]
    return name, b.qm, b.x, model.binary, harness


def main(argv: list[str] | None = None) -> int:
    from eda import scbuild
    from verif.tests.base import IMAGE_BASE

    args = parser().parse_args(argv)
    out = args.out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    results = out / "results.xml"
    results.unlink(missing_ok=True)
    for stale in ("run.json", "tokens.jsonl", "logits.bin", "kv_region.bin", "kv_tokens.bin", "txn_log.sha256"):
        (out / stale).unlink(missing_ok=True)
    try:
        name, qm, x, binary, harness = _prepare(args, out)
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
    failures = judge(out, qm, x, IMAGE_BASE)
    run = json.loads((out / "run.json").read_text()) if (out / "run.json").is_file() else {}
    sim_ns = float(run["cycles"]) * CLK_NS if "cycles" in run else None
    write_results(results, name, failures, wall, sim_ns)
    write_fingerprint(out)
    if failures:
        for line in failures:
            print(f"regress.scrun: {line}", flush=True)
        print(f"regress.scrun: FAIL: {summary(failures)}", flush=True)
        return 1
    print("regress.scrun: PASS", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
