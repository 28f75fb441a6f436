"""Constrained-random config items for the pyuvm environment (pyvsc; no simulator needed).

One `EngineCfgItem` (a pyvsc randobj) describes one test case: the model dims and tiling of an
`EngineConfig`, the first decoded position `t0` and the number of tokens, the weight distribution and
the AXI latency / backpressure / reordering profile of the memory model. `random_case(seed)` turns one
integer seed into a frozen `EngineCase` the env consumes:

    case = random_case(1234)
    case.cfg                        # validated models.config.EngineConfig
    case.t0, case.positions         # decode positions t0 .. t0+n_tokens-1 (env preloads KV for 0..t0-1)
    case.weight_dist                # "trained" | "uniform" | "saturate" (models.random_model.WEIGHT_DISTS)
    BfmKnobs(**case.axi_mem)        # verif.bfm.axi_mem_bfm knobs of the AXI4 slave BFM, seeded
    case.bus_knobs                  # X-stream gaps and logits backpressure, seeded
    case.data_seed                  # for NumPy bulk data (weights, X); pyvsc never draws bulk data

A test tightens or loosens the defaults with inline constraints, or by switching a named block off:

    random_case(7, lambda it: [it.n_layers == 1, it.t0 >= 100])
    item = EngineCfgItem(); item.c_budget.constraint_mode(False)   # RTL maxima only (c_legal stays on)
    random_case(7, lambda it: it.d_model == 384, item=item)

Constraint blocks
    c_legal    what EngineConfig.validate() and the RTL maxima require: d_model = n_heads * d_head;
               d_head, d_ff multiples of the lanes (axi_data_w/8; bus 64 or 128); t0 + n_tokens <= max_seq.
    c_budget   short sims: the engine streams every weight byte once per token at lanes bytes/cycle, so
               d_model <= 128, d_ff <= 512, vocab <= 1024, max_seq <= 256, n_layers <= 4, n_tokens <= 4
               (LongRunCfgItem: n_tokens <= 32, for the SystemC engine).
    c_tiling   `tile_phase` x `tile_shape` picks one GEMV phase (qkv rows d_head, wo d_model, w1 d_ff,
               w2 d_model, logits vocab) and forces it to ONE tile, MANY whole tiles or a PARTIAL last
               tile (w_tile_rows vs that phase's rows); the other phases fall where they may.
    c_ctx      `ctx_shape` sets the context tiling at t0: NONE (t0 = 0), ONE, MANY (t0 a multiple of
               ctx_tile), PARTIAL; `reach_end` makes the run decode up to position max_seq - 1.
    c_dist     distributions: layers, heads, d_head, d_ff, vocab, max_seq, tile sizes, the shape enums and
               the profiles (ranges beyond the budget only matter when c_budget is off).
    c_order    solve order in groups of <= 4 fields (below), so that every field is really random.

Solver notes (pyvsc 1.0.0 with Boolector): the Boolector swizzler randomizes at most 4 fields of a solve
group per solve (vsc/model/solvegroup_swizzler_partsel.py, max_swizzle); the others keep the solver's
first model, typically an edge value (vocab 1 in a third of the items, d_ff 8, d_model 128 before the
fix). `c_order` splits the dims into ordered groups of <= 4, each of which is swizzled, and `c_dist` gives
each field a bucketed distribution. `dist` also adds a hard `inside` over the union of its ranges. Cost:
about 70 ms per randomize() (first call ~0.3 s: model build); dv-solve was ~3x slower here.

Seeds: pyvsc 1.0.0 draws every value from the randobj's own `RandState` (vsc/model/rand_state.py: a
`random.Random` seeded with str(seed)); without one it seeds from Python's global `random`. `random_case`
installs `RandState.mkFromSeed(seed)` with `item.set_randstate()` before every randomization, so one
integer reproduces the item regardless of what the item (or the process) randomized before; verified in
tests/test_cfg_item.py (fresh vs reused item, shuffled seed order). The result depends on the solver
back-end (`vsc.get_solver_backend()`: Boolector when pyboolector is installed, as here). Derived seeds for
the memory model, the BFMs and NumPy come from `sub_seed(seed, stream)` (NumPy SeedSequence).
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import IntEnum
from typing import Any, ClassVar

import numpy as np
import vsc
from vsc.model.rand_state import RandState

from models.config import EngineConfig

__all__ = [
    "BACKPRESSURE_KNOBS",
    "LATENCY_KNOBS",
    "X_DELAY_KNOBS",
    "Backpressure",
    "CtxShape",
    "EngineCase",
    "EngineCfgItem",
    "Latency",
    "Phase",
    "TileShape",
    "WeightDist",
    "random_case",
    "sub_seed",
]


class Phase(IntEnum):
    """GEMV phases with weight tiles (rows: qkv d_head per head, wo d_model, w1 d_ff, w2 d_model, logits vocab)."""
    QKV = 0
    WO = 1
    W1 = 2
    W2 = 3
    LOGITS = 4


class TileShape(IntEnum):
    ONE = 0          # rows <= w_tile_rows: a single tile
    MANY = 1         # several tiles, rows a multiple of w_tile_rows
    PARTIAL = 2      # several tiles, the last one partial


class CtxShape(IntEnum):
    NONE = 0         # t0 = 0: no context tile
    ONE = 1          # 1 <= t0 <= ctx_tile
    MANY = 2         # t0 > ctx_tile, a multiple of it
    PARTIAL = 3      # t0 > ctx_tile, last tile partial


class Latency(IntEnum):
    NONE = 0
    LOW = 1
    MEDIUM = 2
    HEAVY = 3


class Backpressure(IntEnum):
    NONE = 0
    LIGHT = 1
    MEDIUM = 2
    HEAVY = 3


class WeightDist(IntEnum):
    """Names match models.random_model.WEIGHT_DISTS."""
    TRAINED = 0
    UNIFORM = 1
    SATURATE = 2


# Profile -> knobs. Latencies in cycles (read: AR accept -> first beat; write: WLAST -> B).
LATENCY_KNOBS: dict[Latency, dict[str, int]] = {
    Latency.NONE: dict(lat_min=0, lat_max=0, b_lat_min=0, b_lat_max=0),
    Latency.LOW: dict(lat_min=0, lat_max=4, b_lat_min=0, b_lat_max=4),
    Latency.MEDIUM: dict(lat_min=4, lat_max=40, b_lat_min=0, b_lat_max=20),
    Latency.HEAVY: dict(lat_min=40, lat_max=120, b_lat_min=10, b_lat_max=60),
}
# Per-cycle stall probabilities on every slave-driven channel and on the streams.
BACKPRESSURE_KNOBS: dict[Backpressure, float] = {
    Backpressure.NONE: 0.0, Backpressure.LIGHT: 0.05, Backpressure.MEDIUM: 0.2, Backpressure.HEAVY: 0.5}
# X late relative to START: each frame waits a uniform 0..max cycles in the source BFM (le_axis_src_bfm
# start_delay_max), so the engine's wait for X before layer 0 is exercised (issue 14: a survivor showed it never was).
X_DELAY_KNOBS: dict[Backpressure, int] = {
    Backpressure.NONE: 0, Backpressure.LIGHT: 300, Backpressure.MEDIUM: 1500, Backpressure.HEAVY: 4000}

# RTL maxima (docs/architecture.md, layer_engine parameters) and the default sim budget.
RTL_MAX = dict(d_model=1024, d_ff=4096, n_heads=16, d_head=128, max_seq=512, vocab=32768, n_layers=16)
BUDGET = dict(d_model=128, d_ff=512, vocab=1024, max_seq=256, n_layers=4, n_tokens=4)
MAX_TILE = 4096           # w_tile_rows / ctx_tile upper bound used by the item (RTL allows 65535)


def sub_seed(seed: int, stream: str) -> int:
    """A 32-bit seed for `stream` derived from `seed` (independent streams, reproducible)."""
    key = [int(b) for b in stream.encode()]
    ss = np.random.SeedSequence([seed & 0xFFFFFFFF, (seed >> 32) & 0xFFFFFFFF, *key])
    return int(ss.generate_state(1, np.uint32)[0])


@vsc.randobj
class EngineCfgItem:
    """Config-level random item. Field names follow EngineConfig; see the module docstring for blocks."""

    budget: ClassVar[Mapping[str, int]] = BUDGET      # c_budget's limits (what one pyuvm run can afford)

    def __init__(self) -> None:
        self.axi_data_w = vsc.rand_uint16_t()
        self.lanes = vsc.rand_uint16_t()
        self.n_layers = vsc.rand_uint16_t()
        self.n_heads = vsc.rand_uint16_t()
        self.d_head = vsc.rand_uint16_t()
        self.d_model = vsc.rand_uint16_t()
        self.d_ff = vsc.rand_uint16_t()
        self.vocab = vsc.rand_uint16_t()
        self.max_seq = vsc.rand_uint16_t()
        self.w_tile_rows = vsc.rand_uint16_t()
        self.ctx_tile = vsc.rand_uint16_t()
        self.t0 = vsc.rand_uint16_t()
        self.n_tokens = vsc.rand_uint16_t()
        self.reach_end = vsc.rand_bit_t()
        self.tile_phase = vsc.rand_enum_t(Phase)
        self.tile_shape = vsc.rand_enum_t(TileShape)
        self.tile_rows = vsc.rand_uint16_t()      # rows of tile_phase (helper for c_tiling)
        self.ctx_shape = vsc.rand_enum_t(CtxShape)
        self.weight_dist = vsc.rand_enum_t(WeightDist)
        self.latency = vsc.rand_enum_t(Latency)
        self.backpressure = vsc.rand_enum_t(Backpressure)
        self.rd_reorder = vsc.rand_bit_t()
        self.rd_interleave = vsc.rand_bit_t()
        self.b_reorder = vsc.rand_bit_t()

    @vsc.constraint
    def c_legal(self) -> None:
        self.axi_data_w.inside(vsc.rangelist(64, 128))
        self.lanes * 8 == self.axi_data_w
        self.n_layers.inside(vsc.rangelist((1, RTL_MAX["n_layers"])))
        self.n_heads.inside(vsc.rangelist((1, RTL_MAX["n_heads"])))
        self.d_head.inside(vsc.rangelist((8, RTL_MAX["d_head"])))
        with vsc.if_then(self.axi_data_w == 64):
            (self.d_head & 7) == 0
            (self.d_ff & 7) == 0
        with vsc.else_then:
            (self.d_head & 15) == 0
            (self.d_ff & 15) == 0
        self.d_model == self.n_heads * self.d_head
        self.d_model <= RTL_MAX["d_model"]
        self.d_ff.inside(vsc.rangelist((8, RTL_MAX["d_ff"])))
        self.vocab.inside(vsc.rangelist((1, RTL_MAX["vocab"])))
        self.max_seq.inside(vsc.rangelist((1, RTL_MAX["max_seq"])))
        self.w_tile_rows.inside(vsc.rangelist((1, MAX_TILE)))
        self.ctx_tile.inside(vsc.rangelist((1, MAX_TILE)))
        self.n_tokens >= 1
        self.t0 < self.max_seq
        self.t0 + self.n_tokens <= self.max_seq
        with vsc.if_then(self.reach_end == 1):
            self.t0 + self.n_tokens == self.max_seq
        with vsc.if_then(self.rd_interleave == 1):
            self.rd_reorder == 1

    @vsc.constraint
    def c_budget(self) -> None:
        b = self.budget
        self.d_model <= b["d_model"]
        self.d_ff <= b["d_ff"]
        self.vocab <= b["vocab"]
        self.max_seq <= b["max_seq"]
        self.n_layers <= b["n_layers"]
        self.n_tokens <= b["n_tokens"]
        self.w_tile_rows <= b["vocab"]
        self.ctx_tile <= b["max_seq"]

    @vsc.constraint
    def c_tiling(self) -> None:
        with vsc.if_then(self.tile_phase == Phase.QKV):
            self.tile_rows == self.d_head
        with vsc.else_if(self.tile_phase == Phase.W1):
            self.tile_rows == self.d_ff
        with vsc.else_if(self.tile_phase == Phase.LOGITS):
            self.tile_rows == self.vocab
        with vsc.else_then:
            self.tile_rows == self.d_model
        with vsc.if_then(self.tile_shape == TileShape.ONE):
            self.w_tile_rows >= self.tile_rows
        with vsc.else_if(self.tile_shape == TileShape.MANY):
            self.w_tile_rows < self.tile_rows
            self.tile_rows % self.w_tile_rows == 0
        with vsc.else_then:
            self.w_tile_rows < self.tile_rows
            self.tile_rows % self.w_tile_rows != 0

    @vsc.constraint
    def c_ctx(self) -> None:
        with vsc.if_then(self.ctx_shape == CtxShape.NONE):
            self.t0 == 0
        with vsc.else_if(self.ctx_shape == CtxShape.ONE):
            self.t0 >= 1
            self.t0 <= self.ctx_tile
        with vsc.else_if(self.ctx_shape == CtxShape.MANY):
            self.t0 > self.ctx_tile
            self.t0 % self.ctx_tile == 0
        with vsc.else_then:
            self.t0 > self.ctx_tile
            self.t0 % self.ctx_tile != 0

    @vsc.constraint
    def c_dist(self) -> None:
        vsc.dist(self.n_layers, [vsc.weight(1, 4), vsc.weight(2, 3), vsc.weight((3, 4), 2)])
        vsc.dist(self.max_seq, [vsc.weight(1, 1), vsc.weight((2, 16), 4), vsc.weight((17, 64), 4),
                                vsc.weight((65, 256), 4), vsc.weight((257, 512), 1)])
        vsc.dist(self.n_heads, [vsc.weight(1, 2), vsc.weight(2, 2), vsc.weight((3, 4), 2), vsc.weight((5, 8), 2),
                                vsc.weight((9, 16), 1)])
        vsc.dist(self.d_head, [vsc.weight((8, 16), 1), vsc.weight((17, 32), 1), vsc.weight((33, 64), 1),
                               vsc.weight((65, 128), 1)])
        vsc.dist(self.vocab, [vsc.weight((1, 15), 1), vsc.weight((16, 256), 2), vsc.weight((257, 1024), 2),
                              vsc.weight((1025, RTL_MAX["vocab"]), 1)])
        vsc.dist(self.d_ff, [vsc.weight((8, 64), 1), vsc.weight((65, 256), 1), vsc.weight((257, 512), 1),
                             vsc.weight((513, RTL_MAX["d_ff"]), 1)])
        vsc.dist(self.w_tile_rows, [vsc.weight((1, 4), 1), vsc.weight((5, 32), 2), vsc.weight((33, 256), 2),
                                    vsc.weight((257, MAX_TILE), 1)])
        for f in (self.tile_phase, self.tile_shape, self.ctx_shape, self.weight_dist):
            vsc.dist(f, [vsc.weight(v, 1) for v in type(f.get_val())])
        vsc.dist(self.reach_end, [vsc.weight(0, 3), vsc.weight(1, 1)])
        vsc.dist(self.ctx_tile, [vsc.weight((1, 8), 2), vsc.weight((9, 64), 3), vsc.weight((65, MAX_TILE), 1)])
        vsc.dist(self.latency, [vsc.weight(Latency.NONE, 1), vsc.weight(Latency.LOW, 2),
                                vsc.weight(Latency.MEDIUM, 2), vsc.weight(Latency.HEAVY, 1)])
        vsc.dist(self.backpressure, [vsc.weight(Backpressure.NONE, 1), vsc.weight(Backpressure.LIGHT, 2),
                                     vsc.weight(Backpressure.MEDIUM, 2), vsc.weight(Backpressure.HEAVY, 1)])

    @vsc.constraint
    def c_order(self) -> None:
        # Boolector's swizzler randomizes at most 4 fields per solve group (vsc/model/
        # solvegroup_swizzler_partsel.py: max_swizzle); the rest keep the solver's first (often minimal)
        # answer. Ordered groups of <= 4 fields make every field random. Derived fields come last.
        vsc.solve_order([self.tile_phase, self.tile_shape, self.axi_data_w, self.n_heads],
                        [self.d_head, self.d_ff, self.vocab])
        vsc.solve_order([self.d_head, self.d_ff, self.vocab], self.w_tile_rows)
        vsc.solve_order(self.w_tile_rows, [self.d_model, self.lanes, self.tile_rows])
        vsc.solve_order([self.ctx_shape, self.reach_end, self.max_seq], [self.ctx_tile, self.n_tokens])
        vsc.solve_order([self.ctx_tile, self.n_tokens], self.t0)

    # ---- conversion ---------------------------------------------------------------------------------------
    def engine_config(self) -> EngineConfig:
        """The current field values as a validated EngineConfig."""
        return EngineConfig(d_model=int(self.d_model), n_heads=int(self.n_heads), d_head=int(self.d_head),
                            d_ff=int(self.d_ff), n_layers=int(self.n_layers), vocab=int(self.vocab),
                            max_seq=int(self.max_seq), axi_data_w=int(self.axi_data_w),
                            w_tile_rows=int(self.w_tile_rows), ctx_tile=int(self.ctx_tile)).validate()

    def to_case(self, seed: int) -> EngineCase:
        """Freeze the current values into an EngineCase; `seed` derives the knob and data seeds."""
        lat, bp = Latency(int(self.latency)), Backpressure(int(self.backpressure))
        p = BACKPRESSURE_KNOBS[bp]
        axi_mem: dict[str, Any] = dict(LATENCY_KNOBS[lat], p_ar_stall=p, p_r_gap=p, p_aw_stall=p, p_w_stall=p,
                                       p_b_gap=p, reorder=bool(self.rd_reorder), interleave=bool(self.rd_interleave),
                                       b_reorder=bool(self.b_reorder), seed=sub_seed(seed, "axi_mem"))
        bus = dict(p_x_idle=p, p_logits_stall=p, x_delay_max=X_DELAY_KNOBS[bp], seed=sub_seed(seed, "bus"))
        return EngineCase(seed=seed, cfg=self.engine_config(), t0=int(self.t0), n_tokens=int(self.n_tokens),
                          weight_dist=WeightDist(int(self.weight_dist)).name.lower(), latency=lat.name.lower(),
                          backpressure=bp.name.lower(), axi_mem=axi_mem, bus_knobs=bus,
                          data_seed=sub_seed(seed, "data"),
                          intent=dict(tile_phase=Phase(int(self.tile_phase)).name.lower(),
                                      tile_shape=TileShape(int(self.tile_shape)).name.lower(),
                                      ctx_shape=CtxShape(int(self.ctx_shape)).name.lower(),
                                      reach_end=bool(self.reach_end)))


@dataclass(frozen=True)
class EngineCase:
    """One randomized test case (everything the env needs, reproducible from `seed`)."""
    seed: int
    cfg: EngineConfig
    t0: int                         # first decoded position (the env backdoor-preloads KV rows 0..t0-1)
    n_tokens: int
    weight_dist: str                # models.random_model.WEIGHT_DISTS
    latency: str                    # Latency name, lower case
    backpressure: str               # Backpressure name, lower case
    axi_mem: dict[str, Any]         # kwargs of verif.bfm.axi_mem_bfm.BfmKnobs
    bus_knobs: dict[str, Any]       # p_x_idle, p_logits_stall (AXIS source gaps, logits sink stalls),
                                    # x_delay_max (X late after START), seed
    data_seed: int                  # seed for NumPy bulk data (models.random_model)
    intent: dict[str, Any] = field(default_factory=dict)  # the tiling/ctx shape the item aimed for

    @property
    def positions(self) -> range:
        return range(self.t0, self.t0 + self.n_tokens)

    @property
    def weight_bytes(self) -> int:
        """int8 weight bytes streamed per token (all GEMVs), the dominant sim cost."""
        c = self.cfg
        return c.n_layers * (4 * c.d_model * c.d_model + 2 * c.d_model * c.d_ff) + c.vocab * c.d_model


_ITEM: EngineCfgItem | None = None


LONG_RUN_TOKENS = 32


@vsc.randobj
class LongRunCfgItem(EngineCfgItem):
    """EngineCfgItem's case space with up to LONG_RUN_TOKENS tokens per run (what a SystemC run affords:
    regress/sccase.py); every other limit as c_budget's."""
    budget: ClassVar[Mapping[str, int]] = {**BUDGET, "n_tokens": LONG_RUN_TOKENS}


def random_case(seed: int, constraints: Callable[[EngineCfgItem], Any] | None = None,
                item: EngineCfgItem | None = None) -> EngineCase:
    """Randomize `item` (default: one module-level item, reused) from `seed` and return the case.

    `constraints(it)` runs inside `it.randomize_with()`: build pyvsc expressions on `it`, e.g.
    `lambda it: [it.n_layers == 1, it.axi_data_w == 64]`. The same seed, item class, enabled blocks and
    constraints always give the same case. Raises vsc SolveFailure when the constraints contradict."""
    global _ITEM
    if item is None:
        if _ITEM is None:
            _ITEM = EngineCfgItem()
        item = _ITEM
    item.set_randstate(RandState.mkFromSeed(seed))
    if constraints is None:
        item.randomize()
    else:
        with item.randomize_with() as it:
            constraints(it)
    return item.to_case(seed)
