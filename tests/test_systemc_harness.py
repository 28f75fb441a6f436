"""The SystemC testbench (docs/systemc.md) checked from Python against the golden model.

The tiny bundle (`python -m models export --preset tiny --seed 1 --tokens 4`, 128-bit bus) runs through the C driver
on the Verilated RTL + BFMs (eda/scbuild.py, verif/sc/): every logit and the KV region equal the bundle's, STATUS DONE,
perf bytes as the DMA schedule implies (models/schedule.py), every K/V write of the transaction records (txn.jsonl) as
GoldenPredictor predicts; the bare C++ loop gives the same files. Marked slow (each rebuilds): the coverage, waves and
X-randomised variants, and the planted bugs the checks must catch (RTL rounding, C driver TOKEN_POS, a dropped write
beat and a late drain in the testbench, an unwritten BFM knob under X randomisation).
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
from models.bundle import build_bundle
from models.config import EngineConfig
from models.ddr_layout import DdrLayout
from models.schedule import schedule_beats, token_schedule
from verif.bfm.axi_mem_bfm_types import ReadBurst, WriteBeatRec, WriteBurst
from verif.env.refmodel import GoldenPredictor
from verif.env.txn import TokenStart
from verif.env.txn_log import burst_line
from verif.seeds import X_RANDOM_BUILD_ARGS
from verif.tests.base import IMAGE_BASE

ROOT = Path(__file__).resolve().parents[1]
BUS_BITS = 128
STATUS_DONE = 0x2
pytestmark = pytest.mark.sim


def export_bundle(out: Path, tokens: int, preset: str = "tiny") -> Path:
    """`python -m models export --preset PRESET --seed 1` (its default bus width, 128 bits)."""
    done = subprocess.run([sys.executable, "-m", "models", "export", "--preset", preset, "--seed", "1", "--tokens",
                           str(tokens), "--out", str(out)], cwd=ROOT, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert json.loads((out / "manifest.json").read_text())["config"]["axi_data_w"] == BUS_BITS
    return out


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return export_bundle(tmp_path_factory.mktemp("sc") / "tiny", 4)


@pytest.fixture(scope="module")
def bundle1(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return export_bundle(tmp_path_factory.mktemp("sc1") / "tiny1", 1)


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
    """Bit exact; --txn 0 writes no txn.jsonl and changes nothing else; the bare C++ loop writes the same files."""
    on = check_run(model.binary, bundle, tmp_path / "on")
    off = check_run(model.binary, bundle, tmp_path / "off", ("--txn", "0"))
    bare = check_run(model.bare_binary, bundle, tmp_path / "bare")
    assert not on.problems and not off.problems and not bare.problems, on.problems + off.problems + bare.problems
    assert not (tmp_path / "off" / "txn.jsonl").exists() and off.run["txn_records"] is None
    for name in ("tokens.jsonl", "logits.bin", "kv_region.bin", "txn.jsonl"):
        if name != "txn.jsonl":
            assert (tmp_path / "off" / name).read_bytes() == (tmp_path / "on" / name).read_bytes(), name
        assert (tmp_path / "bare" / name).read_bytes() == (tmp_path / "on" / name).read_bytes(), name
    assert bare.run["engine"] == "bare" and on.run["engine"] == "systemc"


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
    """DUT cycles per wall (and CPU) second of the token loop on tiny at 128 bits, 48 tokens, SystemC harness and
    bare loop (reported, not gated: benchmarks/sim_speed.py measures the targets)."""
    big = export_bundle(tmp_path / "tiny48", 48)
    for name, binary in (("SystemC harness", model.binary), ("bare C++ loop", model.bare_binary)):
        out = check_run(binary, big, tmp_path / name.split()[0])
        assert not out.problems, "\n".join(out.problems)
        r = out.run
        print(f"{name} speed, tiny x48 at {BUS_BITS} bits: {r['token_loop_cycles']} DUT cycles in "
              f"{r['token_loop_wall_s']:.3f} s = {r['cycles_per_s']:,.0f} cycles/s, {r['cycles_per_cpu_s']:,.0f} per "
              f"CPU second ({r['cycles_per_s'] / 50_000:.1f}x the pyuvm env's ~50 k)")


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
    assert done.returncode == 2 and len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert "apt-get install libsystemc-dev" in done.stderr and "2.3.4" in done.stderr, done.stderr


def test_missing_library_is_one_line_exit_2(tmp_path: Path) -> None:
    done = _sc_check_fails({"SYSTEMC_LIBDIR": str(tmp_path)})
    assert done.returncode == 2 and len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert "apt-get install libsystemc-dev" in done.stderr, done.stderr


# --------------------------------------------------------------------------- transaction records (txn.jsonl)


def read_txn(path: Path, bus_bytes: int) -> list[tuple[int, str, Any]]:
    """txn.jsonl as (tok, kind, object): ReadBurst / WriteBurst rebuilt field for field
    (verif/bfm/axi_mem_bfm_types.py), the C and I records as their dicts."""
    out: list[tuple[int, str, Any]] = []
    for line in path.read_text().splitlines():
        r = json.loads(line)
        if r["k"] == "R":
            obj: Any = ReadBurst(r["id"], r["addr"], r["len"], r["resp"], r["t_ar"], r["t_first"], r["t_last"],
                                 bool(r["ooo"]), bool(r["il"]))
        elif r["k"] == "W":
            beats = [WriteBeatRec(int.from_bytes(bytes.fromhex(d), "little"), int(strb, 16), resp)
                     for d, strb, resp in r["beats"]]
            assert all(len(d) == 2 * bus_bytes for d, _, _ in r["beats"]), line
            obj = WriteBurst(r["id"], r["addr"], r["len"], r["resp"], r["t_aw"], r["t_b"], beats, bool(r["lost"]))
        else:
            obj = r
        out.append((r["tok"], r["k"], obj))
    return out


def kv_problems(out: Path, tokens: int) -> list[str]:
    """The W records of each token of a tiny run, reassembled byte by byte, against the K/V rows the golden model
    predicts for it (GoldenPredictor kv_writes): the same addresses, exactly, and the same bytes."""
    b = build_bundle("tiny", 1, tokens, bus_width=BUS_BITS)
    bus_bytes = BUS_BITS // 8
    predictor = GoldenPredictor(b.qm, IMAGE_BASE)
    recs = read_txn(out / "txn.jsonl", bus_bytes)
    problems: list[str] = []
    for t in range(tokens):
        want: dict[int, int] = {}
        for kv in predictor.predict(TokenStart(t, t, np.asarray(b.x[t]))).kv_writes:
            want.update({kv.addr + i: v for i, v in enumerate(kv.data)})
        writes = [o for tok, k, o in recs if tok == t and k == "W"]
        bad = [w for w in writes if w.resp != 0 or w.beats_lost or len(w.beats) != w.awlen + 1]
        if bad:
            problems.append(f"token {t}: {len(bad)} write burst(s) with an error response, lost or missing beats")
        got: dict[int, int] = {}                # address -> every strobed byte the bursts carried
        for w in writes:
            for j, beat in enumerate(w.beats):
                got.update({w.addr + j * bus_bytes + k: beat.data >> (8 * k) & 0xFF
                            for k in range(bus_bytes) if beat.strb >> k & 1})
        if set(got) != set(want):
            problems.append(f"token {t}: {len(set(want) - set(got))} predicted K/V bytes not written, "
                            f"{len(set(got) - set(want))} written outside the predicted rows")
        diff = [a for a in want if a in got and got[a] != want[a]]
        if diff:
            problems.append(f"token {t}: {len(diff)} K/V bytes differ, first at {diff[0]:#x}")
    return problems


def test_txn_records_cover_the_predicted_kv_rows(model: scbuild.ScBuild, bundle: Path, tmp_path: Path) -> None:
    """Every W record of the run, reassembled, is exactly the K/V rows the golden model predicts; the records
    rebuild the env's ReadBurst / WriteBurst and format with its transaction-log formatter; CSR and irq records."""
    out = check_run(model.binary, bundle, tmp_path / "run")
    assert not out.problems, "\n".join(out.problems)
    problems = kv_problems(tmp_path / "run", 4)
    assert not problems, "\n".join(problems)
    recs = read_txn(tmp_path / "run" / "txn.jsonl", BUS_BITS // 8)
    assert out.run["txn_records"] == len(recs)
    assert {k for _, k, _ in recs} == {"R", "W", "C", "I"} and {t for t, _, _ in recs} == {-1, 0, 1, 2, 3}
    cyc = [o.t_last if k == "R" else o.t_b if k == "W" else o["cyc"] for _, k, o in recs]
    assert cyc == sorted(cyc), "records not in completion order"
    reads = [o for _, k, o in recs if k == "R"]
    assert sum(r.beats for r in reads) * (BUS_BITS // 8) == sum(t["perf"]["bytes_rd"] for t in out.tokens)
    print(burst_line(False, reads[0]), burst_line(True, next(o for _, k, o in recs if k == "W")), sep="\n")
    irq = [(tok, o["level"]) for tok, k, o in recs if k == "I"]
    assert irq == [(t, lv) for t in range(4) for lv in (1, 0)], irq


def test_bad_flag_is_one_line_exit_2(model: scbuild.ScBuild, bundle: Path, tmp_path: Path) -> None:
    assert scbuild.X_RANDOM_ARGS == X_RANDOM_BUILD_ARGS            # eda may not import verif: the copy must agree
    for args in (("--txn", "2"), ("--waves", str(tmp_path / "w.fst")), ("--coverage-file", str(tmp_path / "c.dat"))):
        done = scbuild.run(model.binary, bundle, tmp_path / "run", args)
        assert done.returncode == 2 and len(done.stderr.strip().splitlines()) == 1, (args, done.stderr)


# --------------------------------------------------------------------------- build variants (each its own build: slow)


@pytest.mark.slow
def test_coverage_build_writes_a_coverage_dat(bundle1: Path, tmp_path: Path) -> None:
    """The coverage variant (eda.simbuild.COVERAGE_ARGS) writes OUT/coverage.dat (and --coverage-file PATH), which
    verilator_coverage merges and which shows the DUT's lines hit; the run stays bit exact."""
    from regress import codecov

    model = scbuild.build(BUS_BITS, coverage=True)
    out = check_run(model.binary, bundle1, tmp_path / "run")
    assert not out.problems, out.problems
    dat, merged = tmp_path / "run" / "coverage.dat", tmp_path / "merged.dat"
    assert out.run["coverage_file"] == str(dat) and dat.is_file()
    codecov.merge([dat], merged, toolchain.verilator_coverage())
    design = [p for p in codecov.parse_dat(merged) if codecov.is_design(p.file, ROOT)]
    fig = codecov.figures(design)
    print(f"coverage of one tiny token through the SystemC harness: {fig}")
    hit_files = {Path(p.file).name for p in design if p.count > 0}
    assert {"layer_engine.sv", "le_gemv.sv", "le_softmax.sv", "le_layernorm.sv"} <= hit_files, sorted(hit_files)
    assert fig["line"]["pct"] > 50 and fig["toggle"]["hit"] > 0 and fig["branch"]["hit"] > 0, fig
    other = tmp_path / "elsewhere.dat"
    again = scbuild.run(model.binary, bundle1, tmp_path / "run2", ("--coverage-file", str(other)))
    assert again.returncode == 0 and other.is_file() and not (tmp_path / "run2" / "coverage.dat").exists()


@pytest.mark.slow
def test_waves_build_writes_an_fst(bundle1: Path, tmp_path: Path) -> None:
    """The waves variant (eda.simbuild.WAVE_ARGS) writes --waves PATH.fst: an FST header block (type 0, length 329,
    end time after start time, the endianness constant e) and the run's outputs unchanged."""
    import struct

    model = scbuild.build(BUS_BITS, waves=True)
    fst = tmp_path / "dump.fst"
    out = check_run(model.binary, bundle1, tmp_path / "run", ("--waves", str(fst)))
    assert not out.problems, out.problems
    check_run(scbuild.build(BUS_BITS).binary, bundle1, tmp_path / "plain")
    assert (tmp_path / "run" / "tokens.jsonl").read_bytes() == (tmp_path / "plain" / "tokens.jsonl").read_bytes()
    raw = fst.read_bytes()
    block, length, start, end = raw[0], *struct.unpack(">QQQ", raw[1:25])
    (e,) = struct.unpack("<d", raw[25:33])
    assert len(raw) > 10_000 and block == 0 and length == 329 and start == 0, (len(raw), block, length, start)
    assert end > 10_000 * out.run["cycles"] // 2 and abs(e - 2.718281828459045) < 1e-12, (end, e)
    assert out.run["waves_file"] == str(fst)
    # a window (regress/wave_window.py): the same run, only its first half dumped: a smaller file, same outputs
    half = tmp_path / "half.fst"
    cut = 10_000 * out.run["cycles"] // 2
    win = check_run(model.binary, bundle1, tmp_path / "win", ("--waves", str(half), "+le_waves_to_ps=" + str(cut)))
    assert not win.problems and (tmp_path / "win" / "tokens.jsonl").read_bytes() == \
        (tmp_path / "plain" / "tokens.jsonl").read_bytes()
    (half_end,) = struct.unpack(">Q", half.read_bytes()[17:25])
    assert half_end <= cut < end and 0 < half.stat().st_size < len(raw), (half_end, cut, end)


@pytest.mark.slow
@pytest.mark.parametrize("seed", [3, 11])
def test_x_random_build_is_bit_exact(bundle: Path, tmp_path: Path, seed: int) -> None:
    """The X-randomised variant (verif/seeds.py X_RANDOM_BUILD_ARGS) with +verilator+rand+reset+2: every unreset
    variable starts random from the seed; the run must still be bit exact (every BFM knob, error range and window is
    written at reset), and the same seed must give the same outputs."""
    model = scbuild.build(BUS_BITS, x_random=True)
    args = ("--kv-each-token", "1", "+verilator+rand+reset+2", f"+verilator+seed+{seed}")
    a, b = check_run(model.binary, bundle, tmp_path / "a", args), check_run(model.binary, bundle, tmp_path / "b", args)
    assert not a.problems and not b.problems, "\n".join(a.problems + b.problems)
    for name in ("tokens.jsonl", "logits.bin", "kv_tokens.bin", "txn.jsonl"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name


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
def test_txn_check_fails_on_planted_dropped_beat(bundle: Path, tmp_path: Path) -> None:
    """A C++ drain that drops the last beat of every write burst (a scratch copy of verif/sc): the K/V check of
    the transaction records must fail while the run itself (logits, KV region) still passes."""
    shutil.copytree(ROOT / "verif" / "sc", tmp_path / "sc")
    _plant(tmp_path / "sc" / "le_sc_txn.h", "for (uint32_t j = 0; j < nb && !lost; ++j) {",
           "for (uint32_t j = 0; j + 1 < nb && !lost; ++j) {")
    model = scbuild.build(BUS_BITS, sc_dir=tmp_path / "sc")
    out = check_run(model.binary, bundle, tmp_path / "run")
    assert not out.problems, out.problems
    problems = kv_problems(tmp_path / "run", 4)
    print("planted dropped beat:", *problems, sep="\n  ")
    assert any("missing beats" in p for p in problems) and any("not written" in p for p in problems), problems


@pytest.mark.slow
def test_lost_records_fail_the_run(tmp_path: Path) -> None:
    """A testbench that drains the record rings only at the end of the run (a scratch copy of verif/sc without the
    periodic and per-token drains): 48 tiny tokens complete ~6,900 read bursts, more than the BFM's ring of 1,024
    holds, so records are lost and the run must fail (exit 1, one line) although every logit is right."""
    shutil.copytree(ROOT / "verif" / "sc", tmp_path / "sc")
    _plant(tmp_path / "sc" / "le_sc_txn.h", "kDrainEvery = 512;", "kDrainEvery = uint64_t{1} << 40;")
    _plant(tmp_path / "sc" / "le_sc_tb.h", "records.push_back(rec);\n            drain();", "records.push_back(rec);")
    model = scbuild.build(BUS_BITS, sc_dir=tmp_path / "sc")
    out = check_run(model.binary, export_bundle(tmp_path / "tiny48", 48), tmp_path / "run")
    print("planted late drain:", *out.problems, sep="\n  ")
    assert out.returncode == 1 and "transaction records lost" in out.stderr, out.stderr
    assert [p for p in out.problems if not p.startswith("exit 1")] == [], out.problems


@pytest.mark.slow
def test_x_random_fails_without_the_knob_writes(bundle: Path, tmp_path: Path) -> None:
    """The X-randomised build with a C++ side that leaves the random read-error probability unwritten (a scratch
    copy of verif/sc, as before the knobs were all written): the first AXI read fails (LE_ERR_AXI_READ)."""
    shutil.copytree(ROOT / "verif" / "sc", tmp_path / "sc")
    _plant(tmp_path / "sc" / "le_sc_bfm.h", "LE_V(r_, u_mem__DOT__k_p_rd_err) = 0;", "")
    model = scbuild.build(BUS_BITS, sc_dir=tmp_path / "sc", x_random=True)
    out = check_run(model.binary, bundle, tmp_path / "run", ("+verilator+rand+reset+2", "+verilator+seed+3"))
    print("planted unwritten knob:", *out.problems, sep="\n  ")
    assert out.returncode == 1 and "LE_ERR_AXI_READ" in out.stderr, out.stderr


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
