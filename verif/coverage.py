"""Functional coverage of the layer engine: pyvsc covergroups, saved per run as UCIS (pyucis), merged.

The env owns one `Coverage` and samples it from the scoreboard and monitors, never per cycle:

    cov = Coverage()
    cov.sample_case(case)                               # once per run (verif.cfg_item.EngineCase)
    cov.sample_token(cfg, pos)                          # once per decoded token
    cov.sample_burst(write, n_beats, split_4k, outstanding)   # once per AR / AW burst record
    cov.sample_transfer(t, bus_bytes, image_base)       # or: a schedule Transfer, split like the DMA does
    cov.sample_axi_token(stalls, rd_reordered=..., rd_interleaved=..., wr_reordered=..., max_rd_outstanding=...)
    cov.sample_datapath(int8_sat=..., int16_sat=..., softmax_single=..., ln_zero_var=...)
    cov.save_ucis("out/cov_seed7.xml", test_name="seed7")

    merge_ucis(["a.xml", "b.xml"], "merged.xml")        # bin hits add up
    rep = report("merged.xml")                          # CoverageReport: .coverage {cg: %}, .holes ["cg.cp.bin", ...]

Covergroups and bins (bin names as they appear in UCIS and in `holes`):

    cfg        layers 1..4; heads 1, 2, 3_4, 5_8, 9_16; seq (position bucket of length pos+1 relative to
               max_seq): len1, short (<= 1/4), mid (<= 3/4), long, max (= max_seq); tiles_{qkv,wo,w1,w2,logits}
               (rows d_head, d_model, d_ff, d_model, vocab vs w_tile_rows): one, many (whole tiles), partial
               (several, last partial); tiles_ctx (ceil(pos/ctx_tile) DMA tiles): none, one, many, partial;
               ctx_count 0, 1, 2_4, 5_16, 17_up; cross seq_x_ctx (seq x tiles_ctx; len1 goes only with none,
               so the impossible pairs are ignore bins and not counted)
    stim       weight trained/uniform/saturate; latency and backpressure none/low|light/medium/heavy; bus 64/128
    axi_burst  rd_len: 1, 2_15, 16_255, 256; wr_len: 1, 2_15, 16_255 (a K/V append is <= 16 beats);
               rd_split_4k, wr_split_4k: split (the burst stops at a 4 KB boundary and its transfer goes on)
    axi_depth  rd_outstanding 1..4 (read bursts outstanding when an AR is accepted)
    axi_token  bp_ar, bp_r, bp_aw, bp_w, bp_b: seen (AR/AW/W: a cycle with VALID high and READY low; R/B, whose
               READY the engine holds high by design: a cycle the memory held a pending beat/response back);
               rd_reordered, rd_interleaved, wr_reordered: seen
    datapath   int8_sat, int16_sat (requant saturated), softmax_single (softmax over one position, pos 0),
               ln_zero_var (LayerNorm row with zero variance): seen

Cost: one pyvsc `sample()` per call (tens of microseconds, measured in tests/test_coverage.py).

UCIS notes (pyvsc 1.0.0, pyucis 0.2.0): `vsc.write_coverage_db()` saves every covergroup *type* in pyvsc's
process-global registry, so two Coverage objects in one process (or tests) would mix. `save_ucis` walks
only this object's covergroup instances with pyvsc's own `CoverageSaveVisitor` (subclassed so each
instance becomes one UCIS covergroup named as above; its coverpoint map is reset per covergroup because
crosses look coverpoints up by name) and writes XML with `ucis.xml.XmlFactory`. `merge_ucis` reads each file
with `XmlFactory.read`, merges with `ucis.merge.DbMerger` (bins by name, hits summed, history nodes kept)
into a `MemFactory` db and writes XML, i.e. what `ucis merge` does for the xml format. `report` computes the
SystemVerilog-style figure (a covergroup is the mean of its coverpoints' and crosses' hit-bin fractions)
from the db directly; pyucis' CoverageReportBuilder gives the same numbers (checked in the tests).
"""
from __future__ import annotations

