// Copyright layer-engine contributors. Licensed under the Apache License, Version 2.0.
//
// le_logits: logits, int8 weight rows x resident int8 x_final + int32 bias -> int32 logit per row.
//
// Purpose:             logits[v] = sum_c x[c] * W_logit[v, c] + bias[v] (docs/numerics.md,
//                      "logits"): no requant, streamed out as int32. The MAC part is an le_gemv
//                      instance; the bias arrives on its own stream, one int32 per row in row
//                      order, and is added to the row's accumulator in a join stage.
// Golden twin:         models.ops.logits (applied tile by tile, results concatenated).
// Test:                tests/rtl/test_rtl_logits.py
// Latency:             6 cycles from the transfer of a row's last weight beat to the transfer of
//                      its logit (le_gemv's 5 + the join register), when the row's bias is already
//                      offered; from the row's first beat: d_in/LANES + 5 cycles. No stalls
//                      assumed.
// Initiation interval: 1 cycle per weight beat, with no bubble between rows or tiles, while the
//                      logit stream is not back-pressured and the bias stream keeps up (one bias
//                      per row). Back-pressure on either propagates to w_ready_o through le_gemv's
//                      credits.
// Throughput:          LANES int8 x int8 MACs per cycle; 1 logit per d_in/LANES cycles.
//
// Interfaces
//   d_in_i, x write port, w stream: as le_gemv (d_in = d_model; x = the final LayerNorm output).
//   b stream      b_valid_i / b_ready_o / b_data_i: the int32 bias of each row, in row order
//                 (|bias| <= 2^30). A bias is taken together with its row's accumulator (b_ready_o
//                 is high only then); it may be offered any time before.
//   logit stream  logit_valid_o / logit_ready_i / logit_data_o: acc + bias per row (int32, wraps).
//   idle_o        1 when no row is partially received, in flight or buffered (see le_gemv).
// Reset:               synchronous, active low (rst_ni).

module le_logits
  import le_pkg::*;
#(
  parameter int unsigned LANES     = 16,    // MAC lanes = bytes per bus beat: 8, 16 or 32
  parameter int unsigned MAX_D_IN  = 1536,  // largest d_in (x RAM depth in elements)
  parameter int unsigned OUT_DEPTH = 8,     // le_gemv output FIFO entries (>= 6)
  // Derived, not to be overridden.
  localparam int unsigned BusW     = LANES * ActW,
  localparam int unsigned XDepth   = MAX_D_IN / LANES,
  localparam int unsigned XAddrW   = (XDepth > 1) ? $clog2(XDepth) : 1,
  localparam int unsigned DInW     = $clog2(MAX_D_IN + 1)
) (
  input  logic              clk_i,
  input  logic              rst_ni,
  // runtime configuration
  input  logic [DInW-1:0]   d_in_i,
  // x RAM write port
  input  logic              x_we_i,
  input  logic [XAddrW-1:0] x_addr_i,
  input  logic [BusW-1:0]   x_data_i,
  // weight stream
  input  logic              w_valid_i,
  output logic              w_ready_o,
  input  logic [BusW-1:0]   w_data_i,
  // bias stream
  input  logic              b_valid_i,
  output logic              b_ready_o,
  input  acc_t              b_data_i,
  // logit stream
  output logic              logit_valid_o,
  input  logic              logit_ready_i,
  output acc_t              logit_data_o,
  // status
  output logic              idle_o
);

  logic acc_valid, acc_ready, gemv_idle;
  acc_t acc_data;

  le_gemv #(
    .LANES     (LANES),
    .MAX_D_IN  (MAX_D_IN),
    .OUT_DEPTH (OUT_DEPTH)
  ) u_gemv (
    .clk_i,
    .rst_ni,
    .d_in_i,
    .x_we_i,
    .x_addr_i,
    .x_data_i,
    .w_valid_i,
    .w_ready_o,
    .w_data_i,
    .acc_valid_o (acc_valid),
    .acc_ready_i (acc_ready),
    .acc_data_o  (acc_data),
    .idle_o      (gemv_idle)
  );

  // Join: a row's accumulator and its bias transfer together into a 2-entry output FIFO (registered
  // ready, so logit_ready_i has no combinational path back to the inputs). Both readys depend only
  // on the other side's valid and the FIFO's registered ready: no valid depends on a ready.
  logic join_ready, join_valid;
  acc_t logit_d;

  assign join_valid = acc_valid & b_valid_i;
  assign acc_ready  = b_valid_i & join_ready;
  assign b_ready_o  = acc_valid & join_ready;
  assign logit_d    = acc_data + b_data_i;

  le_stream_fifo #(
    .WIDTH (AccW),
    .DEPTH (2)
  ) u_logit_fifo (
    .clk_i,
    .rst_ni,
    .in_valid_i  (join_valid),
    .in_ready_o  (join_ready),
    .in_data_i   (logit_d),
    .out_valid_o (logit_valid_o),
    .out_ready_i (logit_ready_i),
    .out_data_o  (logit_data_o)
  );

  assign idle_o = gemv_idle & ~logit_valid_o;

endmodule
