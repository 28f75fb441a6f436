// Copyright layer-engine contributors. Licensed under the Apache License, Version 2.0.
//
// le_exec: executes the token's micro-ops (le_sched) in order: sequences the phases, feeds on-chip
// rows, issues the K/V appends, drains on an error; le_exec_route steers the beats to the datapath.
//
// Purpose:             one op at a time from the op FIFO (le_ctrl_pkg::op_e):
//                        OpHdr        checks the 64-byte image header against the config and the
//                                     layout (ILLEGAL_CONFIG otherwise), then releases le_sched
//                        OpPrm        read beats -> parameter write bus (after the main path has
//                                     finished with the previous group)
//                        OpTile       read beats -> main MAC weights
//                        OpKctx/Vctx  read beats -> score MAC / P.V
//                        OpKcur/Vcur  the head's K/V row from the Q/K/V buffer -> score MAC / P.V
//                        OpAppend     write command + the K/V row -> write DMA (only inside the KV
//                                     region)
//                        *Begin       waits for the phase's inputs (X received, QKV / O / LayerNorm /
//                                     U_act stored), copies O_concat / U_act / q into the MAC's x RAM
//                                     and starts le_main_out / le_attn
//                        OpEnd        waits for the logits frame and the write responses -> done_o
//                      Every read beat's RRESP is checked when it is consumed (so errors are
//                      reported in program order). On abort_i the executor stops, discards the op
//                      FIFO and all read data until le_axi_rd is idle, lets a started append finish
//                      its beats, waits for the write DMA, flushes the logits frame (zeros) and the X
//                      stream (le_axis_x_in drains through TLAST), then pulses drained_o.
// Golden twin:         none: control - the executor of le_sched's micro-ops (op order =
//                      models/schedule.py token_schedule; bit-exactness through models/golden.py
//                      in the end-to-end tests).
// Test:                the env's tests (regress/testlist.yaml; pytest runs each:
//                      tests/rtl/test_uvm_testlist.py)
// Latency:             a read op's beats pass at 1 per cycle; a Begin costs its wait plus the copy
//                      (d_model/LANES, d_ff/LANES or d_head/LANES cycles). The next op is taken in the
//                      cycle the current one ends (its last read beat, the end of its feeder run or
//                      append) when the op FIFO offers it: consecutive read ops leave no bubble, and an
//                      OpPrm whose parameters are free starts reading at once.
// Initiation interval: 1 read beat per cycle.
// Throughput:          1 bus beat per cycle.
// Reset:               synchronous, active low.

module le_exec
  import le_pkg::*;
  import le_ctrl_pkg::*;
