"""Error tests of the pyuvm env: every ERR_CODE of models/driver.py ErrorCode, provoked, checked and recovered from.

AxiErrorTest        SLVERR / DECERR on reads (a weight tile beat, the last beat of the logits weights, a KV context
                    row) and on writes (a K append, a V append), injected as AxiCtrlItem error ranges on the memory
                    agent's sequencer, then random per-burst errors (BfmKnobs p_rd_err, then p_wr_err; the expected
                    outcome is decided from the memory's own record of the bursts it failed). Each failing token:
                    ERR_CODE 3 / 4 with the error irq, raised with no AXI burst outstanding and nothing issued after
                    it, writes only inside its own K/V rows (and no memory-BFM protocol error: a write outside the
                    RW window = the KV region is one), soft reset leaves the bus idle, and the same position
                    re-runs bit-exact.
IllegalConfigTest   every ILLEGAL_CONFIG rule: rejected at START (no stream, no AXI traffic) for what the CSRs alone
                    decide (STATUS ERROR without DONE), the accepted token failing (zero frame) for KV_BASE and the
                    image header (magic, a dim, the bus width word of an image exported for the other width); soft
                    reset, reconfigure and a bit-exact re-run after each.
ResetMidTokenTest   CTRL.SOFT_RESET before X, during the weights and during the logits stream (random delays),
                    STATUS polled to 0 with the bus drained, the logits sink resynchronised, the abandoned position
                    re-run bit-exact; then one hard reset (rst_n) mid-token (X already sent, so the source BFM is
                    idle) followed by reconfigure and a bit-exact re-run; then a START written while a soft reset
                    drains: ignored (STATUS 0, IRQ_STATUS 0, no irq rise after the drain), then a bit-exact re-run.
XFramingTest        X frames of the wrong length: TLAST 1..n beats early with full TKEEP, 1..bus-1 bytes short
                    (TLAST on the right beat with a partial TKEEP) -> X_TLAST_EARLY; 1..3 whole extra beats, 1..bus-1
                    extra bytes (a partial extra beat) -> X_TLAST_LATE; the failed token writes only its own K/V rows,
                    then the position re-runs bit-exact; then a SOFT_RESET written while a failed token (image
                    header read SLVERR) drains with X stopped mid-frame: kept, the drain ends at once (STATUS 0, no
                    ERROR, no irq), then a bit-exact re-run
StartWhileBusyTest  a second START before X, while the weights stream and while the logits stream: rejected with
                    START_WHILE_BUSY, the token in flight completes bit-exact with DONE and ERROR; a token waiting
                    for X abandoned by the soft reset that clears a rejected START (verif/env/busy_seq.py)
Every token goes through the scoreboard (ErrorTokenChecker: failed, rejected and aborted tokens too). All random
choices come from the test's seeds (self.seeds.python).
"""
from __future__ import annotations

import random

import pyuvm
from cocotb.triggers import ClockCycles

from models import csr_map
from models.ddr_layout import HDR_AXI_DATA_W, base_ending_past
from models.driver import CTRL_SOFT_RESET, CTRL_START, STATUS_BUSY, ErrorCode
from verif.agents.axi4 import AxiCtrlItem
from verif.bfm.axi_mem_bfm import DECERR, SLVERR
from verif.env.busy_seq import POINTS, BusySeq
from verif.env.error_checker import REJECTED, ErrorTokenChecker
from verif.env.error_seqs import AUTO, ErrorSeq, ErrorWatch, ErrPlan
from verif.tests.base import IMAGE_BASE, BaseTest

HEADER_WORD = {"d_model": 2, "n_heads": 3, "d_head": 4, "d_ff": 5, "n_layers": 6, "vocab": 7, "max_seq": 8,
               "w_tile_rows": 10, "ctx_tile": 11}
CSR = csr_map.REGISTERS
F = csr_map.FIELDS


