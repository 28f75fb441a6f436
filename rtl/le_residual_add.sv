// Copyright layer-engine contributors. Licensed under the Apache License, Version 2.0.
//
// le_residual_add: residual_add, one channel per cycle.
//
//   y = sat(rshift_round(x * x_mult + r * r_mult, ResShift), -32768, 32767)      ResShift = 16
//
// x is the int16 residual copy (X_res / X_att_res), r the int16 branch output (O' or F); x_mult and
// r_mult are unsigned Q8.16 multipliers (< 2^24) that bring both onto Y's common int16 scale.
//
// Golden twin:         models.ops.residual_add (docs/numerics.md, "residual_add").
// Test:                tests/rtl/test_rtl_residual_add.py
// Latency:             2 cycles (input transfer at clock edge t -> output transfer at edge t + 2
//                      when the output is not stalled).
// Initiation interval: 1 cycle.
// Throughput:          1 channel per cycle.
//
// Pipeline (le_pipe_ctrl):
//   1: px = x * x_mult, pr = r * r_mult (int16 x uint24: |p| <= 2^39 - 2^15, int40; one DSP each)
//   2: y = sat16((px + pr + 2^15) >>> 16)  (|px + pr + 2^15| < 2^40: int41)
// Reset: synchronous, active low; empties the pipeline (data registers are not reset).

module le_residual_add (
  input  logic                           clk_i,
  input  logic                           rst_ni,

  input  logic                           in_valid_i,
  output logic                           in_ready_o,
  input  le_pkg::wide_t                  in_x_i,    // int16 residual copy
  input  logic [le_pkg::ResMultW-1:0]    in_xm_i,   // uint24 Q8.16 multiplier of x
  input  le_pkg::wide_t                  in_r_i,    // int16 branch output
  input  logic [le_pkg::ResMultW-1:0]    in_rm_i,   // uint24 Q8.16 multiplier of r

  output logic                           out_valid_o,
  input  logic                           out_ready_i,
  output le_pkg::wide_t                  out_y_o    // int16
);

  localparam int unsigned Stages = 2;
  localparam int unsigned ProdW  = le_pkg::WideW + le_pkg::ResMultW;   // 40
  localparam int unsigned SumW   = ProdW + 1;                          // 41

  typedef logic signed [ProdW-1:0] prod_t;
  typedef logic signed [SumW-1:0]  sum_t;

  localparam sum_t Rnd = sum_t'(1) <<< (le_pkg::ResShift - 1);         // 2^15

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
    .load_o(load)
  );

  // ---- Stage 1: the two products ------------------------------------------------------------------
  prod_t px_d, px_q, pr_d, pr_q;

  assign px_d = prod_t'(in_x_i) * prod_t'($signed({1'b0, in_xm_i}));
  assign pr_d = prod_t'(in_r_i) * prod_t'($signed({1'b0, in_rm_i}));

  always_ff @(posedge clk_i) begin
    if (load[0]) begin
      px_q <= px_d;
      pr_q <= pr_d;
    end
  end

  // ---- Stage 2: sum, round half up, saturate ------------------------------------------------------
  sum_t          shifted;
  le_pkg::wide_t y_d, y_q;

  assign shifted = (sum_t'(px_q) + sum_t'(pr_q) + Rnd) >>> le_pkg::ResShift;
  assign y_d     = le_pkg::sat_to_wide(le_pkg::sat_in_t'(shifted), 1'b0);   // int16

  always_ff @(posedge clk_i) begin
    if (load[1]) begin
      y_q <= y_d;
    end
  end

  assign out_y_o = y_q;

endmodule
