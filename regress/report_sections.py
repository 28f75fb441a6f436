"""Dashboard sections built from summaries: the testplan (one row per testpoint), code coverage per module,
functional coverage per covergroup (with the holes), simulation speed (table + plots) and the trend over earlier
regressions of the suite.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape
from pathlib import Path
from statistics import mean
from typing import Any

from regress import testplan as tp
from regress.history import Entry
from regress.report_data import Regression, Run, link, pct, sibling_link
from regress.report_plots import Bar, bar_chart, line_chart, meter
from regress.report_waivers import waived_html
from regress.results import json_dict, json_list

METRICS = ("line", "toggle", "branch")
STATUS_COLOURS = {"pass": "#1a7f37", "fail": "#cf222e", "crash": "#8b0000", "timeout": "#bc4c00"}
SLOWEST = 25
NOT_COLLECTED = '<p class="muted">not collected{}</p>'


def e(text: Any) -> str:
    return escape("" if text is None else str(text))


def a(href: str | None, text: str, title: str = "") -> str:
    if not href:
        return ""
    t = f' title="{e(title)}"' if title else ""
    return f'<a href="{e(href)}"{t}>{e(text)}</a>'


def _metric_cell(d: Any, metric: str) -> str:
    v = pct(d, metric, "pct")
    m = json_dict(d, metric)
    if m.get("total") == 0:               # the module has no point of this kind (e.g. no if/else: no branch)
        return '<td data-v="101" class="muted" title="no coverage points of this kind">n/a</td>'
    tip = f' title="{e(m["hit"])} / {e(m["total"])} hit"' if "hit" in m and "total" in m else ""
    return f'<td data-v="{v if v is not None else -1}"{tip}>{meter(v)}</td>'


def module_pages(html_index: Path | None) -> dict[str, Path]:
    """module -> its source file's genhtml page (<module>.sv.gcov.html anywhere under the report: one module per
    file, named after it)."""
    if html_index is None or not html_index.is_file():
        return {}
    return {p.name.removesuffix(".sv.gcov.html"): p for p in html_index.parent.rglob("*.sv.gcov.html")}


def _module_table(mods: Any, out: Path | None = None, pages: dict[str, Path] | None = None) -> str:
    if not isinstance(mods, dict) or not mods:
        return '<p class="muted">no modules</p>'
    pages = pages or {}

    def name_cell(name: str) -> str:
        page = pages.get(name)
        return a(link(out, page), name, "its lines in the genhtml report") if page and out else e(name)
    def line_key(d: Any) -> float:
        n = d.get("line", {}).get("total") if isinstance(d, dict) and isinstance(d.get("line"), dict) else None
        return 101.0 if n == 0 else pct(d, "line", "pct") or 0.0
    order = sorted(mods.items(), key=lambda kv: (line_key(kv[1]), kv[0]))
    rows = "".join(f'<tr><td class="mono">{name_cell(name)}</td>' + "".join(_metric_cell(d, m) for m in METRICS)
                   + "</tr>" for name, d in order)
    return ('<table><thead><tr><th data-sort="txt">module</th>' + "".join(
        f'<th data-sort="num">{m}</th>' for m in METRICS) + f"</tr></thead><tbody>{rows}</tbody></table>")


def _gate(reg: Regression) -> str:
    g = reg.gate
    if not isinstance(g, dict):
        return ""
    th = json_dict(g, "thresholds")
    misses = [m for m in json_list(g, "misses") if m]
    state = (("not enforced" + (" (would miss)" if misses else "")) if not g.get("enabled") else
             '<b style="color:#cf222e">FAILED</b>' if misses else '<b style="color:#1a7f37">met</b>')
    items = "".join(f"<li>{e(_miss_text(m))}</li>" for m in misses)
    ths = ", ".join(f"{e(k)} ≥ {e(v)}%" for k, v in sorted(th.items())) or "no thresholds"
    return (f'<p>coverage gate: {state} <span class="muted mono">({ths})</span></p>'
            + (f"<ul>{items}</ul>" if items else ""))


def _miss_text(m: Any) -> Any:
    """One coverage-gate miss: a string as is, a dict as `key: value, ...`, anything else unchanged."""
    if isinstance(m, str):
        return m
    return ", ".join(f"{k}: {v}" for k, v in m.items()) if isinstance(m, dict) else m


def code_coverage(reg: Regression) -> str:
    c = reg.code_cov
    if not isinstance(c, dict):
        why = ": run with <code>--cov</code> (coverage/code/summary.json is missing)"
        return NOT_COLLECTED.format(why) + _gate(reg)
    html_rel = c.get("html")
    html_path = reg.out / "coverage" / "code" / str(html_rel) if html_rel else None
    report = (a(link(reg.out, html_path), "genhtml report (per-line detail)") if html_path and html_path.exists()
              else '<span class="muted">genhtml report not found</span>')
    totals = json_dict(c, "totals")
    tot = " ".join(f'<div class="kpi"><div class="v">{e(_pct(totals, m))}</div><div class="l">{m} '
                   f'{e(_ratio(totals, m))}</div></div>' for m in METRICS)
    tb = c.get("tb_modules")
    tb_html = (f"<details><summary>testbench modules ({len(tb)})</summary>{_module_table(tb)}</details>"
               if isinstance(tb, dict) and tb else "")
    return (f'<div class="kpis">{tot}</div>{_accumulated(reg)}<p>{report} · tool {e(c.get("tool", "?"))} · '
            f'{e(c.get("runs", "?"))} run(s) merged · modules worst line coverage first</p>{_gate(reg)}'
            f'{waived_html(c, "code")}'
            f'{_module_table(c.get("modules"), reg.out, module_pages(html_path))}{tb_html}')


def _accumulated(reg: Regression) -> str:
    """The accumulated coverage next to this run's (`regress run --accumulate ACC`)."""
    acc = reg.meta.get("accumulate")
    if not acc:
        return ""
    from regress.accumulate import totals
    figs = totals(Path(str(acc)))
    if not figs:
        return f'<p class="muted">accumulated into {e(acc)}: no coverage there yet</p>'
    text = "  ".join(f"{m} {v:.1f}%" for m, v in figs.items())
    return (f'<p>accumulated over every regression in {a(link(reg.out, Path(str(acc)) / "dashboard.html"), str(acc))}:'
            f' <b class="mono">{e(text)}</b></p>')


