"""The SystemC testbench (docs/systemc.md) checked from Python against the golden model's bundle.

The tiny bundle (`python -m models export --preset tiny --seed 1 --tokens 4`, 128-bit bus) runs through the C driver
on the Verilated RTL + BFMs (eda/scbuild.py, verif/sc/); every logit and the KV region must equal the bundle's
logits.npy / kv_region.bin (the golden model's), every token must end with STATUS = DONE, and the perf byte counters
must equal what the DMA schedule implies (models/schedule.py, as verif/env/refmodel.py computes them). The checks
must fail on a planted RTL bug (a rounding change in a scratch copy of rtl/le_requant.sv) and on a planted C-driver
bug (a scratch copy of sw/le_driver.c that writes TOKEN_POS only for position 0): those two rebuild the model
(~1-2 minutes each) and are marked slow.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from eda import scbuild, toolchain
from models.config import EngineConfig
from models.ddr_layout import DdrLayout
from models.schedule import schedule_beats, token_schedule

ROOT = Path(__file__).resolve().parents[1]
BUS_BITS = 128
STATUS_DONE = 0x2
pytestmark = pytest.mark.sim


def export_bundle(out: Path, tokens: int) -> Path:
    """`python -m models export --preset tiny --seed 1` (its default bus width, 128 bits)."""
    done = subprocess.run([sys.executable, "-m", "models", "export", "--preset", "tiny", "--seed", "1", "--tokens",
                           str(tokens), "--out", str(out)], cwd=ROOT, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert json.loads((out / "manifest.json").read_text())["config"]["axi_data_w"] == BUS_BITS
    return out


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return export_bundle(tmp_path_factory.mktemp("sc") / "tiny", 4)


@pytest.fixture(scope="module")
def model() -> scbuild.ScBuild:
    try:
        built = scbuild.build(BUS_BITS)
    except toolchain.ToolMissing as exc:
        pytest.fail(str(exc))
    print(f"SystemC testbench build: {built.seconds:.1f}s ({'cached' if built.cached else 'built'}), "
          f"SystemC {built.systemc.library_version}")
    return built


@dataclass
class Outcome:
    returncode: int
    stderr: str
    run: dict[str, Any]
    tokens: list[dict[str, Any]]
    problems: list[str]


def check_run(binary: Path, bundle: Path, out: Path, args: tuple[str, ...] = ()) -> Outcome:
    """Run the testbench on `bundle`; every difference from the bundle's expectations as one line."""
    done = scbuild.run(binary, bundle, out, args, timeout=600)
    manifest = json.loads((bundle / "manifest.json").read_text())
    cfg = EngineConfig.from_dict(manifest["config"])
    layout = DdrLayout(cfg)
    problems: list[str] = []
    if done.returncode != 0:
        problems.append(f"exit {done.returncode}: {done.stderr.strip()}")
    run = json.loads((out / "run.json").read_text()) if (out / "run.json").is_file() else {}
    lines = (out / "tokens.jsonl").read_text().splitlines() if (out / "tokens.jsonl").is_file() else []
    tokens = [json.loads(line) for line in lines]
    problems += [f"protocol: {e}" for e in run.get("protocol_errors", [])]
    want = np.load(bundle / "logits.npy")
    if len(tokens) != want.shape[0]:
        problems.append(f"{len(tokens)} tokens ran, the bundle has {want.shape[0]}")
    for t in tokens:
        pos = int(manifest.get("start_pos", 0)) + t["token"]
        if t["rc"] != "LE_OK" or t["status"] != STATUS_DONE:
            problems.append(f"token {t['token']}: {t['rc']}, STATUS=0x{t['status']:x} (expected LE_OK, DONE)")
        rd_beats, wr_beats = schedule_beats(token_schedule(layout, pos), cfg.bus_bytes)
        for key, beats in (("bytes_rd", rd_beats), ("bytes_wr", wr_beats)):
            if t["perf"][key] != beats * cfg.bus_bytes:
                problems.append(f"token {t['token']}: PERF {key} = {t['perf'][key]}, schedule {beats * cfg.bus_bytes}")
    raw = (out / "logits.bin").read_bytes() if (out / "logits.bin").is_file() else b""
    got = np.frombuffer(raw, dtype="<i4")
    if got.size != want.size:
        problems.append(f"logits.bin holds {got.size} logits, expected {want.size}")
    else:
        bad = np.argwhere(got.reshape(want.shape) != want)
        if bad.size:
            t, j = (int(v) for v in bad[0])
            problems.append(f"{len(bad)} logits differ, first token {t} logit {j}: {got.reshape(want.shape)[t, j]} "
                            f"!= golden {want[t, j]}")
    kv_want = (bundle / "kv_region.bin").read_bytes()
    kv_got = (out / "kv_region.bin").read_bytes() if (out / "kv_region.bin").is_file() else b""
    if kv_got != kv_want:
        diff = [i for i, (a, b) in enumerate(zip(kv_got, kv_want, strict=False)) if a != b]
        problems.append(f"KV region differs: {len(diff)} bytes (first at offset {diff[0] if diff else '-'}), "
                        f"{len(kv_got)} / {len(kv_want)} bytes")
    return Outcome(done.returncode, done.stderr, run, tokens, problems)


def test_tiny_bundle_bit_exact(model: scbuild.ScBuild, bundle: Path, tmp_path: Path) -> None:
    out = check_run(model.binary, bundle, tmp_path / "run")
    assert not out.problems, "\n".join(out.problems)
    r = out.run
    print(f"SystemC harness, tiny x4 at {BUS_BITS} bits: {r['token_loop_cycles']} DUT cycles in "
          f"{r['token_loop_wall_s']:.3f} s = {r['cycles_per_s']:,.0f} cycles/s (whole run {r['wall_s']:.3f} s)")


