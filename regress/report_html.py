"""The dashboard page: header, summary, runs (with copyable repro commands), failure buckets; the coverage,
speed and trend sections are in report_sections.py. Every piece of text from the regression goes through `e()`.
"""
from __future__ import annotations

import shlex
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from regress.compare import Changes
from regress.history import Entry
from regress.report_assets import CSS, JS
from regress.report_changes import changes_html
from regress.report_data import Regression, Run, link, pct
from regress.report_plots import meter
from regress.report_sections import (
    PlanView,
    a,
    code_coverage,
    e,
    functional_coverage,
    speed,
    testplan,
    trend,
)
from regress.results import DEBUG_DIR, RunResult, json_dict, summary_rows

FAILED_FIRST = {"fail": 0, "crash": 1, "timeout": 2, "interrupted": 3, "not_run": 4, "pass": 5}
NAV = (("summary", "Summary"), ("runs", "Runs"), ("buckets", "Failure buckets"), ("testplan", "Testplan"),
       ("code-cov", "Code coverage"),
       ("func-cov", "Functional coverage"), ("mutation", "Mutation"),
       ("speed", "Sim speed"), ("changes", "Changes"), ("trend", "Trend"))


def status(s: str) -> str:
    cls = s if s in FAILED_FIRST else "unknown"
    return f'<span class="st {cls}">{e(s.replace("_", " "))}</span>'


def copyable(text: str) -> str:
    """A command in <code> with a copy button (the button copies its previous sibling's text)."""
    return (f'<span class="repro"><code title="{e(text)}">{e(text)}</code>'
            '<button class="copy" type="button" onclick="leCopy(this)">copy</button></span>')


def section(sid: str, title: str, body: str, sub: str = "") -> str:
    sub_html = f'<span class="sub">{sub}</span>' if sub else ""
    return f'<section id="{sid}"><h2>{e(title)}{sub_html}</h2>{body}</section>'


def verdict(reg: Regression) -> str:
    if reg.meta.get("interrupted"):
        return "INTERRUPTED"
    return "PASS" if reg.passed and not any(r.result.infra for r in reg.runs) else "FAIL"


def _fmt_s(v: Any) -> str:
    return f"{v:.1f} s" if isinstance(v, (int, float)) else "-"


def header(reg: Regression) -> str:
    m = reg.meta
    git = json_dict(m, "git")
    sha = str(git.get("sha") or "unknown")
    dirty = ' <b style="color:#ff8182">dirty</b>' if git.get("dirty") else ""
    v = verdict(reg)
    return (f'<header class="top"><span class="badge {v}">{v}</span><h1>regress {e(m.get("suite", "?"))}</h1>'
            f'<span class="meta">git <b title="{e(sha)}">{e(sha[:12])}</b>{dirty}</span>'
            f'<span class="meta">started <b>{e(m.get("started", "?"))}</b></span>'
            f'<span class="meta">wall <b>{_fmt_s(m.get("wall_s"))}</b></span>'
            f'<span class="meta">-j <b>{e(m.get("jobs", "?"))}</b></span>'
            f'<span class="meta">cluster <b>{e(m.get("cluster") or "local")}</b></span>'
            f'<span class="meta">out <b>{e(m.get("out") or reg.out)}</b></span></header>')


def _plan_kpi(plan: PlanView | None) -> str:
    if plan is None or plan.error is not None:
        return "-"
    return f"{sum(r.status == 'pass' for r in plan.rows)}/{len(plan.rows)} pass"


