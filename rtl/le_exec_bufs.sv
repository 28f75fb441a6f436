// Copyright layer-engine contributors. Licensed under the Apache License, Version 2.0.
//
// le_exec_bufs: le_exec's three on-chip activation buffers (Q/K/V, O_concat, U_act) and the feeder
// that streams a run of one buffer's words out as valid/ready beats.
//
// Purpose:             the datapath stores one int8 element per write (qkv/ocat/uact_we_i, element
//                      index idx_i: word idx_i / LANES, lane idx_i % LANES); start_i latches the source
//                      buffer (src_i), the first word (base_i) and the word count (n_i >= 1), and
//                      le_buf_feeder streams those words out (out_*), idx_o = 0..n-1. le_exec
//                      routes the beats (q into the score MAC, K/V rows into the score MAC / P.V,
//                      K/V appends into the write DMA, O_concat / U_act into the main MAC's x RAM).
// Golden twin:         none: control - the Q/K/V, O_concat and U_act buffers and their feeder
//                      (storage and data movement).
// Test:                the env's tests (regress/testlist.yaml; pytest runs each:
//                      tests/rtl/test_uvm_testlist.py)
// Latency:             2 cycles from start_i to the first beat (RAM read + hold, le_buf_feeder); an
//                      element write is visible to a read in the next cycle.
// Initiation interval: 1 beat per cycle while out_ready_i is high; 1 element write per buffer per
//                      cycle.
// Throughput:          1 word (LANES int8) per cycle out.
// Q/K/V banks:         the Q/K/V buffer holds two heads: bank 0 for even heads, bank 1 for odd ones
//                      (qkv_bank_i for the datapath's writes, op_i.head's parity for the feeder's
//                      reads), so head h's QKV GEMV stores while head h-1's V row and K/V appends are
//                      still to be read (le_sched interleaves them). Cost: 3 * MAX_D_HEAD bytes more
//                      than one bank (384 B at MAX_D_HEAD = 128).
// Mapping:             three simple dual-port block RAMs with lane write enables (le_vec_ram).
// Reset:               synchronous, active low (the RAMs are not reset).

