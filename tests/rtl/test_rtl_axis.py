"""pytest launcher: the AXI4-Stream edge of the engine, for 64- and 128-bit buses.

  rtl/le_axis_x_in.sv        s_axis_x slave -> le_gemv x write port   (tests/rtl/cocotb_axis_x_in.py)
  rtl/le_axis_logits_out.sv  int32 logit stream -> m_axis_logits      (tests/rtl/cocotb_axis_logits_out.py)

Each (module, bus width) is its own cached Verilator build (eda.simbuild). The AXIS BFMs are in
tests/rtl/axis_bfm.py.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from eda import simbuild

HERE = Path(__file__).resolve().parent
RTL_DIR = HERE.parents[1] / "rtl"
RUNS_DIR = HERE.parents[1] / "build" / "sim" / "runs"
SEED = 20250801                     # fixed cocotb seed (override: LE_SIM_SEED)


@pytest.mark.sim
@pytest.mark.parametrize("data_w", (64, 128))
def test_le_axis_x_in(data_w: int) -> None:
    simbuild.run_cocotb(
        [RTL_DIR / "le_axis_x_in.sv"], "le_axis_x_in", HERE / "cocotb_axis_x_in.py",
        RUNS_DIR / f"le_axis_x_in_w{data_w}", parameters={"AXI_DATA_W": data_w, "MAX_D_MODEL": 1536},
        seed=int(os.environ.get("LE_SIM_SEED", SEED)),
    )


@pytest.mark.sim
@pytest.mark.parametrize("data_w", (64, 128))
def test_le_axis_logits_out(data_w: int) -> None:
    simbuild.run_cocotb(
        [RTL_DIR / "le_stream_fifo.sv", RTL_DIR / "le_axis_logits_out.sv"], "le_axis_logits_out",
        HERE / "cocotb_axis_logits_out.py", RUNS_DIR / f"le_axis_logits_out_w{data_w}",
        parameters={"AXI_DATA_W": data_w, "VOCAB_W": 32},
        seed=int(os.environ.get("LE_SIM_SEED", SEED)),
    )
