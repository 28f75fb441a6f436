"""The DMA schedule of one decode token: the exact, ordered AXI transfers the control FSM issues.

This is the executable spec the RTL FSM follows and the scoreboard / perf benchmark check. The order is
the seed's loop nest (models/golden.py); one `Transfer` is one DMA command (a whole tensor, or one tile).

    header                          the 64-byte image header (checked against the config CSRs first)
    for layer:
        ATTN params:  wq/wk/wv .bias .mult .shift, score_mult, score_shift, o_mult, o_shift
        for head h:   wqkv tile 0..      one read per tile: the interleaved [q rows][k rows][v rows]
                      (h > 0) head h-1's V part: V ctx tile 0.. (rows 0..pos-1 of its V slab,
                                         ctx_tile rows each, none at pos 0), then its K append and
                                         V append (writes, d_head bytes at layout.kv_addr(l, h-1, 0|1, pos))
                      K ctx tile 0..     rows 0..pos-1 of head h's K slab
        WO params:    wo .bias .mult .shift, res1_x_mult, res1_r_mult, ln1_eps, ln1_gamma, ln1_beta
        the last head's V part (V ctx tiles, K append, V append)
        Wo tiles      w_tile_rows rows of d_model bytes (last tile partial)
        W1 params:    w1 .bias .mult .shift, gelu_lut, gelu_bank
        W1 tiles      w_tile_rows rows of d_model bytes
        W2 params:    w2 .bias .mult .shift, res2_x_mult, res2_r_mult, ln2_eps, ln2_gamma, ln2_beta
        W2 tiles      w_tile_rows rows of d_ff bytes
    LOGITS params: logits.b;  logits.w tiles (w_tile_rows rows of d_model bytes)

Parameter load order (one rule): every GEMV phase is preceded by the parameters of its own requant and of
the element-wise operators that run after it and before the next GEMV. So each parameter is resident before
first use, the FSM has one shape per phase ([params] then [tiles]), and the small parameter reads are
queued behind the previous phase's weight tiles: the read channel prefetches them while the previous
phase's last tiles compute, residual-add and LayerNorm run. Parameters are read whole, once per layer
(BRAM cost at MiniLM: 9 x d_model x 4 B = 13.5 KB for the QKV requant, the largest group). logits.b comes
before the logits tiles because every logits tile adds its bias slice (ops.logits).

Heads overlap: head h's QKV tiles are read before head h-1's V part, so the main MAC computes head h's Q/K/V
while the attention unit runs head h-1's softmax (which needs no read: the V tiles wait for its
probabilities); the engine keeps two heads' Q/K/V on chip (le_exec_bufs). Likewise the Wo parameters load
during the last head's softmax, before its V part. The values are those of the loop nest (models/golden.py):
only the read order moves.

Context tiles: golden's ctx tile j covers positions [j*ctx_tile, min((j+1)*ctx_tile, pos+1)); the DMA
tile j is the same range clipped to pos (the current token's row comes from on chip), so there are
ceil(pos / ctx_tile) DMA tiles and none at pos 0. A head's appends follow its P.V, as in golden.

exp_lut is never read: the RTL holds EXP_LUT in a ROM (rtl/le_exp_lut_rom.sv, generated from the same
table); the DDR copy lets tools check the contract (models/traffic.py excludes it too).

Byte accounting: `schedule_traffic` counts requested bytes (tensor / tile sizes, as traffic.py does).
Every transfer starts on a bus-beat boundary (tensors are 64-byte aligned; IMAGE_BASE is 64-byte aligned;
row sizes are multiples of the lanes). A read whose length is not a whole number of beats (score_mult etc.
at n_heads*4 bytes, ln eps at 8 bytes, logits.b at vocab*4 bytes) is issued as whole beats: the last beat is
partly padding, which lies inside the tensor's 64-byte footprint and is discarded. `schedule_beats` counts
those beats; beats * bus_bytes >= requested bytes. Writes are always whole beats (WSTRB all ones).
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from functools import lru_cache

from .axi import BOUNDARY_4K, MAX_BURST_BEATS
from .config import EngineConfig
from .ddr_layout import DdrLayout, layout_of
from .traffic import RegionBytes, beats, token_traffic

AXI_BOUNDARY = BOUNDARY_4K          # an AXI4 burst must not cross a 4 KB address boundary (models/axi.py)
AXI_MAX_BEATS = MAX_BURST_BEATS     # AXI4 INCR burst length limit

ATTN_PARAMS = ("wq.bias", "wq.mult", "wq.shift", "wk.bias", "wk.mult", "wk.shift", "wv.bias", "wv.mult",
               "wv.shift", "score_mult", "score_shift", "o_mult", "o_shift")
WO_PARAMS = ("wo.bias", "wo.mult", "wo.shift", "res1_x_mult", "res1_r_mult", "ln1_eps", "ln1_gamma", "ln1_beta")
W1_PARAMS = ("w1.bias", "w1.mult", "w1.shift", "gelu_lut", "gelu_bank")
W2_PARAMS = ("w2.bias", "w2.mult", "w2.shift", "res2_x_mult", "res2_r_mult", "ln2_eps", "ln2_gamma", "ln2_beta")


@dataclass(frozen=True)
class Transfer:
    """One DMA command. `addr` is a byte offset into the image (the engine adds IMAGE_BASE)."""
    kind: str               # "rd" | "wr"
    addr: int
    nbytes: int
    tensor: str             # DdrLayout tensor name, or "kv"
    layer: int | None
    head: int | None
    tile: int | None        # tile index within its tensor / ctx range, None for whole-tensor loads
    purpose: str            # "header", "params", "wqkv", "k_ctx", "v_ctx", "k_append", "v_append",
                            # "wo", "w1", "w2", "logits_b", "logits_w"

    @property
    def end(self) -> int:
        return self.addr + self.nbytes


# ---- building blocks --------------------------------------------------------------------------------------
def _whole(layout: DdrLayout, name: str, layer: int | None, purpose: str = "params") -> Transfer:
    t = layout.by_name[name]
    return Transfer("rd", t.base, t.size, name, layer, None, None, purpose)


def _params(layout: DdrLayout, layer: int, names: Iterable[str]) -> list[Transfer]:
    return [_whole(layout, f"L{layer}.{n}", layer) for n in names]


def _row_tiles(layout: DdrLayout, name: str, row_bytes: int, tile_rows: int, layer: int | None,
               purpose: str) -> list[Transfer]:
    """Consecutive tiles of `tile_rows` rows of `row_bytes` over a whole tensor (the last one partial)."""
    t = layout.by_name[name]
    rows = t.size // row_bytes
    return [Transfer("rd", t.base + r0 * row_bytes, min(tile_rows, rows - r0) * row_bytes, name, layer, None, i,
                     purpose) for i, r0 in enumerate(range(0, rows, tile_rows))]


def _qkv_tiles(layout: DdrLayout, layer: int, head: int) -> list[Transfer]:
    """One read per QKV tile: the tile's q, k and v rows are adjacent in the interleaved wqkv region."""
    c = layout.cfg
    name = f"L{layer}.h{head}.wqkv"
    tiles = _row_tiles(layout, name, 3 * c.d_model, c.w_tile_rows, layer, "wqkv")
    return [replace(t, head=head) for t in tiles]


