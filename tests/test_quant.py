"""Quantizer: multiplier encoding, asymmetric banked GELU with zero points folded into the biases."""
from __future__ import annotations

import numpy as np
import pytest

from models import ops
from models.config import preset
from models.float_ref import ActivationLog, forward, gelu_erf
from models.quant import asym_scale, gelu_banks, quantize
from models.random_model import calibration_set, random_inputs, random_weights


@pytest.fixture(scope="module")
def small():
    cfg = preset("small")
    w = random_weights(cfg, 21)
    qm = quantize(cfg, w, calibration_set(cfg, 21))
    log = ActivationLog()
    forward(cfg, w, random_inputs(cfg, 21, 32), log)
    return cfg, w, qm, log


def test_asym_scale_maps_range_onto_int8():
    s, zp = asym_scale(np.array([-0.17, 0.0, 3.0]))
    assert np.rint(-0.17 / s) + zp == -127 and np.rint(3.0 / s) + zp == 127 and np.rint(0 / s) + zp == zp
    assert asym_scale(np.zeros(4)) == (1.0, 0)


def test_gelu_banks_codes_decode_to_gelu():
    rng = np.random.default_rng(2)
    u = rng.normal(0, 1, (200, 64)) * np.where(np.arange(64) < 3, 12.0, 1.0)   # 3 massive channels
    bank, s_u, zp_u, s_a, zp_a, luts = gelu_banks(u, gelu_erf(u))
    assert bank[:3].max() < bank[3:].min()                       # massive channels get their own bank(s)
    codes = np.clip(np.rint(u / s_u) + zp_u, -127, 127)
    out = ops.act_lut(codes, luts, bank)
    decoded = (out - zp_a) * s_a
    err = np.abs(decoded - gelu_erf((codes - zp_u) * s_u))
    inner = np.abs(out) < 127                                    # the LUT is exact to half an output LSB,
    assert np.all(err[inner] <= s_a[np.nonzero(inner)[1]] * 0.5 + 1e-12)
    assert np.all(err[~inner] <= s_a[np.nonzero(~inner)[1]] * 1.0)   # saturated entries to one (rounded zp)
    assert np.abs(decoded - gelu_erf(u)).max() < 0.05 * np.abs(gelu_erf(u)).max()


def test_integer_ffn_tracks_float_ffn(small):
    """W1 requant (zero point in its bias) -> banked LUT -> W2 (zero point folded into its bias) vs float."""
    _cfg, _w, qm, log = small
    sc = qm.meta["scales"]
    for layer, ql in enumerate(qm.layers):
        x_att = log.get(f"{layer}.x_att")
        xq = np.clip(np.rint(x_att / sc[f"{layer}.x_att"]), -127, 127).astype(np.int64)
        u = ops.requant(xq @ ql.w1.w.T.astype(np.int64), ql.w1.bias, ql.w1.mult, ql.w1.shift)
        ua = ops.act_lut(u, ql.gelu_lut, ql.gelu_bank)
        f = ops.requant(ua @ ql.w2.w.T.astype(np.int64), ql.w2.bias, ql.w2.mult, ql.w2.shift, ops.I16_MIN, ops.I16_MAX)
        ref = log.get(f"{layer}.f")
        rel = np.linalg.norm(f * sc[f"{layer}.f"] - ref) / np.linalg.norm(ref)
        assert rel < 0.05, (layer, rel)
        zero_biased = ops.requant(ua @ ql.w2.w.T.astype(np.int64), 0, ql.w2.mult, ql.w2.shift, ops.I16_MIN, ops.I16_MAX)
        assert np.linalg.norm(zero_biased * sc[f"{layer}.f"] - ref) / np.linalg.norm(ref) > 3 * rel   # the fold matters


@pytest.mark.parametrize("name", ["tiny", "small"])
def test_presets_quantize_without_clamping(name):
    """No parameter of a preset needs clamping (a clamp would warn with QuantClampWarning)."""
    import warnings

    from models.quant import QuantClampWarning
    cfg = preset(name)
    with warnings.catch_warnings():
        warnings.simplefilter("error", QuantClampWarning)
        quantize(cfg, random_weights(cfg, 1), calibration_set(cfg, 1))


def test_clamped_parameters_warn_in_one_line():
    from models.quant import QuantClampWarning, residual_mults
    with pytest.warns(QuantClampWarning, match=r"^quantization clamped 1 of 2 values of residual multiplier to "
                                               r"\[0, 16777215\]$"):
        xm, _ = residual_mults(np.array([1.0, 1000.0]), np.array([1.0, 1.0]), 1.0)
    assert xm.tolist() == [1 << 16, (1 << 24) - 1]