import datetime
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import vsc
from ucis import UCIS_OTHER, UCIS_TESTSTATUS_OK
from ucis.cover_type_t import CoverTypeT
from ucis.mem.mem_factory import MemFactory
from ucis.merge.db_merger import DbMerger
from ucis.scope_type_t import ScopeTypeT
from ucis.test_data import TestData
from ucis.xml.xml_factory import XmlFactory
from vsc.model.model_visitor import ModelVisitor
from vsc.visitors.coverage_save_visitor import CoverageSaveVisitor

from models.config import EngineConfig
from models.schedule import AXI_BOUNDARY, AXI_MAX_BEATS, Transfer, bursts
from verif.vsc_replay import Replay

if TYPE_CHECKING:
    from verif.cfg_item import EngineCase

__all__ = [
    "AXI_CHANNELS",
    "CTX_SHAPES",
    "PHASES",
    "SEQ_BUCKETS",
    "TILE_SHAPES",
    "Coverage",
    "CoverageReport",
    "ctx_shape",
    "merge_ucis",
    "phase_rows",
    "report",
    "seq_bucket",
    "tile_shape",
]

PHASES = ("qkv", "wo", "w1", "w2", "logits")
TILE_SHAPES = ("one", "many", "partial")
CTX_SHAPES = ("none", "one", "many", "partial")
SEQ_BUCKETS = ("len1", "short", "mid", "long", "max")
AXI_CHANNELS = ("ar", "r", "aw", "w", "b")
_LAT = ("none", "low", "medium", "heavy")
_BP = ("none", "light", "medium", "heavy")
_DISTS = ("trained", "uniform", "saturate")
_SEEN = {"seen": vsc.bin(1)}


# ---- classification (pure functions, shared with the tests and the env) -----------------------------------
def phase_rows(cfg: EngineConfig) -> dict[str, int]:
    """Output rows per GEMV phase (models/schedule.py tiles them w_tile_rows at a time)."""
    return dict(qkv=cfg.d_head, wo=cfg.d_model, w1=cfg.d_ff, w2=cfg.d_model, logits=cfg.vocab)


def tile_shape(rows: int, tile: int) -> str:
    """'one' (rows <= tile), 'many' (several whole tiles) or 'partial' (several, the last partial)."""
    if rows <= tile:
        return "one"
    return "many" if rows % tile == 0 else "partial"


def ctx_shape(pos: int, ctx_tile: int) -> str:
    """Shape of the ceil(pos/ctx_tile) context DMA tiles of a token at `pos`: 'none' at pos 0."""
    return "none" if pos == 0 else tile_shape(pos, ctx_tile)


def seq_bucket(pos: int, max_seq: int) -> str:
    """Bucket of the sequence length pos+1 relative to max_seq (len1 wins over max when max_seq is 1)."""
    n = pos + 1
    if n == 1:
        return "len1"
    if n == max_seq:
        return "max"
    if 4 * n <= max_seq:
        return "short"
    return "mid" if 4 * n <= 3 * max_seq else "long"


def _named(names: Sequence[str]) -> dict[str, vsc.bin]:
    return {n: vsc.bin(i) for i, n in enumerate(names)}


