"""Types of the AXI4 slave BFM proxy verif/bfm/axi_mem_bfm.py (re-exported there): response and protocol-error
codes, the knobs (BfmKnobs, documented field by field) and the transaction records drained from the HDL."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple

from models.axi import AxiResp

OKAY, EXOKAY, SLVERR, DECERR = AxiResp.OKAY, AxiResp.EXOKAY, AxiResp.SLVERR, AxiResp.DECERR   # models/axi.py
PAGE_BITS = 12
PAGE = 1 << PAGE_BITS
N_ERR, N_RW = 8, 4                         # le_axi_slave_bfm parameters N_ERR / N_RW (defaults)
ADDR_W = 32
PROB_ONE = 1 << 16                         # probability registers: fractions of 65536

ERROR_CODES: dict[int, str] = {            # verif/hdl/le_axi_bfm_pkg.sv
    1: "ARVALID dropped before ARREADY", 2: "AR payload changed while stalled",
    3: "AWVALID dropped before AWREADY", 4: "AW payload changed while stalled",
    5: "WVALID dropped before WREADY", 6: "W payload changed while stalled",
    7: "burst crosses a 4 KB boundary", 8: "burst type not INCR", 9: "burst size not the bus width",
    10: "WLAST on the wrong beat", 11: "more W beats than AWLEN+1 (dropped)",
    12: "write outside the RW window (not applied)", 13: "read of unmapped address",
    14: "X/Z on a control signal", 15: "AWADDR not aligned to the bus",
}


@dataclass
class BfmKnobs:
    """Timing and error knobs of the memory (the names verif/cfg_item.py EngineCase.axi_mem uses).

    Probabilities are per cycle and channel (except p_rd_err / p_wr_err: per burst), in [0, 1], rounded to
    1/65536 and compared with the simulator's $urandom. Set knobs between transactions: a burst already accepted
    keeps its latency and random error. Cycle rules (an edge is a rising clock edge):
      read   an AR accepted at edge k may have its first beat transferred at edge k + 1 + L,
             L uniform in [lat_min, lat_max]; later beats follow back to back unless p_r_gap or the
             choice of another burst (reorder / interleave) intervenes;
      write  the B of a burst whose WLAST beat was accepted at edge k may be transferred at edge
             k + 1 + L, L uniform in [b_lat_min, b_lat_max].
    Error ranges (AxiMemBfm.add_error_range) take precedence over the random errors; a read of an unmapped page
    answers DECERR and a write outside the RW windows DECERR (both recorded as protocol errors).
    """
    lat_min: int = 0              # read: cycles from AR acceptance until the first beat may be driven
    lat_max: int = 0              #   (uniform in [lat_min, lat_max], per burst)
    p_ar_stall: float = 0.0       # ARREADY low in a cycle
    p_r_gap: float = 0.0          # RVALID low in a cycle where a beat could be driven
    reorder: bool = False         # bursts of different ARIDs complete in any order (per-ID order kept)
    interleave: bool = False      # R beats of different ARIDs interleaved (implies reorder)
    max_outstanding: int = 64     # per side: AR/AWREADY low while this many bursts are outstanding (read:
                                  #   AR accepted, last R beat not; write: AW accepted, B not); capped by the
                                  #   BFM's SLOTS parameter (32 by default); 0 means SLOTS
    p_aw_stall: float = 0.0       # AWREADY low in a cycle
    p_w_stall: float = 0.0        # WREADY low in a cycle
    b_lat_min: int = 0            # write: cycles from WLAST until the B response may be driven
    b_lat_max: int = 0            #   (uniform in [b_lat_min, b_lat_max], per burst)
    p_b_gap: float = 0.0          # BVALID low in a cycle where a response could be driven
    b_reorder: bool = False       # B responses of different AWIDs in any order
    w_early_max: int = 64         # W beats accepted ahead of their AW, then WREADY low (capped by the
                                  #   W_EARLY parameter, 64; 0 means W_EARLY)
    p_rd_err: float = 0.0         # a read burst answers rand_err_resp on every beat (decided at AR)
    p_wr_err: float = 0.0         # a write burst answers rand_err_resp and is not applied
    rand_err_resp: int = SLVERR   # response of the random errors (SLVERR or DECERR; 0 means SLVERR)
    record_wdata: bool = True     # keep W beats (data, strobes, resp) in the write records (off: faster,
                                  #   WriteBurst.beats empty)
    seed: int = 1                 # not used: the BFM draws from $urandom (simulator seed)


# The records are NamedTuples (immutable, ~4x cheaper to make than frozen dataclasses: a drain makes hundreds).
class ReadBurst(NamedTuple):
    arid: int
    addr: int                     # ARADDR
    arlen: int                    # beats - 1
    resp: int                     # worst RRESP of the burst
    t_ar: int                     # cycle of the AR handshake
    t_first: int                  # cycle of the first R beat handshake
    t_last: int                   # cycle of the last R beat handshake
    out_of_order: bool            # completed while an older burst was still outstanding
    interleaved: bool             # beats of another burst were transferred between its first and last

    @property
    def beats(self) -> int:
        return self.arlen + 1


class WriteBeatRec(NamedTuple):
    data: int
    strb: int
    resp: int                     # OKAY: applied; else not applied


class WriteBurst(NamedTuple):
    awid: int
    addr: int                     # AWADDR (bus aligned)
    awlen: int
    resp: int                     # BRESP
    t_aw: int                     # cycle of the AW handshake
    t_b: int                      # cycle of the B handshake
    beats: Sequence[WriteBeatRec] = ()    # empty if record_wdata is off or lost
    beats_lost: bool = False      # the beat ring was overwritten before the drain
