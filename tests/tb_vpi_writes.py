"""A uvm test for tests/test_listed_public.py, run in the engine's plain regression build (le_tb_top with
verif/hdl/le_tb_public.vlt): verif/bfm/writable.py accepts every signal the env writes and refuses one that is
only readable, whose writes Verilator would ignore without a word; and the clock is main()'s."""
from __future__ import annotations

import os

import cocotb
import pyuvm
from cocotb.triggers import RisingEdge
from cocotb.utils import get_sim_time
from pyuvm import uvm_test

from verif.bfm import axi_mem_bfm, axil_master, axis_bfm
from verif.bfm.writable import require_writable
from verif.env import env
from verif.env.host import CLK_NS


@pyuvm.test()
class VpiWritesTest(uvm_test):
    async def run_phase(self) -> None:
        self.raise_objection()
        dut = cocotb.top
        dut.rst_n.value = 0
        require_writable(dut, env.TOP_WRITES)
        require_writable(dut.u_mem, axi_mem_bfm.KNOB_REGS + axi_mem_bfm.RANGE_REGS)
        require_writable(dut.u_mem.u_mem, axi_mem_bfm.STORE_ARRAYS)
        require_writable(dut.u_axil_master, axil_master.COMMAND_REGS)
        require_writable(dut.u_x_src, axis_bfm.SOURCE_REGS)
        require_writable(dut.u_logits_sink, axis_bfm.SINK_REGS)
        before = int(dut.u_mem.u_rd.rec_wr.value)
        try:
            require_writable(dut.u_mem.u_rd, ("rec_wr",))          # readable only: a record pointer of the HDL
        except RuntimeError as e:
            assert "le_tb_top.u_mem.u_rd.rec_wr is not writable" in str(e), e
        else:
            raise AssertionError("a write to a read-only signal was not caught")
        assert int(dut.u_mem.u_rd.rec_wr.value) == before
        assert os.environ.get("LE_MAIN_CLOCK_PS") == str(CLK_NS * 1000)     # eda/le_vpi_main.cpp clocks clk
        for edge in range(1, 4):
            await RisingEdge(dut.clk)
            assert get_sim_time("ns") == edge * CLK_NS, get_sim_time("ns")    # rising at 10, 20, 30 ns
        self.drop_objection()
