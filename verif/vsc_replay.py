"""Replayed pyvsc samples: the same bin hits as `covergroup.sample(*values)`, without re-evaluating the coverpoints.

A pyvsc sample sets the sample fields, evaluates every coverpoint of the instance and of its type covergroup and
tests every bin's range list (~40 us per sample on the 2-core machine). For a covergroup without `iff` conditions,
what a sample does to the coverage model is a function of the sampled values alone: the sequence of
`coverage_ev(bin_idx, bin_type)` calls its coverpoints make (the instance's and the type's), and the one bin each
cross hits (found by comparing the cross's hit counts around the real sample). `Replay` records that the first time
it sees a tuple of values (by sampling for real) and replays it on the same models the next time: a cross bin hit as
pyvsc 1.0.0's CoverpointCrossModel.sample makes it (count, illegal-hit count, first-hit bookkeeping). Hit counts,
unhit sets, the covergroup's coverage events and hence every report (coverage(), holes(), the UCIS file) come out as
if sampled, a few us per sample. tests/test_vsc_replay.py checks that against real sampling on random values.
"""
from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any

Event = tuple[Any, int, Any]             # (coverpoint model, bin index, bin type); bin type None: a cross bin


def _models(cg: Any) -> list[Any]:
    """The covergroup instance's model and, when pyvsc keeps one, its type covergroup's model."""
    model = cg.get_model()
    return [model] + ([model.type_cg] if getattr(model, "type_cg", None) is not None else [])


class Replay:
    """`sample(*values)` for one pyvsc covergroup instance with no iff (checked)."""

    def __init__(self, cg: Any) -> None:
        self.cg = cg
        self._events: dict[Hashable, list[Event]] = {}
        for m in _models(cg):
            for cp in [*m.coverpoint_l, *m.cross_l]:
                if cp.iff is not None:
                    raise ValueError(f"{m.name}.{cp.name}: coverpoints or crosses with iff cannot be replayed")
        self.sampled = self.replayed = 0

    def sample(self, *values: int) -> None:
        events = self._events.get(values)
        if events is None:
            self._events[values] = self._record(values)
            self.sampled += 1
            return
        for cp, idx, kind in events:
            if kind is None:
                _cross_hit(cp, idx)
            else:
                cp.coverage_ev(idx, kind)
        self.replayed += 1

    def _record(self, values: tuple[int, ...]) -> list[Event]:
        events: list[Event] = []
        patched: list[tuple[Any, Callable[..., Any]]] = []
        crosses = [(cr, list(cr.hit_l)) for m in _models(self.cg) for cr in m.cross_l]
        for m in _models(self.cg):
            for cp in m.coverpoint_l:
                real = cp.coverage_ev

                def spy(idx: int, kind: Any, cp: Any = cp, real: Callable[..., Any] = real) -> None:
                    events.append((cp, idx, kind))
                    real(idx, kind)
                cp.coverage_ev = spy
                patched.append((cp, real))
        try:
            self.cg.sample(*values)
        finally:
            for cp, _ in patched:
                del cp.coverage_ev          # back to the class's method (the instance attribute goes)
        for cr, before in crosses:
            hit = [i for i, (a, b) in enumerate(zip(before, cr.hit_l, strict=True)) if b != a]
            if len(hit) > 1 or any(cr.hit_l[i] != before[i] + 1 for i in hit):
                raise RuntimeError(f"{cr.name}: a sample changed cross bins {hit}; vsc_replay expects one hit")
            events += [(cr, i, None) for i in hit]
        return events


def _cross_hit(cr: Any, idx: int) -> None:
    """What pyvsc 1.0.0's CoverpointCrossModel.sample does once it has found the bin `idx`."""
    cr.hit_l[idx] += 1
    if cr.get_bin_illegal(idx):
        cr.illegal_hits[idx] = cr.illegal_hits.get(idx, 0) + 1
    if idx in cr.unhit_s:
        cr.parent.coverage_ev(cr, idx)
        cr.unhit_s.remove(idx)
        cr.coverage_calc_valid = False
