"""Accuracy of the integer golden model on the real all-MiniLM-L6-v2 (64-token text) against the float reference."""
from __future__ import annotations

import pytest

from models.minilm import MINILM_MISSING_REASON, minilm_model_dir

if minilm_model_dir() is None:
    pytest.skip(MINILM_MISSING_REASON, allow_module_level=True)

pytestmark = pytest.mark.minilm


@pytest.fixture(scope="module")
def agreement():
    from models.bundle import build_bundle
    from models.metrics import logits_agreement
    b = build_bundle("minilm", 1, 64)
    return logits_agreement(b.logits, b.qm.logits_scale, b.logits_float)


def test_minilm_logits_cosine(agreement):
    assert agreement["cos_mean"] >= 0.99, agreement


def test_minilm_top1_agreement(agreement):
    # Met by one token (61/64); see docs/numerics.md "Accuracy" for why this figure is noisy.
    assert agreement["top1"] >= 0.95, agreement
