"""verif/coverage.py: sampling hits the expected bins; UCIS save -> merge of two runs is the union of their
coverage; report() gives per-covergroup percentages and the holes."""
from __future__ import annotations

import time
from pathlib import Path

import pytest
from ucis.history_node_kind import HistoryNodeKind
from ucis.report.coverage_report_builder import CoverageReportBuilder
from ucis.xml.xml_factory import XmlFactory

from models.config import preset
from models.ddr_layout import DdrLayout
from models.schedule import Transfer, bursts, token_schedule
from verif.cfg_item import random_case
from verif.coverage import Coverage, ctx_shape, merge_ucis, report, seq_bucket, tile_shape


def _group(holes: list[str], cg: str) -> set[str]:
    return {h for h in holes if h.startswith(cg + ".")}


def test_classification() -> None:
    assert [tile_shape(r, 12) for r in (1, 12, 24, 25)] == ["one", "one", "many", "partial"]
    assert [ctx_shape(p, 8) for p in (0, 1, 8, 16, 17)] == ["none", "one", "one", "many", "partial"]
    assert [seq_bucket(p, 64) for p in (0, 15, 16, 47, 48, 62, 63)] == ["len1", "short", "mid", "mid", "long",
                                                                        "long", "max"]
    assert seq_bucket(0, 1) == "len1" and seq_bucket(1, 2) == "max"


def test_token_sampling_hits_the_expected_config_bins() -> None:
    cfg = preset("tiny")          # 2 layers, 2 heads, d_head 16, d_model 32, d_ff 64, vocab 97, w 12, ctx 8
    cov = Coverage()
    t = time.perf_counter()
    for pos in range(cfg.max_seq):
        cov.sample_token(cfg, pos)
    per_sample = (time.perf_counter() - t) / cfg.max_seq
    print(f"\nsample_token: {per_sample * 1e6:.0f} us")
    assert per_sample < 2e-3
    tiles = {f"cfg.tiles_{p}.{s}" for p in ("qkv", "wo", "w1", "w2", "logits") for s in ("one", "many")}
    assert _group(cov.holes(), "cfg") == tiles | {
        "cfg.layers.1", "cfg.layers.3", "cfg.layers.4", "cfg.heads.1", "cfg.heads.3_4", "cfg.heads.5_8",
        "cfg.heads.9_16", "cfg.ctx_count.17_up", "cfg.seq_x_ctx.<short,many>", "cfg.seq_x_ctx.<mid,one>",
        "cfg.seq_x_ctx.<long,one>", "cfg.seq_x_ctx.<max,one>", "cfg.seq_x_ctx.<max,many>"}
    # the other phases' shapes: one tile and whole tiles
    cov.sample_token(cfg.replace(w_tile_rows=128), 0)
    cov.sample_token(cfg.replace(w_tile_rows=8, vocab=96), 0)
    assert not any(h.startswith("cfg.tiles_") for h in cov.holes()), cov.holes()
    assert cov.coverage()["stim"] == 0.0


def test_burst_sampling_from_the_schedule() -> None:
    cfg = preset("tiny")
    cov = Coverage()
    sched = token_schedule(DdrLayout(cfg), 20)
    for t in sched:
        cov.sample_transfer(t, cfg.bus_bytes)
    lens = [n for t in sched if t.kind == "rd" for _, n in bursts(t, cfg.bus_bytes)]
    hit = {"1": 1 in lens, "2_15": any(2 <= n <= 15 for n in lens), "16_255": any(16 <= n <= 255 for n in lens)}
    holes = cov.holes()
    for b, want in hit.items():
        assert (f"axi_burst.rd_len.{b}" not in holes) == want, b
    assert "axi_burst.wr_len.1" not in holes             # K/V appends: d_head 16 = one 128-bit beat
    # a read crossing 4 KB is split there; 4 KB from a page start is one 256-beat burst; a split write
    cov.sample_transfer(Transfer("rd", 4096 - 64, 256, "x", None, None, None, "wo"), 16)
    cov.sample_transfer(Transfer("rd", 8192, 4096, "x", None, None, None, "wo"), 16)
    cov.sample_transfer(Transfer("wr", 4096 - 32, 64, "kv", 0, 0, None, "k_append"), 16)
    holes = cov.holes()
    for b in ("rd_len.256", "rd_split_4k.split", "wr_split_4k.split"):
        assert f"axi_burst.{b}" not in holes, b
    assert "axi_burst.wr_len.16_255" in holes
    t = time.perf_counter()
    for _ in range(200):
        cov.sample_burst(False, 16, outstanding=2)
    print(f"\nsample_burst: {(time.perf_counter() - t) / 200 * 1e6:.0f} us")


