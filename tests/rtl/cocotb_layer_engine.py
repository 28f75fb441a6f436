"""cocotb tests of the `layer_engine` top level, driven only through models.driver.EngineDriver
(launcher: tests/rtl/test_rtl_layer_engine.py; the bus width is read from the DUT).

The test functions live here (cocotb collects tests only from the module the launcher names); the harness is
split by job:
  engine_settings.py  plusarg / environment selection and knobs (le_bundles, le_knobs, le_tests, le_seed)
  engine_model.py     the expected results: the bundle packed for the DUT's bus at IMAGE_BASE, the beats a token
                      moves, first-divergence reports for the logits and the KV region
  engine_monitors.py  memory-model snapshots at every irq rise, a cycle counter
  engine_env.py       start_env (clock, memory, reset, driver) and Env: the checks of one good token (token_ok)
                      and of one failing token (token_error)
  engine_bus.py       the host side (AXI4-Lite master, X source, logits sink, irq)

test_bitexact: each bundle of le_bundles, tokens at positions 0..T-1, every check of Env.token_ok (every logit
and the whole KV region bit-exact, perf counters, write log, irq raised once with the bus drained).
Error tests (codes 1..6): tokens 0..ERROR_POS-1 bit-exact, then the error is provoked at ERROR_POS and checked by
Env.token_error (STATUS.ERR_CODE, the irq raised with the AXI drained, the all-zero logits frame of an accepted
token (an error that strikes while the logits stream may leave a correct prefix, then zeros), no bus activity
after ERROR, no write outside the failing token's K/V rows); then soft reset and re-run the failed position
bit-exact.

Selection / knobs, from plusargs (+le_<name>=...) or environment variables (LE_<NAME>), plusargs first:
le_bundles (bundle:tokens list for test_bitexact), le_knobs (stress / calm), le_tests (regex over the test names),
le_seed; their defaults and meaning are in engine_settings.py.
"""
from __future__ import annotations

from typing import Any, Awaitable, Callable

import cocotb
import numpy as np

from engine_env import CSR, Env, start_env
from engine_model import HEADER_BYTES, IMAGE_BASE, first_logit_divergence
from engine_settings import bundle_list, selected
from models import csr_map
from models.driver import (CTRL_START, IRQ_ALL, STATUS_BUSY, STATUS_DONE, STATUS_ERROR, ErrorCode, logits_frame_bytes,
                           status_error_code)
from verif.axi_mem import DECERR, SLVERR

ERROR_POS = 2                     # error tests: tokens 0..ERROR_POS-1 first, then the error at ERROR_POS


# ---------------------------------------------------------------------------------------------- bit-exact
@cocotb.test(skip=not selected("test_bitexact"))
async def test_bitexact(dut: Any) -> None:
    """Each bundle of le_bundles: tokens at positions 0..T-1, every check of Env.token_ok."""
    for name, tokens in bundle_list():
        env = await start_env(dut, name, tokens)
        total = 0
        for pos in range(tokens):
            total += (await env.token_ok(pos)).perf["cycles"]
        env.log(f"{name}: {tokens} tokens bit-exact (logits, KV, perf), {total} engine cycles in all")
        env.close()



# ---------------------------------------------------------------------------------------------- errors
async def error_env(dut: Any) -> Env:
    """The tiny bundle with tokens 0..ERROR_POS-1 run bit-exact: the state every error test starts from."""
    env = await start_env(dut, "tiny", 8)
    for pos in range(ERROR_POS):
        await env.token_ok(pos)
    return env


def header_addr(word: int) -> int:
    """DDR address of 32-bit word `word` of the image header."""
    return IMAGE_BASE + 4 * word


HEADER_WORD = {"d_model": 2, "n_heads": 3, "d_head": 4, "d_ff": 5, "n_layers": 6, "vocab": 7, "max_seq": 8}


