"""pytest launcher: rtl/le_axi_wr.sv (AXI4 write DMA) against verif/axi_mem.py, for 64- and 128-bit buses.

Each bus width is its own cached Verilator build (eda.simbuild); the cocotb tests are in
tests/rtl/cocotb_axi_wr.py.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from eda import simbuild

HERE = Path(__file__).resolve().parent
RTL_DIR = HERE.parents[1] / "rtl"
RUNS_DIR = HERE.parents[1] / "build" / "sim" / "runs"
SEED = 20250701                     # fixed cocotb seed (override: LE_SIM_SEED)


@pytest.mark.sim
@pytest.mark.parametrize("data_w", (64, 128))
def test_le_axi_wr(data_w: int) -> None:
    params = {"AXI_DATA_W": data_w, "AXI_ADDR_W": 32, "AXI_ID_W": 4, "MAX_OUTSTANDING": 4}
    simbuild.run_cocotb(
        [RTL_DIR / "le_stream_fifo.sv", RTL_DIR / "le_axi_burst_split.sv", RTL_DIR / "le_axi_wr.sv"],
        "le_axi_wr", HERE / "cocotb_axi_wr.py",
        RUNS_DIR / f"le_axi_wr_w{data_w}", parameters=params,
        seed=int(os.environ.get("LE_SIM_SEED", SEED)),
    )
