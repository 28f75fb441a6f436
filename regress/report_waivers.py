"""Dashboard: the reviewed coverage waivers of a coverage summary (its `waived` key, regress.covwaive.section).

Shown under the code and the functional coverage sections, apart from the figures they changed: a table of the
waivers that applied (point, kind, module or covergroup, points taken out, state, reason, reviewer and date), the
unwaived figure beside the waived one, and a warning box for the stale waivers (matching no coverage point) and
the hit ones (every point they take out was hit: no longer needed).
"""
from __future__ import annotations

from html import escape
from typing import Any

from regress.results import json_dict, json_list

STATE_STYLE = {"active": "", "hit": ' style="color:#bc4c00"', "stale": ' style="color:#cf222e"'}


def _e(text: Any) -> str:
    return escape("" if text is None else str(text))


def _row(r: Any) -> str:
    if not isinstance(r, dict):
        return ""
    state = str(r.get("state", "?"))
    return (f'<tr><td class="mono">{_e(r.get("target"))}</td><td>{_e(r.get("kind"))}</td>'
            f'<td class="mono">{_e(r.get("module"))}</td>'
            f'<td class="num">{_e(r.get("points_hit"))}/{_e(r.get("points"))}</td>'
            f"<td{STATE_STYLE.get(state, '')}>{_e(state)}</td><td>{_e(r.get('reason'))}</td>"
            f'<td class="muted">{_e(r.get("reviewer"))}, {_e(r.get("date"))}</td></tr>')


def _unwaived(raw: Any) -> str:
    if isinstance(raw, (int, float)):
        return f"{raw:.1f}%"
    if isinstance(raw, dict):
        parts = [f"{m} {json_dict(raw, m).get('pct')}%" for m in ("line", "toggle", "branch") if m in raw]
        return ", ".join(parts)
    return "?"


def waived_html(summary: Any, what: str) -> str:
    """The waiver block of one coverage summary ("" when it has no `waived` key); `what`: "code" or "functional"."""
    w = summary.get("waived") if isinstance(summary, dict) else None
    if not isinstance(w, dict):
        return ""
    applied, stale, hit = json_list(w, "waivers"), json_list(w, "stale"), json_list(w, "hit")
    src = f'<span class="mono">{_e(w.get("file"))}</span>'
    if not applied and not stale:
        return f'<p class="muted">waived {what} coverage points: none ({src})</p>'
    head = ('<table class="waivers"><thead><tr><th data-sort="txt">waived point</th><th data-sort="txt">kind</th>'
            '<th data-sort="txt">module / covergroup</th><th class="num">points hit</th><th data-sort="txt">state'
            '</th><th>reason</th><th>reviewed</th></tr></thead><tbody>')
    out = []
    if stale or hit:
        items = "".join(f"<li>stale: <code>{_e(r.get('target'))}</code> ({_e(r.get('kind'))}, waiver "
                        f"#{_e(r.get('entry'))}) matches no coverage point: fix or remove it</li>" for r in stale
                        if isinstance(r, dict))
        items += "".join(f"<li>hit: <code>{_e(r.get('target'))}</code> (waiver #{_e(r.get('entry'))}): every "
                         "point it waives was hit: no longer needed, remove it</li>"
                         for r in hit if isinstance(r, dict))
        out.append(f'<div class="warn">{what} coverage waivers to review ({src}):<ul>{items}</ul></div>')
    if applied:
        n = sum(int(r.get("points", 0)) for r in applied if isinstance(r, dict))
        out.append(f"<details open><summary>waived {what} coverage: {len(applied)} waiver(s), {n} point(s) out of "
                   f"the figures above (unwaived: {_e(_unwaived(w.get('unwaived')))}) · {src}</summary>{head}"
                   f'{"".join(_row(r) for r in applied)}</tbody></table></details>')
    if stale:
        out.append(f"<details><summary>stale {what} waivers ({len(stale)})</summary>{head}"
                   f'{"".join(_row(r) for r in stale)}</tbody></table></details>')
    return "".join(out)