def overview(reg: Regression, plan: PlanView | None = None) -> str:
    """Tools, command line, input warnings and the headline numbers."""
    m = reg.meta
    tools = json_dict(m, "tools")
    tool_txt = ", ".join(f"{k} {v}" for k, v in sorted(tools.items())) or "not recorded"
    argv = m.get("argv")
    if isinstance(argv, list) and argv:
        prog = "regress" if str(argv[0]).endswith(("regress", "__main__.py")) else str(argv[0])  # `python -m regress`
        cmd = copyable(shlex.join([prog, *(str(x) for x in argv[1:])]))
    else:
        cmd = '<span class="muted">-</span>'
    n, p, f = reg.counts
    speeds = [s for s in (r.cycles_per_s for r in reg.runs) if s]
    kpis = [("runs", f"{n}" + (f" / {len(reg.runs)}" if len(reg.runs) != n else "")), ("passed", str(p)),
            ("failed", str(f)), ("pass rate", f"{100 * p / n:.1f}%" if n else "-"),
            ("buckets", str(len(reg.buckets))),
            *([("infra errors", str(sum(r.result.infra for r in reg.runs)))]
              if any(r.result.infra or r.result.attempts > 1 for r in reg.runs) else []),
            ("line cov", _pct_txt(reg.code_cov, "totals", "line", "pct")),
            ("functional cov", _pct_txt(reg.func_cov, "total_pct")), ("testplan", _plan_kpi(plan)),
            ("mean cycles/s", f"{sum(speeds) / len(speeds):,.0f}" if speeds else "-")]
    colour = {"failed": "#cf222e" if f else "#1a7f37", "passed": "#1a7f37"}
    kp = "".join(f'<div class="kpi"><div class="v" style="color:{colour.get(label, "inherit")}">{e(v)}</div>'
                 f'<div class="l">{e(label)}</div></div>' for label, v in kpis)
    warn = "".join(f'<div class="warn">{e(w)}</div>' for w in reg.warnings)
    if reg.meta.get("interrupted"):
        by = e(str(reg.meta.get("stopped_by") or "Ctrl-C"))
        warn += f'<div class="warn">the regression was interrupted ({by}): the results are partial</div>'
    return (f'<div class="kpis">{kp}</div>{warn}<table><tr><th style="width:90px">command</th><td>{cmd}</td></tr>'
            f'<tr><th>tools</th><td class="mono">{e(tool_txt)}</td></tr></table>')


def _pct_txt(doc: dict[str, Any] | None, *keys: str) -> str:
    v = pct(doc, *keys)
    return "not collected" if v is None else f"{v:.1f}%"


def _history_cells(hist: Sequence[tuple[str, str]]) -> str:
    cells = "".join(f'<i class="{"pass" if s == "pass" else "other" if s == "not_run" else "bad"}" '
                    f'title="{e(t)}: {e(s)}"></i>' for t, s in reversed(hist[:20]))
    return f'<span class="hist">{cells}</span>'


def summary_table(reg: Regression, history: dict[tuple[str, str], list[tuple[str, str]]]) -> str:
    rows = summary_rows([r.result for r in reg.runs])
    if not rows:
        return '<p class="muted">no runs</p>'
    body = []
    for t, c, n, p, f in rows:
        rate = 100 * p / n if n else None
        body.append(f'<tr class="{"failed" if f else ""}"><td>{e(t)}</td><td>{e(c)}</td><td class="num">{n}</td>'
                    f'<td class="num">{p}</td><td class="num">{f}</td><td data-v="{rate if rate is not None else -1}">'
                    f'{meter(rate)}</td><td>{_history_cells(history.get((t, c), []))}</td></tr>')
    return ('<table><thead><tr><th data-sort="txt">test</th><th data-sort="txt">config</th>'
            '<th class="num" data-sort="num">runs</th><th class="num" data-sort="num">pass</th>'
            '<th class="num" data-sort="num">fail</th><th data-sort="num">pass rate</th>'
            '<th>history (oldest → newest)</th></tr></thead><tbody>' + "".join(body) + "</tbody></table>")


def _run_links(reg: Regression, run: Run) -> str:
    d = run.dir
    parts = []
    if d is not None:
        for name, label in (("run.log", "log"), ("cmd.sh", "cmd.sh"), ("repro.sh", "repro.sh"),
                            ("results.json", "json")):
            if (d / name).exists():
                parts.append(a(link(reg.out, d / name), label))
    parts += [a(w, "waves", Path(w).name) for w in run.waves]
    for rr in run.reruns:
        parts.append(f'<span class="mono">rerun {status(rr.status)} {a(rr.log, "log")}'
                     f'{a(rr.waves, "waves")}{a(rr.dir, "dir") if not rr.log else ""}</span>')
    return " ".join(parts) or '<span class="muted">run directory missing</span>'


