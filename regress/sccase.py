"""The case of one `engine: systemc` run (regress/scrun.py): what the SystemC harness simulates and what the
judge predicts, drawn in Python exactly as a pyuvm test draws it.

Two kinds, chosen by the test's knobs (+le_<knob>=<value>, regress/testlist.py SC_KNOBS):

  case=preset (default)  the `bundle` preset (tiny, small, minilm; model seed 1), `tokens` tokens at positions
                         0.. (verif/tests/base.py bundle_model); BFM timing all zero: the harness's defaults
  case=random            RandTest's case (verif/tests/stimulus.py): verif/cfg_item.random_case from the master
                         seed's pyvsc seed, for the configuration's bus width: dims, tiling, positions (late
                         starts with the KV cache of positions 0..t0-1 preloaded from the golden model), weight
                         distribution, the AXI memory's latency / backpressure / reorder profile and the stream
                         gaps. `tokens`, when given, fixes the token count (up to 32: more tokens per run than
                         pyuvm can afford; verif/cfg_item.py LongRunCfgItem, the same case space)

`max_vocab` and `mem_pages` size the SystemC build (its MAX_VOCAB and BFM page store) for a case that needs more
than the configuration gives (the full MiniLM: MAX_VOCAB 32768, ~30 MB of DDR).

The bundle directory the harness reads (docs/systemc.md): ddr.bin (the image; for a late start with the KV cache
preloaded), x.npy (int8 [T, d_model]) and manifest.json (tokens, start_pos, and the case for the reader).
"""
from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from models.qmodel import QModel

# BfmKnobs field (verif/bfm/axi_mem_bfm_types.py) / stream knob -> the harness option (verif/sc/le_sc_cli.h)
HARNESS_OPTIONS: dict[str, str] = {
    "lat_min": "--lat-min", "lat_max": "--lat-max", "b_lat_min": "--b-lat-min", "b_lat_max": "--b-lat-max",
    "p_ar_stall": "--p-ar-stall", "p_r_gap": "--p-r-gap", "p_aw_stall": "--p-aw-stall", "p_w_stall": "--p-w-stall",
    "p_b_gap": "--p-b-gap", "reorder": "--reorder", "interleave": "--interleave", "b_reorder": "--b-reorder",
    "p_x_idle": "--p-x-idle", "p_logits_stall": "--p-logits-stall", "max_outstanding": "--max-out",
    "w_early_max": "--w-early-max", "x_delay_max": "--x-delay-max", "logits_pause": "--logits-pause",
    "logits_pause_at": "--logits-pause-at",
}
NOT_TIMING = {"seed"}          # sub-seeds of the pyuvm BFM proxies; the harness's BFMs draw from +verilator+seed
CASE_KINDS = ("preset", "random", "errors")
BUILD_KNOBS = {"max_vocab": "MAX_VOCAB", "mem_pages": "MEM_PAGES"}


class CaseError(ValueError):
    """A knob or case the systemc engine cannot run (one line: regress.scrun exits 3 with it)."""


@dataclass(frozen=True)
class ScCase:
    qm: QModel
    image: bytes                    # the DDR image at IMAGE_BASE, KV cache preloaded for a late start
    x: np.ndarray                   # int8 [tokens, d_model]
    positions: list[int]            # consecutive, from start_pos
    kv: np.ndarray | None           # golden KV cache of positions 0..start_pos-1 (None: start at 0)
    timing: dict[str, float | int | bool] = field(default_factory=dict)   # HARNESS_OPTIONS keys
    describe: str = ""
    logits_float: np.ndarray | None = None   # the float reference of a preset bundle (fidelity line)
    plan: list[Any] | None = None            # case=errors: regress/scplan.py Steps (x rows by Step.row)
    engine_case: Any = None                  # case=random: the verif.cfg_item.EngineCase (RUN_DIR/case.json)

    @property
    def start_pos(self) -> int:
        return self.positions[0] if self.positions else 0

    def harness_args(self) -> list[str]:
        out: list[str] = []
        for k, v in self.timing.items():
            out += [HARNESS_OPTIONS[k], str(int(v)) if isinstance(v, bool) else str(v)]
        return out


def _int_knob(knobs: Mapping[str, str], key: str) -> int | None:
    if key not in knobs:
        return None
    try:
        value = int(knobs[key], 0)
    except ValueError:
        raise CaseError(f"+le_{key}={knobs[key]}: not an integer") from None
    if value <= 0:
        raise CaseError(f"+le_{key}={knobs[key]}: must be > 0")
    return value


