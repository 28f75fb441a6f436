// Copyright layer-engine contributors. Licensed under the Apache License, Version 2.0.
//
// le_axis_src_bfm: AXI4-Stream source BFM, the HDL half of a split transactor (proxy:
// verif/bfm/axis_bfm.py AxisSourceBfm). Python works per frame; this module works per cycle.
//
// Purpose:      sends one frame (beats of {tlast, tkeep, tdata}, any keep/last pattern, so error
//               tests can send TLAST early or late or a short TKEEP) with random TVALID gaps, and
//               holds TDATA/TKEEP/TLAST stable while TVALID is high and TREADY low.
// Protocol with the proxy (all through VPI, no per-cycle Python):
//               1. the proxy writes beats 0..n-1 into mem[] ({last, keep, data}) and n into n_beats,
//               2. bumps go_seq (+1),
//               3. waits for a value change of done_seq until done_seq == go_seq: the frame's last
//                  beat has been accepted (TVALID & TREADY at a rising edge).
//               n_beats = 0 completes at once with no beat. mem[] / n_beats must not be written
//               while a frame is in flight (the proxy serialises sends).
// Knobs:        p_idle (16-bit fraction of 65536): before every beat, while the draw
//               $urandom[15:0] < p_idle, the BFM spends a gap cycle with TVALID low (geometric
//               gaps, mean p/(1-p) per beat). start_delay_max: when a frame's go is seen, the BFM first
//               waits a uniform draw of 0..start_delay_max cycles with TVALID low (X late relative to
//               the host's START; one extra $urandom per frame, none when 0). $urandom follows the
//               simulator seed (+verilator+seed+N under Verilator).
// Latency:      go_seq seen at a rising edge -> first beat's TVALID right after that edge (no gap and
//               start_delay_max = 0), or after the drawn delay.
// Throughput:   1 beat per cycle with p_idle = 0 and TREADY high; consecutive frames are separated
//               by the proxy's turnaround (>= 1 cycle with TVALID low).
// Coverage:     beats_sent, gap_cycles (frame in flight, TVALID low), stall_cycles (TVALID & !TREADY),
//               frames_sent, frames_aborted.
// Reset:        synchronous, active low: the frame in flight is abandoned (done_seq catches up with
//               go_seq and frames_aborted counts it), TVALID low. Sequence numbers and counters are
//               not reset (they count from time zero, so a proxy stays in step across resets).
// The proxy registers carry public_flat_rw so any Verilator build lets VPI write them; they are
// written by nothing else than their declaration initialiser.

