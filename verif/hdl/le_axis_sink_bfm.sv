// Copyright layer-engine contributors. Licensed under the Apache License, Version 2.0.
//
// le_axis_sink_bfm: AXI4-Stream sink BFM, the HDL half of a split transactor (proxy:
// verif/bfm/axis_bfm.py AxisSinkBfm). Python works per frame; this module works per cycle.
//
// Purpose:      captures beats ({tlast, tkeep, tdata}) into a double-buffered store until TLAST,
//               with random TREADY backpressure, and checks the master's side of the protocol.
// Protocol with the proxy (all through VPI, no per-cycle Python):
//               frame n (counted from 0) goes to bank b = n % 2: beat k at mem[b * MAX_BEATS + k],
//               its length in frame_len[b], an overflow flag in frame_ovf[b]. frame_seq counts the
//               completed frames (it is bumped right after the edge that accepts a TLAST beat). The
//               proxy waits for a value change of frame_seq, reads the bank and then writes
//               ack_seq = n + 1 (frames it has read). A bank is written only after its frame has
//               been acknowledged: with two unread frames TREADY stays low (full_cycles counts it).
// Knobs:        p_stall (16-bit fraction of 65536): TREADY low in a cycle when $urandom[15:0] <
//               p_stall (independent per cycle). $urandom follows the simulator seed
//               (+verilator+seed+N under Verilator).
//               pause_len / pause_at: once per frame, when pause_at beats of it have been taken and the
//               next one is offered, TREADY is held low for pause_len cycles (0: never): one long stall
//               that fills the producer's buffers, which independent per-cycle stalls almost never do.
// Checks:       recorded, never fatal: err_count (all), err_mask (bit c-1 for code c),
//               err_last_code / err_last_cycle (cycle = rising edges since time zero):
//                 1 VALID_DROP      TVALID fell while a beat was stalled (TVALID & !TREADY before)
//                 2 PAYLOAD_CHANGE  TDATA/TKEEP/TLAST changed while a beat was stalled
//                 3 X_CTRL          TVALID X/Z, or TLAST X/Z with TVALID high, out of reset (never
//                                   fires under 2-state Verilator; meant for 4-state simulators)
//                 4 OVERFLOW        more than MAX_BEATS beats without TLAST: the extra beats are
//                                   consumed and dropped, the frame ends at TLAST with
//                                   frame_len = MAX_BEATS and frame_ovf = 1 (reported once per frame)
//               err_clr_seq (proxy-written, +1) clears err_count / err_mask / err_last_*.
//               drop_seq (proxy-written, +1) drops the beats of an unfinished frame (a stream abandoned
//               mid frame, e.g. by a soft reset) at the next edge; request it only while TVALID is low.
// Latency:      a TLAST beat accepted at a rising edge is visible (frame_seq, frame_len) right after
//               that edge. TREADY is a flop (no combinational path from any input).
// Throughput:   1 beat per cycle with p_stall = 0 while the proxy keeps up (one frame ahead).
// Coverage:     beats_recv, frames_recv, stall_cycles (TVALID & !TREADY), full_cycles (TREADY held
//               low because both banks hold unread frames).
// Reset:        synchronous, active low: TREADY low, a partial frame is dropped, the stall tracking
//               restarts. Sequence numbers, stored frames and counters are not reset.
// The proxy registers carry public_flat_rw so any Verilator build lets VPI write them; they are
// written by nothing else than their declaration initialiser.

