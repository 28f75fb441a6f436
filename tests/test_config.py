"""EngineConfig validation: each rule rejects with a message naming the field and the rule."""
from __future__ import annotations

import pytest

from models.config import PRESETS, ConfigError, EngineConfig, preset

BASE = dict(d_model=64, n_heads=4, d_head=16, d_ff=128, n_layers=1, vocab=10, max_seq=16)


@pytest.mark.parametrize("changes,pattern", [
    (dict(n_heads=3), r"d_model = 64: must equal n_heads \* d_head = 3 \* 16 = 48"),
    (dict(d_ff=120), r"d_ff = 120: must be a multiple of the lane count 16"),
    (dict(d_model=24, n_heads=3, d_head=8), r"d_model = 24: must be a multiple of the lane count 16"),
    (dict(axi_data_w=96), r"axi_data_w = 96: must be one of \(64, 128, 256\)"),
    (dict(vocab=0), r"vocab = 0: must be an integer >= 1"),
    (dict(n_layers=2.0), r"n_layers = 2.0: must be an integer >= 1"),
    (dict(w_tile_rows=0), r"w_tile_rows = 0: must be an integer >= 1"),
    (dict(ln_eps=-1.0), r"ln_eps = -1.0: must be a number >= 0"),
    (dict(max_seq=70000), r"max_seq = 70000: must be <= 65536"),
    (dict(d_model=4096, n_heads=64, d_head=64), r"d_model = 4096: must be <= 2048 so LayerNorm intermediates fit"),
    (dict(d_ff=1 << 20), r"d_ff = 1048576: must be <= \d+ so int32 accumulators cannot overflow"),
])
def test_validation_names_field_and_rule(changes, pattern):
    with pytest.raises(ConfigError, match=pattern):
        EngineConfig(**{**BASE, **changes}).validate()


def test_d_head_multiple_of_lanes_on_wide_bus():
    with pytest.raises(ConfigError,
                       match=r"d_head = 16: must be a multiple of the lane count 32 \(axi_data_w 256 / 8\)"):
        EngineConfig(**BASE, axi_data_w=256).validate()
    assert EngineConfig(**BASE, axi_data_w=64).validate().lanes == 8


def test_presets_valid_and_minilm_dims():
    for name in PRESETS:
        preset(name)
    m = preset("minilm")
    dims = (m.d_model, m.n_heads, m.d_head, m.d_ff, m.n_layers, m.vocab, m.max_seq)
    assert dims == (384, 12, 32, 1536, 6, 30522, 512)


def test_unknown_preset_and_fields():
    with pytest.raises(ConfigError, match=r"unknown preset 'huge': choose one of \['minilm', 'small', 'tiny'\]"):
        preset("huge")
    with pytest.raises(ConfigError, match=r"unknown config field\(s\) \['lanes'\]"):
        EngineConfig.from_dict({**BASE, "lanes": 16})
    assert EngineConfig.from_dict(preset("tiny").to_dict()) == preset("tiny")


def test_tile_counts_partial():
    c = preset("tiny")          # w_tile_rows 12, ctx_tile 8
    assert c.n_tiles(16) == 2 and c.n_tiles(97) == 9 and c.n_tiles(12) == 1
    assert c.n_ctx_tiles(0) == 0 and c.n_ctx_tiles(8) == 1 and c.n_ctx_tiles(9) == 2
