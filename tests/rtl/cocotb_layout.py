"""cocotb: rtl/le_layout.sv (the DDR layout computed in hardware) against models/ddr_layout.py DdrLayout.

For random legal configs (lanes 8/16/32, dims that are and are not multiples of 64 bytes, 1..4 layers, odd
vocab and max_seq), every per-layer tensor offset and size, the layer stride, the wqkv head stride, the logits
tensors, the KV region (base, slab, size) and the image size must equal the Python layout exactly.
"""
from __future__ import annotations

import random

import cocotb
from cocotb.clock import Clock
from cocotb.triggers import RisingEdge

from models.config import EngineConfig
from models.ddr_layout import DdrLayout, align

IMG_PREFIX = 576          # header + exp_lut: le_ctrl_pkg::ImgPrefix
KINDS = ("h0.wqkv", "wq.bias", "wq.mult", "wq.shift", "wk.bias", "wk.mult", "wk.shift", "wv.bias", "wv.mult",
         "wv.shift", "score_mult", "score_shift", "o_mult", "o_shift", "wo.w", "wo.bias", "wo.mult", "wo.shift",
         "res1_x_mult", "res1_r_mult", "ln1_eps", "ln1_gamma", "ln1_beta", "w1.w", "w1.bias", "w1.mult", "w1.shift",
         "gelu_lut", "gelu_bank", "w2.w", "w2.bias", "w2.mult", "w2.shift", "res2_x_mult", "res2_r_mult", "ln2_eps",
         "ln2_gamma", "ln2_beta")
N_CONFIGS = 60


def random_config(rng: random.Random) -> EngineConfig:
    lanes = rng.choice((8, 16, 32))
    d_head = lanes * rng.randint(1, 4)
    n_heads = rng.randint(1, 12)
    return EngineConfig(d_model=n_heads * d_head, n_heads=n_heads, d_head=d_head, d_ff=lanes * rng.randint(1, 64),
                        n_layers=rng.randint(1, 4), vocab=rng.randint(1, 3000), max_seq=rng.randint(1, 512),
                        ln_eps=1e-5, axi_data_w=8 * lanes, w_tile_rows=8, ctx_tile=8).validate()


async def compute(dut, cfg: EngineConfig) -> None:
    for name in ("d_model", "n_heads", "d_head", "d_ff", "n_layers", "vocab", "max_seq"):
        getattr(dut, name).value = getattr(cfg, name)
    dut.start.value = 1
    await RisingEdge(dut.clk)
    dut.start.value = 0
    for _ in range(100):
        await RisingEdge(dut.clk)
        if dut.done.value == 1:
            return
    raise AssertionError(f"le_layout: no done within 100 cycles for {cfg}")


def expected(layout: DdrLayout) -> dict[str, tuple[int, int]]:
    """kind -> (offset from the layer base, bytes) for layer 0; wqkv = all heads."""
    c, by = layout.cfg, layout.by_name
    out = {k: (by[f"L0.{k}"].base - IMG_PREFIX, by[f"L0.{k}"].size) for k in KINDS}
    out["h0.wqkv"] = (out["h0.wqkv"][0], c.n_heads * align(3 * c.d_head * c.d_model))
    return out


@cocotb.test()
async def test_layout_matches_ddr_layout(dut) -> None:
    cocotb.start_soon(Clock(dut.clk, 10, unit="ns").start())
    dut.rst_n.value = 0
    dut.start.value = 0
    dut.kind.value = 0
    for _ in range(3):
        await RisingEdge(dut.clk)
    dut.rst_n.value = 1
    rng = random.Random(20251124)
    configs = [EngineConfig(d_model=32, n_heads=2, d_head=16, d_ff=64, n_layers=2, vocab=97, max_seq=64, ln_eps=1e-5,
                            axi_data_w=128, w_tile_rows=12, ctx_tile=8)]
    configs += [random_config(rng) for _ in range(N_CONFIGS)]
    for cfg in configs:
        layout = DdrLayout(cfg)
        assert layout.by_name["L0.h0.wqkv"].base == IMG_PREFIX
        await compute(dut, cfg)
        for k, (off, size) in expected(layout).items():
            dut.kind.value = KINDS.index(k)
            await RisingEdge(dut.clk)
            got = (int(dut.off_k.value), int(dut.size_k.value))
            assert got == (off, size), f"{cfg}: {k}: RTL (offset, size) {got}, DdrLayout {(off, size)}"
        if cfg.n_layers > 1:
            assert int(dut.layer_size.value) == layout.by_name["L1.h0.wqkv"].base - IMG_PREFIX
        if cfg.n_heads > 1:
            assert int(dut.head_size.value) == layout.by_name["L0.h1.wqkv"].base - IMG_PREFIX
        kv_slab = layout.kv_addr(0, 0, 1, 0) - layout.kv_base
        want = {"logits_w": layout.by_name["logits.w"].base, "logits_b": layout.by_name["logits.b"].base,
                "kv_base": layout.kv_base, "kv_slab": kv_slab, "kv_size": layout.kv_size, "size": layout.size}
        got = {k: int(getattr(dut, k).value) for k in want}
        assert got == want, f"{cfg}: RTL {got}, DdrLayout {want}"
    dut._log.info("le_layout: %d configs, every tensor offset and size equal to DdrLayout", len(configs))
