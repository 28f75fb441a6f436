"""The dashboard's inline stylesheet and script (kept out of report_html.py so the markup stays readable).

The script only copies repro commands to the clipboard, filters the run table and sorts tables by a clicked
header; the page is complete without it.
"""
from __future__ import annotations

CSS = """
:root { --pass:#1a7f37; --fail:#cf222e; --crash:#8b0000; --timeout:#bc4c00; --muted:#57606a; --line:#d0d7de;
        --bg:#f6f8fa; --mono:ui-monospace,SFMono-Regular,Menlo,Consolas,"DejaVu Sans Mono",monospace; }
* { box-sizing:border-box; }
body { margin:0; font:13px/1.45 system-ui,-apple-system,"Segoe UI","DejaVu Sans",sans-serif; color:#1f2328;
       background:var(--bg); }
header.top { background:#24292f; color:#fff; padding:12px 24px; display:flex; align-items:center; gap:18px;
             flex-wrap:wrap; }
header.top h1 { font-size:18px; margin:0; font-weight:600; }
header.top .meta { font-family:var(--mono); font-size:12px; color:#d0d7de; }
header.top .meta b { color:#fff; font-weight:600; }
nav { background:#fff; border-bottom:1px solid var(--line); padding:6px 24px; position:sticky; top:0; z-index:2; }
nav a { margin-right:14px; color:#0969da; text-decoration:none; font-weight:500; }
main { padding:12px 24px 40px; max-width:1500px; }
section { background:#fff; border:1px solid var(--line); border-radius:6px; padding:10px 14px; margin:12px 0; }
section h2 { font-size:15px; margin:0 0 8px; display:flex; gap:10px; align-items:baseline; }
section h2 .sub { font-size:12px; color:var(--muted); font-weight:400; }
h3 { font-size:13px; margin:10px 0 4px; }
table { border-collapse:collapse; width:100%; font-size:12px; }
th, td { border-bottom:1px solid #eaeef2; padding:3px 8px; text-align:left; vertical-align:top; }
th { background:#f6f8fa; position:sticky; top:33px; font-weight:600; white-space:nowrap; }
th[data-sort] { cursor:pointer; } th[data-sort]:after { content:" \\2195"; color:#8c959f; font-size:10px; }
table.trend td { white-space:nowrap; }
td.num, th.num { text-align:right; font-family:var(--mono); white-space:nowrap; }
tr.failed > td { background:#fff5f5; }
tr.msg > td { background:#fff5f5; border-bottom:1px solid var(--line); padding-top:0; }
.dbg { margin-top:3px; }
code, pre, .mono { font-family:var(--mono); font-size:11.5px; }
pre { background:#f6f8fa; border:1px solid var(--line); padding:6px 8px; overflow:auto; max-height:300px;
      margin:4px 0; white-space:pre-wrap; word-break:break-all; }
.badge { display:inline-block; padding:2px 10px; border-radius:12px; font-weight:700; font-size:13px; color:#fff; }
.badge.PASS { background:var(--pass); } .badge.FAIL { background:var(--fail); }
.badge.INTERRUPTED { background:var(--timeout); }
.st { display:inline-block; min-width:62px; white-space:nowrap; text-align:center; padding:0 6px; border-radius:3px;
      color:#fff; font-weight:600; font-size:11px; text-transform:uppercase; }
.st.pass { background:var(--pass); } .st.fail { background:var(--fail); } .st.crash { background:var(--crash); }
.st.timeout { background:var(--timeout); } .st.interrupted, .st.not_run, .st.unknown { background:#6e7781; }
.st.partial { background:#9a6700; }
.tpt { display:inline-block; white-space:nowrap; border:1px solid var(--line); border-radius:3px; padding:0 4px;
       margin:1px 2px; font-family:var(--mono); font-size:11px; }
.tpt.pass { background:#dafbe1; border-color:#4ac26b; } .tpt.fail { background:#ffebe9; border-color:#ff8182; }
.tpt.not_run { background:#f6f8fa; color:var(--muted); }
td.desc { min-width:360px; max-width:560px; color:#424a53; font-size:11.5px; }
.muted { color:var(--muted); }
.warn { background:#fff8c5; border:1px solid #d4a72c; padding:6px 10px; border-radius:6px; margin:8px 0; }
.repro { display:flex; gap:4px; align-items:center; }
.repro code { background:#f6f8fa; border:1px solid var(--line); border-radius:3px; padding:1px 5px;
              white-space:nowrap; overflow:hidden; text-overflow:ellipsis; max-width:520px; display:inline-block; }
button.copy { font:11px system-ui,sans-serif; padding:1px 6px; border:1px solid var(--line); border-radius:3px;
              background:#fff; cursor:pointer; }
button.copy.done { background:#dafbe1; }
a { color:#0969da; } td a { margin-right:6px; }
.mtr { white-space:nowrap; font-family:var(--mono); font-size:11.5px; }
.meter { display:inline-block; height:9px; background:#eaeef2; border-radius:2px; vertical-align:middle; }
.meter > span { display:block; height:100%; border-radius:2px; }
.grid { display:grid; grid-template-columns:repeat(auto-fit,minmax(560px,1fr)); gap:12px; }
.kpis { display:flex; gap:10px; flex-wrap:wrap; margin:4px 0 8px; }
.kpi { border:1px solid var(--line); border-radius:6px; padding:4px 12px; min-width:120px; background:#fff; }
.kpi .v { font-size:18px; font-weight:600; font-family:var(--mono); } .kpi .l { color:var(--muted); font-size:11px; }
.holes code { display:inline-block; background:#fff5f5; border:1px solid #ffcecb; border-radius:3px; padding:0 4px;
              margin:1px 2px; }
.holes code.hit { background:#dafbe1; border-color:#aceebb; }
.hist { display:inline-flex; gap:1px; } .hist i { width:6px; height:12px; display:inline-block; }
.hist i.pass { background:var(--pass); } .hist i.bad { background:var(--fail); } .hist i.other { background:#8c959f; }
.filter { margin:0 0 6px; display:flex; gap:12px; align-items:center; }
.filter input[type=search] { font:12px var(--mono); padding:2px 6px; width:280px; }
details > summary { cursor:pointer; color:#0969da; }
"""

