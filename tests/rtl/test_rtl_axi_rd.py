"""Launcher: rtl/le_axi_rd.sv (AXI4 read DMA) against verif/axi_mem.py, for 64- and 128-bit buses; the tests are
tests/rtl/cocotb_axi_rd.py.
"""

from __future__ import annotations

import pytest
import rtl_launch as L


@pytest.mark.sim
@pytest.mark.parametrize("data_w", L.DATA_WIDTHS)
def test_le_axi_rd(data_w: int) -> None:
    L.run(L.axi_dma_sources("le_axi_rd"), "le_axi_rd", "axi_rd", f"le_axi_rd_w{data_w}", parameters=L.axi_dma_parameters(data_w))
