"""Host driver protocol against the golden device: bit-exact tokens, KV write-back, perf counters, every
error code the device can produce with recovery by soft reset, host-side input checks, and traffic."""
from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import numpy as np
import pytest

from models.bundle import Bundle, build_bundle
from models.ddr_layout import pack, pack_kv
from models.driver import (
    CTRL_START,
    DEFAULT_CSR_MAP,
    DEFAULT_TOKEN_TIMEOUT_S,
    IRQ_ERROR,
    STATUS_DONE,
    STATUS_ERROR,
    EngineDriver,
    EngineError,
    ErrorCode,
    ProtocolError,
    logits_frame_bytes,
)
from models.golden_device import GoldenDevice
from models.schedule import schedule_beats, token_schedule
from models.traffic import RegionBytes, Traffic, roofline_cycles, token_traffic

TOKENS = 8
IMAGE_BASE = 0x1_2000_0000          # above 4 GiB, so the _HI halves of the base CSRs matter
CSR = DEFAULT_CSR_MAP
ERROR_AT = 3                         # tokens 0..2 run cleanly before an error is provoked


@pytest.fixture(scope="module")
def bundle() -> Bundle:
    return build_bundle("tiny", 3, TOKENS)


class FaultyLink:
    """An EngineBus passing through to a device; `mangle_next_x` rewrites the X of the next exchange
    (a broken stream source), which the driver's own input checks would never let through."""

    def __init__(self, device: GoldenDevice) -> None:
        self.device = device
        self.mangle_next_x: Callable[[bytes], bytes] | None = None

    async def csr_read(self, addr: int) -> int:
        return await self.device.csr_read(addr)

    async def csr_write(self, addr: int, value: int) -> None:
        await self.device.csr_write(addr, value)

    async def exchange(self, x: bytes, n_logit_bytes: int) -> bytes:
        mangle, self.mangle_next_x = self.mangle_next_x, None
        return await self.device.exchange(mangle(x) if mangle else x, n_logit_bytes)

    async def wait_irq(self, timeout_s: float | None) -> None:
        await self.device.wait_irq(timeout_s)


class FastClockLink(FaultyLink):
    """A FaultyLink whose wait_irq records every timeout it is given and waits 1/SPEEDUP of it, so the
    driver's 60 s default elapses in 60 ms of real time."""

    SPEEDUP = 1000.0

    def __init__(self, device: GoldenDevice) -> None:
        super().__init__(device)
        self.timeouts: list[float | None] = []

    async def wait_irq(self, timeout_s: float | None) -> None:
        self.timeouts.append(timeout_s)
        await self.device.wait_irq(None if timeout_s is None else timeout_s / self.SPEEDUP)


class Rig:
    """A golden device holding the bundle's image, a faulty-link bus in front of it, and a driver."""

    def __init__(self, b: Bundle, image: bytes | None = None,
                 link: Callable[[GoldenDevice], FaultyLink] = FaultyLink) -> None:
        self.bundle = b
        self.device = GoldenDevice(pack(b.qm) if image is None else image, IMAGE_BASE, b.cfg.axi_data_w)
        self.link = link(self.device)
        self.driver = EngineDriver(self.link, b.cfg, IMAGE_BASE)

    def kv_region(self) -> bytes:
        return self.device.read_ddr(self.driver.kv_base_addr, self.driver.layout.kv_size)

    async def run_and_check(self, positions: range) -> None:
        for pos in positions:
            result = await self.driver.run_token(self.bundle.x[pos], pos)
            assert result.logits.tolist() == self.bundle.logits[pos].tolist(), f"token {pos}"


def kv_upto(b: Bundle, n_tokens: int) -> np.ndarray:
    """The bundle's KV cache with only positions 0..n_tokens-1 filled."""
    kv = b.kv.copy()
    kv[:, :, :, n_tokens:] = 0
    return kv


# ---- the happy path --------------------------------------------------------------------------------------
def test_all_tokens_bit_exact_and_kv_written_back(bundle):
    async def scenario() -> None:
        rig = Rig(bundle)
        await rig.driver.configure()
        for pos in range(TOKENS):
            result = await rig.driver.run_token(bundle.x[pos], pos, timeout_s=5.0)
            assert result.logits.dtype == np.int32 and result.logits.shape == (bundle.cfg.vocab,)
            assert np.array_equal(result.logits, bundle.logits[pos]), f"token {pos}"
            assert result.status == STATUS_DONE
            assert not rig.device.irq, "the driver acknowledges DONE"
        assert rig.kv_region() == pack_kv(bundle.layout, bundle.kv)
    asyncio.run(scenario())


