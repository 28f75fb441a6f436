"""pytest launcher: the AXI4 slave BFM (verif/hdl/le_axi_slave_bfm.sv + verif/bfm/axi_mem_bfm.py) under the read
and write DMAs (verif/hdl/le_axi_dma_bfm_tb.sv), for 64- and 128-bit buses; cocotb tests in
tests/rtl/cocotb_axi_slave_bfm.py (functional) and tests/rtl/cocotb_axi_slave_bfm_speed.py.

test_axi_slave_bfm runs the functional tests; test_axi_slave_bfm_speed runs the same streaming run with the BFM
and (EXT_MEM=1 build) with the Python model verif/axi_mem.py and prints DUT cycles per wall second of both.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest
import rtl_launch as L

from verif.seeds import (
    X_RANDOM_BUILD_ARGS,  # with +verilator+rand+reset+2: random initial values
)

SOURCES = [L.HDL_DIR / f for f in ("le_axi_bfm_pkg.sv", "le_axi_bfm_mem.sv", "le_axi_bfm_rd.sv",
                                   "le_axi_bfm_wr.sv", "le_axi_slave_bfm.sv")]
SOURCES += L.rtl("le_axi_pkg", "le_stream_fifo", "le_axi_burst_split", "le_axi_rd", "le_axi_wr")
SOURCES += [L.HDL_DIR / "le_axi_dma_bfm_tb.sv"]
OP_SPEED = "axi_slave_bfm_speed"
MIN_RATE = 100_000                  # BFM cycles per wall second expected on this small design




def _run(data_w: int, ext_mem: int, test_filter: str, op: str, x_random: bool = False) -> Path:
    seeds = L.seeds()
    return L.run(SOURCES, "le_axi_dma_bfm_tb", op, f"le_axi_slave_bfm_w{data_w}_ext{ext_mem}{'_xrand' if x_random else ''}",
                 parameters={"DATA_W": data_w, "EXT_MEM": ext_mem}, extra_args=X_RANDOM_BUILD_ARGS if x_random else (),
                 # the BFM's $urandom follows the seed; with x_random every X-initialised variable too
                 plusargs=seeds.plusargs() if x_random else [f"+verilator+seed+{seeds.verilator}"],
                 test_filter=test_filter)


@pytest.mark.sim
@pytest.mark.parametrize("data_w, x_random", ((64, False), (128, False), (128, True)),
                         ids=("w64", "w128", "w128-xrandom"))
def test_axi_slave_bfm(data_w: int, x_random: bool) -> None:
    """Functional tests; the x-random build starts every variable random (as the pyuvm env's builds do)."""
    _run(data_w, 0, r".*\.bfm_.*", "axi_slave_bfm", x_random)


@pytest.mark.sim
@pytest.mark.parametrize("data_w", L.DATA_WIDTHS)
def test_axi_slave_bfm_speed(data_w: int) -> None:
    new = json.loads((_run(data_w, 0, r".*\.speed_bfm$", OP_SPEED) / "speed_bfm.json").read_text())
    old = json.loads((_run(data_w, 1, r".*\.speed_axi_mem$", OP_SPEED) / "speed_axi_mem.json").read_text())
    print(f"\n{data_w}-bit streaming run, {new['cycles']} DUT cycles: BFM {new['cycles_per_s']:,.0f} cycles/s, "
          f"verif/axi_mem.py {old['cycles_per_s']:,.0f} cycles/s ({new['cycles_per_s'] / old['cycles_per_s']:.1f}x); "
          f"BFM backdoor: load 128 KB {new['load_128k_ms']:.0f} ms, peek 64 KB {new['peek_64k_ms']:.1f} ms "
          f"(first touch {new['peek_64k_first_ms']:.1f} ms); axi_mem.py: {old['load_128k_ms']:.0f} / "
          f"{old['peek_64k_ms']:.1f} ms")
    assert new["cycles_per_s"] > 3 * old["cycles_per_s"], "the BFM must be much faster than verif/axi_mem.py"
    if new["cycles_per_s"] < MIN_RATE:
        pytest.skip(f"BFM at {new['cycles_per_s']:,.0f} cycles/s, below {MIN_RATE:,} (shared CPU?)")
