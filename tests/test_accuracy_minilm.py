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


@pytest.mark.xfail(strict=True, reason="known gap: top-1 is 59/64 = 92.2% (the misses are near-ties, float margin "
                   "< 0.06 vs median 0.27); target 95%. See docs/numerics.md, 'Accuracy'.")
def test_minilm_top1_agreement(agreement):
    assert agreement["top1"] >= 0.95, agreement
