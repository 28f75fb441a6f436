// Copyright layer-engine contributors. Licensed under the Apache License, Version 2.0.
//
// le_phase_track: when the main datapath (le_main_out) has finished the current phase.
//
// Purpose:             done_o: every result of the phase is stored - QKV: 3*d_head rows into the Q/K/V
//                      buffer; W1: d_ff U_act elements; Wo/W2: d_model LayerNorm outputs; logits: vocab
//                      logits taken by the stream. rq_free_o: every row of the phase has read its requant
//                      parameters, so the next parameter group may overwrite them (le_exec waits for it).
//                      begin_i starts a phase (the counters restart).
// Golden twin:         none: control - phase completion and the requant-RAM release of le_main_out.
// Test:                the env's tests (regress/testlist.yaml; pytest runs each:
//                      tests/rtl/test_uvm_testlist.py)
// Latency:             done_o rises 1 cycle after the last result; rq_free_o is combinational.
// Initiation interval: n/a.
// Throughput:          n/a.
// Reset:               synchronous, active low.

module le_phase_track
  import le_ctrl_pkg::*;
(
  input  logic        clk_i,
  input  logic        rst_ni,
  input  logic        begin_i,
  input  phase_e      phase_i,       // the phase in progress (latched by le_main_out)
  input  cfg_t        cfg_i,
  input  logic        qkv_store_i,   // a Q/K/V row stored
  input  logic        logit_take_i,  // a logit taken by the stream
  input  logic [31:0] uact_count_i,  // U_act elements stored in this phase
  input  logic [31:0] ln_count_i,    // LayerNorm outputs written in this phase
  input  logic [31:0] rq_count_i,    // rows that have read their requant parameters in this phase
  output logic        done_o,
  output logic        rq_free_o
);

  logic [31:0] n_stored_q, n_stored_d, n_logits_q, n_logits_d, want, rows_rq;
  logic        done_q, done_d;

  always_comb begin
    unique case (phase_i)
      PhQkv:    want = 3 * cfg_i.d_head;
      PhW1:     want = cfg_i.d_ff;
      PhLogits: want = cfg_i.vocab;
      default:  want = cfg_i.d_model;
    endcase
    // The logits phase reads no requant parameters.
    rows_rq = (phase_i == PhLogits) ? '0 : want;
  end

  always_comb begin
    n_stored_d = n_stored_q;
    n_logits_d = n_logits_q;
    done_d     = 1'b0;
    if (!begin_i) begin
      if (qkv_store_i) n_stored_d = n_stored_q + 32'd1;
      if (logit_take_i) n_logits_d = n_logits_q + 32'd1;
      unique case (phase_i)
        PhQkv:    done_d = n_stored_q == want;
        PhW1:     done_d = uact_count_i == want;
        PhLogits: done_d = n_logits_q == want;
        default:  done_d = ln_count_i == want;
      endcase
    end else begin
      n_stored_d = '0;
      n_logits_d = '0;
    end
  end

  always_ff @(posedge clk_i) begin
    if (!rst_ni) begin
      n_stored_q <= '0;
      n_logits_q <= '0;
      done_q     <= 1'b0;
    end else begin
      n_stored_q <= n_stored_d;
      n_logits_q <= n_logits_d;
      done_q     <= done_d;
    end
  end

  assign done_o    = done_q;
  assign rq_free_o = rq_count_i == rows_rq || phase_i == PhLogits;

  // Unused: the config fields this block does not read.
  logic unused;
  assign unused = ^{cfg_i};

endmodule
