// Copyright layer-engine contributors. Licensed under the Apache License, Version 2.0.
//
// le_attn: one attention head's datapath - scores, scale/clamp, softmax, P.V and the O requant.
//
// Purpose:             begin_i (OpScoreBegin) latches the head; its q arrives on the x write port of
//                      the score MAC (an le_gemv of d_in = d_head), then the K rows 0..pos (context
//                      tiles from DDR, the current row from chip) on k_*, giving raw scores ->
//                      le_score_scale_clamp (score_mult/shift of the head) -> le_softmax (the row
//                      ends at row pos) -> probabilities into le_pv_accum, which takes the V rows
//                      0..pos on v_*; the head's d_head accumulators are serialised into le_requant
//                      (o_mult/o_shift of the head, bias 0, int8) and stored into O_concat at
//                      head * d_head + j (ocat_we_o). o_idle_o: every begun head's O is completely
//                      stored. The O path keeps its own head (o_head_q): the next head may begin
//                      (o_free_o) while the previous one's O still drains, at most one head behind; a
//                      head's first P.V word enters the serialiser only after the previous head's last O
//                      is stored, so each O element is requantised with its own head's o_mult/o_shift.
// Golden twin:         models/golden.py GoldenEngine._attention_head (ops.gemv, score_scale_clamp,
//                      softmax, pv_accum, requant of models/ops.py).
// Test:                the env's tests (regress/testlist.yaml; pytest runs each:
//                      tests/rtl/test_uvm_testlist.py)
// Latency:             softmax: n + 44 cycles after the row's last score; O: 3 + d_head + 5 cycles
//                      after the head's last V beat.
// Initiation interval: 1 K or V beat per cycle; one head at a time.
// Throughput:          LANES MACs per cycle on K and on V.
// Reset:               synchronous, active low.