module le_axis_src_bfm #(
  parameter int unsigned DATA_W    = 128,   // 64, 128 or 256
  parameter int unsigned MAX_BEATS = 512,   // largest frame in beats
  // Derived, not to be overridden.
  localparam int unsigned KeepW    = DATA_W / 8,
  localparam int unsigned WordW    = DATA_W + KeepW + 1,     // {last, keep, data}
  localparam int unsigned IdxW     = $clog2(MAX_BEATS + 1),
  localparam int unsigned MemAW    = (MAX_BEATS > 1) ? $clog2(MAX_BEATS) : 1
) (
  input  logic              clk,
  input  logic              rst_n,
  output logic [DATA_W-1:0] m_axis_tdata,
  output logic [KeepW-1:0]  m_axis_tkeep,
  output logic              m_axis_tlast,
  output logic              m_axis_tvalid,
  input  logic              m_axis_tready
);

  if (DATA_W != 64 && DATA_W != 128 && DATA_W != 256) begin : gen_bad_width
    $error("le_axis_src_bfm: DATA_W must be 64, 128 or 256");
  end

  // ---- proxy registers: written by the Python proxy only -----------------------------------------
  logic [WordW-1:0] mem [MAX_BEATS] /*verilator public_flat_rw*/;   // beat k: {last, keep, data}
  logic [IdxW-1:0]  n_beats  /*verilator public_flat_rw*/ = '0;     // beats of the loaded frame
  logic [31:0]      go_seq   /*verilator public_flat_rw*/ = '0;     // +1 per frame to send
  logic [15:0]      p_idle   /*verilator public_flat_rw*/ = '0;     // P(gap cycle) * 65536
  logic [15:0]      start_delay_max /*verilator public_flat_rw*/ = '0;   // cycles, drawn per frame

  // ---- status, read by the proxy ---------------------------------------------------------------------
  logic [31:0] done_seq       = '0;   // go_seq of the latest completed (or abandoned) frame
  logic [31:0] frames_sent    = '0;
  logic [31:0] frames_aborted = '0;   // abandoned by a reset
  logic [31:0] beats_sent     = '0;
  logic [31:0] gap_cycles     = '0;   // frame in flight, TVALID low
  logic [31:0] stall_cycles   = '0;   // TVALID high, TREADY low

  // ---- sender ------------------------------------------------------------------------------------------
  logic [31:0]      go_seen_q = '0;   // go_seq of the frame in flight / last started
  logic             active_q  = 1'b0;
  logic             valid_q   = 1'b0;
  logic [IdxW-1:0]  idx_q     = '0;   // beat on the bus (valid_q) or to present next (!valid_q)
  logic [IdxW-1:0]  last_q    = '0;   // n_beats - 1 of the frame in flight
  logic [WordW-1:0] word_q    = '0;
  logic             wait_q    = 1'b0; // a go seen, its start delay running
  logic [15:0]      delay_q   = '0;   // cycles of the start delay still to wait

  logic             accept, accept_last, present;
  logic [IdxW-1:0]  idx_next;

  assign accept      = valid_q & m_axis_tready;
  assign accept_last = accept & (idx_q == last_q);
  assign idx_next    = accept ? idx_q + 1'b1 : idx_q;
  // A beat slot opens when nothing is on the bus or the beat on it transfers now.
  assign present     = active_q & !accept_last & (!valid_q | accept);

  always_ff @(posedge clk) begin
    automatic logic gap = ($urandom() & 32'hFFFF) < {16'd0, p_idle};   // one draw per cycle
    if (!rst_n) begin
      if (active_q) begin
        frames_aborted <= frames_aborted + 1;
      end
      if (wait_q) begin
        frames_aborted <= frames_aborted + 1;
      end
      active_q  <= 1'b0;
      valid_q   <= 1'b0;
      wait_q    <= 1'b0;
      go_seen_q <= go_seq;            // a go bumped during reset is dropped with the frame
      done_seq  <= go_seq;
    end else begin
      if (valid_q && !m_axis_tready) stall_cycles <= stall_cycles + 1;
      if (active_q && !valid_q)      gap_cycles   <= gap_cycles + 1;
      if (accept)                    beats_sent   <= beats_sent + 1;
      if (accept_last) begin
        active_q    <= 1'b0;
        valid_q     <= 1'b0;
        done_seq    <= go_seen_q;
        frames_sent <= frames_sent + 1;
      end else if (present) begin
        idx_q   <= idx_next;
        valid_q <= !gap;
        word_q  <= mem[MemAW'(idx_next)];   // idx_next <= last_q < MAX_BEATS
      end else if (wait_q) begin
        if (delay_q == '0) begin
          wait_q   <= 1'b0;
          active_q <= 1'b1;
          idx_q    <= '0;
          last_q   <= n_beats - 1'b1;
          valid_q  <= !gap;
          word_q   <= mem[0];
        end else begin
          delay_q <= delay_q - 1'b1;
        end
      end else if (!active_q && go_seq != go_seen_q) begin
        go_seen_q <= go_seq;
        if (n_beats == '0) begin
          done_seq    <= go_seq;
          frames_sent <= frames_sent + 1;
        end else if (start_delay_max != '0) begin
          wait_q  <= 1'b1;
          delay_q <= 16'($urandom() % (32'(start_delay_max) + 32'd1));
        end else begin
          active_q <= 1'b1;
          idx_q    <= '0;
          last_q   <= n_beats - 1'b1;
          valid_q  <= !gap;
          word_q   <= mem[0];
        end
      end
    end
  end

  assign m_axis_tvalid = valid_q;
  assign m_axis_tdata  = word_q[DATA_W-1:0];
  assign m_axis_tkeep  = word_q[DATA_W +: KeepW];
  assign m_axis_tlast  = word_q[WordW-1];

endmodule