def build_parameters(knobs: Mapping[str, str], params: Mapping[str, int]) -> dict[str, int]:
    """The configuration's parameters with max_vocab / mem_pages applied (never lowered below the configuration)."""
    out = dict(params)
    for knob, param in BUILD_KNOBS.items():
        v = _int_knob(knobs, knob)
        if v is not None:
            out[param] = max(v, out.get(param, 0))
    return out


PAGE = 4096
PLAN_FILE = "plan.txt"          # in the bundle folder: the harness's --plan (verif/sc/le_sc_plan.h)


def check_fits(case: ScCase, params: Mapping[str, int], image_base: int) -> None:
    """A case the build cannot hold is one line naming the knob that fixes it (before any build): its vocab
    against MAX_VOCAB, its image (and the 64-byte offset of image_base) against the BFM's MEM_PAGES pages."""
    vocab, max_vocab = case.qm.cfg.vocab, params.get("MAX_VOCAB")
    if max_vocab is not None and vocab > max_vocab:
        raise CaseError(f"{case.describe}: vocab {vocab} > the build's MAX_VOCAB {max_vocab}: give the test the "
                        f"knob max_vocab: {1 << (vocab - 1).bit_length()}")
    pages, have = -(-(image_base % PAGE + len(case.image)) // PAGE), params.get("MEM_PAGES")
    if have is not None and pages > have:
        raise CaseError(f"{case.describe}: the image needs {pages} pages of 4 KB, the build's memory has "
                        f"MEM_PAGES {have}: give the test the knob mem_pages: {1 << (pages - 1).bit_length()}")


def preset_case(bundle: str, tokens: int, bus: int) -> ScCase:
    from models.bundle import build_bundle
    from models.ddr_layout import pack
    try:
        b = build_bundle(bundle, 1, tokens, bus_width=bus)
    except (ValueError, RuntimeError, KeyError) as exc:
        raise CaseError(f"bundle {bundle} x{tokens}: {exc}") from None
    return ScCase(b.qm, pack(b.qm), b.x, list(range(tokens)), None, {}, f"bundle {bundle} x{tokens}",
                  b.logits_float)


def random_case(vsc_seed: int, bus: int, tokens: int | None, case_file: str | None = None) -> ScCase:
    """RandTest's case for the bus width; with `tokens`, the same case space drawn with that many tokens
    (verif/cfg_item.py LongRunCfgItem: positions t0..t0+tokens-1 below max_seq); with `case_file`, the case in
    that file (verif/case_file.py: +le_case_file=PATH, what `regress shrink` runs)."""
    from models.ddr_layout import DdrLayout, pack_kv
    from verif.case_file import CaseFileError, read_case_file
    from verif.cfg_item import LONG_RUN_TOKENS
    from verif.cfg_item import random_case as draw
    from verif.tests.case_model import case_model

    if case_file is not None:
        if tokens is not None:
            raise CaseError("+le_tokens: a case file sets its own tokens")
        try:
            case = read_case_file(Path(case_file), bus)
        except CaseFileError as exc:
            raise CaseError(str(exc)) from None
    elif tokens is None:
        case = draw(vsc_seed, lambda it: [it.axi_data_w == bus])
    elif tokens > LONG_RUN_TOKENS:
        raise CaseError(f"+le_tokens={tokens}: a random case has at most {LONG_RUN_TOKENS} tokens")
    else:
        case = draw(vsc_seed, lambda it: [it.axi_data_w == bus, it.n_tokens == tokens], item=_long_item())
    cfg, n = case.cfg, case.n_tokens
    m = case_model(case)                  # RandTest's model, X and golden KV cache of positions 0..t0-1
    image = bytearray(m.image)
    if m.kv is not None:                  # the env pokes it into memory; the harness loads it with the image
        lay = DdrLayout(cfg)
        image[lay.kv_base: lay.kv_base + lay.kv_size] = pack_kv(lay, m.kv)
    timing = {k: v for k, v in {**case.axi_mem, **case.bus_knobs}.items() if k not in NOT_TIMING}
    unknown = sorted(set(timing) - set(HARNESS_OPTIONS))
    if unknown:
        raise CaseError(f"the random case sets knob(s) {unknown} the SystemC harness has no option for")
    origin = f"case file {case_file}" if case_file is not None else f"pyvsc seed {vsc_seed}"
    desc = (f"random case ({origin}): {cfg}, positions {case.t0}..{case.t0 + n - 1}, weights "
            f"{case.weight_dist}, latency {case.latency}, backpressure {case.backpressure}")
    return ScCase(m.qm, bytes(image), m.x, m.positions, m.kv, timing, desc, engine_case=case)


_LONG_ITEM: Any = None


def _long_item() -> Any:
    """One LongRunCfgItem per process (building a pyvsc item costs more than drawing from it)."""
    global _LONG_ITEM
    if _LONG_ITEM is None:
        from verif.cfg_item import LongRunCfgItem
        _LONG_ITEM = LongRunCfgItem()
    return _LONG_ITEM


def errors_case(bundle: str, bus: int, py_seed: int, image_base: int, groups: str | None) -> ScCase:
    """A preset bundle with every position's X, and the error plan drawn from the Python seed (regress/scplan.py)."""
    import random

    from models.config import PRESETS
    from models.ddr_layout import DdrLayout
    from regress.scplan import GROUPS, plan_steps

    chosen = tuple(g for g in (groups or ",".join(GROUPS)).split(",") if g)
    unknown = sorted(set(chosen) - set(GROUPS))
    if unknown:
        raise CaseError(f"+le_errors={groups}: unknown group(s) {unknown}: choose from {', '.join(GROUPS)}")
    if bundle not in PRESETS:
        raise CaseError(f"+le_bundle={bundle}: one of {', '.join(PRESETS)}")
    base = preset_case(bundle, PRESETS[bundle].max_seq, bus)
    lay = DdrLayout(base.qm.cfg)
    try:
        steps = plan_steps(random.Random(py_seed), base.qm, base.image, image_base, lay.kv_base // (bus // 8), chosen)
    except ValueError as exc:
        raise CaseError(f"bundle {bundle}: {exc}") from None
    desc = f"error plan on bundle {bundle}: {len(steps)} steps ({', '.join(chosen)})"
    return dataclasses.replace(base, describe=desc, plan=steps, logits_float=None)


def make_case(knobs: Mapping[str, str], bus: int, vsc_seed: int, py_seed: int = 0, image_base: int = 0) -> ScCase:
    """The case the knobs name; `logits_pause` (any kind) adds one m_axis_logits TREADY-low pause of that many
    cycles per frame, a third of the way into it (le_axis_sink_bfm pause_len / pause_at)."""
    case = _case(knobs, bus, vsc_seed, py_seed, image_base)
    pause = _int_knob(knobs, "logits_pause")
    if not pause:
        return case
    if pause > 0xFFFF:
        raise CaseError(f"+le_logits_pause={pause}: at most 65535 cycles")
    frame_beats = -(-4 * case.qm.cfg.vocab // (bus // 8))
    timing = {**case.timing, "logits_pause": pause, "logits_pause_at": frame_beats // 3}
    return dataclasses.replace(case, timing=timing, describe=f"{case.describe}; a {pause}-cycle logits pause per frame")


def _case(knobs: Mapping[str, str], bus: int, vsc_seed: int, py_seed: int, image_base: int) -> ScCase:
    kind = knobs.get("case", "preset")
    if kind not in CASE_KINDS:
        raise CaseError(f"+le_case={kind}: expected one of {', '.join(CASE_KINDS)}")
    if "errors" in knobs and kind != "errors":
        raise CaseError(f"+le_errors={knobs['errors']}: only with +le_case=errors")
    if "case_file" in knobs and kind != "random":
        raise CaseError(f"+le_case_file={knobs['case_file']}: only with +le_case=random")
    tokens = _int_knob(knobs, "tokens")
    if kind == "random":
        case_file = knobs.get("case_file")          # a replayed case sets its own tokens: +le_tokens is ignored
        return random_case(vsc_seed, bus, None if case_file else tokens, case_file)
    if kind == "errors":
        if tokens is not None:
            raise CaseError("+le_tokens: an error plan sets its own tokens (choose groups with +le_errors=...)")
        return errors_case(knobs.get("bundle", "tiny"), bus, py_seed, image_base, knobs.get("errors"))
    return preset_case(knobs.get("bundle", "tiny"), tokens or 4, bus)


def write_case(case: ScCase, out: Path) -> None:
    """The bundle directory the harness reads: ddr.bin, x.npy, manifest.json."""
    out.mkdir(parents=True, exist_ok=True)
    (out / "ddr.bin").write_bytes(case.image)
    np.save(out / "x.npy", np.ascontiguousarray(case.x.astype(np.int8)), allow_pickle=False)
    manifest: dict[str, Any] = {"config": case.qm.cfg.to_dict(), "tokens": int(case.x.shape[0]),
                                "start_pos": case.start_pos, "case": case.describe}
    (out / "manifest.json").write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n")
    if case.plan is not None:
        from regress.scplan import write_plan
        write_plan(case.plan, out / PLAN_FILE)
