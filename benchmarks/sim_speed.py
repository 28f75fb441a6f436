"""Simulation speed, DUT cycles per wall second, of the three ways to run the same RTL and testbench top
(verif/hdl/le_tb_top.sv): the pyuvm env, the SystemC harness (le_sc_sim) and the bare C++ loop (le_bare_sim) over
the same Verilated model (docs/systemc.md "Measured speed").

    .venv/bin/python benchmarks/sim_speed.py [--widths 128,64] [--tokens 16] [--sc-tokens 48] [--repeat 5]
                                             [--pyuvm-repeat 3] [--no-pyuvm] [--profile] [--minilm] [--json PATH]

pyuvm: the test list's `smoke` test (SmokeTest through regress.launch.run_listed: RAL + AXI4-Lite agent,
split-transactor AXI4 memory and AXI-Stream BFMs, golden reference model, scoreboard, coverage and transaction log)
on the `tiny` and `small` bundles; the cycles and seconds the test measured around its token sequence (verif/tests/
base.py SimSpeed: model building and the Verilator build excluded), and the part of them spent in Python (cocotb's
event loop: the env, the reference model, coverage) and so in the simulator. Each row is the median of --pyuvm-repeat
runs (the wall time of one run varies by up to +-8 % on the 2-core machine, idle). --profile turns on cocotb's Python
profiler.

SystemC and bare: the same bundles (`python -m models export --preset P --seed 1`, the bus width of the row) through
eda.scbuild's two binaries of one build (zero BFM knobs, transaction records on, as by default), each run --repeat
times; the figure is the median of run.json's token-loop cycles per wall second (and per CPU second of the process:
what another process on the machine cannot halve). They run more tokens than the env (--sc-tokens on tiny, an
eighth of it on small) to be long enough to time; a token costs the same cycles whatever the count.

Targets: the SystemC harness >= 1 M cycles/s on tiny and >= 80 % of the bare loop (issue 12; its third, >= 20x the
pyuvm env, was met at 16.6x to 24.5x and is now printed without a verdict: the env got faster); the pyuvm env >= 250 k
cycles/s on tiny at 128 bits (issue 16), printed with its share of the bare loop, its ceiling (the same RTL and
testbench top, -O3, no VPI and no public signals; the env's plain builds are -O3 with only the testbench readable and
the registers it writes writable: eda/listed_public.py, and main() drives their clock: eda/le_vpi_main.cpp,
docs/verification.md "Speed").
--minilm also times one full-size all-MiniLM-L6-v2 token through the SystemC harness (2 tokens exported, MAX_VOCAB
32768, MEM_PAGES 8192: the ~30 MB image; target <= 2 s of wall time per token).
Run it on a quiet machine and quote the `uptime` lines it prints: two cores shared with other builds halve the wall
figures (the verdicts and the exit status follow them; the CPU-second verdicts are printed next to them).
"""
from __future__ import annotations

import argparse
import json
import os
import pstats
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from eda import scbuild  # noqa: E402

TARGET_SC = 1_000_000          # SystemC harness cycles/s on tiny
TARGET_SC_VS_BARE = 0.80
TARGET_PYUVM = 250_000         # the pyuvm env's cycles/s on tiny at 128 bits (issue 16)
TARGET_MINILM_S = 2.0          # wall seconds per MiniLM token
MINILM_PARAMS = {"MAX_VOCAB": 32768, "MEM_PAGES": 8192}   # as regress/testlist.yaml sc_minilm


