"""regress report: the HTML dashboard and its trend database, on a fixture regression output (a pass, two fails
in one bucket with repro.sh and waves, a crash, a not-run, code/functional coverage summaries, a gate, a
re-run), checked structurally (html.parser) and in a real browser (headless Chromium screenshot)."""
from __future__ import annotations

import json
import os
import re
import shutil
import sqlite3
import struct
import subprocess
import zlib
from pathlib import Path
from urllib.parse import unquote

import pytest
from report_fixtures import FUNC_COV, NASTY, Page, make_out, parse

from regress import history, report
from regress.report_data import ReportError, load


@pytest.fixture()
def dashboard(tmp_path: Path) -> tuple[Path, Path, Page]:
    out = make_out(tmp_path / "regress")
    page = report.write_dashboard(out)
    return out, page, parse(page)


def test_repro_commands_are_copyable(dashboard: tuple[Path, Path, Page]) -> None:
    out, _, page = dashboard
    reg = load(out)
    for run in reg.runs:
        assert run.result.repro() in page.copyable, run.result.run_id
    assert f"sh {out / 'runs' / 'rand.w128.s7' / 'repro.sh'}" in page.copyable


def test_links_resolve(dashboard: tuple[Path, Path, Page]) -> None:
    out, _, page = dashboard
    local = [h for h in page.hrefs if not h.startswith("#")]
    assert local and not [h for h in local if h.startswith(("http:", "https:", "file:", "/"))]
    for h in local:
        assert (out / unquote(h)).exists(), h
    for h in page.hrefs:
        if h.startswith("#"):
            assert h[1:] in page.ids, h
    for want in ("runs/rand.w128.s7/run.log", "runs/rand.w128.s7/repro.sh", "runs/rand.w128.s7/dump.fst",
                 "reruns/rand.w128.s7/run.log", "reruns/rand.w128.s7/dump.fst", "coverage/code/html/index.html"):
        assert want in page.hrefs, want
    assert "runs/rand.w64.s1/repro.sh" not in page.hrefs      # only failures have one


def test_self_contained_and_escaped(dashboard: tuple[Path, Path, Page]) -> None:
    _, path, page = dashboard
    html = path.read_text()
    assert "blink" not in page.tags and "<blink>" not in html
    assert NASTY in "".join(page.text)
    assert not page.srcs and "link" not in page.tags and page.tags.count("script") == 1
    assert "http://" not in html.replace("http://www.w3.org", "") and "https://" not in html


def html_row(html: str, first_cell: str) -> str:
    start = html.index(f'<td class="mono">{first_cell}</td>')
    return html[start:html.index("</tr>", start)]


def test_content(dashboard: tuple[Path, Path, Page]) -> None:
    _, path, page = dashboard
    text = " ".join(" ".join(page.text).split())
    assert "FAIL" in text and "abc123def456" in text and "dirty" in text
    for hole in FUNC_COV["covergroups"]["cg_axi"]["holes"]:
        assert hole in text
    for module in ("le_softmax", "le_gemv", "le_tb_top"):
        assert module in text
    assert "burst_len.len_16 ×3" in text and "split.none ×7" in text and "split.cross_4k ×0" in text  # hit counts
    assert "coverage/code/html/rtl/le_gemv.sv.gcov.html" in page.hrefs        # a module row links to its page
    assert "functional 62.5% < 90%" in text and "bucket 1: 2 run(s)" in text
    assert "AssertionError at verif/env/scoreboard.py:42 in check_logits" in text
    assert "Crash" in text and "60,000" in text
    assert page.tags.count("svg") >= 3                        # cycles/s, wall time, trend
    assert "token 0, layer 1 · residual add 1 (<le_residual_add>) · y1[4]: golden 3, DUT -3 at cycle 3583" in text
    assert "runs/rand.w128.s9/debug/run.log" in page.hrefs                      # s9 was debugged ...
    assert f"regress debug {path.parent / 'runs' / 'rand.w128.s7'}" in page.copyable     # ... s7 says how to
    row = html_row(path.read_text(), "le_logits")               # 0 of 0 points: n/a, not a red 0.0 %
    assert row.count(">n/a<") == 2 and not re.search(r"[^0-9.]0\.0%", row)
    assert {"runs", "buckets", "testplan", "code-cov", "func-cov", "speed", "trend", "bucket-1",
            "run-rand.w128.s7"} <= page.ids
    html = path.read_text()
    for testpoint, status in (("qkv_tiles_ping_pong", "fail"), ("err_axi_read", "not_run")):   # the real testplan
        start = html.index(f'id="tp-{testpoint}"')
        assert f'class="st {status}"' in html[start:html.index("</tr>", start)], testpoint
    sc_row = html[html.index('id="run-sc_smoke.w128.s4"'):]
    assert "<td>systemc</td>" in sc_row[:sc_row.index("</tr>")]              # the engine of every run
    rand_row = html[html.index('id="run-rand.w64.s1"'):]
    assert "<td>pyuvm</td>" in rand_row[:rand_row.index("</tr>")]
    order = [html.index(f'id="run-{run}"') for run in ("rand.w128.s7", "smoke.w64.s2", "rand.w64.s1")]
    assert order == sorted(order)


