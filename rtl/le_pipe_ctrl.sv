// Copyright layer-engine contributors. Licensed under the Apache License, Version 2.0.
//
// le_pipe_ctrl: valid/ready control of a Stages-deep register pipeline.
//
// Purpose:             shared control of the element-wise operators' pipelines (le_requant,
//                      le_residual_add, le_act_lut). The operator owns the data registers of each
//                      stage; this module owns one valid bit per stage and tells the operator when
//                      each stage's registers load (load_o[k]).
// Golden twin:         none: control - valid/ready of a register pipeline (the operators that use
//                      it have one).
// Test:                through every pipelined operator's test (tests/rtl/test_rtl_requant.py, ...)
// Latency:             Stages cycles (an item accepted at clock edge t is offered at the output right
//                      after edge t + Stages - 1 and, with out_ready_i high, transfers at edge
//                      t + Stages).
// Initiation interval: 1 cycle (one item per cycle when the output is not stalled).
// Throughput:          1 item per cycle.
//
// Stage k can accept an item when it is empty or its own item moves on in the same cycle:
//   ready[k] = !valid_q[k] || ready[k+1],   ready[Stages] = out_ready_i,   in_ready_o = ready[0].
// Empty stages (bubbles) are filled while a later stage is stalled, so no cycle is lost to a bubble.
// in_ready_o depends combinationally on out_ready_i and on the valid flops only, never on
// in_valid_i: there is no combinational valid -> ready path. An item is never dropped (a full stage
// holds while ready[k+1] is low) nor duplicated (a stage is cleared when its item moves on and
// nothing arrives). Reset (synchronous, active low) empties every stage.

module le_pipe_ctrl #(
  parameter int unsigned Stages = 1
) (
  input  logic              clk_i,
  input  logic              rst_ni,

  input  logic              in_valid_i,
  output logic              in_ready_o,

  output logic              out_valid_o,
  input  logic              out_ready_i,

  // load_o[k]: stage k's data registers capture their _d values at the next rising edge.
  output logic [Stages-1:0] load_o
);

  logic [Stages:0]   ready;     // ready[k]: stage k can accept an item this cycle
  logic [Stages-1:0] offered;   // offered[k]: an item is offered to stage k this cycle
  logic [Stages-1:0] valid_d, valid_q;

  always_comb begin
    ready[Stages] = out_ready_i;
    for (int k = int'(Stages) - 1; k >= 0; k--) begin
      ready[k] = !valid_q[k] || ready[k+1];
    end
  end

  always_comb begin
    offered[0] = in_valid_i;
    for (int k = 1; k < int'(Stages); k++) begin
      offered[k] = valid_q[k-1];
    end
  end

  always_comb begin
    for (int k = 0; k < int'(Stages); k++) begin
      valid_d[k] = ready[k] ? offered[k] : valid_q[k];
      load_o[k]  = ready[k] && offered[k];
    end
  end

  always_ff @(posedge clk_i) begin
    if (!rst_ni) begin
      valid_q <= '0;
    end else begin
      valid_q <= valid_d;
    end
  end

  assign in_ready_o  = ready[0];
  assign out_valid_o = valid_q[Stages-1];

endmodule
