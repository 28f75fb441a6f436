"""Error plans of the systemc engine (`case: errors`): the pyuvm error tests' scenarios (verif/tests/errors.py,
verif/env/busy_seq.py) as steps the SystemC harness runs with the C driver (verif/sc/le_sc_plan.h: one line per
step, written to RUN/bundle/plan.txt). Drawn from the run's Python seed, so a seed reproduces the plan.

Groups (each starts at a fresh position; every failing step is followed by a good re-run of its position):
  axi       read SLVERR in a weight tile, read DECERR on the last logits.w beat, a read error on a KV context row,
            write SLVERR / DECERR on a K / V append, then random per-burst read errors and write errors (AUTO: the
            expected code decided from the memory's own record of the bursts it failed)
  config    START rejected (a dim 0, d_model not a multiple of the lanes, n_heads * d_head != d_model, TOKEN_POS >=
            MAX_SEQ, KV_BASE not 64-byte aligned) and accepted-then-failed (KV_BASE != IMAGE_BASE + kv_base, MAX_SEQ
            disagreeing with the header, the header magic corrupted, the header's bus width the other one,
            W_TILE_ROWS / N_LAYERS at their RTL maximum: legal, so accepted, then the header disagrees; the image
            moved to end past the 32-bit address space, its header readable; two of them back to back, the second
            failing at its header); the header restored and the engine reconfigured after each
  framing   X frames TLAST early with full TKEEP, bytes short (partial TKEEP), one extra beat, 2-3 extra beats,
            extra bytes
  reset     CTRL.SOFT_RESET before X, while the weights stream, while the logits stream
  busy      a second START while the weights stream and while the logits stream (the token in flight completes)
The judge is regress/scjudge.py.
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from models.csr_map import REGISTERS
from models.ddr_layout import HDR_AXI_DATA_W, HEADER_FIELDS, DdrLayout, base_ending_past
from models.driver import ErrorCode
from verif.env.txn import ABORT_CODE, ABORTED, AUTO, IN_FLIGHT, QUIET_CYCLES, REJECTED

GROUPS = ("axi", "config", "framing", "reset", "busy")
SLVERR, DECERR = 2, 3     # verif/bfm/axi_mem_bfm.py (not imported: it needs cocotb)
RTL_MAX_TILE, RTL_MAX_LAYERS = 65535, 16     # le_cfg_check MAX_TILE, MAX_LAYERS (not build parameters of le_tb_top)


@dataclass
class Step:
    """One token of the plan. `pos` is the position the reference model uses; `csr_pos` the TOKEN_POS written when
    it differs (an illegal one). The harness options are le_sc_plan.h's keys."""
    row: int
    pos: int
    expect: int = 0                       # 0 good, an ErrorCode, AUTO or ABORT_CODE
    kind: str = ""                        # "" / REJECTED / ABORTED / IN_FLIGHT (verif/env/error_checker.py)
    label: str = ""
    csr_pos: int | None = None
    x_len: int | None = None
    x_pad: bytes = b""
    erange: tuple[int, int, int, bool, bool] | None = None     # lo, hi, resp, reads, writes
    rand: tuple[float, float, int] | None = None               # p_rd, p_wr, resp
    csr: list[tuple[int, int]] = field(default_factory=list)
    poke: list[tuple[int, bytes]] = field(default_factory=list)
    restore: list[tuple[int, bytes]] = field(default_factory=list)
    reconfigure: bool = False
    abort: tuple[str, int] | None = None                       # point, delay
    busy: tuple[str, int] | None = None

    def line(self) -> str:
        w = [f"row={self.row}", f"pos={self.pos if self.csr_pos is None else self.csr_pos}"]
        if self.x_len is not None:
            w.append(f"x_len={self.x_len}")
            if self.x_pad:
                w.append(f"x_pad={self.x_pad.hex()}")
        if self.erange:
            lo, hi, resp, rd, wr = self.erange
            w.append(f"erange={lo:#x}:{hi:#x}:{resp}:{int(rd)}:{int(wr)}")
        if self.rand:
            w.append(f"rand={self.rand[0]:.6f}:{self.rand[1]:.6f}:{self.rand[2]}")
        if self.csr:
            w.append("csr=" + ",".join(f"{o:#x}:{v & 0xFFFF_FFFF:#x}" for o, v in self.csr))
        for key, pokes in (("poke", self.poke), ("restore", self.restore)):
            if pokes:
                w.append(f"{key}=" + ",".join(f"{a:#x}:{b.hex()}" for a, b in pokes))
        if self.reconfigure:
            w.append("reconfigure=1")
        for key, at in (("abort", self.abort), ("busy", self.busy)):
            if at:
                w.append(f"{key}={at[0]}:{at[1]}")
        if self.expect and self.kind not in (ABORTED, IN_FLIGHT):
            w.append(f"quiet={QUIET_CYCLES}")
        return " ".join(w)


