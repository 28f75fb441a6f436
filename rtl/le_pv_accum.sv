// Copyright layer-engine contributors. Licensed under the Apache License, Version 2.0.
//
// le_pv_accum: P.V accumulation of one attention head, acc[j] = sum_t p[t] * v[t, j].
//
// Purpose:             for each context row t: p[t] (uint16 Q1.15) times V row t (d_head int8,
//                      streamed as d_head/LANES beats), accumulated over all rows of the head
//                      (context tiles, then the current row) into d_head int32 accumulators held on
//                      chip (docs/numerics.md, "P.V accumulation"). When the head's last row is in,
//                      the d_head accumulators are emitted as d_head/LANES beats of LANES int32.
// Golden twin:         models/ops.py pv_accum, chained over the context tiles
//                      (acc = pv_accum(p_tile, v_tile, acc), acc starting at 0).
// Test:                tests/rtl/test_rtl_pv_accum.py
// Latency:             3 cycles from the transfer of a head's last V beat to the transfer of its
//                      first output beat; the d_head/LANES output beats follow on consecutive
//                      cycles (no stall).
// Initiation interval: 1 cycle per V beat, with no bubble between rows. Between heads there is no
//                      bubble when the heads have >= 2 rows (>= 3 when d_head = LANES) and the
//                      output is not back-pressured: the accumulators are double-buffered (head h+1
//                      accumulates while head h is emitted); a head's first beat waits until the
//                      buffer of head h-1 is emitted.
// Throughput:          LANES uint16 x int8 MACs per cycle; 1 context row per d_head/LANES cycles.
//
// Interfaces
//   d_head_i      elements per V row: a multiple of LANES in [LANES, MAX_D_HEAD]; may change only
//                 while idle_o = 1.
//   p stream      p_valid_i / p_ready_o / p_data_i / p_last_i: one probability per context row, in
//                 row order (2-entry FIFO: it may run ahead of V by two rows). p_last_i marks the
//                 head's last row. This is the clear/start control: the row after a p_last_i row
//                 (and the first row after reset) starts a new head from zero; p_last_i ends the
//                 head and starts its emit.
//   v stream      v_valid_i / v_ready_o / v_data_i: V row t as d_head/LANES beats, lane i = bits
//                 [8i+7:8i] = element beat*LANES + i. A V beat is accepted only when its row's p is
//                 in.
//   out stream    out_valid_o / out_ready_i / out_data_o / out_last_o: the head's acc[0..d_head-1]
//                 as d_head/LANES beats; lane i = bits [32i+31:32i] = acc[beat*LANES + i] (int32);
//                 out_last_o on the head's last beat.
//   idle_o        1 when no head is being received, accumulated or emitted.
//
// Pipeline:
//   1  accept the V beat (with the p at the head of the p FIFO)
//   2  LANES products p * v (17 x 8 bit signed -> 24 bit: DSP or LUT multipliers)
//   3  read-modify-write of the accumulator word (first row of a head: acc = product), in one
//      cycle, so back-to-back beats to the same word (d_head = LANES) need no forwarding.
// Reset:               synchronous, active low (rst_ni). Control state only; the accumulators are
//                      not reset (the first row of every head overwrites them).

module le_pv_accum
  import le_pkg::*;
