"""Tests whose stimulus depends on the seed, for the determinism check (tests/rtl/test_uvm_seeds.py).

SeedTimingTest: the smoke model and tokens with random memory timing (read latency, stalls on every AXI channel,
reordered and interleaved reads, reordered B responses) and random gaps / backpressure on the two streams. The
BFMs draw from $urandom (seeded by +verilator+seed, derived from the master seed), so the same seed repeats
every cycle and a different seed moves every handshake: the env's transaction log (verif/env/txn_log.py) is
identical for the same seed and differs between seeds.
"""
from __future__ import annotations

import pyuvm

from verif.bfm.axi_mem_bfm import BfmKnobs
from verif.tests.base import BaseTest


@pyuvm.test()
class SeedTimingTest(BaseTest):
    bundle = "tiny"
    tokens = 4
    p_x_idle = 0.2
    p_logits_stall = 0.2

    def knobs(self) -> BfmKnobs:
        return BfmKnobs(lat_min=2, lat_max=24, p_ar_stall=0.2, p_r_gap=0.2, reorder=True, interleave=True,
                        p_aw_stall=0.2, p_w_stall=0.2, b_lat_min=0, b_lat_max=8, p_b_gap=0.2, b_reorder=True)
