"""verif/vsc_replay.py: replayed pyvsc samples leave the coverage model exactly as real samples do.

Two verif.coverage.Coverage objects take the same random burst / depth samples (with many repeats, as a token's
bursts have): one through Coverage.sample_burst / sample_axi_token (replayed after the first sample of each value
tuple), one through pyvsc's own covergroup.sample. Their instance models must match bin for bin (hit counts, unhit
sets, coverage(), holes()), and so must what each adds to the shared type covergroups.
"""
from __future__ import annotations

import random
from typing import Any

import pytest

from verif.coverage import Coverage
from verif.vsc_replay import Replay

Hits = list[tuple[str, list[int], list[int], list[int], list[int]]]


def hits(model: Any) -> Hits:
    return [(cp.name, list(cp.hit_l), sorted(cp.unhit_s), list(cp.hit_ignore_l), list(cp.hit_illegal_l))
            for cp in model.coverpoint_l]


def type_hits(cov: Coverage) -> dict[str, list[list[int]]]:
    return {n: [list(cp.hit_l) for cp in getattr(cov, n).get_model().type_cg.coverpoint_l]
            for n in ("axi_burst", "axi_depth")}


def slow_burst(cov: Coverage, write: bool, n: int, split: bool, outstanding: int) -> None:
    """Coverage.sample_burst's mapping onto the covergroups, sampled by pyvsc itself."""
    if write:
        cov.axi_burst.sample(0, n, 0, int(split))
    else:
        cov.axi_burst.sample(n, 0, int(split), 0)
        if outstanding:
            cov.axi_depth.sample(outstanding)


def samples(rng: random.Random, count: int) -> list[tuple[bool, int, bool, int]]:
    lens = (1, 2, 3, 4, 7, 8, 16, 17, 64, 128, 255, 256)
    return [(rng.random() < 0.3, rng.choice(lens), rng.random() < 0.1, rng.randrange(0, 6)) for _ in range(count)]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_replayed_samples_match_real_samples(seed: int) -> None:
    rng = random.Random(seed)
    fast, slow = Coverage(), Coverage()
    t0 = type_hits(fast)
    for write, n, split, depth in samples(rng, 400):
        fast.sample_burst(write, n, split, depth if not write else 0)
    for k in (0, 3, 5):
        fast.sample_axi_token({}, max_rd_outstanding=k)
    t1 = type_hits(fast)
    rng = random.Random(seed)
    for write, n, split, depth in samples(rng, 400):
        slow_burst(slow, write, n, split, depth if not write else 0)
    for k in (0, 3, 5):
        for d in range(1, min(k, 4) + 1):
            slow.axi_depth.sample(d)
    t2 = type_hits(slow)
    for name in ("axi_burst", "axi_depth"):
        assert hits(getattr(fast, name).get_model()) == hits(getattr(slow, name).get_model()), name
        delta_fast = [[b - a for a, b in zip(x, y, strict=True)] for x, y in zip(t0[name], t1[name], strict=True)]
        delta_slow = [[b - a for a, b in zip(x, y, strict=True)] for x, y in zip(t1[name], t2[name], strict=True)]
        assert delta_fast == delta_slow, f"{name}: type covergroup"
    assert fast.coverage() == slow.coverage()
    assert fast.holes() == slow.holes()
    assert fast._burst.replayed > fast._burst.sampled > 0      # the replay path ran, and more often than sampling


def cross_hits(model: Any) -> list[tuple[str, list[int], list[int], dict[int, int]]]:
    return [(cr.name, list(cr.hit_l), sorted(cr.unhit_s), dict(cr.illegal_hits)) for cr in model.cross_l]


@pytest.mark.parametrize("seed", [1, 2])
def test_replayed_cross_samples_match_real_samples(seed: int) -> None:
    """The config covergroup (coverpoints and a cross) through Coverage.sample_token against pyvsc's own sample."""
    from models.config import preset
    rng = random.Random(seed)
    fast, slow = Coverage(), Coverage()
    cfgs = [preset("tiny"), preset("small")]
    draws = [(rng.choice(cfgs), rng.randrange(0, 64)) for _ in range(150)]
    t0 = [list(cr.hit_l) for cr in fast.cfg.get_model().type_cg.cross_l]
    for cfg, pos in draws:
        fast.sample_token(cfg, pos)
    t1 = [list(cr.hit_l) for cr in fast.cfg.get_model().type_cg.cross_l]
    real = Replay(slow.cfg)
    for cfg, pos in draws:                            # Coverage.sample_token's values, sampled for real each time
        real._record(slow._cfg_values(cfg, pos))
    t2 = [list(cr.hit_l) for cr in slow.cfg.get_model().type_cg.cross_l]
    fm, sm = fast.cfg.get_model(), slow.cfg.get_model()
    assert hits(fm) == hits(sm) and cross_hits(fm) == cross_hits(sm)
    assert [[b - a for a, b in zip(x, y, strict=True)] for x, y in zip(t0, t1, strict=True)] == \
        [[b - a for a, b in zip(x, y, strict=True)] for x, y in zip(t1, t2, strict=True)], "type covergroup crosses"
    assert fast.coverage() == slow.coverage() and fast.holes() == slow.holes()
    assert fast._cfg.replayed > fast._cfg.sampled > 0 and fm.cross_l


def test_a_cross_replays_its_recorded_bin(monkeypatch: pytest.MonkeyPatch) -> None:
    """A planted replay bug (the cross bin not replayed) shows up as a cross hit-count difference."""
    import verif.vsc_replay as vr
    from models.config import preset
    fast, slow = Coverage(), Coverage()
    monkeypatch.setattr(vr, "_cross_hit", lambda cr, idx: None)
    real = Replay(slow.cfg)
    for pos in (0, 0, 0):
        fast.sample_token(preset("tiny"), pos)
        real._record(slow._cfg_values(preset("tiny"), pos))
    assert cross_hits(fast.cfg.get_model()) != cross_hits(slow.cfg.get_model())
