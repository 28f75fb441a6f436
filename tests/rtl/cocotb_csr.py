"""cocotb test of the generated CSR block rtl/csr/le_csr_reg.sv (launcher: test_rtl_csr.py).

The DUT is tests/hdl/le_csr_reg_tb.sv, a wrapper that only flattens the regblock's hwif structs into plain
ports (Verilator's VPI cannot reach unpacked-struct members) and ties IRQ_STATUS hwclr to the SOFT_RESET
pulse as the engine top level will. The AXI4-Lite port is driven by the small master below (no
cocotbext-axi): every signal is driven just after a falling edge and a handshake is decided on the
value of READY in the ReadOnly phase of that time step, i.e. the value the slave presents at the next
rising edge.

Expected values come from models/csr_map.py (generated from the RDL), never from the DUT.
"""

from __future__ import annotations

import random
from typing import Any

import cocotb
from cocotb.clock import Clock
from cocotb.triggers import FallingEdge, ReadOnly, RisingEdge

from models import csr_map

R = csr_map.REGISTERS
OKAY, SLVERR = 0, 2
CONFIG_REGS = ("D_MODEL", "N_HEADS", "D_HEAD", "D_FF", "N_LAYERS", "VOCAB", "MAX_SEQ", "W_TILE_ROWS",
               "CTX_TILE", "TOKEN_POS", "IMAGE_BASE_LO", "IMAGE_BASE_HI", "KV_BASE_LO", "KV_BASE_HI")
CONFIG_PORTS = {"D_MODEL": "d_model_o", "N_HEADS": "n_heads_o", "D_HEAD": "d_head_o", "D_FF": "d_ff_o",
                "N_LAYERS": "n_layers_o", "VOCAB": "vocab_o", "MAX_SEQ": "max_seq_o",
                "W_TILE_ROWS": "w_tile_rows_o", "CTX_TILE": "ctx_tile_o", "TOKEN_POS": "token_pos_o"}
PERF_PORTS = {"PERF_CYCLES": "perf_cycles_i", "PERF_RD_STALL_CYCLES": "perf_rd_stall_cycles_i",
              "PERF_BYTES_RD": "perf_bytes_rd_i", "PERF_BYTES_WR": "perf_bytes_wr_i"}
READ_ONLY_REGS = tuple(r for r, f in csr_map.ACCESS.items() if set(f.values()) == {"RO"})
TIMEOUT_CYCLES = 50


def mask(reg: str, field: str) -> int:
    return csr_map.field_mask(reg, field)


class AxiLiteMaster:
    """Minimal AXI4-Lite master on the s_axil_* ports (one transaction at a time)."""

    def __init__(self, dut: Any) -> None:
        self.dut, self.clk = dut, dut.clk
        for name in ("awvalid", "wvalid", "bready", "arvalid", "rready", "awaddr", "awprot", "wdata", "wstrb",
                     "araddr", "arprot"):
            getattr(dut, f"s_axil_{name}").value = 0

    def _sig(self, name: str) -> Any:
        return getattr(self.dut, f"s_axil_{name}")

    async def _wait(self, pending: dict[str, str]) -> None:
        """`pending`: valid -> ready signal names, valids already high. Returns at a falling edge after
        every pending handshake completed, with those valids low again."""
        for _ in range(TIMEOUT_CYCLES):
            await ReadOnly()
            done = [v for v, r in pending.items() if int(self._sig(r).value)]
            await FallingEdge(self.clk)
            for v in done:
                self._sig(v).value = 0
                del pending[v]
            if not pending:
                return
        raise AssertionError(f"AXI4-Lite handshake timeout on {sorted(pending)}")

    async def _response(self, valid: str, ready: str, *fields: str) -> list[int]:
        self._sig(ready).value = 1
        for _ in range(TIMEOUT_CYCLES):
            await ReadOnly()
            if int(self._sig(valid).value):
                got = [int(self._sig(f).value) for f in fields]
                await FallingEdge(self.clk)
                self._sig(ready).value = 0
                return got
            await FallingEdge(self.clk)
        raise AssertionError(f"AXI4-Lite timeout waiting for {valid}")

    async def write(self, addr: int, data: int, strb: int = 0xF) -> int:
        """Write; returns BRESP."""
        await FallingEdge(self.clk)
        self._sig("awaddr").value = addr
        self._sig("wdata").value = data
        self._sig("wstrb").value = strb
        self._sig("awvalid").value = 1
        self._sig("wvalid").value = 1
        await self._wait({"awvalid": "awready", "wvalid": "wready"})
        (bresp,) = await self._response("bvalid", "bready", "bresp")
        return bresp

    async def read_resp(self, addr: int) -> tuple[int, int]:
        """Read; returns (RDATA, RRESP)."""
        await FallingEdge(self.clk)
        self._sig("araddr").value = addr
        self._sig("arvalid").value = 1
        await self._wait({"arvalid": "arready"})
        rdata, rresp = await self._response("rvalid", "rready", "rdata", "rresp")
        return rdata, rresp

    async def read(self, addr: int) -> int:
        rdata, rresp = await self.read_resp(addr)
        assert rresp == OKAY, f"read of {addr:#x}: RRESP={rresp}"
        return rdata

    async def write_ok(self, addr: int, data: int) -> None:
        bresp = await self.write(addr, data)
        assert bresp == OKAY, f"write of {addr:#x}: BRESP={bresp}"


