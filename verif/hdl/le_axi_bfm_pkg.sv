// Copyright layer-engine contributors. Licensed under the Apache License, Version 2.0.
//
// le_axi_bfm_pkg: protocol-error codes of the AXI4 slave BFM (verif/hdl/le_axi_slave_bfm.sv) and
// the response codes. verif/bfm/axi_mem_bfm.py mirrors the codes (ERROR_CODES); keep both in step.
// An error record is {code[7:0], addr[31:0], cycle[31:0]} (72 bits) in the error FIFO of the side
// (read or write) that saw it. What both sides (le_axi_bfm_rd, le_axi_bfm_wr) decide the same way lives
// here too: the random draws (rnd_hit), the error-range response (le_axi_bfm_ranges) and the choice of
// the next R burst / B response (le_axi_bfm_pick).

package le_axi_bfm_pkg;

  localparam logic [1:0] RespOkay   = 2'd0;
  localparam logic [1:0] RespSlvErr = 2'd2;
  localparam logic [1:0] RespDecErr = 2'd3;

  localparam logic [7:0] ErrArDropped  = 8'd1;   // ARVALID dropped before ARREADY
  localparam logic [7:0] ErrArChanged  = 8'd2;   // AR payload changed while ARVALID && !ARREADY
  localparam logic [7:0] ErrAwDropped  = 8'd3;   // AWVALID dropped before AWREADY
  localparam logic [7:0] ErrAwChanged  = 8'd4;   // AW payload changed while stalled
  localparam logic [7:0] ErrWDropped   = 8'd5;   // WVALID dropped before WREADY
  localparam logic [7:0] ErrWChanged   = 8'd6;   // W payload changed while stalled
  localparam logic [7:0] ErrCross4k    = 8'd7;   // burst crosses a 4 KB boundary
  localparam logic [7:0] ErrBurstType  = 8'd8;   // AxBURST != INCR
  localparam logic [7:0] ErrSize       = 8'd9;   // AxSIZE != bus width
  localparam logic [7:0] ErrWlast      = 8'd10;  // WLAST on a beat other than the last
  localparam logic [7:0] ErrWExtra     = 8'd11;  // more W beats than AWLEN + 1 (dropped)
  localparam logic [7:0] ErrWrOutside  = 8'd12;  // a strobed byte in no RW window (not applied)
  localparam logic [7:0] ErrRdUnmapped = 8'd13;  // read of an unmapped page (answered DECERR)
  localparam logic [7:0] ErrXz         = 8'd14;  // X/Z on a control signal (or on a valid payload)
  localparam logic [7:0] ErrAwAlign    = 8'd15;  // AWADDR not aligned to the bus

  // Worse of two responses (DECERR > SLVERR > EXOKAY/OKAY).
  function automatic logic [1:0] worse(input logic [1:0] a, input logic [1:0] b);
    return (a >= b) ? a : b;
  endfunction

  // One Bernoulli draw: true with probability p / 65536 (p = 0: never, and no $urandom is drawn, so
  // a knob left at 0 does not shift the random stream).
  function automatic logic rnd_hit(input logic [16:0] p);
    return (p != '0) && ({1'b0, 16'($urandom)} < p);
  endfunction

  // The response the error ranges give the beat at byte address a (bus width BB bytes): the last
  // enabled range [lo, hi) that the beat overlaps wins; RespOkay when none does.
  virtual class le_axi_bfm_ranges #(int unsigned ADDR_W = 32, int unsigned N_ERR = 4,
                                    int unsigned BB = 16);
    typedef logic [N_ERR-1:0][ADDR_W:0] bound_t;
    typedef logic [N_ERR-1:0][1:0]      resp_t;

    static function automatic logic [1:0] resp(input logic [ADDR_W-1:0] a,
                                               input logic [N_ERR-1:0] en, input bound_t lo,
                                               input bound_t hi, input resp_t rsp);
      logic [1:0]      r;
      logic [ADDR_W:0] beat_lo, beat_hi;
      r       = RespOkay;
      beat_lo = {1'b0, a};
      beat_hi = beat_lo + (ADDR_W + 1)'(BB);
      for (int i = 0; i < int'(N_ERR); i++) begin
        if (en[i] && beat_lo < hi[i] && lo[i] < beat_hi) r = rsp[i];
      end
      return r;
    endfunction
  endclass

  // The next entry of an age-ordered table of outstanding bursts (le_axi_bfm_rd: R beats,
  // le_axi_bfm_wr: B responses) when reordering is on: the oldest entry of each ID is a candidate
  // if it is ready (rdy <= now); one candidate is picked with $urandom (called only when there are
  // two or more, so the random stream of a run does not depend on where this code lives).
  // Returns -1 when no candidate is ready. AXI4 keeps the order within an ID, hence "oldest".
  virtual class le_axi_bfm_pick #(int unsigned ID_W = 4, int unsigned SLOTS = 32);
    typedef logic [ID_W-1:0] id_table_t  [SLOTS];
    typedef logic [31:0]     cyc_table_t [SLOTS];

    static function automatic int oldest_ready(const ref id_table_t ids,
                                               const ref cyc_table_t rdy, input int cnt,
                                               input logic [31:0] now);
      logic [(1<<ID_W)-1:0] seen;
      int                   cand [SLOTS];
      int                   ncand;
      seen  = '0;
      ncand = 0;
      for (int k = 0; k < cnt; k++) begin
        if (!seen[ids[k]]) begin
          seen[ids[k]] = 1'b1;
          if (rdy[k] <= now) begin
            cand[ncand] = k;
            ncand = ncand + 1;
          end
        end
      end
      if (ncand == 0) return -1;
      if (ncand == 1) return cand[0];
      return cand[$urandom % 32'(ncand)];
    endfunction
  endclass

endpackage
