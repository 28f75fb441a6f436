"""CoverageSubscriber: the env's functional coverage (verif/coverage.Coverage), sampled per token and per burst.

Never per cycle. Inputs (analysis exports, wired in env.py):

    token_export   TokenStart (env.token_ap)       snapshot of the memory BFM's counters; the tb-top corner
                                                   counters are cleared
    burst_export   AxiBurstItem (mem.monitor.ap)   buffered until the token's result
    result_export  TokenReadback (env.result_ap)     after the token's irq (the AXI monitor is flushed by then):
        cfg        sample_token(cfg, pos)          (tokens that ended without an error)
        axi_burst  sample_burst per buffered burst: beats, 4 KB split, read bursts outstanding at its AR
        axi_token  sample_axi_token: per-channel backpressure from the BFM's stats() difference over the
                   token (ar_stall, r_gap, aw_stall, w_stall, b_gap), reordered / interleaved reads (the
                   records' flags or the stats), reordered B responses, the deepest read outstanding
        datapath   sample_datapath from le_tb_top's sticky corner counters (cov_int8_sat, cov_int16_sat,
                   cov_sm_single, cov_ln_zero_var), read once per token, then cleared (cov_clr_seq + 1)
    once per run   sample_case(case) if the test put an EngineCase in the ConfigDB ("engine_case") or holds one
                   as `the_case` or `case` (the stim covergroup stays empty otherwise)

Classification of the burst records (`classify_bursts`, pure):
    split_4k       the burst ends on a 4 KB boundary with fewer than 256 beats and another burst of the same
                   kind (read / write) of the same token starts at that address (its transfer goes on)
    outstanding    reads: 1 + the other read bursts whose AR came no later and whose last beat came no
                   earlier than this burst's AR (cycle stamps of the BFM records)

At the end (report_phase) the coverage is saved as UCIS XML (verif.coverage.Coverage.save_ucis) to the
plusarg / environment setting le_cov_out, default `coverage.ucis.xml` in the run directory (the cocotb test
dir, the simulator's cwd), and the per-covergroup percentages and the holes are logged.
"""
from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NamedTuple

from pyuvm import ConfigDB, UVMConfigItemNotFound, uvm_component, uvm_subscriber

from models.schedule import AXI_BOUNDARY, AXI_MAX_BEATS
from verif.bfm.raw import read_uint
from verif.coverage import Coverage
from verif.settings import setting

from .txn import TokenReadback, TokenStart

COV_FILE = "coverage.ucis.xml"
CORNERS = ("cov_int8_sat", "cov_int16_sat", "cov_sm_single", "cov_ln_zero_var", "cov_sm_rows", "cov_ln_rows")
# R and B: layer_engine holds RREADY/BREADY high by design (rtl/le_axi_rd.sv, le_axi_wr.sv), so the hold-ups on
# those channels come from the memory side: cycles it held a pending beat / response back (RVALID/BVALID gaps).
STALL_STATS = dict(ar="rd_ar_stall", r="rd_r_gap", aw="wr_aw_stall", w="wr_w_stall", b="wr_b_gap")


class BurstSample(NamedTuple):              # a NamedTuple: made, hashed and sorted per burst (field order = sort order)
    write: bool
    beats: int
    split_4k: bool
    outstanding: int                          # reads: bursts outstanding at its AR including itself; writes 0


def classify_bursts(items: Sequence[tuple[bool, Any]], bus_bytes: int) -> list[BurstSample]:
    """(write?, ReadBurst | WriteBurst) records of one token -> what the axi_burst / axi_depth groups sample."""
    starts: dict[bool, set[int]] = {False: set(), True: set()}
    ars, lasts = [], []
    for write, b in items:
        starts[bool(write)].add(b.addr)
        if not write:
            ars.append(b.t_ar)
            lasts.append(b.t_last)
    ars.sort()
    lasts.sort()
    out = []
    for write, b in items:
        beats = (b.awlen if write else b.arlen) + 1
        end = b.addr + beats * bus_bytes
        split = end % AXI_BOUNDARY == 0 and beats < AXI_MAX_BEATS and end in starts[bool(write)]
        depth = 0
        if not write:
            # outstanding when b's AR is accepted: the reads (b included) with t_ar <= b.t_ar <= t_last; a read
            # whose last beat came before b.t_ar also had its AR before it (t_ar <= t_last), so subtract those
            depth = bisect_right(ars, b.t_ar) - bisect_left(lasts, b.t_ar)
        out.append(BurstSample(write, beats, split, depth))
    return out


