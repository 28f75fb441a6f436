"""Unit tests of verif/axi_mem.py without a simulator: the model's per-cycle steps are driven on fake signal handles.

Covers: read data and RLAST from the sparse memory, per-ID order under out-of-order + interleaved completion,
RVALID/payload held while RREADY is low, error ranges, and every recorded protocol check; on the write side
(verif/axi_mem_write.py): byte-wise WSTRB, W before AW, B per-ID order under out-of-order completion, BVALID held
while BREADY is low, the write log, error ranges, the RW-region rule (not applied) and every write protocol check.
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


# ---------------------------------------------------------------------------------------------- write side
def fake_wr_dut() -> Any:
    names = {"awid_o": 4, "awaddr_o": 32, "awlen_o": 8, "awsize_o": 3, "awburst_o": 2, "awvalid_o": 1,
             "awready_i": 1, "wdata_o": BB * 8, "wstrb_o": BB, "wlast_o": 1, "wvalid_o": 1, "wready_i": 1,
             "bid_i": 4, "bresp_i": 2, "bvalid_i": 1, "bready_o": 1}
    dut = SimpleNamespace(_name="fake_wr")
    for n, w in names.items():
        setattr(dut, f"m_axi_{n}", Sig(f"m_axi_{n}", w))
    return dut


def wstep(mem: AxiMem) -> None:
    assert mem.wr is not None
    mem.now += 1
    mem.wr.aw_edge()
    mem.wr.w_edge()
    mem.wr.b_edge()


class WMaster:
    """A cycle-stepped AXI write master on the fake DUT: queued AWs and W beats, each held until accepted;
    BREADY randomly low; records B responses and checks BVALID/payload held while BREADY is low."""

    def __init__(self, mem: AxiMem, rng: random.Random, p_bstall: float = 0.0) -> None:
        self.mem, self.dut, self.rng, self.p_bstall = mem, mem.dut, rng, p_bstall
        self.aws: list[dict[str, int]] = []
        self.ws: list[tuple[int, int, int]] = []
        self.bs: list[tuple[int, int]] = []
        self._held: tuple[int, int] | None = None

    def burst(self, awid: int, addr: int, datas: list[int], strb: int = (1 << BB) - 1, size: int = 4,
              burst: int = 1, awlen: int | None = None, last_at: int | None = None) -> None:
        n = len(datas)
        self.aws.append({"awid": awid, "awaddr": addr, "awlen": n - 1 if awlen is None else awlen,
                         "awsize": size, "awburst": burst})
        last = n - 1 if last_at is None else last_at
        self.ws += [(d, strb, int(i == last)) for i, d in enumerate(datas)]

    def run(self, n_b: int, cycles: int = 20_000) -> None:
        d = self.dut
        for _ in range(cycles):
            if not self.aws and not self.ws and len(self.bs) >= n_b:
                return
            b = (d.m_axi_bid_i.value, d.m_axi_bresp_i.value)
            if self._held is not None:
                assert d.m_axi_bvalid_i.value and b == self._held, "BVALID/payload not held while BREADY low"
            d.m_axi_bready_o.value = 0 if self.rng.random() < self.p_bstall else 1
            self._held = None
            if d.m_axi_bvalid_i.value:
                if d.m_axi_bready_o.value:
                    self.bs.append(b)
                else:
                    self._held = b
            aw_fire = bool(d.m_axi_awvalid_o.value and d.m_axi_awready_i.value)
            w_fire = bool(d.m_axi_wvalid_o.value and d.m_axi_wready_i.value)
            wstep(self.mem)
            if aw_fire:
                self.aws.pop(0)
            if w_fire:
                self.ws.pop(0)
            d.m_axi_awvalid_o.value = int(bool(self.aws))
            if self.aws:
                for k, v in self.aws[0].items():
                    getattr(d, f"m_axi_{k}_o").value = v
            d.m_axi_wvalid_o.value = int(bool(self.ws))
            if self.ws:
                d.m_axi_wdata_o.value, d.m_axi_wstrb_o.value, d.m_axi_wlast_o.value = self.ws[0]
        raise AssertionError(f"{len(self.aws)} AWs, {len(self.ws)} W beats left, {len(self.bs)} of {n_b} B responses")


def wr_mem(seed: int, **cfg: Any) -> AxiMem:
    mem = AxiMem(fake_wr_dut(), None, config=AxiMemConfig(seed=seed, **cfg))
    assert mem.wr is not None and not mem.has_read and mem.bus_bytes == BB
    mem.load(0x1000, bytes(0x3000))
    mem.add_rw_region(0x1000, 0x4000)
    return mem


def test_write_data_strobes_order_and_log() -> None:
    rng = random.Random(10)
    mem = wr_mem(11, p_aw_stall=0.7, p_w_stall=0.4, b_lat_min=0, b_lat_max=30, p_b_gap=0.3, b_reorder=True)
    m = WMaster(mem, rng, p_bstall=0.4)
    bursts = [(0, 0x1000, 4), (1, 0x2000, 8), (0, 0x1800, 3), (2, 0x3000, 5), (1, 0x3800, 2)]
    image = bytearray(0x3000)
    for awid, addr, n in bursts:
        datas = [int.from_bytes(rng.randbytes(BB), "little") for _ in range(n)]
        m.burst(awid, addr, datas)
        for i, dv in enumerate(datas):
            image[addr - 0x1000 + i * BB:addr - 0x1000 + (i + 1) * BB] = dv.to_bytes(BB, "little")
    strb_data = int.from_bytes(bytes(range(0xA0, 0xA0 + BB)), "little")
    m.burst(3, 0x3f00, [strb_data], strb=0b1010_0000_0000_0101)      # bytes 0, 2, 13, 15 only
    for j in (0, 2, 13, 15):
        image[0x2f00 + j] = 0xA0 + j
    m.run(n_b=6)
    assert not mem.errors, mem.errors
    assert mem.peek(0x1000, 0x3000) == bytes(image)
    for awid in (0, 1, 2, 3):                       # per-ID B order = AW order, all OKAY
        assert [r for i, r in m.bs if i == awid] == [OKAY] * sum(1 for b in bursts + [(3, 0, 1)] if b[0] == awid)
    log = mem.wr.log
    assert [b.addr for b in log] == [a + i * BB for _, a, n in bursts for i in range(n)] + [0x3f00]
    assert log[-1].strb == 0b1010_0000_0000_0101 and all(b.applied and b.resp == OKAY for b in log)
    st = mem.wr.stats
    assert st.bursts == 6 and st.beats == 23 and st.responses == 6 and st.max_outstanding >= 3
    assert st.aw_stall_cycles > 0 and st.w_stall_cycles > 0 and st.b_backpressure_cycles > 0
    assert st.early_beats > 0 and mem.wr.idle               # AWREADY stalls: W ran ahead of AW


def test_write_b_latency_and_reorder() -> None:
    rng = random.Random(12)
    mem = wr_mem(13, b_lat_min=10, b_lat_max=10)
    m = WMaster(mem, rng)
    m.burst(0, 0x1000, [1])
    m.run(n_b=1)
    assert mem.now >= 12                                     # AW+W edge, then 10 cycles of latency
    mem = wr_mem(14, b_lat_min=0, b_lat_max=40, b_reorder=True)
    m = WMaster(mem, rng)
    for k in range(8):
        m.burst(k, 0x1000 + 0x100 * k, [k])
    m.run(n_b=8)
    assert sorted(i for i, _ in m.bs) == list(range(8)) and [i for i, _ in m.bs] != list(range(8))


def test_write_error_ranges_and_rw_region() -> None:
    rng = random.Random(15)
    mem = wr_mem(16)
    mem.add_error_range(0x1010, 0x1020, SLVERR)
    mem.add_error_range(0x2000, 0x2010, DECERR)
    m = WMaster(mem, rng)
    m.burst(1, 0x1000, [0x11, 0x22, 0x33])                  # beat 1 -> SLVERR, not applied
    m.burst(2, 0x2000, [0x44])                               # DECERR
    m.burst(3, 0x3ff0, [0x55, 0x66])                         # second beat outside the RW region (and crosses 4 KB)
    m.run(n_b=3)
    assert dict(m.bs) == {1: SLVERR, 2: DECERR, 3: DECERR}
    assert mem.peek(0x1000, 1) == b"\x11" and mem.peek(0x1010, 1) == b"\x00" and mem.peek(0x1020, 1) == b"\x33"
    assert mem.peek(0x2000, 1) == b"\x00" and mem.peek(0x3ff0, 1) == b"\x55" and mem.peek(0x4000, 1) == b"\x00"
    assert [b.applied for b in mem.wr.log] == [True, False, True, False, True, False]
    assert any("outside the RW regions at 0x4000" in e for e in mem.errors)
    assert any("4 KB" in e for e in mem.errors) and len(mem.errors) == 2
    assert mem.wr.stats.errors == {SLVERR: 1, DECERR: 2}


def test_write_protocol_checks() -> None:
    rng = random.Random(17)
    mem = wr_mem(18)
    m = WMaster(mem, rng)
    m.burst(0, 0x1000, [1, 2], burst=2)                      # WRAP
    m.burst(0, 0x1100, [1, 2], size=3)                       # 8-byte beats on a 16-byte bus
    m.burst(0, 0x1208, [1])                                  # unaligned
    m.burst(0, 0x1300, [1, 2, 3], last_at=1)                 # WLAST early (the third beat starts nothing)
    m.run(n_b=4)
    for pat in ("AWBURST", "AWSIZE", "not aligned", "WLAST=1 on beat 1 of 3"):
        assert any(pat in e for e in mem.errors), pat
    mem = wr_mem(19)
    m = WMaster(mem, rng)
    m.burst(0, 0x1400, [1, 2, 3, 4], awlen=1, last_at=3)    # 4 beats for AWLEN=1: WLAST late, 2 extra beats
    m.run(n_b=1)
    assert any("WLAST=0 on beat 1 of 2" in e for e in mem.errors)
    assert sum("more W beats than AWLEN+1" in e for e in mem.errors) == 2
    assert mem.peek(0x1420, 1) == b"\x00", "extra beats must not be applied"
    # valid dropped / payload changed while stalled
    mem = wr_mem(20, p_aw_stall=1.0, p_w_stall=1.0)
    d = mem.dut
    d.m_axi_awvalid_o.value, d.m_axi_awaddr_o.value, d.m_axi_wvalid_o.value, d.m_axi_wdata_o.value = 1, 0x1000, 1, 5
    wstep(mem)
    d.m_axi_awaddr_o.value, d.m_axi_wdata_o.value = 0x1040, 6
    wstep(mem)
    d.m_axi_awvalid_o.value, d.m_axi_wvalid_o.value = 0, 0
    wstep(mem)
    for pat in ("AW payload changed", "W payload changed", "AWVALID dropped", "WVALID dropped"):
        assert any(pat in e for e in mem.errors), pat
    d.m_axi_wvalid_o.value = "x"
    wstep(mem)
    assert any("WVALID is X/Z" in e for e in mem.errors)


def test_write_early_beats_bounded() -> None:
    """W beats ahead of any AW: at most w_early_max are accepted, then WREADY stays low."""
    mem = wr_mem(21, p_aw_stall=1.0, w_early_max=3)
    d = mem.dut
    d.m_axi_wvalid_o.value, d.m_axi_wlast_o.value = 1, 0
    for _ in range(20):
        wstep(mem)
    assert mem.wr.stats.early_beats == 3 and not mem.wr.idle and mem.wr.stats.bursts == 0
    assert d.m_axi_wready_i.value == 0
