// Copyright layer-engine contributors. Licensed under the Apache License, Version 2.0.
//
// le_axi_dma_bfm_tb: test wrapper for the AXI4 slave BFM: the read DMA (rtl/le_axi_rd.sv) and the
// write DMA (rtl/le_axi_wr.sv) share one AXI4 port (m_axi_*), served by le_axi_slave_bfm (u_bfm).
// Tests: tests/rtl/cocotb_axi_slave_bfm.py, cocotb_axi_rd.py, cocotb_axi_wr.py (tests/rtl/axi_dma_tb.py
// drives the tables). No per-cycle Python on the DMA side either:
//   read commands   the proxy fills rc_addr[] / rc_len[] (ring of CMD_DEPTH) and raises rc_n; the
//                   wrapper offers command rc_i while rc_i < rc_n.
//   read data       out beats are accepted with random stalls (p_out_stall, fraction of 65536) and
//                   captured in cap[] ({resp, last, data}, ring of CAP_DEPTH; cap_n counts beats).
//   write commands  wc_addr[] / wc_len[] / wc_n / wc_i, as for reads.
//   write data      wd[] (ring of WD_DEPTH beats); beats wd_i < wd_n are offered with random idle
//                   cycles (p_in_idle); beat i carries wd[i % WD_DEPTH].
// Latency / throughput: those of the DMAs and the memory; the wrapper adds none (cmd and data
// valid are flops that reload in the cycle of a transfer).