`ifndef LE_ASSERT_SVH
`include "le_assert.svh"  // guarded: rtl/layer_engine.f lists it first; a lone build: -y rtl
`endif

module le_exec_bufs
  import le_pkg::*;
  import le_ctrl_pkg::*;
#(
  parameter int unsigned LANES       = 16,
  parameter int unsigned MAX_D_MODEL = 1024,
  parameter int unsigned MAX_D_FF    = 4096,
  parameter int unsigned MAX_D_HEAD  = 128,
  // Derived, not to be overridden.
  localparam int unsigned BusW       = LANES * 8,
  localparam int unsigned QkvDep     = 3 * MAX_D_HEAD / LANES,        // words per bank
  localparam int unsigned OcatDep    = MAX_D_MODEL / LANES,
  localparam int unsigned UactDep    = MAX_D_FF / LANES,
  localparam int unsigned FAW        = feed_aw(LANES, MAX_D_MODEL, MAX_D_FF, MAX_D_HEAD)
) (
  input  logic            clk_i,
  input  logic            rst_ni,
  // element stores from the datapath
  input  logic            qkv_we_i,
  input  logic            qkv_bank_i,    // the bank qkv_we_i writes (the QKV GEMV's head parity)
  input  logic [31:0]     qkv_idx_i,
  input  act_t            qkv_data_i,
  input  logic            ocat_we_i,
  input  logic [31:0]     ocat_idx_i,
  input  act_t            ocat_data_i,
  input  logic            uact_we_i,
  input  logic [31:0]     uact_idx_i,
  input  act_t            uact_data_i,
  // feeder: start_i starts the run that op_i (its op) needs
  input  logic            start_i,
  input  op_t             op_i,
  input  cfg_t            cfg_i,
  output logic            busy_o,
  output logic            out_valid_o,
  input  logic            out_ready_i,
  output logic [BusW-1:0] out_data_o,
  output logic [FAW:0]    idx_o
);

  localparam int unsigned LaneW = $clog2(LANES);

  logic            f_re;
  logic [FAW-1:0]  f_raddr;
  logic [BusW-1:0] f_data, qkv_word, ocat_word, uact_word;
  buf_src_e        src_q, src_d;

  function automatic logic [LANES-1:0] lane_be(logic [LaneW-1:0] lane);
    return LANES'(1) << lane;
  endfunction

  localparam int unsigned QkvAW = $clog2(2 * QkvDep);
  logic [QkvAW-1:0] qkv_waddr;
  assign qkv_waddr = QkvAW'(qkv_idx_i[LaneW +: $clog2(QkvDep)]) +
                     (qkv_bank_i ? QkvAW'(QkvDep) : '0);
  le_vec_ram #(.LANES(LANES), .EW(8), .DEPTH(2 * QkvDep)) u_qkv (
    .clk_i, .we_i(qkv_we_i), .waddr_i(qkv_waddr),
    .wbe_i(lane_be(qkv_idx_i[LaneW-1:0])), .wdata_i({LANES{qkv_data_i}}),
    .re_i(f_re && src_q == SrcQkv), .raddr_i(f_raddr[QkvAW-1:0]), .rdata_o(qkv_word));
  le_vec_ram #(.LANES(LANES), .EW(8), .DEPTH(OcatDep)) u_ocat (
    .clk_i, .we_i(ocat_we_i), .waddr_i(ocat_idx_i[LaneW +: $clog2(OcatDep)]),
    .wbe_i(lane_be(ocat_idx_i[LaneW-1:0])), .wdata_i({LANES{ocat_data_i}}),
    .re_i(f_re && src_q == SrcOcat), .raddr_i(f_raddr[$clog2(OcatDep)-1:0]), .rdata_o(ocat_word));
  le_vec_ram #(.LANES(LANES), .EW(8), .DEPTH(UactDep)) u_uact (
    .clk_i, .we_i(uact_we_i), .waddr_i(uact_idx_i[LaneW +: $clog2(UactDep)]),
    .wbe_i(lane_be(uact_idx_i[LaneW-1:0])), .wdata_i({LANES{uact_data_i}}),
    .re_i(f_re && src_q == SrcUact), .raddr_i(f_raddr[$clog2(UactDep)-1:0]), .rdata_o(uact_word));

  // What each op reads: OpScoreBegin q, OpKcur / OpVcur / OpAppend the head's K or V row (region m of
  // the head's Q/K/V bank at m * MAX_D_HEAD elements), OpGemvBegin O_concat (Wo) or U_act (W2).
  buf_src_e       src_i;
  logic [FAW-1:0] base_i;
  logic [FAW:0]   n_i;
  localparam logic [FAW-1:0] KBase = FAW'(MAX_D_HEAD / LANES);
  localparam logic [FAW-1:0] VBase = FAW'(2 * MAX_D_HEAD / LANES);
  localparam logic [FAW-1:0] Bank1 = FAW'(QkvDep);
  logic [FAW-1:0] bank_base;
  assign bank_base = op_i.head[0] ? Bank1 : '0;
  always_comb begin
    src_i  = SrcQkv;
    base_i = bank_base;
    n_i    = (FAW + 1)'(cfg_i.d_head >> LaneW);
    unique case (op_i.op)
      OpKcur:   base_i = bank_base + KBase;
      OpVcur:   base_i = bank_base + VBase;
      OpAppend: base_i = bank_base + (op_i.which ? VBase : KBase);
      OpGemvBegin: begin
        src_i  = (op_i.phase == PhW2) ? SrcUact : SrcOcat;
        base_i = '0;
        n_i   = (op_i.phase == PhW2) ? (FAW + 1)'(cfg_i.d_ff >> LaneW)
                                     : (FAW + 1)'(cfg_i.d_model >> LaneW);
      end
      default: ;   // OpScoreBegin: q (region 0) into the score MAC
    endcase
  end

  // The source buffer of the current run and its Q/K/V bank, latched with the feeder's start.
  logic bank_q, bank_d;
  assign src_d  = start_i ? src_i : src_q;
  assign bank_d = start_i ? op_i.head[0] : bank_q;
  always_ff @(posedge clk_i) begin
    if (!rst_ni) begin
      src_q  <= SrcQkv;
      bank_q <= 1'b0;
    end else begin
      src_q  <= src_d;
      bank_q <= bank_d;
    end
  end

  always_comb begin
    unique case (src_q)
      SrcOcat: f_data = ocat_word;
      SrcUact: f_data = uact_word;
      default: f_data = qkv_word;
    endcase
  end

  le_buf_feeder #(.AW(FAW), .W(BusW)) u_buf_feeder (
    .clk_i, .rst_ni, .start_i, .base_i, .n_i, .busy_o,
    .re_o(f_re), .raddr_o(f_raddr), .rdata_i(f_data),
    .out_valid_o, .out_ready_i, .out_data_o, .idx_o
  );

  // Unused: the element indices' bits above each buffer's depth; op/config fields other feeders use.
  logic unused;
  assign unused = ^{qkv_idx_i, ocat_idx_i, uact_idx_i, op_i, cfg_i};

  // ---- assertions (rtl/le_assert.svh) -------------------------------------------------------------
  // A run of O_concat (Wo's input) or U_act (W2's input) starts only after its producer has written every
  // element: the last head's O requant, the GELU of W1 (le_exec waits for attn_o_idle_i / main_done_i).
  // A write into the buffer being streamed is a race that the schedule's margins may hide.
  `LE_ASSERT_NEVER(OcatWriteWhileFed_A, busy_o && src_q == SrcOcat && ocat_we_i)
  `LE_ASSERT_NEVER(UactWriteWhileFed_A, busy_o && src_q == SrcUact && uact_we_i)
  // The QKV GEMV of one head never writes the bank a run is reading (the other head's q, K or V row):
  // le_exec switches qkv_bank_i only at a QKV begin, after le_sched's previous use of that parity.
  `LE_ASSERT_NEVER(QkvWriteWhileFed_A,
                   busy_o && src_q == SrcQkv && qkv_we_i && qkv_bank_i == bank_q)

endmodule