def test_tiny_bundle_with_bfm_timing_knobs(model: scbuild.ScBuild, bundle: Path, tmp_path: Path) -> None:
    """The same bits under memory latency, reordering, interleaving, stalls and stream gaps (the BFMs' knobs)."""
    knobs = ("--lat-min", "0", "--lat-max", "30", "--reorder", "1", "--interleave", "1", "--p-ar-stall", "0.2",
             "--p-r-gap", "0.1", "--b-lat-max", "20", "--b-reorder", "1", "--p-aw-stall", "0.2", "--p-w-stall",
             "0.1", "--p-b-gap", "0.1", "--p-x-idle", "0.3", "--p-logits-stall", "0.3", "+verilator+seed+7")
    out = check_run(model.binary, bundle, tmp_path / "run", knobs)
    assert not out.problems, "\n".join(out.problems)
    plain = check_run(model.binary, bundle, tmp_path / "plain")
    assert out.run["cycles"] > plain.run["cycles"], "the timing knobs changed nothing"


def test_speed_tiny_128(model: scbuild.ScBuild, tmp_path: Path) -> None:
    """DUT cycles per wall second of the token loop on tiny at 128 bits, 48 tokens (reported, not gated)."""
    big = export_bundle(tmp_path / "tiny48", 48)
    out = check_run(model.binary, big, tmp_path / "run")
    assert not out.problems, "\n".join(out.problems)
    r = out.run
    print(f"SystemC harness speed, tiny x48 at {BUS_BITS} bits: {r['token_loop_cycles']} DUT cycles in "
          f"{r['token_loop_wall_s']:.3f} s = {r['cycles_per_s']:,.0f} cycles/s "
          f"({r['cycles_per_s'] / 55_000:.1f}x the pyuvm env's ~55 k)")


def test_hang_is_one_line_naming_token_and_position(model: scbuild.ScBuild, bundle: Path, tmp_path: Path) -> None:
    out = check_run(model.binary, bundle, tmp_path / "run", ("--token-budget", "500"))
    assert out.returncode == 3
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and "HANG at token 0 (pos 0)" in lines[0] and "500 cycles" in lines[0], out.stderr


def _sc_check_fails(env_overrides: dict[str, str]) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, **env_overrides}
    return subprocess.run([sys.executable, "-m", "eda.scbuild", "build"], cwd=ROOT, env=env, capture_output=True,
                          text=True, check=False, timeout=300)


def test_headers_library_mismatch_is_one_line_exit_2(tmp_path: Path) -> None:
    """The systemc PyPI package's headers (3.0) against Debian's 2.3.4 library: refused before any build."""
    systemc = pytest.importorskip("systemc")
    lib_dir = str(toolchain.systemc().lib_dir)
    done = _sc_check_fails({"SYSTEMC_INCLUDE": systemc.include_path(), "SYSTEMC_LIBDIR": lib_dir})
    assert done.returncode == 2, done.stderr
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert "apt-get install libsystemc-dev" in done.stderr and "2.3.4" in done.stderr, done.stderr


def test_missing_library_is_one_line_exit_2(tmp_path: Path) -> None:
    done = _sc_check_fails({"SYSTEMC_LIBDIR": str(tmp_path)})
    assert done.returncode == 2, done.stderr
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert "apt-get install libsystemc-dev" in done.stderr, done.stderr


# --------------------------------------------------------------------------- planted bugs (rebuild: slow)


def _plant(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert text.count(old) == 1, f"{path}: the text to plant the bug in is gone: {old!r}"
    path.write_text(text.replace(old, new))


@pytest.mark.slow
def test_fails_on_planted_rtl_bug(bundle: Path, tmp_path: Path) -> None:
    """Round at a quarter instead of a half in le_requant (a scratch copy of rtl/): the logits must differ."""
    shutil.copytree(ROOT / "rtl", tmp_path / "rtl")
    _plant(tmp_path / "rtl" / "le_requant.sv", "assign rnd_d  = prod_t'((ProdW'(1) << r_q1) >> 1);",
           "assign rnd_d  = prod_t'((ProdW'(1) << r_q1) >> 2);")
    model = scbuild.build(BUS_BITS, rtl_root=tmp_path)
    out = check_run(model.binary, bundle, tmp_path / "run")
    print("planted RTL bug:", *out.problems, sep="\n  ")
    assert any("logits differ" in p for p in out.problems), out.problems


@pytest.mark.slow
def test_fails_on_planted_driver_bug(bundle: Path, tmp_path: Path) -> None:
    """A driver that writes TOKEN_POS only for position 0 (a scratch copy of sw/): every later token reruns
    position 0, so its logits, the KV region and the read byte counts must differ."""
    shutil.copytree(ROOT / "sw", tmp_path / "sw")
    (tmp_path / "rtl").symlink_to(ROOT / "rtl")            # le_csr_c99.h includes ../rtl/csr/le_csr.h
    _plant(tmp_path / "sw" / "le_driver.c", "TRY(wr(dev, REG(TOKEN_POS), pos));",
           "if (pos == 0u) { TRY(wr(dev, REG(TOKEN_POS), pos)); }")
    model = scbuild.build(BUS_BITS, sw_dir=tmp_path / "sw")
    out = check_run(model.binary, bundle, tmp_path / "run")
    print("planted driver bug:", *out.problems, sep="\n  ")
    assert any("logits differ" in p for p in out.problems), out.problems
    assert any("KV region differs" in p for p in out.problems), out.problems
    assert any("bytes_rd" in p for p in out.problems), out.problems
