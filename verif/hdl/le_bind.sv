// Copyright layer-engine contributors. Licensed under the Apache License, Version 2.0.
//
// le_bind: binds the protocol checkers to every bus port of layer_engine (docs/verification.md#assertions):
// in every build of the testbench top le_tb_top (the pyuvm env and the SystemC harness), without a line in the
// RTL or in le_tb_top. The checkers hold assertions only: without LE_ASSERT_ON (rtl/le_assert.svh) they are
// empty, and a build without them behaves the same.
//   u_axi4_chk    le_axi4_checker on m_axi_* (the engine is the master)
//   u_axil_chk    le_axil_checker on s_axil_* (the engine is the slave)
//   u_x_chk       le_axis_checker on s_axis_x_* (into the engine: its input contract, assumptions)
//   u_logits_chk  le_axis_checker on m_axis_logits_* (out of the engine: TVALID held until TREADY, ...)
//   u_perf_chk    le_perf_checker: PERF_RD_STALL_CYCLES (its own count) and PERF_BYTES_RD/WR (the DMAs'
//                 own byte counters) exact on every completed token, the datapath idle then

bind layer_engine le_axi4_checker #(
  .DATA_W(AXI_DATA_W), .ADDR_W(AXI_ADDR_W), .ID_W(AXI_ID_W)
) u_axi4_chk (
  .clk_i(clk), .rst_ni(rst_n),
  .awid_i(m_axi_awid), .awaddr_i(m_axi_awaddr), .awlen_i(m_axi_awlen), .awsize_i(m_axi_awsize),
  .awburst_i(m_axi_awburst), .awlock_i(m_axi_awlock), .awcache_i(m_axi_awcache),
  .awprot_i(m_axi_awprot), .awvalid_i(m_axi_awvalid), .awready_i(m_axi_awready),
  .wdata_i(m_axi_wdata), .wstrb_i(m_axi_wstrb), .wlast_i(m_axi_wlast), .wvalid_i(m_axi_wvalid),
  .wready_i(m_axi_wready),
  .bid_i(m_axi_bid), .bresp_i(m_axi_bresp), .bvalid_i(m_axi_bvalid), .bready_i(m_axi_bready),
  .arid_i(m_axi_arid), .araddr_i(m_axi_araddr), .arlen_i(m_axi_arlen), .arsize_i(m_axi_arsize),
  .arburst_i(m_axi_arburst), .arlock_i(m_axi_arlock), .arcache_i(m_axi_arcache),
  .arprot_i(m_axi_arprot), .arvalid_i(m_axi_arvalid), .arready_i(m_axi_arready),
  .rid_i(m_axi_rid), .rdata_i(m_axi_rdata), .rresp_i(m_axi_rresp), .rlast_i(m_axi_rlast),
  .rvalid_i(m_axi_rvalid), .rready_i(m_axi_rready)
);

bind layer_engine le_axil_checker #(
  .ADDR_W(7)
) u_axil_chk (
  .clk_i(clk), .rst_ni(rst_n),
  .awaddr_i(s_axil_awaddr), .awprot_i(s_axil_awprot), .awvalid_i(s_axil_awvalid),
  .awready_i(s_axil_awready), .wdata_i(s_axil_wdata), .wstrb_i(s_axil_wstrb),
  .wvalid_i(s_axil_wvalid), .wready_i(s_axil_wready), .bresp_i(s_axil_bresp),
  .bvalid_i(s_axil_bvalid), .bready_i(s_axil_bready), .araddr_i(s_axil_araddr),
  .arprot_i(s_axil_arprot), .arvalid_i(s_axil_arvalid), .arready_i(s_axil_arready),
  .rdata_i(s_axil_rdata), .rresp_i(s_axil_rresp), .rvalid_i(s_axil_rvalid), .rready_i(s_axil_rready)
);

bind layer_engine le_axis_checker #(
  .DATA_W(AXI_DATA_W), .KEEP_UNIT(1), .IS_INPUT(1'b1)
) u_x_chk (
  .clk_i(clk), .rst_ni(rst_n),
  .tdata_i(s_axis_x_tdata), .tkeep_i(s_axis_x_tkeep), .tlast_i(s_axis_x_tlast),
  .tvalid_i(s_axis_x_tvalid), .tready_i(s_axis_x_tready)
);

bind layer_engine le_axis_checker #(
  .DATA_W(AXI_DATA_W), .KEEP_UNIT(4), .IS_INPUT(1'b0)
) u_logits_chk (
  .clk_i(clk), .rst_ni(rst_n),
  .tdata_i(m_axis_logits_tdata), .tkeep_i(m_axis_logits_tkeep), .tlast_i(m_axis_logits_tlast),
  .tvalid_i(m_axis_logits_tvalid), .tready_i(m_axis_logits_tready)
);

// PERF_RD_STALL_CYCLES against the checker's own count of read waits, PERF_BYTES_RD/WR against the DMAs'
// counters (verif/hdl/le_perf_checker.sv).
bind layer_engine le_perf_checker u_perf_chk (
  .clk_i(clk), .rst_ni(rst_n),
  .start_i(tok_start), .abort_i(abort), .done_ev_i(u_host_if.irq_done_ev),
  .rd_valid_i(rd_valid), .rd_ready_i(rd_ready), .rd_stall_i(u_host_if.perf_stall),
  .bytes_rd_i(u_host_if.perf_brd), .bytes_wr_i(u_host_if.perf_bwr),
  .dma_rd_bytes_i(rd_bytes), .dma_wr_bytes_i(wr_bytes), .dma_rd_stall_i(rd_stall),
  .idle_main_i(main_idle), .idle_score_i(u_attn.score_idle), .idle_pv_i(u_attn.pv_idle),
  .idle_ln_i(u_main_out.ln_idle)
);