JS = """
function leCopy(btn) {
  var text = btn.previousElementSibling.textContent;
  var ok = function () { btn.textContent = 'copied'; btn.classList.add('done');
    setTimeout(function () { btn.textContent = 'copy'; btn.classList.remove('done'); }, 1500); };
  if (navigator.clipboard && window.isSecureContext) {
    navigator.clipboard.writeText(text).then(ok, function () {}); return;
  }
  var ta = document.createElement('textarea'); ta.value = text; document.body.appendChild(ta); ta.select();
  try { document.execCommand('copy'); ok(); } finally { document.body.removeChild(ta); }
}
function leFilter() {
  var q = document.getElementById('run-filter').value.toLowerCase();
  var onlyBad = document.getElementById('run-failed').checked;
  document.querySelectorAll('#runs tbody tr.run').forEach(function (tr) {
    var show = tr.textContent.toLowerCase().indexOf(q) >= 0 && (!onlyBad || tr.classList.contains('failed'));
    tr.style.display = show ? '' : 'none';
    var msg = tr.nextElementSibling;
    if (msg && msg.classList.contains('msg')) msg.style.display = show ? '' : 'none';
  });
}
function leSort(th) {
  var table = th.closest('table'), body = table.tBodies[0], idx = th.cellIndex;
  var asc = th.dataset.dir !== 'asc'; th.dataset.dir = asc ? 'asc' : 'desc';
  var num = th.dataset.sort === 'num';
  var groups = [];
  Array.prototype.forEach.call(body.rows, function (tr) {
    if (tr.classList.contains('msg')) { groups[groups.length - 1].push(tr); } else { groups.push([tr]); }
  });
  var key = function (g) { var c = g[0].cells[idx]; var v = c.dataset.v !== undefined ? c.dataset.v : c.textContent;
    return num ? (parseFloat(v) || 0) : v.toLowerCase(); };
  groups.sort(function (a, b) { var x = key(a), y = key(b); return (x < y ? -1 : x > y ? 1 : 0) * (asc ? 1 : -1); });
  groups.forEach(function (g) { g.forEach(function (tr) { body.appendChild(tr); }); });
}
document.addEventListener('DOMContentLoaded', function () {
  document.querySelectorAll('th[data-sort]').forEach(function (th) {
    th.addEventListener('click', function () { leSort(th); });
  });
});
"""
