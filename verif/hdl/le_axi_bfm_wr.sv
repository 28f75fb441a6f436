// Copyright layer-engine contributors. Licensed under the Apache License, Version 2.0.
//
// le_axi_bfm_wr: AW/W/B side of the AXI4 slave BFM (verif/hdl/le_axi_slave_bfm.sv). Testbench model.
//
// Purpose:     accepts write bursts on AW (a FIFO of bursts waiting for data) and beats on W (W may
//              run ahead of AW: up to w_early_max beats are buffered), applies each beat through
//              the strobed memory write port, and answers one B per burst from an age-ordered
//              table; records every completed burst, its beats and every protocol error.
// Latency:     a beat is applied at the first edge at which its AW is known (memory updated one
//              edge later); a burst's B may be transferred from edge k + 1 + L after the edge k
//              that applied its WLAST beat, L uniform in [b_lat_min, b_lat_max].
// Throughput:  one W beat per cycle (no stalls), one B per cycle, AWREADY every cycle below
//              max_outstanding (AWs whose B was not yet transferred).
// Ordering:    B of one AWID in AW order; b_reorder: any ready burst whose ID has no older burst
//              waiting, chosen uniformly; otherwise the oldest only.
// Responses:   per beat: the last error range (enabled for writes) overlapping the beat, else the
//              burst's random error (p_err, decided at AW), else DECERR (ErrWrOutside, beat not
//              applied) if a strobed byte lies outside every enabled RW window, else OKAY (applied).
//              BRESP is the worst beat response. Only OKAY beats are written.
// Records:     rec[] (REC_DEPTH ring, rec_wr), 192 bits: {8'0, id[7:0], len[7:0], resp[7:0],
//              nbeats[15:0], 16'0, beat0[31:0], addr[31:0], t_aw[31:0], t_b[31:0]}; the burst's
//              beats are wbeat[beat0 .. beat0 + nbeats - 1] (WB_DEPTH ring, wb_wr), each
//              {resp[1:0], strb[BB-1:0], data[DATA_W-1:0]}, pushed when applied if rec_wdata is 1.
//              Counters start at any value (no initialiser) and wrap; index = counter % depth.
//              err_fifo[] (ERR_DEPTH ring, err_wr) as on the read side.

