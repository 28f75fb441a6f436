"""Inline SVG plots for the dashboard (no JavaScript, no external assets): horizontal bar charts with an optional
min..max whisker, and a multi-series line chart of percentages over successive regressions.
"""
from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from html import escape

FONT = 'font-family="ui-monospace,Menlo,Consolas,monospace" font-size="11"'
CHAR_W = 7                       # px per character of FONT (11 px monospace: about 6.6)
SERIES_COLOURS = ("#1a7f37", "#0969da", "#8250df", "#bf8700", "#cf222e", "#57606a")


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    colour: str = "#0969da"
    lo: float | None = None          # whisker (min..max) when given
    hi: float | None = None
    title: str = ""                  # hover text


def _nice_max(v: float) -> float:
    """The next 1/2/5 x 10^k at or above v."""
    if v <= 0:
        return 1.0
    k: float = 10 ** math.floor(math.log10(v))
    return next(m * k for m in (1, 2, 5, 10) if m * k >= v)


def _fmt(v: float) -> str:
    if v >= 1e6:
        return f"{v / 1e6:.3g}M"
    if v >= 1e3:
        return f"{v / 1e3:.3g}k"
    return f"{v:.3g}"


def bar_chart(bars: Sequence[Bar], unit: str, width: int = 600, label_w: int = 190, row_h: int = 18) -> str:
    """Horizontal bars, one row each, on a value axis in `unit` (named by the caller's caption)."""
    if not bars:
        return '<p class="muted">no data</p>'
    top = max(max(b.value, b.hi or 0.0) for b in bars)
    vmax = _nice_max(top)
    need = CHAR_W * max(len(b.label) for b in bars) + 12     # the longest label fits: nothing is clipped
    if need > label_w:
        width, label_w = width + need - label_w, need
    plot_w = width - label_w - 50
    h = row_h * len(bars) + 28

    def x(v: float) -> float:                  # value -> pixel
        return label_w + plot_w * v / vmax

    out = [f'<svg class="plot" role="img" width="{width}" height="{h}" viewBox="0 0 {width} {h}" {FONT}>']
    for i in range(5):
        gx = x(vmax * i / 4)
        out.append(f'<line x1="{gx:.1f}" y1="4" x2="{gx:.1f}" y2="{h - 20}" stroke="#d0d7de" stroke-width="1"/>'
                   f'<text x="{gx:.1f}" y="{h - 6}" text-anchor="middle" fill="#57606a">{_fmt(vmax * i / 4)}</text>')
    for i, b in enumerate(bars):
        y = 6 + i * row_h
        tip = escape(b.title or f"{b.label}: {_fmt(b.value)} {unit}")
        out.append(f'<g><title>{tip}</title>'
                   f'<text x="{label_w - 6}" y="{y + row_h / 2 + 3:.1f}" text-anchor="end">{escape(b.label)}</text>'
                   f'<rect x="{label_w}" y="{y + 2}" width="{max(1.0, x(b.value) - label_w):.1f}" '
                   f'height="{row_h - 5}" fill="{b.colour}" rx="2"/>')
        if b.lo is not None and b.hi is not None and b.hi > b.lo:
            cy = y + row_h / 2
            lo, hi = x(b.lo), x(b.hi)
            out.append(f'<line x1="{lo:.1f}" y1="{cy:.1f}" x2="{hi:.1f}" y2="{cy:.1f}" stroke="#24292f"/>'
                       f'<line x1="{lo:.1f}" y1="{cy - 4:.1f}" x2="{lo:.1f}" y2="{cy + 4:.1f}" stroke="#24292f"/>'
                       f'<line x1="{hi:.1f}" y1="{cy - 4:.1f}" x2="{hi:.1f}" y2="{cy + 4:.1f}" stroke="#24292f"/>')
        out.append(f'<text x="{x(max(b.value, b.hi or 0)) + 4:.1f}" y="{y + row_h / 2 + 3:.1f}" '
                   f'fill="#57606a">{_fmt(b.value)}</text></g>')
    out.append("</svg>")
    return "".join(out)


def line_chart(labels: Sequence[str], series: Mapping[str, Sequence[float | None]], width: int = 600,
               height: int = 220, y_max: float = 100.0, unit: str = "%") -> str:
    """Percent series over successive points (x: `labels`, oldest first); None values leave a gap."""
    if not labels or not any(v is not None for vs in series.values() for v in vs):
        return '<p class="muted">no trend yet: the plot appears from the first recorded regression on</p>'
    left, top, bottom = 40, 10, 40
    right = max(130, CHAR_W * max(len(k) for k in series) + 44)        # the legend's longest name fits
    pw, ph = width - left - right, height - top - bottom
    n = len(labels)

    def x(i: int) -> float:                    # point index -> pixel
        return left + (pw * i / (n - 1) if n > 1 else pw / 2)

    def y(v: float) -> float:                  # value -> pixel
        return top + ph * (1 - v / y_max)

    out = [f'<svg class="plot" role="img" width="{width}" height="{height}" viewBox="0 0 {width} {height}" {FONT}>']
    for i in range(5):
        v = y_max * i / 4
        out.append(f'<line x1="{left}" y1="{y(v):.1f}" x2="{left + pw}" y2="{y(v):.1f}" stroke="#d0d7de"/>'
                   f'<text x="{left - 4}" y="{y(v) + 4:.1f}" text-anchor="end" fill="#57606a">{v:g}{unit}</text>')
    step = max(1, math.ceil(n / 8))
    for i in range(0, n, step):
        anchor = "start" if i == 0 and n > 1 else "end" if i == n - 1 and n > 1 else "middle"
        out.append(f'<text x="{x(i):.1f}" y="{height - bottom + 16}" text-anchor="{anchor}" fill="#57606a">'
                   f'{escape(labels[i])}</text>')
    for k, (name, values) in enumerate(series.items()):
        colour = SERIES_COLOURS[k % len(SERIES_COLOURS)]
        pts = [(x(i), y(v), v, labels[i]) for i, v in enumerate(values) if v is not None]
        if len(pts) > 1:
            out.append(f'<polyline fill="none" stroke="{colour}" stroke-width="2" points="'
                       + " ".join(f"{px:.1f},{py:.1f}" for px, py, _, _ in pts) + '"/>')
        out += [f'<circle cx="{px:.1f}" cy="{py:.1f}" r="3" fill="{colour}"><title>{escape(name)} {escape(lab)}: '
                f'{v:.1f}{unit}</title></circle>' for px, py, v, lab in pts]
        ly = top + 14 + 16 * k
        out.append(f'<rect x="{left + pw + 20}" y="{ly - 8}" width="12" height="4" fill="{colour}"/>'
                   f'<text x="{left + pw + 36}" y="{ly - 2}">{escape(name)}</text>')
    out.append("</svg>")
    return "".join(out)


def meter(value: float | None, width: int = 120) -> str:
    """A small inline percent bar (red < 50 <= amber < 80 <= green), or a dash for no value."""
    if value is None:
        return '<span class="muted">-</span>'
    v = max(0.0, min(100.0, value))
    colour = "#cf222e" if v < 50 else "#bf8700" if v < 80 else "#1a7f37"
    return (f'<span class="mtr"><span class="meter" style="width:{width}px"><span style="width:{v:.1f}%;'
            f'background:{colour}"></span></span> {value:.1f}%</span>')