def _pct(totals: dict[str, Any], metric: str) -> str:
    v = pct(totals, metric, "pct")
    return "-" if v is None else f"{v:.1f}%"


def _ratio(totals: dict[str, Any], metric: str) -> str:
    d = json_dict(totals, metric)
    return f"{d.get('hit')}/{d.get('total')}" if "hit" in d and "total" in d else ""


def functional_coverage(reg: Regression) -> str:
    f = reg.func_cov
    if not isinstance(f, dict):
        return NOT_COLLECTED.format(": coverage/functional/summary.json is missing (every run saves its "
                                    "<code>coverage.ucis.xml</code>; the merge writes the summary)")
    cgs = json_dict(f, "covergroups")
    order = sorted(cgs.items(), key=lambda kv: (pct(kv[1], "pct") or 0.0, kv[0]))
    rows = []
    for name, d in order:
        holes = json_list(d, "holes")
        chips = "".join(f"<code>{e(h)}</code>" for h in holes) or '<span class="muted">none</span>'
        bins = json_dict(d, "bins")
        if bins:
            counts = "".join(f'<code{" class=hit" if n else ""}>{e(b)} &times;{e(n)}</code>'
                             for b, n in bins.items())
            chips += f'<details><summary>all {len(bins)} bins, hit counts</summary><div class="holes">{counts}</div>' \
                     '</details>'
        rows.append(f'<tr><td class="mono">{e(name)}</td><td data-v="{pct(d, "pct") or 0}">{meter(pct(d, "pct"))}'
                    f'</td><td class="num">{len(holes)}</td><td class="holes">{chips}</td></tr>')
    return (f'<p>total {meter(pct(f, "total_pct"), 200)} over {e(f.get("runs", "?"))} run(s); covergroups worst '
            'first</p><table><thead><tr><th data-sort="txt">covergroup</th><th data-sort="num">coverage</th>'
            f'<th class="num" data-sort="num">holes</th><th>holes (coverpoint.bin)</th></tr></thead><tbody>'
            f'{"".join(rows)}</tbody></table>{waived_html(f, "functional")}')


TESTPLAN_ORDER = {tp.FAIL: 0, tp.PARTIAL: 1, tp.NOT_RUN: 2, tp.PASS: 3}


def testplan_badge(status: str) -> str:
    """A testpoint's status pill: pass / fail as the runs' pills, partial amber, not run grey."""
    return f'<span class="st {e(status.replace(" ", "_"))}">{e(status)}</span>'


