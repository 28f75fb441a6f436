"""AXI4 encodings and limits: the Python side of rtl/le_axi_pkg.sv (one place for the models, the DMA schedule,
the testbench's bus models and coverage).

    AxiResp.SLVERR == 2;  AxiBurst.INCR == 1;  BOUNDARY_4K == 4096;  MAX_BURST_BEATS == 256
"""
from __future__ import annotations

from enum import IntEnum


class AxiResp(IntEnum):
    """RRESP / BRESP."""
    OKAY = 0
    EXOKAY = 1
    SLVERR = 2
    DECERR = 3


class AxiBurst(IntEnum):
    """ARBURST / AWBURST."""
    FIXED = 0
    INCR = 1
    WRAP = 2


BOUNDARY_4K = 4096          # an AXI4 burst must not cross a 4 KB address boundary
MAX_BURST_BEATS = 256       # AXI4 INCR burst length limit (AxLEN + 1)


def size_code(bus_bytes: int) -> int:
    """AxSIZE of a full-width beat: log2(bytes per beat)."""
    if bus_bytes < 1 or bus_bytes & (bus_bytes - 1) or bus_bytes > 128:
        raise ValueError(f"bus_bytes = {bus_bytes}: a power of two from 1 to 128")
    return bus_bytes.bit_length() - 1
