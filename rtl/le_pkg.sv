// Copyright layer-engine contributors. Licensed under the Apache License, Version 2.0.
//
// le_pkg: shared types, widths and the numerics contract of docs/numerics.md (golden: models/ops.py).
// Every constant below has a same-named twin in models/ops.py; tests/test_rtl_pkg.py keeps them equal.
//
// Golden twin:  models/ops.py (the same-named constants; sat_to_wide = its np.clip to int8 /
//               int16).
// Test:         tests/test_rtl_pkg.py (every constant against its twin), and every operator test
//               that uses them (tests/rtl/test_rtl_<op>.py).

package le_pkg;

  // ---- Formats ---------------------------------------------------------------------------------------
  parameter int unsigned AccW       = 32;   // GEMV / score / P.V / logits accumulators
  parameter int unsigned ActW       = 8;    // int8 activations/weights, saturated to [-127, 127]
  parameter int unsigned WideW      = 16;   // int16: O', F, Y1, Y2, residual copies, softmax input
  parameter int signed   I8Max      = 127;
  parameter int signed   I8Min      = -127;
  parameter int signed   I16Max     = 32767;
  parameter int signed   I16Min     = -32768;

  // ---- REQUANT: y = sat(rshift_round((acc + bias) * mult, 31 - shift)) ----------------------------------
  parameter int unsigned MultW      = 31;   // unsigned Q0.31 multiplier
  parameter int unsigned ShiftW     = 6;    // signed exponent
  parameter int signed   ShiftMin   = -31;
  parameter int signed   ShiftMax   = 30;

  // ---- Softmax ---------------------------------------------------------------------------------------
  parameter int unsigned ScoreFb    = 8;    // log2-domain scores, 8 fractional bits, int16
  parameter int unsigned ExpFb      = 15;   // EXP_LUT entries are Q1.15; EXP_LUT[0] = 2^15
  parameter int unsigned ExpZeroN   = 16;   // 2^-n with n >= 16 underflows to 0
  parameter int unsigned RecipBits  = 46;   // recip = floor(2^46 / sum)
  parameter int unsigned ProbFb     = 15;   // probabilities: unsigned Q1.15 (16 bits, 32768 = 1.0)
  parameter int unsigned ProbW      = 16;

  // ---- Residual add and LayerNorm ----------------------------------------------------------------------
  parameter int unsigned ResShift     = 16;  // residual multipliers are unsigned Q8.16
  parameter int unsigned ResMultW     = 24;
  parameter int unsigned NormFb       = 12;  // normalized value: Q.12
  parameter int unsigned LnGFb        = 10;  // gamma': Q.10
  parameter int unsigned LnOutShift   = 22;  // int8 LayerNorm output
  parameter int unsigned ResCopyShift = 16;  // int16 residual copy (int8 scale / 64)

  // ---- GELU LUT --------------------------------------------------------------------------------------
  parameter int unsigned ActBanks   = 4;
  parameter int unsigned ActBankW   = 2;

  typedef logic signed [ActW-1:0]  act_t;
  typedef logic signed [WideW-1:0] wide_t;
  typedef logic signed [AccW-1:0]  acc_t;
  typedef logic        [MultW-1:0] mult_t;
  typedef logic signed [ShiftW-1:0] shift_t;

  // ---- Saturation ------------------------------------------------------------------------------------
  // sat_in_t: the widest signed value any operator saturates (REQUANT's int64 shifted product, which is
  // the width of a product of two accumulators). Narrower values are sign-extended by the caller.
  typedef logic signed [2*AccW-1:0] sat_in_t;

  // sat_to_wide: clamp a signed value to int16 [I16Min, I16Max], or, when to_i8 is set, to the
  // symmetric int8 range [I8Min, I8Max] = [-127, 127] (-128 is never produced). The result is wide_t in
  // both modes (an int8 result sign-extended), so one datapath can choose the range per value.
  // Golden twin: the np.clip(.., I8_MIN, I8_MAX) / np.clip(.., I16_MIN, I16_MAX) of models/ops.py.
  function automatic wide_t sat_to_wide(sat_in_t x, logic to_i8);
    sat_in_t hi, lo;
    hi = to_i8 ? sat_in_t'(I8Max) : sat_in_t'(I16Max);
    lo = to_i8 ? sat_in_t'(I8Min) : sat_in_t'(I16Min);
    if (x > hi) begin
      return wide_t'(hi);
    end else if (x < lo) begin
      return wide_t'(lo);
    end
    return wide_t'(x);
  endfunction

endpackage
