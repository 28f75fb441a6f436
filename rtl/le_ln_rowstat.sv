// Copyright layer-engine contributors. Licensed under the Apache License, Version 2.0.
//
// le_ln_rowstat: the per-row statistics of layernorm (the row sequencer of le_layernorm).
//
// Purpose:             accumulate S1 = sum y and S2 = sum y^2 over a row's elements, then compute
//                      the row constants of le_layernorm's output pass, bit-exact:
//                        D = max(N*S2 - S1^2 + eps_q, 1);  m = (62 - bitlen(D)) >> 1
//                        sd = isqrt(D << 2m);  inv = floor(2^61 / sd);  shift = 49 - m
// Golden twin:         models.ops.isqrt_norm (inv and m; S1, S2 and D as in models.ops.layernorm).
// Test:                tests/rtl/test_rtl_layernorm.py (inside le_layernorm)
// Latency:             66 cycles from the edge that accepts a row's last element to the first cycle
//                      with res_valid_o = 1 (so the earliest hand-over edge is 67 cycles after it):
//                      D (2 cycles: products, then the sum and clamp), bitlen/m and D << 2m
//                      (1 cycle), isqrt (31 cycles, 1 result bit per cycle), division (32 cycles,
//                      1 quotient bit per cycle).
// Initiation interval: 1 cycle per element while accumulating; one row at a time (busy_o from the
//                      row's last element until its result is taken).
// Throughput:          one row per N + 67 cycles plus the cycles the result waits for res_ready_i
//                      (the next row's first element may be accepted the edge after the hand-over).
//
// Interfaces
//   y_valid_i     an element of the current row is accepted this cycle: y_i (int16); y_first_i = 1
//                 on the row's first element (restarts S1, S2), y_last_i = 1 on its last one, which
//                 also samples n_i (N in [1, MAX_D]) and eps_q_i (int64, >= 0). The caller must not
//                 assert y_valid_i while busy_o = 1.
//   busy_o        1 from the cycle after the last element until the result is taken.
//   res_*         res_valid_o / res_ready_i: the row constants n_o, s1_o (S1), inv_o (in
//                 [2^30, 2^31]) and shift_o (49 - m in [19, 49]), valid and stable until taken.
//
// Arithmetic: isqrt is restoring, digit by digit (trial = 4*root + 1 against the remainder with the
// next 2 bits of D << 2m brought down). The division floor(2^61 / sd) is restoring with 32 steps:
// since sd >= 2^30, the 30 leading quotient bits of the 62-bit dividend are 0 and skipped, so the
// remainder starts at 2^61 >> 32 = 2^29 < sd and the dividend's remaining bits are all 0.
// Widths: S1 in 16 + NW bits, S2 in 30 + NW bits (NW = bits of MAX_D), D < 2^62 (outside the
// contract N*S2 - S1^2 + eps_q < 2^62, D saturates to 2^62 - 1).
// Reset: synchronous, active low; returns to the idle state (data registers are not reset).