def measure_pyuvm(bundle: str, width: int, tokens: int, profile: bool, repeat: int = 1) -> dict:
    """The median (by cycles/s) of `repeat` SmokeTest runs; `all_cycles_per_s` lists every run's figure."""
    from regress.launch import RUNS_DIR, run_listed

    if profile:
        os.environ["COCOTB_ENABLE_PROFILING"] = "1"
    runs = []
    for _ in range(max(1, repeat)):
        start = time.perf_counter()
        run = run_listed("smoke", f"w{width}", 1, run_dir=RUNS_DIR / f"sim_speed.{bundle}.w{width}",
                         plusargs=(f"+le_bundle={bundle}", f"+le_tokens={tokens}"))
        wall = time.perf_counter() - start
        speed = json.loads((run.run_dir / "sim_speed.json").read_text())
        runs.append({"engine": "pyuvm", "bundle": bundle, "bus": width, **speed, "process_wall_s": wall})
        if profile:
            pstats.Stats(str(run.run_dir / "cocotb.pstat")).sort_stats("tottime").print_stats(12)
    runs.sort(key=lambda r: r["cycles_per_s"])
    row = dict(runs[len(runs) // 2])
    row["all_cycles_per_s"] = [r["cycles_per_s"] for r in runs]
    return row


def export(work: Path, preset: str, width: int, tokens: int) -> Path:
    out = work / f"{preset}.w{width}.t{tokens}"
    if not (out / "manifest.json").is_file():
        done = subprocess.run([sys.executable, "-m", "models", "export", "--preset", preset, "--seed", "1", "--tokens",
                               str(tokens), "--bus-width", str(width), "--out", str(out)], cwd=ROOT,
                              capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise SystemExit(f"sim_speed: export {preset} w{width}: {done.stderr.strip()}")
    return out


def measure_native(engine: str, binary: Path, bundle: Path, out: Path, repeat: int, args: tuple[str, ...] = ()) -> dict:
    """Median over `repeat` runs of a le_sc_sim / le_bare_sim binary (each must exit 0)."""
    runs = []
    for i in range(repeat):
        done = scbuild.run(binary, bundle, out / f"{engine}.{i}", args, timeout=None)
        if done.returncode != 0:
            raise SystemExit(f"sim_speed: {engine} on {bundle.name}: exit {done.returncode}: {done.stderr.strip()}")
        runs.append(json.loads((out / f"{engine}.{i}" / "run.json").read_text()))
    med = statistics.median(r["cycles_per_s"] for r in runs)
    return {"engine": engine, "cycles": runs[0]["token_loop_cycles"], "tokens": runs[0]["tokens_done"],
            "seconds": statistics.median(r["token_loop_wall_s"] for r in runs), "cycles_per_s": med,
            "cycles_per_cpu_s": statistics.median(r["cycles_per_cpu_s"] for r in runs),
            "all_cycles_per_s": [r["cycles_per_s"] for r in runs]}


def verdict(ok: bool) -> str:
    return "met" if ok else "NOT met"


def minilm(work: Path, repeat: int) -> dict:
    model = scbuild.build(128, parameters=MINILM_PARAMS)
    bundle = export(work, "minilm", 128, 2)
    row = measure_native("systemc", model.binary, bundle, work / "runs" / "minilm", repeat)
    row["s_per_token"] = row["seconds"] / max(row["tokens"], 1)
    return row


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--widths", default="128,64")
    ap.add_argument("--tokens", type=int, default=16, help="pyuvm tokens on tiny (small: an eighth, at least 2)")
    ap.add_argument("--sc-tokens", type=int, default=48, help="SystemC / bare tokens on tiny (small: an eighth)")
    ap.add_argument("--repeat", type=int, default=5, help="SystemC / bare runs per row (the median is reported)")
    ap.add_argument("--pyuvm-repeat", type=int, default=3, help="pyuvm runs per row (the median is reported)")
    ap.add_argument("--no-pyuvm", action="store_true", help="skip the pyuvm env (no ratios against it)")
    ap.add_argument("--profile", action="store_true", help="cocotb's Python profiler in the pyuvm runs")
    ap.add_argument("--minilm", action="store_true", help="also the wall time of one all-MiniLM-L6-v2 token")
    ap.add_argument("--work", type=Path, help="bundles and runs (default: a temporary folder)")
    ap.add_argument("--json", type=Path)
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = a.work or Path(tmp)
        return report(a, work)


def report(a: argparse.Namespace, work: Path) -> int:
    print(f"uptime: {subprocess.run(['uptime'], capture_output=True, text=True, check=False).stdout.strip()}")
    rows: list[dict] = []
    for w in (int(x) for x in a.widths.split(",")):
        model = scbuild.build(w)
        for bundle in ("tiny", "small"):
            sc_tokens = a.sc_tokens if bundle == "tiny" else max(2, a.sc_tokens // 8)
            path = export(work, bundle, w, sc_tokens)
            row = {"bundle": bundle, "bus": w}
            if not a.no_pyuvm:
                row["pyuvm"] = measure_pyuvm(bundle, w, a.tokens if bundle == "tiny" else max(2, a.tokens // 8),
                                             a.profile, a.pyuvm_repeat)
            out = work / "runs" / f"{bundle}.w{w}"
            row["systemc"] = measure_native("systemc", model.binary, path, out, a.repeat)
            row["bare"] = measure_native("bare", model.bare_binary, path, out, a.repeat)
            rows.append(row)
    print("| bundle | bus | engine | tokens | DUT cycles | wall s | cycles/s | cycles/CPU-s |")
    print("| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: |")
    for r in rows:
        for eng in ("pyuvm", "systemc", "bare"):
            if eng in r:
                e = r[eng]
                cpu = f"{e['cycles_per_cpu_s']:,.0f}" if "cycles_per_cpu_s" in e else "-"
                print(f"| {r['bundle']} | {r['bus']} | {eng} | {e['tokens']} | {e['cycles']:,} | {e['seconds']:.3f} | "
                      f"{e['cycles_per_s']:,.0f} | {cpu} |")
    print()
    ok = True
    for r in rows:
        sc = r["systemc"]["cycles_per_s"]
        vs_bare = sc / r["bare"]["cycles_per_s"]
        vs_bare_cpu = r["systemc"]["cycles_per_cpu_s"] / r["bare"]["cycles_per_cpu_s"]
        line = (f"{r['bundle']} w{r['bus']}: SystemC/bare {vs_bare:.2f} ({verdict(vs_bare >= TARGET_SC_VS_BARE)}; per "
                f"CPU second {vs_bare_cpu:.2f}: {verdict(vs_bare_cpu >= TARGET_SC_VS_BARE)})")
        good = vs_bare >= TARGET_SC_VS_BARE
        if "pyuvm" in r:
            e = r["pyuvm"]
            py = e["cycles_per_s"]
            line += (f", pyuvm {py:,.0f} cycles/s = {py / r['bare']['cycles_per_s']:.1%} of the bare loop (its "
                     f"ceiling), SystemC/pyuvm {sc / py:.1f}x")
            if e.get("python_s") is not None:
                sim_s = e["seconds"] - e["python_s"]
                line += (f"; pyuvm per token {1e3 * e['seconds'] / e['tokens']:.2f} ms: Python "
                         f"{1e3 * e['python_s'] / e['tokens']:.2f}, simulator {1e3 * sim_s / e['tokens']:.2f} "
                         f"({1e6 * sim_s / e['cycles']:.2f} us per cycle)")
            if r["bundle"] == "tiny" and r["bus"] == 128:
                line += f" (pyuvm {verdict(py >= TARGET_PYUVM)} >= {TARGET_PYUVM:,})"
                good = good and py >= TARGET_PYUVM
        if r["bundle"] == "tiny":
            cpu = r["systemc"]["cycles_per_cpu_s"]
            line += (f", SystemC {sc:,.0f} cycles/s ({verdict(sc >= TARGET_SC)} >= {TARGET_SC:,}; per CPU second "
                     f"{cpu:,.0f}: {verdict(cpu >= TARGET_SC)})")
            good = good and sc >= TARGET_SC
        ok = ok and good
        print(line)
    result = {"rows": rows}
    if a.minilm:
        m = minilm(work, 1)
        cpu_s = m["cycles"] / m["cycles_per_cpu_s"] / max(m["tokens"], 1)
        print(f"MiniLM (all-MiniLM-L6-v2, w128, SystemC): {m['tokens']} tokens, {m['cycles']:,} DUT cycles in "
              f"{m['seconds']:.2f} s: {m['s_per_token']:.2f} s per token, {m['cycles_per_s']:,.0f} cycles/s "
              f"({verdict(m['s_per_token'] <= TARGET_MINILM_S)} <= {TARGET_MINILM_S} s; {cpu_s:.2f} CPU-s per token: "
              f"{verdict(cpu_s <= TARGET_MINILM_S)})")
        ok = ok and m["s_per_token"] <= TARGET_MINILM_S
        result["minilm"] = m
    print(f"uptime: {subprocess.run(['uptime'], capture_output=True, text=True, check=False).stdout.strip()}")
    if a.json:
        a.json.write_text(json.dumps(result, indent=2))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
