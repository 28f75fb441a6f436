"""The golden device's STATUS rules of docs/host_protocol.md section 5 that the RTL shares (rtl/le_token_ctrl.sv):
DONE describes the latest START (a rejected START clears it; a token in flight during a START_WHILE_BUSY still
reports its DONE), and an image exported for another bus width fails the accepted token with ILLEGAL_CONFIG."""
from __future__ import annotations

import asyncio
import dataclasses

import pytest

from models.bundle import Bundle, build_bundle
from models.ddr_layout import pack
from models.driver import (
    CTRL_START,
    DEFAULT_CSR_MAP,
    IRQ_DONE,
    IRQ_ERROR,
    STATUS_BUSY,
    STATUS_DONE,
    STATUS_ERROR,
    EngineDriver,
    EngineError,
    ErrorCode,
    logits_frame_bytes,
)
from models.golden_device import GoldenDevice

CSR = DEFAULT_CSR_MAP
IMAGE_BASE = 0x4000


@pytest.fixture(scope="module")
def bundle() -> Bundle:
    return build_bundle("tiny", 3, 4)


def rig(b: Bundle, image: bytes | None = None, bus_bits: int | None = None) -> tuple[GoldenDevice, EngineDriver]:
    dev = GoldenDevice(pack(b.qm) if image is None else image, IMAGE_BASE, bus_bits or b.cfg.axi_data_w)
    return dev, EngineDriver(dev, b.cfg.replace(axi_data_w=dev.axi_data_w), IMAGE_BASE)


def code(err: int) -> int:
    return err << 8


def test_rejected_start_clears_done(bundle):
    async def scenario() -> None:
        dev, drv = rig(bundle)
        await drv.configure()
        await drv.run_token(bundle.x[0], 0)
        assert dev.status == STATUS_DONE
        await dev.csr_write(CSR.TOKEN_POS, bundle.cfg.max_seq)          # illegal: rejected at START
        await dev.csr_write(CSR.CTRL, CTRL_START)
        assert await dev.csr_read(CSR.STATUS) == STATUS_ERROR | code(ErrorCode.ILLEGAL_CONFIG)   # 0x104, not 0x106
        assert dev.irq_status == IRQ_ERROR                               # the driver acknowledged DONE before
        await dev.csr_write(CSR.CTRL, CTRL_START)                        # rejected again while ERROR is set
        assert await dev.csr_read(CSR.STATUS) == STATUS_ERROR | code(ErrorCode.ILLEGAL_CONFIG)
    asyncio.run(scenario())


def test_start_rejected_while_error_is_set_clears_done(bundle):
    """START_WHILE_BUSY during a token: that token still ends with DONE (next to ERROR, 0x206); the next START
    is rejected (ERROR set) and clears that DONE (0x204): DONE describes the latest START."""
    async def scenario() -> None:
        dev, drv = rig(bundle)
        await drv.configure()
        await dev.csr_write(CSR.TOKEN_POS, 0)
        await dev.csr_write(CSR.CTRL, CTRL_START)                        # accepted, waits for X
        await dev.csr_write(CSR.CTRL, CTRL_START)                        # rejected: START_WHILE_BUSY
        assert dev.status == STATUS_BUSY | STATUS_ERROR | code(ErrorCode.START_WHILE_BUSY)
        frame = await dev.exchange(bundle.x[0].tobytes(), logits_frame_bytes(bundle.cfg))
        assert frame[:4 * bundle.cfg.vocab] == bundle.logits[0].astype("<i4").tobytes()
        assert dev.status == STATUS_DONE | STATUS_ERROR | code(ErrorCode.START_WHILE_BUSY)     # 0x206
        assert dev.irq_status == IRQ_DONE | IRQ_ERROR
        await dev.csr_write(CSR.CTRL, CTRL_START)
        assert dev.status == STATUS_ERROR | code(ErrorCode.START_WHILE_BUSY)                   # 0x204
    asyncio.run(scenario())


@pytest.mark.parametrize("image_bits,engine_bits", [(128, 64), (64, 128)])
def test_image_for_another_bus_width_fails_the_token(bundle, image_bits, engine_bits):
    """Header word 9 != the engine's width: the START is accepted (the header is read by the token), the token
    fails with ILLEGAL_CONFIG after a zero frame, and the detail is the one-line bus width message."""
    image = pack(dataclasses.replace(bundle.qm, cfg=bundle.cfg.replace(axi_data_w=image_bits)))

    async def scenario() -> None:
        dev, drv = rig(bundle, image, engine_bits)
        await drv.configure()
        await dev.csr_write(CSR.TOKEN_POS, 0)
        await dev.csr_write(CSR.CTRL, CTRL_START)
        assert dev.status == STATUS_BUSY
        n = logits_frame_bytes(drv.cfg)
        assert await dev.exchange(bundle.x[0].tobytes(), n) == bytes(n)
        assert dev.status == STATUS_ERROR | code(ErrorCode.ILLEGAL_CONFIG)
        assert dev.error_detail.endswith(f": bundle made for a {image_bits}-bit bus, engine is {engine_bits}-bit: "
                                         f"re-export with --bus-width {engine_bits}")
        await drv.soft_reset()
        with pytest.raises(EngineError) as info:                     # the same through the driver
            await drv.run_token(bundle.x[0], 0)
        assert info.value.code is ErrorCode.ILLEGAL_CONFIG
    asyncio.run(scenario())
