// Copyright layer-engine contributors. Licensed under the Apache License, Version 2.0.
//
// le_layernorm: LAYERNORM_FIXED + REQUANT of one int16 row of N = d_model values.
//
// Purpose:             normalise a row y[0..N-1] (int16) and emit the int8 input of the next GEMVs
//                      and the int16 residual copy, bit-exact (docs/numerics.md, "LAYERNORM_FIXED +
//                      REQUANT"):
//                        S1 = sum y;  S2 = sum y^2;  D = max(N*S2 - S1^2 + eps_q, 1)
//                        m = (62 - bitlen(D)) >> 1;  sd = isqrt(D << 2m);  inv = floor(2^61 / sd)
//                        dev = N*y - S1;  norm = rshift_round(dev * inv, 49 - m)
//                        v = norm * g + b;  out8 = sat8(rshift_round(v, 22))
//                                           out16 = sat16(rshift_round(v, 16))
// Golden twin:         models.ops.layernorm (models.ops.isqrt_norm for inv and m).
// Latency:             74 cycles from the transfer of a row's last input element to the transfer of
//                      its first output element (no stall). From a row's first input transfer:
//                      first output at N + 73 cycles, last output at 2N + 72 cycles.
// Initiation interval: 1 cycle per element in the input pass and 1 cycle per element in the output
//                      pass (both within a row).
// Throughput:          one row per N + 68 cycles in steady state (no stall): the input pass of row
//                      r+1 overlaps the output pass of row r; between two rows the input waits
//                      68 cycles for the per-row arithmetic (3 for D and its normalisation, 31 for
//                      the square root, 32 for the division, 1 hand-over) and for the output pass's
//                      first read (the input may only overwrite channels already read).
//
// Row schedule (per row, three phases; "no stall" numbers above):
//   input pass    N elements accepted at 1/cycle: S1 and S2 accumulate, y is written into the
//                 row RAM at its channel index.
//   per-row math  D (2 cycles: products, then the sum and clamp), bitlen/m and D << 2m (1 cycle),
//                 isqrt: restoring digit-by-digit, 1 result bit per cycle (31 cycles), division
//                 floor(2^61 / sd): restoring, 1 quotient bit per cycle (32 cycles; the 30 leading
//                 quotient bits of the 62-bit dividend are known to be 0 since sd >= 2^30), then a
//                 hand-over cycle that loads the row constants (N, S1, inv, 49 - m) of the output
//                 pass once the previous row's output pass has issued all its reads.
//   output pass   the row RAM and the gamma'/beta' RAMs are read at 1 address/cycle into a
//                 6-stage pipeline (below). The next row's input pass starts at the same time: an
//                 input element may be written to channel c only after channel c was read for the
//                 row being emitted, so both passes share one row RAM without a second bank.
//
// Interfaces
//   n_i           row length N = d_model in [1, MAX_D]. eps_q_i: int64 eps_q of this LayerNorm
//                 instance, >= 0 (docs/numerics.md: round(ln_eps * N^2 / s_y^2)). Both are configuration
//                 inputs: they are sampled at the transfer of each row's last input element and
//                 must be held stable from the row's first input transfer to its last one; they
//                 may change between rows (a new layer / a different d_model needs no idle time).
//   in stream     in_valid_i / in_ready_o / in_y_i (int16): the row's elements in channel order
//                 0..N-1. Rows are framed by counting N (no last flag on the input): the N-th
//                 accepted element closes the row.
//   out stream    out_valid_o / out_ready_i / out_x8_o (int8, [-127, 127]) / out_x16_o (int16
//                 residual copy) / out_last_o (1 on the row's channel N-1), channel order.
//   prm port      prm_we_i / prm_addr_i / prm_gamma_i / prm_beta_i: write port of the per-channel
//                 parameter RAMs, gamma'[c] (int32, Q.10) and beta'[c] (int32, Q.22), one channel
//                 per cycle, loaded once per LayerNorm instance (layer) before its first row. No
//                 handshake (always accepted). Write only while idle_o = 1: a channel written
//                 during a row takes effect for that row only if its output pass has not yet
//                 read the channel.
//   idle_o        1 when no row is being received, computed or emitted.
//
// Output pipeline (le_pipe_ctrl, 6 stages; row constants travel with each element so that the next
// row's hand-over never disturbs elements still in flight):
//   1: read y[c], g[c], b[c] (synchronous block-RAM read, enable = pipeline load)
//   2: dev = N*y - S1                         (|dev| < 2^27 for MAX_D <= 1024)
//   3: prod = dev * inv                       (DSP; |prod| < 2^58)
//   4: norm = (prod + 2^(r-1)) >>> r, r = 49 - m in [19, 49]
//   5: v = norm * g + b                       (DSP MAC; |v| < 2^50 inside the contract; computed
//                                             modulo 2^64 like the int64 golden)
//   6: out8 = sat8((v + 2^21) >>> 22), out16 = sat16((v + 2^15) >>> 16)
//
// Memories (inferred, simple dual port: one write port, one synchronous read port):
//   mem_y      MAX_D x 16 bit   (1024 x 16: one 18 Kb block RAM)
//   mem_g      MAX_D x 32 bit   (1024 x 32: one 36 Kb block RAM)
//   mem_b      MAX_D x 32 bit   (1024 x 32: one 36 Kb block RAM)
//
// Contract (checked by the golden model, not here): 1 <= N <= MAX_D, eps_q >= 0 and
// N*S2 - S1^2 + eps_q < 2^62 (the golden raises otherwise; here D then saturates to 2^62 - 1).
// Widths: S1 in 16 + NW bits, S2 in 30 + NW bits (NW = bits of MAX_D), D < 2^62, dev in 18 + NW
// bits, inv <= 2^31; MAX_D <= 4096 keeps |dev * inv| < 2^62.
// Reset: synchronous, active low; returns to the idle state (data registers and RAMs are not reset).

