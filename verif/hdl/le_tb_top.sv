// Copyright layer-engine contributors. Licensed under the Apache License, Version 2.0.
//
// le_tb_top: the pyuvm environment's testbench top - layer_engine with the HDL halves of the split
// transactors on its bus ports (docs/verification.md).
//
//   u_dut          layer_engine (rtl/layer_engine.f)
//   u_mem          le_axi_slave_bfm on m_axi_*      (DDR: sparse memory, timing, errors, protocol checks)
//   u_x_src        le_axis_src_bfm  on s_axis_x_*   (X frames with random TVALID gaps)
//   u_logits_sink  le_axis_sink_bfm on m_axis_logits_* (frames with random TREADY stalls, checks)
//   u_probe        le_probe: operator-boundary values for `regress debug` (only with +le_probe_file)
//   u_axil_master  le_axil_master_bfm: the AXI4-Lite agent's driver (one Python command per CSR access)
//   u_axil_mon     le_axil_monitor on the engine's s_axil_* (the AXI4-Lite agent's monitor)
// s_axil_* and irq stay top-level ports. The engine's s_axil_* inputs come from u_axil_master while its enable
// register is 1 (the pyuvm env sets it) and from the top-level s_axil_* ports otherwise (the SystemC harness and
// the bare C++ loop drive those; enable is never written there, so they pass straight through); the engine's
// s_axil_* outputs always drive the top-level ports too. The irq monitor watches irq (edge events). rst_n comes
// from cocotb; clk from the simulator's main() in the pyuvm build (eda/le_vpi_main.cpp, LE_MAIN_CLOCK_PS), from
// the SystemC harness or the bare loop otherwise.

