// Copyright layer-engine contributors. Licensed under the Apache License, Version 2.0.
//
// le_axi_bfm_rd: AR/R side of the AXI4 slave BFM (verif/hdl/le_axi_slave_bfm.sv). Testbench model.
//
// Purpose:     accepts read bursts on AR into an age-ordered table of up to SLOTS outstanding
//              bursts and returns their beats on R from the page memory (le_axi_bfm_mem), with
//              the timing knobs below; records every completed burst and every protocol error.
// Latency:     an AR accepted at edge k may have its first beat transferred at edge k + 1 + L,
//              L uniform in [lat_min, lat_max] (a fixed latency when they are equal).
// Throughput:  one R beat per cycle (no gaps, RREADY high), ARREADY every cycle below
//              max_outstanding.
// Ordering:    beats of one ARID always in AR order. reorder: any burst whose ID has no older
//              burst outstanding may be chosen (uniformly among the ready ones); interleave: that
//              choice is made per beat, otherwise a started burst is finished first. Neither: the
//              oldest burst only.
// Responses:   per beat: the last error range (enabled for reads) overlapping the beat, else the
//              burst's random error (p_err, decided at AR), else DECERR for an unmapped page
//              (recorded as ErrRdUnmapped once per burst), else OKAY. Data is read from the
//              memory when the beat is presented (stable while RREADY is low).
// Records:     a REC_DEPTH ring (rec_wr counts pushes) of 160-bit records, RecPerWord to an element of
//              rec[] (record n at rec[(n % REC_DEPTH) / RecPerWord], bits (n % RecPerWord) * 160 up: the
//              proxy reads and looks up a quarter of the elements a record per element would take):
//              {flags[7:0] (bit0 out of order, bit1 interleaved), resp[7:0] (worst beat),
//              id[7:0], len[7:0], addr[31:0], t_ar[31:0], t_first[31:0], t_last[31:0]};
//              Counters start at any value (no initialiser) and wrap; index = counter % depth.
//              err_fifo[] (ERR_DEPTH ring, err_wr): {code, addr, cycle}, codes in le_axi_bfm_pkg.
// Implementation: bookkeeping tables use blocking assignments inside the clocked process (only
//              this process and the Python proxy read them); every signal seen by the DUT or the
//              memory is a nonblocking flop.

