// Copyright layer-engine contributors. Licensed under the Apache License, Version 2.0.
//
// le_assert_engine_tb: the engine-level half of the assertion tests (tests/test_assertions.py, slow):
// layer_engine with every input idle and the protocol checkers bound to its ports (verif/hdl/le_bind.sv),
// out of reset, then +case=<Label>@<where> forces one signal of the engine into a violation: the RTL
// assertions that only an engine context reaches (le_axi_rd / le_gemv credit, le_sched / le_ln_rowstat
// states) and, through forced ports, each bound checker (proving the binds and their wiring).
// +case=clean: nothing forced, the run ends with $finish and no error.

module le_assert_engine_tb;

  localparam int unsigned DataW = 64;
  localparam int unsigned StrbW = DataW / 8;

  logic clk;
  logic rst_n;
  string which;

  logic [3:0]       awid, bid, arid, rid;
  logic [31:0]      awaddr, araddr;
  logic [7:0]       awlen, arlen;
  logic [2:0]       awsize, arsize, awprot, arprot;
  logic [1:0]       awburst, arburst, bresp, rresp;
  logic [3:0]       awcache, arcache;
  logic             awlock, arlock, awvalid, wlast, wvalid, bready, arvalid, rready;
  logic [DataW-1:0] wdata, x_tdata, l_tdata;
  logic [StrbW-1:0] wstrb, x_tkeep, l_tkeep;
  logic             x_tvalid, x_tready, x_tlast, l_tvalid, l_tlast;
  logic             s_awready, s_wready, s_bvalid, s_arready, s_rvalid, irq;
  logic [1:0]       s_bresp, s_rresp;
  logic [31:0]      s_rdata;

  layer_engine #(.AXI_DATA_W(DataW), .MAX_VOCAB(4096)) u_dut (
    .clk, .rst_n,
    .s_axil_awaddr('0), .s_axil_awprot('0), .s_axil_awvalid(1'b0), .s_axil_awready(s_awready),
    .s_axil_wdata('0), .s_axil_wstrb('0), .s_axil_wvalid(1'b0), .s_axil_wready(s_wready),
    .s_axil_bresp(s_bresp), .s_axil_bvalid(s_bvalid), .s_axil_bready(1'b0), .s_axil_araddr('0),
    .s_axil_arprot('0), .s_axil_arvalid(1'b0), .s_axil_arready(s_arready), .s_axil_rdata(s_rdata),
    .s_axil_rresp(s_rresp), .s_axil_rvalid(s_rvalid), .s_axil_rready(1'b0),
    .m_axi_awid(awid), .m_axi_awaddr(awaddr), .m_axi_awlen(awlen), .m_axi_awsize(awsize),
    .m_axi_awburst(awburst), .m_axi_awlock(awlock), .m_axi_awcache(awcache),
    .m_axi_awprot(awprot), .m_axi_awvalid(awvalid), .m_axi_awready(1'b0), .m_axi_wdata(wdata),
    .m_axi_wstrb(wstrb), .m_axi_wlast(wlast), .m_axi_wvalid(wvalid), .m_axi_wready(1'b0),
    .m_axi_bid(bid), .m_axi_bresp(bresp), .m_axi_bvalid(1'b0), .m_axi_bready(bready),
    .m_axi_arid(arid), .m_axi_araddr(araddr), .m_axi_arlen(arlen), .m_axi_arsize(arsize),
    .m_axi_arburst(arburst), .m_axi_arlock(arlock), .m_axi_arcache(arcache),
    .m_axi_arprot(arprot), .m_axi_arvalid(arvalid), .m_axi_arready(1'b0), .m_axi_rid(rid),
    .m_axi_rdata('0), .m_axi_rresp(rresp), .m_axi_rlast(1'b0), .m_axi_rvalid(1'b0),
    .m_axi_rready(rready),
    .s_axis_x_tdata(x_tdata), .s_axis_x_tkeep(x_tkeep), .s_axis_x_tlast(x_tlast),
    .s_axis_x_tvalid(x_tvalid), .s_axis_x_tready(x_tready),
    .m_axis_logits_tdata(l_tdata), .m_axis_logits_tkeep(l_tkeep), .m_axis_logits_tlast(l_tlast),
    .m_axis_logits_tvalid(l_tvalid), .m_axis_logits_tready(1'b0),
    .irq
  );

  logic unused;
  assign unused = ^{awid, awaddr, awlen, awsize, awburst, awlock, awcache, awprot, awvalid, wdata,
                    wstrb, wlast, wvalid, bready, arid, araddr, arlen, arsize, arburst, arlock,
                    arcache, arprot, arvalid, rready, x_tready, l_tdata, l_tkeep, l_tlast, l_tvalid,
                    s_awready, s_wready, s_bresp, s_bvalid, s_arready, s_rdata, s_rresp, s_rvalid,
                    irq};

  initial begin
    clk = 1'b0;
    forever #5 clk = ~clk;
  end

  task automatic step(int unsigned n = 1);
    repeat (n) @(negedge clk);
  endtask

  // The token control's two events as le_perf_checker sees them: a START accepted, then the done event;
  // dma_stalls: the read DMA's own stall counter jumps by that much in between.
  task automatic token_done(int unsigned dma_stalls = 0);
    force u_dut.tok_start = 1'b1;     // (it starts the datapath too: harmless here)
    step();
    force u_dut.tok_start = 1'b0;
    if (dma_stalls != 0) force u_dut.rd_stall = u_dut.u_axi_rd.stall_cycles_o + dma_stalls;
    force u_dut.u_host_if.irq_done_ev = 1'b1;
    step();
    force u_dut.u_host_if.irq_done_ev = 1'b0;
  endtask

  initial begin
    if (!$value$plusargs("case=%s", which)) which = "clean";
    {bid, rid, bresp, rresp, x_tdata, x_tkeep, x_tlast, x_tvalid} = '0;
    rst_n = 1'b0;
    step(4);
    rst_n = 1'b1;
    step(4);
    $display("le_assert_engine_tb: out of reset, case %s", which);
    case (which)
      "clean": step(20);
      // RTL assertions inside the engine
      "OutFifoCredit_A@u_axi_rd": begin
        force u_dut.u_axi_rd.rd_valid_q = 1'b1;
        force u_dut.u_axi_rd.fifo_ready = 1'b0;
      end
      "OutFifoCredit_A@u_gemv": begin
        force u_dut.u_logits.u_gemv.valid_q4 = 1'b1;
        force u_dut.u_logits.u_gemv.last_q4 = 1'b1;
        force u_dut.u_logits.u_gemv.unused_fifo_ready = 1'b0;
      end
      /* verilator lint_off ENUMVALUE */
      "StateLegal_A@u_sched": force u_dut.u_sched.state_q = 5'd31;
      "StateLegal_A@u_rowstat": force u_dut.u_main_out.u_layernorm.u_rowstat.state_q = 3'd7;
      /* verilator lint_on ENUMVALUE */
      "CntRange_A@u_op_fifo": force u_dut.u_op_fifo.cnt_q = '1;
      // the bound checkers, through the engine's ports
      "ArValidHeld_A@u_axi4_chk": begin
        force u_dut.m_axi_arvalid = 1'b1;
        step();
        force u_dut.m_axi_arvalid = 1'b0;
      end
      "Aw4k_A@u_axi4_chk": begin
        force u_dut.m_axi_awvalid = 1'b1;
        force u_dut.m_axi_awaddr = 32'hFF0;
        force u_dut.m_axi_awlen = 8'd3;
      end
      "RNoReq_A@u_axil_chk": begin    // an R with no read taken
        force u_dut.s_axil_rvalid = 1'b1;
      end
      // (a forced TVALID drop would also trip the engine's own le_stream_fifo OutValidHeld_A: the
      // port is that FIFO's output; a soft reset resets the FIFO, and only the checker remains)
      "TKeepContig_A@u_logits_chk": begin
        force u_dut.m_axis_logits_tvalid = 1'b1;
        force u_dut.m_axis_logits_tlast = 1'b1;
        force u_dut.m_axis_logits_tkeep = 8'h03;
      end
      "TValidHeld_M@u_x_chk": begin   // the engine is idle: TREADY low
        x_tvalid = 1'b1;
        x_tkeep = '1;
        step();
        x_tvalid = 1'b0;
      end
      // le_perf_checker: a token "completes" (START accepted, then the done event) with one thing off
      "PerfRdStallExact_A@u_perf_chk": begin
        force u_dut.u_host_if.perf_stall = 64'd5;       // no read wait was seen
        token_done();
      end
      "PerfBytesRdDma_A@u_perf_chk": begin
        force u_dut.u_host_if.perf_brd = 64'd16;        // no R beat was seen
        token_done();
      end
      "PerfBytesWrDma_A@u_perf_chk": begin
        force u_dut.u_host_if.perf_bwr = 64'd16;
        token_done();
      end
      // the read DMA claims 100 waits the datapath never saw
      "PerfRdStallDma_A@u_perf_chk": token_done(100);
      "IdleAtDone_A@u_perf_chk": begin
        force u_dut.u_main_out.ln_idle = 1'b0;          // LayerNorm still busy
        token_done();
      end
      // le_exec_bufs: an element written into the buffer the feeder is streaming
      "OcatWriteWhileFed_A@u_exec_bufs": begin
        force u_dut.u_exec.u_exec_bufs.src_q = le_ctrl_pkg::SrcOcat;
        force u_dut.u_exec.u_exec_bufs.busy_o = 1'b1;
        force u_dut.u_exec.u_exec_bufs.ocat_we_i = 1'b1;
      end
      "UactWriteWhileFed_A@u_exec_bufs": begin
        force u_dut.u_exec.u_exec_bufs.src_q = le_ctrl_pkg::SrcUact;
        force u_dut.u_exec.u_exec_bufs.busy_o = 1'b1;
        force u_dut.u_exec.u_exec_bufs.uact_we_i = 1'b1;
      end
      "QkvWriteWhileFed_A@u_exec_bufs": begin   // a QKV store into the bank the feeder reads
        force u_dut.u_exec.u_exec_bufs.src_q = le_ctrl_pkg::SrcQkv;
        force u_dut.u_exec.u_exec_bufs.busy_o = 1'b1;
        force u_dut.u_exec.u_exec_bufs.qkv_we_i = 1'b1;
        force u_dut.u_exec.u_exec_bufs.qkv_bank_i = u_dut.u_exec.u_exec_bufs.bank_q;
      end
      // le_attn: a third head begun while one waits behind a draining O; a P.V word count past d_head
      "BeginWhilePending_A@u_attn": begin
        force u_dut.u_attn.pend_q = 1'b1;
        force u_dut.u_attn.begin_i = 1'b1;
      end
      "SerWordsBound_A@u_attn": force u_dut.u_attn.ser_words_q = 32'hFFFF;
      // le_main_out: a requant input still valid when the datapath leaves reset
      "RqInIdleAfterReset_A@u_main_out": begin
        force u_dut.u_main_out.a_valid_q = 1'b1;
        rst_n = 1'b0;
        step(2);
        rst_n = 1'b1;
      end
      default: $fatal(1, "le_assert_engine_tb: unknown +case=%s", which);
    endcase
    step(4);
    $display("le_assert_engine_tb: case %s ended without an assertion failure", which);
    $finish;
  end

endmodule
