"""Unit tests of verif/axi_mem.py without a simulator: the model's per-cycle steps are driven on fake signal handles.

Covers: read data and RLAST from the sparse memory, per-ID order under out-of-order + interleaved completion,
RVALID/payload held while RREADY is low, error ranges, and every recorded protocol check.
"""

from __future__ import annotations

import random
from types import SimpleNamespace
from typing import Any

from verif.axi_mem import DECERR, OKAY, SLVERR, AxiMem, AxiMemConfig

BB = 16                                            # 128-bit bus


class Sig:
    def __init__(self, name: str, width: int = 1) -> None:
        self._name, self.width, self.value = name, width, 0

    def __len__(self) -> int:
        return self.width


def fake_dut() -> Any:
    names = {"arid_o": 4, "araddr_o": 32, "arlen_o": 8, "arsize_o": 3, "arburst_o": 2, "arvalid_o": 1,
             "arready_i": 1, "rid_i": 4, "rdata_i": BB * 8, "rresp_i": 2, "rlast_i": 1, "rvalid_i": 1, "rready_o": 1}
    dut = SimpleNamespace(_name="fake")
    for n, w in names.items():
        setattr(dut, f"m_axi_{n}", Sig(f"m_axi_{n}", w))
    return dut


def step(mem: AxiMem) -> None:
    mem.now += 1
    mem._ar_edge()
    mem._r_edge()


def issue(dut: Any, mem: AxiMem, arid: int, addr: int, beats: int, burst: int = 1, size: int = 4) -> None:
    """Hold ARVALID with a stable payload until the model accepts it."""
    dut.m_axi_arid_o.value, dut.m_axi_araddr_o.value, dut.m_axi_arlen_o.value = arid, addr, beats - 1
    dut.m_axi_arsize_o.value, dut.m_axi_arburst_o.value, dut.m_axi_arvalid_o.value = size, burst, 1
    for _ in range(1000):
        accepted = bool(dut.m_axi_arready_i.value)
        step(mem)
        if accepted:
            break
    dut.m_axi_arvalid_o.value = 0


def collect(dut: Any, mem: AxiMem, n: int, rng: random.Random, p_stall: float = 0.0) -> list[tuple[int, int, int, int]]:
    """(rid, data, resp, last) of the next n beats; RREADY randomly low; checks the hold rule."""
    got: list[tuple[int, int, int, int]] = []
    held: tuple[int, int, int, int] | None = None
    for _ in range(100_000):
        if len(got) == n:
            return got
        beat = (dut.m_axi_rid_i.value, dut.m_axi_rdata_i.value, dut.m_axi_rresp_i.value, dut.m_axi_rlast_i.value)
        if held is not None:
            assert dut.m_axi_rvalid_i.value and beat == held, "RVALID/payload not held while RREADY low"
        dut.m_axi_rready_o.value = 0 if rng.random() < p_stall else 1
        held = None
        if dut.m_axi_rvalid_i.value:
            if dut.m_axi_rready_o.value:
                got.append(beat)
            else:
                held = beat
        step(mem)
    raise AssertionError(f"{len(got)} of {n} beats")


def test_read_data_and_order_per_id() -> None:
    rng = random.Random(3)
    dut = fake_dut()
    mem = AxiMem(dut, None, config=AxiMemConfig(lat_min=0, lat_max=30, p_ar_stall=0.5, p_r_gap=0.3,
                                                reorder=True, interleave=True, seed=5))
    mem.load(0x1000, rng.randbytes(0x3000))
    bursts = [(0, 0x1000, 4), (1, 0x2000, 8), (0, 0x1800, 3), (2, 0x3000, 5), (1, 0x3800, 2)]
    for arid, addr, beats in bursts:
        issue(dut, mem, arid, addr, beats)
    got = collect(dut, mem, sum(b for _, _, b in bursts), rng, p_stall=0.4)
    for arid in {b[0] for b in bursts}:
        exp = [(int.from_bytes(mem.peek(a + i * BB, BB), "little"), OKAY, int(i == n - 1))
               for i_d, a, n in bursts if i_d == arid for i in range(n)]
        assert [(d, r, last) for i_d, d, r, last in got if i_d == arid] == exp
    assert not mem.errors
    assert mem.stats.bursts == 5 and mem.stats.beats == 22 and mem.stats.max_outstanding >= 4
    assert mem.stats.r_backpressure_cycles > 0


def test_error_ranges_and_unmapped() -> None:
    rng = random.Random(4)
    dut = fake_dut()
    mem = AxiMem(dut, None, config=AxiMemConfig(seed=6))
    mem.load(0x1000, bytes(range(256)) * 16)
    mem.add_error_range(0x1010, 0x1020, SLVERR)
    issue(dut, mem, 1, 0x1000, 3)
    assert [r for _, _, r, _ in collect(dut, mem, 3, rng)] == [OKAY, SLVERR, OKAY]
    assert not mem.errors
    issue(dut, mem, 1, 0x1ff0, 2)                  # last beat beyond the loaded region (and crosses 4 KB)
    assert [r for _, _, r, _ in collect(dut, mem, 2, rng)] == [OKAY, DECERR]
    assert any("unmapped" in e for e in mem.errors) and any("4 KB" in e for e in mem.errors)


def test_protocol_checks() -> None:
    rng = random.Random(5)
    dut = fake_dut()
    mem = AxiMem(dut, None, config=AxiMemConfig(seed=7))
    mem.load(0, bytes(0x2000))
    issue(dut, mem, 0, 0x100, 2, burst=2)          # WRAP
    issue(dut, mem, 0, 0x200, 2, size=3)           # 8-byte beats on a 16-byte bus
    collect(dut, mem, 4, rng)
    assert any("ARBURST" in e for e in mem.errors) and any("ARSIZE" in e for e in mem.errors)
    stalled = AxiMem(fake_dut(), None, config=AxiMemConfig(p_ar_stall=1.0, seed=8))
    sd = stalled.dut
    sd.m_axi_arvalid_o.value, sd.m_axi_araddr_o.value = 1, 0x40
    step(stalled)
    sd.m_axi_araddr_o.value = 0x80                 # payload changed while stalled
    step(stalled)
    sd.m_axi_arvalid_o.value = 0                   # valid dropped before ready
    step(stalled)
    assert any("changed while stalled" in e for e in stalled.errors)
    assert any("dropped before ARREADY" in e for e in stalled.errors)
    sd.m_axi_arvalid_o.value = "x"
    step(stalled)
    assert any("X/Z" in e for e in stalled.errors)
