"""The DDR image: every integer parameter and the KV cache packed into one little-endian byte image.

The layout is a pure function of the EngineConfig (docs/ddr_layout.md is generated from it by
`python -m models layout`). Every tensor starts on a 64-byte boundary. Weights are output-major rows in
the order the engine streams them; the per-head Q/K/V weights are interleaved tile by tile
([Wq tile 0][Wk tile 0][Wv tile 0][Wq tile 1]...) so one head's QKV stream is one contiguous read.
Everything before `kv` is read-only; `kv` is the one read-write region.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np
import numpy.typing as npt

from . import ops
from .config import EngineConfig
from .qmodel import QGemv, QLayer, QModel

ALIGN = 64
MAGIC = 0x474E454C            # b"LENG" little-endian
LAYOUT_VERSION = 1
HEADER_WORDS = 16
# The header's 16 uint32 words in order (DdrLayout.header); word 9 records the bus width the image was exported
# for (`python -m models export --bus-width`), which the engine, the golden device and every loader check.
HEADER_FIELDS = ("magic", "layout_version", "d_model", "n_heads", "d_head", "d_ff", "n_layers", "vocab", "max_seq",
                 "axi_data_w", "w_tile_rows", "ctx_tile", "kv_base", "kv_size", "image_size", "reserved")
HDR_AXI_DATA_W = HEADER_FIELDS.index("axi_data_w")
GEMV_NAMES = ("wq", "wk", "wv", "wo", "w1", "w2")
VEC_FIELDS = ("res1_x_mult", "res1_r_mult", "ln1_gamma", "ln1_beta", "res2_x_mult", "res2_r_mult",
              "ln2_gamma", "ln2_beta")


def align(n: int, a: int = ALIGN) -> int:
    return -(-n // a) * a


@dataclass(frozen=True)
class Tensor:
    name: str
    dtype: str              # NumPy dtype string, little-endian
    shape: tuple[int, ...]
    base: int
    access: str             # "ro" or "rw"

    @property
    def size(self) -> int:
        return int(np.prod(self.shape)) * np.dtype(self.dtype).itemsize


class DdrLayout:
    """Addresses of every tensor for one config (bases are byte offsets from the image start)."""

    def __init__(self, cfg: EngineConfig) -> None:
        self.cfg = cfg.validate()
        self.tensors: list[Tensor] = []
        self._at = 0
        d, f, h, v = cfg.d_model, cfg.d_ff, cfg.n_heads, cfg.vocab
        self._add("header", "<u4", (HEADER_WORDS,))
        self._add("exp_lut", "<u2", (256,))
        for layer in range(cfg.n_layers):
            p = f"L{layer}."
            for hh in range(h):
                self._add(f"{p}h{hh}.wqkv", "i1", (3 * cfg.d_head, d))
            for g in ("wq", "wk", "wv"):
                self._rq(p + g, d)
            for s in ("score_mult", "score_shift", "o_mult", "o_shift"):
                self._add(p + s, "<i4", (h,))
            self._add(p + "wo.w", "i1", (d, d))
            self._rq(p + "wo", d)
            self._add(p + "res1_x_mult", "<i4", (d,))
            self._add(p + "res1_r_mult", "<i4", (d,))
            self._add(p + "ln1_eps", "<i8", (1,))
            self._add(p + "ln1_gamma", "<i4", (d,))
            self._add(p + "ln1_beta", "<i4", (d,))
            self._add(p + "w1.w", "i1", (f, d))
            self._rq(p + "w1", f)
            self._add(p + "gelu_lut", "i1", (ops.ACT_BANKS, 256))
            self._add(p + "gelu_bank", "u1", (f,))
            self._add(p + "w2.w", "i1", (d, f))
            self._rq(p + "w2", d)
            self._add(p + "res2_x_mult", "<i4", (d,))
            self._add(p + "res2_r_mult", "<i4", (d,))
            self._add(p + "ln2_eps", "<i8", (1,))
            self._add(p + "ln2_gamma", "<i4", (d,))
            self._add(p + "ln2_beta", "<i4", (d,))
        self._add("logits.w", "i1", (v, d))
        self._add("logits.b", "<i4", (v,))
        self.ro_size = self._at
        # KV cache: one slab per (layer, head, K|V) of max_seq rows x d_head bytes, each slab 64-aligned.
        self.kv_slab = align(cfg.max_seq * cfg.d_head)
        self.kv_base = self._at
        self.kv_size = cfg.n_layers * h * 2 * self.kv_slab
        self.tensors.append(Tensor("kv", "i1", (self.kv_size,), self.kv_base, "rw"))
        self.size = self.kv_base + self.kv_size
        self.by_name = {t.name: t for t in self.tensors}

    def _add(self, name: str, dtype: str, shape: tuple[int, ...]) -> None:
        t = Tensor(name, dtype, shape, self._at, "ro")
        self.tensors.append(t)
        self._at = align(self._at + t.size)

    def _rq(self, prefix: str, rows: int) -> None:
        for s in ("bias", "mult", "shift"):
            self._add(f"{prefix}.{s}", "<i4", (rows,))

    def kv_addr(self, layer: int, head: int, which: int, pos: int) -> int:
        """Byte address of K (which=0) or V (which=1) row `pos` of (layer, head)."""
        slab = (layer * self.cfg.n_heads + head) * 2 + which
        return self.kv_base + slab * self.kv_slab + pos * self.cfg.d_head

    def regions(self) -> list[dict[str, Any]]:
        return [{"name": t.name, "base": t.base, "size": t.size, "access": t.access} for t in self.tensors]

    def header(self) -> np.ndarray:
        c = self.cfg
        words = [MAGIC, LAYOUT_VERSION, c.d_model, c.n_heads, c.d_head, c.d_ff, c.n_layers, c.vocab, c.max_seq,
                 c.axi_data_w, c.w_tile_rows, c.ctx_tile, self.kv_base, self.kv_size, self.size, 0]
        return np.array(words, dtype=np.uint32)


@lru_cache(maxsize=16)
def layout_of(cfg: EngineConfig) -> DdrLayout:
    """The DdrLayout of a config, built once (callers must not modify it; a layout walk costs milliseconds)."""
    return DdrLayout(cfg)


def base_ending_past(size: int, addr_w: int = 32) -> int:
    """An IMAGE_BASE (4 KB-aligned, below 2**addr_w) at which an image of `size` bytes (more than 4 KB) ends past
    the addr_w-bit address space, its header still inside it: the engine reads the header, then fails the token
    with ILLEGAL_CONFIG (docs/host_protocol.md, "image beyond the AXI address space")."""
    if size <= 4096:
        raise ValueError(f"an image of {size} bytes fits in the last 4 KB page: no base ends it past 2**{addr_w}")
    return (1 << addr_w) - 4096


class BusWidthError(ValueError):
    """An image exported for another bus width than the engine's; the message is one line naming both."""