def _ctx_tiles(layout: DdrLayout, layer: int, head: int, which: int, pos: int) -> list[Transfer]:
    """K (which=0) or V (which=1) cache rows 0..pos-1 in ctx_tile-row tiles."""
    c = layout.cfg
    purpose = ("k_ctx", "v_ctx")[which]
    return [Transfer("rd", layout.kv_addr(layer, head, which, t0), min(c.ctx_tile, pos - t0) * c.d_head, "kv",
                     layer, head, i, purpose) for i, t0 in enumerate(range(0, pos, c.ctx_tile))]


def _append(layout: DdrLayout, layer: int, head: int, which: int, pos: int) -> Transfer:
    c = layout.cfg
    if c.d_head % c.bus_bytes:
        raise ValueError(f"d_head = {c.d_head} is not a multiple of bus_bytes = {c.bus_bytes}: "
                         "a K/V append would need a partial WSTRB")
    addr = layout.kv_addr(layer, head, which, pos)
    if addr % c.bus_bytes:
        raise ValueError(f"K/V row address {addr:#x} is not beat aligned")
    return Transfer("wr", addr, c.d_head, "kv", layer, head, None, ("k_append", "v_append")[which])


def _check_pos(layout: DdrLayout, pos: int) -> None:
    if not 0 <= pos < layout.cfg.max_seq:
        raise ValueError(f"pos = {pos}: must be in [0, max_seq={layout.cfg.max_seq})")


