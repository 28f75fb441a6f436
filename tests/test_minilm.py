"""models/minilm.py: safetensors reader, real all-MiniLM-L6-v2 weights, tokenizer, embeddings."""

from __future__ import annotations

import json
import struct
from pathlib import Path

import numpy as np
import pytest

from models.minilm import (
    CALIB_TEXT,
    EVAL_TEXT,
    MINILM_MISSING_REASON,
    WordPieceTokenizer,
    embed,
    load_minilm_embeddings,
    load_minilm_weights,
    load_tokenizer,
    minilm_dims,
    minilm_model_dir,
    read_safetensors,
    token_ids,
)

MODEL_DIR = minilm_model_dir()
if MODEL_DIR is None:
    pytest.skip(MINILM_MISSING_REASON, allow_module_level=True)

pytestmark = pytest.mark.minilm

D, H, F, L, V, S = 384, 12, 1536, 6, 30522, 512


# ---- helpers / fixtures ---------------------------------------------------------------------
def write_safetensors(path: Path, tensors: dict[str, tuple[str, np.ndarray]],
                      metadata: dict[str, str] | None = None) -> None:
    """Minimal independent safetensors writer: {name: (dtype tag, little-endian array)}."""
    header: dict[str, object] = {"__metadata__": metadata} if metadata else {}
    blobs: list[bytes] = []
    offset = 0
    for name, (tag, arr) in tensors.items():
        raw = np.ascontiguousarray(arr).tobytes()
        header[name] = {"dtype": tag, "shape": list(arr.shape),
                        "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    head = json.dumps(header).encode("utf-8")
    head += b" " * (-len(head) % 8)  # the spec pads the header to 8 bytes with spaces
    path.write_bytes(struct.pack("<Q", len(head)) + head + b"".join(blobs))


@pytest.fixture(scope="module")
def weights() -> dict[str, np.ndarray]:
    return load_minilm_weights()


@pytest.fixture(scope="module")
def raw_checkpoint() -> dict[str, np.ndarray]:
    assert MODEL_DIR is not None
    return read_safetensors(MODEL_DIR / "model.safetensors")


@pytest.fixture(scope="module")
def tok() -> WordPieceTokenizer:
    return load_tokenizer()


@pytest.fixture(scope="module")
def vocab_lines() -> list[str]:
    assert MODEL_DIR is not None
    return (MODEL_DIR / "vocab.txt").read_text(encoding="utf-8").split("\n")


# ---- safetensors reader ---------------------------------------------------------------------
def test_safetensors_roundtrip_f32_f16_bf16_int(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    f32 = rng.standard_normal((3, 5)).astype("<f4")
    f16 = rng.standard_normal((4, 2, 3)).astype("<f2")
    bits = rng.standard_normal(7).astype("<f4").view("<u4")
    bf16 = (bits >> 16).astype("<u2")
    i64 = np.arange(-3, 9, dtype="<i8").reshape(2, 6)
    path = tmp_path / "t.safetensors"
    write_safetensors(path, {"a.f32": ("F32", f32), "b.f16": ("F16", f16),
                             "c.bf16": ("BF16", bf16), "d.i64": ("I64", i64),
                             "e.scalar": ("F32", np.array(2.5, "<f4")),
                             "f.empty": ("F32", np.zeros((0, 3), "<f4"))},
                      metadata={"format": "pt"})
    got = read_safetensors(path)
    assert set(got) == {"a.f32", "b.f16", "c.bf16", "d.i64", "e.scalar", "f.empty"}
    assert got["a.f32"].dtype == np.float32 and np.array_equal(got["a.f32"], f32)
    assert got["b.f16"].dtype == np.float32 and got["b.f16"].shape == (4, 2, 3)
    assert np.array_equal(got["b.f16"], f16.astype(np.float32))
    assert np.array_equal(got["c.bf16"], (bits & 0xFFFF0000).view("<f4"))
    assert got["d.i64"].dtype == np.int64 and np.array_equal(got["d.i64"], i64)
    assert got["e.scalar"].shape == () and float(got["e.scalar"]) == 2.5
    assert got["f.empty"].shape == (0, 3)
    got["a.f32"][0, 0] = 99.0  # arrays own their memory


def test_safetensors_rejects_bad_offsets(tmp_path: Path) -> None:
    path = tmp_path / "bad.safetensors"
    head = json.dumps({"x": {"dtype": "F32", "shape": [4], "data_offsets": [0, 12]}}).encode()
    path.write_bytes(struct.pack("<Q", len(head)) + head + b"\0" * 16)
    with pytest.raises(ValueError, match="data_offsets"):
        read_safetensors(path)


# ---- config / weights -----------------------------------------------------------------------
def test_dims() -> None:
    assert minilm_dims() == {"d_model": D, "n_heads": H, "d_head": 32, "d_ff": F, "n_layers": L,
                             "vocab": V, "max_seq": S, "ln_eps": 1e-12}


def expected_shapes() -> dict[str, tuple[int, ...]]:
    shapes: dict[str, tuple[int, ...]] = {"logits.w": (D, V)}
    for layer in range(L):
        p = f"layers.{layer}."
        shapes.update({p + f"attn.w{x}": (D, D) for x in "qkvo"})
        shapes.update({p + f"attn.b{x}": (D,) for x in "qkvo"})
        shapes.update({p + f"ln{i}.{g}": (D,) for i in (1, 2) for g in ("gamma", "beta")})
        shapes.update({p + "ffn.w1": (D, F), p + "ffn.b1": (F,),
                       p + "ffn.w2": (F, D), p + "ffn.b2": (D,)})
    return shapes


def test_weight_keys_and_shapes(weights: dict[str, np.ndarray]) -> None:
    assert {k: v.shape for k, v in weights.items()} == expected_shapes()
    assert all(v.dtype == np.float32 and np.isfinite(v).all() for v in weights.values())
    assert "logits.b" not in weights


def test_weight_mapping_and_transpose(weights: dict[str, np.ndarray],
                                      raw_checkpoint: dict[str, np.ndarray]) -> None:
    pairs = {"attn.wq": "attention.self.query.weight", "attn.wk": "attention.self.key.weight",
             "attn.wv": "attention.self.value.weight", "attn.wo": "attention.output.dense.weight",
             "ffn.w1": "intermediate.dense.weight", "ffn.w2": "output.dense.weight",
             "attn.bq": "attention.self.query.bias", "attn.bo": "attention.output.dense.bias",
             "ln1.gamma": "attention.output.LayerNorm.weight",
             "ln1.beta": "attention.output.LayerNorm.bias",
             "ln2.gamma": "output.LayerNorm.weight", "ffn.b1": "intermediate.dense.bias"}
    for layer in range(L):
        for ours, hf in pairs.items():
            ref = raw_checkpoint[f"encoder.layer.{layer}.{hf}"]
            ref = ref.T if ref.ndim == 2 else ref  # PyTorch Linear [out, in] -> x @ W [in, out]
            assert np.array_equal(weights[f"layers.{layer}.{ours}"], ref), (layer, ours)
    word = raw_checkpoint["embeddings.word_embeddings.weight"]
    assert np.array_equal(weights["logits.w"], word.T)
    assert weights["logits.w"].flags.c_contiguous


def test_embeddings_tables() -> None:
    emb = load_minilm_embeddings()
    assert {k: v.shape for k, v in emb.items()} == {"word": (V, D), "position": (S, D),
                                                     "token_type": (2, D), "ln.gamma": (D,),
                                                     "ln.beta": (D,)}
    assert all(v.dtype == np.float32 for v in emb.values())


def test_weights_are_fresh_copies() -> None:
    first = load_minilm_weights()
    first["layers.0.attn.wq"][:] = 0.0
    assert np.any(load_minilm_weights()["layers.0.attn.wq"] != 0.0)


# ---- tokenizer ------------------------------------------------------------------------------
def test_tokenizer_config_is_uncased(tok: WordPieceTokenizer) -> None:
    assert MODEL_DIR is not None
    cfg = json.loads((MODEL_DIR / "tokenizer_config.json").read_text())
    assert cfg["do_lower_case"] is True and tok.do_lower_case is True
    assert len(tok.vocab) == V
    specials = ("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]")
    assert [tok.vocab[t] for t in specials] == [0, 100, 101, 102, 103]


@pytest.mark.parametrize(("text", "ids"), [
    ("Hello, world!", [7592, 1010, 2088, 999]),
    ("I don't know.", [1045, 2123, 1005, 1056, 2113, 1012]),
    ("HELLO World", [7592, 2088]),
])
def test_known_bert_uncased_ids(tok: WordPieceTokenizer, text: str, ids: list[int]) -> None:
    assert tok.encode(text) == ids


@pytest.mark.parametrize(("text", "pieces"), [
    ("unaffable", ["una", "##ffa", "##ble"]),
    ("Café naïve RÉSUMÉ", ["cafe", "naive", "resume"]),  # accents stripped after lowercasing
    ("don't-stop", ["don", "'", "t", "-", "stop"]),
    ("\u201cQuoted\u201d text \u2014 dash\u2026", ["\u201c", "quoted", "\u201d", "text", "\u2014",
                                                  "dash", "\u2026"]),  # unicode P* punctuation
    ("\u00bfQu\u00e9 tal?", ["\u00bf", "que", "tal", "?"]),
    ("hello\u00a0\tworld\x00\u200b!", ["hello", "world", "!"]),  # NBSP/tab/NUL/ZWSP cleaned
    ("\u5317\u4eac tokyo", ["\u5317", "\u4eac", "tokyo"]),  # CJK chars split
    ("\u2603 ok", ["[UNK]", "ok"]),
    ("a" * 101, ["[UNK]"]),  # longer than 100 chars
])
def test_wordpieces_match_vocab(tok: WordPieceTokenizer, vocab_lines: list[str], text: str,
                                pieces: list[str]) -> None:
    assert tok.tokenize(text) == pieces
    assert [vocab_lines[i] for i in tok.encode(text)] == pieces  # ids are vocab.txt line numbers


def test_unaffable_is_longest_match_first(tok: WordPieceTokenizer) -> None:
    word = "unaffable"
    assert all(word[:k] not in tok.vocab for k in range(4, len(word) + 1))
    assert "una" in tok.vocab
    assert all("##" + word[3:k] not in tok.vocab for k in range(7, len(word) + 1))


def test_encode_has_no_special_tokens(tok: WordPieceTokenizer) -> None:
    for text in (EVAL_TEXT, CALIB_TEXT):
        ids = tok.encode(text)
        assert not {0, 100, 101, 102, 103} & set(ids)


def test_fixed_texts(tok: WordPieceTokenizer) -> None:
    n_eval, n_calib = len(tok.encode(EVAL_TEXT)), len(tok.encode(CALIB_TEXT))
    assert n_eval >= 200 and n_calib >= 200
    assert EVAL_TEXT != CALIB_TEXT
    assert tok.encode(EVAL_TEXT)[:63] != tok.encode(CALIB_TEXT)[:63]


def test_token_ids(tok: WordPieceTokenizer) -> None:
    ids = token_ids(EVAL_TEXT, 64)
    assert len(ids) == 64 and ids[0] == 101 == tok.vocab["[CLS]"]
    assert ids[1:] == tok.encode(EVAL_TEXT)[:63]
    assert token_ids("Hello, world!", 5) == [101, 7592, 1010, 2088, 999]
    assert token_ids("Hello, world!", 1) == [101]
    with pytest.raises(ValueError, match="only 4 wordpiece tokens"):
        token_ids("Hello, world!", 6)


# ---- embedding front end --------------------------------------------------------------------
def test_embed_matches_recomputed_layernorm() -> None:
    ids = token_ids(EVAL_TEXT, 64)
    x = embed(ids)
    assert x.shape == (64, D) and x.dtype == np.float32 and np.isfinite(x).all()
    emb = load_minilm_embeddings()
    pre = (emb["word"][ids].astype(np.float64) + emb["position"][:64].astype(np.float64)
           + emb["token_type"][0].astype(np.float64))
    normed = (pre - pre.mean(-1, keepdims=True)) / np.sqrt(pre.var(-1, keepdims=True) + 1e-12)
    np.testing.assert_allclose(normed.mean(-1), 0.0, atol=1e-9)
    np.testing.assert_allclose(normed.std(-1), 1.0, atol=1e-6)
    expect = normed * emb["ln.gamma"].astype(np.float64) + emb["ln.beta"].astype(np.float64)
    np.testing.assert_allclose(x, expect, rtol=1e-6, atol=1e-6)


def test_embed_uses_position() -> None:
    x = embed([101, 2088, 2088, 2088])
    assert not np.allclose(x[1], x[2]) and not np.allclose(x[2], x[3])
    np.testing.assert_array_equal(embed([101, 2088])[1], x[1])  # causal: a prefix is unchanged


def test_embed_rejects_bad_ids() -> None:
    for bad in ([], [V], [-1], list(range(S + 1))):
        with pytest.raises(ValueError):
            embed(bad)


def test_determinism(tok: WordPieceTokenizer, weights: dict[str, np.ndarray]) -> None:
    fresh = WordPieceTokenizer.from_model_dir(MODEL_DIR)
    assert fresh.encode(CALIB_TEXT) == tok.encode(CALIB_TEXT)
    assert token_ids(EVAL_TEXT, 64, tokenizer=fresh) == token_ids(EVAL_TEXT, 64)
    ids = token_ids(CALIB_TEXT, 128)
    np.testing.assert_array_equal(embed(ids), embed(ids))
    again = load_minilm_weights()
    assert all(np.array_equal(again[k], v) for k, v in weights.items())
