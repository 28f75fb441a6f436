"""Pure parts of the env's coverage subscriber and transaction log (no simulator)."""
from __future__ import annotations

import hashlib
import itertools
from types import SimpleNamespace

from verif.bfm.axi_mem_bfm import ReadBurst, WriteBeatRec, WriteBurst
from verif.env.coverage_sub import classify_bursts
from verif.env.txn_log import TxnLog, burst_line

BB = 8     # 64-bit bus


def rd(addr: int, beats: int, t_ar: int, t_last: int, arid: int = 0) -> ReadBurst:
    return ReadBurst(arid=arid, addr=addr, arlen=beats - 1, resp=0, t_ar=t_ar, t_first=t_ar + 1, t_last=t_last,
                     out_of_order=False, interleaved=False)


def wr(addr: int, beats: int) -> WriteBurst:
    return WriteBurst(awid=0, addr=addr, awlen=beats - 1, resp=0, t_aw=1, t_b=9,
                      beats=[WriteBeatRec(data=i, strb=0xFF, resp=0) for i in range(beats)])


def test_split_4k_needs_a_continuation() -> None:
    a = rd(0x1F80, 16, 10, 30)               # ends at 0x2000 ...
    b = rd(0x2000, 16, 12, 40)               # ... and the transfer goes on there
    c = rd(0x2F80, 16, 50, 70)               # ends at 0x3000, nothing continues: not a split
    d = rd(0x4000, 256, 80, 400)             # 256 beats ending on a boundary: the length limit, not a split
    e = rd(0x4800, 16, 500, 520)             # (starts where d ends)
    s = classify_bursts([(False, x) for x in (a, b, c, d, e)], BB)
    assert [x.split_4k for x in s] == [True, False, False, False, False]
    assert [x.beats for x in s] == [16, 16, 16, 256, 16]
    w = classify_bursts([(True, wr(0xFE0, 4)), (True, wr(0x1000, 4))], BB)
    assert [x.split_4k for x in w] == [True, False] and all(x.outstanding == 0 for x in w)


def test_outstanding_depth_from_cycle_stamps() -> None:
    bursts = [rd(0x0, 16, 10, 40), rd(0x80, 16, 11, 50), rd(0x100, 16, 12, 60), rd(0x180, 16, 13, 70),
              rd(0x200, 16, 41, 80), rd(0x280, 16, 100, 110)]
    s = classify_bursts([(False, b) for b in bursts], BB)
    # the AR at 41 comes after the first burst's last beat (40): three others outstanding then
    assert [x.outstanding for x in s] == [1, 2, 3, 4, 4, 1]


def test_outstanding_depth_matches_the_pairwise_count() -> None:
    """The sorted-stamp count equals the plain definition (1 + the other reads with t_ar <= b.t_ar <= t_last) on
    random bursts with ties."""
    import random
    rng = random.Random(7)
    for _ in range(200):
        bursts = []
        for _ in range(rng.randrange(1, 30)):
            t_ar = rng.randrange(0, 60)
            bursts.append(rd(0x40 * rng.randrange(64), 2, t_ar, t_ar + rng.randrange(0, 30)))
        want = [1 + sum(1 for o in bursts if o is not b and o.t_ar <= b.t_ar <= o.t_last) for b in bursts]
        assert [x.outstanding for x in classify_bursts([(False, b) for b in bursts], BB)] == want


def test_burst_lines_are_stable() -> None:
    r = burst_line(False, rd(0x100FC0, 8, 103, 111, arid=2))
    assert r == "R id=2 addr=0x100fc0 len=8 resp=0 t_ar=103 t_first=104 t_last=111 ooo=0 il=0"
    w1, w2 = burst_line(True, wr(0x2000, 4)), burst_line(True, wr(0x2000, 4))
    assert w1 == w2 and w1.startswith("W id=0 addr=0x2000 len=4 resp=0 t_aw=1 t_b=9 data=")
    other = WriteBurst(awid=0, addr=0x2000, awlen=3, resp=0, t_aw=1, t_b=9,
                       beats=[WriteBeatRec(data=i + 1, strb=0xFF, resp=0) for i in range(4)])
    assert burst_line(True, other) != w1                     # the data is part of the fingerprint


_N = itertools.count()


def _log(items) -> TxnLog:
    t = TxnLog(f"txn_log_unit_{next(_N)}", None)       # pyuvm components need unique names under the root
    t.build_phase()
    for write, b in items:
        t.write_burst(SimpleNamespace(write=write, burst=b))
    t.write_csr(SimpleNamespace(write=True, addr=0x10, data=1, resp=0))
    t.write_irq(SimpleNamespace(level=1, time_ns=1234.0))
    return t


def test_txn_log_hash_is_the_sha256_of_its_text() -> None:
    a = _log([(False, rd(0x0, 16, 10, 40)), (True, wr(0x2000, 4))])
    b = _log([(False, rd(0x0, 16, 10, 40)), (True, wr(0x2000, 4))])
    c = _log([(False, rd(0x0, 16, 10, 41)), (True, wr(0x2000, 4))])     # one cycle stamp differs
    assert a.sha256 == b.sha256 == hashlib.sha256(a.text().encode()).hexdigest()
    assert c.sha256 != a.sha256
    assert a.counts == dict(burst=2, frame=0, csr=1, irq=1)