# ---- the schedule -----------------------------------------------------------------------------------------
def _v_part(layout: DdrLayout, layer: int, head: int, pos: int) -> list[Transfer]:
    """A head's V context tiles and its two appends (after its softmax)."""
    return [*_ctx_tiles(layout, layer, head, 1, pos), _append(layout, layer, head, 0, pos),
            _append(layout, layer, head, 1, pos)]


def _layer(layout: DdrLayout, layer: int, pos: int) -> list[Transfer]:
    c, p = layout.cfg, f"L{layer}."
    out = _params(layout, layer, ATTN_PARAMS)
    for h in range(c.n_heads):
        out += _qkv_tiles(layout, layer, h)
        if h > 0:
            out += _v_part(layout, layer, h - 1, pos)
        out += _ctx_tiles(layout, layer, h, 0, pos)
    out += _params(layout, layer, WO_PARAMS)
    out += _v_part(layout, layer, c.n_heads - 1, pos)
    out += _row_tiles(layout, p + "wo.w", c.d_model, c.w_tile_rows, layer, "wo")
    out += _params(layout, layer, W1_PARAMS)
    out += _row_tiles(layout, p + "w1.w", c.d_model, c.w_tile_rows, layer, "w1")
    out += _params(layout, layer, W2_PARAMS)
    out += _row_tiles(layout, p + "w2.w", c.d_ff, c.w_tile_rows, layer, "w2")
    return out


def token_schedule(layout: DdrLayout, pos: int) -> list[Transfer]:
    """Every DMA transfer of one token at sequence position `pos`, in issue order."""
    _check_pos(layout, pos)
    c = layout.cfg
    out: list[Transfer] = [_whole(layout, "header", None, "header")]
    for layer in range(c.n_layers):
        out += _layer(layout, layer, pos)
    out.append(_whole(layout, "logits.b", None, "logits_b"))
    out += _row_tiles(layout, "logits.w", c.d_model, c.w_tile_rows, None, "logits_w")
    return out


def kv_writes(layout: DdrLayout, pos: int) -> list[Transfer]:
    """The K and V appends of one token in schedule order (layer-major, head, K then V).

    d_head is a multiple of the lanes (EngineConfig.validate) and every row address is kv_base (64-aligned)
    + slab (64-aligned) + pos * d_head, so each append is whole beats with WSTRB all ones."""
    _check_pos(layout, pos)
    c = layout.cfg
    return [_append(layout, layer, h, w, pos) for layer in range(c.n_layers) for h in range(c.n_heads) for w in (0, 1)]


# ---- accounting -------------------------------------------------------------------------------------------
def schedule_traffic(schedule: Iterable[Transfer]) -> tuple[int, int]:
    """(bytes_read, bytes_written) as requested bytes (what traffic.py counts)."""
    rd = wr = 0
    for t in schedule:
        if t.kind == "rd":
            rd += t.nbytes
        else:
            wr += t.nbytes
    return rd, wr


def schedule_beats(schedule: Iterable[Transfer], bus_bytes: int) -> tuple[int, int]:
    """(read beats, write beats) actually on the bus: each transfer rounded up to whole beats."""
    rd = wr = 0
    for t in schedule:
        n = beats(t.nbytes, bus_bytes)
        if t.kind == "rd":
            rd += n
        else:
            wr += n
    return rd, wr


@lru_cache(maxsize=64)
def _beats_at_pos0(cfg: EngineConfig) -> tuple[int, int]:
    """schedule_beats of the token at position 0: every transfer but the context tiles (none at pos 0)."""
    return schedule_beats(token_schedule(layout_of(cfg), 0), cfg.bus_bytes)


@lru_cache(maxsize=4096)
def token_beats(cfg: EngineConfig, pos: int) -> tuple[int, int]:
    """(read beats, write beats) of one token at `pos` on cfg's bus, equal to schedule_beats(token_schedule(...))
    (tests/test_schedule.py checks every position): the position moves only the K and V context tiles
    (_ctx_tiles: ctx_tile rows of d_head bytes, the last one partial, per layer and head), so they are added to
    the position-0 beats instead of walking the whole schedule for each new position."""
    _check_pos(layout_of(cfg), pos)
    rd, wr = _beats_at_pos0(cfg)
    full, rest = divmod(pos, cfg.ctx_tile)
    per_slab = full * beats(cfg.ctx_tile * cfg.d_head, cfg.bus_bytes) + (beats(rest * cfg.d_head, cfg.bus_bytes)
                                                                          if rest else 0)
    return rd + 2 * cfg.n_layers * cfg.n_heads * per_slab, wr


