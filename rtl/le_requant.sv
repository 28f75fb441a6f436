// Copyright layer-engine contributors. Licensed under the Apache License, Version 2.0.
//
// le_requant: requant, one value per cycle.
//
//   y = sat(rshift_round((acc + bias) * mult, 31 - shift), lo, hi)
//   rshift_round(x, r) = (x + 2^(r-1)) >>> r          (round half up, ties toward +infinity)
//
// Golden twin:         models.ops.requant (docs/numerics.md, "requant").
// Test:                tests/rtl/test_rtl_requant.py
// Latency:             4 cycles (input transfer at clock edge t -> output transfer at edge t + 4
//                      when the output is not stalled).
// Initiation interval: 1 cycle.
// Throughput:          1 value per cycle.
//
// Saturation is chosen per value by the stream field in_sat16_i (a run-time input, so one requant
// unit serves both the int8 projections and the int16 Wo/W2 outputs):
//   in_sat16_i = 0: (lo, hi) = (I8Min, I8Max)   = (-127, 127)     (Q, K, V, O_h, W1 / U)
//   in_sat16_i = 1: (lo, hi) = (I16Min, I16Max) = (-32768, 32767) (Wo, W2, score_scale_clamp)
// out_y_o is int16 in both modes; an int8 result is sign-extended.
//
// Pipeline (each stage one register rank, controlled by le_pipe_ctrl):
//   1: sum = acc + bias (int32); r = 31 - shift (in [1, 62])
//   2: prod = sum * mult (int32 x uint31 -> |prod| < 2^62); rnd = 2^(r-1)  (DSP multiplier, M reg)
//   3: biased = prod + rnd (< 2^62 + 2^61: fits int64)
//   4: y = sat(biased >>> r)
// Contract (checked by the golden model, not here): acc + bias in int32 (docs/numerics.md bounds
// |acc| < d_in * 127^2 and |bias| <= 2^30); outside it the 32-bit sum wraps. shift in [-31, 30]:
// the two other 6-bit codes (-32, 31) are outside the contract (quantization never emits them) and
// their result is unspecified.
// Reset: synchronous, active low; empties the pipeline (data registers are not reset).

module le_requant (
  input  logic            clk_i,
  input  logic            rst_ni,

  input  logic            in_valid_i,
  output logic            in_ready_o,
  input  le_pkg::acc_t    in_acc_i,     // int32 accumulator
  input  le_pkg::acc_t    in_bias_i,    // int32 bias
  input  le_pkg::mult_t   in_mult_i,    // uint31 multiplier (Q0.31)
  input  le_pkg::shift_t  in_shift_i,   // signed exponent in [ShiftMin, ShiftMax]; positive = left
  input  logic            in_sat16_i,   // 0: saturate to int8 [-127, 127]; 1: to int16

  output logic            out_valid_o,
  input  logic            out_ready_i,
  output le_pkg::wide_t   out_y_o       // int16 (int8 results sign-extended)
);

  localparam int unsigned Stages = 4;
  localparam int unsigned ProdW  = 64;                  // int32 * uint31 + rounding fits int64
  localparam int unsigned RW     = le_pkg::ShiftW;      // total right shift r, 0..63

  typedef logic signed [ProdW-1:0] prod_t;

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

  // ---- Stage 1: acc + bias, r = 31 - shift ------------------------------------------------------
  le_pkg::acc_t  sum_d, sum_q;
  le_pkg::mult_t mult_d, mult_q1;
  logic [RW-1:0] r_d, r_q1, r_q2, r_q3;
  logic          sat16_d, sat16_q1, sat16_q2, sat16_q3;

  assign sum_d   = in_acc_i + in_bias_i;             // int32; wraps only outside the contract
  assign r_d     = RW'(31) - $unsigned(in_shift_i);  // mod 64: shift [-31, 30] -> r [1, 62]
  assign mult_d  = in_mult_i;
  assign sat16_d = in_sat16_i;

  always_ff @(posedge clk_i) begin
    if (load[0]) begin
      sum_q    <= sum_d;
      mult_q1  <= mult_d;
      r_q1     <= r_d;
      sat16_q1 <= sat16_d;
    end
  end

  // ---- Stage 2: product and rounding constant ---------------------------------------------------
  prod_t prod_d, prod_q;
  prod_t rnd_d, rnd_q;

  assign prod_d = prod_t'(sum_q) * prod_t'($signed({1'b0, mult_q1}));
  assign rnd_d  = prod_t'((ProdW'(1) << r_q1) >> 1);   // 2^(r-1); 0 when r = 0

  always_ff @(posedge clk_i) begin
    if (load[1]) begin
      prod_q   <= prod_d;
      rnd_q    <= rnd_d;
      r_q2     <= r_q1;
      sat16_q2 <= sat16_q1;
    end
  end

  // ---- Stage 3: add the rounding constant -------------------------------------------------------
  prod_t biased_d, biased_q;

  assign biased_d = prod_q + rnd_q;

  always_ff @(posedge clk_i) begin
    if (load[2]) begin
      biased_q <= biased_d;
      r_q3     <= r_q2;
      sat16_q3 <= sat16_q2;
    end
  end

  // ---- Stage 4: arithmetic shift and saturation -------------------------------------------------
  prod_t         shifted;
  le_pkg::wide_t y_d, y_q;

  assign shifted = biased_q >>> r_q3;
  // ProdW equals the width of le_pkg::sat_in_t, so the cast below never truncates.
  assign y_d     = le_pkg::sat_to_wide(le_pkg::sat_in_t'(shifted), !sat16_q3);

  always_ff @(posedge clk_i) begin
    if (load[3]) begin
      y_q <= y_d;
    end
  end

  assign out_y_o = y_q;

endmodule
