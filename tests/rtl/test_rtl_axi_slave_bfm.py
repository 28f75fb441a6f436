"""pytest launcher: the AXI4 slave BFM (verif/hdl/le_axi_slave_bfm.sv + verif/bfm/axi_mem_bfm.py) under the read
and write DMAs (verif/hdl/le_axi_dma_bfm_tb.sv), for 64- and 128-bit buses; cocotb tests in
tests/rtl/cocotb_axi_slave_bfm.py (functional) and tests/rtl/cocotb_axi_slave_bfm_speed.py.

test_axi_slave_bfm runs the functional tests (also on an x-random build); test_axi_slave_bfm_speed runs a long
streaming run on the BFM (data checked) and prints its DUT cycles per wall second and backdoor times.
"""
from __future__ import annotations

import json

import pytest
import rtl_launch

MIN_RATE = 100_000                  # BFM cycles per wall second expected on this small design


@pytest.mark.sim
@pytest.mark.parametrize("data_w, x_random", ((64, False), (128, False), (128, True)),
                         ids=("w64", "w128", "w128-xrandom"))
def test_axi_slave_bfm(data_w: int, x_random: bool) -> None:
    """Functional tests; the x-random build starts every variable random (as the pyuvm env's builds do)."""
    rtl_launch.run_axi_dma_bfm(data_w, "axi_slave_bfm", f"le_axi_slave_bfm_w{data_w}{'_xrand' if x_random else ''}",
                               test_filter=r".*\.bfm_.*", x_random=x_random)


@pytest.mark.sim
@pytest.mark.parametrize("data_w", rtl_launch.DATA_WIDTHS)
def test_axi_slave_bfm_speed(data_w: int) -> None:
    run_dir = rtl_launch.run_axi_dma_bfm(data_w, "axi_slave_bfm_speed", f"le_axi_slave_bfm_speed_w{data_w}",
                                         test_filter=r".*\.speed_bfm$")
    new = json.loads((run_dir / "speed_bfm.json").read_text())
    print(f"\n{data_w}-bit streaming run, {new['cycles']} DUT cycles: BFM {new['cycles_per_s']:,.0f} cycles/s; "
          f"backdoor: load 128 KB {new['load_128k_ms']:.0f} ms, peek 64 KB {new['peek_64k_ms']:.1f} ms "
          f"(first touch {new['peek_64k_first_ms']:.1f} ms)")
    if new["cycles_per_s"] < MIN_RATE:
        pytest.skip(f"BFM at {new['cycles_per_s']:,.0f} cycles/s, below {MIN_RATE:,} (shared CPU?)")