# ---- covergroups ------------------------------------------------------------------------------------------
@vsc.covergroup
class _CfgCG:
    def __init__(self) -> None:
        self.with_sample(layers=vsc.uint8_t(), heads=vsc.uint8_t(), seq=vsc.uint8_t(), qkv=vsc.uint8_t(),
                         wo=vsc.uint8_t(), w1=vsc.uint8_t(), w2=vsc.uint8_t(), logits=vsc.uint8_t(),
                         ctx=vsc.uint8_t(), ctx_n=vsc.uint32_t())
        self.cp_layers = vsc.coverpoint(self.layers, name="layers", bins={str(i): vsc.bin(i) for i in range(1, 5)})
        self.cp_heads = vsc.coverpoint(self.heads, name="heads", bins={
            "1": vsc.bin(1), "2": vsc.bin(2), "3_4": vsc.bin([3, 4]), "5_8": vsc.bin([5, 8]), "9_16": vsc.bin([9, 16])})
        self.cp_seq = vsc.coverpoint(self.seq, name="seq", bins=_named(SEQ_BUCKETS))
        self.cp_qkv = vsc.coverpoint(self.qkv, name="tiles_qkv", bins=_named(TILE_SHAPES))
        self.cp_wo = vsc.coverpoint(self.wo, name="tiles_wo", bins=_named(TILE_SHAPES))
        self.cp_w1 = vsc.coverpoint(self.w1, name="tiles_w1", bins=_named(TILE_SHAPES))
        self.cp_w2 = vsc.coverpoint(self.w2, name="tiles_w2", bins=_named(TILE_SHAPES))
        self.cp_logits = vsc.coverpoint(self.logits, name="tiles_logits", bins=_named(TILE_SHAPES))
        self.cp_ctx = vsc.coverpoint(self.ctx, name="tiles_ctx", bins=_named(CTX_SHAPES))
        self.cp_ctx_n = vsc.coverpoint(self.ctx_n, name="ctx_count", bins={
            "0": vsc.bin(0), "1": vsc.bin(1), "2_4": vsc.bin([2, 4]), "5_16": vsc.bin([5, 16]),
            "17_up": vsc.bin([17, 0xFFFF_FFFF])})
        self.cr_seq_ctx = vsc.cross([self.cp_seq, self.cp_ctx], name="seq_x_ctx", ignore_bins={
            "impossible": lambda s, c: (s.name == "len1") != (c.name == "none")})


@vsc.covergroup
class _StimCG:
    def __init__(self) -> None:
        self.with_sample(dist=vsc.uint8_t(), lat=vsc.uint8_t(), bp=vsc.uint8_t(), bus=vsc.uint16_t())
        self.cp_dist = vsc.coverpoint(self.dist, name="weight", bins=_named(_DISTS))
        self.cp_lat = vsc.coverpoint(self.lat, name="latency", bins=_named(_LAT))
        self.cp_bp = vsc.coverpoint(self.bp, name="backpressure", bins=_named(_BP))
        self.cp_bus = vsc.coverpoint(self.bus, name="bus", bins={"64": vsc.bin(64), "128": vsc.bin(128)})


_LEN_BINS = {"1": vsc.bin(1), "2_15": vsc.bin([2, 15]), "16_255": vsc.bin([16, 255]), "256": vsc.bin(256)}


@vsc.covergroup
class _BurstCG:
    def __init__(self) -> None:
        self.with_sample(rd_len=vsc.uint16_t(), wr_len=vsc.uint16_t(), rd_split=vsc.bit_t(1), wr_split=vsc.bit_t(1))
        self.cp_rd_len = vsc.coverpoint(self.rd_len, name="rd_len", bins=dict(_LEN_BINS))
        # A K/V append is d_head <= 128 bytes (MAX_D_HEAD): at most 16 beats, so no 256-beat write bin.
        self.cp_wr_len = vsc.coverpoint(self.wr_len, name="wr_len",
                                        bins={k: v for k, v in _LEN_BINS.items() if k != "256"})
        self.cp_rd_split = vsc.coverpoint(self.rd_split, name="rd_split_4k", bins={"split": vsc.bin(1)})
        self.cp_wr_split = vsc.coverpoint(self.wr_split, name="wr_split_4k", bins={"split": vsc.bin(1)})


@vsc.covergroup
class _DepthCG:
    def __init__(self) -> None:
        self.with_sample(depth=vsc.uint8_t())
        self.cp_depth = vsc.coverpoint(self.depth, name="rd_outstanding",
                                       bins={str(i): vsc.bin(i) for i in range(1, 5)})