module le_axi_bfm_rd import le_axi_bfm_pkg::*; #(
  parameter int unsigned DATA_W    = 128,
  parameter int unsigned ADDR_W    = 32,
  parameter int unsigned ID_W      = 4,
  parameter int unsigned SLOTS     = 32,     // outstanding read bursts the table holds
  parameter int unsigned N_ERR     = 8,
  parameter int unsigned REC_DEPTH = 1024,   // power of two, >= RecPerWord
  parameter int unsigned ERR_DEPTH = 256,     // power of two
  localparam int unsigned BB       = DATA_W / 8,
  localparam int unsigned PW       = ID_W + ADDR_W + 21     // AR payload bits
) (
  input  logic                         clk,
  input  logic                         rst_n,
  input  logic [31:0]                  now,
  input  logic [ID_W-1:0]              axi_arid,
  input  logic [ADDR_W-1:0]            axi_araddr,
  input  logic [7:0]                   axi_arlen,
  input  logic [2:0]                   axi_arsize,
  input  logic [1:0]                   axi_arburst,
  input  logic                         axi_arlock,
  input  logic [3:0]                   axi_arcache,
  input  logic [2:0]                   axi_arprot,
  input  logic                         axi_arvalid,
  output logic                         axi_arready,
  output logic [ID_W-1:0]              axi_rid,
  output logic [DATA_W-1:0]            axi_rdata,
  output logic [1:0]                   axi_rresp,
  output logic                         axi_rlast,
  output logic                         axi_rvalid,
  input  logic                         axi_rready,
  // knobs (see verif/bfm/axi_mem_bfm.py BfmKnobs)
  input  logic [15:0]                  lat_min,
  input  logic [15:0]                  lat_max,
  input  logic [16:0]                  p_ar_stall,
  input  logic [16:0]                  p_r_gap,
  input  logic [16:0]                  p_err,
  input  logic [1:0]                   err_resp,
  input  logic                         reorder,
  input  logic                         interleave,
  input  logic [15:0]                  max_outstanding,  // 0: SLOTS
  input  logic [N_ERR-1:0][ADDR_W:0]   erng_lo,
  input  logic [N_ERR-1:0][ADDR_W:0]   erng_hi,
  input  logic [N_ERR-1:0][1:0]        erng_resp,
  input  logic [N_ERR-1:0]             erng_en,
  // memory read port
  output logic [ADDR_W-1:0]            mem_addr,
  input  logic                         mem_mapped,
  input  logic [DATA_W-1:0]            mem_data
);

  localparam int unsigned RW = $clog2(REC_DEPTH);
  localparam int unsigned EW = $clog2(ERR_DEPTH);

  // ---- records, errors, statistics (read by the proxy) -------------------------------------------
  localparam int unsigned RecPerWord = 4;
  localparam int unsigned RpwW = $clog2(RecPerWord);
  logic [RecPerWord*160-1:0] rec [REC_DEPTH / RecPerWord];
  logic [71:0]  err_fifo [ERR_DEPTH];
  logic [31:0]  rec_wr, err_wr;
  logic [31:0]  st_bursts, st_beats, st_max_out, st_ar_stall, st_r_bp, st_reordered, st_interleaved;
  logic [31:0]  st_r_gap;      // cycles a random gap (p_r_gap) held RVALID low with a beat pending
  logic         r_gap;
  int unsigned  cnt;                         // outstanding bursts (AR accepted, last beat not)

  // ---- outstanding bursts, oldest first ------------------------------------------------------------
  logic [ID_W-1:0]   e_id     [SLOTS];
  logic [ADDR_W-1:0] e_addr   [SLOTS];
  logic [7:0]        e_len    [SLOTS];
  logic [8:0]        e_idx    [SLOTS];       // beats transferred
  logic [31:0]       e_rdy    [SLOTS];       // first cycle a beat may be chosen
  logic [1:0]        e_err    [SLOTS];       // random burst error (0: none)
  logic [1:0]        e_resp   [SLOTS];       // worst beat response so far
  logic [31:0]       e_tar    [SLOTS];
  logic [31:0]       e_tfirst [SLOTS];
  logic              e_ilv    [SLOTS];
  logic              e_unm    [SLOTS];       // unmapped read already reported

  // ---- R presentation (seen by the DUT) ------------------------------------------------------------
  logic              rvalid_q, rlast_q, arready_q;
  logic [ID_W-1:0]   rid_q;
  logic [ADDR_W-1:0] raddr_q;
  logic [1:0]        rerr_q;                 // range / random response of the presented beat
  int                cur;                    // table position of the presented beat

  // ---- AR stall tracking ---------------------------------------------------------------------------
  logic              ar_pend;
  logic [PW-1:0]     ar_pl, ar_pend_pl;

  assign ar_pl       = {axi_arid, axi_araddr, axi_arlen, axi_arsize, axi_arburst, axi_arlock,
                        axi_arcache, axi_arprot};
  assign axi_arready = arready_q;
  assign axi_rvalid  = rvalid_q;
  assign axi_rid     = rid_q;
  assign axi_rlast   = rlast_q;
  assign mem_addr    = raddr_q;
  assign axi_rdata   = mem_data;
  assign axi_rresp   = (rerr_q != RespOkay) ? rerr_q : mem_mapped ? RespOkay : RespDecErr;

  task automatic push_err(input logic [7:0] code, input logic [31:0] addr);
    err_fifo[err_wr[EW-1:0]] = {code, addr, now};
    err_wr = err_wr + 1;
  endtask

  // Burst checks at AR acceptance (shared with the write side's rules).
  task automatic check_ar();
    logic [ADDR_W:0] a0, a1;
    if (axi_arburst != 2'b01) push_err(ErrBurstType, 32'(axi_araddr));
    if ((1 << axi_arsize) != BB) push_err(ErrSize, 32'(axi_araddr));
    a0 = {1'b0, axi_araddr} & ~(ADDR_W + 1)'(BB - 1);
    a1 = a0 + (ADDR_W + 1)'((32'(axi_arlen) + 1) * BB - 1);
    if (a0[ADDR_W:12] != a1[ADDR_W:12]) push_err(ErrCross4k, 32'(axi_araddr));
  endtask

  // Response of the error ranges / random error for the beat at byte address a of burst e.
  typedef le_axi_bfm_ranges#(.ADDR_W(ADDR_W), .N_ERR(N_ERR), .BB(BB)) ranges_t;
  function automatic logic [1:0] beat_err(input logic [ADDR_W-1:0] a, input int e);
    logic [1:0] r;
    r = ranges_t::resp(a, erng_en, erng_lo, erng_hi, erng_resp);
    return (r != RespOkay) ? r : e_err[e];
  endfunction

  typedef le_axi_bfm_pick#(.ID_W(ID_W), .SLOTS(SLOTS)) pick_t;
  int           sel, inprog, limit;
  logic [15:0]  span;

  always_ff @(posedge clk) begin
    if (!rst_n) begin
      arready_q <= 1'b0;
      rvalid_q  <= 1'b0;
      rlast_q   <= 1'b0;
      rid_q     <= '0;
      raddr_q   <= '0;
      rerr_q    <= '0;
      cnt = 0;
      st_max_out = '0;
      ar_pend = 1'b0;
      ar_pend_pl = '0;
    end else begin
      // ---------------- AR
      if ($isunknown(axi_arvalid) || $isunknown(axi_rready)) begin
        push_err(ErrXz, '0);
      end else if (axi_arvalid) begin
        if ($isunknown(ar_pl)) push_err(ErrXz, 32'(axi_araddr));
        if (ar_pend && ar_pl != ar_pend_pl) push_err(ErrArChanged, 32'(axi_araddr));
        if (arready_q) begin
          check_ar();
          span = lat_max - lat_min + 16'd1;
          e_id[cnt]     = axi_arid;
          e_addr[cnt]   = axi_araddr;
          e_len[cnt]    = axi_arlen;
          e_idx[cnt]    = '0;
          e_rdy[cnt]    = now + 32'(lat_min)
                          + ((lat_max > lat_min) ? ($urandom % 32'(span)) : 32'd0);
          e_err[cnt]    = !rnd_hit(p_err) ? RespOkay
                          : (err_resp == RespOkay) ? RespSlvErr : err_resp;
          e_resp[cnt]   = RespOkay;
          e_tar[cnt]    = now;
          e_tfirst[cnt] = '0;
          e_ilv[cnt]    = 1'b0;
          e_unm[cnt]    = 1'b0;
          cnt = cnt + 1;
          st_bursts = st_bursts + 1;
          if (32'(cnt) > st_max_out) st_max_out = 32'(cnt);
          ar_pend = 1'b0;
        end else begin
          st_ar_stall = st_ar_stall + 1;
          ar_pend = 1'b1;
          ar_pend_pl = ar_pl;
        end
      end else begin
        if (ar_pend) push_err(ErrArDropped, 32'(ar_pend_pl[PW-ID_W-1 -: ADDR_W]));
        ar_pend = 1'b0;
      end

      // ---------------- R: retire the presented beat
      if (rvalid_q && !axi_rready) begin
        st_r_bp = st_r_bp + 1;                           // hold RVALID and the payload
      end else begin
        if (rvalid_q) begin
          if (rerr_q == RespOkay && !mem_mapped && !e_unm[cur]) begin
            push_err(ErrRdUnmapped, 32'(raddr_q));
            e_unm[cur] = 1'b1;
          end
          if (e_idx[cur] == 0) e_tfirst[cur] = now;
          e_resp[cur] = worse(e_resp[cur], axi_rresp);
          e_idx[cur]  = e_idx[cur] + 9'd1;
          st_beats = st_beats + 1;
          for (int k = 0; k < int'(cnt); k++) begin     // another burst is mid-way: interleaved
            if (k != cur && e_idx[k] != 0) e_ilv[k] = 1'b1;
          end
          if (e_idx[cur] == {1'b0, e_len[cur]} + 9'd1) begin
            rec[rec_wr[RW-1:RpwW]][160 * rec_wr[RpwW-1:0] +: 160] =
                {6'd0, e_ilv[cur], cur != 0, 6'd0, e_resp[cur], 8'(e_id[cur]), e_len[cur],
                 32'(e_addr[cur]), e_tar[cur], e_tfirst[cur], now};
            rec_wr = rec_wr + 1;
            if (cur != 0) st_reordered = st_reordered + 1;
            if (e_ilv[cur]) st_interleaved = st_interleaved + 1;
            for (int k = cur; k < int'(cnt) - 1; k++) begin
              e_id[k] = e_id[k+1];     e_addr[k] = e_addr[k+1];   e_len[k] = e_len[k+1];
              e_idx[k] = e_idx[k+1];   e_rdy[k] = e_rdy[k+1];     e_err[k] = e_err[k+1];
              e_resp[k] = e_resp[k+1]; e_tar[k] = e_tar[k+1];     e_tfirst[k] = e_tfirst[k+1];
              e_ilv[k] = e_ilv[k+1];   e_unm[k] = e_unm[k+1];
            end
            cnt = cnt - 1;
          end
        end
        // ---------------- R: choose the next beat
        sel = -1;
        r_gap = 1'b0;
        if (cnt != 0) r_gap = rnd_hit(p_r_gap);
        if (r_gap) st_r_gap = st_r_gap + 1;
        if (cnt != 0 && !r_gap) begin
          inprog = -1;
          if (!interleave) begin
            for (int k = 0; k < int'(cnt); k++) if (e_idx[k] != 0) inprog = k;
          end
          if (inprog >= 0) begin
            sel = (e_rdy[inprog] <= now) ? inprog : -1;
          end else if (!reorder && !interleave) begin
            sel = (e_rdy[0] <= now) ? 0 : -1;
          end else begin
            sel = pick_t::oldest_ready(e_id, e_rdy, int'(cnt), now);
          end
        end
        if (sel >= 0) begin
          cur = sel;
          rvalid_q <= 1'b1;
          rid_q    <= e_id[sel];
          raddr_q  <= (e_addr[sel] & ~ADDR_W'(BB - 1)) + ADDR_W'(32'(e_idx[sel]) * BB);
          rerr_q   <= beat_err((e_addr[sel] & ~ADDR_W'(BB - 1)) + ADDR_W'(32'(e_idx[sel]) * BB),
                               sel);
          rlast_q  <= (e_idx[sel] == {1'b0, e_len[sel]});
        end else begin
          rvalid_q <= 1'b0;
        end
      end

      // ---------------- ARREADY for the next cycle
      limit = (max_outstanding != 0 && int'(max_outstanding) < int'(SLOTS)) ? int'(max_outstanding)
                                                                            : int'(SLOTS);
      arready_q <= (int'(cnt) < limit) && !rnd_hit(p_ar_stall);
    end
  end

endmodule
