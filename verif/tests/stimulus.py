"""Constrained-random and stress tests: rand, long_seq, backpressure, out_of_order.

  RandTest          a fully random case from verif/cfg_item.random_case(master seed): dims, tiling (one tile,
                    many, partial), positions (late starts preloaded from the golden model), weight
                    distribution, AXI latency/backpressure/reorder profile, stream gaps
  LongSeqTest       up to the engine's MAX_SEQ: a small random model with max_seq 512 decoding the last 3
                    positions (508..511) after a golden-preloaded KV cache (16 context tiles of 32)
  BackpressureTest  the tiny model under heavy stalls on every AXI channel, long latencies, X gaps and
                    logits backpressure
  OutOfOrderTest    the small model with reads returned out of order and interleaved across IDs and write
                    responses out of order, random latency
  BundleTest        a preset bundle end to end (le_bundle, default small; le_tokens, default 8) under the stress
                    profile: random latency, reads out of order and interleaved, B out of order, stalls on every
                    AXI channel, X gaps and logits backpressure
  AppendBurstTest   the K/V appends the presets never make: a 16-beat write burst (d_head 128 at 64 bits) and
                    appends split at a 4 KB boundary, the positions chosen from the layout
  NarrowTest        every vector one bus beat wide: one-beat GEMV rows, hand-shakes back to back
  WideContextTest   16 heads, and the last position of max_seq against 18 whole context tiles
  CornerTest        the datapath corners random models rarely reach: the tiny model with layer 0's residual
                    multipliers zeroed (LayerNorm 1 sees a constant row: zero variance), layer 1's Wo requant
                    at its largest gain (O' saturates int16; the coverage counters must see both), and layer 0's
                    LayerNorm 2 at an exact power-of-two square root with every output at a rounding half
"""
from __future__ import annotations

import copy
import math
from pathlib import Path

import numpy as np
import pyuvm

from models.config import EngineConfig
from models.ddr_layout import DdrLayout, pack
from models.ops import LN_OUT_SHIFT, NORM_FB, isqrt_norm, rshift_round
from verif import settings
from verif.bfm.axi_mem_bfm import BfmKnobs
from verif.case_file import CASE_FILE, CASE_FILE_SETTING, read_case_file, write_case_file
from verif.cfg_item import EngineCase, random_case
from verif.tests.base import IMAGE_BASE, BaseTest
from verif.tests.case_model import CaseModel, build_model, case_model


class CaseTest(BaseTest):
    """A test driven by an EngineCase: subclasses give `case()`."""

    def case(self) -> EngineCase:
        raise NotImplementedError

    def choose(self) -> None:
        """The case: +le_case_file=PATH replays a recorded (or shrunk) one, else case() draws it; either way it is
        written to the run directory (case.json, verif/case_file.py)."""
        path = settings.setting(CASE_FILE_SETTING)
        self.the_case = read_case_file(Path(path), self.bus_bits) if path else self.case()
        write_case_file(self.the_case, Path.cwd() / CASE_FILE)
        self.p_x_idle = self.the_case.bus_knobs.get("p_x_idle", 0.0)
        self.p_logits_stall = self.the_case.bus_knobs.get("p_logits_stall", 0.0)
        self.x_delay_max = self.the_case.bus_knobs.get("x_delay_max", 0)

    def knobs(self) -> BfmKnobs:
        names = set(BfmKnobs.__dataclass_fields__)
        return BfmKnobs(**{k: v for k, v in self.the_case.axi_mem.items() if k in names})

    def model(self):
        m: CaseModel = case_model(self.the_case)
        return m.qm, m.image, m.x, m.positions, m.kv

    def start_of_simulation_phase(self) -> None:
        c = self.the_case
        self.logger.info(f"case: {c.cfg}, positions {c.t0}..{c.t0 + c.n_tokens - 1}, weights {c.weight_dist}, "
                         f"latency {c.latency}, backpressure {c.backpressure}, intent {c.intent}")


@pyuvm.test()
class RandTest(CaseTest):
    def case(self) -> EngineCase:
        bus = self.bus_bits
        return random_case(self.seeds.vsc, lambda it: [it.axi_data_w == bus])


@pyuvm.test()
class LongSeqTest(RandTest):
    def case(self) -> EngineCase:
        bus = self.bus_bits
        lanes = bus // 8
        cfg = EngineConfig(d_model=2 * lanes, n_heads=2, d_head=lanes, d_ff=4 * lanes, n_layers=1, vocab=64,
                           max_seq=512, axi_data_w=bus, w_tile_rows=16, ctx_tile=32)
        base = random_case(self.seeds.vsc, lambda it: [it.axi_data_w == bus])
        return EngineCase(seed=base.seed, cfg=cfg, t0=509, n_tokens=3, weight_dist="trained",
                          latency=base.latency, backpressure=base.backpressure, axi_mem=base.axi_mem,
                          bus_knobs=base.bus_knobs, data_seed=base.data_seed, intent={"ctx_shape": "many"})


