"""The DUT's operator-boundary values (verif/hdl/le_probe.sv) against the golden model's (models.golden.Trace).

    dut = read_probe(Path("probe.log"))                    # DutToken per accepted START, in order
    gold = read_golden(Path("golden"))                     # GoldenToken per prediction (t<n>.npz), in order
    report = compare(dut, gold)                            # first divergence (earliest cycle) and tallies

Token alignment: the n-th accepted START of the DUT is matched with the next golden prediction at the same
position (a START the engine rejects has a prediction and no DUT token; a token cut by a reset is followed by
its retry, which is predicted again). Every DUT value is compared with the golden element of the same token,
layer, head, operator and index; an element produced twice is a divergence whatever its value. The first
divergence is the mismatch with the smallest cycle: operators are causal (every value is produced after its
inputs), so it names the operator whose probed inputs still matched. Every golden element of a token expected to
pass must have been produced: with no mismatch, the first element never produced (in execution order) is named,
which is where a hung DUT stopped. Tokens the test expects to fail (TokenStart.expect_error: an error, an
abort) hold a correct prefix at most and undefined values after the failure: their mismatches are reported
apart and nothing is required of them.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

# name -> (operator as the RTL computes it, its golden twin in models/, what else it reads that is not probed:
# a wrong value there shows up first at this operator too)
_GEMV = "ops.gemv + ops.requant"
OPERATORS: dict[str, tuple[str, str, str]] = {
    "q": ("QKV GEMV + requant (le_logits, le_main_out.u_requant)", _GEMV,
          "the Wq/Wk/Wv tiles and requant parameters from DDR, the layer input x (previous LayerNorm / X stream)"),
    "s_raw": ("score MAC q.K (le_attn.u_score_gemv, le_gemv)", "ops.gemv",
              "the K rows of the KV cache read from DDR (the current row comes from on chip)"),
    "s": ("score scale/clamp (le_attn.u_score_scale_clamp, le_score_scale_clamp)", "ops.score_scale_clamp",
          "score_mult / score_shift of the head"),
    "p": ("softmax (le_attn.u_softmax, le_softmax)", "ops.softmax", "the EXP_LUT of the image"),
    "o": ("P.V + O requant (le_attn.u_pv_accum, le_pv_accum; le_attn.u_o_requant)", "ops.pv_accum + ops.requant",
          "the V rows of the KV cache read from DDR, o_mult / o_shift of the head"),
    "oprime": ("Wo GEMV + requant int16 (le_logits, le_main_out.u_requant)", _GEMV,
               "the Wo tiles and requant parameters from DDR, O_concat (the heads' o, probed)"),
    "y1": ("residual add 1 (le_main_out.u_residual_add, le_residual_add)", "ops.residual_add",
           "the int16 residual copy of the layer input, res1 multipliers"),
    "x_att": ("LayerNorm 1, int8 out (le_main_out.u_layernorm, le_layernorm)", "ops.layernorm",
              "ln1 gamma / beta / eps"),
    "x_att_res": ("LayerNorm 1, int16 residual copy (le_layernorm)", "ops.layernorm", "ln1 gamma / beta / eps"),
    "u": ("W1 GEMV + requant (le_logits, le_main_out.u_requant)", _GEMV,
          "the W1 tiles and requant parameters from DDR"),
    "u_act": ("GELU LUT (le_main_out.u_act_lut, le_act_lut)", "ops.act_lut", "the GELU table and bank of each row"),
    "f": ("W2 GEMV + requant int16 (le_logits, le_main_out.u_requant)", _GEMV,
          "the W2 tiles and requant parameters from DDR"),
    "y2": ("residual add 2 (le_main_out.u_residual_add, le_residual_add)", "ops.residual_add",
           "res2 multipliers (the residual copy is x_att_res, probed)"),
    "x": ("LayerNorm 2, int8 out (le_main_out.u_layernorm, le_layernorm)", "ops.layernorm", "ln2 gamma / beta / eps"),
    "x_res": ("LayerNorm 2, int16 residual copy (le_layernorm)", "ops.layernorm", "ln2 gamma / beta / eps"),
    "logits": ("logits GEMV + bias (le_logits, le_main_out.u_logits_bias)", "ops.logits",
               "the logits weight tiles and bias from DDR"),
}
OPERATORS["k"] = OPERATORS["v"] = OPERATORS["q"]

Key = tuple[int, int, str]        # (layer, head, name); -1 = none


class ProbeFormatError(ValueError):
    """A probe or golden file that cannot be read; str() is one line."""


@dataclass
class DutToken:
    index: int                     # n-th accepted START
    pos: int
    cycle: int
    # (layer, head, name) -> {element index: (value, cycle, time)}
    values: dict[Key, dict[int, tuple[int, int, int]]] = field(default_factory=lambda: defaultdict(dict))
    # an element produced again: (key, index, value, cycle, time) - a divergence whatever its value
    repeats: list[tuple[Key, int, int, int, int]] = field(default_factory=list)


@dataclass
class GoldenToken:
    index: int                     # n-th prediction
    pos: int
    arrays: dict[Key, np.ndarray]
    expect_error: bool = False     # the test expects this token to fail: values after the failure are undefined


@dataclass
class Divergence:
    token: int
    pos: int
    layer: int
    head: int
    name: str
    index: int
    golden: int | None             # None: the DUT produced an element the golden model does not have
    dut: int | None                # None: the DUT never produced it (it stopped)
    cycle: int
    time: int

    @property
    def operator(self) -> str:
        return OPERATORS.get(self.name, (self.name, "?", "?"))[0]

    @property
    def golden_op(self) -> str:
        return OPERATORS.get(self.name, (self.name, "?", "?"))[1]

    @property
    def unprobed_inputs(self) -> str:
        return OPERATORS.get(self.name, (self.name, "?", "?"))[2]

    def where(self) -> str:
        parts = [f"token {self.token} (pos {self.pos})"]
        if self.layer >= 0:
            parts.append(f"layer {self.layer}")
        if self.head >= 0:
            parts.append(f"head {self.head}")
        return ", ".join(parts)

    def to_json(self) -> dict[str, Any]:
        return {"token": self.token, "pos": self.pos, "layer": self.layer, "head": self.head, "name": self.name,
                "operator": self.operator, "golden_op": self.golden_op,
                "unprobed_inputs": self.unprobed_inputs, "index": self.index,
                "golden": self.golden, "dut": self.dut, "cycle": self.cycle, "time_ps": self.time}


@dataclass
class DivergenceReport:
    tokens_compared: int
    values_compared: int
    first: Divergence | None                       # earliest mismatch in a token expected to pass
    stopped: Divergence | None                     # no mismatch, but golden elements the DUT never produced
    mismatches: dict[str, int]                     # name -> mismatching elements (tokens expected to pass)
    missing: dict[str, int]                        # name -> golden elements never produced (tokens expected to pass)
    unmatched_tokens: list[int]                    # DUT tokens with no golden prediction at their pos
    failed_first: Divergence | None = None         # earliest mismatch in a token expected to fail
    failed_mismatches: int = 0

    @property
    def clean(self) -> bool:
        return self.first is None and self.stopped is None and not self.unmatched_tokens


# execution order of the names inside one layer (heads first), for naming the first element never produced
ORDER = ("q", "k", "v", "s_raw", "s", "p", "o", "oprime", "y1", "x_att", "x_att_res", "u", "u_act", "f", "y2", "x",
         "x_res", "logits")


def read_probe(path: Path) -> list[DutToken]:
    """Parse le_probe's file; elements with index -1 are numbered in arrival order per (token, layer, head, name)."""
    if not path.is_file():
        raise ProbeFormatError(f"{path}: no probe file (was the run built with verif/hdl/le_probe.sv?)")
    tokens: list[DutToken] = []
    counters: dict[Key, int] = defaultdict(int)
    for n, line in enumerate(path.read_text().splitlines(), 1):
        f = line.split()
        try:
            if len(f) == 5 and f[2] == "T":
                tokens.append(DutToken(int(f[3]), int(f[4]), int(f[0])))
                counters.clear()
                continue
            cycle, time, tok, layer, head, name, idx, value = (int(f[0]), int(f[1]), int(f[2]), int(f[3]),
                                                                int(f[4]), f[5], int(f[6]), int(f[7]))
        except (ValueError, IndexError):
            raise ProbeFormatError(f"{path}:{n}: unreadable probe line {line[:80]!r}") from None
        if not tokens or tok != tokens[-1].index:
            raise ProbeFormatError(f"{path}:{n}: value of token {tok} outside its token")
        key = (layer, head, name)
        if idx < 0:
            idx = counters[key]
            counters[key] += 1
        elems = tokens[-1].values[key]
        if idx in elems:
            tokens[-1].repeats.append((key, idx, value, cycle, time))
        else:
            elems[idx] = (value, cycle, time)
    return tokens