def by_region(schedule: Iterable[Transfer]) -> dict[str, RegionBytes]:
    """Requested bytes per layout tensor, comparable with traffic.Traffic.by_region."""
    acc: dict[str, list[int]] = {}
    for t in schedule:
        acc.setdefault(t.tensor, [0, 0])[t.kind == "wr"] += t.nbytes
    return {k: RegionBytes(*v) for k, v in acc.items()}


def check_traffic(layout: DdrLayout, pos: int, schedule: list[Transfer] | None = None) -> None:
    """Raise ValueError unless the schedule moves exactly models.traffic.token_traffic's bytes, per region."""
    sched = token_schedule(layout, pos) if schedule is None else schedule
    want = token_traffic(layout, pos)
    got = schedule_traffic(sched)
    if got != (want.bytes_read, want.bytes_written):
        raise ValueError(f"pos {pos}: schedule moves (rd, wr) = {got}, traffic.py says "
                         f"({want.bytes_read}, {want.bytes_written})")
    regions = by_region(sched)
    for name in sorted(set(regions) | set(want.by_region)):
        g, w = regions.get(name, RegionBytes(0, 0)), want.by_region.get(name, RegionBytes(0, 0))
        if g != w:
            raise ValueError(f"pos {pos}: region {name}: schedule {tuple(g)}, traffic.py {tuple(w)}")


# ---- AXI burst split --------------------------------------------------------------------------------------
def bursts(transfer: Transfer, bus_bytes: int, max_beats: int = AXI_MAX_BEATS,
           image_base: int = 0) -> list[tuple[int, int]]:
    """AXI4 INCR bursts (address, beats) of one transfer: <= max_beats each, none crossing a 4 KB boundary.

    Addresses are image_base + transfer.addr: the 4 KB rule is about the absolute DDR address, and IMAGE_BASE
    is only required to be 64-byte aligned, so pass the real base when it is known (with the default 0 the
    split is exact only for a 4 KB-aligned image). Reads round the length up to whole beats (module
    docstring); writes must already be whole beats."""
    if bus_bytes < 1 or bus_bytes & (bus_bytes - 1) or AXI_BOUNDARY % bus_bytes:
        raise ValueError(f"bus_bytes = {bus_bytes}: must be a power of two dividing {AXI_BOUNDARY}")
    if not 1 <= max_beats <= AXI_MAX_BEATS:
        raise ValueError(f"max_beats = {max_beats}: must be in [1, {AXI_MAX_BEATS}]")
    addr = image_base + transfer.addr
    if addr % bus_bytes:
        raise ValueError(f"{transfer.tensor} ({transfer.purpose}): address {addr:#x} is not aligned to the "
                         f"{bus_bytes}-byte bus")
    if transfer.kind == "wr" and transfer.nbytes % bus_bytes:
        raise ValueError(f"{transfer.tensor} ({transfer.purpose}): write of {transfer.nbytes} bytes is not whole "
                         f"{bus_bytes}-byte beats (partial WSTRB is not supported)")
    return list(_split(addr, beats(transfer.nbytes, bus_bytes), bus_bytes, max_beats))


def _split(addr: int, n_beats: int, bus_bytes: int, max_beats: int) -> Iterator[tuple[int, int]]:
    while n_beats:
        room = (AXI_BOUNDARY - addr % AXI_BOUNDARY) // bus_bytes
        n = min(n_beats, max_beats, room)
        yield addr, n
        addr += n * bus_bytes
        n_beats -= n


# ---- rendering --------------------------------------------------------------------------------------------
def _opt(v: int | None) -> str:
    return "-" if v is None else str(v)


def describe(schedule: list[Transfer], bus_bytes: int | None = None) -> str:
    """A Markdown table of the schedule, one row per transfer, then the totals."""
    lines = ["| # | kind | addr | bytes | tensor | layer | head | tile | purpose |",
             "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
    for i, t in enumerate(schedule):
        lines.append(f"| {i} | {t.kind} | {t.addr:#010x} | {t.nbytes} | `{t.tensor}` | {_opt(t.layer)} | "
                     f"{_opt(t.head)} | {_opt(t.tile)} | {t.purpose} |")
    rd, wr = schedule_traffic(schedule)
    total = f"{len(schedule)} transfers; {rd} bytes read, {wr} bytes written (requested bytes)"
    if bus_bytes:
        rb, wb = schedule_beats(schedule, bus_bytes)
        total += f"; {rb} read beats, {wb} write beats at {bus_bytes} B/beat"
    return "\n".join([*lines, "", total])
