// Copyright layer-engine contributors. Licensed under the Apache License, Version 2.0.
//
// le_stall_gate: test-build stall injection on one internal valid/ready stream boundary.
//
// Purpose:             closes a valid/ready handshake at random so that the consumer sees gaps and the
//                      producer sees back-pressure the engine's own schedule never makes (issue 14;
//                      docs/verification.md "Internal stall injection"). Only the handshake passes through
//                      the gate: the payload is wired around it, unchanged.
//                      Synthesis, and every build without the define LE_STALL_INJECT, see two wires:
//                        valid_o = valid_i, ready_o = ready_i.
//                      With LE_STALL_INJECT (the regression builds: eda/simbuild.py, eda/scbuild.py) the gate
//                      is still a wire unless the plusarg +le_stall=PCT (1..95) is given; then each cycle it is
//                      closed with a probability drawn per instance in [1, PCT] %: valid_o and ready_o are
//                      both held low. It never closes on an offer: once valid_o has been shown without
//                      ready_i, the gate stays open until the handshake, so valid_o is not withdrawn (as long
//                      as the producer holds valid_i) and the two handshakes are one: valid_o && ready_i ==
//                      valid_i && ready_o in every cycle.
//                      Randomness: a xorshift32 per instance, seeded from the run's master seed (+le_seed=N,
//                      which every regression run gets; 1 without it) mixed with SEED_ID, so the same seed
//                      reproduces a run bit for bit and two instances never share a sequence. No $urandom:
//                      the testbench BFMs' $urandom streams are untouched.
//                      Boundaries not gated, and why: see rtl/layer_engine.sv, le_main_out.sv, le_attn.sv
//                      (streams whose consumer has no ready, e.g. a RAM write, and the requant inputs, which
//                      never stall by construction: docs/verification.md).
// Golden twin:         none: test infrastructure (a handshake gate: order and payload untouched).
// Test:                tests/rtl/test_rtl_stall_gate.py (the protocol rules, a wire without the plusarg,
//                      seed reproducibility); end to end the nightly test stall_inject.
// Latency:             0 cycles (combinational on valid and ready; the closing decision comes from flops:
//                      no combinational path from ready_i to valid_o or from valid_i to ready_o).
// Throughput:          1 item per cycle when open; on average (1 - p) of the cycles while injecting.
// Reset:               synchronous, active low: open, no offer pending.

`ifndef LE_ASSERT_SVH
`include "le_assert.svh"  // guarded: rtl/layer_engine.f lists it first; a lone build: -y rtl
`endif

module le_stall_gate #(
  parameter int unsigned SEED_ID = 0   // distinct per instance: mixed into the run's seed
) (
  input  logic clk_i,
  input  logic rst_ni,
  // upstream (producer) side
  input  logic valid_i,
  output logic ready_o,
  // downstream (consumer) side
  output logic valid_o,
  input  logic ready_i
);

`ifdef LE_STALL_INJECT
`ifndef SYNTHESIS

  // a gate closed every cycle would never let an item through
  localparam int unsigned MaxPct = 95;

  // ---- configuration from the plusargs, once at time 0 ----
  bit          enable;
  int unsigned thresh;     // closed when the 8-bit draw is below it (p = thresh / 256)
  logic [31:0] seed;

  function automatic logic [31:0] xorshift32(logic [31:0] s);
    logic [31:0] x;
    x = s;
    x = x ^ (x << 13);
    x = x ^ (x >> 17);
    x = x ^ (x << 5);
    return x;
  endfunction

  initial begin
    int          pct;
    longint      master;
    logic [31:0] s;
    enable = 1'b0;
    thresh = 0;
    seed   = 32'h1;
    if ($value$plusargs("le_stall=%d", pct) && pct > 0) begin
      if (pct > int'(MaxPct)) pct = int'(MaxPct);
      if (!$value$plusargs("le_seed=%d", master)) master = 1;
      // splitmix-style mix of the master seed and the instance id; never the all-zero xorshift state
      s = master[31:0] ^ master[63:32] ^ (32'(SEED_ID) * 32'h9E37_79B9);
      s = xorshift32(xorshift32(s ^ 32'h85EB_CA6B) ^ 32'hC2B2_AE35);
      if (s == '0) s = 32'h1;
      seed   = s;
      // this instance's probability: uniform in [1, pct] %, in 1/256 steps
      thresh = ((32'(s % 32'(pct)) + 1) * 256) / 100;
      if (thresh == 0) thresh = 1;
      enable = 1'b1;
      $display("le_stall_gate %m: closed %0d/256 of cycles (+le_stall=%0d, seed %08h)",
               thresh, pct, s);
    end
  end

  // ---- the closing decision (flops only) ----
  logic [31:0] lfsr_q, lfsr_d;
  logic        closed_q, closed_d;
  logic        offered_q, offered_d;
  logic        open_gate;

  assign lfsr_d    = xorshift32(lfsr_q);
  assign closed_d  = enable && (32'(lfsr_d[15:8]) < thresh);
  assign open_gate = !enable || !closed_q || offered_q;   // !enable: a wire, from time 0
  assign offered_d = valid_o && !ready_i;   // an offer not yet taken: stay open next cycle

  // Offers withheld (cycles closed with valid_i high) and items passed, since reset: the tests read
  // them to show that the gate did close on this boundary (verif/tests/stall.py).
  logic [31:0] held_q, held_d, xfer_q, xfer_d;
  assign held_d = (valid_i && !open_gate) ? held_q + 32'd1 : held_q;
  assign xfer_d = (valid_o && ready_i) ? xfer_q + 32'd1 : xfer_q;
  always_ff @(posedge clk_i) begin
    if (!rst_ni) begin
      held_q <= '0;
      xfer_q <= '0;
    end else begin
      held_q <= held_d;
      xfer_q <= xfer_d;
    end
  end

  always_ff @(posedge clk_i) begin
    if (!rst_ni) begin
      lfsr_q    <= seed;
      closed_q  <= 1'b0;
      offered_q <= 1'b0;
    end else begin
      lfsr_q    <= lfsr_d;
      closed_q  <= closed_d;
      offered_q <= offered_d;
    end
  end

  assign valid_o = valid_i && open_gate;
  assign ready_o = ready_i && open_gate;

  // The gate never hides an offer it has shown: an item shown and not taken is still shown while the
  // producer holds it; and the two sides hand over in the same cycle.
  `LE_ASSERT(GateValidHeld_A, $past(valid_o && !ready_i) && valid_i |-> valid_o)
  `LE_ASSERT(GateOneHandshake_A, (valid_o && ready_i) == (valid_i && ready_o))

`else  // SYNTHESIS
  assign valid_o = valid_i;
  assign ready_o = ready_i;
  logic unused_clk;
  assign unused_clk = ^{clk_i, rst_ni, 32'(SEED_ID)};
`endif  // SYNTHESIS
`else  // LE_STALL_INJECT
  assign valid_o = valid_i;
  assign ready_o = ready_i;
  // The clock and reset serve only the injecting build.
  logic unused_clk;
  assign unused_clk = ^{clk_i, rst_ni, 32'(SEED_ID)};
`endif  // LE_STALL_INJECT

endmodule