@vsc.covergroup
class _AxiTokenCG:
    def __init__(self) -> None:
        self.with_sample(ar=vsc.bit_t(1), r=vsc.bit_t(1), aw=vsc.bit_t(1), w=vsc.bit_t(1), b=vsc.bit_t(1),
                         rd_ro=vsc.bit_t(1), rd_il=vsc.bit_t(1), wr_ro=vsc.bit_t(1))
        self.cp_ar = vsc.coverpoint(self.ar, name="bp_ar", bins=dict(_SEEN))
        self.cp_r = vsc.coverpoint(self.r, name="bp_r", bins=dict(_SEEN))
        self.cp_aw = vsc.coverpoint(self.aw, name="bp_aw", bins=dict(_SEEN))
        self.cp_w = vsc.coverpoint(self.w, name="bp_w", bins=dict(_SEEN))
        self.cp_b = vsc.coverpoint(self.b, name="bp_b", bins=dict(_SEEN))
        self.cp_rd_ro = vsc.coverpoint(self.rd_ro, name="rd_reordered", bins=dict(_SEEN))
        self.cp_rd_il = vsc.coverpoint(self.rd_il, name="rd_interleaved", bins=dict(_SEEN))
        self.cp_wr_ro = vsc.coverpoint(self.wr_ro, name="wr_reordered", bins=dict(_SEEN))


@vsc.covergroup
class _DatapathCG:
    def __init__(self) -> None:
        self.with_sample(i8=vsc.bit_t(1), i16=vsc.bit_t(1), sm1=vsc.bit_t(1), ln0=vsc.bit_t(1))
        self.cp_i8 = vsc.coverpoint(self.i8, name="int8_sat", bins=dict(_SEEN))
        self.cp_i16 = vsc.coverpoint(self.i16, name="int16_sat", bins=dict(_SEEN))
        self.cp_sm1 = vsc.coverpoint(self.sm1, name="softmax_single", bins=dict(_SEEN))
        self.cp_ln0 = vsc.coverpoint(self.ln0, name="ln_zero_var", bins=dict(_SEEN))


