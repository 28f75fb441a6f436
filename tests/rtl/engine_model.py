"""The expected results of the layer_engine cocotb tests: the bundle, where its image sits in DDR, the beats a
token moves, and first-divergence reports.

The bundle (models/bundle.py) is built in-process with seed BUNDLE_SEED and adapted to the DUT's bus width. Its
image is loaded at IMAGE_BASE, which is 64-byte aligned but not 4 KB aligned, so bursts are split at odd places.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from models.bundle import build_bundle
from models.config import EngineConfig
from models.ddr_layout import HEADER_WORDS, DdrLayout, pack, pack_kv
from models.schedule import schedule_beats, token_schedule
from verif.env.refmodel import kv_locate

__all__ = ["IMAGE_BASE", "BUNDLE_SEED", "HEADER_BYTES", "Model", "load_model", "expected_beats",
           "first_kv_divergence", "first_logit_divergence"]

IMAGE_BASE = 0x0010_0FC0          # 64-byte aligned, 4032 mod 4096: the header ends on a 4 KB boundary
BUNDLE_SEED = 1
HEADER_BYTES = 4 * HEADER_WORDS


@dataclass(frozen=True)
class Model:
    """One bundle packed for one bus width: the DDR image and what the engine must produce from it."""

    name: str
    cfg: EngineConfig
    image: bytes
    x: np.ndarray           # int8 [T, d_model], token i at position i
    logits: np.ndarray      # int32 [T, vocab]
    kv: np.ndarray          # int8 [L, H, 2, max_seq, d_head] after the T tokens

    @property
    def layout(self) -> DdrLayout:
        """The DDR layout of `cfg` (offsets relative to the image base)."""
        return DdrLayout(self.cfg)

    def kv_bytes(self, n_tokens: int) -> bytes:
        """The KV region once positions 0..n_tokens-1 have run."""
        kv = self.kv.copy()
        kv[:, :, :, n_tokens:] = 0
        return pack_kv(self.layout, kv)


@lru_cache(maxsize=None)
def load_model(name: str, tokens: int, bus_bits: int) -> Model:
    """A bundle (preset `name`, BUNDLE_SEED) for a bus of bus_bits: the numerics do not depend on the bus width,
    only the image header's axi_data_w word does, so the image is re-packed for the DUT's width."""
    b = build_bundle(name, BUNDLE_SEED, tokens)
    cfg = b.cfg.replace(axi_data_w=bus_bits)
    return Model(name, cfg, pack(dataclasses.replace(b.qm, cfg=cfg)), b.x, b.logits, b.kv)


def expected_beats(layout: DdrLayout, pos: int, bus_bytes: int) -> tuple[int, int]:
    """(read, write) beats of one token: models.schedule (its first transfer is the 64-byte header read)."""
    return schedule_beats(token_schedule(layout, pos), bus_bytes)


def first_kv_divergence(layout: DdrLayout, got: bytes, want: bytes) -> str:
    """Empty if the KV regions are equal, else how many bytes differ and where the first is (layer, head, K/V,
    row, byte, DDR address)."""
    g, w = np.frombuffer(got, np.int8), np.frombuffer(want, np.int8)
    diff = np.flatnonzero(g != w)
    if not diff.size:
        return ""
    off = int(diff[0])
    layer, head, which, row, col = kv_locate(layout, off)
    return (f"{diff.size} KV bytes differ; first: layer {layer} head {head} {'KV'[which]} row {row} byte {col} "
            f"(DDR {IMAGE_BASE + layout.kv_base + off:#x}): expected {w[off]}, got {g[off]}")


def first_logit_divergence(got: np.ndarray, want: np.ndarray) -> str:
    """Empty if the logits are equal, else how many differ and the first one (index, expected, got)."""
    bad = np.flatnonzero(got != want)
    if not bad.size:
        return ""
    j = int(bad[0])
    return f"{bad.size} of {want.size} logits differ; first: logit {j} expected {int(want[j])}, got {int(got[j])}"

