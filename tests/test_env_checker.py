"""verif/env: the reference model predicts the bundle's logits and K/V bit-exactly, and the scoreboard's
TokenChecker catches every kind of DUT mistake (each planted into an otherwise correct token) and says where."""
from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from models.bundle import build_bundle
from models.driver import STATUS_DONE, STATUS_ERROR
from verif.agents.axi4 import AxiWrite
from verif.agents.axis import LogitsFrame
from verif.env.refmodel import GoldenPredictor, kv_locate
from verif.env.scoreboard import TokenChecker
from verif.env.txn import TokenPrediction, TokenReadback, TokenStart

IMAGE_BASE = 0x10_0FC0


@pytest.fixture(scope="module")
def bundle():
    return build_bundle("tiny", seed=1, tokens=3)


def faithful(pred: TokenPrediction, bus: int = 16) -> tuple[LogitsFrame, list[AxiWrite], TokenReadback]:
    """What a correct engine would show for `pred` (built from the prediction, to test the checker only)."""
    raw = pred.logits.astype("<i4").tobytes()
    frame = LogitsFrame(raw.ljust(-(-len(raw) // bus) * bus, b"\0"))
    writes = [AxiWrite(w.addr, w.data, bytes([1]) * len(w.data), 0) for w in pred.kv_writes]
    perf = {"cycles": 1000, "rd_stall_cycles": 10, "bytes_rd": pred.bytes_rd, "bytes_wr": pred.bytes_wr}
    return frame, writes, TokenReadback(pred.start.index, STATUS_DONE, 0, perf, pred.kv_region)


def predictions(bundle) -> list[TokenPrediction]:
    p = GoldenPredictor(bundle.qm, IMAGE_BASE)
    return [p.predict(TokenStart(i, i, bundle.x[i])) for i in range(3)]


def test_predictions_equal_the_bundle(bundle) -> None:
    preds = predictions(bundle)
    for i, pred in enumerate(preds):
        assert np.array_equal(pred.logits, bundle.logits[i])
        assert len(pred.kv_writes) == 2 * bundle.cfg.n_layers * bundle.cfg.n_heads
    c = bundle.cfg
    assert len(preds[-1].kv_region) == bundle.layout.kv_size
    assert kv_locate(bundle.layout, bundle.layout.kv_slab * 3 + 2 * c.d_head + 5) == (0, 1, 1, 2, 5)


def test_a_correct_token_is_clean(bundle) -> None:
    chk = TokenChecker(bundle.layout, IMAGE_BASE)
    for pred in predictions(bundle):
        chk.check(pred, *faithful(pred))
    assert chk.errors() == [] and chk.tokens_checked == 3


def plant(bundle, mutate) -> list[str]:
    pred = predictions(bundle)[1]
    frame, writes, result = faithful(pred)
    frame, writes, result = mutate(pred, frame, writes, result)
    chk = TokenChecker(bundle.layout, IMAGE_BASE)
    chk.check(pred, frame, writes, result)
    return chk.errors()


def test_wrong_logit_is_named(bundle) -> None:
    def m(pred, frame, writes, result):
        b = bytearray(frame.data)
        b[4 * 7] ^= 1
        return LogitsFrame(bytes(b)), writes, result
    errs = plant(bundle, m)
    assert errs[0] == "logits: 1 mismatch(es)" and "logit 7: golden" in errs[1]


def test_dropped_wstrb_wrong_byte_extra_write_and_kv_are_named(bundle) -> None:
    def m(pred, frame, writes, result):
        w0, w1 = writes[0], writes[3]
        writes = [dataclasses.replace(w0, strb=bytes([0]) + w0.strb[1:]),
                  dataclasses.replace(w1, data=bytes([w1.data[0] ^ 0x40]) + w1.data[1:]),
                  *writes[1:3], *writes[4:], AxiWrite(IMAGE_BASE, b"\0", b"\1", 0)]
        kv = bytearray(result.kv_region)
        kv[5] ^= 1
        return frame, writes, dataclasses.replace(result, kv_region=bytes(kv))
    text = "\n".join(plant(bundle, m))
    assert "write_strobe: 1" in text and "WSTRB low on layer 0 head 0 K row 1 byte 0" in text
    assert "write_data: 1" in text and "layer 0 head 1 V row 1 byte 0" in text
    assert "write_unexpected: 1" in text and "outside the KV region" in text
    assert "kv_region: 1" in text and "layer 0 head 0 K row 0 byte 5" in text


def test_perf_and_status_mismatches(bundle) -> None:
    def m(pred, frame, writes, result):
        perf = dict(result.perf, bytes_rd=result.perf["bytes_rd"] - 16)
        return frame, writes, dataclasses.replace(result, perf=perf, status=STATUS_DONE | STATUS_ERROR)
    text = "\n".join(plant(bundle, m))
    assert "perf: 1" in text and "status: 1" in text


def test_rd_stall_bounds(bundle) -> None:
    """1 <= PERF_RD_STALL <= PERF_CYCLES on a completed token (a counter stuck at 0 is caught: mutant #1028)."""
    for stall, bad in ((0, True), (1, False), (1000, False), (1001, True)):
        def m(pred, frame, writes, result, stall=stall):
            return frame, writes, dataclasses.replace(result, perf=dict(result.perf, rd_stall_cycles=stall))
        text = "\n".join(plant(bundle, m))
        assert ("1 <= PERF_RD_STALL <= PERF_CYCLES" in text) == bad, (stall, text)


def test_failed_token_frame_zero_or_correct_prefix(bundle) -> None:
    """A failed token's frame is zero from the failure on: zeros or a golden prefix pass (the prefix is
    recorded), a wrong prefix is named."""
    p = GoldenPredictor(bundle.qm, IMAGE_BASE)
    pred = p.predict(TokenStart(0, 0, bundle.x[0], expect_error=3))
    assert np.array_equal(pred.logits, bundle.logits[0])          # the would-be logits; K/V not committed
    result = TokenReadback(0, STATUS_ERROR | (3 << 8), 3, {}, pred.kv_region)
    raw = bytearray(pred.logits.astype("<i4").tobytes())
    raw[4 * 5:] = bytes(len(raw) - 4 * 5)                         # logits 0..4, then zeros
    chk = TokenChecker(bundle.layout, IMAGE_BASE)
    chk.check(pred, LogitsFrame(bytes(raw)), [], result)
    chk.check(pred, LogitsFrame(bytes(len(raw))), [], result)
    assert chk.errors() == [] and chk.prefixes == [(0, 5)]
    raw[4 * 2] ^= 1
    chk.check(pred, LogitsFrame(bytes(raw)), [], result)
    assert "logit 2: golden" in "\n".join(chk.errors())
