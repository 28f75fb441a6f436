"""The per-token DMA schedule: loop order, exact tiling, context tiles, traffic totals, AXI bursts, regions."""
from __future__ import annotations

import random
from itertools import groupby, pairwise

import pytest

from models.config import preset
from models.ddr_layout import ALIGN, DdrLayout, align, qkv_tile_order
from models.schedule import (
    AXI_BOUNDARY,
    Transfer,
    bursts,
    by_region,
    check_traffic,
    describe,
    kv_writes,
    schedule_beats,
    schedule_traffic,
    token_beats,
    token_schedule,
)
from models.traffic import beats, token_traffic

PRESETS = ("tiny", "small", "minilm")


def lay(name: str) -> DdrLayout:
    return DdrLayout(preset(name))


def positions(layout: DdrLayout) -> list[int]:
    c = layout.cfg
    return sorted({0, 1, c.ctx_tile - 1, c.ctx_tile, c.ctx_tile + 1, 2 * c.ctx_tile + 3, c.max_seq - 1})


CASES = [(n, p) for n in PRESETS for p in positions(lay(n))]


def expected_blocks(layout: DdrLayout, pos: int) -> list[tuple]:
    """The seed's loop nest as (purpose, layer, head) runs, written independently of the schedule, with the
    heads overlapped: head h's wqkv before head h-1's V part (V context, appends), the Wo parameters before the
    last head's V part."""
    c = layout.cfg
    out: list[tuple] = [("header", None, None)]

    def v_part(layer: int, h: int) -> list[tuple]:
        return [*([("v_ctx", layer, h)] if pos else []), ("k_append", layer, h), ("v_append", layer, h)]

    for layer in range(c.n_layers):
        out.append(("params", layer, None))
        for h in range(c.n_heads):
            out.append(("wqkv", layer, h))
            if h:
                out += v_part(layer, h - 1)
            if pos:
                out.append(("k_ctx", layer, h))
        out += [("params", layer, None), *v_part(layer, c.n_heads - 1)]
        out += [("wo", layer, None), ("params", layer, None), ("w1", layer, None),
                ("params", layer, None), ("w2", layer, None)]
    return [*out, ("logits_b", None, None), ("logits_w", None, None)]


@pytest.mark.parametrize("name,pos", CASES)
def test_order_is_the_loop_nest(name, pos):
    layout = lay(name)
    sched = token_schedule(layout, pos)
    runs = [(k, list(g)) for k, g in groupby(sched, key=lambda t: (t.purpose, t.layer, t.head))]
    assert [k for k, _ in runs] == expected_blocks(layout, pos)
    for (purpose, _, _), ts in runs:
        if purpose != "params" and ts[0].tile is not None:
            assert [t.tile for t in ts] == list(range(len(ts))), purpose       # tiles in order
            assert all(a.end == b.addr for a, b in pairwise(ts)), purpose   # and contiguous in address


@pytest.mark.parametrize("name", PRESETS)
def test_parameters_resident_before_use(name):
    layout = lay(name)
    sched = token_schedule(layout, 5)
    idx = {t.tensor: i for i, t in enumerate(sched) if t.purpose == "params"}

    def first(purpose: str, layer: int) -> int:
        return next(i for i, t in enumerate(sched) if t.purpose == purpose and t.layer == layer)

    for layer in range(layout.cfg.n_layers):
        p = f"L{layer}."
        for g in ("wq", "wk", "wv"):
            assert idx[p + g + ".bias"] < first("wqkv", layer)
        for s in ("score_mult", "score_shift", "o_mult", "o_shift"):
            assert idx[p + s] < first("wqkv", layer)
        for s in ("wo.bias", "wo.mult", "wo.shift", "res1_x_mult", "res1_r_mult", "ln1_eps", "ln1_gamma", "ln1_beta"):
            assert first("v_append", layer) < idx[p + s] < first("wo", layer)
        for s in ("w1.bias", "w1.mult", "w1.shift", "gelu_lut", "gelu_bank"):
            assert idx[p + s] < first("w1", layer)
        for s in ("w2.bias", "w2.mult", "w2.shift", "res2_x_mult", "res2_r_mult", "ln2_eps", "ln2_gamma", "ln2_beta"):
            assert first("w1", layer) < idx[p + s] < first("w2", layer)
    assert sched[-1].purpose == "logits_w" and sched[0].purpose == "header" and sched[1].purpose == "params"
    assert [t.purpose for t in sched].index("logits_b") < [t.purpose for t in sched].index("logits_w")