@pyuvm.test()
class BackpressureTest(BaseTest):
    bundle = "tiny"
    tokens = 4
    p_x_idle = 0.6
    p_logits_stall = 0.7

    def knobs(self) -> BfmKnobs:
        return BfmKnobs(lat_min=5, lat_max=80, p_ar_stall=0.6, p_r_gap=0.6, p_aw_stall=0.6, p_w_stall=0.6,
                        b_lat_min=0, b_lat_max=60, p_b_gap=0.6)


@pyuvm.test()
class OutOfOrderTest(BaseTest):
    bundle = "small"
    tokens = 2

    def knobs(self) -> BfmKnobs:
        return BfmKnobs(lat_min=0, lat_max=60, reorder=True, interleave=True, b_reorder=True, b_lat_max=40,
                        p_r_gap=0.1)


@pyuvm.test()
class BundleTest(BaseTest):
    bundle = "small"
    tokens = 8
    p_x_idle = 0.3
    p_logits_stall = 0.3

    def knobs(self) -> BfmKnobs:
        return BfmKnobs(lat_min=0, lat_max=40, p_ar_stall=0.2, p_r_gap=0.2, reorder=True, interleave=True,
                        p_aw_stall=0.25, p_w_stall=0.25, b_lat_min=0, b_lat_max=30, p_b_gap=0.2, b_reorder=True)


