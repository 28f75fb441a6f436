"""Test-vector bundles: everything a harness (pyuvm, SystemC, a lab FPGA bring-up) needs for T tokens.

    manifest.json      config, tokens, regions [{name, base, size, access}], x_scale, logits_scale, file hashes
    ddr.bin            the initial DDR image (KV region zero)
    x.npy              int8  [T, d_model]   token activations, streamed in on s_axis_x
    logits.npy         int32 [T, vocab]     expected logits (golden model)
    kv_region.bin      expected bytes of the KV region after the T tokens
    x_float.npy        float32 [T, d_model] host-side input before quantization
    logits_float.npy   float32 [T, vocab]   float reference run on x_float
    weights_float.npz  float weights, x @ W convention
Token i runs at sequence position i. The same (preset, seed, tokens) gives the same bytes on one platform
(calibration uses float BLAS; see README).
"""
from __future__ import annotations

import hashlib
import io
import json
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from . import ops
from .config import EngineConfig, preset
from .ddr_layout import (
    HDR_AXI_DATA_W,
    LAYOUT_VERSION,
    BusWidthError,
    DdrLayout,
    bus_width_mismatch,
    header_words,
    pack,
    pack_kv,
)
from .float_ref import forward
from .golden import GoldenEngine
from .qmodel import QModel
from .quant import DEFAULT_ALPHA, quantize
from .random_model import calibration_set, random_inputs, random_weights

NUMERICS_VERSION = 1


@dataclass
class Bundle:
    name: str
    seed: int
    cfg: EngineConfig
    weights: dict[str, np.ndarray]
    x_float: np.ndarray
    qm: QModel
    x: np.ndarray
    logits: np.ndarray
    kv: np.ndarray
    logits_float: np.ndarray

    @property
    def layout(self) -> DdrLayout:
        return DdrLayout(self.cfg)


def model_inputs(name: str, seed: int,
                 tokens: int) -> tuple[EngineConfig, dict[str, np.ndarray], np.ndarray, list[np.ndarray]]:
    """(config, float weights, x_float [tokens, d_model], calibration sequences) for a preset."""
    cfg = preset(name)
    if not 1 <= tokens <= cfg.max_seq:
        raise ValueError(f"--tokens {tokens}: must be in [1, max_seq={cfg.max_seq}] for preset {name}")
    if name == "minilm":
        from . import minilm
        if minilm.minilm_model_dir() is None:
            raise RuntimeError(minilm.MINILM_MISSING_REASON)
        w = minilm.load_minilm_weights()
        x = minilm.embed(minilm.token_ids(minilm.EVAL_TEXT, tokens))
        calib = [minilm.embed(minilm.token_ids(minilm.CALIB_TEXT, min(cfg.max_seq, 200)))]
        return cfg, w, x, calib
    return cfg, random_weights(cfg, seed), random_inputs(cfg, seed, tokens), calibration_set(cfg, seed)


def build_bundle(name: str, seed: int, tokens: int, alpha: float = DEFAULT_ALPHA,
                 bus_width: int | None = None) -> Bundle:
    """The bundle of a preset; `bus_width` (bits) replaces the preset's axi_data_w. The bus width changes only
    header word 9 of the image (every tensor is 64-byte aligned whatever the bus) and no number."""
    cfg, w, x_float, calib = model_inputs(name, seed, tokens)
    if bus_width is not None:
        cfg = cfg.replace(axi_data_w=bus_width)
    qm = quantize(cfg, w, calib, alpha=alpha)
    x = qm.quantize_x(x_float)
    eng = GoldenEngine(qm)
    logits = eng.run(x)
    logits_float = forward(cfg, w, x_float).astype(np.float32)
    return Bundle(name, seed, cfg, w, x_float.astype(np.float32), qm, x, logits, eng.kv.copy(), logits_float)


def _npz_bytes(arrays: dict[str, np.ndarray]) -> bytes:
    """A .npz with fixed timestamps and order, so equal arrays give equal bytes (np.savez stamps the time)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_STORED) as zf:
        for key in sorted(arrays):
            item = io.BytesIO()
            np.lib.format.write_array(item, np.ascontiguousarray(arrays[key]), allow_pickle=False)
            zf.writestr(zipfile.ZipInfo(f"{key}.npy", date_time=(1980, 1, 1, 0, 0, 0)), item.getvalue())
    return buf.getvalue()


def _npy_bytes(a: np.ndarray) -> bytes:
    buf = io.BytesIO()
    np.lib.format.write_array(buf, np.ascontiguousarray(a), allow_pickle=False)
    return buf.getvalue()


def _scale_json(s: np.ndarray) -> list[float]:
    """Per-channel scales, always a list (one schema whatever the data)."""
    return [float(v) for v in np.asarray(s, dtype=np.float64)]


def write_bundle(b: Bundle, out: Path) -> dict[str, Any]:
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    lay = b.layout
    files = {
        "ddr.bin": pack(b.qm),
        "x.npy": _npy_bytes(b.x.astype(np.int8)),
        "logits.npy": _npy_bytes(b.logits.astype(np.int32)),
        "kv_region.bin": pack_kv(lay, b.kv),
        "x_float.npy": _npy_bytes(b.x_float.astype(np.float32)),
        "logits_float.npy": _npy_bytes(b.logits_float.astype(np.float32)),
        "weights_float.npz": _npz_bytes({k: v.astype(np.float32) for k, v in b.weights.items()}),
    }
    for fname, data in files.items():
        (out / fname).write_bytes(data)
    manifest = {
        "config": b.cfg.to_dict(),
        "tokens": int(b.x.shape[0]),
        "start_pos": 0,
        "preset": b.name,
        "seed": b.seed,
        "numerics_version": NUMERICS_VERSION,
        "layout_version": LAYOUT_VERSION,
        "ddr_size": lay.size,
        "kv_region": {"base": lay.kv_base, "size": lay.kv_size, "slab": lay.kv_slab},
        "regions": lay.regions(),
        "x_scale": _scale_json(b.qm.x_scale),
        "logits_scale": _scale_json(b.qm.logits_scale),
        "quant": {"alpha": b.qm.meta.get("alpha")},
        "exp_lut_sha256": hashlib.sha256(ops.EXP_LUT.astype("<u2").tobytes()).hexdigest(),
        "files": {k: hashlib.sha256(v).hexdigest() for k, v in sorted(files.items())},
    }
    (out / "manifest.json").write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n")
    return manifest


def load_manifest(out: Path) -> dict[str, Any]:
    path = Path(out) / "manifest.json"
    try:
        manifest: dict[str, Any] = json.loads(path.read_text())
        return manifest
    except json.JSONDecodeError as exc:
        raise ValueError(f"{path} is not valid JSON ({exc.msg} at line {exc.lineno}): re-export the bundle") from None


def check_bundle_bus_width(out: Path, engine_bits: int) -> None:
    """BusWidthError, one line, when the bundle in `out` was exported for another bus width than the engine's
    (`engine_bits`); checks the manifest's config and ddr.bin's header word 9 (ValueError if they disagree)."""
    out = Path(out)
    manifest_bits = int(load_manifest(out)["config"]["axi_data_w"])
    image_bits = int(header_words((out / "ddr.bin").read_bytes()[:64])[HDR_AXI_DATA_W])
    if image_bits != manifest_bits:
        raise ValueError(f"{out}: ddr.bin header says a {image_bits}-bit bus, manifest.json {manifest_bits}-bit: "
                         f"re-export the bundle")
    problem = bus_width_mismatch(image_bits, engine_bits)
    if problem:
        raise BusWidthError(f"{out}: {problem}")