module le_layernorm #(
  parameter int unsigned MAX_D = 1024,
  // Derived, not to be overridden.
  localparam int unsigned NW   = $clog2(MAX_D + 1),
  localparam int unsigned AW   = (MAX_D > 1) ? $clog2(MAX_D) : 1
) (
  input  logic                clk_i,
  input  logic                rst_ni,
  // runtime configuration (sampled per row, see header)
  input  logic [NW-1:0]       n_i,
  input  logic signed [63:0]  eps_q_i,
  // per-channel parameter write port
  input  logic                prm_we_i,
  input  logic [AW-1:0]       prm_addr_i,
  input  logic signed [31:0]  prm_gamma_i,
  input  logic signed [31:0]  prm_beta_i,
  // input row stream
  input  logic                in_valid_i,
  output logic                in_ready_o,
  input  le_pkg::wide_t       in_y_i,
  // output row stream
  output logic                out_valid_o,
  input  logic                out_ready_i,
  output le_pkg::act_t        out_x8_o,
  output le_pkg::wide_t       out_x16_o,
  output logic                out_last_o,
  // status
  output logic                idle_o
);

  localparam int unsigned Stages = 6;
  localparam int unsigned S1W    = le_pkg::WideW + NW;        // signed row sum
  localparam int unsigned S2W    = 2 * le_pkg::WideW - 2 + NW; // unsigned sum of squares
  localparam int unsigned DevW   = le_pkg::WideW + NW + 2;    // signed N*y - S1
  localparam int unsigned DSumW  = 66;                        // signed N*S2 - S1^2 + eps_q
  localparam int unsigned DW     = 62;                        // D < 2^62
  localparam int unsigned SdW    = 31;                        // sd in [2^30, 2^31)
  localparam int unsigned RemW   = 35;                        // isqrt remainder (< 2^34)
  localparam int unsigned InvW   = 32;                        // inv in [2^30, 2^31]
  localparam int unsigned RW     = 6;                         // shift 49 - m in [19, 49]
  localparam int unsigned MW     = 5;                         // m in [0, 30]
  localparam int unsigned CntW   = 6;                         // iteration counter

  typedef logic signed [63:0] i64_t;

  if (MAX_D < 1 || MAX_D > 4096) begin : gen_bad_max_d
    $error("le_layernorm: MAX_D must be in [1, 4096]");
  end

  // ---- memories ---------------------------------------------------------------------------------
  le_pkg::wide_t      mem_y [MAX_D];
  logic signed [31:0] mem_g [MAX_D];
  logic signed [31:0] mem_b [MAX_D];

  always_ff @(posedge clk_i) begin
    if (prm_we_i) begin
      mem_g[prm_addr_i] <= prm_gamma_i;
      mem_b[prm_addr_i] <= prm_beta_i;
    end
  end

  // ---- control state ----------------------------------------------------------------------------
  typedef enum logic [2:0] {
    StIn,       // input pass
    StProd,     // N*S2 and S1^2
    StSum,      // D = max(N*S2 - S1^2 + eps_q, 1)
    StNorm,     // m and D << 2m
    StSqrt,     // isqrt, 31 cycles
    StDiv,      // floor(2^61 / sd), 32 cycles
    StHand      // hand the row constants to the output pass
  } state_e;

  state_e            state_d, state_q;
  logic [NW-1:0]     wr_cnt_d, wr_cnt_q;     // input elements accepted in this row
  logic [NW-1:0]     rd_cnt_d, rd_cnt_q;     // output-pass reads issued in the emitted row
  logic              rd_active_d, rd_active_q;
  logic [CntW-1:0]   it_d, it_q;             // isqrt / division iteration

  // row being received / computed
  logic signed [S1W-1:0] s1_d, s1_q;
  logic [S2W-1:0]        s2_d, s2_q;
  logic [NW-1:0]         n_d, n_q;
  i64_t                  eps_d, eps_q;
  logic [63:0]           ns2_d, ns2_q;       // N * S2 (< 2^52)
  logic [63:0]           s1sq_d, s1sq_q;     // S1^2 (< 2^52)
  logic [DW-1:0]         dval_d, dval_q;     // D, then D << 2m, shifted out 2 bits per cycle
  logic [MW-1:0]         m_d, m_q;
  logic [RemW-1:0]       rem_d, rem_q;       // isqrt / division remainder
  logic [SdW-1:0]        root_d, root_q;
  logic [InvW-1:0]       quo_d, quo_q;

  // row being emitted (constants of the output pass)
  logic [NW-1:0]         on_d, on_q;
  logic signed [S1W-1:0] os1_d, os1_q;
  logic [InvW-1:0]       oinv_d, oinv_q;
  logic [RW-1:0]         or_d, or_q;

  logic in_fire, row_done, rd_fire, out_fire, pipe_ready;
  logic [Stages-1:0] load;

  assign in_ready_o = (state_q == StIn) && (!rd_active_q || (wr_cnt_q < rd_cnt_q));
  assign in_fire    = in_valid_i && in_ready_o;
  assign row_done   = in_fire && (wr_cnt_q == n_i - NW'(1));
  assign rd_fire    = rd_active_q && pipe_ready;   // = load[0]
  assign out_fire   = out_valid_o && out_ready_i;

  always_ff @(posedge clk_i) begin
    if (in_fire) begin
      mem_y[wr_cnt_q[AW-1:0]] <= in_y_i;
    end
  end

  // ---- per-row arithmetic -----------------------------------------------------------------------
  logic signed [DSumW-1:0] dsum;
  logic [DW-1:0]           dclamp;
  logic [RW:0]             bitlen;
  logic [RemW-1:0]         rem_sh, trial, drem_sh;
  logic signed [31:0]      y_sq;

  assign y_sq = 32'(in_y_i) * 32'(in_y_i);
  assign dsum = $signed({2'b00, ns2_q}) - $signed({2'b00, s1sq_q}) + DSumW'(eps_q);

  always_comb begin
    if (dsum < DSumW'(1)) begin
      dclamp = DW'(1);
    end else if (dsum >= (DSumW'(1) <<< DW)) begin
      dclamp = '1;                                    // outside the contract
    end else begin
      dclamp = dsum[DW-1:0];
    end
  end

  always_comb begin
    bitlen = '0;
    for (int i = 0; i < int'(DW); i++) begin
      if (dval_q[i]) begin
        bitlen = (RW+1)'(i + 1);
      end
    end
  end

  // isqrt step: bring down the next 2 bits of D << 2m; trial = 4 * root + 1.
  assign rem_sh  = {rem_q[RemW-3:0], dval_q[DW-1 -: 2]};
  assign trial   = {{(RemW - SdW - 2){1'b0}}, root_q, 2'b01};
  // division step: the dividend's remaining bits are all 0.
  assign drem_sh = {rem_q[RemW-2:0], 1'b0};

  always_comb begin
    state_d     = state_q;
    wr_cnt_d    = wr_cnt_q;
    rd_cnt_d    = rd_cnt_q;
    rd_active_d = rd_active_q;
    it_d        = it_q;
    s1_d        = s1_q;
    s2_d        = s2_q;
    n_d         = n_q;
    eps_d       = eps_q;
    ns2_d       = ns2_q;
    s1sq_d      = s1sq_q;
    dval_d      = dval_q;
    m_d         = m_q;
    rem_d       = rem_q;
    root_d      = root_q;
    quo_d       = quo_q;
    on_d        = on_q;
    os1_d       = os1_q;
    oinv_d      = oinv_q;
    or_d        = or_q;

    if (rd_fire) begin
      rd_cnt_d = rd_cnt_q + NW'(1);
      if (rd_cnt_q == on_q - NW'(1)) begin
        rd_active_d = 1'b0;
      end
    end

    unique case (state_q)
      StIn: begin
        if (in_fire) begin
          s1_d     = ((wr_cnt_q == '0) ? S1W'(0) : s1_q) + S1W'(in_y_i);
          s2_d     = ((wr_cnt_q == '0) ? S2W'(0) : s2_q) + S2W'($unsigned(y_sq));
          wr_cnt_d = wr_cnt_q + NW'(1);
          if (row_done) begin
            n_d     = n_i;
            eps_d   = eps_q_i;
            state_d = StProd;
          end
        end
      end
      StProd: begin
        ns2_d   = 64'(n_q) * 64'(s2_q);
        s1sq_d  = $unsigned(64'(s1_q) * 64'(s1_q));
        state_d = StSum;
      end
      StSum: begin
        dval_d  = dclamp;
        state_d = StNorm;
      end
      StNorm: begin
        m_d     = MW'((DW - 32'(bitlen)) >> 1);
        dval_d  = dval_q << (2 * ((DW - 32'(bitlen)) >> 1));
        rem_d   = '0;
        root_d  = '0;
        it_d    = '0;
        state_d = StSqrt;
      end
      StSqrt: begin
        dval_d = dval_q << 2;
        if (rem_sh >= trial) begin
          rem_d  = rem_sh - trial;
          root_d = {root_q[SdW-2:0], 1'b1};
        end else begin
          rem_d  = rem_sh;
          root_d = {root_q[SdW-2:0], 1'b0};
        end
        it_d = it_q + CntW'(1);
        if (it_q == CntW'(SdW - 1)) begin
          rem_d   = RemW'(1) << (DW - 1 - InvW);       // 2^61 >> 32 = 2^29 < sd
          quo_d   = '0;
          it_d    = '0;
          state_d = StDiv;
        end
      end
      StDiv: begin
        if (drem_sh >= RemW'(root_q)) begin
          rem_d = drem_sh - RemW'(root_q);
          quo_d = {quo_q[InvW-2:0], 1'b1};
        end else begin
          rem_d = drem_sh;
          quo_d = {quo_q[InvW-2:0], 1'b0};
        end
        it_d = it_q + CntW'(1);
        if (it_q == CntW'(InvW - 1)) begin
          state_d = StHand;
        end
      end
      StHand: begin
        if (!rd_active_q) begin
          on_d        = n_q;
          os1_d       = s1_q;
          oinv_d      = quo_q;
          or_d        = RW'(49 - 32'(m_q));
          rd_cnt_d    = '0;
          rd_active_d = 1'b1;
          wr_cnt_d    = '0;
          state_d     = StIn;
        end
      end
      default: state_d = StIn;
    endcase
  end

  always_ff @(posedge clk_i) begin
    if (!rst_ni) begin
      state_q     <= StIn;
      wr_cnt_q    <= '0;
      rd_cnt_q    <= '0;
      rd_active_q <= 1'b0;
    end else begin
      state_q     <= state_d;
      wr_cnt_q    <= wr_cnt_d;
      rd_cnt_q    <= rd_cnt_d;
      rd_active_q <= rd_active_d;
    end
  end

  always_ff @(posedge clk_i) begin
    it_q   <= it_d;
    s1_q   <= s1_d;
    s2_q   <= s2_d;
    n_q    <= n_d;
    eps_q  <= eps_d;
    ns2_q  <= ns2_d;
    s1sq_q <= s1sq_d;
    dval_q <= dval_d;
    m_q    <= m_d;
    rem_q  <= rem_d;
    root_q <= root_d;
    quo_q  <= quo_d;
    on_q   <= on_d;
    os1_q  <= os1_d;
    oinv_q <= oinv_d;
    or_q   <= or_d;
  end

  // ---- output pipeline --------------------------------------------------------------------------
  le_pipe_ctrl #(
    .Stages(Stages)
  ) u_ctrl (
    .clk_i,
    .rst_ni,
    .in_valid_i  (rd_active_q),
    .in_ready_o  (pipe_ready),
    .out_valid_o,
    .out_ready_i,
    .load_o      (load)
  );

  // Stage 1: synchronous RAM read (the block-RAM output register) and the row constants.
  le_pkg::wide_t         py_q1;
  logic signed [31:0]    pg_q1, pg_q2, pg_q3, pg_q4;
  logic signed [31:0]    pb_q1, pb_q2, pb_q3, pb_q4;
  logic                  last_d, last_q1, last_q2, last_q3, last_q4, last_q5;
  logic [NW-1:0]         pn_q1;
  logic signed [S1W-1:0] ps1_q1;
  logic [InvW-1:0]       inv_d, inv_q1, inv_q2;
  logic [RW-1:0]         r_d, r_q1, r_q2, r_q3;
  logic [AW-1:0]         raddr;
  logic [NW-1:0]         pn_d;
  logic signed [S1W-1:0] ps1_d;
  le_pkg::wide_t         py_d;
  logic signed [31:0]    pg_d, pb_d;

  // Read port: the RAM read data are registered under the pipeline load (stage-1 registers), i.e.
  // a synchronous read with read enable: block-RAM inference (the output register is the RAM's).
  assign raddr   = rd_cnt_q[AW-1:0];
  assign py_d  = mem_y[raddr];
  assign pg_d  = mem_g[raddr];
  assign pb_d  = mem_b[raddr];
  assign pn_d  = on_q;
  assign ps1_d = os1_q;
  assign last_d = (rd_cnt_q == on_q - NW'(1));
  assign inv_d  = oinv_q;
  assign r_d    = or_q;

  always_ff @(posedge clk_i) begin
    if (load[0]) begin
      py_q1    <= py_d;
      pg_q1    <= pg_d;
      pb_q1    <= pb_d;
      last_q1 <= last_d;
      pn_q1    <= pn_d;
      ps1_q1   <= ps1_d;
      inv_q1  <= inv_d;
      r_q1    <= r_d;
    end
  end

  // Stage 2: dev = N*y - S1.
  logic signed [DevW-1:0] dev_d, dev_q;

  assign dev_d = DevW'($signed({1'b0, pn_q1})) * DevW'(py_q1) - DevW'(ps1_q1);

  always_ff @(posedge clk_i) begin
    if (load[1]) begin
      dev_q  <= dev_d;
      pg_q2    <= pg_q1;
      pb_q2    <= pb_q1;
      last_q2 <= last_q1;
      inv_q2  <= inv_q1;
      r_q2    <= r_q1;
    end
  end

  // Stage 3: prod = dev * inv.
  i64_t prod_d, prod_q;

  assign prod_d = i64_t'(dev_q) * i64_t'({1'b0, inv_q2});

  always_ff @(posedge clk_i) begin
    if (load[2]) begin
      prod_q <= prod_d;
      pg_q3    <= pg_q2;
      pb_q3    <= pb_q2;
      last_q3 <= last_q2;
      r_q3    <= r_q2;
    end
  end

  // Stage 4: norm = rshift_round(prod, r).
  i64_t norm_d, norm_q;

  assign norm_d = (prod_q + ((i64_t'(1) <<< r_q3) >>> 1)) >>> r_q3;

  always_ff @(posedge clk_i) begin
    if (load[3]) begin
      norm_q <= norm_d;
      pg_q4    <= pg_q3;
      pb_q4    <= pb_q3;
      last_q4 <= last_q3;
    end
  end

  // Stage 5: v = norm * g + b (modulo 2^64, as the int64 golden).
  i64_t v_d, v_q;

  assign v_d = norm_q * i64_t'(pg_q4) + i64_t'(pb_q4);

  always_ff @(posedge clk_i) begin
    if (load[4]) begin
      v_q    <= v_d;
      last_q5 <= last_q4;
    end
  end

  // Stage 6: round and saturate both outputs.
  localparam i64_t Hi8  = i64_t'(le_pkg::I8Max);
  localparam i64_t Lo8  = i64_t'(le_pkg::I8Min);
  localparam i64_t Hi16 = i64_t'(le_pkg::I16Max);
  localparam i64_t Lo16 = i64_t'(le_pkg::I16Min);

  i64_t          r8, r16;
  le_pkg::act_t  x8_d, x8_q;
  le_pkg::wide_t x16_d, x16_q;
  logic          last_q6;

  assign r8  = (v_q + (i64_t'(1) <<< (le_pkg::LnOutShift - 1))) >>> le_pkg::LnOutShift;
  assign r16 = (v_q + (i64_t'(1) <<< (le_pkg::ResCopyShift - 1))) >>> le_pkg::ResCopyShift;

  always_comb begin
    if (r8 > Hi8) begin
      x8_d = le_pkg::act_t'(Hi8);
    end else if (r8 < Lo8) begin
      x8_d = le_pkg::act_t'(Lo8);
    end else begin
      x8_d = le_pkg::act_t'(r8);
    end
    if (r16 > Hi16) begin
      x16_d = le_pkg::wide_t'(Hi16);
    end else if (r16 < Lo16) begin
      x16_d = le_pkg::wide_t'(Lo16);
    end else begin
      x16_d = le_pkg::wide_t'(r16);
    end
  end

  always_ff @(posedge clk_i) begin
    if (load[5]) begin
      x8_q   <= x8_d;
      x16_q  <= x16_d;
      last_q6 <= last_q5;
    end
  end

  assign out_x8_o   = x8_q;
  assign out_x16_o  = x16_q;
  assign out_last_o = last_q6;

  // ---- status -----------------------------------------------------------------------------------
  logic [2:0] inflight_d, inflight_q;   // elements in the output pipeline (<= Stages)

  always_comb begin
    inflight_d = inflight_q;
    if (rd_fire && !out_fire) begin
      inflight_d = inflight_q + 3'd1;
    end else if (!rd_fire && out_fire) begin
      inflight_d = inflight_q - 3'd1;
    end
  end

  always_ff @(posedge clk_i) begin
    if (!rst_ni) begin
      inflight_q <= '0;
    end else begin
      inflight_q <= inflight_d;
    end
  end

  assign idle_o = (state_q == StIn) && (wr_cnt_q == '0) && !rd_active_q && (inflight_q == '0);

endmodule