@cocotb.test(skip=not selected("test_err1_illegal_config"))
async def test_err1_illegal_config(dut: Any) -> None:
    """ILLEGAL_CONFIG at START for each rule, each followed by soft reset, reconfigure and a bit-exact token.
    Where a rule is about the dims, the image header is patched to agree with the illegal CSRs, so only the
    rule under test can reject the token."""
    env = await error_env(dut)
    cfg, bus, drv = env.cfg, env.bus, env.driver
    lanes, pos = cfg.lanes, ERROR_POS
    f = csr_map.FIELDS
    hw = await bus.csr_read(CSR["HW_PARAMS"])
    dims = await bus.csr_read(CSR["HW_MAX_DIMS"])
    max_layers = hw >> f["HW_PARAMS"]["MAX_N_LAYERS"][0] & 0xFF
    max_d_ff = dims >> f["HW_MAX_DIMS"]["MAX_D_FF"][0] & 0xFFFF
    small_head = lanes // 2            # a legal product n_heads * d_head = d_model, d_head not whole beats

    def dims_case(**values: int) -> Callable[[], Awaitable[None]]:
        async def provoke() -> None:
            for k, v in values.items():
                await bus.csr_write(CSR[k.upper()], v)
                env.mem.poke(header_addr(HEADER_WORD[k]), v.to_bytes(4, "little"))
            await drv.run_token(env.model.x[pos], pos)
        return provoke

    def csr_case(**values: int) -> Callable[[], Awaitable[None]]:
        async def provoke() -> None:
            for k, v in values.items():
                await bus.csr_write(CSR[k], v & 0xFFFF_FFFF)
            await drv.run_token(env.model.x[pos], pos)
        return provoke

    async def bad_pos() -> None:
        await drv.run_token(env.model.x[pos], cfg.max_seq)

    async def bad_magic() -> None:
        env.mem.poke(IMAGE_BASE, bytes([env.model.image[0] ^ 1]))
        await drv.run_token(env.model.x[pos], pos)

    unaligned = IMAGE_BASE + 32
    cases = [
        ("d_model = 0", dims_case(d_model=0)),
        ("n_heads * d_head != d_model", dims_case(n_heads=cfg.n_heads + 1)),
        ("d_ff not a multiple of the lanes", dims_case(d_ff=cfg.d_ff + lanes // 2)),
        ("d_head not a multiple of the lanes", dims_case(d_head=small_head, n_heads=cfg.d_model // small_head)),
        ("d_ff above HW_MAX_DIMS.MAX_D_FF", dims_case(d_ff=max_d_ff + lanes)),
        ("n_layers above HW_PARAMS.MAX_N_LAYERS", dims_case(n_layers=max_layers + 1)),
        ("TOKEN_POS = MAX_SEQ", bad_pos),
        ("IMAGE_BASE not 64-byte aligned", csr_case(IMAGE_BASE_LO=unaligned, KV_BASE_LO=unaligned + env.layout.kv_base)),
        ("KV_BASE != IMAGE_BASE + kv_base", csr_case(KV_BASE_LO=env.kv_lo + 64)),
        ("CSR max_seq disagrees with the image header", csr_case(MAX_SEQ=cfg.max_seq // 2)),
        ("image header magic corrupted", bad_magic),
    ]
    # models/driver.py step 3: what the CSRs alone decide rejects START; the checks that need the layout or DDR
    # (KV_BASE, the image header) fail the accepted token (all-zero frame).
    at_start = {"d_model = 0", "n_heads * d_head != d_model", "d_ff not a multiple of the lanes",
                "d_head not a multiple of the lanes", "d_ff above HW_MAX_DIMS.MAX_D_FF",
                "n_layers above HW_PARAMS.MAX_N_LAYERS", "TOKEN_POS = MAX_SEQ", "IMAGE_BASE not 64-byte aligned"}
    for label, provoke in cases:
        env.log(f"ILLEGAL_CONFIG case: {label}")
        bad = pos if label != "TOKEN_POS = MAX_SEQ" else cfg.max_seq
        try:
            await env.token_error(bad, ErrorCode.ILLEGAL_CONFIG, provoke, accepted=label not in at_start)
        except AssertionError as e:
            raise AssertionError(f"case '{label}': {e}") from None
        env.mem.poke(IMAGE_BASE, env.model.image[:HEADER_BYTES])     # restore the header
        await drv.configure()
        await env.token_ok(pos)
    env.close()


@cocotb.test(skip=not selected("test_err2_start_while_busy"))
async def test_err2_start_while_busy(dut: Any) -> None:
    """A second START while a token is in flight: START_WHILE_BUSY, and the in-flight token continues to
    completion (bit-exact logits and K/V, DONE) as in models/golden_device.py; then soft reset and a re-run."""
    env = await error_env(dut)
    bus, pos, cfg = env.bus, ERROR_POS, env.cfg
    what = f"START_WHILE_BUSY at pos {pos}"
    irq0 = len(env.watch.rises)
    await bus.csr_write(CSR["TOKEN_POS"], pos)
    await bus.csr_write(CSR["CTRL"], CTRL_START)
    status = await bus.csr_read(CSR["STATUS"])
    assert status == STATUS_BUSY, f"{what}: STATUS {status:#x} after the first START"
    await bus.csr_write(CSR["CTRL"], CTRL_START)
    status = await bus.csr_read(CSR["STATUS"])
    assert status & STATUS_ERROR and status & STATUS_BUSY and status_error_code(status) == ErrorCode.START_WHILE_BUSY, \
        f"{what}: STATUS {status:#x} after the second START"
    assert len(env.watch.rises) > irq0 and int(dut.irq.value), f"{what}: no ERROR irq"
    bus.timeout_cycles = env.token_timeout(pos)
    frame = await bus.exchange(env.model.x[pos].tobytes(), logits_frame_bytes(cfg))
    got = np.frombuffer(frame, dtype="<i4", count=cfg.vocab)
    div = first_logit_divergence(got, env.model.logits[pos])
    assert not div, f"{what}: in-flight token: {div}"
    for _ in range(env.token_timeout(pos) // 10):
        status = await bus.csr_read(CSR["STATUS"])
        if not status & STATUS_BUSY:
            break
    assert status == STATUS_DONE | STATUS_ERROR | ErrorCode.START_WHILE_BUSY << 8, \
        f"{what}: STATUS {status:#x} once the in-flight token ended (DONE and the kept ERROR expected)"
    env.filled = pos + 1
    env.check_kv(env.model.kv_bytes(env.filled), f"{what}: in-flight token")
    env.check_mem_clean(what)
    assert env.mem.rd_outstanding == 0 and env.mem.wr.idle
    await bus.csr_write(CSR["IRQ_STATUS"], IRQ_ALL)
    assert not int(dut.irq.value)
    await env.driver.soft_reset()
    await env.token_ok(pos)
    await env.token_ok(pos + 1)
    env.close()


@cocotb.test(skip=not selected("test_err2_soft_reset_abandons_waiting_token"))
async def test_err2_soft_reset_abandons_waiting_token(dut: Any) -> None:
    """tests/test_driver.py's sequence: a START is accepted (the token waits for X), the driver's START is rejected
    with START_WHILE_BUSY, and the soft reset abandons the waiting token; the position is then re-run."""
    env = await error_env(dut)
    bus, pos = env.bus, ERROR_POS
    await bus.csr_write(CSR["TOKEN_POS"], pos)

    async def provoke() -> None:
        await bus.csr_write(CSR["CTRL"], CTRL_START)            # accepted: waits for X
        await env.cycles(50)                                    # let it issue its first reads
        await env.driver.run_token(env.model.x[pos], pos)       # its START is rejected

    await env.token_error(pos, ErrorCode.START_WHILE_BUSY, provoke, accepted=False, drained=False)
    await env.token_ok(pos)
    await env.token_ok(pos + 1)
    env.close()


@cocotb.test(skip=not selected("test_err3_axi_read_error"))
async def test_err3_axi_read_error(dut: Any) -> None:
    """SLVERR on a beat in the middle of L1's W1 weights, DECERR on the last beat of the logits weights."""
    env = await error_env(dut)
    lay, pos, bb = env.layout, ERROR_POS, env.bb
    w1, lw = lay.by_name["L1.w1.w"], lay.by_name["logits.w"]
    for label, addr, resp in (("SLVERR mid L1.w1.w", IMAGE_BASE + w1.base + w1.size // 2 // bb * bb, SLVERR),
                              ("DECERR last beat of logits.w", IMAGE_BASE + lw.base + (lw.size - 1) // bb * bb, DECERR)):
        late = label.startswith("DECERR")       # strikes while logits stream: a correct prefix may be out
        env.log(f"AXI_READ_ERROR case: {label} at {addr:#x}")
        rng = (addr, addr + bb, resp)
        env.mem.add_error_range(*rng)

        async def provoke() -> None:
            await env.driver.run_token(env.model.x[pos], pos)

        await env.token_error(pos, ErrorCode.AXI_READ_ERROR, provoke, accepted=True, allow_prefix=late)
        env.mem.remove_error_range(*rng)
        await env.token_ok(pos)
    env.close()


@cocotb.test(skip=not selected("test_err4_axi_write_error"))
async def test_err4_axi_write_error(dut: Any) -> None:
    """SLVERR on the last K/V append of the token (L1, last head, V), DECERR on the first (L0, head 0, K)."""
    env = await error_env(dut)
    lay, pos, bb, cfg = env.layout, ERROR_POS, env.bb, env.cfg
    for label, (layer, head, which), resp in (("SLVERR last V append", (cfg.n_layers - 1, cfg.n_heads - 1, 1), SLVERR),
                                              ("DECERR first K append", (0, 0, 0), DECERR)):
        addr = IMAGE_BASE + lay.kv_addr(layer, head, which, pos)
        env.log(f"AXI_WRITE_ERROR case: {label} at {addr:#x}")
        rng = (addr, addr + bb, resp)
        env.mem.add_error_range(*rng)

        async def provoke() -> None:
            await env.driver.run_token(env.model.x[pos], pos)

        await env.token_error(pos, ErrorCode.AXI_WRITE_ERROR, provoke, accepted=True)
        env.mem.remove_error_range(*rng)
        await env.token_ok(pos)
    env.close()


async def x_framing_error(dut: Any, code: ErrorCode, mangles: list[tuple[str, Callable[[bytes], bytes]]]) -> None:
    """For each (label, mangle): send the X stream of the token at ERROR_POS through `mangle`, expect `code`, then
    re-run the position bit-exact."""
    env = await error_env(dut)
    pos = ERROR_POS
    for label, mangle in mangles:
        env.log(f"{code.name} case: {label}")

        async def provoke(mangle: Callable[[bytes], bytes] = mangle) -> None:
            env.bus.mangle_next_x = mangle
            await env.driver.run_token(env.model.x[pos], pos)

        await env.token_error(pos, code, provoke, accepted=True)
        await env.token_ok(pos)
    env.close()


@cocotb.test(skip=not selected("test_err5_x_tlast_early"))
async def test_err5_x_tlast_early(dut: Any) -> None:
    """TLAST one beat early; TLAST on the right beat with a short TKEEP (one byte missing)."""
    bb = len(dut.m_axi_rdata) // 8
    await x_framing_error(dut, ErrorCode.X_TLAST_EARLY, [("one beat short", lambda x: x[:-bb]),
                                                         ("one byte short", lambda x: x[:-1])])


@cocotb.test(skip=not selected("test_err6_x_tlast_late"))
async def test_err6_x_tlast_late(dut: Any) -> None:
    """One whole extra beat; one extra byte (a partial extra beat)."""
    bb = len(dut.m_axi_rdata) // 8
    await x_framing_error(dut, ErrorCode.X_TLAST_LATE, [("one extra beat", lambda x: x + bytes(bb)),
                                                        ("one extra byte", lambda x: x + b"\x01")])
