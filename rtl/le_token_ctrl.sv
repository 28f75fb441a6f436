// Copyright layer-engine contributors. Licensed under the Apache License, Version 2.0.
//
// le_token_ctrl: the token's life cycle as the host sees it - START / SOFT_RESET, STATUS, the
// interrupt events, the abort-and-drain on errors, and the per-token performance counters.
//
// Purpose:             implements the CSR semantics of rtl/csr/le_csr.rdl and models/driver.py:
//                        START, no error pending, config legal (le_cfg_check) -> accept: BUSY, DONE
//                        cleared, counters zeroed, start_o pulse (the engine latches the config).
//                        START with a config error -> ERROR, ERR_CODE ILLEGAL_CONFIG, error IRQ.
//                        START while busy -> ERROR, ERR_CODE START_WHILE_BUSY, error IRQ; the
//                        in-flight token continues and still sets DONE when it completes
//                        (models/golden_device.py).
//                        START while ERROR is set -> rejected, error IRQ again.
//                        DONE describes the latest START: every START rejected while idle clears it.
//                        START during a soft-reset drain -> ignored (no STATUS change, no IRQ).
//                        START in the cycle dp_clear_o pulses (the last cycle of a drain or of an idle
//                        soft reset, before STATUS can have been read as 0) -> held one cycle, then
//                        handled as any START from idle: never accepted while the datapath is in
//                        reset (its start pulse would be lost and the token hang BUSY).
//                        A token error (le_exec, X framing, write response) -> abort_o until the
//                        engine has drained (le_exec drained_o), then ERROR + ERR_CODE (the first
//                        error since the last soft reset) + error IRQ, BUSY cleared.
//                        Token complete (le_exec done_o) -> DONE, done IRQ, BUSY cleared.
//                        SOFT_RESET (wins over START) -> idle: cleared at once; busy: abort_o with
//                        soft_o (streams abandoned) until drained, then cleared (STATUS reads 0).
//                      dp_clear_o pulses after every drain and soft reset: it resets the datapath
//                      and the control of the token (never the AXI DMAs, which are idle by then).
// Golden twin:         models/golden_device.py (the host-visible behaviour).
// Test:                the env's tests (regress/testlist.yaml; pytest runs each:
//                      tests/rtl/test_uvm_testlist.py)
// Latency:             STATUS reflects a START/SOFT_RESET 1 cycle after its CSR write pulse.
// Initiation interval: n/a (control).
// Throughput:          n/a.
// Reset:               synchronous, active low.

module le_token_ctrl
  import le_ctrl_pkg::*;
