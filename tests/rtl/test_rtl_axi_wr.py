"""Launcher: rtl/le_axi_wr.sv (AXI4 write DMA) against verif/axi_mem.py, for 64- and 128-bit buses; the tests are
tests/rtl/cocotb_axi_wr.py.
"""

from __future__ import annotations

import pytest
import rtl_launch as L


@pytest.mark.sim
@pytest.mark.parametrize("data_w", L.DATA_WIDTHS)
def test_le_axi_wr(data_w: int) -> None:
    L.run(L.axi_dma_sources("le_axi_wr"), "le_axi_wr", "axi_wr", f"le_axi_wr_w{data_w}", parameters=L.axi_dma_parameters(data_w))