module le_axis_sink_bfm #(
  parameter int unsigned DATA_W    = 128,    // 64, 128 or 256
  parameter int unsigned MAX_BEATS = 8192,   // largest frame in beats (per bank)
  // Derived, not to be overridden.
  localparam int unsigned KeepW    = DATA_W / 8,
  localparam int unsigned WordW    = DATA_W + KeepW + 1,     // {last, keep, data}
  localparam int unsigned IdxW     = $clog2(MAX_BEATS + 1),
  localparam int unsigned MemAW    = $clog2(2 * MAX_BEATS)
) (
  input  logic              clk,
  input  logic              rst_n,
  input  logic [DATA_W-1:0] s_axis_tdata,
  input  logic [KeepW-1:0]  s_axis_tkeep,
  input  logic              s_axis_tlast,
  input  logic              s_axis_tvalid,
  output logic              s_axis_tready
);

  if (DATA_W != 64 && DATA_W != 128 && DATA_W != 256) begin : gen_bad_width
    $error("le_axis_sink_bfm: DATA_W must be 64, 128 or 256");
  end

  localparam logic [7:0] ErrValidDrop     = 8'd1;
  localparam logic [7:0] ErrPayloadChange = 8'd2;
  localparam logic [7:0] ErrXCtrl         = 8'd3;
  localparam logic [7:0] ErrOverflow      = 8'd4;

  // ---- proxy registers: written by the Python proxy only -----------------------------------------
  logic [31:0] ack_seq     /*verilator public_flat_rw*/ = '0;   // frames read by the proxy
  logic [15:0] p_stall     /*verilator public_flat_rw*/ = '0;   // P(TREADY low) * 65536
  logic [31:0] err_clr_seq /*verilator public_flat_rw*/ = '0;   // +1 clears the error record
  logic [31:0] drop_seq    /*verilator public_flat_rw*/ = '0;   // +1 drops an unfinished frame
  logic [15:0] pause_len   /*verilator public_flat_rw*/ = '0;   // TREADY-low pause per frame
  logic [15:0] pause_at    /*verilator public_flat_rw*/ = '0;   // ... after this many beats

  // ---- capture store and status, read by the proxy -----------------------------------------------
  logic [WordW-1:0] mem [2 * MAX_BEATS];        // bank b, beat k at b * MAX_BEATS + k
  logic [IdxW-1:0]  frame_len [2];
  logic             frame_ovf [2];
  logic [31:0]      frame_seq      = '0;        // completed frames
  logic [31:0]      frames_recv    = '0;        // = frame_seq (kept for symmetry with the source)
  logic [31:0]      beats_recv     = '0;
  logic [31:0]      stall_cycles   = '0;
  logic [31:0]      full_cycles    = '0;
  logic [31:0]      cycle          = '0;
  logic [31:0]      err_count      = '0;
  logic [7:0]       err_mask       = '0;
  logic [7:0]       err_last_code  = '0;
  logic [31:0]      err_last_cycle = '0;

  // ---- capture -------------------------------------------------------------------------------------
  logic             ready_q   = 1'b0;
  logic [IdxW-1:0]  wr_idx_q  = '0;        // beats of the current frame stored so far
  logic             ovf_q     = 1'b0;      // current frame overflowed
  logic [31:0]      drop_seen_q;           // last drop_seq acted on
  logic             pend_q    = 1'b0;      // a beat was stalled at the previous edge
  logic [WordW-1:0] held_q    = '0;        // ... and its payload
  logic [31:0]      clr_seen_q = '0;
  logic [15:0]      pause_q   = '0;        // pause cycles left after this one
  logic             paused_q  = 1'b0;      // this frame has had its pause

  logic [WordW-1:0] word;
  logic             accept, bank, room, room_next, fits, pause_start, pausing_next;
  logic [7:0]       code_now;
  logic [3:0]       mask_now;
  logic [31:0]      unread;

  assign word      = {s_axis_tlast, s_axis_tkeep, s_axis_tdata};
  assign accept    = s_axis_tvalid & ready_q;
  assign bank      = frame_seq[0];
  assign unread    = frame_seq - ack_seq;
  assign room      = unread < 32'd2;
  // after this edge: one more unread frame if a TLAST beat is accepted now (ack_seq only grows)
  assign room_next = (unread + {31'd0, accept & s_axis_tlast}) < 32'd2;
  assign fits      = (wr_idx_q < IdxW'(MAX_BEATS));
  assign pause_start  = pause_len != 16'd0 && !paused_q && s_axis_tvalid &&
                        {{(32 - IdxW){1'b0}}, wr_idx_q} == {16'd0, pause_at};
  assign pausing_next = pause_start || pause_q != 16'd0;

  // Protocol checks of this cycle (first code wins for err_last_code; all go into err_mask).
  always_comb begin
    mask_now = '0;
    if (pend_q && !s_axis_tvalid)                  mask_now[ErrValidDrop - 1]     = 1'b1;
    if (pend_q && s_axis_tvalid && word != held_q) mask_now[ErrPayloadChange - 1] = 1'b1;
    if ($isunknown(s_axis_tvalid) || (s_axis_tvalid && $isunknown(s_axis_tlast))) begin
      mask_now[ErrXCtrl - 1] = 1'b1;
    end
    if (accept && !fits && !ovf_q)                 mask_now[ErrOverflow - 1]      = 1'b1;
    code_now = '0;
    for (int c = 4; c >= 1; c--) begin
      if (mask_now[c - 1]) code_now = 8'(c);
    end
  end

  always_ff @(posedge clk) begin
    automatic logic stall_draw = ($urandom() & 32'hFFFF) < {16'd0, p_stall};   // one draw per cycle
    cycle <= cycle + 1;
    if (!rst_n) begin
      ready_q  <= 1'b0;
      wr_idx_q <= '0;
      ovf_q    <= 1'b0;
      pend_q   <= 1'b0;
      pause_q  <= '0;
      paused_q <= 1'b0;
      drop_seen_q <= drop_seq;
    end else begin
      ready_q <= room_next & !stall_draw & !pausing_next;
      if (pause_start)            pause_q <= pause_len - 16'd1;
      else if (pause_q != 16'd0)  pause_q <= pause_q - 16'd1;
      if (pause_start)            paused_q <= 1'b1;
      pend_q  <= s_axis_tvalid & !ready_q;
      held_q  <= word;
      if (s_axis_tvalid && !ready_q) stall_cycles <= stall_cycles + 1;
      if (!ready_q && !room)         full_cycles  <= full_cycles + 1;
      if (accept) begin
        beats_recv <= beats_recv + 1;
        if (fits) begin
          mem[MemAW'(bank) * MemAW'(MAX_BEATS) + MemAW'(wr_idx_q)] <= word;
        end
        if (s_axis_tlast) begin
          frame_len[bank] <= fits ? wr_idx_q + 1'b1 : wr_idx_q;
          frame_ovf[bank] <= ovf_q | !fits;
          frame_seq       <= frame_seq + 1;
          frames_recv     <= frames_recv + 1;
          wr_idx_q        <= '0;
          ovf_q           <= 1'b0;
          paused_q        <= 1'b0;
        end else begin
          if (fits) wr_idx_q <= wr_idx_q + 1'b1;
          else      ovf_q    <= 1'b1;
        end
      end
      if (drop_seq != drop_seen_q) begin           // the proxy dropped an unfinished frame
        drop_seen_q <= drop_seq;
        wr_idx_q    <= '0;
        ovf_q       <= 1'b0;
        paused_q    <= 1'b0;
      end
    end
    // error record (outside reset only; the clear wins over a new error in the same cycle)
    if (err_clr_seq != clr_seen_q) begin
      clr_seen_q     <= err_clr_seq;
      err_count      <= '0;
      err_mask       <= '0;
      err_last_code  <= '0;
      err_last_cycle <= '0;
    end else if (rst_n && code_now != '0) begin
      err_count      <= err_count + 1;
      err_mask       <= err_mask | {4'd0, mask_now};
      err_last_code  <= code_now;
      err_last_cycle <= cycle;
    end
  end

  assign s_axis_tready = ready_q;

endmodule
