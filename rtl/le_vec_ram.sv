// Copyright layer-engine contributors. Licensed under the Apache License, Version 2.0.
//
// le_vec_ram: an on-chip vector buffer of LANES elements per word, with per-lane write enables and
// one synchronous read port.
//
// Purpose:             the engine's activation and parameter buffers (X residual copy, Q/K/V,
//                      O_concat, U_act, requant/residual parameters, GELU banks, logits bias). A
//                      whole beat is written from the DMA or the X stream in one cycle; an operator
//                      output element is written alone with one lane enable.
// Golden twin:         none: control - on-chip vector storage (lane-enable writes, word reads).
// Test:                through its users: the env's tests (regress/testlist.yaml; pytest runs each:
//                      tests/rtl/test_uvm_testlist.py)
// Latency:             read: 1 cycle (rdata_o holds the word addressed at the last edge with re_i = 1
//                      and keeps it while re_i = 0). Write: visible to a read in the next cycle.
// Initiation interval: 1 write and 1 read per cycle.
// Throughput:          1 word (LANES elements) per cycle each way.
// Mapping:             simple dual-port block RAM with byte/lane write enables (distributed RAM when
//                      small). Not reset: every word is written before it is read.

module le_vec_ram #(
  parameter int unsigned LANES = 16,
  parameter int unsigned EW    = 8,     // element width (bits)
  parameter int unsigned DEPTH = 64,    // words
  // Derived, not to be overridden.
  localparam int unsigned AW   = (DEPTH > 1) ? $clog2(DEPTH) : 1
) (
  input  logic                  clk_i,
  input  logic                  we_i,
  input  logic [AW-1:0]         waddr_i,
  input  logic [LANES-1:0]      wbe_i,     // lane enables
  input  logic [LANES*EW-1:0]   wdata_i,
  input  logic                  re_i,
  input  logic [AW-1:0]         raddr_i,
  output logic [LANES*EW-1:0]   rdata_o
);

  logic [LANES-1:0][EW-1:0] mem_q [DEPTH];
  logic [LANES*EW-1:0]      rdata_q;

  // Block-RAM template: lane-enabled write, synchronous read with a read enable (the output
  // register holds while re_i = 0).
  always_ff @(posedge clk_i) begin
    if (we_i) begin
      for (int unsigned i = 0; i < LANES; i++) begin
        if (wbe_i[i]) mem_q[waddr_i][i] <= wdata_i[i*EW +: EW];
      end
    end
    if (re_i) rdata_q <= mem_q[raddr_i];
  end
  assign rdata_o = rdata_q;

endmodule
