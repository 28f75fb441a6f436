"""Launcher: rtl/le_axi_rd.sv (AXI4 read DMA) against the AXI4 slave BFM in verif/hdl/le_axi_dma_bfm_tb.sv, for 64-
and 128-bit buses; the tests are tests/rtl/cocotb_axi_rd.py (harness: tests/rtl/axi_dma_harness.py).
"""

from __future__ import annotations

import pytest
import rtl_launch


@pytest.mark.sim
@pytest.mark.parametrize("data_w", rtl_launch.DATA_WIDTHS)
def test_le_axi_rd(data_w: int) -> None:
    rtl_launch.run_axi_dma_bfm(data_w, "axi_rd", f"le_axi_rd_w{data_w}")
