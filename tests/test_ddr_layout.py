"""DDR image: alignment, regions, QKV interleave, and the pack/unpack round trip."""
from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from models.config import preset
from models.ddr_layout import (
    ALIGN,
    HDR_AXI_DATA_W,
    HEADER_FIELDS,
    BusWidthError,
    DdrLayout,
    bus_width_mismatch,
    check_bus_width,
    header_problem,
    header_words,
    pack,
    pack_kv,
    qkv_tile_order,
    unpack,
    unpack_kv,
)
from models.golden import GoldenEngine
from models.quant import quantize
from models.random_model import calibration_set, random_inputs, random_weights


@pytest.fixture(scope="module", params=["tiny", "small"])
def qm(request):
    cfg = preset(request.param)
    return quantize(cfg, random_weights(cfg, 3), calibration_set(cfg, 3, n_seqs=2, seq_len=16))


@pytest.mark.parametrize("name", ["tiny", "small", "minilm"])
def test_layout_aligned_disjoint_and_kv_last(name):
    lay = DdrLayout(preset(name))
    end = 0
    for t in lay.tensors:
        assert t.base % ALIGN == 0, t.name
        assert t.base >= end, f"{t.name} overlaps the tensor before it"
        end = t.base + t.size
    assert [t.name for t in lay.tensors if t.access == "rw"] == ["kv"]
    assert lay.tensors[-1].name == "kv" and lay.size == end
    assert lay.kv_base == lay.by_name["kv"].base and lay.kv_size % ALIGN == 0
    c = lay.cfg
    assert lay.kv_addr(c.n_layers - 1, c.n_heads - 1, 1, c.max_seq - 1) + c.d_head <= lay.size


def test_layout_is_a_function_of_config():
    a, b = DdrLayout(preset("small")), DdrLayout(preset("small"))
    assert a.regions() == b.regions()
    assert DdrLayout(preset("small").replace(max_seq=64)).kv_size < a.kv_size


def test_qkv_tile_interleave_order():
    c = preset("tiny")  # d_head 16, tiles of 12 -> 12 + 4
    assert qkv_tile_order(c) == [(0, 0, 12), (1, 0, 12), (2, 0, 12), (0, 12, 4), (1, 12, 4), (2, 12, 4)]


def test_pack_places_weights_where_layout_says(qm):
    cfg, lay = qm.cfg, DdrLayout(qm.cfg)
    img = pack(qm)
    t = lay.by_name["L0.h1.wqkv"]
    blob = np.frombuffer(img, np.int8, count=t.size, offset=t.base).reshape(t.shape)
    rows = min(cfg.w_tile_rows, cfg.d_head)
    assert np.array_equal(blob[:rows], qm.layers[0].wq.w[cfg.d_head:cfg.d_head + rows])
    assert np.array_equal(blob[rows:2 * rows], qm.layers[0].wk.w[cfg.d_head:cfg.d_head + rows])
    t = lay.by_name["logits.w"]
    assert np.array_equal(np.frombuffer(img, np.int8, count=t.size, offset=t.base).reshape(t.shape), qm.logits_w)
    assert img[lay.kv_base:] == bytes(lay.kv_size)


def test_pack_unpack_round_trip(qm):
    cfg, lay = qm.cfg, DdrLayout(qm.cfg)
    rng = np.random.default_rng(9)
    kv = rng.integers(-127, 128, (cfg.n_layers, cfg.n_heads, 2, cfg.max_seq, cfg.d_head)).astype(np.int8)
    img = pack(qm, kv)
    qm2, kv2 = unpack(img, cfg)
    assert np.array_equal(kv2, kv)
    assert pack(qm2, kv2) == img
    for layer, (a, b) in enumerate(zip(qm.layers, qm2.layers, strict=True)):
        for f in a.__dataclass_fields__:
            va, vb = getattr(a, f), getattr(b, f)
            if hasattr(va, "w"):
                for g in ("w", "bias", "mult", "shift"):
                    assert np.array_equal(getattr(va, g), getattr(vb, g)), (layer, f, g)
            else:
                assert np.array_equal(va, vb), (layer, f)
    assert np.array_equal(unpack_kv(lay, pack_kv(lay, kv)), kv)
    x = qm.quantize_x(random_inputs(cfg, 4, 3))
    assert np.array_equal(GoldenEngine(qm).run(x), GoldenEngine(qm2).run(x))


def test_unpack_rejects_wrong_image(qm):
    img = bytearray(pack(qm))
    with pytest.raises(ValueError, match="bytes, the layout for this config is"):
        unpack(bytes(img[:-64]), qm.cfg)
    img[0] ^= 1
    with pytest.raises(ValueError, match="image header magic 0x474e454d, expected 0x474e454c"):
        unpack(bytes(img), qm.cfg)
    img[0] ^= 1
    img[4 * 10] += 1                                                    # w_tile_rows
    with pytest.raises(ValueError, match=rf"^image header word 10 \(w_tile_rows\) = {qm.cfg.w_tile_rows + 1}, "
                                         rf"the config says {qm.cfg.w_tile_rows}$"):
        unpack(bytes(img), qm.cfg)


def test_bus_width_is_header_word_9_and_nothing_else(qm):
    """The layout does not depend on the bus: images for 64 and 128 bits differ in header word 9 only."""
    cfg64 = qm.cfg.replace(axi_data_w=64)
    i128, i64 = pack(qm), pack(dataclasses.replace(qm, cfg=cfg64))
    assert [t.base for t in DdrLayout(cfg64).tensors] == [t.base for t in DdrLayout(qm.cfg).tensors]
    assert HEADER_FIELDS[HDR_AXI_DATA_W] == "axi_data_w" and len(HEADER_FIELDS) == 16
    assert [i for i in range(len(i128)) if i128[i] != i64[i]] == [4 * HDR_AXI_DATA_W]
    assert header_words(i64)[HDR_AXI_DATA_W] == 64
    check_bus_width(i64, 64)
    msg = "bundle made for a 64-bit bus, engine is 128-bit: re-export with --bus-width 128"
    with pytest.raises(BusWidthError, match=f"^{msg}$"):
        check_bus_width(i64, 128)
    with pytest.raises(BusWidthError, match=f"^{msg}$"):
        unpack(i64, qm.cfg)
    assert bus_width_mismatch(128, 128) == "" and header_problem(header_words(i64), DdrLayout(cfg64).header()) == ""
    with pytest.raises(ValueError, match="not a layer-engine image"):
        check_bus_width(bytes(64), 64)
