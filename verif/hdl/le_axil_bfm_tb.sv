// Copyright layer-engine contributors. Licensed under the Apache License, Version 2.0.
//
// le_axil_bfm_tb: test wrapper of the AXI4-Lite split transactors (tests/rtl/cocotb_axil_bfm.py).
//
// Purpose:      le_axil_master_bfm -> a small AXI4-Lite slave (32 registers of 32 bits, byte strobes) that
//               can misbehave on purpose, with le_axil_monitor on the bus between them. The slave's faults
//               are the protocol errors the master and the monitor must report.
// Slave (mode_i, static during an access):
//   0 MODE_OK      AWREADY / WREADY / ARREADY after lat_i cycles of their VALID, B the cycle after both the
//                  AW and the W handshake, R the cycle after the AR handshake; RESP OKAY
//   1 MODE_EARLY_B BVALID high all the time (a B before the AW and W handshakes when lat_i > 0)
//   2 MODE_EARLY_R RVALID high all the time (an R before the AR handshake when lat_i > 0)
//   3 MODE_SILENT  no READY, no response (the master times out)
//   4 MODE_SLVERR  as MODE_OK with BRESP / RRESP = SLVERR
// Status for Python: cycle_q (clock edges out of reset).
// Reset:        rst_ni resets the slave and the monitor; the master has none.

module le_axil_bfm_tb (
  input  logic       clk_i,
  input  logic       rst_ni,
  input  logic [2:0] mode_i,
  input  logic [3:0] lat_i
);

  localparam logic [2:0] ModeEarlyB = 3'd1, ModeEarlyR = 3'd2, ModeSilent = 3'd3, ModeSlvErr = 3'd4;

  logic [6:0]  awaddr, araddr;
  logic [2:0]  awprot, arprot;
  logic [31:0] wdata, rdata;
  logic [3:0]  wstrb;
  logic [1:0]  bresp, rresp;
  logic        enable, awvalid, awready, wvalid, wready, bvalid, bready;
  logic        arvalid, arready, rvalid, rready;

  le_axil_master_bfm #(.ADDR_W(7)) u_master (
    .clk_i, .enable_o(enable),
    .awaddr_o(awaddr), .awprot_o(awprot), .awvalid_o(awvalid), .awready_i(awready),
    .wdata_o(wdata), .wstrb_o(wstrb), .wvalid_o(wvalid), .wready_i(wready),
    .bresp_i(bresp), .bvalid_i(bvalid), .bready_o(bready),
    .araddr_o(araddr), .arprot_o(arprot), .arvalid_o(arvalid), .arready_i(arready),
    .rdata_i(rdata), .rresp_i(rresp), .rvalid_i(rvalid), .rready_o(rready)
  );

  le_axil_monitor #(.ADDR_W(7)) u_mon (
    .clk_i, .rst_ni,
    .awaddr_i(awaddr), .awvalid_i(awvalid), .awready_i(awready),
    .wdata_i(wdata), .wvalid_i(wvalid), .wready_i(wready),
    .bresp_i(bresp), .bvalid_i(bvalid), .bready_i(bready),
    .araddr_i(araddr), .arvalid_i(arvalid), .arready_i(arready),
    .rdata_i(rdata), .rresp_i(rresp), .rvalid_i(rvalid), .rready_i(rready)
  );

  // ---- the slave --------------------------------------------------------------------------------------------
  logic [31:0] mem_regs [32];
  logic [3:0]  aw_wait_q, w_wait_q, ar_wait_q, aw_wait_d, w_wait_d, ar_wait_d;
  logic        aw_done_q, w_done_q, bvalid_q, rvalid_q, aw_done_d, w_done_d, bvalid_d, rvalid_d;
  logic [4:0]  waddr_q, waddr_d;
  logic [31:0] rdata_q, rdata_d, cycle_q, cycle_d;
  logic        aw_hs, w_hs, ar_hs, silent;
  logic [1:0]  resp;

  assign silent  = mode_i == ModeSilent;
  assign resp    = (mode_i == ModeSlvErr) ? 2'b10 : 2'b00;
  assign awready = !silent && awvalid && !aw_done_q && aw_wait_q >= lat_i;
  assign wready  = !silent && wvalid && !w_done_q && w_wait_q >= lat_i;
  assign arready = !silent && arvalid && !rvalid_q && ar_wait_q >= lat_i;
  assign aw_hs   = awvalid && awready;
  assign w_hs    = wvalid && wready;
  assign ar_hs   = arvalid && arready;
  assign bvalid  = (mode_i == ModeEarlyB) || bvalid_q;
  assign rvalid  = (mode_i == ModeEarlyR) || rvalid_q;
  assign bresp   = resp;
  assign rresp   = resp;
  assign rdata   = rdata_q;

  always_comb begin
    aw_wait_d = (awvalid && !aw_hs && aw_wait_q != 4'hF) ? aw_wait_q + 1'b1 : 4'd0;
    w_wait_d  = (wvalid && !w_hs && w_wait_q != 4'hF) ? w_wait_q + 1'b1 : 4'd0;
    ar_wait_d = (arvalid && !ar_hs && ar_wait_q != 4'hF) ? ar_wait_q + 1'b1 : 4'd0;
    aw_done_d = aw_done_q || aw_hs;
    w_done_d  = w_done_q || w_hs;
    waddr_d   = aw_hs ? awaddr[6:2] : waddr_q;
    bvalid_d  = bvalid_q;
    if (bvalid_q && bready) begin
      bvalid_d = 1'b0;
    end else if (aw_done_d && w_done_d && !bvalid_q) begin
      bvalid_d  = 1'b1;
      aw_done_d = 1'b0;
      w_done_d  = 1'b0;
    end
    rvalid_d = ar_hs || (rvalid_q && !rready);
    rdata_d  = ar_hs ? mem_regs[araddr[6:2]] : rdata_q;
    cycle_d  = cycle_q + 32'd1;
  end

  always_ff @(posedge clk_i) begin
    if (!rst_ni) begin
      aw_wait_q <= '0;
      w_wait_q  <= '0;
      ar_wait_q <= '0;
      aw_done_q <= 1'b0;
      w_done_q  <= 1'b0;
      bvalid_q  <= 1'b0;
      rvalid_q  <= 1'b0;
      waddr_q   <= '0;
      rdata_q   <= '0;
      cycle_q   <= '0;
    end else begin
      aw_wait_q <= aw_wait_d;
      w_wait_q  <= w_wait_d;
      ar_wait_q <= ar_wait_d;
      aw_done_q <= aw_done_d;
      w_done_q  <= w_done_d;
      bvalid_q  <= bvalid_d;
      rvalid_q  <= rvalid_d;
      waddr_q   <= waddr_d;
      rdata_q   <= rdata_d;
      cycle_q   <= cycle_d;
    end
  end

  // The register file: W data lands at the address of the write's AW (taken in the same or an earlier cycle:
  // the master raises both together). Not reset: the test writes before it reads.
  always_ff @(posedge clk_i) begin
    if (rst_ni && w_hs) begin
      for (int b = 0; b < 4; b++) begin
        if (wstrb[b]) mem_regs[aw_hs ? awaddr[6:2] : waddr_q][8*b +: 8] <= wdata[8*b +: 8];
      end
    end
  end

  logic unused;
  assign unused = ^{enable, awprot, arprot, awaddr[1:0], araddr[1:0]};

endmodule