class PulseCounter:
    """Counts the clock cycles (sampled at falling edges) on which a 1-bit output is high."""

    def __init__(self, clk: Any, sig: Any) -> None:
        self.count = 0
        self._clk, self._sig = clk, sig

    async def run(self) -> None:
        while True:
            await FallingEdge(self._clk)
            self.count += int(self._sig.value)


ENGINE_INPUTS = ("status_busy_i", "status_done_i", "status_error_i", "status_err_code_i", "irq_done_set_i",
                 "irq_error_set_i", *PERF_PORTS.values(), "hw_lanes_i", "hw_max_n_heads_i",
                 "hw_max_n_layers_i", "hw_max_d_model_i", "hw_max_d_ff_i")


async def setup(dut: Any) -> AxiLiteMaster:
    """Clock, engine inputs 0, 3 cycles of synchronous reset."""
    for name in ENGINE_INPUTS:
        getattr(dut, name).value = 0
    master = AxiLiteMaster(dut)
    dut.rst_n.value = 0
    Clock(dut.clk, 10, unit="ns").start()
    for _ in range(3):
        await RisingEdge(dut.clk)
    await FallingEdge(dut.clk)
    dut.rst_n.value = 1
    return master


def reset_word(reg: str) -> int:
    return sum((v or 0) << csr_map.FIELDS[reg][f][0] for f, v in csr_map.RESET[reg].items())


@cocotb.test()
async def test_reset_values(dut: Any) -> None:
    """Every register reads its RDL reset value (hardware-driven fields: the inputs, here 0)."""
    m = await setup(dut)
    for reg, offset in R.items():
        got = await m.read(offset)
        assert got == reset_word(reg), f"{reg} @ {offset:#x}: reset {got:#x}, expected {reset_word(reg):#x}"
    assert await m.read(R["ID"]) == 0x4C454E47
    assert await m.read(R["VERSION"]) == 1 << 16
    assert int(dut.irq_o.value) == 0 and int(dut.start_o.value) == 0 and int(dut.soft_reset_o.value) == 0


@cocotb.test()
async def test_config_write_read(dut: Any) -> None:
    """Config / base registers: write, read back, and the value reaches the hwif output."""
    m = await setup(dut)
    rng = random.Random(1)
    values = {reg: rng.getrandbits(32) for reg in CONFIG_REGS}
    for reg, value in values.items():
        await m.write_ok(R[reg], value)
    for reg, value in values.items():
        got = await m.read(R[reg])
        assert got == value, f"{reg}: read {got:#x} after writing {value:#x}"
    for reg, port in CONFIG_PORTS.items():
        assert int(getattr(dut, port).value) == values[reg], f"{port} != {reg}"
    assert int(dut.image_base_o.value) == values["IMAGE_BASE_HI"] << 32 | values["IMAGE_BASE_LO"]
    assert int(dut.kv_base_o.value) == values["KV_BASE_HI"] << 32 | values["KV_BASE_LO"]
    # byte strobes: only the strobed byte changes
    bresp = await m.write(R["D_MODEL"], 0xAABBCCDD, strb=0b0100)
    assert bresp == OKAY
    expect = (values["D_MODEL"] & ~0x00FF0000) | 0x00BB0000
    assert await m.read(R["D_MODEL"]) == expect
    # IRQ_ENABLE keeps its two defined bits only
    await m.write_ok(R["IRQ_ENABLE"], 0xFFFF_FFFF)
    assert await m.read(R["IRQ_ENABLE"]) == mask("IRQ_ENABLE", "DONE") | mask("IRQ_ENABLE", "ERROR")
    assert int(dut.irq_enable_o.value) == 0b11


