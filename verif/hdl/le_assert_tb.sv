// Copyright layer-engine contributors. Licensed under the Apache License, Version 2.0.
//
// le_assert_tb: provokes every assertion of the protocol checkers (le_axi4_checker, le_axil_checker,
// le_axis_checker) and of le_stream_fifo / le_axis_x_in, one per run: +case=<Label> drives the
// checker's inputs (or forces the module's state) into exactly that violation, after a stretch of
// legal traffic; +case=clean runs only the legal traffic and must end with $finish and no error.
// tests/test_assertions.py builds it once (Verilator --binary --assert +define+LE_ASSERT_ON) and runs
// every case, checking that the run fails and names the assertion (docs/verification.md#assertions).

module le_assert_tb;

  localparam int unsigned DataW = 64;
  localparam int unsigned StrbW = DataW / 8;

  logic clk;
  logic rst_n;
  string which;

  // ---- AXI4 (the engine's m_axi) ----
  logic [3:0]       awid, bid, arid, rid;
  logic [31:0]      awaddr, araddr;
  logic [7:0]       awlen, arlen;
  logic [2:0]       awsize, arsize, awprot, arprot;
  logic [1:0]       awburst, arburst, bresp, rresp;
  logic [3:0]       awcache, arcache;
  logic             awlock, arlock, awvalid, awready, wlast, wvalid, wready, bvalid, bready;
  logic             arvalid, arready, rlast, rvalid, rready;
  logic [DataW-1:0] wdata, rdata;
  logic [StrbW-1:0] wstrb;

  le_axi4_checker #(.DATA_W(DataW), .ADDR_W(32), .ID_W(4)) u_axi4 (
    .clk_i(clk), .rst_ni(rst_n),
    .awid_i(awid), .awaddr_i(awaddr), .awlen_i(awlen), .awsize_i(awsize), .awburst_i(awburst),
    .awlock_i(awlock), .awcache_i(awcache), .awprot_i(awprot), .awvalid_i(awvalid),
    .awready_i(awready), .wdata_i(wdata), .wstrb_i(wstrb), .wlast_i(wlast), .wvalid_i(wvalid),
    .wready_i(wready), .bid_i(bid), .bresp_i(bresp), .bvalid_i(bvalid), .bready_i(bready),
    .arid_i(arid), .araddr_i(araddr), .arlen_i(arlen), .arsize_i(arsize), .arburst_i(arburst),
    .arlock_i(arlock), .arcache_i(arcache), .arprot_i(arprot), .arvalid_i(arvalid),
    .arready_i(arready), .rid_i(rid), .rdata_i(rdata), .rresp_i(rresp), .rlast_i(rlast),
    .rvalid_i(rvalid), .rready_i(rready)
  );

  // ---- AXI4-Lite (the engine's s_axil) ----
  logic [6:0]  l_awaddr, l_araddr;
  logic [2:0]  l_awprot, l_arprot;
  logic [31:0] l_wdata, l_rdata;
  logic [3:0]  l_wstrb;
  logic [1:0]  l_bresp, l_rresp;
  logic        l_awvalid, l_awready, l_wvalid, l_wready, l_bvalid, l_bready;
  logic        l_arvalid, l_arready, l_rvalid, l_rready;

  le_axil_checker #(.ADDR_W(7)) u_axil (
    .clk_i(clk), .rst_ni(rst_n),
    .awaddr_i(l_awaddr), .awprot_i(l_awprot), .awvalid_i(l_awvalid), .awready_i(l_awready),
    .wdata_i(l_wdata), .wstrb_i(l_wstrb), .wvalid_i(l_wvalid), .wready_i(l_wready),
    .bresp_i(l_bresp), .bvalid_i(l_bvalid), .bready_i(l_bready), .araddr_i(l_araddr),
    .arprot_i(l_arprot), .arvalid_i(l_arvalid), .arready_i(l_arready), .rdata_i(l_rdata),
    .rresp_i(l_rresp), .rvalid_i(l_rvalid), .rready_i(l_rready)
  );

  // ---- AXI4-Stream: one stream into a le_axis_x_in (input contract) and an output stream ----
  logic [DataW-1:0] x_tdata, o_tdata;
  logic [StrbW-1:0] x_tkeep, o_tkeep;
  logic             x_tlast, x_tvalid, x_tready, o_tlast, o_tvalid, o_tready;
  logic             x_start, x_idle, x_we, x_done, x_err;
  logic [2:0]       x_addr;
  logic [DataW-1:0] x_data;
  logic [7:0]       x_code;

  le_axis_checker #(.DATA_W(DataW), .KEEP_UNIT(1), .IS_INPUT(1'b1)) u_x_chk (
    .clk_i(clk), .rst_ni(rst_n), .tdata_i(x_tdata), .tkeep_i(x_tkeep), .tlast_i(x_tlast),
    .tvalid_i(x_tvalid), .tready_i(x_tready)
  );

  le_axis_x_in #(.AXI_DATA_W(DataW), .MAX_D_MODEL(64)) u_x_in (
    .clk_i(clk), .rst_ni(rst_n), .start_i(x_start), .d_model_i(7'd32), .idle_o(x_idle),
    .s_axis_tdata_i(x_tdata), .s_axis_tkeep_i(x_tkeep), .s_axis_tlast_i(x_tlast),
    .s_axis_tvalid_i(x_tvalid), .s_axis_tready_o(x_tready), .x_we_o(x_we), .x_addr_o(x_addr),
    .x_data_o(x_data), .done_o(x_done), .err_valid_o(x_err), .err_code_o(x_code)
  );

  le_axis_checker #(.DATA_W(DataW), .KEEP_UNIT(4), .IS_INPUT(1'b0)) u_o_chk (
    .clk_i(clk), .rst_ni(rst_n), .tdata_i(o_tdata), .tkeep_i(o_tkeep), .tlast_i(o_tlast),
    .tvalid_i(o_tvalid), .tready_i(o_tready)
  );

  // ---- le_stream_fifo ----
  logic       f_in_valid, f_in_ready, f_out_valid, f_out_ready;
  logic [7:0] f_in_data, f_out_data;

  le_stream_fifo #(.WIDTH(8), .DEPTH(2)) u_fifo (
    .clk_i(clk), .rst_ni(rst_n), .in_valid_i(f_in_valid), .in_ready_o(f_in_ready),
    .in_data_i(f_in_data), .out_valid_o(f_out_valid), .out_ready_i(f_out_ready),
    .out_data_o(f_out_data)
  );

  logic unused;
  assign unused = ^{x_idle, x_we, x_addr, x_data, x_done, x_err, x_code, f_in_ready, f_out_valid,
                    f_out_data};

  // ---- stimulus ---------------------------------------------------------------------------------
  initial begin
    clk = 1'b0;
    forever #5 clk = ~clk;
  end

  task automatic step(int unsigned n = 1);
    repeat (n) @(negedge clk);
  endtask

  task automatic idle_all();
    {awid, awaddr, awlen, awlock, awcache, awprot, awvalid} = '0;
    {arid, araddr, arlen, arlock, arcache, arprot, arvalid} = '0;
    awsize = 3'd3; arsize = 3'd3; awburst = 2'b01; arburst = 2'b01;
    {wdata, wstrb, wlast, wvalid, bid, bresp, bvalid, rid, rdata, rresp, rlast, rvalid} = '0;
    awready = 1'b1; arready = 1'b1; wready = 1'b1; bready = 1'b1; rready = 1'b1;
    {l_awaddr, l_awprot, l_awvalid, l_wdata, l_wstrb, l_wvalid, l_bresp, l_bvalid} = '0;
    {l_araddr, l_arprot, l_arvalid, l_rdata, l_rresp, l_rvalid} = '0;
    l_awready = 1'b1; l_wready = 1'b1; l_arready = 1'b1; l_bready = 1'b1; l_rready = 1'b1;
    {x_tdata, x_tkeep, x_tlast, x_tvalid, x_start} = '0;
    {o_tdata, o_tkeep, o_tlast, o_tvalid} = '0;
    o_tready = 1'b1;
    {f_in_valid, f_in_data} = '0;
    f_out_ready = 1'b1;
  endtask

  // One AXI4 read burst: AR (stalled one cycle), then len + 1 R beats of ID id.
  task automatic axi_read(logic [3:0] id, logic [31:0] addr, logic [7:0] len);
    arid = id; araddr = addr; arlen = len; arvalid = 1'b1; arready = 1'b0;
    step(); arready = 1'b1;
    step(); arvalid = 1'b0;
    for (int unsigned k = 0; k <= 32'(len); k++) begin
      rid = id; rdata = 64'(k); rlast = (k == 32'(len)); rvalid = 1'b1; rready = (k != 0);
      step();
      if (!rready) begin
        rready = 1'b1;
        step();
      end
    end
    rvalid = 1'b0; rlast = 1'b0;
  endtask

  // One AXI4 write burst, its W beats before (w_first) or after its AW, then its B.
  task automatic axi_write(logic [3:0] id, logic [31:0] addr, logic [7:0] len, bit w_first);
    if (!w_first) begin
      awid = id; awaddr = addr; awlen = len; awvalid = 1'b1;
      step(); awvalid = 1'b0;
    end
    for (int unsigned k = 0; k <= 32'(len); k++) begin
      wdata = 64'(k); wstrb = '1; wlast = (k == 32'(len)); wvalid = 1'b1;
      step();
    end
    wvalid = 1'b0; wlast = 1'b0;
    if (w_first) begin
      awid = id; awaddr = addr; awlen = len; awvalid = 1'b1;
      step(); awvalid = 1'b0;
    end
    bid = id; bvalid = 1'b1; bready = 1'b0;
    step(); bready = 1'b1;
    step(); bvalid = 1'b0;
  endtask

  task automatic axil_write(logic [6:0] addr, logic [31:0] data);
    l_awaddr = addr; l_awvalid = 1'b1; l_wdata = data; l_wstrb = '1; l_wvalid = 1'b1;
    l_awready = 1'b0;
    step(); l_awready = 1'b1;
    step(); l_awvalid = 1'b0; l_wvalid = 1'b0;
    l_bvalid = 1'b1; l_bready = 1'b0;
    step(); l_bready = 1'b1;
    step(); l_bvalid = 1'b0;
  endtask

  task automatic axil_read(logic [6:0] addr);
    l_araddr = addr; l_arvalid = 1'b1;
    step(); l_arvalid = 1'b0;
    l_rvalid = 1'b1; l_rdata = 32'h1234; l_rready = 1'b0;
    step(); l_rready = 1'b1;
    step(); l_rvalid = 1'b0;
  endtask

  // A frame of n beats on the output stream (last TKEEP last_keep), stalled on its first beat.
  task automatic out_frame(int unsigned n, logic [StrbW-1:0] last_keep);
    for (int unsigned k = 0; k < n; k++) begin
      o_tdata = 64'(k + 1); o_tlast = (k == n - 1); o_tkeep = (k == n - 1) ? last_keep : '1;
      o_tvalid = 1'b1; o_tready = (k != 0);
      step();
      if (!o_tready) begin
        o_tready = 1'b1;
        step();
      end
    end
    o_tvalid = 1'b0; o_tlast = 1'b0;
  endtask

  // An X frame of n beats (d_model 32 on 8 lanes: 4 expected) into le_axis_x_in, TKEEP last_keep on
  // its TLAST beat and mid_keep on the others: armed by start_i, it takes a beat every cycle (TREADY
  // high from the cycle after start_i until the TLAST beat). A malformed frame (n != 4, a partial
  // TKEEP) is the engine's X_TLAST_EARLY / X_TLAST_LATE, not a contract violation: no assumption
  // of u_x_chk may fire on it.
  task automatic x_frame(int unsigned n = 4, logic [StrbW-1:0] last_keep = '1,
                         logic [StrbW-1:0] mid_keep = '1);
    x_start = 1'b1;
    step(); x_start = 1'b0;
    for (int unsigned k = 0; k < n; k++) begin
      x_tdata = 64'(k + 7); x_tlast = (k == n - 1); x_tkeep = x_tlast ? last_keep : mid_keep;
      x_tvalid = 1'b1;
      step();
    end
    x_tvalid = 1'b0; x_tlast = 1'b0;
    step(4);
  endtask

  task automatic legal_traffic();
    axi_read(4'd1, 32'h1000, 8'd3);
    axi_read(4'd2, 32'h1FC0, 8'd7);      // ends on the last byte of the page
    axi_write(4'd3, 32'h2000, 8'd2, 1'b0);
    axi_write(4'd3, 32'h3000, 8'd1, 1'b1);   // W ahead of its AW
    axil_write(7'h10, 32'hA5);
    axil_read(7'h10);
    out_frame(3, 8'h0F);
    x_frame();
    x_frame(2);                     // TLAST early (full TKEEP)
    x_frame(4, 8'h3F);              // right length, 2 bytes short: partial TKEEP on TLAST
    x_frame(6, '1, 8'h0F);          // TLAST late, partial TKEEP on beats that are not the last
    x_frame(1, '0);                 // TLAST on the first beat with TKEEP 0
    f_in_valid = 1'b1; f_in_data = 8'h11; f_out_ready = 1'b0;
    step(); f_in_data = 8'h22;
    step(); f_in_valid = 1'b0;
    step(2); f_out_ready = 1'b1;
    step(3);
  endtask

  initial begin
    if (!$value$plusargs("case=%s", which)) which = "clean";
    idle_all();
    rst_n = 1'b0;
    step(3);
    rst_n = 1'b1;
    step(2);
    legal_traffic();
    $display("le_assert_tb: legal traffic done, case %s", which);
    case (which)
      "clean": ;
      // AXI4 master rules
      "ArValidHeld_A": begin arvalid = 1'b1; arready = 1'b0; step(); arvalid = 1'b0; end
      "ArStable_A":    begin arvalid = 1'b1; arready = 1'b0; step(); araddr = 32'h40; end
      "ArBurstIncr_A": begin arvalid = 1'b1; arburst = 2'b10; end
      "ArSizeBus_A":   begin arvalid = 1'b1; arsize = 3'd2; end
      "Ar4k_A":        begin arvalid = 1'b1; araddr = 32'hFF8; arlen = 8'd1; end
      "AwValidHeld_A": begin awvalid = 1'b1; awready = 1'b0; step(); awvalid = 1'b0; end
      "AwStable_A":    begin awvalid = 1'b1; awready = 1'b0; step(); awlen = 8'd5; end
      "AwBurstIncr_A": begin awvalid = 1'b1; awburst = 2'b00; end
      "AwSizeBus_A":   begin awvalid = 1'b1; awsize = 3'd4; end
      "Aw4k_A":        begin awvalid = 1'b1; awaddr = 32'h1F00; awlen = 8'd32; end
      "WValidHeld_A":  begin awvalid = 1'b1; step(); awvalid = 1'b0;
                             wvalid = 1'b1; wready = 1'b0; step(); wvalid = 1'b0; end
      "WStable_A":     begin awvalid = 1'b1; step(); awvalid = 1'b0;
                             wvalid = 1'b1; wready = 1'b0; step(); wstrb = 8'h01; end
      "WLast_A":       begin awlen = 8'd1; awvalid = 1'b1; step(); awvalid = 1'b0;
                             wvalid = 1'b1; wlast = 1'b1; step(); end
      "WLastEarly_A":  begin wvalid = 1'b1; wlast = 1'b1; step(); wvalid = 1'b0; wlast = 1'b0;
                             awlen = 8'd1; awvalid = 1'b1; step(); end
      "WNoAw_A":       begin wvalid = 1'b1; wlast = 1'b1; step(9); end
      // AXI4 slave (memory) rules and IDs
      "RValidHeld_A":  begin arvalid = 1'b1; step(); arvalid = 1'b0;
                             rvalid = 1'b1; rready = 1'b0; step(); rvalid = 1'b0; end
      "RStable_A":     begin arvalid = 1'b1; step(); arvalid = 1'b0;
                             rvalid = 1'b1; rready = 1'b0; step(); rdata = 64'h99; end
      "RNoAr_A":       begin rid = 4'd9; rvalid = 1'b1; end
      "RLast_A":       begin arlen = 8'd1; arvalid = 1'b1; step(); arvalid = 1'b0;
                             rvalid = 1'b1; rlast = 1'b1; end
      "BValidHeld_A":  begin awid = 4'd0; awlen = 8'd0; awvalid = 1'b1; wvalid = 1'b1; wlast = 1'b1;
                             step(); {awvalid, wvalid, wlast} = '0;
                             bid = 4'd0; bvalid = 1'b1; bready = 1'b0; step(); bvalid = 1'b0; end
      "BStable_A":     begin awid = 4'd0; awlen = 8'd0; awvalid = 1'b1; wvalid = 1'b1; wlast = 1'b1;
                             step(); {awvalid, wvalid, wlast} = '0;
                             bid = 4'd0; bvalid = 1'b1; bready = 1'b0; step(); bresp = 2'b10; end
      "BNoAw_A":       begin bid = 4'd7; bvalid = 1'b1; end
      "ArTrack_A":     begin arvalid = 1'b1; step(9); end
      "AwTrack_A":     begin awvalid = 1'b1; step(9); end
      // AXI4-Lite: the engine's responses
      "BValidHeld_A@axil": begin l_awvalid = 1'b1; l_wvalid = 1'b1; step();
                                 {l_awvalid, l_wvalid} = '0;
                                 l_bvalid = 1'b1; l_bready = 1'b0; step(); l_bvalid = 1'b0; end
      "BStable_A@axil":    begin l_awvalid = 1'b1; l_wvalid = 1'b1; step();
                                 {l_awvalid, l_wvalid} = '0;
                                 l_bvalid = 1'b1; l_bready = 1'b0; step(); l_bresp = 2'b10; end
      "RValidHeld_A@axil": begin l_arvalid = 1'b1; step(); l_arvalid = 1'b0;
                                 l_rvalid = 1'b1; l_rready = 1'b0; step(); l_rvalid = 1'b0; end
      "RStable_A@axil":    begin l_arvalid = 1'b1; step(); l_arvalid = 1'b0;
                                 l_rvalid = 1'b1; l_rready = 1'b0; step(); l_rdata = 32'h5; end
      "BNoReq_A":          begin l_awvalid = 1'b1; step(); l_awvalid = 1'b0; l_bvalid = 1'b1; end
      "RNoReq_A":          begin l_rvalid = 1'b1; end
      // AXI4-Lite: the host's requests (assumptions)
      "AwValidHeld_M": begin l_awvalid = 1'b1; l_awready = 1'b0; step(); l_awvalid = 1'b0; end
      "AwStable_M":    begin l_awvalid = 1'b1; l_awready = 1'b0; step(); l_awaddr = 7'h4; end
      "WValidHeld_M":  begin l_wvalid = 1'b1; l_wready = 1'b0; step(); l_wvalid = 1'b0; end
      "WStable_M":     begin l_wvalid = 1'b1; l_wready = 1'b0; step(); l_wdata = 32'h7; end
      "ArValidHeld_M": begin l_arvalid = 1'b1; l_arready = 1'b0; step(); l_arvalid = 1'b0; end
      "ArStable_M":    begin l_arvalid = 1'b1; l_arready = 1'b0; step(); l_araddr = 7'h8; end
      // AXI4-Stream out of the engine (m_axis_logits rules)
      "TValidHeld_A":     begin o_tvalid = 1'b1; o_tkeep = '1; o_tready = 1'b0; step();
                                o_tvalid = 1'b0; end
      "TPayloadStable_A": begin o_tvalid = 1'b1; o_tkeep = '1; o_tready = 1'b0; step();
                                o_tdata = 64'hAB; end
      "TKeepNonZero_A":   begin o_tvalid = 1'b1; o_tlast = 1'b1; o_tkeep = '0; end
      "TKeepFull_A":      begin o_tvalid = 1'b1; o_tkeep = 8'h0F; end
      "TKeepContig_A":    begin o_tvalid = 1'b1; o_tlast = 1'b1; o_tkeep = 8'h03; end
      // AXI4-Stream into the engine (s_axis_x contract, assumptions): le_axis_x_in takes no beat
      // while idle, so TREADY stays low
      "TValidHeld_M":     begin x_tvalid = 1'b1; step(); x_tvalid = 1'b0; end
      "TPayloadStable_M": begin x_tvalid = 1'b1; x_tkeep = '1; step(); x_tdata = 64'h3; end
      // le_stream_fifo and le_axis_x_in, their state forced
      "CntRange_A":       begin force u_fifo.cnt_q = 2'd3; end
      "OutValidHeld_A":   begin f_in_valid = 1'b1; f_out_ready = 1'b0; step(); f_in_valid = 1'b0;
                                step(); force u_fifo.cnt_q = 2'd0; end
      "OutDataStable_A":  begin f_in_valid = 1'b1; f_in_data = 8'h5A; f_out_ready = 1'b0; step();
                                f_in_data = 8'hC3; step(); f_in_valid = 1'b0;
                                force u_fifo.rd_ptr_q = ~u_fifo.rd_ptr_q; end
      /* verilator lint_off ENUMVALUE */
      "StateLegal_A":     begin force u_x_in.state_q = 2'd3; end
      /* verilator lint_on ENUMVALUE */
      default: $fatal(1, "le_assert_tb: unknown +case=%s", which);
    endcase
    step(4);
    $display("le_assert_tb: case %s ended without an assertion failure", which);
    $finish;
  end

endmodule