def _test_chips(row: tp.TestpointStatus) -> str:
    chips = []
    for t in row.tests:
        counts = (f"{t.passed}/{t.runs} pass" + (f", {t.failed} fail" if t.failed else "")) if t.runs else "not run"
        tip = f"{t.test}: {t.runs} run(s), {t.passed} passed, {t.failed} failed" if t.runs else f"{t.test}: not run"
        chips.append(f'<span class="tpt {e(t.status.replace(" ", "_"))}" title="{e(tip)}">{e(t.test)} '
                     f'<b>{e(counts)}</b></span>')
    return "".join(chips) or '<span class="muted">no test yet</span>'


def _bins_cell(row: tp.TestpointStatus) -> str:
    total = len(row.testpoint.bins)
    if not total:
        return '<td data-v="-1"><span class="muted">none listed</span></td>'
    if not row.coverage_collected:
        return f'<td data-v="-1"><span class="muted">not collected ({total} bins)</span></td>'
    v = 100.0 * len(row.hit) / total
    holes = "".join(f"<code>{e(h)}</code>" for h in row.holes)
    return (f'<td data-v="{v:.1f}"><span class="mono">{len(row.hit)}/{total}</span> {meter(v, 60)}'
            + (f'<div class="holes">holes: {holes}</div>' if holes else "") + "</td>")


@dataclass(frozen=True)
class PlanView:
    """The testplan's status for the page: rows, the file they come from, or the one-line error that stopped it."""
    rows: list[tp.TestpointStatus]
    source: str
    error: str | None = None


def testplan(view: PlanView | None) -> str:
    """One row per testpoint: status (and why not pass), name, stage, feature, tests with pass counts, bins."""
    if view is None:
        return '<p class="muted">no testplan</p>'
    if view.error is not None:
        return f'<div class="warn">testplan not shown: {e(view.error)}</div>'
    rows, source = view.rows, view.source
    if not rows:
        return '<p class="muted">no testpoints</p>'
    counts = {s: sum(r.status == s for r in rows) for s in TESTPLAN_ORDER}
    by_rank = sorted(counts.items(), key=lambda kv: -TESTPLAN_ORDER[kv[0]])
    head = ", ".join(f"{n} {testplan_badge(s)}" for s, n in by_rank)
    body = []
    for r in rows:
        t = r.testpoint
        why = f'<div class="muted">{e(r.reason)}</div>' if r.reason else ""
        body.append(f'<tr class="tp" id="tp-{e(t.name)}"><td data-v="{TESTPLAN_ORDER.get(r.status, 9)}">'
                    f'{testplan_badge(r.status)}{why}</td><td class="mono">{e(t.name)}</td><td>{e(t.stage)}</td>'
                    f'<td class="desc">{e(t.desc)}</td><td>{_test_chips(r)}</td>{_bins_cell(r)}</tr>')
    return (f'<p>{len(rows)} testpoints: {head} <span class="muted">({e(source)}; a test not run in this '
            'regression leaves its testpoints "not run", not failed)</span></p>'
            '<table id="testplan"><thead><tr><th data-sort="num">status</th><th data-sort="txt">testpoint</th>'
            '<th data-sort="txt">stage</th><th>feature and checks</th><th>tests (runs passed)</th>'
            f'<th data-sort="num">coverage bins hit</th></tr></thead><tbody>{"".join(body)}</tbody></table>')


def _by_test(runs: list[Run]) -> dict[tuple[str, str], list[Run]]:
    groups: dict[tuple[str, str], list[Run]] = defaultdict(list)
    for r in runs:
        if r.result.status != "not_run":
            groups[(r.result.test, r.result.config)].append(r)
    return groups