def bus_width_mismatch(image_bits: int, engine_bits: int) -> str:
    """One line naming a bus width mismatch ("" when the widths agree)."""
    if image_bits == engine_bits:
        return ""
    return (f"bundle made for a {image_bits}-bit bus, engine is {engine_bits}-bit: "
            f"re-export with --bus-width {engine_bits}")


def header_words(image: bytes) -> np.ndarray:
    """The 16 header words of an image (ValueError when it is too short or not a layer-engine image)."""
    if len(image) < 4 * HEADER_WORDS:
        raise ValueError(f"image is {len(image)} bytes: shorter than its {4 * HEADER_WORDS}-byte header")
    words = np.frombuffer(image, dtype="<u4", count=HEADER_WORDS)
    if int(words[0]) != MAGIC:
        raise ValueError(f"image header magic {int(words[0]):#010x}, expected {MAGIC:#010x}: not a layer-engine image")
    return words


def check_bus_width(image: bytes, engine_bits: int) -> None:
    """BusWidthError (one line) when the image's header word 9 is not the engine's bus width."""
    problem = bus_width_mismatch(int(header_words(image)[HDR_AXI_DATA_W]), engine_bits)
    if problem:
        raise BusWidthError(problem)


def header_problem(got: npt.ArrayLike, want: npt.ArrayLike) -> str:
    """One line naming the first header word that differs ("" when equal); a bus width gets its own line."""
    g, w = np.asarray(got, dtype=np.int64), np.asarray(want, dtype=np.int64)
    if len(g) != HEADER_WORDS or len(w) != HEADER_WORDS:
        raise ValueError(f"a header is {HEADER_WORDS} words, got {len(g)} and {len(w)}")
    if int(g[0]) != MAGIC:
        return f"image header magic {int(g[0]):#010x}, expected {MAGIC:#010x}: not a layer-engine image"
    if g[HDR_AXI_DATA_W] != w[HDR_AXI_DATA_W]:
        return bus_width_mismatch(int(g[HDR_AXI_DATA_W]), int(w[HDR_AXI_DATA_W]))
    for i, name in enumerate(HEADER_FIELDS):
        if g[i] != w[i]:
            return f"image header word {i} ({name}) = {int(g[i])}, the config says {int(w[i])}"
    return ""