def read_golden(directory: Path) -> list[GoldenToken]:
    """The golden traces verif/env/refmodel.py saved (t0.npz, t1.npz, ... in prediction order)."""
    files = sorted(directory.glob("t*.npz"), key=lambda p: int(p.stem[1:]))
    if not files:
        raise ProbeFormatError(f"{directory}: no golden traces (t<n>.npz)")
    out = []
    for f in files:
        with np.load(f) as z:
            arrays: dict[Key, np.ndarray] = {}
            for name in z.files:
                if name in ("pos", "expect_error"):
                    continue
                layer, head, op = name.split("/", 2)
                if op in OPERATORS:                          # x_in, o_concat: not probed (o_concat = the heads' o)
                    arrays[(int(layer), int(head), op)] = z[name]
            err = bool(z["expect_error"]) if "expect_error" in z.files else False
            out.append(GoldenToken(int(f.stem[1:]), int(z["pos"]), arrays, err))
    return out


def align(dut: list[DutToken], gold: list[GoldenToken]) -> list[tuple[DutToken, GoldenToken | None]]:
    """Each DUT token with the next golden prediction at its position (None when there is none)."""
    pairs: list[tuple[DutToken, GoldenToken | None]] = []
    g = 0
    for d in dut:
        j = next((j for j in range(g, len(gold)) if gold[j].pos == d.pos), None)
        pairs.append((d, gold[j] if j is not None else None))
        if j is not None:
            g = j + 1
    return pairs


