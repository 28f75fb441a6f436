"""EngineConfig: the model dimensions and hardware parameters of one layer-engine instance.

A config is the single source of the dims used by the golden model, the DDR layout, the test-vector
bundles and (later) the RTL parameters and CSRs. `validate()` rejects configs the engine cannot run,
naming the field and the rule that failed.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, fields
from typing import Any

AXI_DATA_WIDTHS = (64, 128, 256)
ACC_BITS = 32
# Largest |bias| after quantization. With |x|,|w| <= 127 an accumulation of d_in products stays below
# d_in * 127^2; the bias bound keeps acc + bias inside int32 for every d_in the validator allows.
BIAS_LIMIT = 1 << 30
MAX_REDUCTION = ((1 << (ACC_BITS - 1)) - 1 - BIAS_LIMIT) // (127 * 127)
# LayerNorm's documented widths (docs/numerics.md) hold for rows up to 2048: |N*y - S1| <= N * 2^16 < 2^28.
MAX_LN_WIDTH = 2048


class ConfigError(ValueError):
    """An impossible EngineConfig. The message names the field and the rule."""


@dataclass(frozen=True)
class EngineConfig:
    # Model dims
    d_model: int
    n_heads: int
    d_head: int
    d_ff: int
    n_layers: int
    vocab: int
    max_seq: int
    ln_eps: float = 1e-5
    # Hardware: bus width in bits; its bytes per beat are the MAC lanes.
    axi_data_w: int = 128
    # Output rows per weight tile (one ping/pong buffer holds w_tile_rows x d_in int8 bytes).
    w_tile_rows: int = 16
    # Context positions per K/V tile.
    ctx_tile: int = 16

    @property
    def lanes(self) -> int:
        return self.axi_data_w // 8

    @property
    def bus_bytes(self) -> int:
        """Bytes per AXI beat: the same number as the MAC lanes."""
        return self.lanes

    def n_tiles(self, rows: int) -> int:
        """Weight tiles for a GEMV with `rows` output rows (the last one may be partial)."""
        return -(-rows // self.w_tile_rows)

    def n_ctx_tiles(self, n_past: int) -> int:
        """Context tiles covering `n_past` cached positions (the last one may be partial)."""
        return -(-n_past // self.ctx_tile)

    def validate(self) -> EngineConfig:
        for f in fields(self):
            v = getattr(self, f.name)
            if f.name == "ln_eps":
                if not isinstance(v, (int, float)) or v < 0:
                    raise ConfigError(f"ln_eps = {v!r}: must be a number >= 0")
                continue
            if not isinstance(v, int) or isinstance(v, bool) or v < 1:
                raise ConfigError(f"{f.name} = {v!r}: must be an integer >= 1")
        if self.axi_data_w not in AXI_DATA_WIDTHS:
            raise ConfigError(f"axi_data_w = {self.axi_data_w}: must be one of {AXI_DATA_WIDTHS}")
        if self.n_heads * self.d_head != self.d_model:
            raise ConfigError(
                f"d_model = {self.d_model}: must equal n_heads * d_head = {self.n_heads} * {self.d_head}"
                f" = {self.n_heads * self.d_head}")
        for name in ("d_model", "d_head", "d_ff"):
            v = getattr(self, name)
            if v % self.lanes:
                raise ConfigError(
                    f"{name} = {v}: must be a multiple of the lane count {self.lanes}"
                    f" (axi_data_w {self.axi_data_w} / 8)")
        for name in ("d_model", "d_ff"):
            v = getattr(self, name)
            if v > MAX_REDUCTION:
                raise ConfigError(f"{name} = {v}: must be <= {MAX_REDUCTION} so int32 accumulators cannot overflow")
        if self.d_model > MAX_LN_WIDTH:
            raise ConfigError(f"d_model = {self.d_model}: must be <= {MAX_LN_WIDTH} so LayerNorm intermediates fit "
                              "their documented widths")
        if self.max_seq > 65536:
            raise ConfigError(f"max_seq = {self.max_seq}: must be <= 65536 (softmax sum is 32-bit)")
        return self

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> EngineConfig:
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(d) - known)
        if unknown:
            raise ConfigError(f"unknown config field(s) {unknown}: known fields are {sorted(known)}")
        required = {f.name for f in fields(cls) if f.default is dataclasses.MISSING}
        missing = sorted(required - set(d))
        if missing:
            raise ConfigError(f"config is missing field(s) {missing}")
        return cls(**d).validate()

    def replace(self, **changes: Any) -> EngineConfig:
        return dataclasses.replace(self, **changes).validate()


PRESETS: dict[str, EngineConfig] = {
    # One token through RTL in well under a second: ~20 KB of weights. vocab 97 and w_tile_rows 12 give
    # partial last tiles and a partial last logits beat on purpose.
    "tiny": EngineConfig(d_model=32, n_heads=2, d_head=16, d_ff=64, n_layers=2, vocab=97, max_seq=64,
                         ln_eps=1e-5, axi_data_w=128, w_tile_rows=12, ctx_tile=8),
    "small": EngineConfig(d_model=128, n_heads=4, d_head=32, d_ff=512, n_layers=2, vocab=1000, max_seq=128,
                          ln_eps=1e-5, axi_data_w=128, w_tile_rows=32, ctx_tile=32),
    # all-MiniLM-L6-v2 (BERT): post-LN, exact erf GELU.
    "minilm": EngineConfig(d_model=384, n_heads=12, d_head=32, d_ff=1536, n_layers=6, vocab=30522, max_seq=512,
                           ln_eps=1e-12, axi_data_w=128, w_tile_rows=32, ctx_tile=32),
}


def preset(name: str) -> EngineConfig:
    try:
        return PRESETS[name].validate()
    except KeyError:
        raise ConfigError(f"unknown preset {name!r}: choose one of {sorted(PRESETS)}") from None