module le_axi_bfm_wr import le_axi_bfm_pkg::*; #(
  parameter int unsigned DATA_W    = 128,
  parameter int unsigned ADDR_W    = 32,
  parameter int unsigned ID_W      = 4,
  parameter int unsigned SLOTS     = 32,     // outstanding write bursts
  parameter int unsigned N_ERR     = 8,
  parameter int unsigned N_RW      = 4,
  parameter int unsigned W_EARLY   = 64,     // early-W buffer depth
  parameter int unsigned REC_DEPTH = 1024,   // powers of two
  parameter int unsigned WB_DEPTH  = 8192,
  parameter int unsigned ERR_DEPTH = 256,
  localparam int unsigned BB       = DATA_W / 8,
  localparam int unsigned PW       = ID_W + ADDR_W + 21,    // AW payload bits
  localparam int unsigned WW       = DATA_W + BB + 1        // W payload bits
) (
  input  logic                         clk,
  input  logic                         rst_n,
  input  logic [31:0]                  now,
  input  logic [ID_W-1:0]              axi_awid,
  input  logic [ADDR_W-1:0]            axi_awaddr,
  input  logic [7:0]                   axi_awlen,
  input  logic [2:0]                   axi_awsize,
  input  logic [1:0]                   axi_awburst,
  input  logic                         axi_awlock,
  input  logic [3:0]                   axi_awcache,
  input  logic [2:0]                   axi_awprot,
  input  logic                         axi_awvalid,
  output logic                         axi_awready,
  input  logic [DATA_W-1:0]            axi_wdata,
  input  logic [BB-1:0]                axi_wstrb,
  input  logic                         axi_wlast,
  input  logic                         axi_wvalid,
  output logic                         axi_wready,
  output logic [ID_W-1:0]              axi_bid,
  output logic [1:0]                   axi_bresp,
  output logic                         axi_bvalid,
  input  logic                         axi_bready,
  // knobs (see verif/bfm/axi_mem_bfm.py BfmKnobs)
  input  logic [16:0]                  p_aw_stall,
  input  logic [16:0]                  p_w_stall,
  input  logic [16:0]                  p_b_gap,
  input  logic [15:0]                  b_lat_min,
  input  logic [15:0]                  b_lat_max,
  input  logic                         b_reorder,
  input  logic [15:0]                  max_outstanding,  // 0: SLOTS
  input  logic [15:0]                  w_early_max,      // 0: W_EARLY
  input  logic [16:0]                  p_err,
  input  logic [1:0]                   err_resp,
  input  logic                         rec_wdata,
  input  logic [N_ERR-1:0][ADDR_W:0]   erng_lo,
  input  logic [N_ERR-1:0][ADDR_W:0]   erng_hi,
  input  logic [N_ERR-1:0][1:0]        erng_resp,
  input  logic [N_ERR-1:0]             erng_en,
  input  logic [N_RW-1:0][ADDR_W:0]    rw_lo,
  input  logic [N_RW-1:0][ADDR_W:0]    rw_hi,
  input  logic [N_RW-1:0]              rw_en,
  // memory write port
  output logic                         mem_we,
  output logic [ADDR_W-1:0]            mem_addr,
  output logic [DATA_W-1:0]            mem_data,
  output logic [BB-1:0]                mem_strb
);

  localparam int unsigned RW  = $clog2(REC_DEPTH);
  localparam int unsigned BW  = $clog2(WB_DEPTH);
  localparam int unsigned EW  = $clog2(ERR_DEPTH);

  // ---- records, errors, statistics (read by the proxy) -------------------------------------------
  logic [191:0]      rec      [REC_DEPTH];
  logic [WW:0]       wbeat    [WB_DEPTH];
  logic [71:0]       err_fifo [ERR_DEPTH];
  logic [31:0]       rec_wr, wb_wr, err_wr;
  logic [31:0]       st_bursts, st_beats, st_resps, st_max_out, st_aw_stall, st_w_stall, st_b_bp,
                     st_early, st_reordered;
  logic [31:0]       st_b_gap;      // cycles a random gap (p_b_gap) held BVALID low (B pending)
  logic              b_gap;
  int unsigned       outstanding;            // AW accepted, B not transferred

  // ---- bursts waiting for W data (FIFO, head at aq_rd) -----------------------------------------
  logic [ID_W-1:0]   aq_id    [SLOTS];
  logic [ADDR_W-1:0] aq_addr  [SLOTS];
  logic [7:0]        aq_len   [SLOTS];
  logic [15:0]       aq_idx   [SLOTS];
  logic [1:0]        aq_err   [SLOTS];
  logic [1:0]        aq_resp  [SLOTS];
  logic [31:0]       aq_taw   [SLOTS];
  logic [31:0]       aq_beat0 [SLOTS];
  int unsigned       aq_rd, aq_cnt;

  // ---- early W beats (FIFO) ----------------------------------------------------------------------
  logic [WW-1:0]     eb       [W_EARLY];
  int unsigned       eb_rd, eb_cnt;

  // ---- bursts waiting for their B, oldest first --------------------------------------------------
  logic [ID_W-1:0]   b_id     [SLOTS];
  logic [ADDR_W-1:0] b_addr   [SLOTS];
  logic [7:0]        b_len    [SLOTS];
  logic [15:0]       b_nb     [SLOTS];
  logic [1:0]        b_resp   [SLOTS];
  logic [31:0]       b_rdy    [SLOTS];
  logic [31:0]       b_taw    [SLOTS];
  logic [31:0]       b_beat0  [SLOTS];
  int unsigned       b_cnt;

  logic              awready_q, wready_q, bvalid_q, we_q;
  logic [ID_W-1:0]   bid_q;
  logic [1:0]        bresp_q;
  logic [ADDR_W-1:0] waddr_q;
  logic [DATA_W-1:0] wdata_q;
  logic [BB-1:0]     wstrb_q;
  int                bcur;

  logic              aw_pend, w_pend;
  logic [PW-1:0]     aw_pl, aw_pend_pl;
  logic [WW-1:0]     w_pl, w_pend_pl;

  assign aw_pl       = {axi_awid, axi_awaddr, axi_awlen, axi_awsize, axi_awburst, axi_awlock,
                        axi_awcache, axi_awprot};
  assign w_pl        = {axi_wlast, axi_wstrb, axi_wdata};
  assign axi_awready = awready_q;
  assign axi_wready  = wready_q;
  assign axi_bvalid  = bvalid_q;
  assign axi_bid     = bid_q;
  assign axi_bresp   = bresp_q;
  assign mem_we      = we_q;
  assign mem_addr    = waddr_q;
  assign mem_data    = wdata_q;
  assign mem_strb    = wstrb_q;

  task automatic push_err(input logic [7:0] code, input logic [31:0] addr);
    err_fifo[err_wr[EW-1:0]] = {code, addr, now};
    err_wr = err_wr + 1;
  endtask

  function automatic logic in_rw(input logic [ADDR_W:0] a);
    for (int i = 0; i < int'(N_RW); i++) if (rw_en[i] && rw_lo[i] <= a && a < rw_hi[i]) return 1'b1;
    return 1'b0;
  endfunction

  // Every strobed byte of the beat at a lies in an enabled RW window.
  function automatic logic writable(input logic [ADDR_W-1:0] a, input logic [BB-1:0] strb);
    logic [ADDR_W:0] lo;
    lo = {1'b0, a};
    for (int i = 0; i < int'(N_RW); i++) begin
      if (rw_en[i] && rw_lo[i] <= lo && lo + (ADDR_W + 1)'(BB) <= rw_hi[i]) return 1'b1;
    end
    for (int j = 0; j < int'(BB); j++) if (strb[j] && !in_rw(lo + (ADDR_W + 1)'(j))) return 1'b0;
    return 1'b1;
  endfunction

  typedef le_axi_bfm_ranges#(.ADDR_W(ADDR_W), .N_ERR(N_ERR), .BB(BB)) ranges_t;
  function automatic logic [1:0] range_err(input logic [ADDR_W-1:0] a);
    return ranges_t::resp(a, erng_en, erng_lo, erng_hi, erng_resp);
  endfunction

  // Apply one W beat to the burst at the head of the AW FIFO.
  logic [WW-1:0]     ab;
  logic [ADDR_W-1:0] aa;
  logic [1:0]        ar;
  logic              did_apply;
  int unsigned       h;

  task automatic apply_beat(input logic [WW-1:0] beat);
    logic [15:0] i;
    h  = aq_rd;
    i  = aq_idx[h];
    aa = aq_addr[h] + ADDR_W'(32'(i) * BB);
    if (i == 0) aq_beat0[h] = wb_wr;
    if (i > {8'd0, aq_len[h]}) begin
      push_err(ErrWExtra, 32'(aa));
      ar = RespOkay;
    end else begin
      if (beat[WW-1] != (i == {8'd0, aq_len[h]})) push_err(ErrWlast, 32'(aa));
      ar = range_err(aa);
      if (ar == RespOkay) ar = aq_err[h];
      if (ar == RespOkay && !writable(aa, beat[DATA_W +: BB])) begin
        push_err(ErrWrOutside, 32'(aa));
        ar = RespDecErr;
      end
      if (ar == RespOkay) begin
        we_q    <= 1'b1;
        waddr_q <= aa;
        wdata_q <= beat[DATA_W-1:0];
        wstrb_q <= beat[DATA_W +: BB];
      end
      aq_resp[h] = worse(aq_resp[h], ar);
    end
    if (rec_wdata) begin
      wbeat[wb_wr[BW-1:0]] = {ar, beat[WW-2:0]};
      wb_wr = wb_wr + 1;
    end
    aq_idx[h] = i + 16'd1;
    if (beat[WW-1]) begin                          // WLAST: the burst waits for its B
      b_id[b_cnt]    = aq_id[h];
      b_addr[b_cnt]  = aq_addr[h];
      b_len[b_cnt]   = aq_len[h];
      b_nb[b_cnt]    = rec_wdata ? i + 16'd1 : 16'd0;
      b_resp[b_cnt]  = aq_resp[h];
      b_rdy[b_cnt]   = now + 32'(b_lat_min) +
                       ((b_lat_max > b_lat_min) ? ($urandom % (32'(b_lat_max - b_lat_min) + 1))
                                                : 0);
      b_taw[b_cnt]   = aq_taw[h];
      b_beat0[b_cnt] = aq_beat0[h];
      b_cnt = b_cnt + 1;
      aq_rd  = (aq_rd + 1) % SLOTS;
      aq_cnt = aq_cnt - 1;
    end
    did_apply = 1'b1;
  endtask

  typedef le_axi_bfm_pick#(.ID_W(ID_W), .SLOTS(SLOTS)) pick_t;
  int               sel, limit, elim;
  logic [ADDR_W:0]  a0, a1;

  always_ff @(posedge clk) begin
    we_q <= 1'b0;
    if (!rst_n) begin
      awready_q <= 1'b0;
      wready_q  <= 1'b0;
      bvalid_q  <= 1'b0;
      bid_q     <= '0;
      bresp_q   <= '0;
      aq_rd = 0; aq_cnt = 0; eb_rd = 0; eb_cnt = 0; b_cnt = 0; outstanding = 0; st_max_out = '0;
      aw_pend = 1'b0; w_pend = 1'b0; aw_pend_pl = '0; w_pend_pl = '0;
    end else begin
      did_apply = 1'b0;
      if ($isunknown(axi_awvalid) || $isunknown(axi_wvalid) || $isunknown(axi_bready)) begin
        push_err(ErrXz, '0);
      end
      // ---------------- AW
      if (axi_awvalid === 1'b1) begin
        if ($isunknown(aw_pl)) push_err(ErrXz, 32'(axi_awaddr));
        if (aw_pend && aw_pl != aw_pend_pl) push_err(ErrAwChanged, 32'(axi_awaddr));
        if (awready_q) begin
          if (axi_awburst != 2'b01) push_err(ErrBurstType, 32'(axi_awaddr));
          if ((1 << axi_awsize) != BB) push_err(ErrSize, 32'(axi_awaddr));
          if ((axi_awaddr & ADDR_W'(BB - 1)) != '0) push_err(ErrAwAlign, 32'(axi_awaddr));
          a0 = {1'b0, axi_awaddr} & ~(ADDR_W + 1)'(BB - 1);
          a1 = a0 + (ADDR_W + 1)'((32'(axi_awlen) + 1) * BB - 1);
          if (a0[ADDR_W:12] != a1[ADDR_W:12]) push_err(ErrCross4k, 32'(axi_awaddr));
          h = (aq_rd + aq_cnt) % SLOTS;
          aq_id[h]   = axi_awid;
          aq_addr[h] = axi_awaddr & ~ADDR_W'(BB - 1);
          aq_len[h]  = axi_awlen;
          aq_idx[h]  = '0;
          aq_err[h]  = !rnd_hit(p_err) ? RespOkay : (err_resp == RespOkay) ? RespSlvErr : err_resp;
          aq_resp[h] = RespOkay;
          aq_taw[h]  = now;
          aq_beat0[h] = wb_wr;
          aq_cnt = aq_cnt + 1;
          outstanding = outstanding + 1;
          st_bursts = st_bursts + 1;
          if (32'(outstanding) > st_max_out) st_max_out = 32'(outstanding);
          aw_pend = 1'b0;
        end else begin
          st_aw_stall = st_aw_stall + 1;
          aw_pend = 1'b1;
          aw_pend_pl = aw_pl;
        end
      end else begin
        if (aw_pend) push_err(ErrAwDropped, 32'(aw_pend_pl[PW-ID_W-1 -: ADDR_W]));
        aw_pend = 1'b0;
      end
      // ---------------- W
      if (axi_wvalid === 1'b1) begin
        if ($isunknown(w_pl)) push_err(ErrXz, '0);
        if (w_pend && w_pl != w_pend_pl) push_err(ErrWChanged, '0);
        if (wready_q) begin
          st_beats = st_beats + 1;
          w_pend = 1'b0;
          if (eb_cnt == 0 && aq_cnt != 0) begin
            apply_beat(w_pl);
          end else begin
            if (aq_cnt == 0) st_early = st_early + 1;
            eb[(eb_rd + eb_cnt) % W_EARLY] = w_pl;
            eb_cnt = eb_cnt + 1;
          end
        end else begin
          st_w_stall = st_w_stall + 1;
          w_pend = 1'b1;
          w_pend_pl = w_pl;
        end
      end else begin
        if (w_pend) push_err(ErrWDropped, '0);
        w_pend = 1'b0;
      end
      if (!did_apply && eb_cnt != 0 && aq_cnt != 0) begin     // one buffered beat per cycle
        ab = eb[eb_rd];
        eb_rd  = (eb_rd + 1) % W_EARLY;
        eb_cnt = eb_cnt - 1;
        apply_beat(ab);
      end
      // ---------------- B: retire the presented response
      if (bvalid_q && !axi_bready) begin
        st_b_bp = st_b_bp + 1;
      end else begin
        if (bvalid_q) begin
          rec[rec_wr[RW-1:0]] = {8'd0, 8'(b_id[bcur]), b_len[bcur], 6'd0, b_resp[bcur], b_nb[bcur],
                                 16'd0, b_beat0[bcur], 32'(b_addr[bcur]), b_taw[bcur], now};
          rec_wr = rec_wr + 1;
          st_resps = st_resps + 1;
          if (bcur != 0) st_reordered = st_reordered + 1;
          for (int k = bcur; k < int'(b_cnt) - 1; k++) begin
            b_id[k] = b_id[k+1];     b_addr[k] = b_addr[k+1]; b_len[k] = b_len[k+1];
            b_nb[k] = b_nb[k+1];     b_resp[k] = b_resp[k+1]; b_rdy[k] = b_rdy[k+1];
            b_taw[k] = b_taw[k+1];   b_beat0[k] = b_beat0[k+1];
          end
          b_cnt = b_cnt - 1;
          outstanding = outstanding - 1;
        end
        // ---------------- B: choose the next response
        sel = -1;
        b_gap = 1'b0;
        if (b_cnt != 0) b_gap = rnd_hit(p_b_gap);
        if (b_gap) st_b_gap = st_b_gap + 1;
        if (b_cnt != 0 && !b_gap) begin
          if (!b_reorder) begin
            sel = (b_rdy[0] <= now) ? 0 : -1;
          end else begin
            sel = pick_t::oldest_ready(b_id, b_rdy, int'(b_cnt), now);
          end
        end
        if (sel >= 0) begin
          bcur = sel;
          bvalid_q <= 1'b1;
          bid_q    <= b_id[sel];
          bresp_q  <= b_resp[sel];
        end else begin
          bvalid_q <= 1'b0;
        end
      end
      // ---------------- ready for the next cycle
      limit = (max_outstanding != 0 && int'(max_outstanding) < int'(SLOTS)) ? int'(max_outstanding)
                                                                            : int'(SLOTS);
      awready_q <= (int'(outstanding) < limit) && !rnd_hit(p_aw_stall);
      elim = (w_early_max != 0 && int'(w_early_max) < int'(W_EARLY)) ? int'(w_early_max)
                                                                       : int'(W_EARLY);
      wready_q <= ((int'(eb_cnt) < elim) || (eb_cnt == 0 && aq_cnt != 0)) && !rnd_hit(p_w_stall);
    end
  end

endmodule