def _golden_at(g: GoldenToken, key: Key, idx: int) -> int | None:
    want = g.arrays.get(key)
    return int(want[idx]) if want is not None and 0 <= idx < len(want) else None


def _token_divergences(d: DutToken, g: GoldenToken, mismatches: dict[str, int]) -> tuple[Divergence | None, int]:
    """Every produced value against golden (a repeated element always diverges); the earliest mismatch."""
    first: Divergence | None = None
    compared = 0
    produced = [(key, idx, v, c, t, False) for key, elems in d.values.items() for idx, (v, c, t) in elems.items()]
    for key, idx, value, cycle, time, repeated in produced + [(*r, True) for r in d.repeats]:
        compared += 1
        golden = _golden_at(g, key, idx)
        if golden == value and not repeated:
            continue
        mismatches[key[2]] = mismatches.get(key[2], 0) + 1
        if first is None or cycle < first.cycle:
            first = Divergence(d.index, d.pos, *key, idx, golden, value, cycle, time)
    return first, compared


def _order(key: Key) -> tuple[int, int, int]:
    layer, head, name = key
    return (layer if layer >= 0 else 1 << 30, head if head >= 0 else 1 << 30, ORDER.index(name))


def _missing(d: DutToken, g: GoldenToken, missing: dict[str, int]) -> Divergence | None:
    """Count the golden elements the DUT never produced; the first of them in execution order."""
    first: Divergence | None = None
    last_cycle, last_time = d.cycle, 0
    for elems in d.values.values():
        for _, c, t in elems.values():
            if c > last_cycle:
                last_cycle, last_time = c, t
    for key in sorted(g.arrays, key=_order):
        got = d.values.get(key, {})
        lost = [i for i in range(len(g.arrays[key])) if i not in got]
        if not lost:
            continue
        missing[key[2]] = missing.get(key[2], 0) + len(lost)
        if first is None:
            first = Divergence(d.index, d.pos, *key, lost[0], int(g.arrays[key][lost[0]]), None, last_cycle, last_time)
    return first


def compare(dut: list[DutToken], gold: list[GoldenToken]) -> DivergenceReport:
    """All DUT tokens against their golden predictions (see the module doc)."""
    mismatches: dict[str, int] = {}
    missing: dict[str, int] = {}
    failed: dict[str, int] = {}
    first = stopped = failed_first = None
    compared, unmatched, n_tok = 0, [], 0
    for d, g in align(dut, gold):
        if g is None:
            unmatched.append(d.index)
            continue
        n_tok += 1
        div, n = _token_divergences(d, g, failed if g.expect_error else mismatches)
        compared += n
        if g.expect_error:                 # a prefix at most, and undefined after the failure: report apart
            if div is not None and (failed_first is None or div.cycle < failed_first.cycle):
                failed_first = div
            continue
        if div is not None and (first is None or div.cycle < first.cycle):
            first = div
        lost = _missing(d, g, missing)
        if lost is not None and stopped is None:
            stopped = lost
    return DivergenceReport(n_tok, compared, first, None if first else stopped, mismatches, missing, unmatched,
                  failed_first, sum(failed.values()))
