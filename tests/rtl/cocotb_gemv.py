"""cocotb tests of rtl/le_gemv.sv (MAC_GEMM) against models.ops.gemv_tile.

Parameters come as plusargs from tests/rtl/test_rtl_gemv.py: +LANES, +MAX_D_IN, +ROWS (minimum number of
random rows in the stress phase). The seed is cocotb's COCOTB_RANDOM_SEED (the launcher fixes it).
Test bodies: tests/rtl/mac_harness.py (shared with le_logits).
"""

from __future__ import annotations

import cocotb

import mac_harness as mh


@cocotb.test()
async def gemv_stress_matches_golden(dut) -> None:
    """Corners + >= ROWS random rows, random idle/stall p 0.3 on every handshake; heavy output stall."""
    await mh.gemv_stress(dut, "le_gemv", "acc", with_bias=False)


@cocotb.test()
async def gemv_no_stall_ii_and_latency(dut) -> None:
    """No stalls: 1.0 weight beat per cycle across rows and tiles; documented latency for every row."""
    await mh.gemv_timing(dut, "le_gemv", "acc", with_bias=False)