@cocotb.test()
async def test_ctrl_single_pulse(dut: Any) -> None:
    """CTRL.START / SOFT_RESET: high on the hwif output for exactly one cycle per write; CTRL reads 0."""
    m = await setup(dut)
    start, soft = PulseCounter(dut.clk, dut.start_o), PulseCounter(dut.clk, dut.soft_reset_o)
    cocotb.start_soon(start.run())
    cocotb.start_soon(soft.run())
    start_bit, soft_bit = mask("CTRL", "START"), mask("CTRL", "SOFT_RESET")
    await m.write_ok(R["CTRL"], start_bit)
    for _ in range(5):
        await FallingEdge(dut.clk)
    assert (start.count, soft.count) == (1, 0), f"START pulse: {start.count} cycles, SOFT_RESET {soft.count}"
    assert await m.read(R["CTRL"]) == 0
    await m.write_ok(R["CTRL"], start_bit)
    await m.write_ok(R["CTRL"], soft_bit)
    for _ in range(5):
        await FallingEdge(dut.clk)
    assert (start.count, soft.count) == (2, 1), f"after START, SOFT_RESET: {start.count}, {soft.count}"
    await m.write_ok(R["CTRL"], start_bit | soft_bit)     # both in one write: one pulse each (SOFT_RESET
    for _ in range(5):                                     # winning over START is the engine's rule)
        await FallingEdge(dut.clk)
    assert (start.count, soft.count) == (3, 2), f"after START|SOFT_RESET: {start.count}, {soft.count}"
    await m.write_ok(R["CTRL"], 0)                         # writing 0 pulses nothing
    for _ in range(5):
        await FallingEdge(dut.clk)
    assert (start.count, soft.count) == (3, 2)


async def pulse(dut: Any, name: str) -> None:
    await FallingEdge(dut.clk)
    getattr(dut, name).value = 1
    await FallingEdge(dut.clk)
    getattr(dut, name).value = 0


@cocotb.test()
async def test_irq_status_w1c(dut: Any) -> None:
    """IRQ_STATUS: sticky set by a one-cycle hw pulse, W1C per bit, irq = |(IRQ_STATUS & IRQ_ENABLE),
    cleared by a soft reset (the wrapper ties hwclr to the SOFT_RESET pulse like the top level)."""
    m = await setup(dut)
    done, error = mask("IRQ_STATUS", "DONE"), mask("IRQ_STATUS", "ERROR")
    await pulse(dut, "irq_done_set_i")
    assert await m.read(R["IRQ_STATUS"]) == done
    assert int(dut.irq_o.value) == 0, "irq with IRQ_ENABLE = 0"
    await m.write_ok(R["IRQ_ENABLE"], error)
    assert int(dut.irq_o.value) == 0, "irq from a disabled source"
    await m.write_ok(R["IRQ_ENABLE"], done | error)
    await FallingEdge(dut.clk)
    assert int(dut.irq_o.value) == 1
    await m.write_ok(R["IRQ_STATUS"], 0)             # writing 0 clears nothing
    assert await m.read(R["IRQ_STATUS"]) == done
    await m.write_ok(R["IRQ_STATUS"], error)         # clearing the other bit leaves DONE
    assert await m.read(R["IRQ_STATUS"]) == done
    await m.write_ok(R["IRQ_STATUS"], done)
    assert await m.read(R["IRQ_STATUS"]) == 0
    assert int(dut.irq_o.value) == 0
    await pulse(dut, "irq_error_set_i")
    await pulse(dut, "irq_done_set_i")
    assert await m.read(R["IRQ_STATUS"]) == done | error
    assert int(dut.irq_o.value) == 1
    assert await m.read(R["IRQ_STATUS"]) == done | error, "a read must not clear IRQ_STATUS"
    await m.write_ok(R["CTRL"], mask("CTRL", "SOFT_RESET"))
    assert await m.read(R["IRQ_STATUS"]) == 0, "soft reset must clear IRQ_STATUS"
    assert int(dut.irq_o.value) == 0
    assert await m.read(R["IRQ_ENABLE"]) == done | error, "soft reset must keep IRQ_ENABLE"


