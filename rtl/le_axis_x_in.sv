// Copyright layer-engine contributors. Licensed under the Apache License, Version 2.0.
//
// le_axis_x_in: AXI4-Stream slave for one token's input vector x (s_axis_x of the engine).
//
// Purpose:             receives the token's d_model int8 elements (models/driver.py, step 5: element i
//                      in byte lane i % bus_bytes of beat i // bus_bytes, TLAST on the final beat)
//                      and writes them, one bus beat per cycle, into the x RAM of le_gemv/le_logits
//                      through their x write port (beat k -> x_addr_o = k). Checks the framing:
//                      X_TLAST_EARLY (5) and X_TLAST_LATE (6) of models.driver.ErrorCode.
// Golden twin:         models/golden_device.py (exchange: x shorter than d_model -> X_TLAST_EARLY,
//                      longer -> X_TLAST_LATE); tests/rtl/cocotb_axis_x_in.py checks every written
//                      byte against the stimulus.
// Test:                tests/rtl/test_rtl_axis_x_in.py, tests/rtl/test_rtl_axis_bfm.py
// Latency:             1 cycle: a beat accepted at a rising edge is on x_we_o / x_addr_o / x_data_o
//                      right after that edge (written into the RAM at the next edge). done_o (and
//                      err_valid_o) rise right after the edge that accepts the TLAST beat, in the
//                      same cycle as the last x write.
// Initiation interval: 1 cycle (one beat per cycle while armed; s_axis_tready_o depends on state
//                      flops only, no combinational path from any input).
// Throughput:          1 bus beat (AXI_DATA_W / 8 bytes) per cycle.
//
// Interfaces
//   control       start_i (1-cycle pulse, honoured only while idle_o = 1) arms the receiver for one
//                 token and latches d_model_i: a non-zero multiple of LANES, <= MAX_D_MODEL (other
//                 values are illegal; the CSR block rejects them at START). A start while busy is
//                 ignored. Beats are accepted only while armed (s_axis_tready_o = 1): from the cycle
//                 after start_i up to and including the TLAST beat.
//   s_axis        s_axis_tdata_i / s_axis_tkeep_i / s_axis_tlast_i / s_axis_tvalid_i /
//                 s_axis_tready_o (the top renames them s_axis_x_*). Byte i of a beat is bits
//                 [8i+7:8i].
//   x write port  x_we_o / x_addr_o / x_data_o: le_gemv's x port (x_addr_o = beat index k, x_data_o =
//                 beat k, element x_addr_o*LANES + i in lane i). No back-pressure: one write per
//                 accepted beat, registered.
//   status        done_o: 1-cycle pulse once per armed token, when its TLAST beat has been accepted
//                 (after the last x write has been issued). err_valid_o pulses with done_o when the
//                 token failed; err_code_o then holds the code (0 otherwise).
//
// Framing rules (E = d_model / LANES beats expected, beats counted from 0)
//   - TLAST on beat k < E-1: X_TLAST_EARLY. That beat is not written (beats 0..k-1 were; the data is
//     not used), the token ends at once (done_o + err_valid_o).
//   - Beat E-1 without TLAST: X_TLAST_LATE. Beats 0..E-1 are written; further beats are accepted and
//     discarded up to and including the TLAST beat (so the stream stays in step with the host), then
//     done_o + err_valid_o.
//   - TKEEP: bytes are taken by position, and the byte count is what matters (the golden device's
//     rule: fewer than d_model bytes -> EARLY, more -> LATE). So TKEEP is checked on the TLAST beat
//     only: a TLAST beat at k = E-1 whose TKEEP is not all ones carries fewer than d_model bytes ->
//     X_TLAST_EARLY (that beat is not written). TKEEP of a non-TLAST beat is ignored (all bytes
//     taken; the host driver only sends partial TKEEP on a final beat). On a TLAST beat at k < E-1 or
//     k > E-1 TKEEP does not change the outcome (EARLY / LATE).
// Reset:               synchronous, active low: idle, not armed. The x data register is not reset.