module le_axi_dma_bfm_tb #(
  parameter int unsigned DATA_W    = 128,
  parameter int unsigned CMD_DEPTH = 1024,
  parameter int unsigned CAP_DEPTH = 16384,
  parameter int unsigned WD_DEPTH  = 16384,
  localparam int unsigned BB       = DATA_W / 8,
  localparam int unsigned AW       = 32,
  localparam int unsigned IW       = 4
) (
  input logic clk,
  input logic rst_n
);

  localparam int unsigned CW = $clog2(CMD_DEPTH);

  // ---- proxy-written controls (zero-initialised by Verilator; no initialiser, see the BFM) --------------------------------------------------------------------
  logic [AW-1:0]     rc_addr [CMD_DEPTH] /*verilator public_flat_rw*/;
  logic [31:0]       rc_len  [CMD_DEPTH] /*verilator public_flat_rw*/;
  logic [AW-1:0]     wc_addr [CMD_DEPTH] /*verilator public_flat_rw*/;
  logic [31:0]       wc_len  [CMD_DEPTH] /*verilator public_flat_rw*/;
  logic [DATA_W-1:0] wd      [WD_DEPTH]  /*verilator public_flat_rw*/;
  logic [31:0]       rc_n        /*verilator public_flat_rw*/;
  logic [31:0]       wc_n        /*verilator public_flat_rw*/;
  logic [31:0]       wd_n        /*verilator public_flat_rw*/;
  logic [16:0]       p_out_stall /*verilator public_flat_rw*/;
  logic [16:0]       p_in_idle   /*verilator public_flat_rw*/;
  logic              err_clr     /*verilator public_flat_rw*/;

  // ---- observed by the proxy ---------------------------------------------------------------------
  logic [DATA_W+2:0] cap [CAP_DEPTH];
  logic [31:0]       rc_i, wc_i, wd_i, cap_n;

  // ---- AXI4 (m_axi_*) ---------------------------------------------------------------------------
  logic [IW-1:0]     m_axi_awid, m_axi_arid, m_axi_bid, m_axi_rid;
  logic [AW-1:0]     m_axi_awaddr, m_axi_araddr;
  logic [7:0]        m_axi_awlen, m_axi_arlen;
  logic [2:0]        m_axi_awsize, m_axi_arsize, m_axi_awprot, m_axi_arprot;
  logic [1:0]        m_axi_awburst, m_axi_arburst, m_axi_bresp, m_axi_rresp;
  logic [3:0]        m_axi_awcache, m_axi_arcache;
  logic              m_axi_awlock, m_axi_arlock, m_axi_awvalid, m_axi_awready, m_axi_wlast;
  logic              m_axi_wvalid, m_axi_wready, m_axi_bvalid, m_axi_bready, m_axi_arvalid;
  logic              m_axi_arready, m_axi_rlast, m_axi_rvalid, m_axi_rready;
  logic [DATA_W-1:0] m_axi_wdata, m_axi_rdata;
  logic [BB-1:0]     m_axi_wstrb;

  // ---- DMA status ----------------------------------------------------------------------------------
  logic              rd_cmd_ready, rd_out_valid, rd_out_ready, rd_out_last, rd_err, rd_idle;
  logic              wr_cmd_ready, wr_in_valid, wr_in_ready, wr_err, wr_idle;
  logic [1:0]        rd_out_resp, rd_err_resp, wr_err_resp;
  logic [DATA_W-1:0] rd_out_data;
  logic [31:0]       rd_bytes, rd_stalls, wr_bytes, wr_stalls;
  logic              unused_dma_counters;   // the tests read the BFM's statistics instead
  assign unused_dma_counters = ^{rd_bytes, rd_stalls, wr_bytes, wr_stalls};

  function automatic logic rnd_hit(input logic [16:0] p);
    return (p != '0) && ({1'b0, 16'($urandom)} < p);
  endfunction

  le_axi_rd #(.AXI_DATA_W(DATA_W), .AXI_ADDR_W(AW), .AXI_ID_W(IW), .MAX_OUTSTANDING(4)) u_rd_dma (
    .clk_i(clk), .rst_ni(rst_n),
    .cmd_valid_i(rc_i != rc_n), .cmd_ready_o(rd_cmd_ready),
    .cmd_addr_i(rc_addr[rc_i[CW-1:0]]), .cmd_len_i(rc_len[rc_i[CW-1:0]]),
    .out_valid_o(rd_out_valid), .out_ready_i(rd_out_ready), .out_data_o(rd_out_data),
    .out_last_o(rd_out_last), .out_resp_o(rd_out_resp),
    .m_axi_arid_o(m_axi_arid), .m_axi_araddr_o(m_axi_araddr), .m_axi_arlen_o(m_axi_arlen),
    .m_axi_arsize_o(m_axi_arsize), .m_axi_arburst_o(m_axi_arburst), .m_axi_arlock_o(m_axi_arlock),
    .m_axi_arcache_o(m_axi_arcache), .m_axi_arprot_o(m_axi_arprot), .m_axi_arvalid_o(m_axi_arvalid),
    .m_axi_arready_i(m_axi_arready),
    .m_axi_rid_i(m_axi_rid), .m_axi_rdata_i(m_axi_rdata), .m_axi_rresp_i(m_axi_rresp),
    .m_axi_rlast_i(m_axi_rlast), .m_axi_rvalid_i(m_axi_rvalid), .m_axi_rready_o(m_axi_rready),
    .err_o(rd_err), .err_resp_o(rd_err_resp), .err_clr_i(err_clr),
    .bytes_read_o(rd_bytes), .stall_cycles_o(rd_stalls), .idle_o(rd_idle)
  );

  le_axi_wr #(.AXI_DATA_W(DATA_W), .AXI_ADDR_W(AW), .AXI_ID_W(IW), .MAX_OUTSTANDING(4)) u_wr_dma (
    .clk_i(clk), .rst_ni(rst_n),
    .cmd_valid_i(wc_i != wc_n), .cmd_ready_o(wr_cmd_ready),
    .cmd_addr_i(wc_addr[wc_i[CW-1:0]]), .cmd_len_i(wc_len[wc_i[CW-1:0]]),
    .in_valid_i(wr_in_valid), .in_ready_o(wr_in_ready), .in_data_i(wd[wd_i % WD_DEPTH]),
    .m_axi_awid_o(m_axi_awid), .m_axi_awaddr_o(m_axi_awaddr), .m_axi_awlen_o(m_axi_awlen),
    .m_axi_awsize_o(m_axi_awsize), .m_axi_awburst_o(m_axi_awburst), .m_axi_awlock_o(m_axi_awlock),
    .m_axi_awcache_o(m_axi_awcache), .m_axi_awprot_o(m_axi_awprot), .m_axi_awvalid_o(m_axi_awvalid),
    .m_axi_awready_i(m_axi_awready),
    .m_axi_wdata_o(m_axi_wdata), .m_axi_wstrb_o(m_axi_wstrb), .m_axi_wlast_o(m_axi_wlast),
    .m_axi_wvalid_o(m_axi_wvalid), .m_axi_wready_i(m_axi_wready),
    .m_axi_bid_i(m_axi_bid), .m_axi_bresp_i(m_axi_bresp), .m_axi_bvalid_i(m_axi_bvalid),
    .m_axi_bready_o(m_axi_bready),
    .err_o(wr_err), .err_resp_o(wr_err_resp), .err_clr_i(err_clr),
    .bytes_written_o(wr_bytes), .stall_cycles_o(wr_stalls), .idle_o(wr_idle)
  );

  // ---- command, data and capture sequencing ------------------------------------------------------
  logic out_ready_q, in_valid_q;
  assign rd_out_ready = out_ready_q;
  assign wr_in_valid  = in_valid_q;

  always_ff @(posedge clk) begin
    if (!rst_n) begin
      rc_i <= rc_n;                 // commands written before reset are dropped, not replayed
      wc_i <= wc_n;
      wd_i <= wd_n;
      out_ready_q <= 1'b0;
      in_valid_q  <= 1'b0;
    end else begin
      if (rc_i != rc_n && rd_cmd_ready) rc_i <= rc_i + 32'd1;
      if (wc_i != wc_n && wr_cmd_ready) wc_i <= wc_i + 32'd1;
      if (rd_out_valid && out_ready_q) begin
        cap[cap_n % CAP_DEPTH] <= {rd_out_resp, rd_out_last, rd_out_data};
        cap_n <= cap_n + 32'd1;
      end
      out_ready_q <= !rnd_hit(p_out_stall);
      if (!in_valid_q || wr_in_ready) begin
        in_valid_q <= ((wd_i + 32'(in_valid_q && wr_in_ready)) != wd_n) && !rnd_hit(p_in_idle);
        if (in_valid_q) wd_i <= wd_i + 32'd1;
      end
    end
  end

  initial cap_n = '0;

  // ---- fault injection between the DMAs and the BFM (fi_mode, proxy-written; 0 = none) ------------
  // Provokes the BFM's protocol checks the DMAs never violate. "after a stall": in a cycle that
  // follows one with VALID high and READY low. The DMA does not see the corruption, so it may
  // hang: tests reset after each mode.
  //   1 ARBURST = WRAP      2 ARSIZE - 1         3 ARADDR |= 0xFC0 (4 KB crossing)
  //   4 ARVALID dropped after a stall             5 ARADDR ^ 0x40 after a stall
  //   6 AWBURST = FIXED     7 AWADDR | 1         8 AWVALID dropped after a stall
  //   9 AWADDR ^ 0x40 after a stall               10 WVALID dropped after a stall
  //  11 WDATA ^ 1 after a stall                   12 WLAST inverted
  //  13 AWSIZE - 1          14 AWADDR |= 0xFC0
  logic [7:0]        fi_mode /*verilator public_flat_rw*/;
  logic              ar_st_q, aw_st_q, w_st_q;
  logic [AW-1:0]     f_araddr, f_awaddr;
  logic [2:0]        f_arsize, f_awsize;
  logic [1:0]        f_arburst, f_awburst;
  logic              f_arvalid, f_awvalid, f_wvalid, f_wlast;
  logic [DATA_W-1:0] f_wdata;

  always_ff @(posedge clk) begin
    ar_st_q <= m_axi_arvalid && !m_axi_arready;
    aw_st_q <= m_axi_awvalid && !m_axi_awready;
    w_st_q  <= m_axi_wvalid && !m_axi_wready;
  end

  always_comb begin
    f_arburst = (fi_mode == 8'd1) ? 2'b10 : m_axi_arburst;
    f_arsize  = (fi_mode == 8'd2) ? m_axi_arsize - 3'd1 : m_axi_arsize;
    f_araddr  = (fi_mode == 8'd3) ? (m_axi_araddr | AW'(12'hfc0)) :
                (fi_mode == 8'd5 && ar_st_q) ? (m_axi_araddr ^ AW'(12'h040)) : m_axi_araddr;
    f_arvalid = m_axi_arvalid && !(fi_mode == 8'd4 && ar_st_q);
    f_awburst = (fi_mode == 8'd6) ? 2'b00 : m_axi_awburst;
    f_awsize  = (fi_mode == 8'd13) ? m_axi_awsize - 3'd1 : m_axi_awsize;
    f_awaddr  = (fi_mode == 8'd7) ? (m_axi_awaddr | AW'(1)) :
                (fi_mode == 8'd14) ? (m_axi_awaddr | AW'(12'hfc0)) :
                (fi_mode == 8'd9 && aw_st_q) ? (m_axi_awaddr ^ AW'(12'h040)) : m_axi_awaddr;
    f_awvalid = m_axi_awvalid && !(fi_mode == 8'd8 && aw_st_q);
    f_wvalid  = m_axi_wvalid && !(fi_mode == 8'd10 && w_st_q);
    f_wdata   = (fi_mode == 8'd11 && w_st_q) ? (m_axi_wdata ^ DATA_W'(1)) : m_axi_wdata;
    f_wlast   = (fi_mode == 8'd12) ? !m_axi_wlast : m_axi_wlast;
  end

  le_axi_slave_bfm #(.DATA_W(DATA_W), .ADDR_W(AW), .ID_W(IW)) u_bfm (
    .clk, .rst_n,
    .axi_awid(m_axi_awid), .axi_awaddr(f_awaddr), .axi_awlen(m_axi_awlen),
    .axi_awsize(f_awsize), .axi_awburst(f_awburst), .axi_awlock(m_axi_awlock),
    .axi_awcache(m_axi_awcache), .axi_awprot(m_axi_awprot), .axi_awvalid(f_awvalid),
    .axi_awready(m_axi_awready),
    .axi_wdata(f_wdata), .axi_wstrb(m_axi_wstrb), .axi_wlast(f_wlast),
    .axi_wvalid(f_wvalid), .axi_wready(m_axi_wready),
    .axi_bid(m_axi_bid), .axi_bresp(m_axi_bresp), .axi_bvalid(m_axi_bvalid),
    .axi_bready(m_axi_bready),
    .axi_arid(m_axi_arid), .axi_araddr(f_araddr), .axi_arlen(m_axi_arlen),
    .axi_arsize(f_arsize), .axi_arburst(f_arburst), .axi_arlock(m_axi_arlock),
    .axi_arcache(m_axi_arcache), .axi_arprot(m_axi_arprot), .axi_arvalid(f_arvalid),
    .axi_arready(m_axi_arready),
    .axi_rid(m_axi_rid), .axi_rdata(m_axi_rdata), .axi_rresp(m_axi_rresp),
    .axi_rlast(m_axi_rlast), .axi_rvalid(m_axi_rvalid), .axi_rready(m_axi_rready)
  );

endmodule