def test_axi_token_depth_and_datapath_bins() -> None:
    cov = Coverage()
    cov.sample_axi_token({"ar": 3, "r": 0, "w": 1}, rd_reordered=True, max_rd_outstanding=3)
    assert _group(cov.holes(), "axi_token") == {"axi_token.bp_r.seen", "axi_token.bp_aw.seen",
                                                "axi_token.bp_b.seen", "axi_token.rd_interleaved.seen",
                                                "axi_token.wr_reordered.seen"}
    assert _group(cov.holes(), "axi_depth") == {"axi_depth.rd_outstanding.4"}
    cov.sample_burst(False, 8, outstanding=4)
    assert cov.coverage()["axi_depth"] == 100.0
    with pytest.raises(ValueError, match="unknown AXI channel"):
        cov.sample_axi_token({"rr": 1})
    cov.sample_datapath(int8_sat=True, softmax_single=True)
    assert _group(cov.holes(), "datapath") == {"datapath.int16_sat.seen", "datapath.ln_zero_var.seen"}
    cov.sample_datapath(int16_sat=True, ln_zero_var=True)
    assert cov.coverage()["datapath"] == 100.0


def test_case_sampling() -> None:
    cov = Coverage()
    cases = [random_case(s) for s in range(3)]
    for c in cases:
        cov.sample_case(c)
    hit = {f"stim.weight.{c.weight_dist}" for c in cases} | {f"stim.latency.{c.latency}" for c in cases}
    assert not hit & set(cov.holes())


def test_ucis_save_merge_is_the_union(tmp_path: Path) -> None:
    cfg = preset("tiny")
    a, b = Coverage(), Coverage()          # two runs (two objects in one process must not mix)
    for pos in range(4):
        a.sample_token(cfg, pos)
    a.sample_axi_token({"ar": 1}, rd_reordered=True, max_rd_outstanding=2)
    a.sample_burst(False, 1)
    b.sample_token(preset("small"), 127)
    b.sample_axi_token({"b": 1}, wr_reordered=True, max_rd_outstanding=4)
    b.sample_burst(True, 4, split_4k=True)
    b.sample_burst(False, 1)
    b.sample_datapath(ln_zero_var=True)
    pa, pb, pm = tmp_path / "a.xml", tmp_path / "b.xml", tmp_path / "merged.xml"
    a.save_ucis(pa, "run_a")
    b.save_ucis(pb, "run_b")
    ra, rb = report(pa), report(pb)
    assert sorted(ra.holes) == sorted(a.holes()) and sorted(rb.holes) == sorted(b.holes())
    for name, pct in a.coverage().items():
        assert ra.coverage[name] == pytest.approx(pct)
    assert ra.hits["axi_burst.rd_len.1"] == 1 and rb.hits["axi_burst.rd_len.1"] == 1

    merge_ucis([pa, pb], pm)
    rm = report(pm)
    assert set(rm.holes) == set(ra.holes) & set(rb.holes)
    assert rm.hits == {k: ra.hits[k] + rb.hits[k] for k in ra.hits}
    assert rm.hits["axi_burst.rd_len.1"] == 2
    for name in rm.coverage:
        assert rm.coverage[name] >= max(ra.coverage[name], rb.coverage[name])
    assert rm.coverage["axi_depth"] == 100.0 and "cfg.seq.max" not in rm.holes and "cfg.seq.len1" not in rm.holes
    db = XmlFactory.read(str(pm))
    assert sorted(h.getLogicalName() for h in db.getHistoryNodes(HistoryNodeKind.TEST)) == ["run_a", "run_b"]
    # pyucis' own report builder agrees with ours
    ours = rm.coverage
    theirs = {cg.name: cg.coverage for cg in CoverageReportBuilder.build(db).covergroups}
    assert theirs == pytest.approx(ours)
    # a merged file merges again (regression: merge of merges)
    merge_ucis([pm, pa], tmp_path / "again.xml")
    assert report(tmp_path / "again.xml").hits["cfg.seq.len1"] == 2
    text = rm.text()
    assert "total" in text and f"{len(rm.holes)} hole(s)" in text