def _debug_line(reg: Regression, run: Run) -> str:
    """The first divergence `regress debug` found, or the command to find it."""
    if run.dir is None:
        return ""
    first = run.divergence
    if first is None:
        return f'<div class="dbg">first divergence: {copyable(f"regress debug {run.dir}")}</div>'
    where = ", ".join(f"{k} {first[k]}" for k in ("token", "layer", "head") if isinstance(first.get(k), int)
                      and first[k] >= 0)
    what = (f'{first.get("name")}[{first.get("index")}]: golden {first.get("golden")}, DUT {first.get("dut")} '
            f'at cycle {first.get("cycle")}')
    log = link(reg.out, run.dir / DEBUG_DIR / "run.log")
    return (f'<div class="dbg"><b>first divergence</b> ({a(log, "regress debug")}'
            f'): {e(where)} · <b>{e(first.get("operator"))}</b> · <span class="mono">{e(what)}</span></div>')


def _ordered(reg: Regression) -> list[Run]:
    bucket_of = {id(r): i for i, b in enumerate(reg.buckets) for r in b.runs}
    return sorted(reg.runs, key=lambda r: (FAILED_FIRST.get(r.result.status, 4), bucket_of.get(id(r), 0),
                                           r.result.test, r.result.config, r.result.seed))


def _where(r: RunResult) -> str:
    """The run's backend, host and batch job (title: worker, queue wait, run time, attempts and infra errors)."""
    job = f" job {r.batch_job_id}" if r.batch_job_id else ""
    tip = [f"worker {r.worker}" if r.worker else "", f"queue wait {r.queue_wait_s:.2f} s" if r.queue_wait_s is not None
           else "", f"run {r.run_s:.1f} s" if r.run_s is not None else "",
           f"{r.attempts} attempts: " + "; ".join(r.infra_errors) if r.attempts > 1 or r.infra_errors else ""]
    retry = f' <span class="muted">({r.attempts} attempts)</span>' if r.attempts > 1 else ""
    return (f'<td class="mono" title="{e(", ".join(t for t in tip if t))}">{e(r.backend)} {e(r.host)}{e(job)}'
            f'{retry}</td>')


def run_table(reg: Regression) -> str:
    if not reg.runs:
        return '<p class="muted">no runs</p>'
    bucket_no = {id(r): i for i, b in enumerate(reg.buckets, 1) for r in b.runs}
    rows = []
    for run in _ordered(reg):
        r = run.result
        sim = f"{r.sim_time_ns / 1000:,.1f}" if r.sim_time_ns is not None else "-"
        cps = run.cycles_per_s
        cls = "run failed" if r.failed else "run"
        rows.append(
            f'<tr class="{cls}" id="run-{e(r.run_id)}"><td data-v="{FAILED_FIRST.get(r.status, 4)}">{status(r.status)}'
            f'</td><td>{e(r.test)}</td><td>{e(r.engine)}</td><td>{e(r.config)}</td><td class="num">{r.seed}</td>'
            f'<td class="num" data-v="{r.wall_s}">{r.wall_s:.1f}</td><td class="num" data-v="{r.sim_time_ns or 0}">'
            f'{sim}</td><td class="num" data-v="{cps or 0}">{f"{cps:,.0f}" if cps else "-"}</td>'
            f'{_where(r)}<td>{_run_links(reg, run)}</td><td>{copyable(r.repro())}</td></tr>')
        if r.failed or r.infra:
            b = bucket_no.get(id(run))
            blink = f'<a href="#bucket-{b}">bucket {b}</a> · ' if b else ""
            tb = (f'<details><summary>traceback / log tail</summary><pre>{e(r.traceback)}</pre></details>'
                  if r.traceback else "")
            rows.append(f'<tr class="msg"><td></td><td colspan="10">{blink}<b>{e(r.kind)}</b>: '
                        f'<span class="mono">{e(r.message)}</span>{tb}{_debug_line(reg, run)}</td></tr>')
    return ('<div class="filter"><input type="search" id="run-filter" placeholder="filter: test, engine, config, '
            'seed, status..." oninput="leFilter()"><label><input type="checkbox" id="run-failed" '
            'onchange="leFilter()"> failures only</label></div><table id="runs"><thead><tr>'
            '<th data-sort="num">status</th><th data-sort="txt">test</th><th data-sort="txt">engine</th>'
            '<th data-sort="txt">config</th><th class="num" data-sort="num">seed</th>'
            '<th class="num" data-sort="num">wall s</th><th class="num" data-sort="num">sim µs</th>'
            '<th class="num" data-sort="num">cycles/s</th><th data-sort="txt">where</th><th>files</th>'
            '<th>repro command</th></tr></thead><tbody>'
            + "".join(rows) + "</tbody></table>")