def speed(reg: Regression) -> str:
    groups = _by_test(reg.runs)
    if not groups:
        return '<p class="muted">no runs</p>'
    rows, bars = [], []
    for (t, c), runs in groups.items():
        cps = [x for x in (r.cycles_per_s for r in runs) if x]
        cyc = [x for x in (r.cycles for r in runs) if x]
        walls = [r.result.wall_s for r in runs]
        cyc_mean, cps_min = _count(mean(cyc) if cyc else 0), _count(min(cps) if cps else 0)
        cps_mean, cps_max = _count(mean(cps) if cps else 0), _count(max(cps) if cps else 0)
        rows.append(f'<tr><td>{e(t)}</td><td>{e(c)}</td><td class="num">{len(runs)}</td>'
                    f'<td class="num">{cyc_mean}</td><td class="num">{cps_min}</td><td class="num">{cps_mean}</td>'
                    f'<td class="num">{cps_max}</td><td class="num">{mean(walls):.1f}</td>'
                    f'<td class="num">{max(walls):.1f}</td></tr>')
        if cps:
            bars.append(Bar(f"{t} {c}", mean(cps), "#0969da", min(cps), max(cps),
                            f"{t} {c}: mean {mean(cps):,.0f} cycles/s (min {min(cps):,.0f}, max {max(cps):,.0f}, "
                            f"{len(cps)} runs)"))
    ran = [r for r in reg.runs if r.result.status != "not_run"]
    slow = sorted(ran, key=lambda r: -r.result.wall_s)[:SLOWEST]
    wall_bars = [Bar(r.result.run_id, r.result.wall_s, STATUS_COLOURS.get(r.result.status, "#6e7781"),
                     title=f"{r.result.run_id}: {r.result.wall_s:.1f} s, {r.result.status}") for r in slow]
    note = '<p class="muted">no sim_speed.json in the run directories</p>' if not bars else ""
    return ('<table><thead><tr><th data-sort="txt">test</th><th data-sort="txt">config</th>'
            '<th class="num" data-sort="num">runs</th><th class="num" data-sort="num">DUT cycles (mean)</th>'
            '<th class="num" data-sort="num">cycles/s min</th><th class="num" data-sort="num">mean</th>'
            '<th class="num" data-sort="num">max</th><th class="num" data-sort="num">wall s mean</th>'
            f'<th class="num" data-sort="num">max</th></tr></thead><tbody>{"".join(rows)}</tbody></table>{note}'
            '<div class="grid"><div><h3>DUT cycles per second (mean, min..max whisker)</h3>'
            f'{bar_chart(bars, "cycles/s")}</div><div><h3>wall time per run in s (slowest {len(slow)}, colour = status)'
            f'</h3>{bar_chart(wall_bars, "s")}</div></div>')


def _label(started: str) -> str:
    return started[5:16].replace("T", " ") if len(started) >= 16 else started


def _count(v: float) -> str:
    """A speed or cycle count with thousands separators; '-' for none (0)."""
    return f"{v:,.0f}" if v else "-"


def trend(reg: Regression, entries: Sequence[Entry]) -> str:
    if not entries:
        return '<p class="muted">no earlier regressions recorded</p>'
    labels = [_label(x.started) for x in entries]
    series = {"pass rate": [x.pass_rate for x in entries], "line": [x.line_pct for x in entries],
              "toggle": [x.toggle_pct for x in entries], "branch": [x.branch_pct for x in entries],
              "functional": [x.functional_pct for x in entries]}
    series = {k: v for k, v in series.items() if any(x is not None for x in v)}
    here = str(reg.out.resolve())

    def num(v: float | None, f: str = "{:.1f}%") -> str:
        return "-" if v is None else f.format(v)

    rows = []
    for x in reversed(entries):
        dash = Path(x.out) / "dashboard.html"
        current = x.out == here and x.started == str(reg.meta.get("started") or "")
        # an earlier regression written to the same OUT has no dashboard of its own any more
        name = (a(sibling_link(reg.out, dash), _label(x.started)) if dash.exists() and (x.out != here or current)
                else e(_label(x.started)))
        bold = ' style="font-weight:600;background:#ddf4ff"' if current else ""
        rows.append(f'<tr{bold}><td>{name}</td><td class="mono" title="{e(x.sha)}">{e(x.sha[:10])}'
                    f'{" dirty" if x.dirty else ""}</td><td class="num">{x.runs}</td><td class="num">{x.failed}</td>'
                    f'<td class="num">{num(x.pass_rate)}</td><td class="num">{num(x.line_pct)}</td>'
                    f'<td class="num">{num(x.toggle_pct)}</td><td class="num">{num(x.branch_pct)}</td>'
                    f'<td class="num">{num(x.functional_pct)}</td><td class="num">{num(x.cycles_per_s, "{:,.0f}")}</td>'
                    f'<td class="num">{num(x.wall_s, "{:.1f}")}</td></tr>')
    return (f'{line_chart(labels, series, width=900)}<table class="trend"><thead><tr><th>started</th>'
            '<th>git</th><th class="num">runs</th><th class="num">failed</th><th class="num">pass</th>'
            '<th class="num">line</th><th class="num">toggle</th><th class="num">branch</th><th class="num">func</th>'
            f'<th class="num">cycles/s</th><th class="num">wall s</th></tr></thead><tbody>{"".join(rows)}'
            '</tbody></table>')