module le_tb_top #(
  parameter int unsigned AXI_DATA_W  = 128,
  parameter int unsigned AXI_ADDR_W  = 32,
  parameter int unsigned AXI_ID_W    = 4,
  parameter int unsigned MAX_D_MODEL = 1024,
  parameter int unsigned MAX_D_FF    = 4096,
  parameter int unsigned MAX_HEADS   = 16,
  parameter int unsigned MAX_D_HEAD  = 128,
  parameter int unsigned MAX_SEQ     = 512,
  parameter int unsigned MAX_VOCAB   = 4096,
  parameter int unsigned MAX_LAYERS  = 16,
  parameter int unsigned MEM_PAGES   = 4096,    // 4 KB pages of the DDR model (16 MB)
  localparam int unsigned Lanes      = AXI_DATA_W / 8
) (
  input  logic        clk,
  input  logic        rst_n,
  input  logic [6:0]  s_axil_awaddr,
  input  logic [2:0]  s_axil_awprot,
  input  logic        s_axil_awvalid,
  output logic        s_axil_awready,
  input  logic [31:0] s_axil_wdata,
  input  logic [3:0]  s_axil_wstrb,
  input  logic        s_axil_wvalid,
  output logic        s_axil_wready,
  output logic [1:0]  s_axil_bresp,
  output logic        s_axil_bvalid,
  input  logic        s_axil_bready,
  input  logic [6:0]  s_axil_araddr,
  input  logic [2:0]  s_axil_arprot,
  input  logic        s_axil_arvalid,
  output logic        s_axil_arready,
  output logic [31:0] s_axil_rdata,
  output logic [1:0]  s_axil_rresp,
  output logic        s_axil_rvalid,
  input  logic        s_axil_rready,
  output logic        irq
);

  // m_axi
  logic [AXI_ID_W-1:0]   awid, bid, arid, rid;
  logic [AXI_ADDR_W-1:0] awaddr, araddr;
  logic [7:0]            awlen, arlen;
  logic [2:0]            awsize, arsize, awprot, arprot;
  logic [1:0]            awburst, arburst, bresp, rresp;
  logic [3:0]            awcache, arcache;
  logic                  awlock, arlock, awvalid, awready, wlast, wvalid, wready, bvalid, bready;
  logic                  arvalid, arready, rlast, rvalid, rready;
  logic [AXI_DATA_W-1:0] wdata, rdata;
  logic [Lanes-1:0]      wstrb;
  // s_axil: the engine's inputs, from u_axil_master (enabled) or the top-level ports
  logic                  axil_en, ma_awvalid, ma_wvalid, ma_bready, ma_arvalid, ma_rready;
  logic                  e_awvalid, e_wvalid, e_bready, e_arvalid, e_rready;
  logic [6:0]            ma_awaddr, ma_araddr, e_awaddr, e_araddr;
  logic [2:0]            ma_awprot, ma_arprot, e_awprot, e_arprot;
  logic [31:0]           ma_wdata, e_wdata;
  logic [3:0]            ma_wstrb, e_wstrb;
  // streams
  logic [AXI_DATA_W-1:0] x_tdata, l_tdata;
  logic [Lanes-1:0]      x_tkeep, l_tkeep;
  logic                  x_tlast, x_tvalid, x_tready, l_tlast, l_tvalid, l_tready;

  le_axil_master_bfm #(.ADDR_W(7)) u_axil_master (
    .clk_i(clk), .enable_o(axil_en),
    .awaddr_o(ma_awaddr), .awprot_o(ma_awprot), .awvalid_o(ma_awvalid), .awready_i(s_axil_awready),
    .wdata_o(ma_wdata), .wstrb_o(ma_wstrb), .wvalid_o(ma_wvalid), .wready_i(s_axil_wready),
    .bresp_i(s_axil_bresp), .bvalid_i(s_axil_bvalid), .bready_o(ma_bready),
    .araddr_o(ma_araddr), .arprot_o(ma_arprot), .arvalid_o(ma_arvalid), .arready_i(s_axil_arready),
    .rdata_i(s_axil_rdata), .rresp_i(s_axil_rresp), .rvalid_i(s_axil_rvalid), .rready_o(ma_rready)
  );

  assign e_awaddr  = axil_en ? ma_awaddr  : s_axil_awaddr;
  assign e_awprot  = axil_en ? ma_awprot  : s_axil_awprot;
  assign e_awvalid = axil_en ? ma_awvalid : s_axil_awvalid;
  assign e_wdata   = axil_en ? ma_wdata   : s_axil_wdata;
  assign e_wstrb   = axil_en ? ma_wstrb   : s_axil_wstrb;
  assign e_wvalid  = axil_en ? ma_wvalid  : s_axil_wvalid;
  assign e_bready  = axil_en ? ma_bready  : s_axil_bready;
  assign e_araddr  = axil_en ? ma_araddr  : s_axil_araddr;
  assign e_arprot  = axil_en ? ma_arprot  : s_axil_arprot;
  assign e_arvalid = axil_en ? ma_arvalid : s_axil_arvalid;
  assign e_rready  = axil_en ? ma_rready  : s_axil_rready;

  le_axil_monitor #(.ADDR_W(7)) u_axil_mon (
    .clk_i(clk), .rst_ni(rst_n),
    .awaddr_i(e_awaddr), .awvalid_i(e_awvalid), .awready_i(s_axil_awready),
    .wdata_i(e_wdata), .wvalid_i(e_wvalid), .wready_i(s_axil_wready),
    .bresp_i(s_axil_bresp), .bvalid_i(s_axil_bvalid), .bready_i(e_bready),
    .araddr_i(e_araddr), .arvalid_i(e_arvalid), .arready_i(s_axil_arready),
    .rdata_i(s_axil_rdata), .rresp_i(s_axil_rresp), .rvalid_i(s_axil_rvalid), .rready_i(e_rready)
  );

  layer_engine #(
    .AXI_DATA_W(AXI_DATA_W), .AXI_ADDR_W(AXI_ADDR_W), .AXI_ID_W(AXI_ID_W),
    .MAX_D_MODEL(MAX_D_MODEL), .MAX_D_FF(MAX_D_FF), .MAX_HEADS(MAX_HEADS),
    .MAX_D_HEAD(MAX_D_HEAD), .MAX_SEQ(MAX_SEQ), .MAX_VOCAB(MAX_VOCAB), .MAX_LAYERS(MAX_LAYERS)
  ) u_dut (
    .clk, .rst_n,
    .s_axil_awaddr(e_awaddr), .s_axil_awprot(e_awprot), .s_axil_awvalid(e_awvalid), .s_axil_awready,
    .s_axil_wdata(e_wdata), .s_axil_wstrb(e_wstrb), .s_axil_wvalid(e_wvalid), .s_axil_wready,
    .s_axil_bresp, .s_axil_bvalid, .s_axil_bready(e_bready), .s_axil_araddr(e_araddr),
    .s_axil_arprot(e_arprot), .s_axil_arvalid(e_arvalid), .s_axil_arready, .s_axil_rdata,
    .s_axil_rresp, .s_axil_rvalid, .s_axil_rready(e_rready),
    .m_axi_awid(awid), .m_axi_awaddr(awaddr), .m_axi_awlen(awlen), .m_axi_awsize(awsize),
    .m_axi_awburst(awburst), .m_axi_awlock(awlock), .m_axi_awcache(awcache), .m_axi_awprot(awprot),
    .m_axi_awvalid(awvalid), .m_axi_awready(awready), .m_axi_wdata(wdata), .m_axi_wstrb(wstrb),
    .m_axi_wlast(wlast), .m_axi_wvalid(wvalid), .m_axi_wready(wready), .m_axi_bid(bid),
    .m_axi_bresp(bresp), .m_axi_bvalid(bvalid), .m_axi_bready(bready), .m_axi_arid(arid),
    .m_axi_araddr(araddr), .m_axi_arlen(arlen), .m_axi_arsize(arsize), .m_axi_arburst(arburst),
    .m_axi_arlock(arlock), .m_axi_arcache(arcache), .m_axi_arprot(arprot), .m_axi_arvalid(arvalid),
    .m_axi_arready(arready), .m_axi_rid(rid), .m_axi_rdata(rdata), .m_axi_rresp(rresp),
    .m_axi_rlast(rlast), .m_axi_rvalid(rvalid), .m_axi_rready(rready),
    .s_axis_x_tdata(x_tdata), .s_axis_x_tkeep(x_tkeep), .s_axis_x_tlast(x_tlast),
    .s_axis_x_tvalid(x_tvalid), .s_axis_x_tready(x_tready),
    .m_axis_logits_tdata(l_tdata), .m_axis_logits_tkeep(l_tkeep), .m_axis_logits_tlast(l_tlast),
    .m_axis_logits_tvalid(l_tvalid), .m_axis_logits_tready(l_tready),
    .irq
  );

  le_axi_slave_bfm #(
    .DATA_W(AXI_DATA_W), .ADDR_W(AXI_ADDR_W), .ID_W(AXI_ID_W), .MAX_PAGES(MEM_PAGES)
  ) u_mem (
    .clk, .rst_n,
    .axi_awid(awid), .axi_awaddr(awaddr), .axi_awlen(awlen), .axi_awsize(awsize),
    .axi_awburst(awburst), .axi_awlock(awlock), .axi_awcache(awcache), .axi_awprot(awprot),
    .axi_awvalid(awvalid), .axi_awready(awready),
    .axi_wdata(wdata), .axi_wstrb(wstrb), .axi_wlast(wlast), .axi_wvalid(wvalid),
    .axi_wready(wready),
    .axi_bid(bid), .axi_bresp(bresp), .axi_bvalid(bvalid), .axi_bready(bready),
    .axi_arid(arid), .axi_araddr(araddr), .axi_arlen(arlen), .axi_arsize(arsize),
    .axi_arburst(arburst), .axi_arlock(arlock), .axi_arcache(arcache), .axi_arprot(arprot),
    .axi_arvalid(arvalid), .axi_arready(arready),
    .axi_rid(rid), .axi_rdata(rdata), .axi_rresp(rresp), .axi_rlast(rlast), .axi_rvalid(rvalid),
    .axi_rready(rready)
  );

  le_axis_src_bfm #(.DATA_W(AXI_DATA_W), .MAX_BEATS(MAX_D_MODEL / Lanes + 8)) u_x_src (
    .clk, .rst_n, .m_axis_tdata(x_tdata), .m_axis_tkeep(x_tkeep), .m_axis_tlast(x_tlast),
    .m_axis_tvalid(x_tvalid), .m_axis_tready(x_tready)
  );

  le_axis_sink_bfm #(.DATA_W(AXI_DATA_W), .MAX_BEATS(MAX_VOCAB * 4 / Lanes + 8)) u_logits_sink (
    .clk, .rst_n, .s_axis_tdata(l_tdata), .s_axis_tkeep(l_tkeep), .s_axis_tlast(l_tlast),
    .s_axis_tvalid(l_tvalid), .s_axis_tready(l_tready)
  );

  // ---- functional-coverage corners (verif/env/coverage_sub.py) --------------------------------------------
  // Sticky event counters computed from hierarchical references into the DUT (testbench only, nothing in
  // rtl/ changes). Python reads them once per token and clears them by writing cov_clr_seq + 1 (the clear
  // takes effect at the next rising edge and wins over an event in that cycle); no per-cycle Python.
  //   cov_int8_sat     requant results clamped to int8 [-127, 127]: u_main_out.u_requant (Q, K, V, W1)
  //                    and u_attn.u_o_requant (O_h), at the edge that loads the requant's output register
  //   cov_int16_sat    u_main_out.u_requant results clamped to int16 (Wo, W2)
  //   cov_sm_single    softmax rows of one score (le_softmax accepts a row whose first score is its last)
  //   cov_ln_zero_var  LayerNorm rows with N*S2 - S1^2 == 0 before eps (le_ln_rowstat in its StSum state)
  //   cov_sm_rows, cov_ln_rows  all softmax / LayerNorm rows (context for the two above)
  logic [31:0] cov_clr_seq     /*verilator public_flat_rw*/ = '0;
  logic [31:0] cov_clr_seen    = '0;
  logic [31:0] cov_int8_sat    /*verilator public_flat_rd*/ = '0;
  logic [31:0] cov_int16_sat   /*verilator public_flat_rd*/ = '0;
  logic [31:0] cov_sm_single   /*verilator public_flat_rd*/ = '0;
  logic [31:0] cov_sm_rows     /*verilator public_flat_rd*/ = '0;
  logic [31:0] cov_ln_zero_var /*verilator public_flat_rd*/ = '0;
  logic [31:0] cov_ln_rows     /*verilator public_flat_rd*/ = '0;

  function automatic logic [1:0] cov_rq_sat(logic signed [63:0] y, logic sat16);   // {int16, int8}
    if (sat16) return {(y > 64'sd32767) || (y < -64'sd32768), 1'b0};
    return {1'b0, (y > 64'sd127) || (y < -64'sd127)};
  endfunction

  logic [1:0] cov_rq_main, cov_rq_o;
  logic       cov_sm_end, cov_ln_sum;
  assign cov_rq_main = u_dut.u_main_out.u_requant.load[3]
      ? cov_rq_sat(u_dut.u_main_out.u_requant.shifted, u_dut.u_main_out.u_requant.sat16_q3) : 2'b00;
  assign cov_rq_o    = u_dut.u_attn.u_o_requant.load[3]
      ? cov_rq_sat(u_dut.u_attn.u_o_requant.shifted, u_dut.u_attn.u_o_requant.sat16_q3) : 2'b00;
  assign cov_sm_end  = u_dut.u_attn.u_softmax.in_end;
  assign cov_ln_sum  = 32'(u_dut.u_main_out.u_layernorm.u_rowstat.state_q) == 32'd2;   // StSum

  always_ff @(posedge clk) begin
    if (cov_clr_seq != cov_clr_seen) begin
      cov_clr_seen    <= cov_clr_seq;
      cov_int8_sat    <= '0;
      cov_int16_sat   <= '0;
      cov_sm_single   <= '0;
      cov_sm_rows     <= '0;
      cov_ln_zero_var <= '0;
      cov_ln_rows     <= '0;
    end else if (rst_n) begin
      cov_int8_sat  <= cov_int8_sat + 32'(cov_rq_main[0]) + 32'(cov_rq_o[0]);
      cov_int16_sat <= cov_int16_sat + 32'(cov_rq_main[1]) + 32'(cov_rq_o[1]);
      if (cov_sm_end) begin
        cov_sm_rows <= cov_sm_rows + 1;
        if (u_dut.u_attn.u_softmax.wr_cnt_q == '0) cov_sm_single <= cov_sm_single + 1;
      end
      if (cov_ln_sum) begin
        cov_ln_rows <= cov_ln_rows + 1;
        if (u_dut.u_main_out.u_layernorm.u_rowstat.ns2_q
            == u_dut.u_main_out.u_layernorm.u_rowstat.s1sq_q)
          cov_ln_zero_var <= cov_ln_zero_var + 1;
      end
    end
  end

  // ---- bus profile for benchmarks/perf.py (verif/tests/perf.py reads it after its one token) ----
  // Every cycle of a busy token (le_token_ctrl in TBusy) counts once: an R beat on the bus (prof_rbeat); no
  // beat while the memory holds an accepted read burst not yet returned (prof_rwait: read latency the
  // prefetch does not hide); or no read outstanding at the memory (prof_noread_<phase>: the read DMA has
  // nothing to ask for, its buffer full of data the datapath has not taken or the schedule's next read
  // waiting for its buffer), by the main MAC's phase of its latest begin: qkv (Q/K/V GEMV and each head's attention), wo (Wo, residual, LayerNorm
  // 1), w1 (W1, GELU), w2 (W2, residual, LayerNorm 2), logits. Counted from reset, never cleared.
  logic [31:0] prof_cycles       /*verilator public_flat_rd*/ = '0;
  logic [31:0] prof_rbeat        /*verilator public_flat_rd*/ = '0;
  logic [31:0] prof_rwait        /*verilator public_flat_rd*/ = '0;
  logic [31:0] prof_noread_qkv   /*verilator public_flat_rd*/ = '0;
  logic [31:0] prof_noread_wo    /*verilator public_flat_rd*/ = '0;
  logic [31:0] prof_noread_w1    /*verilator public_flat_rd*/ = '0;
  logic [31:0] prof_noread_w2    /*verilator public_flat_rd*/ = '0;
  logic [31:0] prof_noread_logits /*verilator public_flat_rd*/ = '0;
  logic        prof_busy, prof_inflight;
  logic [31:0] prof_phase;
  assign prof_busy     = 32'(u_dut.u_host_if.u_token_ctrl.state_q) == 32'd1;   // TBusy
  assign prof_inflight = u_mem.u_rd.cnt != 0;    // a burst's AR taken, its last R beat not yet
  assign prof_phase    = 32'(u_dut.main_phase);
  always_ff @(posedge clk) begin
    if (rst_n && prof_busy) begin
      prof_cycles <= prof_cycles + 1;
      if (rvalid && rready)   prof_rbeat <= prof_rbeat + 1;
      else if (prof_inflight) prof_rwait <= prof_rwait + 1;
      else begin
        unique case (prof_phase)
          32'd0:   prof_noread_qkv    <= prof_noread_qkv + 1;
          32'd1:   prof_noread_wo     <= prof_noread_wo + 1;
          32'd2:   prof_noread_w1     <= prof_noread_w1 + 1;
          32'd3:   prof_noread_w2     <= prof_noread_w2 + 1;
          default: prof_noread_logits <= prof_noread_logits + 1;
        endcase
      end
    end
  end

  // ---- operator-boundary probes for `regress debug` (verif/hdl/le_probe.sv; idle without +le_probe_file) ----
  le_probe #(.MAX_D_HEAD(MAX_D_HEAD)) u_probe (
    .clk_i        (clk),
    .rst_ni       (rst_n),
    .tok_start_i  (u_dut.tok_start),
    .tok_pos_i    (u_dut.csr_cfg.pos),
    .main_begin_i (u_dut.main_begin),
    .main_phase_i (u_dut.main_phase),
    .ph_i         (u_dut.u_main_out.ph_q),
    .qkv_we_i     (u_dut.u_main_out.qkv_we_o),
    .qkv_idx_i    (u_dut.u_main_out.qkv_idx_o),
    .qkv_head_i   (u_dut.u_main_out.head_q),
    .qkv_data_i   (u_dut.u_main_out.qkv_data_o),
    .rq_take_i    (u_dut.u_main_out.b_load),
    .rq_idx_i     (u_dut.u_main_out.b_idx_q),
    .rq_y_i       (u_dut.u_main_out.rq_y),
    .res_take_i   (u_dut.u_main_out.res_out_valid && u_dut.u_main_out.ln_in_ready),
    .res_y_i      (u_dut.u_main_out.res_y),
    .ln_valid_i   (u_dut.u_main_out.ln_out_valid),
    .ln_idx_i     (u_dut.u_main_out.l_idx_q),
    .ln_x8_i      (u_dut.u_main_out.ln_x8),
    .ln_x16_i     (u_dut.u_main_out.ln_x16),
    .act_valid_i  (u_dut.u_main_out.act_out_valid),
    .act_idx_i    (u_dut.u_main_out.u_idx_q),
    .act_y_i      (u_dut.u_main_out.act_y),
    .logit_take_i (u_dut.u_main_out.logit_valid_o && u_dut.u_main_out.logit_ready_i),
    .logit_i      (u_dut.u_main_out.acc_data_i),
    .attn_head_i  (u_dut.u_attn.head_q),
    .o_head_i     (u_dut.u_attn.o_head_q),
    .s_take_i     (u_dut.u_attn.s_valid && u_dut.u_attn.s_ready),
    .s_raw_i      (u_dut.u_attn.s_raw),
    .z_take_i     (u_dut.u_attn.z_valid && u_dut.u_attn.z_ready),
    .z_idx_i      (u_dut.u_attn.z_cnt_q),
    .z_i          (u_dut.u_attn.z),
    .p_take_i     (u_dut.u_attn.p_valid && u_dut.u_attn.p_ready),
    .p_i          (u_dut.u_attn.p),
    .o_valid_i    (u_dut.u_attn.o_valid),
    .o_idx_i      (u_dut.u_attn.o_cnt_q),
    .o_i          (u_dut.u_attn.o_y[7:0])
  );

endmodule