# ---- QKV tile interleave ---------------------------------------------------------------------------------
def qkv_tile_order(cfg: EngineConfig) -> list[tuple[int, int, int]]:
    """Rows of one head's wqkv region in stream order: (matrix 0/1/2 = q/k/v, first row, n rows) per tile."""
    out: list[tuple[int, int, int]] = []
    for t0 in range(0, cfg.d_head, cfg.w_tile_rows):
        n = min(cfg.w_tile_rows, cfg.d_head - t0)
        out.extend((m, t0, n) for m in range(3))
    return out


def _interleave_qkv(cfg: EngineConfig, ql: QLayer, h: int) -> np.ndarray:
    mats = [g.w[h * cfg.d_head:(h + 1) * cfg.d_head] for g in (ql.wq, ql.wk, ql.wv)]
    return np.vstack([mats[m][r0:r0 + n] for m, r0, n in qkv_tile_order(cfg)])


def _deinterleave_qkv(cfg: EngineConfig, blob: np.ndarray) -> list[np.ndarray]:
    mats = [np.empty((cfg.d_head, cfg.d_model), dtype=np.int8) for _ in range(3)]
    at = 0
    for m, r0, n in qkv_tile_order(cfg):
        mats[m][r0:r0 + n] = blob[at:at + n]
        at += n
    return mats


# ---- pack / unpack ---------------------------------------------------------------------------------------
def _arrays(qm: QModel) -> dict[str, np.ndarray]:
    cfg = qm.cfg
    a: dict[str, np.ndarray] = {"exp_lut": ops.EXP_LUT}
    for layer, ql in enumerate(qm.layers):
        p = f"L{layer}."
        for h in range(cfg.n_heads):
            a[f"{p}h{h}.wqkv"] = _interleave_qkv(cfg, ql, h)
        for g in GEMV_NAMES:
            gm: QGemv = getattr(ql, g)
            if g in ("wo", "w1", "w2"):
                a[f"{p}{g}.w"] = gm.w
            a[f"{p}{g}.bias"], a[f"{p}{g}.mult"], a[f"{p}{g}.shift"] = gm.bias, gm.mult, gm.shift
        for s in ("score_mult", "score_shift", "o_mult", "o_shift", "gelu_lut", "gelu_bank", *VEC_FIELDS):
            a[p + s] = getattr(ql, s)
        a[p + "ln1_eps"], a[p + "ln2_eps"] = np.array([ql.ln1_eps]), np.array([ql.ln2_eps])
    a["logits.w"], a["logits.b"] = qm.logits_w, qm.logits_b
    return a


def _store(image: bytearray, t: Tensor, value: np.ndarray) -> None:
    v = np.asarray(value)
    if v.shape != t.shape:
        raise ValueError(f"{t.name}: shape {v.shape} does not match layout {t.shape}")
    info = np.iinfo(np.dtype(t.dtype))
    if v.size and (v.min() < info.min or v.max() > info.max):
        raise ValueError(f"{t.name}: values outside {t.dtype} range")
    image[t.base:t.base + t.size] = v.astype(t.dtype).tobytes()


def pack(qm: QModel, kv: np.ndarray | None = None) -> bytes:
    """The initial DDR image (KV region zero unless `kv` [L, H, 2, max_seq, d_head] is given)."""
    lay = DdrLayout(qm.cfg)
    image = bytearray(lay.size)
    _store(image, lay.by_name["header"], lay.header())
    for name, value in _arrays(qm).items():
        _store(image, lay.by_name[name], value)
    if kv is not None:
        image[lay.kv_base:] = pack_kv(lay, kv)
    return bytes(image)


