// Copyright layer-engine contributors. Licensed under the Apache License, Version 2.0.
//
// le_axis_bfm_tb: test wrapper of the AXI4-Stream split transactors (tests/rtl/cocotb_axis_bfm.py).
//
// Purpose:      le_axis_src_bfm -> rtl/le_axis_x_in.sv -> x RAM -> logit feeder ->
//               rtl/le_axis_logits_out.sv -> le_axis_sink_bfm, i.e. the engine's two stream edges with
//               the engine replaced by a loop-back: logit j of a token is bytes 4j..4j+3 of its x, so
//               the logits frame of a good token is x[0 : 4*vocab] zero-padded to whole beats. Like the
//               engine, a token that x_in fails (X_TLAST_EARLY / LATE) still emits a full frame, all
//               zeros (flush_i at start).
// Sequencer:    while run = 1: when x_in is idle and a beat is offered, start it (d_model); at its done_o log the code in
//               tok_code[x_tokens % 64] and bump x_tokens; start logits_out (vocab, flush = failed);
//               feed vocab logits (one per cycle while logit_ready_o); when the fill ends, go again.
// Routing (top-level inputs, static during a run):
//   x_py = 1       x_in's s_axis comes from the py_x_* ports (per-cycle Python source, speed baseline);
//                  the source BFM then sees TREADY low.
//   l_py = 1       logits_out's m_axis goes to the py_l_* ports (per-cycle Python sink).
//   sink_sel       0: logits_out -> sink BFM (TVALID 0 when l_py); 1: the dd_* ports drive the sink
//                  BFM directly (protocol-error tests); 2: source BFM -> sink BFM loop-back (x_in then
//                  sees TVALID low).
// Status for Python: x_tokens, tok_code[64], l_frames (logits_out done pulses), cycle.
// Latency / throughput: those of le_axis_x_in (1 beat/cycle) and le_axis_logits_out (1 logit/cycle),
//               plus 3 cycles of sequencer turnaround per token.