def bucket_list(reg: Regression) -> str:
    if not reg.buckets:
        return '<p class="muted">no failures</p>'
    out = []
    for i, b in enumerate(reg.buckets, 1):
        members = "".join(
            f'<tr><td><a href="#run-{e(r.result.run_id)}">{e(r.result.run_id)}</a></td><td>{status(r.result.status)}'
            f'</td><td class="num">{r.result.seed}</td><td>{_run_links(reg, r)}</td><td>{copyable(r.result.repro())}'
            f'</td></tr>' for r in b.runs)
        ids = {r.result.run_id for r in b.runs}
        reruns = [x for x in reg.reruns if x.bucket == str(b.signature) or x.run_id in ids]
        rr = "".join(f'<li>{e(x.run_id)} {status(x.status)} {a(x.log, "log")} {a(x.waves, "waves")} '
                     f'{a(x.dir, "dir")}</li>' for x in reruns)
        out.append(f'<div id="bucket-{i}"><h3>bucket {i}: {len(b.runs)} run(s)</h3>'
                   f'<pre>{e(b.signature)}</pre>'
                   + (f'<div>re-runs with waves:<ul>{rr}</ul></div>' if rr else "")
                   + '<table><thead><tr><th>run</th><th>status</th><th class="num">seed</th><th>files</th>'
                   f'<th>repro command</th></tr></thead><tbody>{members}</tbody></table></div>')
    return "".join(out)


def page(reg: Regression, entries: Sequence[Entry], history: dict[tuple[str, str], list[tuple[str, str]]],
         db_note: str, plan: PlanView | None = None, changes: Changes | None = None, mutation: str = "") -> str:
    """The whole dashboard as one self-contained HTML document (`plan`: the testplan's status, if loaded;
    `mutation`: the Mutation section's body, regress/report_mutation.py)."""
    n, p, _ = reg.counts
    title = f"regress {reg.meta.get('suite', '?')}: {verdict(reg)} {p}/{n}"
    nav = "".join(f'<a href="#{sid}">{e(label)}</a>' for sid, label in NAV)
    body = [section("summary", "Summary", overview(reg, plan) + "<h3>per test and configuration</h3>"
                    + summary_table(reg, history)),
            section("runs", "Runs", run_table(reg), "failures first; click a header to sort"),
            section("buckets", "Failure buckets", bucket_list(reg), "largest first, by signature"),
            section("testplan", "Testplan", testplan(plan), "per testpoint: its tests' runs and its coverage bins"),
            section("code-cov", "Code coverage", code_coverage(reg)),
            section("func-cov", "Functional coverage", functional_coverage(reg)),
            section("mutation", "Mutation", mutation or '<p class="muted">not given</p>',
                    "what the suites would catch: regress mutate (docs/mutation.md)"),
            section("speed", "Simulation speed", speed(reg)),
            section("changes", "Changes", changes_html(changes), "against the previous regression of this variant; "
                    "flaky seeds of this commit"),
            section("trend", "Trend", trend(reg, entries), e(db_note))]
    return (f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{e(title)}</title>'
            f'<meta name="viewport" content="width=device-width, initial-scale=1"><style>{CSS}</style></head><body>'
            f'{header(reg)}<nav>{nav}</nav><main>{"".join(body)}</main><script>{JS}</script></body></html>\n')