class CoverageSubscriber(uvm_component):
    """Owns one verif.coverage.Coverage for the run. The env connects the three exports."""

    def build_phase(self) -> None:
        self.cov = Coverage()
        self.token_export = uvm_subscriber.uvm_AnalysisImp("token_export", self, self.write_token)
        self.burst_export = uvm_subscriber.uvm_AnalysisImp("burst_export", self, self.write_burst)
        self.result_export = uvm_subscriber.uvm_AnalysisImp("result_export", self, self.write_result)
        ec = ConfigDB().get(self, "", "env_cfg")
        self.dut, self.cfg = ec.dut, ec.cfg
        self.bursts: list[tuple[bool, Any]] = []
        self.starts: dict[int, TokenStart] = {}
        self.stats0: dict[str, int] | None = None
        self.tokens = self.bursts_sampled = 0
        self.corner_totals = dict.fromkeys(CORNERS, 0)
        self.write_shapes: set[tuple[int, bool]] = set()     # (beats, split at 4 KB) of every AW burst seen
        self._corner_handles: list[tuple[str, Any]] | None = None
        self.path: Path | None = None

    # ---- helpers ------------------------------------------------------------------------------------------
    @property
    def mem_bfm(self) -> Any:
        return self.get_parent().mem_bfm

    def _read_corners(self) -> dict[str, int] | None:
        try:
            if self._corner_handles is None:                   # looked up once
                self._corner_handles = [(n, getattr(self.dut, n)) for n in CORNERS]
            return {n: read_uint(h) for n, h in self._corner_handles}
        except (AttributeError, ValueError):
            return None

    def _clear_corners(self) -> None:
        try:
            h = self.dut.cov_clr_seq
            h.value = (read_uint(h) + 1) & 0xFFFF_FFFF
        except (AttributeError, ValueError):
            pass

    def find_case(self) -> Any:
        """The test's verif.cfg_item.EngineCase, if any: ConfigDB "engine_case", else the test's `the_case` or
        `case` attribute (a value, not a method)."""
        from verif.cfg_item import EngineCase
        try:
            case = ConfigDB().get(self, "", "engine_case")
            if isinstance(case, EngineCase):
                return case
        except UVMConfigItemNotFound:         # no case published: look at the test
            pass
        test = self.get_parent().get_parent()
        for name in ("the_case", "case"):
            case = getattr(test, name, None)
            if isinstance(case, EngineCase):
                return case
        return None

    def start_of_simulation_phase(self) -> None:
        case = self.find_case()
        if case is not None:
            self.cov.sample_case(case)
            self.logger.info(f"coverage: EngineCase sampled (seed {case.seed})")

    # ---- inputs -------------------------------------------------------------------------------------------
    def write_token(self, start: TokenStart) -> None:
        self.starts[start.index] = start
        # a testbench without the memory BFM samples no axi_token; a broken handle must fail, not zero the bins
        self.stats0 = self.mem_bfm.stats() if self.mem_bfm is not None else None
        self._clear_corners()

    def write_burst(self, item: Any) -> None:
        self.bursts.append((bool(item.write), item.burst))

    def _sample_bursts(self) -> int:
        samples = classify_bursts(self.bursts, self.cfg.bus_bytes)
        # Each distinct burst shape once per token: the bins are what matters, and a pyvsc sample costs ~40 us
        # (a tiny token has ~270 bursts but ~20 distinct shapes).
        for s in sorted(set(samples)):                        # by (write, beats, split_4k, outstanding)
            self.cov.sample_burst(s.write, s.beats, s.split_4k, s.outstanding)
            if s.write:
                self.write_shapes.add((s.beats, s.split_4k))
        self.bursts = []
        self.bursts_sampled += len(samples)
        return max((s.outstanding for s in samples), default=0)

    def write_result(self, result: TokenReadback) -> None:
        start = self.starts.pop(result.index, None)
        ok = not result.err_code
        if start is not None and ok:
            self.cov.sample_token(self.cfg, start.pos)
        rd_ro = any(b.out_of_order for w, b in self.bursts if not w)
        rd_il = any(b.interleaved for w, b in self.bursts if not w)
        depth = self._sample_bursts()
        stalls: dict[str, int] = {}
        wr_ro = False
        if self.stats0 is not None:
            now = self.mem_bfm.stats()
            d = {k: now[k] - self.stats0.get(k, 0) for k in now if not k.endswith("max_out")}
            stalls = {ch: d.get(key, 0) for ch, key in STALL_STATS.items()}
            rd_ro = rd_ro or d.get("rd_reordered", 0) > 0
            rd_il = rd_il or d.get("rd_interleaved", 0) > 0
            wr_ro = d.get("wr_reordered", 0) > 0
            self.cov.sample_axi_token(stalls, rd_reordered=rd_ro, rd_interleaved=rd_il, wr_reordered=wr_ro,
                                      max_rd_outstanding=depth)
        corners = self._read_corners()
        if corners is not None:
            self.cov.sample_datapath(int8_sat=corners["cov_int8_sat"] > 0, int16_sat=corners["cov_int16_sat"] > 0,
                                     softmax_single=corners["cov_sm_single"] > 0,
                                     ln_zero_var=corners["cov_ln_zero_var"] > 0)
            for n, v in corners.items():
                self.corner_totals[n] += v
            self._clear_corners()
        self.tokens += 1
        pos = start.pos if start is not None else "?"
        self.logger.debug(f"coverage: token {result.index} pos {pos}: stalls {stalls} rd_reordered {rd_ro} "
                          f"rd_interleaved {rd_il} wr_reordered {wr_ro} depth {depth} corners {corners}")

    # ---- end of test ----------------------------------------------------------------------------------------
    def test_name(self) -> str:
        test = self.get_parent().get_parent()
        seeds = getattr(test, "seeds", None)
        name = type(test).__name__ if test is not None else "test"
        return f"{name}_s{seeds.master}" if seeds is not None else name

    def report_phase(self) -> None:
        if self.bursts:                        # bursts after the last token (the monitor's final flush)
            self._sample_bursts()
        self.path = Path(setting("cov_out") or Path.cwd() / COV_FILE)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.cov.save_ucis(self.path, test_name=self.test_name())
        pct = self.cov.coverage()
        holes = self.cov.holes()
        self.logger.info(f"coverage: {self.tokens} token(s), {self.bursts_sampled} burst(s) sampled -> {self.path}")
        self.logger.info("coverage: " + ", ".join(f"{n} {p:.1f}%" for n, p in pct.items())
                         + f"; total {sum(pct.values()) / len(pct):.1f}%")
        self.logger.info("coverage: corner events " + ", ".join(f"{n[4:]} {v}" for n, v in self.corner_totals.items()))
        self.logger.info(f"coverage: {len(holes)} hole(s): {' '.join(holes)}")
