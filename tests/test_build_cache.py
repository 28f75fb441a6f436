"""eda/build_cache.py: the cached builds stay under a size cap, least recently used out first; recent ones, the
build just made and folders that are not builds stay; a bad cap is one clear error before any build."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from eda import build_cache, scbuild, simbuild

STAMP = simbuild.STAMP
NOW = 1_000_000_000.0
HOUR = 3600.0


def make_build(root: Path, name: str, mb: int, used_h_ago: float | None) -> Path:
    """A fake build directory of `mb` MB whose stamp was last touched `used_h_ago` hours ago (None: no stamp)."""
    d = root / name
    d.mkdir(parents=True)
    (d / "obj.o").write_bytes(b"\0" * (mb * 1_000_000))
    if used_h_ago is not None:
        (d / STAMP).write_text("built\n")
        t = NOW - used_h_ago * HOUR
        os.utime(d / STAMP, (t, t))
    return d


def names(removed: list[build_cache.CachedBuild]) -> list[str]:
    return [b.path.name for b in removed]


def test_least_recently_used_go_first_until_under_the_cap(tmp_path: Path) -> None:
    sim, sc = tmp_path / "sim", tmp_path / "sc"
    old = make_build(sim, "le_tb_top-00000000000000aa", 3, used_h_ago=50)
    older = make_build(sc, "le_sc_sim-00000000000000bb", 3, used_h_ago=90)
    mid = make_build(sim, "le_tb_top-00000000000000cc", 3, used_h_ago=10)
    new = make_build(sim, "le_tb_top-00000000000000dd", 3, used_h_ago=0)
    runs = sim / "runs"                                   # not a build: never counted, never removed
    runs.mkdir()
    (runs / "big.log").write_bytes(b"\0" * 5_000_000)
    removed = build_cache.prune(new, STAMP, roots=(sim, sc), cap=7_000_000, now=NOW)
    assert names(removed) == [older.name, old.name]
    assert mid.is_dir() and new.is_dir() and runs.is_dir() and not old.exists() and not older.exists()


def test_recent_builds_and_the_new_one_stay_over_the_cap(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = tmp_path / "sim"
    unfinished = make_build(root, "le_tb_top-0000000000000001", 2, used_h_ago=None)
    recent = make_build(root, "le_tb_top-0000000000000002", 2, used_h_ago=0.5)
    new = make_build(root, "le_tb_top-0000000000000003", 2, used_h_ago=0)
    removed = build_cache.prune(new, STAMP, roots=(root,), cap=1_000_000, now=NOW)
    assert names(removed) == [unfinished.name]            # an unfinished attempt first; the rest is protected
    assert recent.is_dir() and new.is_dir()
    err = capsys.readouterr().err
    assert "unfinished" in err and "stays over its" in err


def test_under_the_cap_or_cap_zero_nothing_goes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = tmp_path / "sim"
    a = make_build(root, "le_tb_top-000000000000000a", 1, used_h_ago=100)
    b = make_build(root, "le_tb_top-000000000000000b", 1, used_h_ago=0)
    assert build_cache.prune(b, STAMP, roots=(root,), cap=10_000_000, now=NOW) == []
    monkeypatch.setenv(build_cache.CAP_ENV, "0")
    assert build_cache.prune(b, STAMP, roots=(root,), now=NOW) == [] and a.is_dir()


@pytest.mark.parametrize("value, cap", [("", int(build_cache.DEFAULT_CAP_GB * 1e9)), ("12.5", 12_500_000_000),
                                        ("0", None)])
def test_the_cap_setting(monkeypatch: pytest.MonkeyPatch, value: str, cap: int | None) -> None:
    monkeypatch.setenv(build_cache.CAP_ENV, value)
    assert build_cache.cap_bytes() == cap


@pytest.mark.parametrize("value", ["lots", "-3", "nan"])
def test_a_bad_cap_stops_a_build_before_any_work(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv(build_cache.CAP_ENV, value)
    with pytest.raises(ValueError, match=build_cache.CAP_ENV):
        build_cache.cap_bytes()
    monkeypatch.setattr(simbuild, "_build_locked", lambda *a, **k: pytest.fail("built despite a bad cap"))
    with pytest.raises(ValueError, match=build_cache.CAP_ENV):
        simbuild.build([Path("rtl/le_pkg.sv")], "le_pkg")
    monkeypatch.setattr(scbuild, "_build_locked", lambda *a, **k: pytest.fail("built despite a bad cap"))
    with pytest.raises(ValueError, match=build_cache.CAP_ENV):
        scbuild.build(128)


def test_a_use_touches_the_stamp(tmp_path: Path) -> None:
    d = make_build(tmp_path, "le_tb_top-00000000000000ee", 0, used_h_ago=48)
    assert not build_cache.hit(d, STAMP, d / "le_tb_top")    # the binary is missing: no hit, not touched
    assert (d / STAMP).stat().st_mtime == NOW - 48 * HOUR
    assert build_cache.hit(d, STAMP, d / "obj.o")
    assert (d / STAMP).stat().st_mtime > NOW
    build_cache.touch(tmp_path / "gone", STAMP)           # a build removed meanwhile: no error


def test_regress_run_refuses_a_bad_cap_in_one_line(monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    from regress import cli
    monkeypatch.setenv(build_cache.CAP_ENV, "lots")
    assert cli.main(["run", "smoke", "--out", str(tmp_path / "out")]) == cli.EXIT_USAGE
    err = capsys.readouterr().err.strip()
    assert err.startswith(f"regress: {build_cache.CAP_ENV}='lots'") and "\n" not in err
    assert not (tmp_path / "out").exists()                # nothing half-written
