"""Reviewed coverage waivers (regress/covwaive.py, verif/coverage_waivers.yaml) without a simulator or a build:
hand-made coverage points and bin reports. A waived point leaves the figure (and the gate's) and is listed apart,
a waiver matching nothing is stale, one whose points were hit is flagged, a bad entry is one line and exit 2
before any build, and the dashboard shows the waived and the stale ones."""
from __future__ import annotations

import json
import re
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
import yaml
from report_fixtures import make_out

from regress import cli, codecov, covgate, covwaive, funccov
from regress.report import write_dashboard

REPO = Path(__file__).resolve().parents[1]
RTL = REPO / "rtl" / "x.sv"
HEAD = {"reason": "a tool artefact, see the evidence", "reviewer": "R. Viewer", "date": "2026-12-05"}


def _p(line: int, kind: str, module: str, comment: str, count: int, lines: tuple[int, ...] = (),
       file: Path = RTL) -> codecov.Point:
    return codecov.Point(str(file), line, 1, kind, module, comment, lines or (line,), count)


# module m: a block (10-12, hit), a case item (20, never hit), an if/else on 30 (if hit, else not), a 2-bit
# signal d (d[0] toggled both ways, d[1] never), and q in module n (never toggled)
POINTS = [_p(10, "line", "m__W1", "block", 5, (10, 11, 12)), _p(20, "line", "m__W1", "case", 0),
          _p(30, "branch", "m__W1", "if", 3), _p(30, "branch", "m__W1", "else", 0),
          _p(2, "toggle", "m__W1", "d[0]:0->1", 1), _p(2, "toggle", "m__W1", "d[0]:1->0", 1),
          _p(2, "toggle", "m__W2", "d[1]:0->1", 0), _p(2, "toggle", "m__W2", "d[1]:1->0", 0),
          _p(4, "toggle", "n", "q:0->1", 0), _p(4, "toggle", "n", "q:1->0", 0)]


def _waivers(*entries: dict[str, Any]) -> list[covwaive.Waiver]:
    return covwaive.parse({"waivers": [{**e, **HEAD} for e in entries]}, Path("w.yaml"))


def _summary(*entries: dict[str, Any]) -> dict[str, Any]:
    return codecov.summarize(POINTS, REPO, 1, "vc", _waivers(*entries))


def test_without_waivers_the_figures_are_unchanged() -> None:
    plain = codecov.summarize(POINTS, REPO, 1, "vc")
    s = _summary()
    assert "waived" not in plain and s["totals"] == plain["totals"] and s["modules"] == plain["modules"]
    assert s["totals"]["line"] == {"hit": 4, "total": 5, "pct": 80.0}
    assert s["waived"]["waivers"] == [] and s["waived"]["stale"] == [] and s["waived"]["unwaived"] == s["totals"]


def test_a_line_waiver_leaves_the_figure_and_is_listed_apart() -> None:
    s = _summary({"kind": "line", "file": "rtl/x.sv", "line": 20})
    assert s["totals"]["line"] == {"hit": 4, "total": 4, "pct": 100.0}        # 4/5 before
    assert s["modules"]["m"]["line"]["total"] == 4
    w = s["waived"]
    assert w["counts"] == {"m": {"line": 1, "toggle": 0, "branch": 0}}
    assert w["unwaived"]["line"] == {"hit": 4, "total": 5, "pct": 80.0}         # the figure without waivers, kept
    [row] = w["waivers"]
    assert (row["target"], row["module"], row["points"], row["points_hit"], row["state"]) == \
        ("rtl/x.sv:20", "m", 1, 0, "active")
    assert row["reason"] == HEAD["reason"] and row["reviewer"] == "R. Viewer" and row["date"] == "2026-12-05"
    # the gate checks the waived figure
    assert covgate.misses(covgate.figures(s, None), {"line": 90}) == []
    assert covgate.misses(covgate.figures(codecov.summarize(POINTS, REPO, 1, "vc"), None), {"line": 90})
    # the lcov info (and so genhtml) leaves the line out too
    info = codecov.lcov_info(POINTS, _waivers({"kind": "line", "file": "rtl/x.sv", "line": 20}))
    assert "DA:20," not in info and "LF:4" in info and "DA:10,5" in info


def test_branch_and_toggle_waivers() -> None:
    s = _summary({"kind": "branch", "file": "rtl/x.sv", "line": 30, "arm": "else"},
                 {"kind": "toggle", "module": "m", "signal": "d[1]"},
                 {"kind": "toggle", "module": "n", "signal": "q"})
    assert s["totals"]["branch"] == {"hit": 1, "total": 1, "pct": 100.0}      # 1/2 before: the if arm stays
    assert s["totals"]["toggle"] == {"hit": 2, "total": 2, "pct": 100.0}      # 2/6 before
    assert s["totals"]["line"]["total"] == 5                                    # a branch waiver is not a line's
    assert s["waived"]["counts"] == {"m": {"line": 0, "toggle": 2, "branch": 1},
                                     "n": {"line": 0, "toggle": 2, "branch": 0}}
    assert [r["points"] for r in s["waived"]["waivers"]] == [1, 2, 2]
    whole = _summary({"kind": "toggle", "module": "m", "signal": "d"})          # every bit of d
    assert whole["waived"]["waivers"][0]["points"] == 4 and whole["totals"]["toggle"]["total"] == 2


