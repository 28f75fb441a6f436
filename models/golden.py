"""The golden model: one decode step for one token, in exactly the seed's loop order.

    for layer:                      for head:  QKV weight tiles -> scores over context tiles -> softmax
                                               -> P.V over context tiles -> requant -> KV append
                                    Wo tiles -> residual+LN -> W1 tiles -> GELU LUT -> W2 tiles -> residual+LN
    logits tiles
Two documented corrections to the seed (docs/numerics.md): accumulators are int32, and attention covers
positions 0..t including the current token, whose K/V come from on-chip (the append happens after).

Pure integer: every value is produced by a function of `models.ops`.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from . import ops
from .ops import I64Array
from .qmodel import QGemv, QModel

LAYER_NAMES = ("x_in", "x_in_res", "o_concat", "oprime", "y1", "x_att", "x_att_res", "u", "u_act", "f", "y2", "x",
               "x_res")
HEAD_NAMES = ("q", "k", "v", "s_raw", "s", "p", "o")


@dataclass
class Trace:
    """Every intermediate, keyed by (token, layer, head, name); head is None for per-layer values and
    layer is None for per-token values (x_in, logits)."""
    values: dict[tuple[int, int | None, int | None, str], I64Array] = field(default_factory=dict)

    def put(self, token: int, layer: int | None, head: int | None, name: str, value: npt.ArrayLike) -> None:
        self.values[(token, layer, head, name)] = np.array(value, dtype=np.int64, copy=True)

    def get(self, token: int, layer: int | None, head: int | None, name: str) -> I64Array:
        return self.values[(token, layer, head, name)]


class _Gemv:
    """A QGemv held as int64 for fast evaluation, its requant parameters checked once."""

    def __init__(self, g: QGemv) -> None:
        self.w = g.w.astype(np.int64)
        self.bias, self.mult, self.shift = (np.asarray(a, dtype=np.int64) for a in (g.bias, g.mult, g.shift))
        ops.check_requant_params(self.mult, self.shift)


class GoldenEngine:
    """Holds the quantized model and the KV cache [n_layers, n_heads, 2 (K, V), max_seq, d_head] int8."""

    def __init__(self, qm: QModel, kv: npt.ArrayLike | None = None) -> None:
        self.qm = qm
        self.cfg = cfg = qm.cfg
        shape = (cfg.n_layers, cfg.n_heads, 2, cfg.max_seq, cfg.d_head)
        self.kv = np.zeros(shape, dtype=np.int8) if kv is None else np.array(kv, dtype=np.int8).reshape(shape)
        self._layers = [{n: _Gemv(getattr(ql, n)) for n in ("wq", "wk", "wv", "wo", "w1", "w2")} for ql in qm.layers]
        self._logits_w = qm.logits_w.astype(np.int64)

    # ---- GEMV + requant (ops.gemv / ops.requant) ----
    def _gemv(self, g: _Gemv, x: I64Array, rows: slice, lo: int = ops.I8_MIN, hi: int = ops.I8_MAX) -> I64Array:
        """Rows `rows` of the GEMV, requantised. The engine streams them in w_tile_rows tiles; a tile splits rows,
        never a row's sum, and each row's requant uses only its own parameters, so the rows of all tiles at once
        are the tiles' results concatenated (one numpy call instead of one per tile)."""
        acc = ops.gemv(x, g.w[rows])
        return ops.requant(acc, g.bias[rows], g.mult[rows], g.shift[rows], lo, hi, params_checked=True)

    def _attention_head(self, layer: int, h: int, qkv: tuple[I64Array, I64Array, I64Array], pos: int, tok: int,
                        tr: Trace | None) -> I64Array:
        """Head h of a layer from its Q/K/V rows (`qkv`: every head's rows of the three GEMVs, _layer)."""
        cfg, ql = self.cfg, self.qm.layers[layer]
        rows = slice(h * cfg.d_head, (h + 1) * cfg.d_head)
        q, k, v = (a[rows] for a in qkv)
        k_cache, v_cache = self.kv[layer, h, 0], self.kv[layer, h, 1]

        def ctx_rows(cache: npt.NDArray[np.int8], cur: I64Array, t0: int, t1: int) -> I64Array:
            tile = cache[t0:min(t1, pos)].astype(np.int64)
            return np.vstack([tile, cur[None, :]]) if t1 > pos else tile

        n_ctx = pos + 1
        # scores: the engine takes K in ctx_tile rows; each score is one row's sum, so all rows at once (see _gemv)
        s_raw = ops.gemv(q, ctx_rows(k_cache, k, 0, n_ctx))
        s = ops.score_scale_clamp(s_raw, ql.score_mult[h], ql.score_shift[h])
        p = ops.softmax(s)
        acc = np.zeros(cfg.d_head, dtype=np.int64)
        for t0 in range(0, n_ctx, cfg.ctx_tile):           # P.V accumulates across tiles: tile by tile
            t1 = min(t0 + cfg.ctx_tile, n_ctx)
            acc = ops.pv_accum(p[t0:t1], ctx_rows(v_cache, v, t0, t1), acc)
        o = ops.requant(acc, 0, ql.o_mult[h], ql.o_shift[h])
        k_cache[pos], v_cache[pos] = k, v           # KV write-back (append at the token's position)
        if tr is not None:
            for name, val in zip(HEAD_NAMES, (q, k, v, s_raw, s, p, o), strict=True):
                tr.put(tok, layer, h, name, val)
        return o

    def _layer(self, layer: int, x: I64Array, x_res: I64Array, pos: int, tok: int,
               tr: Trace | None) -> tuple[I64Array, I64Array]:
        cfg, ql, g = self.cfg, self.qm.layers[layer], self._layers[layer]
        # QKV: the engine streams Wq, Wk, Wv head by head, tile by tile; per-row results are independent of both
        # (_gemv), so every head's rows at once
        heads = slice(0, cfg.n_heads * cfg.d_head)
        qkv = (self._gemv(g["wq"], x, heads), self._gemv(g["wk"], x, heads), self._gemv(g["wv"], x, heads))
        o_concat = np.concatenate([self._attention_head(layer, h, qkv, pos, tok, tr) for h in range(cfg.n_heads)])
        oprime = self._gemv(g["wo"], o_concat, slice(0, cfg.d_model), ops.I16_MIN, ops.I16_MAX)
        y1 = ops.residual_add(x_res, ql.res1_x_mult, oprime, ql.res1_r_mult)
        x_att, x_att_res = ops.layernorm(y1, ql.ln1_gamma, ql.ln1_beta, ql.ln1_eps)
        u = self._gemv(g["w1"], x_att, slice(0, cfg.d_ff))
        u_act = ops.act_lut(u, ql.gelu_lut, ql.gelu_bank)
        f = self._gemv(g["w2"], u_act, slice(0, cfg.d_model), ops.I16_MIN, ops.I16_MAX)
        y2 = ops.residual_add(x_att_res, ql.res2_x_mult, f, ql.res2_r_mult)
        x_out, x_out_res = ops.layernorm(y2, ql.ln2_gamma, ql.ln2_beta, ql.ln2_eps)
        if tr is not None:
            vals = (x, x_res, o_concat, oprime, y1, x_att, x_att_res, u, u_act, f, y2, x_out, x_out_res)
            for name, val in zip(LAYER_NAMES, vals, strict=True):
                tr.put(tok, layer, None, name, val)
        return x_out, x_out_res

    def step(self, x_q: npt.ArrayLike, pos: int, tr: Trace | None = None, tok: int | None = None) -> I64Array:
        """Decode one token at sequence position `pos`; returns int32 logits [vocab] (as int64 array)."""
        cfg = self.cfg
        if not 0 <= pos < cfg.max_seq:
            raise ValueError(f"position {pos} outside [0, max_seq={cfg.max_seq})")
        x = np.asarray(x_q, dtype=np.int64)
        if x.shape != (cfg.d_model,):
            raise ValueError(f"x must have shape ({cfg.d_model},), got {x.shape}")
        ops._check_range("x", x, ops.I8_MIN, ops.I8_MAX)
        tok = pos if tok is None else tok
        x_res = x << (ops.LN_OUT_SHIFT - ops.RES_COPY_SHIFT)      # the int8 input's residual copy
        for layer in range(cfg.n_layers):
            x, x_res = self._layer(layer, x, x_res, pos, tok, tr)
        logits = ops.logits(x, self._logits_w, self.qm.logits_b)    # every tile's rows at once (see _gemv)
        if tr is not None:
            tr.put(tok, None, None, "logits", logits)
        return logits

    def run(self, x_q: ops.IntArray, start_pos: int = 0, tr: Trace | None = None) -> npt.NDArray[np.int32]:
        """Decode tokens x_q [T, d_model] at positions start_pos.. ; returns logits [T, vocab] int32."""
        return np.stack([self.step(x, start_pos + i, tr) for i, x in enumerate(x_q)]).astype(np.int32)
