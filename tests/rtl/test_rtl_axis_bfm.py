"""pytest launcher: the AXI4-Stream split transactors (verif/hdl/le_axis_{src,sink}_bfm.sv with the Python proxies
of verif/bfm/axis_bfm.py) around rtl/le_axis_x_in.sv and rtl/le_axis_logits_out.sv, for 64- and 128-bit buses.

The wrapper is verif/hdl/le_axis_bfm_tb.sv, the tests tests/rtl/cocotb_axis_bfm.py. The HDL BFMs draw
$urandom, seeded by +verilator+seed (Seeds.verilator of LE_SEED). test_speed writes the DUT cycles per wall
second of the BFMs to speed.json in the run directory; this launcher prints it (visible with pytest -s).
"""

from __future__ import annotations

import json

import pytest
import rtl_launch

SOURCES = [rtl_launch.HDL_DIR / "le_axis_src_bfm.sv", rtl_launch.HDL_DIR / "le_axis_sink_bfm.sv",
           *rtl_launch.rtl("le_stream_fifo", "le_axis_x_in", "le_axis_logits_out"),
           rtl_launch.HDL_DIR / "le_axis_bfm_tb.sv"]


@pytest.mark.sim
@pytest.mark.parametrize("data_w", rtl_launch.DATA_WIDTHS)
def test_axis_bfm(data_w: int) -> None:
    run_name = f"le_axis_bfm_tb_w{data_w}"
    (rtl_launch.RUNS_DIR / run_name / "speed.json").unlink(missing_ok=True)
    run_dir = rtl_launch.run(SOURCES, "le_axis_bfm_tb", "axis_bfm", run_name,
                             parameters={"DATA_W": data_w, "MAX_D_MODEL": 1536, "SRC_MAX_BEATS": 512,
                                         "SINK_MAX_BEATS": 8192},
                             plusargs=[f"+verilator+seed+{rtl_launch.seeds().verilator}"])
    speed = json.loads((run_dir / "speed.json").read_text())
    bfm = speed["bfm"]
    print(f"\nAXIS {data_w}-bit, d_model {speed['d_model']} vocab {speed['vocab']}, p_idle = p_stall = "
          f"{speed['p_idle']}: split-transactor BFMs {bfm['cycles_per_s']} DUT cycles/s ({bfm['cycles']} cycles, "
          f"{bfm['seconds']} s, {bfm['tokens']} tokens)")
