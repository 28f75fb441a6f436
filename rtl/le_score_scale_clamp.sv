// Copyright layer-engine contributors. Licensed under the Apache License, Version 2.0.
//
// le_score_scale_clamp: score_scale_clamp, one score per cycle.
//
//   z = sat(rshift_round(s * mult, 31 - shift), -32768, 32767)
//
// i.e. requant with zero bias and int16 saturation: the raw int32 score q.k becomes an int16 score in
// base-2 exponent units with ScoreFb = 8 fractional bits (mult/shift encode
// s_q * s_k * log2(e) * 2^8 / sqrt(d_head), per head).
//
// Golden twin:         models.ops.score_scale_clamp (docs/numerics.md, "score_scale_clamp").
// Test:                tests/rtl/test_rtl_score_scale_clamp.py
// Latency:             4 cycles (input transfer at clock edge t -> output transfer at edge t + 4
//                      when the output is not stalled); that of the le_requant inside.
// Initiation interval: 1 cycle.
// Throughput:          1 score per cycle.
//
// mult and shift travel with each score (the engine drives its per-head registers onto them).
// Reset: synchronous, active low; empties the pipeline.

module le_score_scale_clamp (
  input  logic            clk_i,
  input  logic            rst_ni,

  input  logic            in_valid_i,
  output logic            in_ready_o,
  input  le_pkg::acc_t    in_s_i,       // int32 raw score q . k
  input  le_pkg::mult_t   in_mult_i,    // uint31 multiplier (Q0.31)
  input  le_pkg::shift_t  in_shift_i,   // signed exponent in [ShiftMin, ShiftMax]

  output logic            out_valid_o,
  input  logic            out_ready_i,
  output le_pkg::wide_t   out_z_o       // int16, log2 domain, ScoreFb fractional bits
);

  le_requant u_requant (
    .clk_i,
    .rst_ni,
    .in_valid_i,
    .in_ready_o,
    .in_acc_i   (in_s_i),
    .in_bias_i  ('0),
    .in_mult_i,
    .in_shift_i,
    .in_sat16_i (1'b1),
    .out_valid_o,
    .out_ready_i,
    .out_y_o    (out_z_o)
  );

endmodule