@pytest.mark.parametrize("name,pos", CASES)
def test_every_ro_tensor_covered_exactly_once(name, pos):
    layout = lay(name)
    sched = token_schedule(layout, pos)
    for t in layout.tensors:
        if t.access != "ro" or t.name == "exp_lut":
            continue
        reads = sorted((x for x in sched if x.tensor == t.name), key=lambda x: x.addr)
        assert reads and all(x.kind == "rd" for x in reads), t.name
        assert reads[0].addr == t.base and reads[-1].end == t.base + t.size, t.name
        assert all(a.end == b.addr for a, b in pairwise(reads)), f"{t.name}: gap or overlap"
    assert sched[0].tensor == "header" and sched[0].nbytes == 64


def test_tiny_partial_tiles():
    layout = lay("tiny")
    c = layout.cfg
    assert (c.w_tile_rows, c.d_head, c.vocab) == (12, 16, 97)
    sched = token_schedule(layout, 3)

    def sizes(tensor: str) -> list[int]:
        return [t.nbytes for t in sched if t.tensor == tensor]

    d, f = c.d_model, c.d_ff
    assert sizes("L0.h0.wqkv") == [3 * 12 * d, 3 * 4 * d]
    assert sizes("L1.wo.w") == [12 * d, 12 * d, 8 * d]
    assert sizes("L0.w1.w") == [12 * d] * 5 + [4 * d]
    assert sizes("L0.w2.w") == [12 * f, 12 * f, 8 * f]
    assert sizes("logits.w") == [12 * d] * 8 + [1 * d]
    assert sizes("logits.b") == [97 * 4]


@pytest.mark.parametrize("name", PRESETS)
def test_qkv_tiles_match_the_interleave(name):
    """Tile i of a head's wqkv read = the q, k and v row runs of tile i in qkv_tile_order, back to back."""
    layout = lay(name)
    c = layout.cfg
    order = qkv_tile_order(c)
    for layer in range(c.n_layers):
        for h in range(c.n_heads):
            base = layout.by_name[f"L{layer}.h{h}.wqkv"].base
            tiles = [t for t in token_schedule(layout, 0) if t.purpose == "wqkv" and (t.layer, t.head) == (layer, h)]
            at = 0
            for i, t in enumerate(tiles):
                trio = order[3 * i:3 * i + 3]
                assert [m for m, _, _ in trio] == [0, 1, 2] and len({(r0, n) for _, r0, n in trio}) == 1
                assert t.addr == base + at * c.d_model and t.nbytes == 3 * trio[0][2] * c.d_model
                at += 3 * trio[0][2]
            assert at == 3 * c.d_head