def test_missing_inputs_say_not_collected(tmp_path: Path) -> None:
    out = make_out(tmp_path, failing=False, cov=False)
    (out / "regress.json").unlink()
    shutil.rmtree(out / "runs" / "rand.w64.s1")
    page = parse(report.write_dashboard(out))
    text = " ".join(page.text)
    assert text.count("not collected") >= 2 and "PASS" in text and "run directory missing" in text


def test_killed_regression_reads_run_results(tmp_path: Path) -> None:
    out = make_out(tmp_path)
    (out / "results.json").unlink()
    reg = load(out)
    assert sorted(r.result.run_id for r in reg.runs) == ["rand.w128.s7", "rand.w128.s9", "rand.w64.s1",
                                                              "sc_smoke.w128.s4", "smoke.w64.s2"]
    assert reg.warnings and len(reg.buckets) == 2
    assert "did not finish" in " ".join(parse(report.write_dashboard(out)).text)


def test_bad_out_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(ReportError, match=r"has no results\.json"):
        load(tmp_path)
    (tmp_path / "results.json").write_text("{not json")
    assert report.main([str(tmp_path)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and err.startswith(f"regress report: {tmp_path} has a malformed results.json")
    assert report.main([], root=tmp_path / "nothing") == 2


def test_main_defaults_to_newest(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    make_out(tmp_path, "a", failing=False, cov=False)
    b = make_out(tmp_path, "b", failing=False, cov=False)
    os.utime(tmp_path / "a", (1, 1))
    assert report.main([], root=tmp_path) == 0
    assert (b / "dashboard.html").exists() and not (tmp_path / "a" / "dashboard.html").exists()
    assert str(b / "dashboard.html") in capsys.readouterr().out


def test_trend_database(tmp_path: Path) -> None:
    root = tmp_path / "regress"
    first = make_out(root, "n1", started="2026-01-01T00:00:00")
    second = make_out(root, "n2", started="2026-01-02T00:00:00", failing=False)
    report.write_dashboard(first)
    report.write_dashboard(second)
    report.write_dashboard(second)                            # re-reported: updated, not duplicated
    db = root / "history.sqlite"
    entries = history.trend(db, "nightly")
    assert [e.out for e in entries] == [str(first.resolve()), str(second.resolve())]
    assert entries[0].failed == 3 and entries[0].runs == 5 and entries[0].pass_rate == 40.0
    assert entries[0].line_pct == 90.0 and entries[0].functional_pct == 62.5 and entries[1].pass_rate == 100.0
    assert entries[0].cycles_per_s == 60000.0 and entries[0].dirty
    with sqlite3.connect(db) as con:
        assert con.execute("SELECT COUNT(*) FROM regressions").fetchone()[0] == 2
        assert con.execute("SELECT COUNT(*) FROM runs").fetchone()[0] == 6 + 2
    assert history.trend(db, "smoke") == []
    page = parse(second / "dashboard.html")
    assert "n1/dashboard.html" not in page.hrefs and "../n1/dashboard.html" in page.hrefs
    assert "../n2/dashboard.html" not in parse(report.write_dashboard(first)).hrefs    # the trend up to n1 only
    assert [e.out for e in history.trend(db, "nightly", until="2026-01-01T00:00:00")] == [str(first.resolve())]
    assert history.run_history(db, "nightly", "rand", "w128") == [("2026-01-01T00:00:00", "fail")] * 2
    assert [t for t, _ in history.run_history(db, "nightly", "rand", "w64")] == ["2026-01-02T00:00:00",
                                                                                  "2026-01-01T00:00:00"]
    other = tmp_path / "elsewhere.sqlite"
    report.write_dashboard(first, other)
    assert len(history.trend(other, "nightly")) == 1


# --- the browser ---------------------------------------------------------------------------------------------

def png_pixels(path: Path) -> tuple[int, int, list[bytes]]:
    """(width, height, rows of RGB(A) bytes) of an 8-bit RGB/RGBA non-interlaced PNG."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, hdr = 8, b"", b""
    while pos < len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        chunk = data[pos + 8:pos + 8 + n]
        hdr = chunk if kind == b"IHDR" else hdr
        idat += chunk if kind == b"IDAT" else b""
        pos += 12 + n
    w, h, depth, ctype, _, _, interlace = struct.unpack(">IIBBBBB", hdr)
    assert depth == 8 and ctype in (2, 6) and interlace == 0
    bpp = 3 if ctype == 2 else 4
    raw, stride, rows, prev = zlib.decompress(idat), w * bpp, [], bytearray(w * bpp)
    for y in range(h):
        f, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            left, up = line[i - bpp] if i >= bpp else 0, prev[i]
            ul = prev[i - bpp] if i >= bpp else 0
            if f == 1:
                line[i] = (line[i] + left) & 255
            elif f == 2:
                line[i] = (line[i] + up) & 255
            elif f == 3:
                line[i] = (line[i] + (left + up) // 2) & 255
            elif f == 4:
                p = left + up - ul
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - ul)
                line[i] = (line[i] + (left if pa <= pb and pa <= pc else up if pb <= pc else ul)) & 255
        rows.append(bytes(line))
        prev = line
    return w, h, rows


def screenshot(page: Path, png: Path, size: str = "1400,2000") -> Path:
    exe = shutil.which("chromium-headless-shell") or shutil.which("chromium")
    if exe is None:
        pytest.skip("no chromium-headless-shell on PATH (Debian package chromium-headless-shell, `make setup`)")
    subprocess.run([exe, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                    f"--screenshot={png}", f"--window-size={size}", page.resolve().as_uri()],
                   capture_output=True, timeout=120, check=True, cwd=png.parent)
    return png


def _near(px: tuple[int, int, int], rgb: tuple[int, int, int], tol: int = 24) -> bool:
    return all(abs(a - b) <= tol for a, b in zip(px, rgb, strict=False))


def test_dashboard_renders_in_chromium(dashboard: tuple[Path, Path, Page], tmp_path: Path) -> None:
    _, page, _ = dashboard
    png = screenshot(page, tmp_path / "dashboard.png")
    assert 20_000 < png.stat().st_size < 5_000_000
    w, h, rows = png_pixels(png)
    assert (w, h) == (1400, 2000)
    bpp = len(rows[0]) // w
    pixels = [tuple(r[i:i + 3]) for r in rows[::4] for i in range(0, len(r), bpp * 4)]
    assert len(set(pixels)) > 200                              # text, tables, plots: not a blank page
    white = sum(p == (255, 255, 255) or p == (246, 248, 250) for p in pixels)
    assert white < 0.95 * len(pixels)
    red = sum(_near(p, (0xCF, 0x22, 0x2E)) for p in pixels)    # the FAIL badge and status pills
    green = sum(_near(p, (0x1A, 0x7F, 0x37)) for p in pixels)  # pass pills, meters, the trend line
    assert red > 50 and green > 50, (red, green)


FILTER_AND_SORT = """<script>window.addEventListener('load', function () {
  document.getElementById('run-failed').checked = true; leFilter();
  var shown = [].filter.call(document.querySelectorAll('#runs tr.run'),
                             function (t) { return t.style.display !== 'none'; });
  document.body.setAttribute('data-shown', shown.map(function (t) { return t.id; }).join(','));
  leSort(document.querySelector('#runs th:nth-child(5)'));
  document.body.setAttribute('data-order', [].map.call(document.querySelectorAll('#runs tbody tr'),
    function (t) { return t.id || 'msg'; }).join(','));
});</script></body>"""


def test_filter_and_sort_scripts_run_in_chromium(dashboard: tuple[Path, Path, Page]) -> None:
    """The page's own script in the browser: 'failures only' hides the pass, sorting by seed keeps every failure
    message row under its run."""
    exe = shutil.which("chromium-headless-shell") or shutil.which("chromium")
    if exe is None:
        pytest.skip("no chromium-headless-shell on PATH (Debian package chromium-headless-shell, `make setup`)")
    _, page, _ = dashboard
    probe = page.with_name("probe.html")
    probe.write_text(page.read_text().replace("</body>", FILTER_AND_SORT))
    dom = subprocess.run([exe, "--headless", "--no-sandbox", "--disable-gpu", "--dump-dom", probe.as_uri()],
                         capture_output=True, text=True, timeout=120, check=True).stdout
    body = dom[dom.index("<body"):dom.index(">", dom.index("<body"))]
    shown = body.split('data-shown="')[1].split('"')[0].split(",")
    order = body.split('data-order="')[1].split('"')[0].split(",")
    assert sorted(shown) == ["run-rand.w128.s7", "run-rand.w128.s9", "run-smoke.w64.s2"]
    assert order == ["run-rand.w64.s1", "run-smoke.w64.s2", "msg", "run-smoke.w128.s3", "run-sc_smoke.w128.s4",
                     "run-rand.w128.s7", "msg", "run-rand.w128.s9", "msg"]


def test_reused_out_dir_is_a_new_regression(tmp_path: Path) -> None:
    """CI writes every regression to the same OUT: a new start time is a new trend row, and only the current
    row links to OUT's dashboard (the earlier one was overwritten)."""
    out = make_out(tmp_path, "ci-smoke", started="2026-01-01T00:00:00", failing=False)
    report.write_dashboard(out)
    for name in ("results.json", "regress.json"):
        doc = json.loads((out / name).read_text())
        (out / name).write_text(json.dumps({**doc, "started": "2026-01-02T00:00:00"}))
    page = parse(report.write_dashboard(out))
    assert [e.started for e in history.trend(tmp_path / "history.sqlite", "nightly")] == [
        "2026-01-01T00:00:00", "2026-01-02T00:00:00"]
    assert page.hrefs.count("dashboard.html") == 1


def test_plot_labels_are_not_clipped() -> None:
    """A long run id or series name widens its plot instead of running off its left or right edge."""
    import re as _re

    from regress.report_plots import CHAR_W, Bar, bar_chart, line_chart
    long = "reset_mid_token.w128.s4000000001"
    svg = bar_chart([Bar(long, 3.0), Bar("x", 1.0)], "s")
    label_x = float(_re.search(r'<text x="([0-9.]+)"[^>]*text-anchor="end">' + long, svg).group(1))
    assert label_x >= CHAR_W * len(long)                     # the right-aligned label starts at x >= 0
    svg = line_chart(["a", "b"], {"functional (accumulated)": [1.0, 2.0]})
    width = float(_re.search(r'width="([0-9.]+)"', svg).group(1))
    legend_x = float(_re.search(r'<text x="([0-9.]+)"[^>]*>functional \(accumulated\)', svg).group(1))
    assert legend_x + CHAR_W * len("functional (accumulated)") <= width


def test_mutation_section(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The newest `regress mutate` measurement next to the regressions' folder (build/mutate for build/regress)
    is the Mutation section: a score per suite, the files worst first, each survivor with its line and the rerun
    command; `--mutation` naming a folder without mutate.json is one line, exit 2."""
    from regress import mutate
    from regress.mutants import Mutant
    vs = [mutate.Verdict(Mutant(i, f"rtl/le_{n}.sv", 10 * i, "cmp", "a < b", "a <= b"))
          for i, n in ((3, "softmax"), (8, "gemv"), (9, "gemv"))]
    vs[0].status, vs[0].killed_in = "killed", ("smoke", "nightly")
    vs[1].status = "survived"
    vs[2].status, vs[2].message = "waived", "equivalent: <b> never below a"
    mutate.report(vs, [], "smoke,nightly", tmp_path / "mutate" / "m1")
    out = make_out(tmp_path / "regress")
    page = parse(report.write_dashboard(out))
    text = " ".join(page.text)
    assert "smoke 1/2 killed" in text and "rtl/le_gemv.sv:80" in text and "--ids 8" in text, text
    assert text.index("rtl/le_gemv.sv") < text.index("rtl/le_softmax.sv")        # worst score first
    assert "equivalent: <b> never below a" in text                               # escaped, shown as text
    assert (tmp_path / "mutate" / "m1" / "mutate.html").read_text().count("rtl/le_gemv.sv:80") == 1
    assert report.main([str(out), "--mutation", str(tmp_path)]) == 2
    assert capsys.readouterr().err.strip().endswith("no readable mutate.json there (a `regress mutate` output folder)")
