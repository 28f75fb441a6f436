"""The golden decode step: seed loop order, KV semantics, trace completeness, and accuracy targets."""
from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from models import ops
from models.bundle import build_bundle
from models.config import preset
from models.golden import HEAD_NAMES, LAYER_NAMES, GoldenEngine, Trace
from models.metrics import logits_agreement
from models.quant import quantize
from models.random_model import calibration_set, random_inputs, random_weights


@pytest.fixture(scope="module")
def tiny():
    cfg = preset("tiny")
    qm = quantize(cfg, random_weights(cfg, 11), calibration_set(cfg, 11))
    return qm, qm.quantize_x(random_inputs(cfg, 11, 20))


def test_trace_has_every_intermediate(tiny):
    qm, x = tiny
    cfg, tr = qm.cfg, Trace()
    GoldenEngine(qm).run(x[:3], tr=tr)
    for t in range(3):
        assert tr.get(t, None, None, "logits").shape == (cfg.vocab,)
        for layer in range(cfg.n_layers):
            for name in LAYER_NAMES:
                assert (t, layer, None, name) in tr.values
            for h in range(cfg.n_heads):
                for name in HEAD_NAMES:
                    assert (t, layer, h, name) in tr.values
                assert tr.get(t, layer, h, "p").shape == (t + 1,)   # attention covers 0..t
    assert tr.get(2, 1, None, "x_in").tolist() == tr.get(2, 0, None, "x").tolist()


def test_first_token_attends_only_to_itself(tiny):
    qm, x = tiny
    tr = Trace()
    GoldenEngine(qm).step(x[0], 0, tr)
    ql = qm.layers[0]
    for h in range(qm.cfg.n_heads):
        assert tr.get(0, 0, h, "p").tolist() == [32768]
        want = ops.requant(32768 * tr.get(0, 0, h, "v"), 0, ql.o_mult[h], ql.o_shift[h])
        assert tr.get(0, 0, h, "o").tolist() == want.tolist()


def test_kv_append_and_preloaded_cache_resume(tiny):
    qm, x = tiny
    cfg = qm.cfg
    full = GoldenEngine(qm)
    tr = Trace()
    want = full.run(x, tr=tr)
    for t in (0, 7, 19):
        for layer in range(cfg.n_layers):
            for h in range(cfg.n_heads):
                assert full.kv[layer, h, 0, t].tolist() == tr.get(t, layer, h, "k").tolist()
                assert full.kv[layer, h, 1, t].tolist() == tr.get(t, layer, h, "v").tolist()
    assert not full.kv[:, :, :, 20:].any()
    # Backdoor-preload the cache with the first 12 positions, then decode from position 12.
    kv = full.kv.copy()
    kv[:, :, :, 12:] = 0
    resumed = GoldenEngine(qm, kv).run(x[12:], start_pos=12)
    assert np.array_equal(resumed, want[12:])
    assert np.array_equal(GoldenEngine(qm, kv).kv, kv)


def test_tiling_does_not_change_results(tiny):
    qm, x = tiny
    want = GoldenEngine(qm).run(x)
    for w_rows, ctx in ((1, 1), (5, 3), (64, 64), (97, 2)):
        tiled = dataclasses.replace(qm, cfg=preset("tiny").replace(w_tile_rows=w_rows, ctx_tile=ctx))
        assert np.array_equal(GoldenEngine(tiled).run(x), want), (w_rows, ctx)


def test_bad_inputs_are_rejected(tiny):
    qm, x = tiny
    eng = GoldenEngine(qm)
    with pytest.raises(ValueError, match="position 64 outside"):
        eng.step(x[0], 64)
    with pytest.raises(ValueError, match="x must have shape"):
        eng.step(x[0][:5], 0)
    with pytest.raises(ValueError, match="x out of range"):
        eng.step(np.full(qm.cfg.d_model, -128), 0)


def test_no_float_on_the_integer_path(tiny):
    qm, x = tiny
    tr = Trace()
    GoldenEngine(qm).run(x[:2], tr=tr)
    assert all(v.dtype == np.int64 for v in tr.values.values())
    for ql in qm.layers:
        for f, v in vars(ql).items():
            arr = getattr(v, "w", v)
            assert np.asarray(arr).dtype.kind in "iu", f


@pytest.mark.parametrize("name", ["tiny", "small"])
def test_accuracy_target_random_presets(name):
    b = build_bundle(name, 1, 64)
    acc = logits_agreement(b.logits, b.qm.logits_scale, b.logits_float)
    assert acc["cos_mean"] >= 0.995, acc


@pytest.mark.parametrize("field, bad", [("mult", -1), ("shift", ops.SHIFT_MAX + 1)])
def test_requant_parameters_are_checked_once_when_the_engine_is_built(tiny, field, bad):
    """GoldenEngine checks every GEMV's mult / shift when it is made (requant then skips that per call): a bad one
    is refused there, and ops.requant still refuses it on its own."""
    qm, _ = tiny
    layers = list(qm.layers)
    wq = layers[0].wq
    values = getattr(wq, field).copy()
    values[3] = bad
    layers[0] = dataclasses.replace(layers[0], wq=dataclasses.replace(wq, **{field: values}))
    with pytest.raises(ValueError, match=f"requant {field}"):
        GoldenEngine(dataclasses.replace(qm, layers=layers))
    with pytest.raises(ValueError, match=f"requant {field}"):
        ops.requant(np.zeros(wq.d_out, np.int64), wq.bias, wq.mult if field == "shift" else values,
                    values if field == "shift" else wq.shift)
