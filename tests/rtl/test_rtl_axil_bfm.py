"""pytest launcher: the AXI4-Lite split transactors (verif/hdl/le_axil_master_bfm.sv and le_axil_monitor.sv with the
Python proxies verif/bfm/axil_master.py and axil_monitor.py) on a slave that misbehaves on request.

The wrapper is verif/hdl/le_axil_bfm_tb.sv, the tests tests/rtl/cocotb_axil_bfm.py.
"""

from __future__ import annotations

import pytest
import rtl_launch

SOURCES = [rtl_launch.HDL_DIR / "le_axil_master_bfm.sv", rtl_launch.HDL_DIR / "le_axil_monitor.sv",
           rtl_launch.HDL_DIR / "le_axil_bfm_tb.sv"]


@pytest.mark.sim
def test_axil_bfm() -> None:
    rtl_launch.run(SOURCES, "le_axil_bfm_tb", "axil_bfm", "le_axil_bfm_tb")
