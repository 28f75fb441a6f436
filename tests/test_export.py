"""The export CLI end to end: files, shapes, manifest, determinism, verify, and one-line errors."""
from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from models.config import preset

ROOT = Path(__file__).resolve().parent.parent
FILES = ("manifest.json", "ddr.bin", "x.npy", "logits.npy", "kv_region.bin", "x_float.npy", "logits_float.npy",
         "weights_float.npz")


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "models", *args], cwd=ROOT, capture_output=True, text=True)


@pytest.fixture(scope="module")
def bundles(tmp_path_factory):
    root = tmp_path_factory.mktemp("bundles")
    for name, seed in (("a", 5), ("b", 5), ("c", 6)):
        r = cli("export", "--preset", "tiny", "--seed", str(seed), "--tokens", "6", "--out", str(root / name))
        assert r.returncode == 0, r.stderr
    return root


def test_bundle_files_and_shapes(bundles):
    d = bundles / "a"
    assert sorted(p.name for p in d.iterdir()) == sorted(FILES)
    cfg = preset("tiny")
    m = json.loads((d / "manifest.json").read_text())
    assert m["config"] == cfg.to_dict() and m["tokens"] == 6
    assert {"x_scale", "logits_scale", "regions"} <= set(m)
    assert len(m["x_scale"]) == cfg.d_model and len(m["logits_scale"]) == cfg.vocab
    assert all(set(r) == {"name", "base", "size", "access"} for r in m["regions"])
    assert [r["name"] for r in m["regions"] if r["access"] == "rw"] == ["kv"]
    x, logits = np.load(d / "x.npy"), np.load(d / "logits.npy")
    assert x.dtype == np.int8 and x.shape == (6, cfg.d_model) and x.min() >= -127
    assert logits.dtype == np.int32 and logits.shape == (6, cfg.vocab)
    assert np.load(d / "x_float.npy").dtype == np.float32 and np.load(d / "x_float.npy").shape == (6, cfg.d_model)
    assert np.load(d / "logits_float.npy").shape == (6, cfg.vocab)
    assert (d / "ddr.bin").stat().st_size == m["ddr_size"]
    assert (d / "kv_region.bin").stat().st_size == m["kv_region"]["size"]
    kv = next(r for r in m["regions"] if r["name"] == "kv")
    assert (d / "ddr.bin").read_bytes()[kv["base"]:] == bytes(kv["size"])     # initial KV is zero
    assert (d / "kv_region.bin").read_bytes() != bytes(kv["size"])             # 6 tokens were appended
    scale = np.broadcast_to(np.asarray(m["x_scale"]), x.shape)
    err = np.abs(x * scale - np.load(d / "x_float.npy"))
    inside = np.abs(x) < 127                       # saturated inputs lie beyond the calibrated range
    assert np.all(err[inside] <= scale[inside] * 0.5 + 1e-6) and inside.mean() > 0.98


def test_weights_float_keys_and_shapes(bundles):
    cfg = preset("tiny")
    want = {"logits.w": (cfg.d_model, cfg.vocab), "logits.b": (cfg.vocab,)}
    for layer in range(cfg.n_layers):
        p = f"layers.{layer}."
        want.update({p + f"attn.{n}": (cfg.d_model, cfg.d_model) for n in ("wq", "wk", "wv", "wo")})
        want.update({p + f"attn.{n}": (cfg.d_model,) for n in ("bq", "bk", "bv", "bo")})
        want.update({p + f"{ln}.{g}": (cfg.d_model,) for ln in ("ln1", "ln2") for g in ("gamma", "beta")})
        want.update({p + "ffn.w1": (cfg.d_model, cfg.d_ff), p + "ffn.b1": (cfg.d_ff,),
                     p + "ffn.w2": (cfg.d_ff, cfg.d_model), p + "ffn.b2": (cfg.d_model,)})
    with np.load(bundles / "a" / "weights_float.npz") as z:
        assert {k: z[k].shape for k in z.files} == want
        assert all(z[k].dtype == np.float32 for k in z.files)


def test_same_seed_same_bytes_different_seed_different_bytes(bundles):
    for f in FILES:
        assert (bundles / "a" / f).read_bytes() == (bundles / "b" / f).read_bytes(), f
    for f in ("ddr.bin", "x.npy", "logits.npy", "weights_float.npz"):
        assert (bundles / "a" / f).read_bytes() != (bundles / "c" / f).read_bytes(), f