`ifndef LE_ASSERT_SVH
`include "le_assert.svh"  // guarded: rtl/layer_engine.f lists it first; a lone build: -y rtl
`endif

module le_ln_rowstat #(
  parameter int unsigned MAX_D = 1024,
  // Derived, not to be overridden.
  localparam int unsigned NW   = $clog2(MAX_D + 1),
  localparam int unsigned S1W  = le_pkg::WideW + NW,         // signed row sum
  localparam int unsigned InvW = 32,                         // inv in [2^30, 2^31]
  localparam int unsigned RW   = 6                           // shift 49 - m in [19, 49]
) (
  input  logic                  clk_i,
  input  logic                  rst_ni,
  // accepted elements of the row
  input  logic                  y_valid_i,
  input  logic                  y_first_i,
  input  logic                  y_last_i,
  input  le_pkg::wide_t         y_i,
  input  logic [NW-1:0]         n_i,
  input  logic signed [63:0]    eps_q_i,
  output logic                  busy_o,
  // row constants
  output logic                  res_valid_o,
  input  logic                  res_ready_i,
  output logic [NW-1:0]         n_o,
  output logic signed [S1W-1:0] s1_o,
  output logic [InvW-1:0]       inv_o,
  output logic [RW-1:0]         shift_o
);

  localparam int unsigned S2W   = 2 * le_pkg::WideW - 2 + NW; // unsigned sum of squares
  localparam int unsigned DSumW = 66;                        // signed N*S2 - S1^2 + eps_q
  localparam int unsigned DW    = 62;                        // D < 2^62
  localparam int unsigned SdW   = 31;                        // sd in [2^30, 2^31)
  localparam int unsigned RemW  = 35;                        // isqrt remainder (< 2^34)
  localparam int unsigned MW    = 5;                         // m in [0, 30]
  localparam int unsigned CntW  = 6;                         // iteration counter

  typedef enum logic [2:0] {
    StAcc,      // accumulate S1, S2 over the row's elements
    StProd,     // N*S2 and S1^2
    StSum,      // D = max(N*S2 - S1^2 + eps_q, 1)
    StNorm,     // m and D << 2m
    StSqrt,     // isqrt, 31 cycles
    StDiv,      // floor(2^61 / sd), 32 cycles
    StDone      // row constants valid until taken
  } state_e;

  state_e                state_d, state_q;
  logic [CntW-1:0]       it_d, it_q;         // isqrt / division iteration
  logic signed [S1W-1:0] s1_d, s1_q;
  logic [S2W-1:0]        s2_d, s2_q;
  logic [NW-1:0]         n_d, n_q;
  logic signed [63:0]    eps_d, eps_q;
  logic [63:0]           ns2_d, ns2_q;       // N * S2 (< 2^52)
  logic [63:0]           s1sq_d, s1sq_q;     // S1^2 (< 2^52)
  logic [DW-1:0]         dval_d, dval_q;     // D, then D << 2m, shifted out 2 bits per cycle
  logic [MW-1:0]         m_d, m_q;
  logic [RemW-1:0]       rem_d, rem_q;       // isqrt / division remainder
  logic [SdW-1:0]        root_d, root_q;
  logic [InvW-1:0]       quo_d, quo_q;

  logic signed [DSumW-1:0] dsum;
  logic [DW-1:0]           dclamp;
  logic [RW:0]             bitlen;
  logic [RemW-1:0]         rem_sh, trial, drem_sh;
  logic signed [31:0]      y_sq;

  assign y_sq = 32'(y_i) * 32'(y_i);
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
    state_d = state_q;
    it_d    = it_q;
    s1_d    = s1_q;
    s2_d    = s2_q;
    n_d     = n_q;
    eps_d   = eps_q;
    ns2_d   = ns2_q;
    s1sq_d  = s1sq_q;
    dval_d  = dval_q;
    m_d     = m_q;
    rem_d   = rem_q;
    root_d  = root_q;
    quo_d   = quo_q;

    unique case (state_q)
      StAcc: begin
        if (y_valid_i) begin
          s1_d = (y_first_i ? S1W'(0) : s1_q) + S1W'(y_i);
          s2_d = (y_first_i ? S2W'(0) : s2_q) + S2W'($unsigned(y_sq));
          if (y_last_i) begin
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
          state_d = StDone;
        end
      end
      StDone: begin
        if (res_ready_i) begin
          state_d = StAcc;
        end
      end
      default: state_d = StAcc;
    endcase
  end

  always_ff @(posedge clk_i) begin
    if (!rst_ni) begin
      state_q <= StAcc;
    end else begin
      state_q <= state_d;
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
  end

  assign busy_o      = (state_q != StAcc);
  assign res_valid_o = (state_q == StDone);
  assign n_o         = n_q;
  assign s1_o        = s1_q;
  assign inv_o       = quo_q;
  assign shift_o     = RW'(49 - 32'(m_q));

  // ---- assertions (rtl/le_assert.svh) -------------------------------------------------------------
  `LE_ASSERT(StateLegal_A, state_q <= StDone)

endmodule
