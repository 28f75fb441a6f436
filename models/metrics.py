"""Accuracy of integer logits against the float reference (used by benchmarks/accuracy.py and tests)."""
from __future__ import annotations

import numpy as np
import numpy.typing as npt


def logits_agreement(logits: np.ndarray, logits_scale: npt.ArrayLike, logits_float: np.ndarray) -> dict[str, float]:
    """Per-token cosine between dequantized int logits and float logits, and top-1 agreement."""
    deq = np.asarray(logits, dtype=np.float64) * np.asarray(logits_scale, dtype=np.float64)
    ref = np.asarray(logits_float, dtype=np.float64)
    cos = (deq * ref).sum(axis=1) / (np.linalg.norm(deq, axis=1) * np.linalg.norm(ref, axis=1))
    return {
        "cos_mean": float(cos.mean()),
        "cos_min": float(cos.min()),
        "top1": float((deq.argmax(axis=1) == ref.argmax(axis=1)).mean()),
        "tokens": int(deq.shape[0]),
    }
