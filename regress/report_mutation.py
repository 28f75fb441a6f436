"""The mutation section: a `regress mutate` measurement (OUT/mutate.json, regress/mutate.py) on the dashboard and
as its own page (OUT/mutate.html): the score of each suite, the score per RTL file worst first, every survivor
with its line and the command that reruns them, the waived mutants with their reasons, stale waivers."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from regress.report_assets import CSS, JS
from regress.report_plots import meter
from regress.report_sections import e

MUTATE_JSON = "mutate.json"


def newest(root: Path) -> Path | None:
    """The newest measurement (a folder with mutate.json) under `root` (default for the dashboard:
    build/mutate), or None."""
    found = sorted(root.glob(f"*/{MUTATE_JSON}"), key=lambda p: p.stat().st_mtime) if root.is_dir() else []
    return found[-1].parent if found else None


def load(folder: Path) -> dict[str, Any] | None:
    """mutate.json of a measurement folder, None when it is absent or unreadable."""
    try:
        doc = json.loads((folder / MUTATE_JSON).read_text())
    except (OSError, ValueError):
        return None
    return doc if isinstance(doc, dict) and isinstance(doc.get("mutants"), list) else None


def per_file(mutants: list[dict[str, Any]]) -> list[tuple[str, int, int, int, int, float | None]]:
    """(file, drawn, waived, killed, survived, score) per file, worst score first."""
    per: dict[str, list[dict[str, Any]]] = {}
    for m in mutants:
        per.setdefault(str(m.get("file")), []).append(m)
    rows = []
    for f, ms in per.items():
        k = sum(m.get("status") == "killed" for m in ms)
        s = sum(m.get("status") == "survived" for m in ms)
        rows.append((f, len(ms), sum(m.get("status") == "waived" for m in ms), k, s,
                     100.0 * k / (k + s) if k + s else None))
    return sorted(rows, key=lambda r: (r[5] if r[5] is not None else 101.0, r[0]))


def _where(m: dict[str, Any]) -> str:
    return f'{m.get("file")}:{m.get("line")}'


def section(doc: dict[str, Any] | None, folder: Path | None = None) -> str:
    """The section's HTML (`folder`: where the measurement lives, shown as its source)."""
    if doc is None:
        return ('<p class="muted">no mutation measurement: <code>regress mutate --suite smoke,nightly --sample 200 '
                '--seed 2</code> (docs/mutation.md) writes one under build/mutate</p>')
    mutants = [m for m in doc["mutants"] if isinstance(m, dict)]
    scores = doc.get("scores") or {doc.get("suite", "?"): {k: doc.get(k) for k in ("killed", "judged", "score_pct")}}
    kpis = "".join(f'<div class="kpi"><div class="v">{e(d.get("score_pct"))}%</div><div class="l">{e(name)} '
                   f'{e(d.get("killed"))}/{e(d.get("judged"))} killed</div></div>' for name, d in scores.items())
    git = doc.get("git") or {}
    src = (f'measurement {e(folder)} · ' if folder else "") + f'commit <b>{e(str(git.get("sha", "?"))[:12])}</b>' \
        + (' <b style="color:#cf222e">dirty</b>' if git.get("dirty") else "")
    files = "".join(f'<tr><td class="mono">{e(f)}</td><td class="num">{d}</td><td class="num">{w}</td>'
                    f'<td class="num">{k}</td><td class="num">{s}</td><td data-v="{p or 0}">{meter(p)}</td></tr>'
                    for f, d, w, k, s, p in per_file(mutants))
    survivors = [m for m in mutants if m.get("status") == "survived"]
    surv_rows = "".join(f'<tr><td class="num">{e(m.get("id"))}</td><td class="mono">{e(_where(m))}</td>'
                        f'<td>{e(m.get("operator"))}</td><td class="mono">{e(m.get("original"))} &rarr; '
                        f'{e(m.get("mutated"))}</td></tr>' for m in survivors)
    rerun = (f'<p>rerun them: <code>regress mutate --suite {e(doc.get("suite"))} --ids '
             f'{",".join(str(m.get("id")) for m in survivors)}</code></p>' if survivors else "")
    waived = [m for m in mutants if m.get("status") == "waived"]
    waived_html = "".join(f'<li><span class="mono">{e(_where(m))} {e(m.get("original"))} &rarr; '
                          f'{e(m.get("mutated"))}</span>: {e(m.get("message"))}</li>' for m in waived)
    stale = doc.get("stale_waivers") or []
    stale_html = ("<p><b>stale waivers</b> (match no generated mutant: remove them): "
                  + ", ".join(f'<code>{e(w.get("file"))}: {e(w.get("original"))}</code>' for w in stale) + "</p>"
                  if stale else "")
    return (f'<div class="kpis">{kpis}</div><p>{src} · {len(mutants)} mutants drawn, {len(waived)} waived · '
            'score = killed / (drawn - waived)</p>'
            '<table><thead><tr><th data-sort="txt">file</th><th class="num" data-sort="num">drawn</th>'
            '<th class="num" data-sort="num">waived</th><th class="num" data-sort="num">killed</th>'
            '<th class="num" data-sort="num">survived</th><th data-sort="num">score</th></tr></thead>'
            f'<tbody>{files}</tbody></table><h3>survivors ({len(survivors)})</h3>'
            + ('<table><thead><tr><th>id</th><th>where</th><th>operator</th><th>original &rarr; mutated</th></tr>'
               f'</thead><tbody>{surv_rows}</tbody></table>{rerun}' if survivors else '<p class="muted">none</p>')
            + f'<details><summary>waived ({len(waived)}; verif/mutation_waivers.yaml)</summary><ul>{waived_html}</ul>'
            f'</details>{stale_html}')


def page(doc: dict[str, Any], folder: Path) -> str:
    """OUT/mutate.html: the section as a page of its own."""
    title = "regress mutate " + " / ".join(f'{n} {d.get("score_pct")}%' for n, d in (doc.get("scores") or {}).items())
    return (f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{e(title)}</title>'
            f'<style>{CSS}</style></head><body><header class="top"><h1>{e(title)}</h1></header><main>'
            f'<section id="mutation"><h2>Mutation</h2>{section(doc, folder)}</section></main><script>{JS}</script>'
            '</body></html>\n')