# ---- the API ----------------------------------------------------------------------------------------------
class Coverage:
    """All covergroups of one run. Sample per case / token / burst record; `save_ucis` at the end."""

    def __init__(self) -> None:
        self.cfg, self.stim, self.axi_burst = _CfgCG(), _StimCG(), _BurstCG()
        self.axi_depth, self.axi_token, self.datapath = _DepthCG(), _AxiTokenCG(), _DatapathCG()
        self.groups: dict[str, object] = dict(cfg=self.cfg, stim=self.stim, axi_burst=self.axi_burst,
                                              axi_depth=self.axi_depth, axi_token=self.axi_token,
                                              datapath=self.datapath)
        # per burst / token: the same hits as sampling, replayed after the first sample of a value tuple
        # (verif/vsc_replay.py)
        self._burst, self._depth = Replay(self.axi_burst), Replay(self.axi_depth)
        self._cfg = Replay(self.cfg)                         # per token (a cross: replayed as well)

    # config / stimulus
    def sample_case(self, case: EngineCase) -> None:
        """Once per run: the stimulus choices of a verif.cfg_item.EngineCase."""
        self.stim.sample(_DISTS.index(case.weight_dist), _LAT.index(case.latency), _BP.index(case.backpressure),
                         case.cfg.axi_data_w)

    def sample_token(self, cfg: EngineConfig, pos: int) -> None:
        """Once per decoded token at sequence position `pos` (0 <= pos < max_seq)."""
        self._cfg.sample(*self._cfg_values(cfg, pos))

    @staticmethod
    def _cfg_values(cfg: EngineConfig, pos: int) -> tuple[int, ...]:
        """The config covergroup's sample values of a token."""
        rows = phase_rows(cfg)
        shapes = [TILE_SHAPES.index(tile_shape(rows[p], cfg.w_tile_rows)) for p in PHASES]
        return (cfg.n_layers, cfg.n_heads, SEQ_BUCKETS.index(seq_bucket(pos, cfg.max_seq)), *shapes,
                CTX_SHAPES.index(ctx_shape(pos, cfg.ctx_tile)), cfg.n_ctx_tiles(pos))

    # AXI
    def sample_burst(self, write: bool, n_beats: int, split_4k: bool = False, outstanding: int = 0) -> None:
        """One AR or AW burst. `split_4k`: it stops at a 4 KB boundary and its DMA transfer continues in the
        next burst. `outstanding` (reads): read bursts outstanding including this one when it was accepted
        (0: not known, not sampled)."""
        if write:
            self._burst.sample(0, n_beats, 0, int(bool(split_4k)))
        else:
            self._burst.sample(n_beats, 0, int(bool(split_4k)), 0)
            if outstanding:
                self._depth.sample(outstanding)

    def sample_transfer(self, t: Transfer, bus_bytes: int, image_base: int = 0) -> None:
        """Every burst of one schedule Transfer, split as the DMA splits it (models.schedule.bursts)."""
        bl = bursts(t, bus_bytes, image_base=image_base)
        for i, (addr, n) in enumerate(bl):
            split = i + 1 < len(bl) and (addr + n * bus_bytes) % AXI_BOUNDARY == 0 and n < AXI_MAX_BEATS
            self.sample_burst(t.kind == "wr", n, split)

    def sample_axi_token(self, stalls: Mapping[str, int], rd_reordered: bool = False, rd_interleaved: bool = False,
                         wr_reordered: bool = False, max_rd_outstanding: int = 0) -> None:
        """Once per token. `stalls[ch]` for ch in ar, r, aw, w, b: cycles with VALID high and READY low (a
        missing channel counts 0). `max_rd_outstanding` k samples depths 1..k (reaching k passes them all)."""
        unknown = set(stalls) - set(AXI_CHANNELS)
        if unknown:
            raise ValueError(f"unknown AXI channel(s) {sorted(unknown)}: use {AXI_CHANNELS}")
        seen = [int(stalls.get(ch, 0) > 0) for ch in AXI_CHANNELS]
        self.axi_token.sample(*seen, int(bool(rd_reordered)), int(bool(rd_interleaved)), int(bool(wr_reordered)))
        for d in range(1, min(max_rd_outstanding, 4) + 1):
            self._depth.sample(d)

    # datapath
    def sample_datapath(self, int8_sat: bool = False, int16_sat: bool = False, softmax_single: bool = False,
                        ln_zero_var: bool = False) -> None:
        """Once per token (or per layer): which numeric corners the token went through."""
        self.datapath.sample(int(bool(int8_sat)), int(bool(int16_sat)), int(bool(softmax_single)),
                             int(bool(ln_zero_var)))

    # results
    def coverage(self) -> dict[str, float]:
        """Per-covergroup coverage in percent (this object's samples only; the formula of `report`).

        Computed from the models: pyvsc 1.0.0's CovergroupModel.get_inst_coverage() prints a debug line."""
        out = {}
        for n, cg in self.groups.items():
            m = cg.get_model()
            items = [*m.coverpoint_l, *m.cross_l]
            out[n] = sum(float(i.get_coverage()) for i in items) / len(items)
        return out

    def holes(self) -> list[str]:
        """Unhit bins "covergroup.coverpoint.bin" of this object (ignored cross bins excluded)."""
        out = []
        for n, cg in self.groups.items():
            m = cg.get_model()
            for cp in m.coverpoint_l:
                out += [f"{n}.{cp.name}.{cp.get_bin_name(i)}" for i in range(cp.get_n_bins()) if not cp.get_bin_hits(i)]
            for cr in m.cross_l:
                out += [f"{n}.{cr.name}.{cr.get_bin_name(i)}" for i in range(cr.get_n_bins())
                        if cr.get_bin_valid(i) and not cr.get_bin_hits(i)]
        return out

    def save_ucis(self, path: str | os.PathLike, test_name: str = "test") -> None:
        """Write this object's coverage as a UCIS XML file (one history node named `test_name`)."""
        db = MemFactory.create()
        saver = _InstSaver(db, self.groups)
        saver.logicalname = test_name
        saver.save(TestData(UCIS_TESTSTATUS_OK, "UCIS:pyvsc", datetime.datetime.now().strftime("%Y%m%d%H%M%S")),
                   [cg.get_model() for cg in self.groups.values()])
        XmlFactory.write(db, os.fspath(path))


