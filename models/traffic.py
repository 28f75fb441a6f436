"""AXI traffic of one decode token: the bytes the engine must move to and from DDR, and a roofline.

One token at sequence position `pos` reads, exactly once each:
  * every read-only tensor of the DDR image except exp_lut (a ROM in the RTL, rtl/le_exp_lut_rom.sv,
    generated from the same table; the DDR copy lets tools check the contract): the 64-byte header (the
    engine checks it against the config CSRs before anything else), per-head interleaved QKV weights,
    requant bias/mult/shift, score/o scalars, Wo/W1/W2 weights, residual mults, LN gamma/beta/eps,
    GELU LUTs and bank ids, logits weights and bias;
  * the cached K and V rows of positions 0..pos-1 of every (layer, head). Attention covers 0..pos, but
    the current token's K/V are produced on chip and used from there.
and writes one K row and one V row (d_head bytes each) per (layer, head) at position `pos`.

Byte counts are tensor sizes, not their 64-byte-aligned footprints: the alignment padding is never read.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

from .config import EngineConfig
from .ddr_layout import DdrLayout

KV_REGION = "kv"
NOT_STREAMED = ("exp_lut",)


class RegionBytes(NamedTuple):
    """Bytes read from and written to one DDR region during one token."""
    read: int
    written: int


@dataclass(frozen=True)
class Traffic:
    """Per-token AXI traffic. `by_region` is keyed by DdrLayout tensor name ("kv" for the cache);
    its reads and writes sum to `bytes_read` and `bytes_written`."""
    bytes_read: int
    bytes_written: int
    by_region: dict[str, RegionBytes] = field(default_factory=dict)


def weight_stream_bytes(layout: DdrLayout) -> dict[str, int]:
    """Bytes of every read-only tensor the engine reads once per token (everything but exp_lut)."""
    return {t.name: t.size for t in layout.tensors if t.access == "ro" and t.name not in NOT_STREAMED}


def kv_read_bytes(cfg: EngineConfig, pos: int) -> int:
    """K and V rows of positions 0..pos-1 for every (layer, head)."""
    return cfg.n_layers * cfg.n_heads * 2 * pos * cfg.d_head


def kv_write_bytes(cfg: EngineConfig) -> int:
    """One K row and one V row (d_head bytes each) per (layer, head)."""
    return cfg.n_layers * cfg.n_heads * 2 * cfg.d_head


def token_traffic(layout: DdrLayout, pos: int) -> Traffic:
    """The bytes one token at sequence position `pos` moves over AXI."""
    cfg = layout.cfg
    if not 0 <= pos < cfg.max_seq:
        raise ValueError(f"pos = {pos}: must be in [0, max_seq={cfg.max_seq})")
    by_region = {name: RegionBytes(size, 0) for name, size in weight_stream_bytes(layout).items()}
    by_region[KV_REGION] = RegionBytes(kv_read_bytes(cfg, pos), kv_write_bytes(cfg))
    return Traffic(bytes_read=sum(r.read for r in by_region.values()),
                   bytes_written=sum(r.written for r in by_region.values()),
                   by_region=by_region)


def beats(n_bytes: int, bus_bytes: int) -> int:
    """Bus beats needed for `n_bytes` (the last beat may be partial)."""
    return -(-n_bytes // bus_bytes)


def roofline_cycles(traffic: Traffic, cfg: EngineConfig) -> int:
    """Lower bound on the cycles of one token: max(read beats, write beats).

    AXI read and write channels are independent, so reads and writes overlap; the busier channel bounds
    the token. This ignores compute, DDR latency and the partially used last beat of each burst (every
    tensor starts on a 64-byte, hence beat, boundary, so a real engine spends slightly more read beats);
    a measured PERF_CYCLES can only be larger.
    """
    return max(beats(traffic.bytes_read, cfg.bus_bytes), beats(traffic.bytes_written, cfg.bus_bytes))
