// Copyright layer-engine contributors. Licensed under the Apache License, Version 2.0.
//
// le_ln_out: the per-element stage of layernorm - normalise, scale and shift, requantise
// (stages 2..6 of le_layernorm's output pipeline).
//
// Purpose:             for one element y of a row whose constants are N, S1, inv and r = 49 - m
//                      (le_ln_rowstat), with its channel's gamma' g (Q.10) and beta' b (Q.22),
//                      bit-exact (docs/numerics.md, "layernorm"):
//                        dev = N*y - S1;  norm = rshift_round(dev * inv, r);  v = norm * g + b
//                        out8 = sat8(rshift_round(v, 22)),  out16 = sat16(rshift_round(v, 16))
//                      The row constants travel with each element, so consecutive elements may
//                      belong to different rows.
// Golden twin:         models.ops.layernorm (its per-element part, after isqrt_norm).
// Test:                tests/rtl/test_rtl_layernorm.py (inside le_layernorm)
// Latency:             5 cycles (input transfer at clock edge t -> output transfer at edge t + 5
//                      with out_ready_i high).
// Initiation interval: 1 cycle.
// Throughput:          1 element per cycle.
//
// Pipeline (le_pipe_ctrl, 5 stages; le_layernorm's stage 1 is its synchronous RAM read):
//   1: dev = N*y - S1                         (|dev| < 2^27 for MAX_D <= 1024)
//   2: prod = dev * inv                       (DSP; |prod| < 2^58)
//   3: norm = (prod + 2^(r-1)) >>> r, r = 49 - m in [19, 49]
//   4: v = norm * g + b                       (DSP MAC; |v| < 2^50 inside the contract; computed
//                                             modulo 2^64 like the int64 golden)
//   5: out8 = sat8((v + 2^21) >>> 22), out16 = sat16((v + 2^15) >>> 16)
// Reset: synchronous, active low; empties the pipeline (data registers are not reset).

module le_ln_out #(
  parameter int unsigned MAX_D = 1024,
  // Derived, not to be overridden.
  localparam int unsigned NW   = $clog2(MAX_D + 1),
  localparam int unsigned S1W  = le_pkg::WideW + NW,         // signed row sum
  localparam int unsigned InvW = 32,                         // inv in [2^30, 2^31]
  localparam int unsigned RW   = 6                           // shift 49 - m in [19, 49]
) (
  input  logic                  clk_i,
  input  logic                  rst_ni,
  // one element with its channel's parameters and its row's constants
  input  logic                  in_valid_i,
  output logic                  in_ready_o,
  input  le_pkg::wide_t         in_y_i,
  input  logic signed [31:0]    in_g_i,
  input  logic signed [31:0]    in_b_i,
  input  logic [NW-1:0]         in_n_i,
  input  logic signed [S1W-1:0] in_s1_i,
  input  logic [InvW-1:0]       in_inv_i,
  input  logic [RW-1:0]         in_shift_i,
  input  logic                  in_last_i,
  // the element's two outputs
  output logic                  out_valid_o,
  input  logic                  out_ready_i,
  output le_pkg::act_t          out_x8_o,
  output le_pkg::wide_t         out_x16_o,
  output logic                  out_last_o
);

  localparam int unsigned Stages = 5;
  localparam int unsigned DevW   = le_pkg::WideW + NW + 2;    // signed N*y - S1

  typedef logic signed [63:0] i64_t;

  logic [Stages-1:0] load;

  le_pipe_ctrl #(
    .Stages(Stages)
  ) u_pipe_ctrl (
    .clk_i,
    .rst_ni,
    .in_valid_i,
    .in_ready_o,
    .out_valid_o,
    .out_ready_i,
    .load_o      (load)
  );

  logic signed [31:0] g_q1, g_q2, g_q3;
  logic signed [31:0] b_q1, b_q2, b_q3;
  logic               last_q1, last_q2, last_q3, last_q4;
  logic [InvW-1:0]    inv_q1;
  logic [RW-1:0]      r_q1, r_q2;

  // Stage 1: dev = N*y - S1.
  logic signed [DevW-1:0] dev_d, dev_q;
  logic signed [31:0]     g_d, b_d;
  logic                   last_d;
  logic [InvW-1:0]        inv_d;
  logic [RW-1:0]          r_d;

  assign dev_d  = DevW'($signed({1'b0, in_n_i})) * DevW'(in_y_i) - DevW'(in_s1_i);
  assign g_d    = in_g_i;
  assign b_d    = in_b_i;
  assign last_d = in_last_i;
  assign inv_d  = in_inv_i;
  assign r_d    = in_shift_i;

  always_ff @(posedge clk_i) begin
    if (load[0]) begin
      dev_q   <= dev_d;
      g_q1    <= g_d;
      b_q1    <= b_d;
      last_q1 <= last_d;
      inv_q1  <= inv_d;
      r_q1    <= r_d;
    end
  end

  // Stage 2: prod = dev * inv.
  i64_t prod_d, prod_q;

  assign prod_d = i64_t'(dev_q) * i64_t'({1'b0, inv_q1});

  always_ff @(posedge clk_i) begin
    if (load[1]) begin
      prod_q  <= prod_d;
      g_q2    <= g_q1;
      b_q2    <= b_q1;
      last_q2 <= last_q1;
      r_q2    <= r_q1;
    end
  end

  // Stage 3: norm = rshift_round(prod, r).
  i64_t norm_d, norm_q;

  assign norm_d = (prod_q + ((i64_t'(1) <<< r_q2) >>> 1)) >>> r_q2;

  always_ff @(posedge clk_i) begin
    if (load[2]) begin
      norm_q  <= norm_d;
      g_q3    <= g_q2;
      b_q3    <= b_q2;
      last_q3 <= last_q2;
    end
  end

  // Stage 4: v = norm * g + b (modulo 2^64, as the int64 golden).
  i64_t v_d, v_q;

  assign v_d = norm_q * i64_t'(g_q3) + i64_t'(b_q3);

  always_ff @(posedge clk_i) begin
    if (load[3]) begin
      v_q     <= v_d;
      last_q4 <= last_q3;
    end
  end

  // Stage 5: round and saturate both outputs (le_pkg::sat_to_wide, as in le_requant).
  i64_t          r8, r16;
  le_pkg::act_t  x8_d, x8_q;
  le_pkg::wide_t x16_d, x16_q;
  logic          last_q5;

  assign r8  = (v_q + (i64_t'(1) <<< (le_pkg::LnOutShift - 1))) >>> le_pkg::LnOutShift;
  assign r16 = (v_q + (i64_t'(1) <<< (le_pkg::ResCopyShift - 1))) >>> le_pkg::ResCopyShift;

  assign x8_d  = le_pkg::act_t'(le_pkg::sat_to_wide(le_pkg::sat_in_t'(r8), 1'b1));   // [-127, 127]
  assign x16_d = le_pkg::sat_to_wide(le_pkg::sat_in_t'(r16), 1'b0);                   // int16

  always_ff @(posedge clk_i) begin
    if (load[4]) begin
      x8_q    <= x8_d;
      x16_q   <= x16_d;
      last_q5 <= last_q4;
    end
  end

  assign out_x8_o   = x8_q;
  assign out_x16_o  = x16_q;
  assign out_last_o = last_q5;

endmodule
