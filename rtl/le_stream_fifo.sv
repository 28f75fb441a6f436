// Copyright layer-engine contributors. Licensed under the Apache License, Version 2.0.
//
// le_stream_fifo: synchronous valid/ready FIFO (first word fall-through) for small stream buffers.
//
// Purpose:             output / skid buffering of the MAC operators (le_gemv, le_pv_accum,
//                      le_logits).
// Golden twin:         none: control - a valid/ready FIFO (pure storage; order and payload are
//                      preserved exactly).
// Test:                through its users' tests (tests/rtl/test_rtl_gemv.py,
//                      test_rtl_axi_rd.py, ...)
// Latency:             1 cycle: an item pushed at a rising edge is on out_data_o (out_valid_o = 1)
//                      right after that edge and, with out_ready_i high, transfers at the next
//                      edge.
// Initiation interval: 1 cycle (one push and one pop per cycle). in_ready_o = "not full" and
//                      out_valid_o = "not empty" come from flops: no combinational path from in_*
//                      to out_* or from out_ready_i to in_ready_o (a full FIFO refuses a push even
//                      in a cycle in which it pops).
// Throughput:          1 item per cycle.
// Reset:               synchronous, active low: the FIFO is empty. The storage itself is not reset.

`ifndef LE_ASSERT_SVH
`include "le_assert.svh"  // guarded: rtl/layer_engine.f lists it first; a lone build: -y rtl
`endif

module le_stream_fifo #(
  parameter int unsigned WIDTH = 32,
  parameter int unsigned DEPTH = 2
) (
  input  logic             clk_i,
  input  logic             rst_ni,
  // input stream
  input  logic             in_valid_i,
  output logic             in_ready_o,
  input  logic [WIDTH-1:0] in_data_i,
  // output stream
  output logic             out_valid_o,
  input  logic             out_ready_i,
  output logic [WIDTH-1:0] out_data_o
);

  localparam int unsigned PtrW = (DEPTH > 1) ? $clog2(DEPTH) : 1;
  localparam int unsigned CntW = $clog2(DEPTH + 1);
  localparam logic [PtrW-1:0] PtrLast = PtrW'(DEPTH - 1);
  localparam logic [CntW-1:0] CntFull = CntW'(DEPTH);

  if (DEPTH < 1) begin : gen_bad_depth
    $error("le_stream_fifo: DEPTH must be >= 1");
  end

  // Storage: DEPTH x WIDTH, one synchronous write port, one asynchronous read port: registers or
  // distributed RAM (LUTRAM), never block RAM (the read is combinational).
  logic [WIDTH-1:0] mem_q [DEPTH];
  logic [PtrW-1:0]  wr_ptr_d, wr_ptr_q, rd_ptr_d, rd_ptr_q;
  logic [CntW-1:0]  cnt_d, cnt_q;
  logic             push, pop;

  assign in_ready_o  = (cnt_q != CntFull);
  assign out_valid_o = (cnt_q != '0);
  assign out_data_o  = mem_q[rd_ptr_q];
  assign push        = in_valid_i & in_ready_o;
  assign pop         = out_valid_o & out_ready_i;

  always_comb begin
    wr_ptr_d = wr_ptr_q;
    rd_ptr_d = rd_ptr_q;
    cnt_d    = cnt_q;
    if (push) begin
      wr_ptr_d = (wr_ptr_q == PtrLast) ? '0 : wr_ptr_q + 1'b1;
    end
    if (pop) begin
      rd_ptr_d = (rd_ptr_q == PtrLast) ? '0 : rd_ptr_q + 1'b1;
    end
    if (push && !pop) begin
      cnt_d = cnt_q + 1'b1;
    end else if (pop && !push) begin
      cnt_d = cnt_q - 1'b1;
    end
  end

  always_ff @(posedge clk_i) begin
    if (!rst_ni) begin
      wr_ptr_q <= '0;
      rd_ptr_q <= '0;
      cnt_q    <= '0;
    end else begin
      wr_ptr_q <= wr_ptr_d;
      rd_ptr_q <= rd_ptr_d;
      cnt_q    <= cnt_d;
    end
  end

  always_ff @(posedge clk_i) begin
    if (push) begin
      mem_q[wr_ptr_q] <= in_data_i;
    end
  end

  // ---- assertions (rtl/le_assert.svh; docs/verification.md#assertions) ------------------------
  // The occupancy never exceeds DEPTH (no overflow; the counter wraps on a broken push/pop rule).
  `LE_ASSERT(CntRange_A, cnt_q <= CntFull)
  // The output stream: an offered item stays offered, unchanged, until taken (no underflow: an
  // item is never withdrawn, never replaced while stalled).
  `LE_ASSERT(OutValidHeld_A, out_valid_o && !out_ready_i |=> out_valid_o)
  `LE_ASSERT(OutDataStable_A, out_valid_o && !out_ready_i |=> $stable(out_data_o))
  `LE_ASSERT_KNOWN(OutValidKnown_A, out_valid_o)
  `LE_ASSERT_KNOWN(InReadyKnown_A, in_ready_o)

endmodule