def test_perf_counters_equal_token_traffic(bundle):
    async def scenario() -> None:
        rig = Rig(bundle)
        await rig.driver.configure()
        cfg, layout = bundle.cfg, bundle.layout
        reads = []
        for pos in range(TOKENS):
            perf = (await rig.driver.run_token(bundle.x[pos], pos)).perf
            traffic = token_traffic(layout, pos)
            rd_beats, wr_beats = schedule_beats(token_schedule(layout, pos), cfg.bus_bytes)
            # bytes moved on the bus: whole beats (a few tensors end mid-beat), never less than requested
            assert perf == {"cycles": roofline_cycles(traffic, cfg), "rd_stall_cycles": 0,
                            "bytes_rd": rd_beats * cfg.bus_bytes, "bytes_wr": wr_beats * cfg.bus_bytes}
            assert traffic.bytes_read <= perf["bytes_rd"] < traffic.bytes_read + 64 * len(layout.tensors)
            assert perf["bytes_wr"] == traffic.bytes_written
            reads.append(perf["bytes_rd"])
        growth = 2 * cfg.n_layers * cfg.n_heads * cfg.d_head
        assert np.diff(reads).tolist() == [growth] * (TOKENS - 1)
    asyncio.run(scenario())


def test_kv_preloaded_by_backdoor_is_honoured(bundle):
    """Resume at position 4 from a KV cache written into DDR behind the engine's back."""
    async def scenario() -> None:
        rig = Rig(bundle)
        rig.device.write_ddr(rig.driver.kv_base_addr, pack_kv(bundle.layout, kv_upto(bundle, 4)))
        await rig.driver.configure()
        logits = await rig.driver.run(bundle.x[4:], start_pos=4)
        assert np.array_equal(logits, bundle.logits[4:])
        assert rig.kv_region() == pack_kv(bundle.layout, bundle.kv)
    asyncio.run(scenario())


# ---- every error the golden device produces, and recovery ------------------------------------------------
Provoke = Callable[[Rig], Awaitable[None]]


async def error_then_recover(b: Bundle, provoke: Provoke, reconfigure: bool = False) -> EngineError:
    """Run tokens before ERROR_AT, provoke an EngineError, check the KV region is untouched and the irq
    acknowledged, soft-reset, then the remaining tokens must match the bundle bit for bit."""
    rig = Rig(b)
    await rig.driver.configure()
    await rig.run_and_check(range(ERROR_AT))
    kv_before = rig.kv_region()
    with pytest.raises(EngineError) as info:
        await provoke(rig)
    assert rig.kv_region() == kv_before, "an errored token writes nothing to DDR"
    assert rig.device.status & STATUS_ERROR and not rig.device.irq
    await rig.driver.soft_reset()
    assert await rig.link.csr_read(CSR.STATUS) == 0
    if reconfigure:
        await rig.driver.configure()
    await rig.run_and_check(range(ERROR_AT, TOKENS))
    assert rig.kv_region() == pack_kv(b.layout, b.kv)
    return info.value


def check_error(err: EngineError, code: ErrorCode) -> None:
    assert err.code is code
    assert code.name in str(err) and "\n" not in str(err)
    assert (err.status >> 8) & 0xFF == code


async def run_next_token(rig: Rig) -> None:
    await rig.driver.run_token(rig.bundle.x[ERROR_AT], ERROR_AT)


def test_illegal_config_bad_n_heads(bundle):
    async def provoke(rig: Rig) -> None:
        await rig.link.csr_write(CSR.N_HEADS, 3)           # 3 * d_head != d_model
        await run_next_token(rig)
    err = asyncio.run(error_then_recover(bundle, provoke, reconfigure=True))
    check_error(err, ErrorCode.ILLEGAL_CONFIG)


def test_illegal_config_token_pos_beyond_max_seq(bundle):
    async def provoke(rig: Rig) -> None:
        await rig.driver.run_token(bundle.x[ERROR_AT], bundle.cfg.max_seq)
    check_error(asyncio.run(error_then_recover(bundle, provoke)), ErrorCode.ILLEGAL_CONFIG)