def test_stale_and_hit_waivers_are_reported() -> None:
    s = _summary({"kind": "line", "file": "rtl/x.sv", "line": [20, 99]},        # 99: no such point
                 {"kind": "toggle", "module": "m", "signal": "gone"},
                 {"kind": "line", "file": "rtl/x.sv", "line": 11},              # hit: no longer needed
                 {"kind": "branch", "file": "rtl/y.sv", "line": 30})
    w = s["waived"]
    assert [r["target"] for r in w["stale"]] == ["rtl/x.sv:99", "m.gone", "rtl/y.sv:30"]
    assert [r["target"] for r in w["hit"]] == ["rtl/x.sv:11"] and w["hit"][0]["state"] == "hit"
    assert [r["target"] for r in w["waivers"]] == ["rtl/x.sv:20", "rtl/x.sv:11"]
    lines = covwaive.warnings(s, "code")
    assert len(lines) == 4 and all(ln.startswith("coverage: WARNING: ") and "\n" not in ln for ln in lines)
    assert "stale code waiver" in lines[0] and "rtl/x.sv:99" in lines[0] and "#1" in lines[0]
    assert "rtl/x.sv:11" in lines[3] and "no longer needed" in lines[3]
    assert any("stale" in ln for ln in covgate._lines(s, None, Path("/o")))


def _bins(hits: dict[str, int]) -> SimpleNamespace:
    """A verif.coverage.CoverageReport of these bin hits (the figures by its formula)."""
    holes = [b for b, n in hits.items() if not n]
    groups = sorted({b.split(".")[0] for b in hits})
    cov = {g: funccov.waived_pct(hits, holes, g, ()) for g in groups}
    return SimpleNamespace(coverage=cov, total=sum(cov.values()) / len(cov), holes=holes, hits=hits)


REP = _bins({"axi_burst.wr_len.1": 3, "axi_burst.wr_len.2_15": 1, "axi_burst.wr_len.16_255": 0,
             "axi_burst.wr_split_4k.split": 0, "stim.bus.64": 2, "stim.bus.128": 0})


def test_bin_waivers_change_the_figure_and_are_listed() -> None:
    plain = funccov.summarize(REP, 2)          # type: ignore[arg-type]
    assert plain["covergroups"]["axi_burst"]["pct"] == pytest.approx(33.33)    # (2/3 + 0/1) / 2
    ws = covwaive.parse({"waivers": [{"kind": "bin", "bin": "axi_burst.wr_len.16_255", **HEAD},
                                     {"kind": "bin", "bin": "axi_burst.wr_split_4k.split", **HEAD},
                                     {"kind": "bin", "bin": "stim.bus.64", **HEAD},
                                     {"kind": "bin", "bin": "cfg.heads.99", **HEAD}]}, Path("w.yaml"))
    s = funccov.summarize(REP, 2, ws)          # type: ignore[arg-type]
    ax = s["covergroups"]["axi_burst"]
    assert ax["pct"] == 100.0 and ax["holes"] == []                             # wr_split_4k has no bin left
    assert s["covergroups"]["stim"]["holes"] == ["bus.128"] and s["covergroups"]["stim"]["pct"] == 0.0
    assert s["total_pct"] == 50.0 and s["waived"]["unwaived"] == plain["total_pct"]
    w = s["waived"]
    assert w["counts"] == {"axi_burst": 2, "stim": 1}
    assert [r["target"] for r in w["stale"]] == ["cfg.heads.99"]
    assert [r["target"] for r in w["hit"]] == ["stim.bus.64"]
    assert any("cfg.heads.99" in ln for ln in covwaive.warnings(s, "functional"))


BAD = [
    ({"kind": "line", "file": "rtl/x.sv", "line": 3, "why": "x"}, "unknown key(s) why"),
    ({"kind": "line", "file": "rtl/x.sv", "line": 3, "reason": None}, "missing reason"),
    ({"kind": "line", "file": "rtl/x.sv", "line": "3"}, "line must be a positive integer"),
    ({"kind": "toggle", "module": "m", "signal": 5}, "signal must be a string"),
    ({"kind": "bin", "bin": "axi_burst.wr_len"}, "must be covergroup.coverpoint.bin"),
    ({"kind": "line", "file": "rtl/x.sv", "line": 3, "date": "5 Dec"}, "is not YYYY-MM-DD"),
    ({"kind": "lines", "file": "rtl/x.sv"}, "kind 'lines': must be one of"),
    ({"kind": "line", "file": "rtl/x.sv", "line": 3, "reason": "why"}, "is too short"),
]


