"""Cycles per token of the layer_engine RTL, from its own perf counters, against the memory roofline.

    .venv/bin/python benchmarks/perf.py [--widths 128,64] [--cases small,minilm-1L] [--json PATH]

stdout: the Markdown table only (the simulator's log goes to stderr). Exit 1 if a token is not bit-exact.

Memory: verif/axi_mem.py with a fixed 40-cycle read latency (AR accept -> first beat) and a 40-cycle write
response latency, no stalls, in-order; X with no gaps, logits with no backpressure. Cases:
  small      the `small` preset at pos = max_seq - 1 = 127, the largest position it allows (the most K/V
             context a small token can read)
  minilm-1L  one MiniLM-sized layer (d_model 384, 12 heads x 32, d_ff 1536, w_tile_rows 32, ctx_tile 32,
             max_seq 512, vocab shortened to 1024) with random weights (models/random_model.py, quantized
             by models/quant.py) at pos 128
Positions 0..pos-1 are run through GoldenEngine in Python and their K/V rows preloaded into DDR (packed
with models.ddr_layout), so only the measured token is simulated. The token must be bit-exact (every logit and
the whole KV region afterwards) or the script exits 1.

Columns: cycles = PERF_CYCLES (START accepted -> DONE); roofline = max(read, write) beats of the bytes the
token must move (models.traffic.roofline_cycles: requested bytes / bus bytes per cycle); ratio =
roofline / cycles (1.0 = the bus never idles); rd stall = PERF_RD_STALL_CYCLES; sched beats = the read beats
the engine's DMA schedule actually puts on the bus (models.schedule: whole beats per transfer, plus the
64-byte header read), which is what PERF_BYTES_RD counts.

The script is its own cocotb test module: run as a program it builds (cached, the same builds as
tests/rtl/test_rtl_layer_engine.py) and simulates the DUT, which imports this file and runs `bench`.
"""
from __future__ import annotations

import argparse
import dataclasses
import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
for p in (REPO, REPO / "tests" / "rtl"):
    if str(p) not in sys.path:
        sys.path.insert(0, str(p))

import cocotb  # noqa: E402
import numpy as np  # noqa: E402

from models.config import EngineConfig, preset  # noqa: E402
from models.ddr_layout import DdrLayout, pack, pack_kv  # noqa: E402
from models.golden import GoldenEngine  # noqa: E402
from models.quant import quantize  # noqa: E402
from models.random_model import calibration_set, random_inputs, random_weights  # noqa: E402
from models.schedule import schedule_beats, token_schedule  # noqa: E402
from models.traffic import beats, roofline_cycles, token_traffic  # noqa: E402

READ_LATENCY = 40
IMAGE_BASE = 0x1000_0000
SEED = 1
CLK_NS = 10
CASES = ("small", "minilm-1L")
MINILM_1L = EngineConfig(d_model=384, n_heads=12, d_head=32, d_ff=1536, n_layers=1, vocab=1024, max_seq=512,
                         ln_eps=1e-12, axi_data_w=128, w_tile_rows=32, ctx_tile=32)


@dataclasses.dataclass
class Case:
    name: str
    cfg: EngineConfig
    pos: int
    image: bytes            # DDR image with K/V rows 0..pos-1 preloaded
    x: np.ndarray           # int8 [d_model], the measured token
    logits: np.ndarray      # expected int32 [vocab]
    kv_after: bytes         # expected KV region after the token


def make_case(name: str, bus_bits: int) -> Case:
    if name == "small":
        cfg, pos = preset("small"), preset("small").max_seq - 1
    elif name == "minilm-1L":
        cfg, pos = MINILM_1L, 128
    else:
        raise ValueError(f"unknown case {name!r}: {CASES}")
    cfg = cfg.replace(axi_data_w=bus_bits)
    w = random_weights(cfg, SEED)
    qm = quantize(cfg, w, calibration_set(cfg, SEED))
    xs = qm.quantize_x(random_inputs(cfg, SEED, pos + 1))
    eng = GoldenEngine(qm)
    for p in range(pos):
        eng.step(xs[p], p)
    image = pack(qm, kv=eng.kv)
    logits = eng.step(xs[pos], pos).astype(np.int32)
    return Case(name, cfg, pos, image, xs[pos], logits, pack_kv(DdrLayout(cfg), eng.kv))


def roofline(case: Case) -> int:
    return roofline_cycles(token_traffic(DdrLayout(case.cfg), case.pos), case.cfg)


def sched_read_beats(case: Case) -> int:
    sched = token_schedule(DdrLayout(case.cfg), case.pos)
    rd, _ = schedule_beats(sched, case.cfg.bus_bytes)
    if not any(t.tensor == "header" for t in sched):
        rd += beats(64, case.cfg.bus_bytes)
    return rd