def test_illegal_config_dims_disagree_with_image_header(bundle):
    async def scenario() -> None:
        rig = Rig(bundle)
        rig.driver = EngineDriver(rig.link, bundle.cfg.replace(max_seq=32), IMAGE_BASE)
        await rig.driver.configure()
        with pytest.raises(EngineError) as info:
            await rig.driver.run_token(bundle.x[0], 0)
        check_error(info.value, ErrorCode.ILLEGAL_CONFIG)
        assert "header" in rig.device.error_detail
    asyncio.run(scenario())


def test_start_while_busy(bundle):
    async def provoke(rig: Rig) -> None:
        await rig.link.csr_write(CSR.CTRL, CTRL_START)     # accepted: busy, waiting for X
        await run_next_token(rig)                          # its START is rejected
    check_error(asyncio.run(error_then_recover(bundle, provoke)), ErrorCode.START_WHILE_BUSY)


def test_x_tlast_early(bundle):
    async def provoke(rig: Rig) -> None:
        rig.link.mangle_next_x = lambda x: x[:-bundle.cfg.bus_bytes]
        await run_next_token(rig)
    check_error(asyncio.run(error_then_recover(bundle, provoke)), ErrorCode.X_TLAST_EARLY)


def test_x_tlast_late(bundle):
    async def provoke(rig: Rig) -> None:
        rig.link.mangle_next_x = lambda x: x + bytes(bundle.cfg.bus_bytes)
        await run_next_token(rig)
    check_error(asyncio.run(error_then_recover(bundle, provoke)), ErrorCode.X_TLAST_LATE)


def test_injected_axi_read_error_is_sticky_until_soft_reset(bundle):
    async def provoke(rig: Rig) -> None:
        rig.device.inject_axi_read_error()
        with pytest.raises(EngineError) as first:
            await run_next_token(rig)
        check_error(first.value, ErrorCode.AXI_READ_ERROR)
        await run_next_token(rig)                          # rejected at START, same code kept
    check_error(asyncio.run(error_then_recover(bundle, provoke)), ErrorCode.AXI_READ_ERROR)


# ---- irq, protocol misuse ----------------------------------------------------------------------------------
def test_masked_done_irq_times_out(bundle):
    async def scenario() -> None:
        rig = Rig(bundle)
        await rig.driver.configure()
        await rig.link.csr_write(CSR.IRQ_ENABLE, IRQ_ERROR)
        with pytest.raises(TimeoutError):
            await rig.driver.run_token(bundle.x[0], 0, timeout_s=0.05)
        assert await rig.link.csr_read(CSR.STATUS) == STATUS_DONE
        await rig.link.csr_write(CSR.IRQ_STATUS, 0b11)
        assert await rig.link.csr_read(CSR.IRQ_STATUS) == 0
    asyncio.run(scenario())


def test_default_timeout_is_finite_and_raises_a_clear_error(bundle):
    """With DONE masked the irq never comes: the default timeout (not an endless wait) ends the token."""
    async def scenario() -> None:
        rig = Rig(bundle, link=FastClockLink)
        await rig.driver.configure()
        await rig.link.csr_write(CSR.IRQ_ENABLE, IRQ_ERROR)
        with pytest.raises(TimeoutError) as info:
            await rig.driver.run_token(bundle.x[0], 0)
        assert rig.link.timeouts == [DEFAULT_TOKEN_TIMEOUT_S]
        msg = str(info.value)
        assert "\n" not in msg and "pos 0" in msg and "no irq" in msg and f"{DEFAULT_TOKEN_TIMEOUT_S} s" in msg
        assert "timeout_s=None" in msg
        await rig.driver.soft_reset()                      # as the message says; IRQ_ENABLE is kept
        with pytest.raises(TimeoutError):
            await rig.driver.run(bundle.x[1:2], start_pos=1)
        assert rig.link.timeouts[-1] == DEFAULT_TOKEN_TIMEOUT_S
    assert 0 < DEFAULT_TOKEN_TIMEOUT_S < float("inf")
    asyncio.run(scenario())