#(
  parameter int unsigned LANES      = 16,   // MAC lanes = bytes per bus beat: 8, 16 or 32
  parameter int unsigned MAX_D_HEAD = 128,  // largest d_head
  // Derived, not to be overridden.
  localparam int unsigned BusW      = LANES * ActW,
  localparam int unsigned OutW      = LANES * AccW,
  localparam int unsigned DHeadW    = $clog2(MAX_D_HEAD + 1)
) (
  input  logic              clk_i,
  input  logic              rst_ni,
  // runtime configuration
  input  logic [DHeadW-1:0] d_head_i,
  // probability stream (one per context row)
  input  logic              p_valid_i,
  output logic              p_ready_o,
  input  logic [ProbW-1:0]  p_data_i,
  input  logic              p_last_i,
  // V stream (d_head/LANES beats per context row)
  input  logic              v_valid_i,
  output logic              v_ready_o,
  input  logic [BusW-1:0]   v_data_i,
  // accumulator stream (d_head/LANES beats per head)
  output logic              out_valid_o,
  input  logic              out_ready_i,
  output logic [OutW-1:0]   out_data_o,
  output logic              out_last_o,
  // status
  output logic              idle_o
);

  localparam int unsigned LaneShift = $clog2(LANES);
  localparam int unsigned Words     = MAX_D_HEAD / LANES;
  localparam int unsigned WordW     = (Words > 1) ? $clog2(Words) : 1;
  localparam int unsigned PvW       = ProbW + ActW;   // |p * v| <= 65535 * 128: 24 signed bits

  if (LANES != 8 && LANES != 16 && LANES != 32) begin : gen_bad_lanes
    $error("le_pv_accum: LANES must be 8, 16 or 32");
  end
  if (MAX_D_HEAD < LANES || (MAX_D_HEAD % LANES) != 0) begin : gen_bad_max_d_head
    $error("le_pv_accum: MAX_D_HEAD must be a positive multiple of LANES");
  end

  // ---- p FIFO -----------------------------------------------------------------------------------
  logic             pq_valid, pq_pop, pq_last;
  logic [ProbW-1:0] pq_data;

  le_stream_fifo #(
    .WIDTH (ProbW + 1),
    .DEPTH (2)
  ) u_p_fifo (
    .clk_i,
    .rst_ni,
    .in_valid_i  (p_valid_i),
    .in_ready_o  (p_ready_o),
    .in_data_i   ({p_last_i, p_data_i}),
    .out_valid_o (pq_valid),
    .out_ready_i (pq_pop),
    .out_data_o  ({pq_last, pq_data})
  );

  // ---- stage 1: accept a V beat -----------------------------------------------------------------
  logic [WordW-1:0] word_last;                 // d_head/LANES - 1
  logic [WordW-1:0] beat_d, beat_q;            // word (beat) index within the row
  logic             row_first_d, row_first_q;  // the current row is its head's first row
  logic             open_d, open_q;            // the head has accepted a beat (owns its bank)
  logic             bank_d, bank_q;            // accumulator bank of the head being received
  logic [1:0]       busy_d, busy_q;            // bank owned: first beat of its head .. end of emit
  logic [1:0]       done_d, done_q;            // bank holds a complete head, waiting for its emit
  logic             emit_bank_d, emit_bank_q;
  logic [WordW-1:0] emit_word_d, emit_word_q;
  logic             v_fire, row_last, head_last, out_fire;

  assign word_last = WordW'((d_head_i >> LaneShift) - DHeadW'(1));
  assign row_last  = (beat_q == word_last);
  assign head_last = row_last & pq_last;
  assign v_ready_o = pq_valid & (open_q | ~busy_q[bank_q]);
  assign v_fire    = v_valid_i & v_ready_o;
  assign pq_pop    = v_fire & row_last;

  // Stage registers: *_q1 after stage 1, *_q2 after stage 2.
  logic             valid_d, valid_q1, valid_q2;
  logic [BusW-1:0]  v_d, v_q1;
  logic [ProbW-1:0] p_d, p_q1;
  logic [WordW-1:0] word_d, word_q1, word_q2;
  logic             first_d, first_q1, first_q2;
  logic             hlast_d, hlast_q1, hlast_q2;
  logic             wbank_d, wbank_q1, wbank_q2;

  assign valid_d = v_fire;
  assign v_d     = v_data_i;
  assign p_d     = pq_data;
  assign word_d  = beat_q;
  assign first_d = row_first_q;
  assign hlast_d = head_last;
  assign wbank_d = bank_q;

  always_ff @(posedge clk_i) begin
    if (v_fire) begin
      v_q1     <= v_d;
      p_q1     <= p_d;
      word_q1  <= word_d;
      first_q1 <= first_d;
      hlast_q1 <= hlast_d;
      wbank_q1 <= wbank_d;
    end
  end

  // ---- stage 2: LANES products p * v ------------------------------------------------------------
  logic signed [PvW-1:0] prod_d [LANES];
  logic signed [PvW-1:0] prod_q [LANES];

  always_comb begin
    for (int i = 0; i < int'(LANES); i++) begin
      prod_d[i] = PvW'($signed({1'b0, p_q1})) * PvW'(act_t'(v_q1[i*ActW +: ActW]));
    end
  end

  always_ff @(posedge clk_i) begin
    if (valid_q1) begin
      prod_q   <= prod_d;
      word_q2  <= word_q1;
      first_q2 <= first_q1;
      hlast_q2 <= hlast_q1;
      wbank_q2 <= wbank_q1;
    end
  end

  // ---- stage 3: accumulate ----------------------------------------------------------------------
  // Accumulators: 2 banks x Words x LANES int32; per lane one synchronous write port and two
  // asynchronous read ports (read-modify-write at {wbank_q2, word_q2}, emit at {emit_bank_q,
  // emit_word_q}): distributed RAM (LUTRAM) or registers, not block RAM (the read-modify-write must
  // complete in one cycle). E.g. MAX_D_HEAD 64, LANES 16: 2 x 4 x 16 x 32 bit = 4 kbit.
  acc_t mem_acc [2][Words][LANES];
  acc_t acc_sum [LANES];

  always_comb begin
    for (int i = 0; i < int'(LANES); i++) begin
      acc_sum[i] = (first_q2 ? acc_t'(0) : mem_acc[wbank_q2][word_q2][i]) + acc_t'(prod_q[i]);
    end
  end

  always_ff @(posedge clk_i) begin
    if (valid_q2) begin
      mem_acc[wbank_q2][word_q2] <= acc_sum;
    end
  end

  // ---- emit -------------------------------------------------------------------------------------
  assign out_valid_o = done_q[emit_bank_q];
  assign out_last_o  = (emit_word_q == word_last);
  assign out_fire    = out_valid_o & out_ready_i;

  always_comb begin
    for (int i = 0; i < int'(LANES); i++) begin
      out_data_o[i*AccW +: AccW] = mem_acc[emit_bank_q][emit_word_q][i];
    end
  end

  // ---- control ----------------------------------------------------------------------------------
  always_comb begin
    beat_d      = beat_q;
    row_first_d = row_first_q;
    open_d      = open_q;
    bank_d      = bank_q;
    busy_d      = busy_q;
    done_d      = done_q;
    emit_bank_d = emit_bank_q;
    emit_word_d = emit_word_q;
    // Emit first: it frees a bank (never the one a new head takes in this cycle: that one is free).
    if (out_fire) begin
      if (out_last_o) begin
        emit_word_d         = '0;
        emit_bank_d         = ~emit_bank_q;
        busy_d[emit_bank_q] = 1'b0;
        done_d[emit_bank_q] = 1'b0;
      end else begin
        emit_word_d = emit_word_q + 1'b1;
      end
    end
    if (v_fire) begin
      beat_d = row_last ? '0 : beat_q + 1'b1;
      open_d = ~head_last;
      if (!open_q) begin
        busy_d[bank_q] = 1'b1;
      end
      if (row_last) begin
        row_first_d = pq_last;
      end
      if (head_last) begin
        bank_d = ~bank_q;
      end
    end
    if (valid_q2 && hlast_q2) begin
      done_d[wbank_q2] = 1'b1;
    end
  end

  always_ff @(posedge clk_i) begin
    if (!rst_ni) begin
      beat_q      <= '0;
      row_first_q <= 1'b1;
      open_q      <= 1'b0;
      bank_q      <= 1'b0;
      busy_q      <= '0;
      done_q      <= '0;
      emit_bank_q <= 1'b0;
      emit_word_q <= '0;
      valid_q1    <= 1'b0;
      valid_q2    <= 1'b0;
    end else begin
      beat_q      <= beat_d;
      row_first_q <= row_first_d;
      open_q      <= open_d;
      bank_q      <= bank_d;
      busy_q      <= busy_d;
      done_q      <= done_d;
      emit_bank_q <= emit_bank_d;
      emit_word_q <= emit_word_d;
      valid_q1    <= valid_d;
      valid_q2    <= valid_q1;
    end
  end

  assign idle_o = ~open_q & (busy_q == '0);

endmodule