@pytest.mark.parametrize("entry, needle", BAD)
def test_a_bad_entry_is_one_line_naming_file_and_entry(tmp_path: Path, entry: dict[str, Any], needle: str) -> None:
    f = tmp_path / "w.yaml"
    good = {"kind": "line", "file": "rtl/x.sv", "line": 1, **HEAD}
    f.write_text(yaml.safe_dump({"waivers": [good, {**HEAD, **entry}]}))
    with pytest.raises(covwaive.WaiverError) as exc:
        covwaive.load(f)
    msg = str(exc.value)
    assert "\n" not in msg and msg.startswith(f"{f}: waiver 2") and needle in msg, msg


def test_bad_files(tmp_path: Path) -> None:
    for text, needle in [("waivers: {a: 1}\n", "must be a list"), ("waiver: []\n", "one key, `waivers`"),
                         ("waivers: [\n", "not valid YAML")]:
        (tmp_path / "w.yaml").write_text(text)
        with pytest.raises(covwaive.WaiverError, match=re.escape(needle)):
            covwaive.load(tmp_path / "w.yaml")
    dup = {"kind": "bin", "bin": "a.b.c", **HEAD}
    with pytest.raises(covwaive.WaiverError, match=r"waiver 2 .*duplicates waiver 1"):
        covwaive.parse({"waivers": [dup, dup]}, Path("w.yaml"))


def test_regress_run_exits_2_before_any_build(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    bad = tmp_path / "w.yaml"
    bad.write_text("waivers:\n  - {kind: line, file: rtl/x.sv, line: 3, reviewer: me, date: 2026-12-05}\n")

    def boom(*_: object) -> None:
        raise AssertionError("got past the waiver check")
    monkeypatch.setattr(cli, "_cluster", boom)          # the next step of `regress run`: never reached
    rc = cli.main(["run", "smoke", "--cov", "--cov-waivers", str(bad), "--out", str(tmp_path / "o")])
    err = capsys.readouterr().err.strip()
    assert rc == 2 and err.count("\n") == 0 and err.startswith(f"regress: {bad}: waiver 1 (line rtl/x.sv 3)")
    assert "missing reason" in err and not (tmp_path / "o").exists()
    assert cli.main(["run", "smoke", "--cov-waivers", str(bad)]) == 2            # needs --cov


def test_the_dashboard_shows_waived_and_stale_points(tmp_path: Path) -> None:
    out = make_out(tmp_path / "regress")
    s = _summary({"kind": "line", "file": "rtl/x.sv", "line": [20, 99]})
    f = funccov.summarize(REP, 2, _waivers({"kind": "bin", "bin": "axi_burst.wr_len.16_255"}))  # type: ignore[arg-type]
    (out / "coverage" / "code" / "summary.json").write_text(json.dumps(s))
    (out / "coverage" / "functional" / "summary.json").write_text(json.dumps(f))
    page = write_dashboard(out, history_db=tmp_path / "h.sqlite").read_text()
    text = re.sub(r"<[^>]+>", " ", page)
    assert "waived code coverage: 1 waiver(s), 1 point(s)" in text and "rtl/x.sv:20" in text
    assert HEAD["reason"] in text and "R. Viewer" in text
    assert "stale:" in text and "rtl/x.sv:99" in text and "matches no coverage point" in text
    assert "waived functional coverage: 1 waiver(s)" in text and "axi_burst.wr_len.16_255" in text


def test_the_project_waiver_file_is_valid_and_points_at_returns() -> None:
    """verif/coverage_waivers.yaml: loads, and its le_pkg / le_layout lines are still the `return` arms the
    reasons describe (a waiver left behind by an edit of the RTL fails here before a regression says stale)."""
    ws = covwaive.load()
    assert ws and all(w.reason and w.reviewer and w.date for w in ws)
    for w in ws:
        if w.kind in ("line", "branch"):
            src = (REPO / w.file).read_text().splitlines()
            assert w.line <= len(src), w.target
    text = {f: (REPO / f).read_text().splitlines() for f in ("rtl/le_pkg.sv", "rtl/le_layout.sv")}
    layout = [w.line for w in ws if w.file == "rtl/le_layout.sv"]
    assert layout and all("return" in text["rtl/le_layout.sv"][n - 1] for n in layout)
    pkg = [w.line for w in ws if w.file == "rtl/le_pkg.sv" and w.kind == "line"]
    assert all("return" in text["rtl/le_pkg.sv"][n - 1] or "if (x > hi)" in text["rtl/le_pkg.sv"][n - 1]
               for n in pkg)
