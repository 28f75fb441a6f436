// Copyright layer-engine contributors. Licensed under the Apache License, Version 2.0.
//
// le_prm_ram: a parameter vector written one DMA beat at a time and read one element at a time.
//
// Purpose:             holds a per-channel parameter tensor (requant bias/mult/shift, residual
//                      multipliers, GELU bank ids, logits bias) as loaded from DDR: a write stores
//                      one bus beat (LANES elements of EW bits, element k of the beat = tensor
//                      element waddr_i * LANES + k); a read returns one element by index.
// Golden twin:         none: control - parameter storage (beat writes, element reads; the
//                      parameters' use is checked end to end).
// Test:                through its users: the env's tests (regress/testlist.yaml; pytest runs each:
//                      tests/rtl/test_uvm_testlist.py)
// Latency:             read: 1 cycle (rdata_o holds the element addressed at the last edge with
//                      re_i = 1, and keeps it while re_i = 0).
// Initiation interval: 1 write and 1 read per cycle.
// Throughput:          1 beat in, 1 element out per cycle.
// Mapping:             simple dual-port block RAM (le_vec_ram) + a lane multiplexer.

module le_prm_ram #(
  parameter int unsigned LANES = 4,      // elements per beat (a power of two, >= 2)
  parameter int unsigned EW    = 32,
  parameter int unsigned DEPTH = 256,    // beats
  // Derived, not to be overridden.
  localparam int unsigned AW   = (DEPTH > 1) ? $clog2(DEPTH) : 1,
  localparam int unsigned LW   = (LANES > 1) ? $clog2(LANES) : 1,
  localparam int unsigned IW   = AW + LW
) (
  input  logic                clk_i,
  input  logic                we_i,
  input  logic [AW-1:0]       waddr_i,
  input  logic [LANES*EW-1:0] wdata_i,
  input  logic                re_i,
  input  logic [IW-1:0]       ridx_i,
  output logic [EW-1:0]       rdata_o
);

  logic [LANES*EW-1:0] word;
  logic [LW-1:0]       lane_q;

  le_vec_ram #(.LANES(LANES), .EW(EW), .DEPTH(DEPTH)) u_ram (
    .clk_i,
    .we_i,
    .waddr_i,
    .wbe_i   ({LANES{1'b1}}),
    .wdata_i,
    .re_i,
    .raddr_i (ridx_i[IW-1 -: AW]),
    .rdata_o (word)
  );

  logic [LW-1:0] lane_d;
  assign lane_d = !re_i ? lane_q : (LANES > 1) ? ridx_i[LW-1:0] : '0;
  always_ff @(posedge clk_i) begin
    lane_q <= lane_d;
  end

  assign rdata_o = word[32'(lane_q) * EW +: EW];

endmodule