class ErrorTestBase(BaseTest):
    """BaseTest with the error watch, the error-aware checker, and `scenario(seq)` instead of the plan list."""
    bundle = "tiny"
    tokens = 24
    seq_class: type[ErrorSeq] = ErrorSeq

    def build_phase(self) -> None:
        super().build_phase()
        self.watch = ErrorWatch("watch", self)
        self.rng = random.Random(self.seeds.python)

    def connect_phase(self) -> None:
        self.env.irq.monitor.ap.connect(self.watch.irq_export)
        self.env.mem.monitor.ap.connect(self.watch.burst_export)
        self.env.scoreboard.checker = ErrorTokenChecker(self.env.ec.layout, self.env.ec.image_base)

    def good(self, pos: int, label: str = "") -> ErrPlan:
        return ErrPlan(self.x[pos], pos, label=label)

    async def scenario(self, seq: ErrorSeq) -> None:
        raise NotImplementedError

    async def run_phase(self) -> None:
        self.raise_objection()
        await self.power_on()
        self.watch.bfm = self.env.mem_bfm
        lay = self.env.ec.layout
        kv_lo = IMAGE_BASE + lay.kv_base
        assert self.env.mem_bfm.s.rw == [(kv_lo, kv_lo + lay.kv_size)], \
            f"memory BFM RW windows {self.env.mem_bfm.s.rw}: the KV region only expected (writes elsewhere are " \
            f"protocol errors, checked after every token)"
        self.logger.info(f"{type(self).__name__}: {self.seeds.describe()}")
        seq = self.seq_class(self.env, self.watch, hard_reset=self.reset)
        await seq.start()                              # configure
        await self.scenario(seq)
        for line in seq.elog.lines:
            self.logger.info(line)
        prefixes = self.env.scoreboard.checker.prefixes
        if prefixes:
            self.logger.info(f"failed tokens that streamed a correct logits prefix (token, logits): {prefixes}")
        await ClockCycles(self.dut.clk, 10)
        self.drop_objection()


# ------------------------------------------------------------------------------------------------- AXI errors
@pyuvm.test()
class AxiErrorTest(ErrorTestBase):
    random_tokens = 2                   # tokens per random-error knob (p_rd_err, then p_wr_err)

    async def scenario(self, seq: ErrorSeq) -> None:
        rng, lay, bb, cfg = self.rng, self.env.ec.layout, self.env.ec.cfg.bus_bytes, self.env.ec.cfg
        for pos in range(2):
            assert await seq.token(self.good(pos)) == 0
        pos = 2

        def beat(region: str, which: str = "mid") -> int:
            r = lay.by_name[region]
            beats = r.size // bb
            k = beats - 1 if which == "last" else rng.randrange(beats)
            return IMAGE_BASE + r.base + k * bb

        layer, head = rng.randrange(cfg.n_layers), rng.randrange(cfg.n_heads)
        weight = rng.choice([f"L{layer}.h{head}.wqkv", f"L{layer}.wo.w", f"L{layer}.w1.w", f"L{layer}.w2.w"])
        ctx_which, ctx_row = rng.randrange(2), rng.randrange(pos)
        cases = [
            (f"read SLVERR in {weight}", beat(weight), SLVERR, True, ErrorCode.AXI_READ_ERROR),
            ("read DECERR on the last beat of logits.w", beat("logits.w", "last"), DECERR, True,
             ErrorCode.AXI_READ_ERROR),
            (f"read {'SLVERR' if ctx_row % 2 else 'DECERR'} on the L{layer}.h{head} {'KV'[ctx_which]} context row "
             f"{ctx_row}", IMAGE_BASE + lay.kv_addr(layer, head, ctx_which, ctx_row), SLVERR if ctx_row % 2 else DECERR,
             True, ErrorCode.AXI_READ_ERROR),
        ]
        for which, resp in ((0, SLVERR), (1, DECERR)):
            wl, wh = rng.randrange(cfg.n_layers), rng.randrange(cfg.n_heads)
            cases.append((f"write {'SLVERR' if resp == SLVERR else 'DECERR'} on the L{wl}.h{wh} "
                          f"{'KV'[which]} append", None, resp, False, ErrorCode.AXI_WRITE_ERROR, (wl, wh, which)))
        for case in cases:
            label, addr, resp, read, code = case[:5]
            if addr is None:
                wl, wh, which = case[5]
                addr = IMAGE_BASE + lay.kv_addr(wl, wh, which, pos)
            await seq.axi(AxiCtrlItem(error_range=(addr, addr + bb, resp), reads=read, writes=not read))
            err = await seq.token(ErrPlan(self.x[pos], pos, int(code), label=f"{label} at {addr:#x}"))
            got = seq.watch.err_reads if read else seq.watch.err_writes
            assert got, f"{label}: the memory answered no error (the range was not hit)"
            await seq.axi(AxiCtrlItem(clear_errors=True))
            assert err == code
            assert await seq.token(self.good(pos, f"re-run after {label}")) == 0
            pos += 1
        # random per-burst errors, one kind at a time (the first error decides the code)
        for knob in ("p_rd_err", "p_wr_err"):
            for _ in range(self.random_tokens):
                p = rng.uniform(0.004, 0.02) if knob == "p_rd_err" else rng.uniform(0.05, 0.2)
                resp = rng.choice([SLVERR, DECERR])
                await seq.knobs(**{knob: p, "rand_err_resp": resp})
                err = await seq.token(ErrPlan(self.x[pos], pos, AUTO, label=f"{knob}={p:.3f} resp {resp}"))
                await seq.knobs(p_rd_err=0.0, p_wr_err=0.0)
                if err:
                    assert await seq.token(self.good(pos, f"re-run after {knob}")) == 0
                pos += 1
        self.logger.info(f"AxiErrorTest: error codes seen {seq.elog.codes}")