`ifndef LE_ASSERT_SVH
`include "le_assert.svh"  // guarded: rtl/layer_engine.f lists it first; a lone build: -y rtl
`endif

module le_attn
  import le_pkg::*;
  import le_ctrl_pkg::*;
#(
  parameter int unsigned LANES      = 16,
  parameter int unsigned MAX_D_HEAD = 128,
  parameter int unsigned MAX_HEADS  = 16,
  parameter int unsigned MAX_SEQ    = 512,
  // Derived, not to be overridden.
  localparam int unsigned BusW      = LANES * 8,
  localparam int unsigned Wpb       = LANES / 4,
  localparam int unsigned QAddrW    = q_aw(LANES, MAX_D_HEAD)
) (
  input  logic              clk_i,
  input  logic              rst_ni,
  input  logic              begin_i,
  input  le_ctrl_pkg::loop_idx_t head_i,
  input  cfg_t              cfg_i,
  output logic              o_idle_o,
  output logic              o_free_o,     // begin_i may come: no head waits behind a draining O
  // parameter write bus
  input  logic              prm_we_i,
  input  prm_e              prm_sel_i,
  input  logic [OpBaseW-1:0] prm_addr_i,
  input  logic [BusW-1:0]   prm_data_i,
  // q into the score MAC
  input  logic              q_we_i,
  input  logic [QAddrW-1:0] q_addr_i,
  input  logic [BusW-1:0]   q_data_i,
  // K rows (score MAC weights) and V rows
  input  logic              k_valid_i,
  output logic              k_ready_o,
  input  logic [BusW-1:0]   k_data_i,
  input  logic              v_valid_i,
  output logic              v_ready_o,
  input  logic [BusW-1:0]   v_data_i,
  // O_concat store
  output logic              ocat_we_o,
  output logic [31:0]       ocat_idx_o,
  output act_t              ocat_data_o
);

  localparam int unsigned HDepth = (MAX_HEADS + Wpb - 1) / Wpb;
  localparam int unsigned HIW    = $clog2(HDepth) + $clog2(Wpb);

  le_ctrl_pkg::loop_idx_t head_q, head_d;
  le_ctrl_pkg::loop_idx_t o_head_q, o_head_d, pend_head_q, pend_head_d;   // the O path's heads
  assign head_d = begin_i ? head_i : head_q;
  always_ff @(posedge clk_i) begin
    if (!rst_ni) head_q <= '0;
    else head_q <= head_d;
  end

  // ---- per-head scalars ----
  logic [31:0] sc_m, sc_s, o_m, o_s;
  le_prm_ram #(.LANES(Wpb), .EW(32), .DEPTH(HDepth)) u_sc_mult (
    .clk_i, .we_i(prm_we_i && prm_sel_i == PrmScMult), .waddr_i(prm_addr_i[$clog2(HDepth)-1:0]),
    .wdata_i(prm_data_i), .re_i(1'b1), .ridx_i(HIW'(head_q)), .rdata_o(sc_m));
  le_prm_ram #(.LANES(Wpb), .EW(32), .DEPTH(HDepth)) u_sc_shift (
    .clk_i, .we_i(prm_we_i && prm_sel_i == PrmScShift), .waddr_i(prm_addr_i[$clog2(HDepth)-1:0]),
    .wdata_i(prm_data_i), .re_i(1'b1), .ridx_i(HIW'(head_q)), .rdata_o(sc_s));
  le_prm_ram #(.LANES(Wpb), .EW(32), .DEPTH(HDepth)) u_o_mult (
    .clk_i, .we_i(prm_we_i && prm_sel_i == PrmOMult), .waddr_i(prm_addr_i[$clog2(HDepth)-1:0]),
    .wdata_i(prm_data_i), .re_i(1'b1), .ridx_i(HIW'(o_head_q)), .rdata_o(o_m));
  le_prm_ram #(.LANES(Wpb), .EW(32), .DEPTH(HDepth)) u_o_shift (
    .clk_i, .we_i(prm_we_i && prm_sel_i == PrmOShift), .waddr_i(prm_addr_i[$clog2(HDepth)-1:0]),
    .wdata_i(prm_data_i), .re_i(1'b1), .ridx_i(HIW'(o_head_q)), .rdata_o(o_s));

  // ---- scores ----
  logic s_valid, s_ready, score_idle;
  logic s_valid_pre, s_ready_pre;   // the score MAC's side of the stall gate
  acc_t s_raw;
  le_gemv #(.LANES(LANES), .MAX_D_IN(MAX_D_HEAD)) u_score_gemv (
    .clk_i, .rst_ni,
    .d_in_i      (($clog2(MAX_D_HEAD + 1))'(cfg_i.d_head)),
    .x_we_i      (q_we_i),
    .x_addr_i    (q_addr_i),
    .x_data_i    (q_data_i),
    .w_valid_i   (k_valid_i),
    .w_ready_o   (k_ready_o),
    .w_data_i    (k_data_i),
    .acc_valid_o (s_valid_pre),
    .acc_ready_i (s_ready_pre),
    .acc_data_o  (s_raw),
    .idle_o      (score_idle)
  );

  logic  z_valid, z_ready;
  logic  z_valid_pre, z_ready_pre;   // the scale/clamp's side of the stall gate
  wide_t z;
  le_score_scale_clamp u_score_scale_clamp (
    .clk_i, .rst_ni,
    .in_valid_i  (s_valid),
    .in_ready_o  (s_ready),
    .in_s_i      (s_raw),
    .in_mult_i   (sc_m[MultW-1:0]),
    .in_shift_i  (sc_s[ShiftW-1:0]),
    .out_valid_o (z_valid_pre),
    .out_ready_i (z_ready_pre),
    .out_z_o     (z)
  );

  logic [31:0] z_cnt_q, z_cnt_d;
  always_comb begin
    z_cnt_d = z_cnt_q;
    if (begin_i) z_cnt_d = '0;
    else if (z_valid && z_ready) z_cnt_d = z_cnt_q + 32'd1;
  end
  always_ff @(posedge clk_i) begin
    if (!rst_ni) z_cnt_q <= '0;
    else z_cnt_q <= z_cnt_d;
  end

  logic                 p_valid, p_ready, p_last;
  logic                 p_valid_pre, p_ready_pre;   // the softmax's side of the stall gate
  logic [ProbW-1:0]     p;
  le_softmax #(.MAX_SEQ(MAX_SEQ)) u_softmax (
    .clk_i, .rst_ni,
    .in_valid_i  (z_valid),
    .in_ready_o  (z_ready),
    .in_z_i      (z),
    .in_last_i   (z_cnt_q == cfg_i.pos),
    .out_valid_o (p_valid_pre),
    .out_ready_i (p_ready_pre),
    .out_p_o     (p),
    .out_last_o  (p_last)
  );

  // ---- P.V ----
  logic                  pv_valid, pv_ready, pv_last, pv_idle;
  logic                  pv_valid_pre, pv_ready_pre;   // the P.V accumulator's side of the gate
  logic [LANES*32-1:0]   pv;
  le_pv_accum #(.LANES(LANES), .MAX_D_HEAD(MAX_D_HEAD)) u_pv_accum (
    .clk_i, .rst_ni,
    .d_head_i    (($clog2(MAX_D_HEAD + 1))'(cfg_i.d_head)),
    .p_valid_i   (p_valid),
    .p_ready_o   (p_ready),
    .p_data_i    (p),
    .p_last_i    (p_last),
    .v_valid_i   (v_valid_i),
    .v_ready_o   (v_ready_o),
    .v_data_i    (v_data_i),
    .out_valid_o (pv_valid_pre),
    .out_ready_i (pv_ready_pre),
    .out_data_o  (pv),
    .out_last_o  (pv_last),
    .idle_o      (pv_idle)
  );

  // ---- stall injection (test builds, le_stall_gate): score MAC -> scale/clamp -> softmax -> P.V ->
  // serialiser. Not gated: the serialiser into the O requant and the O requant into the O_concat store
  // (a store without ready; the O requant never stalls, as in le_main_out), K and V (gated in
  // layer_engine) ----
  le_stall_gate #(.SEED_ID(10)) u_stall_s (
    .clk_i, .rst_ni, .valid_i(s_valid_pre), .ready_o(s_ready_pre), .valid_o(s_valid),
    .ready_i(s_ready)
  );
  le_stall_gate #(.SEED_ID(11)) u_stall_z (
    .clk_i, .rst_ni, .valid_i(z_valid_pre), .ready_o(z_ready_pre), .valid_o(z_valid),
    .ready_i(z_ready)
  );
  le_stall_gate #(.SEED_ID(12)) u_stall_p (
    .clk_i, .rst_ni, .valid_i(p_valid_pre), .ready_o(p_ready_pre), .valid_o(p_valid),
    .ready_i(p_ready)
  );
  le_stall_gate #(.SEED_ID(13)) u_stall_pv (
    .clk_i, .rst_ni, .valid_i(pv_valid_pre), .ready_o(pv_ready_pre), .valid_o(pv_valid),
    .ready_i(pv_ready)
  );

  // ---- serialise the accumulators into the O requant ----
  logic                     ser_valid_q, ser_valid_d, rq_ready;
  logic [LANES*32-1:0]      ser_q, ser_d;
  logic [$clog2(LANES)-1:0] lane_q, lane_d;
  // ser_words_q: P.V words of o_head_q taken so far; the next head's words wait for its O to finish.
  logic [31:0] ser_words_q, ser_words_d;
  logic        ser_room, o_switch;
  assign ser_room = ser_words_q < (cfg_i.d_head >> $clog2(LANES));
  assign pv_ready = ser_room && (!ser_valid_q || (rq_ready && lane_q == '1));
  always_comb begin
    ser_words_d = ser_words_q;
    if (o_switch) ser_words_d = '0;
    else if (pv_valid && pv_ready) ser_words_d = ser_words_q + 32'd1;
  end
  always_ff @(posedge clk_i) begin
    if (!rst_ni) ser_words_q <= '0;
    else ser_words_q <= ser_words_d;
  end
  always_comb begin
    ser_valid_d = ser_valid_q;
    lane_d      = lane_q;
    ser_d       = ser_q;
    if (pv_valid && pv_ready) begin
      ser_valid_d = 1'b1;
      lane_d      = '0;
      ser_d       = pv;
    end else if (ser_valid_q && rq_ready) begin
      lane_d = lane_q + 1'b1;
      if (lane_q == '1) ser_valid_d = 1'b0;
    end
  end
  always_ff @(posedge clk_i) begin
    if (!rst_ni) begin
      ser_valid_q <= 1'b0;
      lane_q      <= '0;
    end else begin
      ser_valid_q <= ser_valid_d;
      lane_q      <= lane_d;
    end
    ser_q <= ser_d;
  end

  logic  o_valid;
  wide_t o_y;
  le_requant u_o_requant (
    .clk_i, .rst_ni,
    .in_valid_i  (ser_valid_q),
    .in_ready_o  (rq_ready),
    .in_acc_i    (ser_q[32'(lane_q) * 32 +: 32]),
    .in_bias_i   ('0),
    .in_mult_i   (o_m[MultW-1:0]),
    .in_shift_i  (o_s[ShiftW-1:0]),
    .in_sat16_i  (1'b0),
    .out_valid_o (o_valid),
    .out_ready_i (1'b1),
    .out_y_o     (o_y)
  );

  // The O path's head: o_busy_q while o_head_q's O is not completely stored; a begin during that time
  // waits in pend_q / pend_head_q and becomes the O head when the last O element is stored (o_switch).
  logic [31:0]            o_cnt_q, o_cnt_d;
  logic                   o_busy_q, o_busy_d, pend_q, pend_d;
  assign o_switch = o_valid && o_cnt_q + 32'd1 == cfg_i.d_head;
  always_comb begin
    o_cnt_d     = o_cnt_q;
    o_busy_d    = o_busy_q;
    o_head_d    = o_head_q;
    pend_d      = pend_q;
    pend_head_d = pend_head_q;
    if (o_switch) begin
      o_cnt_d  = '0;
      o_busy_d = pend_q;
      o_head_d = pend_head_q;
      pend_d   = 1'b0;
    end else if (o_valid) begin
      o_cnt_d = o_cnt_q + 32'd1;
    end
    if (begin_i) begin
      if (o_busy_d) begin
        pend_d      = 1'b1;
        pend_head_d = head_i;
      end else begin
        o_busy_d = 1'b1;
        o_head_d = head_i;
        o_cnt_d  = '0;
      end
    end
  end
  always_ff @(posedge clk_i) begin
    if (!rst_ni) begin
      o_cnt_q     <= '0;
      o_busy_q    <= 1'b0;
      o_head_q    <= '0;
      pend_q      <= 1'b0;
      pend_head_q <= '0;
    end else begin
      o_cnt_q     <= o_cnt_d;
      o_busy_q    <= o_busy_d;
      o_head_q    <= o_head_d;
      pend_q      <= pend_d;
      pend_head_q <= pend_head_d;
    end
  end
  assign o_idle_o    = !o_busy_q && !pend_q;
  assign o_free_o    = !pend_q;
  assign ocat_we_o   = o_valid;
  assign ocat_idx_o  = 32'(o_head_q) * cfg_i.d_head + o_cnt_q;
  assign ocat_data_o = o_y[7:0];

  // Unused: the spare parameter bits, the config fields other than d_head and pos, the parameter
  // address bits above the per-head tables, and status outputs of the submodules.
  logic unused;
  assign unused = ^{sc_m[31:MultW], sc_s[31:ShiftW], o_m[31:MultW], o_s[31:ShiftW], pv_last,
                    o_y[15:8], cfg_i, prm_addr_i, score_idle, pv_idle};

  // ---- assertions (rtl/le_assert.svh) -------------------------------------------------------------
  // At most one head waits behind a draining O (le_exec begins a head only while o_free_o).
  `LE_ASSERT_NEVER(BeginWhilePending_A, begin_i && pend_q)
  // A head's P.V words never outrun its own O: the serialiser holds at most d_head / LANES of them.
  `LE_ASSERT(SerWordsBound_A, ser_words_q <= (cfg_i.d_head >> $clog2(LANES)))
endmodule