`ifndef LE_ASSERT_SVH
`include "le_assert.svh"  // guarded: rtl/layer_engine.f lists it first; a lone build: -y rtl
`endif

module le_axis_x_in #(
  parameter int unsigned AXI_DATA_W  = 128,   // 64, 128 or 256 (LANES = AXI_DATA_W / 8)
  parameter int unsigned MAX_D_MODEL = 1536,  // largest d_model (x RAM depth in elements)
  // Derived, not to be overridden.
  localparam int unsigned Lanes      = AXI_DATA_W / 8,
  localparam int unsigned XDepth     = MAX_D_MODEL / Lanes,
  localparam int unsigned XAddrW     = (XDepth > 1) ? $clog2(XDepth) : 1,
  localparam int unsigned DInW       = $clog2(MAX_D_MODEL + 1)
) (
  input  logic                  clk_i,
  input  logic                  rst_ni,
  // control
  input  logic                  start_i,
  input  logic [DInW-1:0]       d_model_i,
  output logic                  idle_o,
  // AXI4-Stream slave
  input  logic [AXI_DATA_W-1:0] s_axis_tdata_i,
  input  logic [Lanes-1:0]      s_axis_tkeep_i,
  input  logic                  s_axis_tlast_i,
  input  logic                  s_axis_tvalid_i,
  output logic                  s_axis_tready_o,
  // x write port (le_gemv / le_logits)
  output logic                  x_we_o,
  output logic [XAddrW-1:0]     x_addr_o,
  output logic [AXI_DATA_W-1:0] x_data_o,
  // status
  output logic                  done_o,
  output logic                  err_valid_o,
  output logic [7:0]            err_code_o
);

  localparam logic [7:0] ErrXTlastEarly = 8'd5;   // models.driver.ErrorCode.X_TLAST_EARLY
  localparam logic [7:0] ErrXTlastLate  = 8'd6;   // models.driver.ErrorCode.X_TLAST_LATE
  localparam int unsigned LaneShift     = $clog2(Lanes);

  if (AXI_DATA_W != 64 && AXI_DATA_W != 128 && AXI_DATA_W != 256) begin : gen_bad_width
    $error("le_axis_x_in: AXI_DATA_W must be 64, 128 or 256");
  end
  if (MAX_D_MODEL < Lanes || (MAX_D_MODEL % Lanes) != 0) begin : gen_bad_max_d_model
    $error("le_axis_x_in: MAX_D_MODEL must be a non-zero multiple of AXI_DATA_W / 8");
  end

  typedef enum logic [1:0] {
    StIdle    = 2'd0,
    StRecv    = 2'd1,   // beats 0..E-1
    StDiscard = 2'd2    // past beat E-1 without TLAST: drop beats until TLAST
  } state_e;

  state_e              state_d, state_q;
  logic [XAddrW-1:0]   beat_d, beat_q;          // index of the next beat in StRecv
  logic [XAddrW-1:0]   last_d, last_q;          // E - 1
  logic                we_d, we_q;
  logic [XAddrW-1:0]   addr_d, addr_q;
  logic                done_d, done_q;
  logic                err_d, err_q;
  logic [7:0]          code_d, code_q;
  logic [AXI_DATA_W-1:0] data_d, data_q;
  logic                accept, at_last, keep_full;
  logic [DInW-1:0]     beats_total;

  assign s_axis_tready_o = (state_q != StIdle);
  assign idle_o          = (state_q == StIdle);
  assign accept          = s_axis_tvalid_i & s_axis_tready_o;
  assign at_last         = (beat_q == last_q);
  assign keep_full       = &s_axis_tkeep_i;
  assign beats_total     = d_model_i >> LaneShift;
  assign data_d          = s_axis_tdata_i;

  always_comb begin
    state_d = state_q;
    beat_d  = beat_q;
    last_d  = last_q;
    we_d    = 1'b0;
    addr_d  = beat_q;
    done_d  = 1'b0;
    err_d   = 1'b0;
    code_d  = 8'd0;
    unique case (state_q)
      StIdle: begin
        if (start_i) begin
          state_d = StRecv;
          beat_d  = '0;
          last_d  = XAddrW'(beats_total - 1'b1);
        end
      end
      StRecv: begin
        if (accept) begin
          if (s_axis_tlast_i && (!at_last || !keep_full)) begin
            // fewer than d_model bytes: the token ends here, this beat is dropped
            state_d = StIdle;
            done_d  = 1'b1;
            err_d   = 1'b1;
            code_d  = ErrXTlastEarly;
          end else begin
            we_d   = 1'b1;
            beat_d = beat_q + 1'b1;
            if (at_last) begin
              if (s_axis_tlast_i) begin
                state_d = StIdle;
                done_d  = 1'b1;
              end else begin
                state_d = StDiscard;
              end
            end
          end
        end
      end
      StDiscard: begin
        if (accept && s_axis_tlast_i) begin
          state_d = StIdle;
          done_d  = 1'b1;
          err_d   = 1'b1;
          code_d  = ErrXTlastLate;
        end
      end
      default: state_d = StIdle;
    endcase
  end

  always_ff @(posedge clk_i) begin
    if (!rst_ni) begin
      state_q <= StIdle;
      beat_q  <= '0;
      last_q  <= '0;
      we_q    <= 1'b0;
      addr_q  <= '0;
      done_q  <= 1'b0;
      err_q   <= 1'b0;
      code_q  <= 8'd0;
    end else begin
      state_q <= state_d;
      beat_q  <= beat_d;
      last_q  <= last_d;
      we_q    <= we_d;
      addr_q  <= addr_d;
      done_q  <= done_d;
      err_q   <= err_d;
      code_q  <= code_d;
    end
  end

  // Payload register: loaded with every beat (only meaningful with x_we_o).
  always_ff @(posedge clk_i) begin
    if (accept) begin
      data_q <= data_d;
    end
  end

  assign x_we_o      = we_q;
  assign x_addr_o    = addr_q;
  assign x_data_o    = data_q;
  assign done_o      = done_q;
  assign err_valid_o = err_q;
  assign err_code_o  = code_q;

  // ---- assertions (rtl/le_assert.svh) -------------------------------------------------------------
  `LE_ASSERT(StateLegal_A, state_q inside {StIdle, StRecv, StDiscard})
  `LE_ASSERT_KNOWN(TReadyKnown_A, s_axis_tready_o)

endmodule