@pytest.mark.parametrize("pos,rows", [(0, []), (1, [1]), (8, [8]), (9, [8, 1]), (16, [8, 8]), (63, [8] * 7 + [7])])
def test_ctx_tiles_tiny(pos, rows):
    layout = lay("tiny")
    c = layout.cfg
    assert c.ctx_tile == 8 and c.max_seq == 64
    sched = token_schedule(layout, pos)
    for layer in range(c.n_layers):
        for h in range(c.n_heads):
            for which, purpose in enumerate(("k_ctx", "v_ctx")):
                ts = [t for t in sched if t.purpose == purpose and (t.layer, t.head) == (layer, h)]
                assert [t.nbytes // c.d_head for t in ts] == rows
                want = [layout.kv_addr(layer, h, which, j * c.ctx_tile) for j in range(len(rows))]
                assert [t.addr for t in ts] == want
                assert all(t.nbytes % c.d_head == 0 and t.tensor == "kv" for t in ts)


@pytest.mark.parametrize("name,pos", CASES)
def test_ctx_tiles_are_golden_tiles_without_current_row(name, pos):
    """DMA ctx tile j = golden's ctx tile j over 0..pos, clipped to the cached rows 0..pos-1."""
    layout = lay(name)
    c = layout.cfg
    golden = [(t0, min(t0 + c.ctx_tile, pos + 1)) for t0 in range(0, pos + 1, c.ctx_tile)]
    want = [(t0, min(t1, pos)) for t0, t1 in golden if min(t1, pos) > t0]
    ks = [t for t in token_schedule(layout, pos) if t.purpose == "k_ctx" and (t.layer, t.head) == (0, 0)]
    k0 = layout.kv_addr(0, 0, 0, 0)
    assert [((t.addr - k0) // c.d_head, (t.end - k0) // c.d_head) for t in ks] == want


@pytest.mark.parametrize("name,pos", CASES)
def test_totals_equal_token_traffic(name, pos):
    layout = lay(name)
    sched = token_schedule(layout, pos)
    want = token_traffic(layout, pos)
    assert schedule_traffic(sched) == (want.bytes_read, want.bytes_written)
    assert by_region(sched) == want.by_region
    check_traffic(layout, pos, sched)
    rb, wb = schedule_beats(sched, layout.cfg.bus_bytes)
    assert rb >= beats(want.bytes_read, layout.cfg.bus_bytes) and wb * layout.cfg.bus_bytes == want.bytes_written


def test_check_traffic_catches_a_dropped_transfer():
    layout = lay("tiny")
    sched = token_schedule(layout, 4)
    with pytest.raises(ValueError, match=r"traffic\.py"):
        check_traffic(layout, 4, sched[:-1])


def test_exp_lut_is_never_read_and_the_header_once_first():
    """exp_lut is a ROM in the RTL; the header is read once, first (the engine checks it against the CSRs)."""
    layout = lay("small")
    sched = token_schedule(layout, 7)
    assert not [t for t in sched if t.tensor == "exp_lut"]
    assert [i for i, t in enumerate(sched) if t.tensor == "header"] == [0]


def check_split(t: Transfer, bus: int, max_beats: int, base: int) -> None:
    bs = bursts(t, bus, max_beats, image_base=base)
    assert bs and bs[0][0] == base + t.addr
    for (a, n), (b, _) in pairwise(bs):
        assert b == a + n * bus, "bursts are not contiguous"
    for a, n in bs:
        assert 1 <= n <= max_beats
        assert a % bus == 0
        assert a // AXI_BOUNDARY == (a + n * bus - 1) // AXI_BOUNDARY, f"burst {a:#x}+{n} beats crosses 4 KB"
    assert sum(n for _, n in bs) == beats(t.nbytes, bus)
    if t.kind == "wr":
        assert sum(n for _, n in bs) * bus == t.nbytes


def test_burst_split_property():
    rng = random.Random(1234)
    for _ in range(5000):
        bus = rng.choice((8, 16, 32))
        kind = rng.choice(("rd", "wr"))
        addr = rng.randrange(0, 1 << 22, bus)
        n = rng.randrange(1, 40000) if kind == "rd" else bus * rng.randrange(1, 2000)
        base = rng.choice((0, 64, 4096 - 64, rng.randrange(0, 1 << 30, 64)))
        check_split(Transfer(kind, addr, n, "x", None, None, None, "p"), bus, rng.choice((1, 7, 16, 255, 256)), base)


def test_burst_split_edges():
    t = Transfer("rd", 4096 - 16, 32, "x", None, None, None, "p")
    assert bursts(t, 16) == [(4096 - 16, 1), (4096, 1)]
    assert bursts(Transfer("rd", 0, 8192, "x", None, None, None, "p"), 32) == [(0, 128), (4096, 128)]
    assert bursts(Transfer("rd", 0, 8192, "x", None, None, None, "p"), 8) == [(0, 256), (2048, 256), (4096, 256),
                                                                              (6144, 256)]
    assert bursts(Transfer("rd", 0, 8, "x", None, None, None, "p"), 16) == [(0, 1)]     # rounded up to a beat
    with pytest.raises(ValueError, match="not aligned"):
        bursts(Transfer("rd", 8, 16, "x", None, None, None, "p"), 16)
    with pytest.raises(ValueError, match="not aligned"):
        bursts(Transfer("rd", 0, 16, "x", None, None, None, "p"), 32, image_base=16)
    with pytest.raises(ValueError, match="WSTRB"):
        bursts(Transfer("wr", 0, 8, "x", None, None, None, "p"), 16)


@pytest.mark.parametrize("name", PRESETS)
@pytest.mark.parametrize("base", [0, 64, 0x8000_0FC0])
def test_schedule_bursts(name, base):
    layout = lay(name)
    for t in token_schedule(layout, layout.cfg.max_seq - 1):
        check_split(t, layout.cfg.bus_bytes, 256, base)


@pytest.mark.parametrize("name,pos", CASES)
def test_kv_writes(name, pos):
    layout = lay(name)
    c = layout.cfg
    ws = kv_writes(layout, pos)
    assert ws == [t for t in token_schedule(layout, pos) if t.kind == "wr"]
    want = [(layout.kv_addr(layer, h, w, pos), c.d_head)
            for layer in range(c.n_layers) for h in range(c.n_heads) for w in (0, 1)]
    assert [(t.addr, t.nbytes) for t in ws] == want
    assert [t.purpose for t in ws[:2]] == ["k_append", "v_append"]
    assert all(t.nbytes % c.bus_bytes == 0 and t.addr % c.bus_bytes == 0 for t in ws)


@pytest.mark.parametrize("name,pos", CASES)
def test_reads_in_read_only_regions_and_writes_in_kv(name, pos):
    layout = lay(name)
    c = layout.cfg
    kv = layout.by_name["kv"]
    for t in token_schedule(layout, pos):
        padded_end = t.addr + beats(t.nbytes, c.bus_bytes) * c.bus_bytes
        if t.kind == "wr":
            assert t.tensor == "kv" and kv.base <= t.addr and t.end <= kv.base + kv.size
            continue
        if t.tensor == "kv":          # cached rows only: never the row being written
            slab = (t.addr - kv.base) // layout.kv_slab
            row0 = (t.addr - kv.base - slab * layout.kv_slab) // c.d_head
            assert kv.base <= t.addr and row0 * c.d_head + t.nbytes <= pos * c.d_head
            continue
        r = layout.by_name[t.tensor]
        assert r.access == "ro" and r.base <= t.addr and t.end <= r.base + r.size, t
        assert padded_end <= align(r.base + r.size, ALIGN) <= layout.ro_size, f"{t.tensor}: beat padding escapes"


def test_bad_pos_and_describe():
    layout = lay("tiny")
    for bad in (-1, layout.cfg.max_seq):
        with pytest.raises(ValueError, match="max_seq"):
            token_schedule(layout, bad)
        with pytest.raises(ValueError, match="max_seq"):
            kv_writes(layout, bad)
    sched = token_schedule(layout, 9)
    text = describe(sched, layout.cfg.bus_bytes)
    assert text.count("\n| ") == len(sched) + 1
    assert "`L0.h0.wqkv`" in text and f"{schedule_traffic(sched)[0]} bytes read" in text


@pytest.mark.parametrize("name", PRESETS)
def test_token_beats_equals_the_schedule_at_every_position(name):
    """token_beats' shortcut (position-0 beats + the context tiles) against the whole schedule: every position of
    tiny and small, a spread of minilm's."""
    layout = lay(name)
    c = layout.cfg
    step = 1 if c.max_seq <= 128 else 37
    for pos in [*range(0, c.max_seq, step), c.max_seq - 1]:
        assert token_beats(c, pos) == schedule_beats(token_schedule(layout, pos), c.bus_bytes), pos
    with pytest.raises(ValueError):
        token_beats(c, c.max_seq)
