"""cocotb tests of rtl/le_logits.sv against models.ops.logits: le_gemv's bench and test bodies
(tests/rtl/cocotb_gemv.py) with the int32 bias stream on, which gets the same random idle cycles as the weights.

Launcher: tests/rtl/test_rtl_logits.py (plusargs +LANES, +MAX_D_IN, +ROWS; seed COCOTB_RANDOM_SEED from LE_SEED).
"""

from __future__ import annotations

import cocotb
from cocotb_gemv import gemv_stress, gemv_timing


@cocotb.test()
async def logits_stress_matches_golden(dut) -> None:
    """Corners + >= ROWS random rows with random biases, idle/stall p 0.3 on every handshake; heavy stall."""
    await gemv_stress(dut, "le_logits", "logit", with_bias=True)


@cocotb.test()
async def logits_no_stall_ii_and_latency(dut) -> None:
    """No stalls: 1.0 weight beat per cycle across rows and tiles; documented latency for every row."""
    await gemv_timing(dut, "le_logits", "logit", with_bias=True)
