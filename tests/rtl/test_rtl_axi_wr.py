"""Launcher: rtl/le_axi_wr.sv (AXI4 write DMA) against the AXI4 slave BFM in verif/hdl/le_axi_dma_bfm_tb.sv, for 64-
and 128-bit buses; the tests are tests/rtl/cocotb_axi_wr.py (harness: tests/rtl/axi_dma_harness.py).
"""

from __future__ import annotations

import pytest
import rtl_launch


@pytest.mark.sim
@pytest.mark.parametrize("data_w", rtl_launch.DATA_WIDTHS)
def test_le_axi_wr(data_w: int) -> None:
    rtl_launch.run_axi_dma_bfm(data_w, "axi_wr", f"le_axi_wr_w{data_w}")