#(
  parameter int unsigned LANES       = 16,
  parameter int unsigned AXI_ADDR_W  = 32,
  parameter int unsigned MAX_D_MODEL = 1024,
  parameter int unsigned MAX_D_FF    = 4096,
  parameter int unsigned MAX_D_HEAD  = 128,
  // Derived, not to be overridden.
  localparam int unsigned BusW       = LANES * 8,
  localparam int unsigned MainXAW    = xram_aw(LANES, MAX_D_MODEL, MAX_D_FF),
  localparam int unsigned QAddrW     = q_aw(LANES, MAX_D_HEAD),
  localparam int unsigned MainDInW   = $clog2((MAX_D_MODEL > MAX_D_FF ? MAX_D_MODEL : MAX_D_FF) + 1)
) (
  input  logic                  clk_i,
  input  logic                  rst_ni,
  input  logic                  start_i,
  input  logic                  abort_i,       // level until drained_o
  input  logic                  soft_i,        // the abort is a soft reset: abandon the streams
  input  cfg_t                  cfg_i,
  output logic                  done_o,        // pulse: token complete
  output logic                  drained_o,     // pulse: abort complete
  output logic                  err_o,         // pulse: error found here (code in err_code_o)
  output err_e                  err_code_o,
  // layout (le_layout)
  input  logic [OffW-1:0]       kv_base_off_i,
  input  logic [OffW-1:0]       kv_size_i,
  input  logic [OffW-1:0]       size_i,
  output logic                  hdr_ok_o,
  // ops
  input  logic                  op_valid_i,
  output logic                  op_ready_o,
  input  op_t                   op_i,
  // read stream (le_axi_rd)
  input  logic                  rd_valid_i,
  output logic                  rd_ready_o,
  input  logic [BusW-1:0]       rd_data_i,
  input  logic                  rd_last_i,
  input  le_axi_pkg::resp_t     rd_resp_i,
  input  logic                  rd_idle_i,
  output logic                  rd_wait_o,     // waiting on read data (perf)
  // write DMA (le_axi_wr)
  output logic                  wcmd_valid_o,
  input  logic                  wcmd_ready_i,
  output logic [AXI_ADDR_W-1:0] wcmd_addr_o,
  output logic [31:0]           wcmd_len_o,
  output logic                  wdat_valid_o,
  input  logic                  wdat_ready_i,
  output logic [BusW-1:0]       wdat_data_o,
  input  logic                  wr_idle_i,
  // X stream and logits frame
  input  logic                  x_done_i,      // le_axis_x_in: the token's X has been received
  input  logic                  x_idle_i,
  output logic                  logits_start_o,
  output logic                  logits_flush_o,
  input  logic                  logits_idle_i,
  // parameter write bus
  output logic                  prm_we_o,
  output prm_e                  prm_sel_o,
  output logic [OpBaseW-1:0]    prm_addr_o,
  output logic [BusW-1:0]       prm_data_o,
  // main MAC (le_logits) and le_main_out
  output logic [MainDInW-1:0]   main_d_in_o,
  output logic                  main_w_valid_o,
  input  logic                  main_w_ready_i,
  output logic [BusW-1:0]       main_w_data_o,
  output logic                  main_x_we_o,    // copies (O_concat, U_act)
  output logic [MainXAW-1:0]    main_x_addr_o,
  output logic [BusW-1:0]       main_x_data_o,
  output logic                  main_begin_o,
  output phase_e                main_phase_o,
  output le_ctrl_pkg::loop_idx_t main_head_o,
  input  logic                  main_done_i,
  input  logic                  main_rq_free_i, // every row of the phase read its requant params
  // result stores into the buffers owned here
  input  logic                  qkv_we_i,
  input  logic [31:0]           qkv_idx_i,
  input  act_t                  qkv_data_i,
  input  logic                  uact_we_i,
  input  logic [31:0]           uact_idx_i,
  input  act_t                  uact_data_i,
  input  logic                  ocat_we_i,
  input  logic [31:0]           ocat_idx_i,
  input  act_t                  ocat_data_i,
  // le_attn
  output logic                  attn_begin_o,
  input  logic                  attn_o_idle_i,
  input  logic                  attn_o_free_i,  // le_attn takes a begin (an O may still drain)
  output logic                  q_we_o,
  output logic [QAddrW-1:0]     q_addr_o,
  output logic [BusW-1:0]       q_data_o,
  output logic                  k_valid_o,
  input  logic                  k_ready_i,
  output logic [BusW-1:0]       k_data_o,
  output logic                  v_valid_o,
  input  logic                  v_ready_i,
  output logic [BusW-1:0]       v_data_o
);

  localparam int unsigned FAW = feed_aw(LANES, MAX_D_MODEL, MAX_D_FF, MAX_D_HEAD);

  typedef enum logic [3:0] {
    XIdle, XPop, XHdr, XPrmWait, XPrm, XRoute, XBeginWait, XCopy, XFeed, XAppend, XEnd, XDrain
  } state_e;

  state_e              state_q, state_d;
  op_t                 op_q, op_d;
  logic                ph_started_q, x_rcvd_q, logits_started_q, bad_q, hdr_ok_q, kick_q;
  logic                ph_started_d, x_rcvd_d, logits_started_d, bad_d, hdr_ok_d, kick_d;
  logic                wcmd_done_q, wcmd_done_d;
  logic [OpBaseW-1:0]  beat_q, beat_d;
  logic [MainDInW-1:0] d_in_q, d_in_d;

  // ---- on-chip buffers (element writes from the datapath, word runs out of the feeder) ----
  logic            f_start, f_busy, f_valid, f_ready;
  logic [FAW:0]    f_idx;
  logic [BusW-1:0] f_data;

  // The Q/K/V bank the main MAC's QKV results go to: the parity of the head of the latest QKV begin
  // (its stores end before le_exec takes that head's OpScoreBegin, i.e. before the next QKV begin).
  logic qkv_bank_q, qkv_bank_d;
  assign qkv_bank_d = (main_begin_o && op_q.op == OpQkvBegin) ? op_q.head[0] : qkv_bank_q;
  always_ff @(posedge clk_i) begin
    if (!rst_ni) qkv_bank_q <= 1'b0;
    else qkv_bank_q <= qkv_bank_d;
  end

  le_exec_bufs #(
    .LANES(LANES), .MAX_D_MODEL(MAX_D_MODEL), .MAX_D_FF(MAX_D_FF), .MAX_D_HEAD(MAX_D_HEAD)
  ) u_exec_bufs (
    .clk_i, .rst_ni, .qkv_we_i, .qkv_bank_i(qkv_bank_q), .qkv_idx_i, .qkv_data_i, .ocat_we_i,
    .ocat_idx_i, .ocat_data_i,
    .uact_we_i, .uact_idx_i, .uact_data_i,
    .start_i(f_start), .op_i(op_q), .cfg_i, .busy_o(f_busy),
    .out_valid_o(f_valid), .out_ready_i(f_ready), .out_data_o(f_data), .idx_o(f_idx)
  );

  // ---- routing: the read beats of OpTile/OpKctx/OpVctx and the feeder's beats ----
  logic route_ready;
  le_exec_route #(
    .LANES(LANES), .MAX_D_MODEL(MAX_D_MODEL), .MAX_D_FF(MAX_D_FF), .MAX_D_HEAD(MAX_D_HEAD)
  ) u_exec_route (
    .clk_i, .rst_ni, .op_i(op_q.op), .route_i(state_q == XRoute), .drain_i(state_q == XDrain),
    .kick_i(kick_q), .rd_valid_i, .route_ready_o(route_ready), .rd_data_i,
    .f_valid_i(f_valid), .f_ready_o(f_ready), .f_data_i(f_data), .f_idx_i(f_idx),
    .main_w_valid_o, .main_w_ready_i, .main_w_data_o, .main_x_we_o, .main_x_addr_o, .main_x_data_o,
    .q_we_o, .q_addr_o, .q_data_o, .k_valid_o, .k_ready_i, .k_data_o, .v_valid_o, .v_ready_i,
    .v_data_o, .wdat_valid_o, .wdat_ready_i, .wdat_data_o
  );

  // ---- header and layout check ----
  logic layout_ok, hdr_beat_ok;
  le_hdr_check #(.LANES(LANES), .AXI_ADDR_W(AXI_ADDR_W)) u_hdr_check (
    .cfg_i, .kv_base_off_i, .kv_size_i, .size_i, .beat_i(beat_q), .data_i(rd_data_i),
    .beat_ok_o(hdr_beat_ok), .layout_ok_o(layout_ok)
  );

  // ---- append guard: a K/V write must lie inside [KV_BASE, KV_BASE + kv_size) ----
  logic append_ok;
  assign append_ok = (op_q.addr >= OffW'(cfg_i.kv_base)) &&
                     (op_q.addr + OffW'(op_q.nbytes) <= OffW'(cfg_i.kv_base) + kv_size_i);

  // ---- Begin prerequisites ----
  // An OpPrm's destination is free unless it is a requant RAM the started phase's rows still read.
  function automatic logic prm_free(prm_e prm, logic started, logic rq_free);
    return !started || rq_free || !(prm inside {PrmRqBias, PrmRqMult, PrmRqShift});
  endfunction

  logic begin_ready;
  always_comb begin
    unique case (op_q.op)
      OpQkvBegin:   begin_ready = (op_q.head != 8'd0) || (ph_started_q ? main_done_i : x_rcvd_q);
      OpScoreBegin: begin_ready = main_done_i && attn_o_free_i;
      OpGemvBegin:  begin_ready = main_done_i && attn_o_idle_i;
      OpPrm:        begin_ready = prm_free(op_q.prm, ph_started_q, main_rq_free_i);
      default:      begin_ready = 1'b1;
    endcase
  end

  // ---- the read stream ----
  logic rd_fire, bad_resp;
  assign bad_resp = rd_resp_i != le_axi_pkg::RespOkay;
  always_comb begin
    unique case (state_q)
      XHdr, XPrm, XDrain: rd_ready_o = 1'b1;
      XRoute:             rd_ready_o = route_ready;
      default:            rd_ready_o = 1'b0;
    endcase
  end
  assign rd_fire   = rd_valid_i && rd_ready_o;
  assign rd_wait_o = (state_q == XHdr || state_q == XPrm || state_q == XRoute) && rd_ready_o &&
                     !rd_valid_i;

  assign prm_we_o   = state_q == XPrm && rd_valid_i;
  assign prm_sel_o  = op_q.prm;
  assign prm_addr_o = op_q.prm_base + beat_q;
  assign prm_data_o = rd_data_i;

  assign op_ready_o   = state_q == XPop || state_q == XDrain || (op_end && !abort_i);
  assign main_d_in_o  = d_in_q;
  assign main_phase_o = (op_q.op == OpQkvBegin) ? PhQkv : op_q.phase;
  assign main_head_o  = op_q.head;
  assign wcmd_addr_o  = AXI_ADDR_W'(op_q.addr);
  assign wcmd_len_o   = op_q.nbytes;
  assign hdr_ok_o     = hdr_ok_q;

  assign f_start = kick_q;
  assign wcmd_valid_o = state_q == XAppend && !wcmd_done_q && !kick_q;

  // ---- the op sequencer ----
  // op_end: the current op completes in this cycle without an error; the next op (op_i) is then taken at
  // once if offered (XPop otherwise). entry: the state that executes op_i from its first cycle (an OpPrm
  // waits in XPrmWait only while its destination is still in use).
  logic   op_end;
  state_e entry;
  always_comb begin
    unique case (op_i.op)
      OpHdr:                  entry = XHdr;
      OpPrm:                  entry = prm_free(op_i.prm, ph_started_q, main_rq_free_i) ? XPrm
                                                                                       : XPrmWait;
      OpTile, OpKctx, OpVctx: entry = XRoute;
      OpKcur, OpVcur:         entry = XFeed;
      OpAppend:               entry = XAppend;
      OpEnd:                  entry = XEnd;
      default:                entry = XBeginWait;
    endcase
  end

  logic err_d;
  err_e err_code_d;
  always_comb begin
    state_d          = state_q;
    op_d             = op_q;
    ph_started_d     = ph_started_q;
    x_rcvd_d         = x_rcvd_q;
    logits_started_d = logits_started_q;
    bad_d            = bad_q;
    hdr_ok_d         = hdr_ok_q;
    kick_d           = kick_q;
    wcmd_done_d      = wcmd_done_q;
    beat_d           = beat_q;
    d_in_d           = d_in_q;
    kick_d = 1'b0;
    op_end = 1'b0;
    if (x_done_i) x_rcvd_d = 1'b1;
    if (wcmd_valid_o && wcmd_ready_i) wcmd_done_d = 1'b1;
    if (logits_start_o) logits_started_d = 1'b1;
    unique case (state_q)
      XIdle: if (start_i) begin
        state_d          = XPop;
        ph_started_d     = 1'b0;
        x_rcvd_d         = 1'b0;
        logits_started_d = 1'b0;
        hdr_ok_d         = 1'b0;
        bad_d            = 1'b0;
      end
      XPop: if (abort_i) state_d = XDrain;
      XHdr: if (rd_fire) begin
        beat_d = beat_q + 1'b1;
        if (!hdr_beat_ok || bad_resp) bad_d = 1'b1;
        if (rd_last_i) begin
          if (err_d) state_d = XDrain;
          else begin hdr_ok_d = 1'b1; state_d = XPop; end
        end
      end
      XPrmWait: if (abort_i) state_d = XDrain; else if (begin_ready) state_d = XPrm;
      XPrm, XRoute: if (rd_fire) begin
        beat_d = beat_q + 1'b1;
        if (bad_resp) state_d = XDrain;
        else if (rd_last_i) op_end = 1'b1;
      end else if (abort_i) state_d = XDrain;
      XBeginWait: begin
        if (abort_i) state_d = XDrain;
        else if (begin_ready) begin
          unique case (op_q.op)
            OpQkvBegin: begin
              ph_started_d = 1'b1;
              d_in_d       = MainDInW'(cfg_i.d_model);
              state_d      = XPop;
            end
            OpScoreBegin: begin kick_d = 1'b1; state_d = XCopy; end
            default: begin   // OpGemvBegin
              d_in_d = MainDInW'((op_q.phase == PhW2) ? cfg_i.d_ff : cfg_i.d_model);
              if (op_q.phase == PhWo || op_q.phase == PhW2) begin
                kick_d  = 1'b1;
                state_d = XCopy;
              end else begin
                state_d = XPop;
              end
            end
          endcase
        end
      end
      XCopy, XFeed: if (!kick_q && !f_busy) begin
        if (abort_i) state_d = XDrain;
        else op_end = 1'b1;
      end
      XAppend: if (!kick_q && !f_busy && (wcmd_done_q || !append_ok)) begin
        if (append_ok) op_end = 1'b1;
        else state_d = XDrain;
      end
      XEnd: begin
        if (abort_i) state_d = XDrain;
        else if (main_done_i && logits_idle_i && wr_idle_i && x_idle_i) state_d = XIdle;
      end
      XDrain: if (drain_done) state_d = XIdle;
      default: state_d = XIdle;
    endcase
    if (op_end) state_d = XPop;
    // Take the next op: from XPop, or straight from the end of the current one (not under abort: XPop
    // then drains).
    if ((state_q == XPop || op_end) && !abort_i && op_valid_i) begin
      op_d    = op_i;
      beat_d  = '0;
      state_d = entry;
      if (op_i.op inside {OpKcur, OpVcur, OpAppend}) kick_d = 1'b1;
      if (op_i.op == OpAppend) wcmd_done_d = 1'b0;
    end
  end

  always_ff @(posedge clk_i) begin
    if (!rst_ni) begin
      state_q          <= XIdle;
      op_q             <= '0;
      ph_started_q     <= 1'b0;
      x_rcvd_q         <= 1'b0;
      logits_started_q <= 1'b0;
      bad_q            <= 1'b0;
      hdr_ok_q         <= 1'b0;
      kick_q           <= 1'b0;
      wcmd_done_q      <= 1'b0;
      beat_q           <= '0;
      d_in_q           <= '0;
    end else begin
      state_q          <= state_d;
      op_q             <= op_d;
      ph_started_q     <= ph_started_d;
      x_rcvd_q         <= x_rcvd_d;
      logits_started_q <= logits_started_d;
      bad_q            <= bad_d;
      hdr_ok_q         <= hdr_ok_d;
      kick_q           <= kick_d;
      wcmd_done_q      <= wcmd_done_d;
      beat_q           <= beat_d;
      d_in_q           <= d_in_d;
    end
  end

  // Begin pulses (the cycle the Begin is taken, or when its copy has finished).
  assign main_begin_o = (state_q == XBeginWait && !abort_i && begin_ready &&
                         (op_q.op == OpQkvBegin ||
                          (op_q.op == OpGemvBegin &&
                           (op_q.phase == PhW1 || op_q.phase == PhLogits)))) ||
                        (state_q == XCopy && !kick_q && !f_busy && op_q.op == OpGemvBegin);
  assign attn_begin_o   = state_q == XBeginWait && !abort_i && begin_ready &&
                          op_q.op == OpScoreBegin;
  assign logits_start_o = (main_begin_o && op_q.op == OpGemvBegin && op_q.phase == PhLogits) ||
                          (state_q == XDrain && !soft_i && !logits_started_q);
  assign logits_flush_o = state_q == XDrain && !soft_i;
  assign done_o         = state_q == XEnd && !abort_i && main_done_i && logits_idle_i &&
                          wr_idle_i && x_idle_i;

  // Drained: no read outstanding or buffered, no write outstanding, the feeder stopped, the logits
  // stream idle (a soft reset's: the beat offered on m_axis taken, le_axis_logits_out stop_i), and
  // (unless this is a soft reset) X consumed through TLAST and the zero logits frame sent.
  logic drain_done;
  assign drain_done = rd_idle_i && !rd_valid_i && wr_idle_i && !f_busy && !kick_q && !op_valid_i &&
                      logits_idle_i && (soft_i || (x_idle_i && logits_started_q));
  assign drained_o  = state_q == XDrain && drain_done;

  // Errors found here: a bad RRESP on a consumed beat, a header / layout mismatch, an append outside
  // the KV region.
  always_comb begin
    err_d      = 1'b0;
    err_code_d = ErrNone;
    if (rd_fire && bad_resp && state_q != XDrain) begin
      err_d = 1'b1; err_code_d = ErrAxiRead;
    end else if (state_q == XHdr && rd_fire && rd_last_i &&
                 (bad_q || !hdr_beat_ok || !layout_ok)) begin
      err_d = 1'b1; err_code_d = ErrIllegalConfig;
    end else if (state_q == XAppend && !kick_q && !append_ok) begin
      err_d = 1'b1; err_code_d = ErrIllegalConfig;
    end
  end
  assign err_o      = err_d;
  assign err_code_o = err_code_d;

  // Unused: pos (the scheduler's, for the context length).
  logic unused;
  assign unused = ^cfg_i.pos;

endmodule
