"""Dashboard section "Changes": this regression against the previous one of its variant (new, still failing and
fixed failure buckets, runs passing again) and the flaky (test, configuration, seed) triples of its commit
(regress/compare.py)."""
from __future__ import annotations

from regress.compare import Changes
from regress.report_sections import e


def _buckets(title: str, colour: str, buckets: dict[str, list[str]]) -> str:
    if not buckets:
        return ""
    rows = "".join(f'<tr><td class="mono">{e(sig)}</td><td class="num">{len(ids)}</td>'
                   f'<td class="mono">{e(", ".join(ids[:6]) + (" ..." if len(ids) > 6 else ""))}</td></tr>'
                   for sig, ids in buckets.items())
    return (f'<h3 style="color:{colour}">{e(title)} ({len(buckets)})</h3><table><thead><tr><th>signature</th>'
            f'<th class="num">runs</th><th>run ids</th></tr></thead><tbody>{rows}</tbody></table>')


def changes_html(ch: Changes | None) -> str:
    if ch is None:
        return '<p class="muted">no trend database</p>'
    parts = [f"<p>{e(ch.line)}</p>"]
    if ch.previous_out is not None:
        parts += [_buckets("new failures", "#cf222e", ch.new), _buckets("still failing", "#bc4c00", ch.still),
                  _buckets("fixed (failed in the previous regression, not now)", "#1a7f37", ch.fixed)]
        if ch.now_passing:
            parts.append(f"<p>passing again: <span class=\"mono\">{e(', '.join(ch.now_passing))}</span></p>")
    if ch.flaky:
        rows = "".join(f'<tr><td>{e(f["test"])}</td><td>{e(f["config"])}</td><td class="num">{f["seed"]}</td>'
                       f'<td class="num">{f["passed"]}</td><td class="num">{f["failed"]}</td></tr>' for f in ch.flaky)
        parts.append('<h3 style="color:#8250df">flaky: the same seed passed and failed on this commit (clean tree)'
                     '</h3><table><thead><tr><th>test</th><th>config</th><th class="num">seed</th>'
                     '<th class="num">passed</th><th class="num">failed</th></tr></thead>'
                     f'<tbody>{rows}</tbody></table>')
    return "".join(parts)