def test_timeout_none_still_waits_forever(bundle):
    """An explicit None reaches the bus unchanged (and a healthy token still completes)."""
    async def scenario() -> None:
        rig = Rig(bundle, link=FastClockLink)
        await rig.driver.configure()
        result = await rig.driver.run_token(bundle.x[0], 0, timeout_s=None)
        assert np.array_equal(result.logits, bundle.logits[0])
        logits = await rig.driver.run(bundle.x[1:3], start_pos=1, timeout_s=None)
        assert np.array_equal(logits, bundle.logits[1:3])
        assert rig.link.timeouts == [None, None, None]
    asyncio.run(scenario())


def test_exchange_without_start_is_a_protocol_error(bundle):
    async def scenario() -> None:
        rig = Rig(bundle)
        await rig.driver.configure()
        with pytest.raises(ProtocolError):
            await rig.device.exchange(bundle.x[0].tobytes(), logits_frame_bytes(bundle.cfg))
    asyncio.run(scenario())


# ---- host-side input checks --------------------------------------------------------------------------------
class UntouchableBus:
    """Fails the test on any bus access."""

    async def csr_read(self, addr: int) -> int:
        raise AssertionError("bus touched")

    async def csr_write(self, addr: int, value: int) -> None:
        raise AssertionError("bus touched")

    async def exchange(self, x: bytes, n_logit_bytes: int) -> bytes:
        raise AssertionError("bus touched")

    async def wait_irq(self, timeout_s: float | None) -> None:
        raise AssertionError("bus touched")


@pytest.mark.parametrize("bad_x, pos", [
    (np.zeros(32, dtype=np.int16), 0),
    (np.zeros((1, 32), dtype=np.int8), 0),
    (np.zeros(31, dtype=np.int8), 0),
    ([0] * 32, 0),
    (np.zeros(32, dtype=np.int8), -1),
    (np.zeros(32, dtype=np.int8), 1 << 32),
])
def test_bad_input_is_a_one_line_value_error_before_the_bus(bundle, bad_x, pos):
    driver = EngineDriver(UntouchableBus(), bundle.cfg)
    with pytest.raises(ValueError) as info:
        asyncio.run(driver.run_token(bad_x, pos))
    assert "\n" not in str(info.value)


# ---- traffic ----------------------------------------------------------------------------------------------
def tiny_read_only_bytes() -> int:
    """Hand count for tiny: d_model 32, 2 heads of 16, d_ff 64, 2 layers, vocab 97, 4 GELU banks."""
    d, h, dh, f, layers, vocab, banks = 32, 2, 16, 64, 2, 97, 4
    per_layer = (h * 3 * dh * d             # interleaved wqkv, per head
                 + 3 * 3 * d * 4            # wq/wk/wv bias, mult, shift (int32)
                 + 4 * h * 4                # score_mult/shift, o_mult/shift
                 + d * d + 3 * d * 4        # wo weights + requant
                 + 2 * d * 4 + 8 + 2 * d * 4   # res1 x/r mults, ln1 eps (int64), ln1 gamma/beta
                 + f * d + 3 * f * 4        # w1 weights + requant
                 + banks * 256 + f          # GELU LUTs + bank ids
                 + d * f + 3 * d * 4        # w2 weights + requant
                 + 2 * d * 4 + 8 + 2 * d * 4)  # res2 mults, ln2 eps, ln2 gamma/beta
    logits = vocab * d + vocab * 4          # exp_lut is a ROM in the RTL: never read
    return 64 + layers * per_layer + logits  # + the 64-byte header, checked by the engine


def test_tiny_traffic_by_hand(bundle):
    layout, cfg = bundle.layout, bundle.cfg
    assert tiny_read_only_bytes() == 29636
    kv_row_pairs = 2 * 2 * 2                # layers * heads * (K, V)
    for pos, want_read, want_cycles in ((0, 29636, 1853), (5, 29636 + kv_row_pairs * 16 * 5, 1893)):
        t = token_traffic(layout, pos)
        assert (t.bytes_read, t.bytes_written) == (want_read, kv_row_pairs * 16)
        assert t.by_region["kv"] == RegionBytes(kv_row_pairs * 16 * pos, 128)
        assert t.by_region["header"] == RegionBytes(64, 0) and "exp_lut" not in t.by_region
        assert sum(r.read for r in t.by_region.values()) == t.bytes_read
        assert roofline_cycles(t, cfg) == want_cycles == -(-want_read // 16)
    assert roofline_cycles(Traffic(10, 100), cfg) == 7     # write channel bound
    with pytest.raises(ValueError):
        token_traffic(layout, cfg.max_seq)
