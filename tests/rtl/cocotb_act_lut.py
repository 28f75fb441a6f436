"""cocotb test of rtl/le_act_lut.sv against models.ops.act_lut (launcher: test_rtl_act_lut.py).

Plusarg from the launcher: +LANES (the build's LANES parameter: table entries per write beat).

The table is written through the beat-wide port exactly as the loader does: beat k carries bytes
k*LANES .. k*LANES + LANES - 1 of the (4, 256) int8 table's DDR image (numpy C order, tobytes()).

Exhaustive: every int8 input u in [-128, 127] x every bank (4 x 256 = 1024 lookups, shuffled) per pass,
with random table contents (every int8 value, -128 included, so all 8 data bits of every entry toggle):
  1. load table A through the write port (beats in random order, random gaps), exhaustive pass;
  2. reload (table B), exhaustive pass in a new order;
  3. write banks 2-3 (table C) through the write port while streaming every input of banks 0-1 (reads
     never collide with writes there), then an exhaustive pass over the mixed table;
all under random source idles and sink stalls (p 0.3); then a no-stall burst checks II and latency.
"""

from __future__ import annotations

import random
import time

import cocotb
import numpy as np
from cocotb.triggers import RisingEdge

import verif.valid_ready as vr
from models import ops
from verif.lanes import compare, inputs_of

MODULE = "le_act_lut"
IN_FIELDS = ("u", "bank")
BANKS = ops.ACT_BANKS


def golden(items: list[dict[str, int]], table: np.ndarray) -> list[int]:
    u = np.array([it["u"] for it in items], dtype=np.int64)
    bank = np.array([it["bank"] for it in items], dtype=np.int64)
    return [int(v) for v in ops.act_lut(u, table, bank)]


def random_table(rng: random.Random) -> np.ndarray:
    return np.array([[rng.randint(-128, 127) for _ in range(256)] for _ in range(BANKS)], dtype=np.int64)


def all_inputs(rng: random.Random, banks: range | tuple[int, ...] = range(BANKS)) -> list[dict[str, int]]:
    items = [{"u": u, "bank": b} for b in banks for u in range(-128, 128)]
    rng.shuffle(items)
    return items


def table_beats(table: np.ndarray, lanes: int) -> list[int]:
    """The table's DDR image (int8 (4, 256), C order) cut into bus beats; byte i of a beat = bits [8i+7:8i]."""
    image = table.astype(np.int8).tobytes()
    return [int.from_bytes(image[k:k + lanes], "little") for k in range(0, len(image), lanes)]


async def write_banks(dut, table: np.ndarray, banks, rng: random.Random, p_gap: float = 0.2) -> int:
    """Write the beats holding banks `banks` of `table`, in random order with random gaps; return the beat count."""
    lanes = vr.plusarg_int("LANES")
    beats = table_beats(table, lanes)
    per_bank = 256 // lanes
    order = [k for b in banks for k in range(b * per_bank, (b + 1) * per_bank)]
    rng.shuffle(order)
    for k in order:
        while rng.random() < p_gap:
            dut.lut_we_i.value = 0
            dut.lut_data_i.value = rng.getrandbits(8 * lanes)     # ignored while lut_we_i = 0
            await RisingEdge(dut.clk_i)
        dut.lut_we_i.value = 1
        dut.lut_addr_i.value = k
        dut.lut_data_i.value = beats[k]
        await RisingEdge(dut.clk_i)
    dut.lut_we_i.value = 0
    return len(order)


async def exhaustive_pass(dut, label: str, table: np.ndarray, rng: random.Random, counter,
                          banks=range(BANKS), concurrent=None) -> int:
    items = all_inputs(rng, tuple(banks))
    run = await vr.run_stream(dut, items, IN_FIELDS, ("y",), ("y",), rng, counter,
                             p_idle=vr.STRESS_P_IDLE, p_stall=vr.STRESS_P_STALL, concurrent=concurrent)
    compare(f"{MODULE} {label}", [g["y"] for g in run.got], golden(items, table), inputs_of(items))
    dut._log.info("%s %s: %d lookups matched under stalls in %d cycles", MODULE, label, len(items), run.cycles)
    return len(items)


@cocotb.test(timeout_time=vr.SIM_TIMEOUT_MS, timeout_unit="ms")
async def act_lut_matches_golden(dut) -> None:
    """Exhaustive lookups for three table loads (one written while streaming); then II and latency."""
    t0 = time.monotonic()
    rng = random.Random(cocotb.RANDOM_SEED)
    lanes = vr.plusarg_int("LANES")
    assert len(dut.lut_data_i) == 8 * lanes and len(dut.lut_addr_i) == (1024 // lanes).bit_length() - 1, \
        "write-port widths do not match LANES"
    counter = await vr.reset(dut, {"in_u_i": 0, "in_bank_i": 0, "lut_we_i": 0, "lut_addr_i": 0, "lut_data_i": 0})
    n = writes = 0
    table_a = random_table(rng)
    writes += await write_banks(dut, table_a, range(BANKS), rng)
    n += await exhaustive_pass(dut, "table A", table_a, rng, counter)

    table_b = random_table(rng)
    writes += await write_banks(dut, table_b, range(BANKS), rng)
    n += await exhaustive_pass(dut, "reload B", table_b, rng, counter)

    table_c = random_table(rng)
    mixed = table_b.copy()
    mixed[2:] = table_c[2:]
    n += await exhaustive_pass(dut, "banks 0-1 while writing banks 2-3", table_b, rng, counter, banks=(0, 1),
                               concurrent=lambda: write_banks(dut, table_c, (2, 3), rng, p_gap=0.9))
    n += await exhaustive_pass(dut, "mixed B/C", mixed, rng, counter)

    burst = [{"u": rng.randint(-128, 127), "bank": rng.randrange(BANKS)} for _ in range(vr.TIMING_ITEMS)]
    ii, lat = await vr.check_timing(dut, MODULE, burst, IN_FIELDS, ("y",), ("y",), rng, counter, "y",
                                   golden(burst, mixed))
    writes += 2 * 256 // lanes
    dut._log.info("%s (LANES %d): %d lookups in total (3 table loads, %d beat writes); II %.1f, latency %d; %.1f s",
                  MODULE, lanes, n + len(burst), writes, ii, lat, time.monotonic() - t0)