class _InstSaver(CoverageSaveVisitor):
    """pyvsc's saver, applied to covergroup *instances*: each becomes one UCIS covergroup named by us."""

    def __init__(self, db, groups: Mapping[str, object]) -> None:
        super().__init__(db)
        self._names = {id(cg.get_model()): n for n, cg in groups.items()}

    def visit_covergroup(self, cg) -> None:
        scope = self.get_cg_inst(cg)
        self.coverpoint_m = {}
        self.active_scope_s.append(scope.createCovergroup(self._names[id(cg)], None, 1, UCIS_OTHER))
        ModelVisitor.visit_covergroup(self, cg)
        self.active_scope_s.pop()


# ---- files ------------------------------------------------------------------------------------------------
def merge_ucis(paths: Iterable[str | os.PathLike], out_path: str | os.PathLike) -> None:
    """Merge UCIS XML files (bins matched by covergroup/coverpoint/bin name, hits summed) into `out_path`."""
    dbs = [XmlFactory.read(os.fspath(p)) for p in paths]
    if not dbs:
        raise ValueError("merge_ucis: no input files")
    out = MemFactory.create()
    DbMerger().merge(out, dbs)
    XmlFactory.write(out, os.fspath(out_path))


@dataclass
class CoverageReport:
    """Coverage of one UCIS file: percent per covergroup, total (mean over covergroups), unhit bins."""
    coverage: dict[str, float] = field(default_factory=dict)
    total: float = 0.0
    holes: list[str] = field(default_factory=list)          # "covergroup.coverpoint.bin"
    hits: dict[str, int] = field(default_factory=dict)      # every bin -> hit count

    def text(self) -> str:
        lines = [f"{n:<10} {c:6.1f} %" for n, c in self.coverage.items()]
        lines += [f"{'total':<10} {self.total:6.1f} %", f"{len(self.holes)} hole(s):"]
        return "\n".join(lines + [f"  {h}" for h in self.holes])


def report(path: str | os.PathLike) -> CoverageReport:
    """Per-covergroup coverage (mean of its coverpoints' and crosses' hit-bin fractions) and the holes."""
    db = XmlFactory.read(os.fspath(path))
    rep = CoverageReport()
    for inst in db.scopes(ScopeTypeT.INSTANCE):
        for cg in inst.scopes(ScopeTypeT.COVERGROUP):
            fracs = []
            for kind in (ScopeTypeT.COVERPOINT, ScopeTypeT.CROSS):
                for cp in cg.scopes(kind):
                    n = hit = 0
                    for ci in cp.coverItems(CoverTypeT.CVGBIN):
                        data = ci.getCoverData()
                        name = f"{cg.getScopeName()}.{cp.getScopeName()}.{ci.getName()}"
                        rep.hits[name] = rep.hits.get(name, 0) + int(data.data)
                        n += 1
                        if data.data >= max(1, data.at_least):
                            hit += 1
                        else:
                            rep.holes.append(name)
                    if n:
                        fracs.append(hit / n)
            rep.coverage[cg.getScopeName()] = 100.0 * sum(fracs) / len(fracs) if fracs else 0.0
    rep.total = sum(rep.coverage.values()) / len(rep.coverage) if rep.coverage else 0.0
    return rep