# ------------------------------------------------------------------------------------------------- illegal config
@pyuvm.test()
class IllegalConfigTest(ErrorTestBase):
    async def scenario(self, seq: ErrorSeq) -> None:
        rng, cfg, bus, mem = self.rng, self.env.ec.cfg, seq.bus, self.env.mem_bfm
        lanes, lay, image = cfg.lanes, self.env.ec.layout, self.env.ec.image
        hw = await bus.csr_read(CSR["HW_PARAMS"])
        dims = await bus.csr_read(CSR["HW_MAX_DIMS"])
        field = lambda word, reg, name: word >> F[reg][name][0] & ((1 << F[reg][name][1]) - 1)
        assert field(hw, "HW_PARAMS", "LANES") == lanes
        maxima = {"n_heads": field(hw, "HW_PARAMS", "MAX_N_HEADS"), "n_layers": field(hw, "HW_PARAMS", "MAX_N_LAYERS"),
                  "d_model": field(dims, "HW_MAX_DIMS", "MAX_D_MODEL"), "d_ff": field(dims, "HW_MAX_DIMS", "MAX_D_FF")}
        for pos in range(2):
            assert await seq.token(self.good(pos)) == 0
        pos = 2
        zero_dim = rng.choice(list(HEADER_WORD))
        big_dim = rng.choice(list(maxima))
        odd = rng.randrange(1, lanes)                   # not a multiple of the lanes
        small_head = lanes // 2
        kv_base = IMAGE_BASE + lay.kv_base
        other_bus = 64 if cfg.axi_data_w == 128 else 128    # an image exported for the other bus width
        unaligned = rng.choice([8, 16, 32, 48]) if lanes == 8 else rng.choice([16, 32, 48])
        past = base_ending_past(len(image))                # the header readable, the image's end beyond 2**32
        # (label, CSR values with the header patched to agree, raw CSR values, TOKEN_POS, accepted)
        cases: list[tuple[str, dict[str, int], dict[str, int], int | None, bool]] = [
            (f"{zero_dim} = 0", {zero_dim: 0}, {}, None, False),
            (f"{big_dim} above its maximum {maxima[big_dim]}", {big_dim: maxima[big_dim] + lanes}, {}, None, False),
            (f"d_model not a multiple of the lanes (+{odd})", {"d_model": cfg.d_model + odd}, {}, None, False),
            (f"d_ff not a multiple of the lanes (+{odd})", {"d_ff": cfg.d_ff + odd}, {}, None, False),
            ("d_head not a multiple of the lanes", {"d_head": small_head, "n_heads": cfg.d_model // small_head}, {},
             None, False),
            ("n_heads * d_head != d_model", {"n_heads": cfg.n_heads + 1}, {}, None, False),
            ("TOKEN_POS >= MAX_SEQ", {}, {}, rng.choice([cfg.max_seq, cfg.max_seq + rng.randrange(1, 1000),
                                                        0xFFFF_FFFF]), False),
            (f"IMAGE_BASE not 64-byte aligned (+{unaligned})", {},
             {"IMAGE_BASE_LO": IMAGE_BASE + unaligned, "KV_BASE_LO": kv_base + unaligned}, None, False),
            ("KV_BASE not 64-byte aligned", {}, {"KV_BASE_LO": kv_base + unaligned}, None, False),
            ("KV_BASE != IMAGE_BASE + kv_base", {}, {"KV_BASE_LO": kv_base + 64 * rng.choice([-2, -1, 1, 2])},
             None, True),
            ("MAX_SEQ CSR disagrees with the image header", {}, {"MAX_SEQ": cfg.max_seq // 2}, None, True),
            ("image header magic corrupted", {}, {}, None, True),
            (f"header bus width {other_bus} != engine {cfg.axi_data_w}", {}, {}, None, True),
            (f"image ending past the 32-bit address space (IMAGE_BASE {past:#x})", {},
             {"IMAGE_BASE_LO": past, "KV_BASE_LO": past + lay.kv_base, "KV_BASE_HI": (past + lay.kv_base) >> 32},
             None, True),
        ]
        for label, dims_vals, raw, csr_pos, accepted in cases:
            for k, v in dims_vals.items():
                await bus.csr_write(CSR[k.upper()], v)
                mem.poke(IMAGE_BASE + 4 * HEADER_WORD[k], v.to_bytes(4, "little"))
            for k, v in raw.items():
                await bus.csr_write(CSR[k], v & 0xFFFF_FFFF)
            if label.startswith("image header magic"):
                mem.poke(IMAGE_BASE, bytes([image[0] ^ (1 << rng.randrange(8))]))
            if label.startswith("header bus width"):
                mem.poke(IMAGE_BASE + 4 * HDR_AXI_DATA_W, other_bus.to_bytes(4, "little"))
            if label.startswith("image ending past"):
                mem.poke(past, image[:64])                          # its header, where the engine reads it
            plan = ErrPlan(self.x[pos], pos, int(ErrorCode.ILLEGAL_CONFIG), kind="" if accepted else REJECTED,
                           csr_pos=csr_pos, label=label)
            assert await seq.token(plan) == ErrorCode.ILLEGAL_CONFIG, label
            mem.poke(IMAGE_BASE, image[:64])                        # restore the header
            await seq.driver.configure()
            assert await seq.token(self.good(pos, f"re-run after {label}")) == 0
            pos += 1


# ------------------------------------------------------------------------------------------------- resets
@pyuvm.test()
class ResetMidTokenTest(ErrorTestBase):
    async def scenario(self, seq: ErrorSeq) -> None:
        rng = self.rng
        for pos in range(2):
            assert await seq.token(self.good(pos)) == 0
        cycles = seq.last_cycles
        frame_cycles = 4 * self.env.ec.cfg.vocab * self.env.ec.cfg.d_model // self.env.ec.cfg.bus_bytes // 4
        pos = 2
        resets = [("before_x", rng.randrange(0, 200), False),
                  ("weights", rng.randrange(20, max(40, cycles * 6 // 10)), False),
                  ("logits", rng.randrange(0, max(2, frame_cycles // 3)), False),
                  ("before_x", rng.randrange(0, 40), False)]
        hard_point = rng.choice(["weights", "logits"])
        resets.append((hard_point, rng.randrange(20, max(40, cycles * 6 // 10)) if hard_point == "weights" else
                       rng.randrange(0, max(2, frame_cycles // 3)), True))
        for point, delay, hard in resets:
            await seq.aborted_token(self.x[pos], pos, point, delay, hard=hard)
            assert await seq.token(self.good(pos, f"re-run after the {'hard' if hard else 'soft'} reset")) == 0
            assert await seq.token(self.good(pos + 1)) == 0
            pos += 2
        await self.start_during_drain(seq, pos, rng.randrange(20, max(40, cycles * 6 // 10)))
        assert await seq.token(self.good(pos, "re-run after the START written during the drain")) == 0

    async def start_during_drain(self, seq: ErrorSeq, pos: int, delay: int) -> None:
        """A START written while a soft reset drains is ignored entirely: the drain ends with STATUS 0,
        IRQ_STATUS 0 and no irq rise, and the START is not latched (STATUS stays 0). Read latency 150 cycles
        (with bursts outstanding while the weights stream) keeps the drain longer than the two CSR writes."""
        env, bus, csr, x = self.env, seq.bus, seq.driver.csr, self.x[pos]
        index = seq.announce_aborted(pos, x)
        what = f"token {index} pos {pos} (START during the soft-reset drain, weights +{delay} cycles)"
        await seq.knobs(lat_min=150, lat_max=150)
        env.mem.monitor.flush()
        beats0 = seq.sink_beats()
        await seq.start_token(pos, what)
        await seq.reach("weights", delay, beats0, x)
        seq.watch.begin()
        await bus.csr_write(csr.CTRL, CTRL_SOFT_RESET)
        await bus.csr_write(csr.CTRL, CTRL_START)
        during = await bus.csr_read(csr.STATUS)
        assert during == STATUS_BUSY, f"{what}: STATUS {during:#x} right after the START, BUSY (draining) expected"
        status = await seq.poll_idle(2000)
        if status != 0:
            raise AssertionError(f"{what}: STATUS {status:#x} never read 0 (the START was taken after the drain?)")
        await seq.wait_cycles(50)
        status, irq_status = await bus.csr_read(csr.STATUS), await bus.csr_read(csr.IRQ_STATUS)
        assert status == 0 and irq_status == 0 and not seq.watch.rises, \
            f"{what}: STATUS {status:#x}, IRQ_STATUS {irq_status:#x}, {len(seq.watch.rises)} irq rise(s) after " \
            f"the drain: the START must be ignored entirely"
        await seq.knobs(lat_min=0, lat_max=0)
        seq.close_aborted(index, status, what)


# ------------------------------------------------------------------------------------------------- X framing
@pyuvm.test()
class XFramingTest(ErrorTestBase):
    async def scenario(self, seq: ErrorSeq) -> None:
        rng, bb, d = self.rng, self.env.ec.cfg.bus_bytes, self.env.ec.cfg.d_model
        for pos in range(2):
            assert await seq.token(self.good(pos)) == 0
        pos = 2
        early, late = int(ErrorCode.X_TLAST_EARLY), int(ErrorCode.X_TLAST_LATE)
        beats = d // bb
        short_beats = rng.randrange(1, beats) if beats > 1 else 0
        short_bytes, extra_beats, extra_bytes = rng.randrange(1, bb), rng.randrange(1, 4), rng.randrange(1, bb)
        cases = [(f"TLAST {short_beats} beat(s) early, full TKEEP", -short_beats * bb, early),
                 (f"{short_bytes} byte(s) short: TLAST on the last beat with a partial TKEEP", -short_bytes, early),
                 (f"{extra_beats} extra beat(s)", extra_beats * bb, late),
                 (f"{extra_bytes} extra byte(s): a partial extra beat", extra_bytes, late)]
        for label, change, code in cases:
            if change == 0:                  # d_model is one beat: no whole beat can be left out
                continue
            x = self.x[pos].tobytes()
            frame = x[:change] if change < 0 else x + bytes(rng.randrange(256) for _ in range(change))
            plan = ErrPlan(self.x[pos], pos, code, label=f"{label} ({len(frame)} of {d} bytes)", x_bytes=frame)
            assert await seq.token(plan) == code, label
            assert await seq.token(self.good(pos, f"re-run after {label}")) == 0
            pos += 1
        if beats > 1:
            await self.soft_reset_in_error_drain(seq, pos, rng.randrange(1, beats))
            assert await seq.token(self.good(pos, "re-run after the soft reset in an error drain")) == 0

    async def soft_reset_in_error_drain(self, seq: ErrorSeq, pos: int, sent: int) -> None:
        """A soft reset written while a failed token drains, waiting for X's TLAST, is kept and ends the drain.
        The token's first read (the image header) answers SLVERR and X stops after `sent` of its beats without
        TLAST: an error drain waits for TLAST, a soft reset does not, so SOFT_RESET alone (one write, no second
        one after the drain) must bring STATUS to 0 with no ERROR and no irq; the beats sent were taken and
        dropped (docs/host_protocol.md "Half-sent X"). A lost soft-reset request leaves the drain waiting."""
        env, bus, csr, x, bb = self.env, seq.bus, seq.driver.csr, self.x[pos], self.env.ec.cfg.bus_bytes
        index = seq.announce_aborted(pos, x)
        what = f"token {index} pos {pos} (SOFT_RESET in an error drain, X stopped after {sent} beat(s))"
        await seq.axi(AxiCtrlItem(error_range=(IMAGE_BASE, IMAGE_BASE + bb, SLVERR), reads=True, writes=False))
        env.mem.monitor.flush()
        seq.watch.begin()
        await seq.start_token(pos, what)
        await bus.send_x(x.tobytes()[:sent * bb], keep_last=[((1 << bb) - 1, False)] * sent)
        for _ in range(200):                           # the header's error response, then the drain
            env.mem.monitor.flush()
            if seq.watch.err_reads:
                break
            await seq.wait_cycles(10)
        else:
            raise AssertionError(f"{what}: the image header read was not answered SLVERR")
        await seq.wait_cycles(50)
        draining = await bus.csr_read(csr.STATUS)
        assert draining == STATUS_BUSY, f"{what}: STATUS {draining:#x} before the soft reset, BUSY (draining) expected"
        await bus.csr_write(csr.CTRL, CTRL_SOFT_RESET)
        status = await seq.poll_idle(seq.driver.reset_polls)
        if status != 0:
            raise AssertionError(f"{what}: STATUS {status:#x} after {seq.driver.reset_polls} reads: the drain still "
                                 f"waits for X's TLAST (the soft-reset request was lost)")
        irq_status = await bus.csr_read(csr.IRQ_STATUS)
        assert irq_status == 0 and not seq.watch.rises, \
            f"{what}: IRQ_STATUS {irq_status:#x}, {len(seq.watch.rises)} irq rise(s): the soft reset must end the " \
            f"drain with no ERROR event"
        await seq.axi(AxiCtrlItem(clear_errors=True))
        seq.close_aborted(index, status, what)


# ------------------------------------------------------------------------------------------------- START while busy
@pyuvm.test()
class StartWhileBusyTest(ErrorTestBase):
    seq_class = BusySeq

    async def scenario(self, seq: ErrorSeq) -> None:
        assert isinstance(seq, BusySeq)
        rng = self.rng
        for pos in range(2):
            assert await seq.token(self.good(pos)) == 0
        cycles = seq.last_cycles
        frame_cycles = max(2, self.env.ec.cfg.vocab * 4 // self.env.ec.cfg.bus_bytes)
        pos = 2
        for point in POINTS:
            delay = {"before_x": rng.randrange(0, 200), "weights": rng.randrange(20, max(40, cycles * 6 // 10)),
                     "logits": rng.randrange(0, max(2, frame_cycles // 3))}[point]
            await seq.in_flight(self.x[pos], pos, point, delay)
            assert await seq.token(self.good(pos, f"re-run after the second START at {point}")) == 0
            assert await seq.token(self.good(pos + 1)) == 0
            pos += 2
        await seq.abandon_waiting(self.x[pos], pos, rng.randrange(0, 200))
        assert await seq.token(self.good(pos, "re-run after the abandoned token")) == 0
        assert await seq.token(self.good(pos + 1)) == 0