def write_plan(steps: list[Step], path: Path) -> None:
    text = "".join(f"# {i}: pos {s.pos}: {s.label or 'good'}\n{s.line()}\n" for i, s in enumerate(steps))
    path.write_text(text)


class _Planner:
    def __init__(self, rng: random.Random, qm: Any, image: bytes, image_base: int) -> None:
        self.rng, self.cfg, self.image, self.base = rng, qm.cfg, image, int(image_base)
        self.lay = DdrLayout(qm.cfg)
        self.bb = qm.cfg.axi_data_w // 8
        self.steps: list[Step] = []
        self.pos = 0

    def good(self, label: str = "") -> None:
        self.steps.append(Step(self.pos, self.pos, label=label))

    def fail(self, step: Step) -> None:
        """A failing step at the current position, then its good re-run."""
        self.steps.append(step)
        self.good(f"re-run after {step.label}")
        self.pos += 1

    def beat(self, region: str, which: str = "mid") -> int:
        r = self.lay.by_name[region]
        beats = r.size // self.bb
        return int(self.base + r.base + (beats - 1 if which == "last" else self.rng.randrange(beats)) * self.bb)

    def axi(self) -> None:
        rng, c, lay = self.rng, self.cfg, self.lay
        layer, head = rng.randrange(c.n_layers), rng.randrange(c.n_heads)
        weight = rng.choice([f"L{layer}.h{head}.wqkv", f"L{layer}.wo.w", f"L{layer}.w1.w", f"L{layer}.w2.w"])
        ctx_which, ctx_row = rng.randrange(2), rng.randrange(self.pos)
        ctx_resp = SLVERR if ctx_row % 2 else DECERR
        reads = [(f"read SLVERR in {weight}", self.beat(weight), SLVERR),
                 ("read DECERR on the last beat of logits.w", self.beat("logits.w", "last"), DECERR),
                 (f"read {'SLVERR' if ctx_resp == SLVERR else 'DECERR'} on L{layer}.h{head} {'KV'[ctx_which]} "
                  f"context row {ctx_row}", self.base + lay.kv_addr(layer, head, ctx_which, ctx_row), ctx_resp)]
        for label, addr, resp in reads:
            self.fail(Step(self.pos, self.pos, int(ErrorCode.AXI_READ_ERROR), label=f"{label} at {addr:#x}",
                           erange=(addr, addr + self.bb, resp, True, False)))
        for which, resp in ((0, SLVERR), (1, DECERR)):
            wl, wh = rng.randrange(c.n_layers), rng.randrange(c.n_heads)
            addr = self.base + lay.kv_addr(wl, wh, which, self.pos)
            self.fail(Step(self.pos, self.pos, int(ErrorCode.AXI_WRITE_ERROR),
                           label=f"write {'SLVERR' if resp == SLVERR else 'DECERR'} on the L{wl}.h{wh} "
                                 f"{'KV'[which]} append at {addr:#x}",
                           erange=(addr, addr + self.bb, resp, False, True)))
        for knob in ("p_rd_err", "p_wr_err"):
            p = rng.uniform(0.004, 0.02) if knob == "p_rd_err" else rng.uniform(0.05, 0.2)
            resp = rng.choice([SLVERR, DECERR])
            rand = (p, 0.0, resp) if knob == "p_rd_err" else (0.0, p, resp)
            self.fail(Step(self.pos, self.pos, AUTO, label=f"{knob}={p:.3f} resp {resp}", rand=rand))

    def config(self) -> None:
        rng, c = self.rng, self.cfg
        lanes, kv_base = self.bb, self.base + self.lay.kv_base
        header = self.image[:64]
        word = {name: HEADER_FIELDS.index(name) for name in
                ("d_model", "n_heads", "d_head", "d_ff", "n_layers", "vocab", "max_seq", "w_tile_rows", "ctx_tile")}
        zero = rng.choice(list(word))
        odd = rng.randrange(1, lanes)
        unaligned = rng.choice([8, 16, 32, 48]) if lanes == 8 else rng.choice([16, 32, 48])
        other_bus = 64 if c.axi_data_w == 128 else 128
        magic_bit = rng.randrange(8)
        past = base_ending_past(len(self.image))          # the header readable, the image's end beyond 2**32
        kv_past = past + self.lay.kv_base

        def dims(values: dict[str, int]) -> dict[str, Any]:     # CSRs and the header patched to agree
            return {"csr": [(REGISTERS[k.upper()], v) for k, v in values.items()],
                    "poke": [(self.base + 4 * word[k], v.to_bytes(4, "little")) for k, v in values.items()]}
        cases: list[tuple[str, dict[str, Any], bool]] = [
            (f"{zero} = 0", dims({zero: 0}), False),
            (f"d_model not a multiple of the lanes (+{odd})", dims({"d_model": c.d_model + odd}), False),
            ("n_heads * d_head != d_model", dims({"n_heads": c.n_heads + 1}), False),
            ("TOKEN_POS >= MAX_SEQ", {"csr_pos": rng.choice([c.max_seq, c.max_seq + rng.randrange(1, 1000),
                                                             0xFFFF_FFFF])}, False),
            ("KV_BASE not 64-byte aligned", {"csr": [(REGISTERS["KV_BASE_LO"], kv_base + unaligned)]}, False),
            ("KV_BASE != IMAGE_BASE + kv_base",
             {"csr": [(REGISTERS["KV_BASE_LO"], kv_base + 64 * rng.choice([-2, -1, 1, 2]))]}, True),
            ("MAX_SEQ CSR disagrees with the image header", {"csr": [(REGISTERS["MAX_SEQ"], c.max_seq // 2)]}, True),
            ("image header magic corrupted", {"poke": [(self.base, bytes([self.image[0] ^ (1 << magic_bit)]))]}, True),
            (f"header bus width {other_bus} != engine {c.axi_data_w}",
             {"poke": [(self.base + 4 * HDR_AXI_DATA_W, other_bus.to_bytes(4, "little"))]}, True),
            (f"image ending past the 32-bit address space (IMAGE_BASE {past:#x}, {len(self.image)} bytes)",
             {"csr": [(REGISTERS["IMAGE_BASE_LO"], past), (REGISTERS["IMAGE_BASE_HI"], 0),
                      (REGISTERS["KV_BASE_LO"], kv_past & 0xFFFF_FFFF), (REGISTERS["KV_BASE_HI"], kv_past >> 32)],
              "poke": [(past, header)]}, True),
        ]
        # a field at its RTL maximum is legal: START accepted, then the header (which disagrees) fails the token
        for name, top in (("w_tile_rows", RTL_MAX_TILE), ("n_layers", RTL_MAX_LAYERS)):
            if getattr(c, name) != top:
                cases.append((f"{name.upper()} CSR at the RTL maximum {top}: accepted, the header disagrees",
                              {"csr": [(REGISTERS[name.upper()], top)]}, True))
        for label, setup, accepted in cases:
            self.fail(Step(self.pos, self.pos, int(ErrorCode.ILLEGAL_CONFIG), kind="" if accepted else REJECTED,
                           label=label, restore=[(self.base, header)], reconfigure=True, **setup))
        # two failed tokens back to back, the second failing at its header, before any operator starts: the drain
        # after the first must leave the datapath as a reset does (nothing busy that the second drain waits for)
        code, restore = int(ErrorCode.ILLEGAL_CONFIG), [(self.base, header)]
        self.steps.append(Step(self.pos, self.pos, code, label="back to back 1/2: MAX_SEQ CSR disagrees with the "
                               "image header", csr=[(REGISTERS["MAX_SEQ"], c.max_seq // 2)], restore=restore,
                               reconfigure=True))                  # no good re-run in between
        self.fail(Step(self.pos, self.pos, code, label="back to back 2/2: image header magic corrupted",
                       poke=[(self.base, bytes([self.image[0] ^ (1 << magic_bit)]))], restore=restore,
                       reconfigure=True))

    def framing(self) -> None:
        rng, bb, d = self.rng, self.bb, self.cfg.d_model
        early, late = int(ErrorCode.X_TLAST_EARLY), int(ErrorCode.X_TLAST_LATE)
        beats = d // bb
        short_beats = rng.randrange(1, beats) if beats > 1 else 0
        short_bytes, extra_beats, extra_bytes = rng.randrange(1, bb), rng.randrange(2, 4), rng.randrange(1, bb)
        cases = [(f"TLAST {short_beats} beat(s) early, full TKEEP", -short_beats * bb, early),
                 (f"{short_bytes} byte(s) short: partial TKEEP on the TLAST beat", -short_bytes, early),
                 ("1 extra beat", bb, late),
                 (f"{extra_beats} extra beats (the engine discards all of them)", extra_beats * bb, late),
                 (f"{extra_bytes} extra byte(s): a partial extra beat", extra_bytes, late)]
        for label, change, code in cases:
            if change == 0:                       # d_model is one beat: no whole beat can be left out
                continue
            pad = bytes(rng.randrange(256) for _ in range(max(change, 0)))
            self.fail(Step(self.pos, self.pos, code, label=f"{label} ({d + change} of {d} bytes)", x_len=d + change,
                           x_pad=pad))

    def timed(self, key: str, points: tuple[str, ...], cycles: int) -> None:
        rng = self.rng
        frame_cycles = max(2, self.cfg.vocab * 4 // self.bb)
        for point in points:
            delay = {"before_x": rng.randrange(0, 200), "weights": rng.randrange(20, max(40, cycles * 6 // 10)),
                     "logits": rng.randrange(0, max(2, frame_cycles // 3))}[point]
            if key == "abort":
                step = Step(self.pos, self.pos, ABORT_CODE, ABORTED, f"soft reset at {point} +{delay}",
                            abort=(point, delay))
            else:
                step = Step(self.pos, self.pos, 0, IN_FLIGHT, f"second START at {point} +{delay}", busy=(point, delay))
            self.fail(step)
            self.good()                         # and the next position
            self.pos += 1


def plan_steps(rng: random.Random, qm: Any, image: bytes, image_base: int, token_cycles: int,
               groups: tuple[str, ...] = GROUPS) -> list[Step]:
    """The steps of every group in `groups` (GROUPS order). `token_cycles`: about one token's cycles (the range of
    the "weights" delays)."""
    p = _Planner(rng, qm, image, image_base)
    for _ in range(2):
        p.good()
        p.pos += 1
    for g in GROUPS:
        if g not in groups:
            continue
        if g in ("reset", "busy"):
            p.timed("abort" if g == "reset" else "busy", ("before_x", "weights", "logits"), token_cycles)
        else:
            getattr(p, g)()
    if p.pos > qm.cfg.max_seq:
        raise ValueError(f"the error plan needs {p.pos} positions, max_seq is {qm.cfg.max_seq}")
    return p.steps


def positions_needed(steps: list[Step]) -> int:
    return max(s.row for s in steps) + 1
