// Copyright layer-engine contributors. Licensed under the Apache License, Version 2.0.
//
// le_axi4_checker: AXI4 protocol checker (ARM IHI 0022) for the engine's DDR master port m_axi_*, bound to it
// by verif/hdl/le_bind.sv (docs/verification.md#assertions). Passive: inputs only. Checks both sides of the
// bus: the engine (the master: *_A on AR, AW, W) and the memory's responses (R, B), out of ARESETn = rst_ni
// only (the engine's soft reset is no bus reset: the bus rules hold across it).
//
// Master (the engine):
//   ArValidHeld / AwValidHeld / WValidHeld      VALID, once high, stays high until READY
//   ArStable / AwStable / WStable              the payload does not change while VALID && !READY
//   ArBurstIncr / AwBurstIncr                  AxBURST = INCR
//   ArSizeBus / AwSizeBus                      AxSIZE = the bus width (2^size = DATA_W / 8 bytes)
//   Ar4k / Aw4k                                no burst crosses a 4 KB boundary
//   WLast                                      WLAST on beat AWLEN + 1 of the burst, on no other beat (the
//                                              write bursts' beats counted in W order and matched with the
//                                              AWs in AW order: W may run ahead of its AW)
//   WNoAw                                      no more W bursts ahead of their AWs than the checker tracks
// Slave (the memory) and IDs:
//   RValidHeld / RStable, BValidHeld / BStable  as above for the response channels
//   RNoAr                                      an R beat has an outstanding AR of its RID
//   RLast                                      RLAST on the last beat (ARLEN + 1) of the oldest outstanding
//                                              AR of that ID, on no other beat
//   BNoAw                                      a B has an outstanding AW of its BID whose W data all went
// Checker capacity (not protocol rules; a failure means: raise the parameter):
//   ArTrack / AwTrack                          at most OUTSTANDING bursts outstanding per ID
// Compiled to nothing without LE_ASSERT_ON (rtl/le_assert.svh).
`ifndef LE_ASSERT_SVH
`include "le_assert.svh"  // guarded: the file lists put it first, a lone build finds it with -y rtl
`endif

module le_axi4_checker #(
  parameter int unsigned DATA_W      = 128,
  parameter int unsigned ADDR_W      = 32,
  parameter int unsigned ID_W        = 4,
  parameter int unsigned OUTSTANDING = 8,   // bursts tracked per ID and direction, W bursts ahead
  // Derived, not to be overridden.
  localparam int unsigned StrbW      = DATA_W / 8
) (
  input  logic              clk_i,
  input  logic              rst_ni,
  input  logic [ID_W-1:0]   awid_i,
  input  logic [ADDR_W-1:0] awaddr_i,
  input  logic [7:0]        awlen_i,
  input  logic [2:0]        awsize_i,
  input  logic [1:0]        awburst_i,
  input  logic              awlock_i,
  input  logic [3:0]        awcache_i,
  input  logic [2:0]        awprot_i,
  input  logic              awvalid_i,
  input  logic              awready_i,
  input  logic [DATA_W-1:0] wdata_i,
  input  logic [StrbW-1:0]  wstrb_i,
  input  logic              wlast_i,
  input  logic              wvalid_i,
  input  logic              wready_i,
  input  logic [ID_W-1:0]   bid_i,
  input  logic [1:0]        bresp_i,
  input  logic              bvalid_i,
  input  logic              bready_i,
  input  logic [ID_W-1:0]   arid_i,
  input  logic [ADDR_W-1:0] araddr_i,
  input  logic [7:0]        arlen_i,
  input  logic [2:0]        arsize_i,
  input  logic [1:0]        arburst_i,
  input  logic              arlock_i,
  input  logic [3:0]        arcache_i,
  input  logic [2:0]        arprot_i,
  input  logic              arvalid_i,
  input  logic              arready_i,
  input  logic [ID_W-1:0]   rid_i,
  input  logic [DATA_W-1:0] rdata_i,
  input  logic [1:0]        rresp_i,
  input  logic              rlast_i,
  input  logic              rvalid_i,
  input  logic              rready_i
);

`ifdef LE_ASSERT_ON

  localparam int unsigned NIds  = 1 << ID_W;
  localparam int unsigned SlotW = $clog2(OUTSTANDING);
  localparam int unsigned CntW  = $clog2(OUTSTANDING + 1);

  localparam logic [2:0] BusSize = 3'($clog2(StrbW));
  localparam logic [1:0] Incr    = 2'b01;

  function automatic logic [SlotW-1:0] slot_inc(logic [SlotW-1:0] slot);
    return (32'(slot) == OUTSTANDING - 1) ? '0 : slot + 1'b1;
  endfunction

  logic ar_hs, aw_hs, w_hs, r_hs, b_hs;
  assign ar_hs = arvalid_i && arready_i;
  assign aw_hs = awvalid_i && awready_i;
  assign w_hs  = wvalid_i && wready_i;
  assign r_hs  = rvalid_i && rready_i;
  assign b_hs  = bvalid_i && bready_i;

  // The last byte of a burst, 12 page-offset bits plus a carry: past 4095 = across a 4 KB boundary.
  logic [13:0] ar_end, aw_end;
  assign ar_end = {2'b00, araddr_i[11:0]} + ((14'(arlen_i) + 14'd1) << BusSize) - 14'd1;
  assign aw_end = {2'b00, awaddr_i[11:0]} + ((14'(awlen_i) + 14'd1) << BusSize) - 14'd1;

  // ---- reads: per ID, a FIFO of the outstanding ARs' lengths and the beat count of the oldest -----------
  logic [7:0]       mem_rlen [NIds][OUTSTANDING];
  logic [SlotW-1:0] rwr_d [NIds], rwr_q [NIds];
  logic [SlotW-1:0] rrd_d [NIds], rrd_q [NIds];
  logic [CntW-1:0]  rcnt_d [NIds], rcnt_q [NIds];
  logic [7:0]       rbeat_d [NIds], rbeat_q [NIds];
  logic             ar_take, r_take;

  assign ar_take = ar_hs && rcnt_q[arid_i] != CntW'(OUTSTANDING);
  assign r_take  = r_hs && rcnt_q[rid_i] != '0;

  always_comb begin
    rwr_d   = rwr_q;
    rrd_d   = rrd_q;
    rcnt_d  = rcnt_q;
    rbeat_d = rbeat_q;
    if (ar_take) begin
      rwr_d[arid_i]  = slot_inc(rwr_q[arid_i]);
      rcnt_d[arid_i] = rcnt_q[arid_i] + 1'b1;
    end
    if (r_take) begin
      rbeat_d[rid_i] = rlast_i ? 8'd0 : rbeat_q[rid_i] + 8'd1;
      if (rlast_i) begin
        rrd_d[rid_i]  = slot_inc(rrd_q[rid_i]);
        rcnt_d[rid_i] = rcnt_d[rid_i] - 1'b1;
      end
    end
  end

  always_ff @(posedge clk_i) begin
    if (!rst_ni) begin
      rwr_q   <= '{default: '0};
      rrd_q   <= '{default: '0};
      rcnt_q  <= '{default: '0};
      rbeat_q <= '{default: '0};
    end else begin
      rwr_q   <= rwr_d;
      rrd_q   <= rrd_d;
      rcnt_q  <= rcnt_d;
      rbeat_q <= rbeat_d;
    end
  end

  always_ff @(posedge clk_i) begin
    if (ar_take) begin
      mem_rlen[arid_i][rwr_q[arid_i]] <= arlen_i;
    end
  end

  logic r_has_ar, r_last_ok;
  assign r_has_ar  = rcnt_q[rid_i] != '0;
  assign r_last_ok = rlast_i == (rbeat_q[rid_i] == mem_rlen[rid_i][rrd_q[rid_i]]);

  // ---- writes: AW lengths in AW order, W burst lengths in W order, matched pairwise -------------------
  // mem_awlen holds the AWs whose W burst has not ended, mem_wlen the W bursts that ended before their AW.
  logic [7:0]       mem_awlen [OUTSTANDING];
  logic [7:0]       mem_wlen [OUTSTANDING];
  logic [SlotW-1:0] aw_wr_d, aw_wr_q, aw_rd_d, aw_rd_q, wb_wr_d, wb_wr_q, wb_rd_d, wb_rd_q;
  logic [CntW-1:0]  aw_cnt_d, aw_cnt_q, wb_cnt_d, wb_cnt_q;
  logic [7:0]       wbeat_d, wbeat_q;
  logic             w_known;        // the W burst in progress has its AW (the oldest unmatched)
  logic             w_last_ok, w_early_ok;
  logic             aw_pop, aw_enq, wb_push, wb_pop, w_ends_alone, pair_now;

  assign w_known   = aw_cnt_q != '0;
  assign w_last_ok = !w_known || wlast_i == (wbeat_q == mem_awlen[aw_rd_q]);
  // A W burst that ends with no AW waiting: remembered, then matched with the next AW (at once when
  // that AW is taken in the same cycle and no earlier W burst waits).
  assign w_ends_alone = w_hs && wlast_i && !w_known;
  assign pair_now   = w_ends_alone && aw_hs && wb_cnt_q == '0;
  assign wb_push    = w_ends_alone && !pair_now && wb_cnt_q != CntW'(OUTSTANDING);
  assign aw_pop     = w_hs && wlast_i && w_known;
  assign wb_pop     = aw_hs && wb_cnt_q != '0;
  assign aw_enq     = aw_hs && !wb_pop && !pair_now && aw_cnt_q != CntW'(OUTSTANDING);
  assign w_early_ok = !(w_ends_alone && !pair_now && wb_cnt_q == CntW'(OUTSTANDING));

  always_comb begin
    aw_wr_d  = aw_enq ? slot_inc(aw_wr_q) : aw_wr_q;
    aw_rd_d  = aw_pop ? slot_inc(aw_rd_q) : aw_rd_q;
    aw_cnt_d = aw_cnt_q + CntW'(aw_enq) - CntW'(aw_pop);
    wb_wr_d  = wb_push ? slot_inc(wb_wr_q) : wb_wr_q;
    wb_rd_d  = wb_pop ? slot_inc(wb_rd_q) : wb_rd_q;
    wb_cnt_d = wb_cnt_q + CntW'(wb_push) - CntW'(wb_pop);
    wbeat_d  = !w_hs ? wbeat_q : wlast_i ? 8'd0 : wbeat_q + 8'd1;
  end

  always_ff @(posedge clk_i) begin
    if (!rst_ni) begin
      aw_wr_q  <= '0;
      aw_rd_q  <= '0;
      aw_cnt_q <= '0;
      wb_wr_q  <= '0;
      wb_rd_q  <= '0;
      wb_cnt_q <= '0;
      wbeat_q  <= '0;
    end else begin
      aw_wr_q  <= aw_wr_d;
      aw_rd_q  <= aw_rd_d;
      aw_cnt_q <= aw_cnt_d;
      wb_wr_q  <= wb_wr_d;
      wb_rd_q  <= wb_rd_d;
      wb_cnt_q <= wb_cnt_d;
      wbeat_q  <= wbeat_d;
    end
  end

  always_ff @(posedge clk_i) begin
    if (aw_enq) begin
      mem_awlen[aw_wr_q] <= awlen_i;
    end
    if (wb_push) begin
      mem_wlen[wb_wr_q] <= wbeat_q;
    end
  end

  // An early W burst's length against the AW that arrives for it.
  logic wb_match_ok;
  assign wb_match_ok = (!wb_pop || mem_wlen[wb_rd_q] == awlen_i) &&
                       (!pair_now || wbeat_q == awlen_i);

  // B: an AW of that ID is outstanding, and the W bursts that ended outnumber the Bs taken.
  logic [CntW-1:0] awpend_d [NIds], awpend_q [NIds];
  logic [15:0]     wdone_d, wdone_q, bdone_d, bdone_q;

  always_comb begin
    awpend_d = awpend_q;
    if (aw_hs && awpend_q[awid_i] != CntW'(OUTSTANDING)) begin
      awpend_d[awid_i] = awpend_q[awid_i] + 1'b1;
    end
    if (b_hs && awpend_d[bid_i] != '0) begin
      awpend_d[bid_i] = awpend_d[bid_i] - 1'b1;
    end
    wdone_d = wdone_q + 16'(w_hs && wlast_i);
    bdone_d = bdone_q + 16'(b_hs);
  end

  always_ff @(posedge clk_i) begin
    if (!rst_ni) begin
      awpend_q <= '{default: '0};
      wdone_q  <= '0;
      bdone_q  <= '0;
    end else begin
      awpend_q <= awpend_d;
      wdone_q  <= wdone_d;
      bdone_q  <= bdone_d;
    end
  end

  logic b_has_aw;
  assign b_has_aw = awpend_q[bid_i] != '0 && (wdone_q != bdone_q);

  // ---- the rules --------------------------------------------------------------------------------------
  `LE_ASSERT(ArValidHeld_A, arvalid_i && !arready_i |=> arvalid_i)
  `LE_ASSERT(ArStable_A, arvalid_i && !arready_i |=>
             $stable({arid_i, araddr_i, arlen_i, arsize_i, arburst_i, arlock_i, arcache_i,
                      arprot_i}))
  `LE_ASSERT(ArBurstIncr_A, arvalid_i |-> arburst_i == Incr)
  `LE_ASSERT(ArSizeBus_A, arvalid_i |-> arsize_i == BusSize)
  `LE_ASSERT(Ar4k_A, arvalid_i |-> ar_end < 14'd4096)
  `LE_ASSERT(AwValidHeld_A, awvalid_i && !awready_i |=> awvalid_i)
  `LE_ASSERT(AwStable_A, awvalid_i && !awready_i |=>
             $stable({awid_i, awaddr_i, awlen_i, awsize_i, awburst_i, awlock_i, awcache_i,
                      awprot_i}))
  `LE_ASSERT(AwBurstIncr_A, awvalid_i |-> awburst_i == Incr)
  `LE_ASSERT(AwSizeBus_A, awvalid_i |-> awsize_i == BusSize)
  `LE_ASSERT(Aw4k_A, awvalid_i |-> aw_end < 14'd4096)
  `LE_ASSERT(WValidHeld_A, wvalid_i && !wready_i |=> wvalid_i)
  `LE_ASSERT(WStable_A, wvalid_i && !wready_i |=> $stable({wdata_i, wstrb_i, wlast_i}))
  `LE_ASSERT(WLast_A, w_hs |-> w_last_ok)
  `LE_ASSERT(WLastEarly_A, wb_match_ok)
  `LE_ASSERT(WNoAw_A, w_early_ok)
  `LE_ASSERT(RValidHeld_A, rvalid_i && !rready_i |=> rvalid_i)
  `LE_ASSERT(RStable_A, rvalid_i && !rready_i |=> $stable({rid_i, rdata_i, rresp_i, rlast_i}))
  `LE_ASSERT(RNoAr_A, rvalid_i |-> r_has_ar)
  `LE_ASSERT(RLast_A, rvalid_i && r_has_ar |-> r_last_ok)
  `LE_ASSERT(BValidHeld_A, bvalid_i && !bready_i |=> bvalid_i)
  `LE_ASSERT(BStable_A, bvalid_i && !bready_i |=> $stable({bid_i, bresp_i}))
  `LE_ASSERT(BNoAw_A, bvalid_i |-> b_has_aw)
  `LE_ASSERT(ArTrack_A, ar_hs |-> rcnt_q[arid_i] != CntW'(OUTSTANDING))
  `LE_ASSERT(AwTrack_A, aw_hs |-> awpend_q[awid_i] != CntW'(OUTSTANDING) &&
                                (wb_pop || pair_now || aw_cnt_q != CntW'(OUTSTANDING)))
  `LE_ASSERT_KNOWN(ArValidKnown_A, arvalid_i)
  `LE_ASSERT_KNOWN(AwValidKnown_A, awvalid_i)
  `LE_ASSERT_KNOWN(WValidKnown_A, wvalid_i)

  // Read only by the properties.
  logic unused;
  assign unused = ^{ar_end, aw_end, r_has_ar, r_last_ok, w_last_ok, w_early_ok, wb_match_ok,
                    b_has_aw, wdata_i, wstrb_i, rdata_i, rresp_i, bresp_i, arlock_i, arcache_i,
                    arprot_i, awlock_i, awcache_i, awprot_i};

`else  // LE_ASSERT_ON: no checks, nothing to build

  logic unused;
  logic [31:0] unused_param;
  assign unused_param = OUTSTANDING;
  assign unused = ^{clk_i, rst_ni, awid_i, awaddr_i, awlen_i, awsize_i, awburst_i, awlock_i,
                    awcache_i, awprot_i, awvalid_i, awready_i, wdata_i, wstrb_i, wlast_i,
                    wvalid_i, wready_i, bid_i, bresp_i, bvalid_i, bready_i, arid_i, araddr_i,
                    arlen_i, arsize_i, arburst_i, arlock_i, arcache_i, arprot_i, arvalid_i,
                    arready_i, rid_i, rdata_i, rresp_i, rlast_i, rvalid_i, rready_i};

`endif  // LE_ASSERT_ON

endmodule