#(
  parameter int unsigned BUS_BYTES = 16
) (
  input  logic        clk_i,
  input  logic        rst_ni,
  // CSR pulses and the config check
  input  logic        start_req_i,
  input  logic        soft_req_i,
  input  logic        cfg_ok_i,
  // engine events
  output logic        start_o,
  output logic        abort_o,
  output logic        soft_o,
  output logic        dp_clear_o,
  input  logic        done_i,
  input  logic        drained_i,
  input  logic        exec_err_i,
  input  err_e        exec_err_code_i,
  input  logic        x_err_i,
  input  logic [7:0]  x_err_code_i,
  input  logic        wr_err_i,         // level (le_axi_wr err_o, cleared at start_o)
  // perf events
  input  logic        rd_beat_i,
  input  logic        wr_beat_i,
  input  logic        rd_wait_i,
  // status and interrupts
  output logic        busy_o,
  output logic        done_o,
  output logic        error_o,
  output logic [7:0]  err_code_o,
  output logic        irq_done_o,       // 1-cycle events into IRQ_STATUS
  output logic        irq_error_o,
  output logic [63:0] perf_cycles_o,
  output logic [63:0] perf_rd_stall_o,
  output logic [63:0] perf_bytes_rd_o,
  output logic [63:0] perf_bytes_wr_o
);

  typedef enum logic [1:0] { TIdle, TBusy, TDrain } state_e;

  state_e      state_q, state_d;
  logic        done_q, error_q, soft_q, wr_err_seen_q, clear_q;
  logic        done_d, error_d, soft_d, wr_err_seen_d, clear_d;
  logic [7:0]  code_q, pend_q, code_d, pend_d;
  logic [63:0] cyc_q, stall_q, brd_q, bwr_q;
  logic [63:0] cyc_d, stall_d, brd_d, bwr_d;

  logic       tok_err;
  logic [7:0] tok_code;
  always_comb begin
    tok_err  = 1'b1;
    tok_code = 8'(exec_err_code_i);
    if (exec_err_i)                    tok_code = 8'(exec_err_code_i);
    else if (x_err_i)                  tok_code = x_err_code_i;
    else if (wr_err_i && !wr_err_seen_q) tok_code = 8'(ErrAxiWrite);
    else                               tok_err = 1'b0;
  end

  // A START that arrives while dp_clear_o pulses waits one cycle in start_hold_q: the datapath is in reset then.
  logic start_hold_q, start_hold_d, start_req;
  assign start_req    = (start_req_i && !clear_q) || start_hold_q;
  assign start_hold_d = start_req_i && clear_q && !soft_req_i;

  logic accept;
  assign accept = state_q == TIdle && start_req && !soft_req_i && !error_q && cfg_ok_i;

  always_comb begin
    state_d       = state_q;
    done_d        = done_q;
    error_d       = error_q;
    soft_d        = soft_q;
    wr_err_seen_d = wr_err_seen_q;
    clear_d       = 1'b0;
    code_d        = code_q;
    pend_d        = pend_q;
    cyc_d         = cyc_q;
    stall_d       = stall_q;
    brd_d         = brd_q;
    bwr_d         = bwr_q;
    if (state_q != TIdle) begin
      cyc_d = cyc_q + 64'd1;
      if (rd_wait_i && state_q == TBusy) stall_d = stall_q + 64'd1;
      if (rd_beat_i) brd_d = brd_q + 64'(BUS_BYTES);
      if (wr_beat_i) bwr_d = bwr_q + 64'(BUS_BYTES);
    end
    if (wr_err_i) wr_err_seen_d = 1'b1;
    unique case (state_q)
      TIdle: begin
        if (soft_req_i) begin
          done_d = 1'b0; error_d = 1'b0; code_d = '0;
          cyc_d = '0; stall_d = '0; brd_d = '0; bwr_d = '0;
          clear_d = 1'b1;
        end else if (accept) begin
          state_d = TBusy; done_d = 1'b0; pend_d = '0; wr_err_seen_d = 1'b0;
          cyc_d = 64'(start_hold_q);   // a held START: PERF_CYCLES still counts from its CSR write
          stall_d = '0; brd_d = '0; bwr_d = '0;
        end else if (start_req) begin
          // A rejected START clears DONE: DONE describes the latest START (docs/host_protocol.md 5).
          done_d = 1'b0;
          if (!error_q) begin
            error_d = 1'b1; code_d = 8'(ErrIllegalConfig);
          end
        end
      end
      TBusy: begin
        if (soft_req_i) begin
          state_d = TDrain; soft_d = 1'b1;
        end else if (tok_err) begin
          state_d = TDrain; soft_d = 1'b0; pend_d = tok_code;
        end else if (done_i) begin
          state_d = TIdle; done_d = 1'b1;
        end else if (start_req && !error_q) begin
          error_d = 1'b1; code_d = 8'(ErrStartBusy);
        end
      end
      default: begin   // TDrain
        if (soft_req_i) soft_d = 1'b1;
        if (drained_i) begin
          state_d = TIdle;
          clear_d = 1'b1;
          if (soft_q || soft_req_i) begin
            done_d = 1'b0; error_d = 1'b0; code_d = '0;
            cyc_d = '0; stall_d = '0; brd_d = '0; bwr_d = '0;
          end else if (!error_q) begin
            error_d = 1'b1; code_d = pend_q;
          end
        end else if (start_req && !error_q && !soft_q) begin
          error_d = 1'b1; code_d = 8'(ErrStartBusy);
        end
      end
    endcase
  end

  always_ff @(posedge clk_i) begin
    if (!rst_ni) begin
      state_q       <= TIdle;
      done_q        <= 1'b0;
      error_q       <= 1'b0;
      soft_q        <= 1'b0;
      wr_err_seen_q <= 1'b0;
      clear_q       <= 1'b0;
      start_hold_q  <= 1'b0;
      code_q        <= '0;
      pend_q        <= '0;
      cyc_q         <= '0;
      stall_q       <= '0;
      brd_q         <= '0;
      bwr_q         <= '0;
    end else begin
      state_q       <= state_d;
      done_q        <= done_d;
      error_q       <= error_d;
      soft_q        <= soft_d;
      wr_err_seen_q <= wr_err_seen_d;
      clear_q       <= clear_d;
      start_hold_q  <= start_hold_d;
      code_q        <= code_d;
      pend_q        <= pend_d;
      cyc_q         <= cyc_d;
      stall_q       <= stall_d;
      brd_q         <= brd_d;
      bwr_q         <= bwr_d;
    end
  end

  assign start_o      = accept;
  assign abort_o      = state_q == TDrain;
  assign soft_o       = soft_q;
  assign dp_clear_o   = clear_q;
  assign busy_o       = state_q != TIdle;
  assign done_o       = done_q;
  assign error_o      = error_q;
  assign err_code_o   = code_q;
  assign irq_done_o   = state_q == TBusy && !soft_req_i && !tok_err && done_i;
  // Every START that is rejected raises the error interrupt, as does a drained error. A START during a
  // soft-reset drain is ignored entirely (no STATUS change, no event): the drain's end clears everything.
  assign irq_error_o  = (start_req && !soft_req_i && !accept && !(state_q == TDrain && soft_q)) ||
                        (state_q == TDrain && drained_i && !soft_q && !soft_req_i);
  assign perf_cycles_o   = cyc_q;
  assign perf_rd_stall_o = stall_q;
  assign perf_bytes_rd_o = brd_q;
  assign perf_bytes_wr_o = bwr_q;

endmodule