def test_verify_independently_recomputes(bundles, tmp_path):
    r = cli("verify", str(bundles / "a"))
    assert r.returncode == 0 and "logits match, KV region matches" in r.stdout
    bad = tmp_path / "bad"
    bad.mkdir()
    for f in FILES:
        (bad / f).write_bytes((bundles / "a" / f).read_bytes())
    (bad / "weights_float.npz").write_bytes(b"corrupt")
    r = cli("verify", str(bad))
    assert r.returncode == 1 and "files differ from the manifest's sha256: weights_float.npz" in r.stdout
    assert "missing" not in r.stdout
    (bad / "x.npy").unlink()                  # a deleted file is named as missing, not as differing
    r = cli("verify", str(bad))
    assert r.returncode == 1 and f"{bad}: missing: x.npy; files differ from the manifest's sha256: weights_float.npz" \
        in r.stdout, r.stdout
    (bad / "x.npy").write_bytes((bundles / "a" / "x.npy").read_bytes())
    (bad / "weights_float.npz").write_bytes((bundles / "a" / "weights_float.npz").read_bytes())
    # A self-consistent bundle (hash updated) whose expected logits are wrong: the golden re-run catches it.
    logits = np.load(bad / "logits.npy")
    logits[3, 17] += 1
    np.save(bad / "logits.npy", logits)
    m = json.loads((bad / "manifest.json").read_text())
    m["files"]["logits.npy"] = hashlib.sha256((bad / "logits.npy").read_bytes()).hexdigest()
    (bad / "manifest.json").write_text(json.dumps(m))
    r = cli("verify", str(bad))
    assert r.returncode == 1 and "1 mismatches" in r.stdout


@pytest.mark.parametrize("args,msg", [
    (("export", "--preset", "tiny", "--tokens", "65", "--out", "x"), "--tokens 65: must be in [1, max_seq=64]"),
    (("verify", "/nonexistent"), "/nonexistent/manifest.json not found"),
    (("export", "--preset", "tiny", "--seed", "-1", "--out", "x"),
     "argument --seed: -1: must be an integer in [0, 2^63)"),
    (("export", "--preset", "tiny", "--alpha", "nan", "--out", "x"),
     "argument --alpha: nan: must be a number in [0, 1]"),
])
def test_errors_are_one_actionable_line(args, msg):
    r = cli(*args)
    assert r.returncode == 2
    assert r.stderr.strip().count("\n") == 0 and msg in r.stderr


# ---- the bus width -------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def bus64(bundles):
    r = cli("export", "--preset", "tiny", "--seed", "5", "--tokens", "6", "--bus-width", "64",
            "--out", str(bundles / "w64"))
    assert r.returncode == 0 and "64-bit bus" in r.stdout, r.stderr
    return bundles / "w64"


def test_bus_width_is_recorded_and_changes_only_header_word_9(bundles, bus64):
    m64 = json.loads((bus64 / "manifest.json").read_text())
    m128 = json.loads((bundles / "a" / "manifest.json").read_text())
    assert m64["config"]["axi_data_w"] == 64 and m128["config"]["axi_data_w"] == 128     # default 128
    d64, d128 = (bus64 / "ddr.bin").read_bytes(), (bundles / "a" / "ddr.bin").read_bytes()
    assert np.frombuffer(d64, "<u4", 16)[9] == 64 and np.frombuffer(d128, "<u4", 16)[9] == 128
    # the layout does not depend on the bus: every other byte is the same, and so is every number
    assert len(d64) == len(d128) and [i for i in range(len(d64)) if d64[i] != d128[i]] == [36]   # 0x40 vs 0x80
    for f in ("x.npy", "logits.npy", "kv_region.bin", "logits_float.npy"):
        assert (bus64 / f).read_bytes() == (bundles / "a" / f).read_bytes(), f


def test_verify_names_a_bus_width_mismatch_in_one_line(bundles, bus64):
    assert cli("verify", str(bus64)).returncode == 0
    assert cli("verify", str(bus64), "--bus-width", "64").returncode == 0
    r = cli("verify", str(bus64), "--bus-width", "128")
    assert r.returncode == 2 and r.stderr.strip().count("\n") == 0
    assert "bundle made for a 64-bit bus, engine is 128-bit: re-export with --bus-width 128" in r.stderr
    r = cli("verify", str(bundles / "a"), "--bus-width", "64")
    assert r.returncode == 2 and "bundle made for a 128-bit bus, engine is 64-bit: re-export with --bus-width 64" \
        in r.stderr and r.stderr.strip().count("\n") == 0


def test_verify_names_a_header_that_disagrees_with_the_manifest(bundles, tmp_path):
    bad = tmp_path / "bad"
    bad.mkdir()
    for f in FILES:
        (bad / f).write_bytes((bundles / "a" / f).read_bytes())
    image = bytearray((bad / "ddr.bin").read_bytes())
    image[36:40] = (64).to_bytes(4, "little")                  # header word 9, hash updated: self-consistent
    (bad / "ddr.bin").write_bytes(bytes(image))
    m = json.loads((bad / "manifest.json").read_text())
    m["files"]["ddr.bin"] = hashlib.sha256(bytes(image)).hexdigest()
    (bad / "manifest.json").write_text(json.dumps(m))
    r = cli("verify", str(bad))
    assert r.returncode == 2 and r.stderr.strip().count("\n") == 0
    assert "ddr.bin header says a 64-bit bus, manifest.json 128-bit" in r.stderr


def test_bus_width_choices():
    r = cli("export", "--preset", "tiny", "--bus-width", "256", "--out", "x")
    assert r.returncode == 2 and "argument --bus-width: invalid choice: 256" in r.stderr