def exact_sd_row(n: int, rng: np.random.Generator) -> tuple[np.ndarray, int]:
    """An int16 LayerNorm input row of n (even) channels and an eps_q for which D = n*S2 - S1^2 + eps_q = 4^13:
    LayerNorm's normalised square root is then exactly 2^30 (m = 17), 2^61 / sd = 2^31 an exact division whose
    remainder meets the divisor (the `>=` of le_ln_rowstat's divider decides its bits), and with S1 odd every
    deviation dev = n*y - S1 is odd, so norm = dev * 2^31 / 2^32 lands on a rounding half in every channel."""
    amp = max(1, (1 << 13) // n)                  # n^2 * amp^2 / 3 < 4^13: D below 4^13 before eps
    row = rng.integers(-amp, amp + 1, size=n).astype(np.int64)
    if int(row.sum()) % 2 == 0:
        row[0] += 1 if row[0] < amp else -1
    d0 = n * int((row * row).sum()) - int(row.sum()) ** 2
    eps = (1 << 26) - d0
    assert n % 2 == 0 and eps >= 0 and math.isqrt((d0 + eps) << 34) == 1 << 30, (n, d0, eps)
    return row, eps


@pyuvm.test()
class CornerTest(BaseTest):
    """Datapath corners: LayerNorm 1 of layer 0 with zero variance (y1 = 0), int16 saturation of O' in layer 1,
    and LayerNorm 2 of layer 0 at an exact power-of-two square root (its input row crafted through LayerNorm 1's
    beta: the zero-variance row's output is beta; the FFN branch weighted 0 in the residual add; its gamma and
    beta put every output at a rounding half, so an inverse square root one unit off changes the int8 output)."""
    bundle = "tiny"
    tokens = 3

    def model(self):
        qm, _, x, positions, kv = super().model()
        qm = copy.deepcopy(qm)
        l0, l1 = qm.layers[0], qm.layers[1 % len(qm.layers)]
        l0.res1_x_mult[:] = 0
        l0.res1_r_mult[:] = 0                      # y1 = 0 in every channel: LayerNorm 1 input has zero variance
        n = qm.cfg.d_model
        row, l0.ln2_eps = exact_sd_row(n, np.random.default_rng(self.seeds.numpy))
        l0.ln1_beta[:] = row << 16                 # LayerNorm 1's int16 copy = row (norm = 0: out16 = beta >> 16)
        l0.res2_x_mult[:] = 1 << 16                # y2 = row: LayerNorm 2's D = 4^13, sd = 2^30
        l0.res2_r_mult[:] = 0
        # LayerNorm 2's output at a rounding half in every channel: v = norm * gamma + beta = (k + 1/2) * 2^22, so
        # the int8 output moves if norm is one unit off (an inverse square root one below 2^31 does that)
        gamma = 1 << 12
        s1 = int(row.sum())
        inv, m = isqrt_norm(n * int((row * row).sum()) - s1 * s1 + l0.ln2_eps)
        norm = rshift_round((n * row - s1) * inv, 61 - m - NORM_FB)
        l0.ln2_gamma[:] = gamma
        l0.ln2_beta[:] = ((1 << (LN_OUT_SHIFT - 1)) - norm * gamma) % (1 << LN_OUT_SHIFT)
        l1.wo.mult[:] = (1 << 31) - 1
        l1.wo.shift[:] = 30                        # O' = sat16(acc * ~2^30): int16 saturation
        return qm, pack(qm), x, positions, kv

    def check_phase(self) -> None:
        totals = self.env.coverage.corner_totals
        for corner in ("cov_int16_sat", "cov_ln_zero_var"):
            if not totals.get(corner):
                raise AssertionError(f"CornerTest: datapath corner {corner} not seen ({totals})")
        self.logger.info(f"corners seen: {totals}")


@pyuvm.test()
class NarrowTest(CaseTest):
    """Every vector one bus beat wide (d_model = d_head = d_ff = the lane count): each GEMV row is a single beat, so
    accumulators, biases and requant inputs arrive on consecutive cycles, the hand-shakes wider models never
    exercise back to back (random cases draw it rarely)."""

    def case(self) -> EngineCase:
        bus = self.bus_bits
        lanes = bus // 8
        cfg = EngineConfig(d_model=lanes, n_heads=1, d_head=lanes, d_ff=lanes, n_layers=2, vocab=37, max_seq=16,
                           axi_data_w=bus, w_tile_rows=8, ctx_tile=4).validate()
        return EngineCase(seed=self.seeds.master, cfg=cfg, t0=5, n_tokens=3, weight_dist="trained", latency="none",
                          backpressure="none", axi_mem={}, bus_knobs={}, data_seed=self.seeds.numpy,
                          intent={"rows": "one beat"})


@pyuvm.test()
class WideContextTest(CaseTest):
    """The configuration corners random cases rarely draw within the sim budget: 16 heads (d_head = the lane
    count, d_model 128 at 64 bits, 256 at 128), and the last position of max_seq decoded against 18 whole
    context tiles (ctx_tile 2, 36 context rows: cfg.heads.9_16, cfg.ctx_count.17_up, cfg.seq_x_ctx.<max,many>)."""

    def case(self) -> EngineCase:
        bus = self.bus_bits
        lanes = bus // 8
        cfg = EngineConfig(d_model=16 * lanes, n_heads=16, d_head=lanes, d_ff=2 * lanes, n_layers=1, vocab=37,
                           max_seq=37, axi_data_w=bus, w_tile_rows=16, ctx_tile=2).validate()
        return EngineCase(seed=self.seeds.master, cfg=cfg, t0=34, n_tokens=3, weight_dist="trained", latency="none",
                          backpressure="none", axi_mem={}, bus_knobs={}, data_seed=self.seeds.numpy,
                          intent={"heads": "16", "context": "18 whole tiles at max_seq"})


def first_split_append(cfg: EngineConfig, image_base: int) -> int | None:
    """The first position >= 1 at which some K/V append (d_head bytes) crosses a 4 KB boundary, or None."""
    lay = DdrLayout(cfg)
    for pos in range(1, cfg.max_seq - 1):
        for layer in range(cfg.n_layers):
            for head in range(cfg.n_heads):
                for which in (0, 1):
                    addr = image_base + lay.kv_addr(layer, head, which, pos)
                    if addr // 4096 != (addr + cfg.d_head - 1) // 4096:
                        return pos
    return None


@pyuvm.test()
class AppendBurstTest(CaseTest):
    """K/V appends the presets and random cases almost never make: 16-beat write bursts (d_head 128 on the 64-bit
    bus) and appends split at a 4 KB boundary (d_head 48 at 128 bits: not a power of two; 128 at 64 bits from the
    64-byte-aligned IMAGE_BASE), the decoded positions chosen from the layout so that an append crosses 4 KB."""

    def case(self) -> EngineCase:
        bus = self.bus_bits
        n_heads, d_head = (1, 128) if bus == 64 else (2, 48)
        cfg = EngineConfig(d_model=n_heads * d_head, n_heads=n_heads, d_head=d_head, d_ff=n_heads * d_head,
                           n_layers=1, vocab=40, max_seq=128, axi_data_w=bus, w_tile_rows=16,
                           ctx_tile=16).validate()
        t0 = first_split_append(cfg, IMAGE_BASE)
        if t0 is None:
            raise AssertionError(f"AppendBurstTest: no append of {cfg} crosses 4 KB below max_seq")
        return EngineCase(seed=self.seeds.master, cfg=cfg, t0=t0, n_tokens=2, weight_dist="uniform",
                          latency="none", backpressure="none", axi_mem={}, bus_knobs={},
                          data_seed=self.seeds.numpy, intent={"append": "16 beats / 4 KB split"})

    def check_phase(self) -> None:
        super().check_phase()
        shapes = self.env.coverage.write_shapes
        want_long = self.bus_bits == 64
        if not any(split for _, split in shapes) or (want_long and not any(b >= 16 for b, _ in shapes)):
            raise AssertionError(f"AppendBurstTest: write bursts (beats, split) seen {sorted(shapes)}: expected a "
                                 f"4 KB split{' and a 16-beat burst' if want_long else ''}")
        self.logger.info(f"write bursts (beats, split at 4 KB): {sorted(shapes)}")


__all__ = ["AppendBurstTest", "BackpressureTest", "BundleTest", "CornerTest", "LongSeqTest", "NarrowTest",
           "OutOfOrderTest", "RandTest", "build_model", "first_split_append"]
