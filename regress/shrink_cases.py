"""The smaller cases `regress shrink` tries (regress/shrink.py): one field of an EngineCase at a time.

Each dimension maps a case to its candidates, smallest first, each strictly smaller than the case in that one
field and valid (models.config.EngineConfig.validate, positions inside max_seq). The order is by expected saving:
tokens, layers, a late start's preloaded context, vocab, heads, head width, FFN width, max_seq, then the timing
knobs switched off one at a time (AXI latency, AXI stalls, stream gaps, X late after START, reordering).
"""
from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from typing import Any

from models.config import ConfigError
from verif.cfg_item import LATENCY_KNOBS, EngineCase, Latency

Dimension = tuple[str, Callable[[EngineCase], list[EngineCase]]]
STALL_KNOBS = ("p_ar_stall", "p_r_gap", "p_aw_stall", "p_w_stall", "p_b_gap")
REORDER_KNOBS = ("reorder", "interleave", "b_reorder")


def _smaller(value: int, floor: int, step: int = 1) -> list[int]:
    """Candidate values below `value`: the floor, then half of it (rounded down to `step`), smallest first."""
    half = max(floor, (value // 2) // step * step)
    return [v for v in dict.fromkeys((floor, half)) if v < value]


def _with_cfg(case: EngineCase, **changes: Any) -> EngineCase | None:
    try:
        cfg = dataclasses.replace(case.cfg, **changes).validate()
    except ConfigError:
        return None
    if case.t0 + case.n_tokens > cfg.max_seq:
        return None
    return dataclasses.replace(case, cfg=cfg)


def _keep(cases: Iterator[EngineCase | None]) -> list[EngineCase]:
    return [c for c in cases if c is not None]


def _tokens(c: EngineCase) -> list[EngineCase]:
    return [dataclasses.replace(c, n_tokens=n) for n in _smaller(c.n_tokens, 1)]


def _layers(c: EngineCase) -> list[EngineCase]:
    return _keep(_with_cfg(c, n_layers=n) for n in _smaller(c.cfg.n_layers, 1))


def _late_start(c: EngineCase) -> list[EngineCase]:
    return [dataclasses.replace(c, t0=t) for t in _smaller(c.t0, 0)]


def _vocab(c: EngineCase) -> list[EngineCase]:
    return _keep(_with_cfg(c, vocab=v) for v in _smaller(c.cfg.vocab, 1))


def _heads(c: EngineCase) -> list[EngineCase]:
    return _keep(_with_cfg(c, n_heads=h, d_model=h * c.cfg.d_head) for h in _smaller(c.cfg.n_heads, 1))


def _head_width(c: EngineCase) -> list[EngineCase]:
    lanes = c.cfg.lanes
    return _keep(_with_cfg(c, d_head=d, d_model=c.cfg.n_heads * d) for d in _smaller(c.cfg.d_head, lanes, lanes))


def _ffn(c: EngineCase) -> list[EngineCase]:
    lanes = c.cfg.lanes
    return _keep(_with_cfg(c, d_ff=f) for f in _smaller(c.cfg.d_ff, lanes, lanes))


def _max_seq(c: EngineCase) -> list[EngineCase]:
    need = c.t0 + c.n_tokens
    return _keep(_with_cfg(c, max_seq=m) for m in _smaller(c.cfg.max_seq, need))


def _knobs(c: EngineCase, axi: dict[str, Any] | None = None, bus: dict[str, Any] | None = None,
           latency: str | None = None) -> list[EngineCase]:
    """`c` with some timing knobs changed ([] when that changes nothing); the latency / backpressure labels (what
    coverage samples) follow."""
    new_axi, new_bus = {**c.axi_mem, **(axi or {})}, {**c.bus_knobs, **(bus or {})}
    if new_axi == c.axi_mem and new_bus == c.bus_knobs:
        return []
    quiet = all(not new_axi.get(k) for k in STALL_KNOBS) and not new_bus.get("p_x_idle") \
        and not new_bus.get("p_logits_stall") and not new_bus.get("x_delay_max")
    return [dataclasses.replace(c, axi_mem=new_axi, bus_knobs=new_bus, latency=latency or c.latency,
                                backpressure="none" if quiet else c.backpressure)]


def _latency_off(c: EngineCase) -> list[EngineCase]:
    return _knobs(c, axi=dict(LATENCY_KNOBS[Latency.NONE]), latency="none")


def _stalls_off(c: EngineCase) -> list[EngineCase]:
    return _knobs(c, axi=dict.fromkeys(STALL_KNOBS, 0.0))


def _gaps_off(c: EngineCase) -> list[EngineCase]:
    return _knobs(c, bus={"p_x_idle": 0.0, "p_logits_stall": 0.0})


def _x_delay_off(c: EngineCase) -> list[EngineCase]:
    return _knobs(c, bus={"x_delay_max": 0})


def _reorder_off(c: EngineCase) -> list[EngineCase]:
    return _knobs(c, axi=dict.fromkeys(REORDER_KNOBS, False))


DIMENSIONS: list[Dimension] = [
    ("tokens", _tokens), ("layers", _layers), ("late start", _late_start), ("vocab", _vocab), ("heads", _heads),
    ("head width", _head_width), ("ffn width", _ffn), ("max_seq", _max_seq), ("AXI latency", _latency_off),
    ("AXI stalls", _stalls_off), ("stream gaps", _gaps_off), ("X delay", _x_delay_off), ("reordering", _reorder_off),
]


def size(c: EngineCase) -> str:
    """A case's size in one phrase: '4 tokens x 2 layers, d_model 64 (2 heads of 32), d_ff 256, vocab 500, t0 3'."""
    g = c.cfg
    return (f"{c.n_tokens} token{'s' if c.n_tokens != 1 else ''} x {g.n_layers} layer{'s' if g.n_layers != 1 else ''}"
            f", d_model {g.d_model} ({g.n_heads} head{'s' if g.n_heads != 1 else ''} of {g.d_head}), d_ff {g.d_ff}, "
            f"vocab {g.vocab}, max_seq {g.max_seq}, t0 {c.t0}")


def timing(c: EngineCase) -> str:
    """The timing knobs in one phrase (what is on)."""
    on = [f"latency {c.latency}"] if c.axi_mem.get("lat_max") else []
    on += ["AXI stalls"] if any(c.axi_mem.get(k) for k in STALL_KNOBS) else []
    on += ["stream gaps"] if c.bus_knobs.get("p_x_idle") or c.bus_knobs.get("p_logits_stall") else []
    on += [f"X delay <= {c.bus_knobs['x_delay_max']}"] if c.bus_knobs.get("x_delay_max") else []
    on += ["reordering"] if any(c.axi_mem.get(k) for k in REORDER_KNOBS) else []
    return ", ".join(on) or "no timing knobs"


def weight(c: EngineCase) -> int:
    """A rough cost (weight bytes streamed x tokens + context): what the shrink drives down."""
    return c.n_tokens * c.weight_bytes + (c.t0 + c.n_tokens) * c.cfg.d_model * c.cfg.n_layers


__all__ = ["DIMENSIONS", "size", "timing", "weight"]
