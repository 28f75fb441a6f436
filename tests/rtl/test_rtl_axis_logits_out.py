"""Launcher: rtl/le_axis_logits_out.sv (int32 logit stream -> m_axis_logits), for 64- and 128-bit buses; the
tests are tests/rtl/cocotb_axis_logits_out.py.
"""

from __future__ import annotations

import pytest
import rtl_launch


@pytest.mark.sim
@pytest.mark.parametrize("data_w", rtl_launch.DATA_WIDTHS)
def test_le_axis_logits_out(data_w: int) -> None:
    rtl_launch.run(rtl_launch.rtl("le_stream_fifo", "le_axis_logits_out"), "le_axis_logits_out", "axis_logits_out",
                   f"le_axis_logits_out_w{data_w}", parameters={"AXI_DATA_W": data_w, "VOCAB_W": 32})