module le_axis_bfm_tb #(
  parameter int unsigned DATA_W         = 128,
  parameter int unsigned MAX_D_MODEL    = 1536,
  parameter int unsigned SRC_MAX_BEATS  = 512,
  parameter int unsigned SINK_MAX_BEATS = 8192,
  localparam int unsigned KeepW         = DATA_W / 8,
  localparam int unsigned Lpb           = DATA_W / 32,
  localparam int unsigned XDepth        = MAX_D_MODEL / KeepW,
  localparam int unsigned XAddrW        = (XDepth > 1) ? $clog2(XDepth) : 1,
  localparam int unsigned DInW          = $clog2(MAX_D_MODEL + 1)
) (
  input  logic              clk,
  input  logic              rst_n,
  // sequencer
  input  logic              run,
  input  logic [DInW-1:0]   d_model,
  input  logic [15:0]       vocab,        // 1 .. d_model / 4
  // routing
  input  logic              x_py,
  input  logic              l_py,
  input  logic [1:0]        sink_sel,
  // per-cycle Python source into x_in
  input  logic [DATA_W-1:0] py_x_tdata,
  input  logic [KeepW-1:0]  py_x_tkeep,
  input  logic              py_x_tlast,
  input  logic              py_x_tvalid,
  output logic              py_x_tready,
  // per-cycle Python sink on logits_out
  output logic [DATA_W-1:0] py_l_tdata,
  output logic [KeepW-1:0]  py_l_tkeep,
  output logic              py_l_tlast,
  output logic              py_l_tvalid,
  input  logic              py_l_tready,
  // direct drive of the sink BFM
  input  logic [DATA_W-1:0] dd_tdata,
  input  logic [KeepW-1:0]  dd_tkeep,
  input  logic              dd_tlast,
  input  logic              dd_tvalid,
  output logic              dd_tready
);

  localparam int unsigned LpbShift = $clog2(Lpb);

  // ---- source BFM -> x_in ------------------------------------------------------------------------------
  logic [DATA_W-1:0] src_tdata, x_tdata;
  logic [KeepW-1:0]  src_tkeep, x_tkeep;
  logic              src_tlast, src_tvalid, src_tready, x_tlast, x_tvalid, x_tready;

  le_axis_src_bfm #(.DATA_W(DATA_W), .MAX_BEATS(SRC_MAX_BEATS)) u_src (
    .clk, .rst_n,
    .m_axis_tdata (src_tdata),
    .m_axis_tkeep (src_tkeep),
    .m_axis_tlast (src_tlast),
    .m_axis_tvalid(src_tvalid),
    .m_axis_tready(src_tready)
  );

  logic loopback;
  assign loopback    = (sink_sel == 2'd2);
  assign x_tdata     = x_py ? py_x_tdata  : src_tdata;
  assign x_tkeep     = x_py ? py_x_tkeep  : src_tkeep;
  assign x_tlast     = x_py ? py_x_tlast  : src_tlast;
  assign x_tvalid    = x_py ? py_x_tvalid : (src_tvalid & !loopback);
  assign py_x_tready = x_py & x_tready;

  logic              x_start, x_idle, x_we, x_done, x_err;
  logic [XAddrW-1:0] x_addr;
  logic [DATA_W-1:0] x_wdata;
  logic [7:0]        x_code;

  le_axis_x_in #(.AXI_DATA_W(DATA_W), .MAX_D_MODEL(MAX_D_MODEL)) u_x_in (
    .clk_i          (clk),
    .rst_ni         (rst_n),
    .start_i        (x_start),
    .d_model_i      (d_model),
    .idle_o         (x_idle),
    .s_axis_tdata_i (x_tdata),
    .s_axis_tkeep_i (x_tkeep),
    .s_axis_tlast_i (x_tlast),
    .s_axis_tvalid_i(x_tvalid),
    .s_axis_tready_o(x_tready),
    .x_we_o         (x_we),
    .x_addr_o       (x_addr),
    .x_data_o       (x_wdata),
    .done_o         (x_done),
    .err_valid_o    (x_err),
    .err_code_o     (x_code)
  );

  logic [DATA_W-1:0] xram [XDepth];
  always_ff @(posedge clk) begin
    if (x_we) xram[x_addr] <= x_wdata;
  end

  // ---- sequencer ----------------------------------------------------------------------------------------
  typedef enum logic [1:0] {SqIdle, SqX, SqLStart, SqL} seq_e;
  seq_e        state_q   = SqIdle;
  logic        flush_q   = 1'b0;
  logic [15:0] j_q       = '0;         // next logit to feed
  logic [31:0] x_tokens  = '0;
  logic [31:0] l_frames  = '0;
  logic [31:0] cycle     = '0;
  logic [7:0]  tok_code [64];

  logic        l_start, l_fill_idle, l_idle, l_done, logit_valid, logit_ready;
  logic [31:0] logit_data;
  logic [DATA_W-1:0] xword;

  // like a host that writes START and then streams: x_in is started once the first beat is offered
  // (d_model is sampled then), so the next token's d_model may be set while the previous one drains
  assign x_start     = (state_q == SqIdle) & run & x_idle & x_tvalid;
  assign l_start     = (state_q == SqLStart) & l_fill_idle;
  assign xword       = xram[XAddrW'(j_q >> LpbShift)];
  assign logit_data  = xword[32 * j_q[LpbShift-1:0] +: 32];
  assign logit_valid = (state_q == SqL) & !flush_q & (j_q < vocab);

  always_ff @(posedge clk) begin
    cycle <= cycle + 1;
    if (l_done) l_frames <= l_frames + 1;
    if (!rst_n) begin
      state_q <= SqIdle;
    end else begin
      unique case (state_q)
        SqIdle:   if (x_start) state_q <= SqX;
        SqX: if (x_done) begin
          tok_code[x_tokens[5:0]] <= x_err ? x_code : 8'd0;
          x_tokens <= x_tokens + 1;
          flush_q  <= x_err;
          state_q  <= SqLStart;
        end
        SqLStart: if (l_start) begin
          j_q     <= '0;
          state_q <= SqL;
        end
        SqL: begin
          if (logit_valid && logit_ready) j_q <= j_q + 1'b1;
          if (l_fill_idle) state_q <= SqIdle;
        end
        default: state_q <= SqIdle;
      endcase
    end
  end

  // ---- logits_out -> sink BFM ------------------------------------------------------------------------
  logic [DATA_W-1:0] l_tdata, snk_tdata;
  logic [KeepW-1:0]  l_tkeep, snk_tkeep;
  logic              l_tlast, l_tvalid, l_tready, snk_tlast, snk_tvalid, snk_tready;

  le_axis_logits_out #(.AXI_DATA_W(DATA_W), .VOCAB_W(16)) u_logits_out (
    .clk_i          (clk),
    .rst_ni         (rst_n),
    .start_i        (l_start),
    .vocab_i        (vocab),
    .flush_i        (l_start & flush_q),
    .stop_i         (1'b0),
    .fill_idle_o    (l_fill_idle),
    .idle_o         (l_idle),
    .done_o         (l_done),
    .logit_valid_i  (logit_valid),
    .logit_ready_o  (logit_ready),
    .logit_data_i   (logit_data),
    .m_axis_tdata_o (l_tdata),
    .m_axis_tkeep_o (l_tkeep),
    .m_axis_tlast_o (l_tlast),
    .m_axis_tvalid_o(l_tvalid),
    .m_axis_tready_i(l_tready)
  );

  assign py_l_tdata  = l_tdata;
  assign py_l_tkeep  = l_tkeep;
  assign py_l_tlast  = l_tlast;
  assign py_l_tvalid = l_py & l_tvalid;
  assign l_tready    = l_py ? py_l_tready : (snk_tready & (sink_sel == 2'd0));

  always_comb begin
    unique case (sink_sel)
      2'd1: begin
        {snk_tdata, snk_tkeep, snk_tlast, snk_tvalid} = {dd_tdata, dd_tkeep, dd_tlast, dd_tvalid};
      end
      2'd2: begin
        {snk_tdata, snk_tkeep, snk_tlast, snk_tvalid} =
            {src_tdata, src_tkeep, src_tlast, src_tvalid};
      end
      default: begin
        {snk_tdata, snk_tkeep, snk_tlast, snk_tvalid} =
            {l_tdata, l_tkeep, l_tlast, l_tvalid & !l_py};
      end
    endcase
  end
  assign dd_tready  = snk_tready & (sink_sel == 2'd1);
  assign src_tready = loopback ? snk_tready : (!x_py & x_tready);

  le_axis_sink_bfm #(.DATA_W(DATA_W), .MAX_BEATS(SINK_MAX_BEATS)) u_sink (
    .clk, .rst_n,
    .s_axis_tdata (snk_tdata),
    .s_axis_tkeep (snk_tkeep),
    .s_axis_tlast (snk_tlast),
    .s_axis_tvalid(snk_tvalid),
    .s_axis_tready(snk_tready)
  );

  logic unused;
  assign unused = l_idle;

endmodule