# ---------------------------------------------------------------------------------------------- cocotb side
@cocotb.test()
async def bench(dut: Any) -> None:
    from cocotb.clock import Clock
    from cocotb.triggers import RisingEdge

    from engine_bus import BusKnobs, CocotbEngineBus
    from models.driver import EngineDriver
    from verif.axi_mem import AxiMem, AxiMemConfig

    out_path = Path(cocotb.plusargs["le_bench_out"])
    names = str(cocotb.plusargs.get("le_bench_cases", ",".join(CASES))).split(",")
    bus_bits = len(dut.m_axi_rdata)
    Clock(dut.clk, CLK_NS, unit="ns").start()
    rows, failures = [], []
    for name in names:
        case = make_case(name, bus_bits)
        lay = DdrLayout(case.cfg)
        dut.rst_n.value = 0
        bus = CocotbEngineBus(dut, BusKnobs(), vocab=case.cfg.vocab, clk_period_ns=CLK_NS)
        mem = AxiMem(dut, dut.clk, "m_axi_", AxiMemConfig(lat_min=READ_LATENCY, lat_max=READ_LATENCY,
                                                           b_lat_min=READ_LATENCY, b_lat_max=READ_LATENCY))
        kv_lo = IMAGE_BASE + lay.kv_base
        mem.load(IMAGE_BASE, case.image)
        mem.add_rw_region(kv_lo, kv_lo + lay.kv_size)
        for _ in range(10):
            await RisingEdge(dut.clk)
        dut.rst_n.value = 1
        await RisingEdge(dut.clk)
        mem_task = mem.start()
        drv = EngineDriver(bus, case.cfg, IMAGE_BASE)
        await drv.configure()
        bus.timeout_cycles = 50 * sched_read_beats(case) + 100_000
        res = await drv.run_token(case.x, case.pos)
        bad_logits = int(np.count_nonzero(res.logits != case.logits))
        kv = np.frombuffer(mem.peek(kv_lo, lay.kv_size), np.uint8)
        bad_kv = int(np.count_nonzero(kv != np.frombuffer(case.kv_after, np.uint8)))
        exact = bad_logits == 0 and bad_kv == 0 and not mem.errors
        if not exact:
            failures.append(f"{name} @ {bus_bits}: {bad_logits} logits and {bad_kv} KV bytes differ, "
                            f"{len(mem.errors)} AXI errors {mem.errors[:3]}")
        p = res.perf
        rows.append({"config": name, "bus_bits": bus_bits, "pos": case.pos, "cycles": p["cycles"],
                     "roofline_cycles": roofline(case), "ratio": roofline(case) / p["cycles"] if p["cycles"] else 0.0,
                     "rd_stall_cycles": p["rd_stall_cycles"], "bytes_rd": p["bytes_rd"], "bytes_wr": p["bytes_wr"],
                     "sched_rd_beats": sched_read_beats(case), "read_latency": READ_LATENCY, "bit_exact": exact})
        dut._log.info(f"{rows[-1]}")
        mem_task.cancel()
    out_path.write_text(json.dumps(rows, indent=1) + "\n")
    assert not failures, "; ".join(failures)


# ---------------------------------------------------------------------------------------------- launcher
def table(rows: list[dict]) -> str:
    lines = ["| config | bus | pos | cycles | roofline cycles | roofline/cycles | rd stall cycles | sched rd beats "
             "| bit-exact |",
             "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |"]
    for r in rows:
        pos = f"{r['pos']}" + (" (max_seq-1)" if r["config"] == "small" else "")
        lines.append(f"| {r['config']} | {r['bus_bits']} | {pos} | {r['cycles']} | {r['roofline_cycles']} | "
                     f"{r['ratio']:.3f} | {r['rd_stall_cycles']} | {r['sched_rd_beats']} | "
                     f"{'yes' if r['bit_exact'] else 'NO'} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--widths", default="128,64", help="AXI_DATA_W values, comma separated (default 128,64)")
    ap.add_argument("--cases", default=",".join(CASES), help=f"comma separated subset of {CASES}")
    ap.add_argument("--json", type=Path, help="also write the rows as JSON here")
    args = ap.parse_args(argv)
    import test_rtl_layer_engine as launcher
    from eda import simbuild

    rows: list[dict] = []
    failed: list[str] = []
    sys.stdout.flush()
    saved_stdout = os.dup(1)
    os.dup2(2, 1)                   # the simulator's log goes to stderr: stdout is the Markdown table only
    try:
        run_widths(args, launcher, simbuild, rows, failed)
    finally:
        sys.stdout.flush()
        os.dup2(saved_stdout, 1)
        os.close(saved_stdout)
    print(f"## layer_engine cycles per token ({READ_LATENCY}-cycle read latency, no stalls, in order)\n")
    print(table(rows))
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1) + "\n")
    if failed or not rows or not all(r["bit_exact"] for r in rows):
        print("\nFAILED:\n" + "\n".join(failed or ["a token is not bit-exact"]), file=sys.stderr)
        return 1
    return 0


def run_widths(args: argparse.Namespace, launcher: Any, simbuild: Any, rows: list[dict], failed: list[str]) -> None:
    for width in (int(w) for w in args.widths.split(",")):
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / "rows.json"
            sources, extra = launcher.file_list()
            try:
                simbuild.run_cocotb(sources, launcher.TOPLEVEL, Path(__file__).resolve(),
                                    launcher.RUNS_DIR / f"layer_engine_w{width}_perf",
                                    parameters=launcher.parameters(width), extra_args=extra, seed=SEED,
                                    plusargs=[f"+le_bench_out={out}", f"+le_bench_cases={args.cases}"])
            except AssertionError as e:
                failed.append(f"{width}-bit: {e}")
            if out.is_file():
                rows += json.loads(out.read_text())


if __name__ == "__main__":
    sys.exit(main())