def pack_kv(lay: DdrLayout, kv: np.ndarray) -> bytes:
    """The KV region's bytes for a cache array [n_layers, n_heads, 2, max_seq, d_head] int8."""
    c = lay.cfg
    kv = np.asarray(kv, dtype=np.int8).reshape(c.n_layers * c.n_heads * 2, c.max_seq * c.d_head)
    slabs = np.zeros((kv.shape[0], lay.kv_slab), dtype=np.int8)
    slabs[:, :kv.shape[1]] = kv
    return slabs.tobytes()


def unpack_kv(lay: DdrLayout, region: bytes) -> np.ndarray:
    c = lay.cfg
    if len(region) != lay.kv_size:
        raise ValueError(f"KV region is {len(region)} bytes, layout says {lay.kv_size}")
    slabs = np.frombuffer(region, dtype=np.int8).reshape(-1, lay.kv_slab)[:, :c.max_seq * c.d_head]
    return slabs.reshape(c.n_layers, c.n_heads, 2, c.max_seq, c.d_head).copy()


def _load(image: bytes, t: Tensor) -> np.ndarray:
    raw = np.frombuffer(image, dtype=t.dtype, count=int(np.prod(t.shape)), offset=t.base)
    return raw.reshape(t.shape).astype(np.int64)


def unpack(image: bytes, cfg: EngineConfig, x_scale: npt.ArrayLike | None = None,
           logits_scale: npt.ArrayLike | None = None) -> tuple[QModel, np.ndarray]:
    """Rebuild (QModel, KV cache) from an image. Scales are host metadata, not in the image."""
    lay = DdrLayout(cfg)
    if len(image) != lay.size:
        raise ValueError(f"image is {len(image)} bytes, the layout for this config is {lay.size}")
    hdr, want = _load(image, lay.by_name["header"]), lay.header()
    if hdr[0] == MAGIC and hdr[HDR_AXI_DATA_W] != want[HDR_AXI_DATA_W]:
        raise BusWidthError(bus_width_mismatch(int(hdr[HDR_AXI_DATA_W]), cfg.axi_data_w))
    problem = header_problem(hdr, want)
    if problem:
        raise ValueError(problem)
    get = {t.name: (lambda t=t: _load(image, t)) for t in lay.tensors if t.name != "kv"}
    if not np.array_equal(get["exp_lut"](), ops.EXP_LUT):
        raise ValueError("image exp_lut differs from the numerics contract's EXP_LUT")
    layers = []
    for layer in range(cfg.n_layers):
        p = f"L{layer}."
        qkv = [_deinterleave_qkv(cfg, get[f"{p}h{h}.wqkv"]().astype(np.int8)) for h in range(cfg.n_heads)]
        g: dict[str, QGemv] = {}
        for i, name in enumerate(GEMV_NAMES):
            w = np.vstack([m[i] for m in qkv]) if i < 3 else get[f"{p}{name}.w"]().astype(np.int8)
            g[name] = QGemv(w=w, bias=get[f"{p}{name}.bias"](), mult=get[f"{p}{name}.mult"](),
                            shift=get[f"{p}{name}.shift"]())
        fields = {s: get[p + s]()
                  for s in ("score_mult", "score_shift", "o_mult", "o_shift", "gelu_lut", "gelu_bank", *VEC_FIELDS)}
        params: dict[str, Any] = {**g, **fields}     # QLayer's GEMVs and arrays, keyword by keyword
        layers.append(QLayer(**params, ln1_eps=int(get[p + "ln1_eps"]()[0]), ln2_eps=int(get[p + "ln2_eps"]()[0])))
    qm = QModel(cfg=cfg, layers=layers, logits_w=get["logits.w"]().astype(np.int8), logits_b=get["logits.b"](),
                x_scale=np.ones(cfg.d_model) if x_scale is None else np.asarray(x_scale),
                logits_scale=np.ones(cfg.vocab) if logits_scale is None else np.asarray(logits_scale))
    return qm, unpack_kv(lay, image[lay.kv_base:])
