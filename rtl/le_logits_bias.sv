// Copyright layer-engine contributors. Licensed under the Apache License, Version 2.0.
//
// le_logits_bias: the bias stream of the main MAC (le_logits): logits.b[row] in the logits phase, 0 otherwise.
//
// Purpose:             holds logits.b (loaded from DDR one bus beat per cycle on the parameter write bus,
//                      destination PrmLogitsB) and offers one int32 per row in row order on b_*; begin_i
//                      restarts at row 0. Outside the logits phase (enable_i = 0) the stream offers 0:
//                      the GEMV phases add their bias in the requant instead.
// Golden twin:         models.ops.logits (the bias term).
// Test:                the env's tests (regress/testlist.yaml; pytest runs each:
//                      tests/rtl/test_uvm_testlist.py)
// Latency:             the first bias is offered 1 cycle after begin_i (synchronous RAM read ahead).
// Initiation interval: 1 bias per cycle.
// Throughput:          1 int32 per cycle.
// Reset:               synchronous, active low.

module le_logits_bias
  import le_ctrl_pkg::*;
#(
  parameter int unsigned LANES     = 16,
  parameter int unsigned MAX_VOCAB = 32768,
  // Derived, not to be overridden.
  localparam int unsigned BusW     = LANES * 8,
  localparam int unsigned Wpb      = LANES / 4,
  localparam int unsigned Depth    = (MAX_VOCAB + Wpb - 1) / Wpb,
  localparam int unsigned IW       = $clog2(Depth) + $clog2(Wpb)
) (
  input  logic               clk_i,
  input  logic               rst_ni,
  input  logic               begin_i,
  input  logic               enable_i,
  input  logic               prm_we_i,
  input  logic [OpBaseW-1:0] prm_addr_i,
  input  logic [BusW-1:0]    prm_data_i,
  output logic               b_valid_o,
  input  logic               b_ready_i,
  output le_pkg::acc_t       b_data_o
);

  logic [31:0] idx_q, idx_d, ridx, bias;
  logic        primed_q, primed_d, fire;

  assign fire      = b_valid_o && b_ready_i;
  // Read ahead: the RAM's output is the bias of the next row to offer.
  assign ridx      = fire ? idx_q + 32'd1 : idx_q;
  assign b_valid_o = primed_q;
  assign b_data_o  = enable_i ? le_pkg::acc_t'(bias) : '0;

  always_comb begin
    if (begin_i) begin
      idx_d    = '0;
      primed_d = 1'b0;
    end else begin
      idx_d    = fire ? idx_q + 32'd1 : idx_q;
      primed_d = 1'b1;
    end
  end

  always_ff @(posedge clk_i) begin
    if (!rst_ni) begin
      idx_q    <= '0;
      primed_q <= 1'b0;
    end else begin
      idx_q    <= idx_d;
      primed_q <= primed_d;
    end
  end

  le_prm_ram #(.LANES(Wpb), .EW(32), .DEPTH(Depth)) u_ram (
    .clk_i, .we_i(prm_we_i), .waddr_i(prm_addr_i[$clog2(Depth)-1:0]), .wdata_i(prm_data_i),
    .re_i(1'b1), .ridx_i(ridx[IW-1:0]), .rdata_o(bias)
  );

  // Unused: the row index bits above the RAM's index width, the address bits above its depth.
  logic unused;
  assign unused = ^{ridx, prm_addr_i};

endmodule