@cocotb.test()
async def test_read_only_inputs(dut: Any) -> None:
    """STATUS, perf counters and HW_PARAMS read the engine's hwif inputs, live."""
    m = await setup(dut)
    rng = random.Random(2)
    for _ in range(3):
        perf = {reg: rng.getrandbits(64) for reg in PERF_PORTS}
        for reg, port in PERF_PORTS.items():
            getattr(dut, port).value = perf[reg]
        busy, dne, err, code = rng.getrandbits(1), rng.getrandbits(1), rng.getrandbits(1), rng.getrandbits(8)
        dut.status_busy_i.value, dut.status_done_i.value, dut.status_error_i.value = busy, dne, err
        dut.status_err_code_i.value = code
        for reg, value in perf.items():
            lo, hi = await m.read(R[f"{reg}_LO"]), await m.read(R[f"{reg}_HI"])
            assert hi << 32 | lo == value, f"{reg}: read {hi << 32 | lo:#x}, input {value:#x}"
        status = await m.read(R["STATUS"])
        expect = (busy * mask("STATUS", "BUSY") | dne * mask("STATUS", "DONE") | err * mask("STATUS", "ERROR")
                  | code << csr_map.FIELDS["STATUS"]["ERR_CODE"][0])
        assert status == expect, f"STATUS {status:#x}, expected {expect:#x}"
    dut.hw_lanes_i.value, dut.hw_max_n_heads_i.value, dut.hw_max_n_layers_i.value = 16, 12, 6
    dut.hw_max_d_model_i.value, dut.hw_max_d_ff_i.value = 384, 1536
    f = csr_map.FIELDS
    assert await m.read(R["HW_PARAMS"]) == (16 << f["HW_PARAMS"]["LANES"][0] | 12 << f["HW_PARAMS"]["MAX_N_HEADS"][0]
                                            | 6 << f["HW_PARAMS"]["MAX_N_LAYERS"][0])
    assert await m.read(R["HW_MAX_DIMS"]) == (384 << f["HW_MAX_DIMS"]["MAX_D_MODEL"][0]
                                              | 1536 << f["HW_MAX_DIMS"]["MAX_D_FF"][0])


@cocotb.test()
async def test_read_only_writes_ignored(dut: Any) -> None:
    """Writes to read-only registers return OKAY and change nothing; unmapped offsets get SLVERR."""
    m = await setup(dut)
    dut.perf_cycles_i.value = 0x1234_5678_9ABC_DEF0
    dut.status_busy_i.value = 1
    before = {reg: await m.read(R[reg]) for reg in READ_ONLY_REGS}
    assert set(READ_ONLY_REGS) >= {"STATUS", "ID", "VERSION", "HW_PARAMS", "HW_MAX_DIMS", "PERF_CYCLES_LO"}
    for reg in READ_ONLY_REGS:
        assert await m.write(R[reg], 0xFFFF_FFFF) == OKAY, f"write to read-only {reg}"
        assert await m.write(R[reg], 0) == OKAY
    after = {reg: await m.read(R[reg]) for reg in READ_ONLY_REGS}
    assert after == before, f"read-only registers changed: {before} -> {after}"
    # unmapped offsets (the 0x48-0x4F hole) answer SLVERR
    for addr in (0x48, 0x4C):
        assert await m.write(addr, 0xFFFF_FFFF) == SLVERR
        _, rresp = await m.read_resp(addr)
        assert rresp == SLVERR
    assert await m.read(R["D_MODEL"]) == 0, "an unmapped write must not land anywhere"
