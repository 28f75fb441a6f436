// Copyright layer-engine contributors. Licensed under the Apache License, Version 2.0.
//
// le_axis_logits_out: packs the int32 logit stream into one AXI4-Stream frame (m_axis_logits).
//
// Purpose:             logit j of the token goes to bytes 4j..4j+3 (little endian) of the frame,
//                      LPB = AXI_DATA_W / 32 logits per beat, ceil(vocab / LPB) beats, the unused
//                      slots of the final beat zero (models/driver.py, step 5). A zero-flush mode
//                      emits a frame of the same length with every byte zero (failed tokens).
// Golden twin:         none: control - packs int32 logits into AXI4-Stream beats (the framing of
//                      models/driver.py; tests/rtl/cocotb_axis_logits_out.py checks every byte,
//                      TKEEP and TLAST of every beat against the logits it sent).
// Test:                tests/rtl/test_rtl_axis_logits_out.py, tests/rtl/test_rtl_axis_bfm.py
// Latency:             1 cycle: the logit that completes a beat transfers at a rising edge and the
//                      beat is on m_axis_* (tvalid = 1) right after that edge (le_stream_fifo).
// Initiation interval: 1 cycle per logit in (and per slot in zero-flush mode), i.e. one beat every
//                      LPB cycles (2 for a 64-bit bus, 4 for 128, 8 for 256): the rate is bounded
//                      by the one-int32-per-cycle input. Back-to-back beats at 1 per cycle would
//                      need LPB logits per cycle upstream.
// Throughput:          1 logit (4 bytes) per cycle.
//
// Interfaces
//   control       start_i (1-cycle pulse, honoured only while fill_idle_o = 1) latches vocab_i (>= 1,
//                 frame = ceil(vocab / LPB) beats) and flush_i. A start while a frame is being filled
//                 is ignored. The next frame may start while the previous one's last beats are still
//                 buffered on the output (frames stay in order).
//   flush_i       zero-flush: when high with start_i the whole frame is zeros; when high in a cycle
//                 while the frame is being filled, every slot from the next cycle on is zero. In
//                 zero mode no logit is taken (logit_ready_o = 0; the top must drop or reset the
//                 logit source) and the zero slots are generated one per cycle.
//                 Beats already packed keep their logits. The frame length, TKEEP and TLAST are
//                 those of a normal frame.
//   stop_i        soft reset (level; the top holds it from the SOFT_RESET's drain start until the
//                 drain ends, which waits for idle_o): the frame is abandoned without TLAST, by the
//                 rule AXI4-Stream allows outside ARESETn: a beat already offered (m_axis_tvalid_o
//                 high) stays on m_axis with its payload until m_axis_tready_i takes it, and at that
//                 handshake every other buffered beat is discarded; no slot is filled, no beat is
//                 pushed, start_i is ignored, logit_ready_o is 0 (the top resets the logit source)
//                 from the first cycle of stop_i. So after the soft reset the frame ends with at most
//                 the one beat that was offered, TVALID never falls without a handshake, and idle_o
//                 is high right after that handshake's edge (after stop_i's first edge when no beat
//                 was offered). done_o
//                 pulses only if that held beat carries TLAST (the frame was complete but for it).
//                 After stop_i falls the next start_i begins a fresh frame (the top's synchronous
//                 reset at the drain's end is not needed for that, and changes nothing visible).
//   logit stream  logit_valid_i / logit_ready_o / logit_data_i: int32 logits in order j = 0..vocab-1
//                 (le_logits). logit_ready_o depends on state flops and stop_i only (a flop in the top).
//   m_axis        m_axis_tdata_o / m_axis_tkeep_o / m_axis_tlast_o / m_axis_tvalid_o /
//                 m_axis_tready_i (the top renames them m_axis_logits_*), driven from a 2-entry
//                 le_stream_fifo: payload stable while stalled, no combinational path from
//                 m_axis_tready_i to any output.
//                 TKEEP: all ones on every beat except the final one, where it marks only the
//                 4 * (vocab - (beats-1) * LPB) valid bytes (the zero padding bytes have TKEEP = 0).
//                 TLAST on the final beat only.
//   status        done_o: 1-cycle pulse right after the edge that transfers a frame's TLAST beat;
//                 fill_idle_o: no frame is being filled (start_i is accepted); idle_o: additionally
//                 no beat is waiting on m_axis.
// Reset:               synchronous, active low: no frame, output empty (rst_ni is ARESETn's domain: it
//                      may drop TVALID; the soft reset uses stop_i). The packing register is not
//                      reset (it is cleared at start_i).

module le_axis_logits_out #(
  parameter int unsigned AXI_DATA_W = 128,   // 64, 128 or 256
  parameter int unsigned VOCAB_W    = 32,    // width of vocab_i
  // Derived, not to be overridden.
  localparam int unsigned KeepW     = AXI_DATA_W / 8,
  localparam int unsigned Lpb       = AXI_DATA_W / 32
) (
  input  logic                  clk_i,
  input  logic                  rst_ni,
  // control
  input  logic                  start_i,
  input  logic [VOCAB_W-1:0]    vocab_i,
  input  logic                  flush_i,
  input  logic                  stop_i,
  output logic                  fill_idle_o,
  output logic                  idle_o,
  output logic                  done_o,
  // logit stream (one int32 per cycle)
  input  logic                  logit_valid_i,
  output logic                  logit_ready_o,
  input  logic [31:0]           logit_data_i,
  // AXI4-Stream master
  output logic [AXI_DATA_W-1:0] m_axis_tdata_o,
  output logic [KeepW-1:0]      m_axis_tkeep_o,
  output logic                  m_axis_tlast_o,
  output logic                  m_axis_tvalid_o,
  input  logic                  m_axis_tready_i
);

  localparam int unsigned SlotW = $clog2(Lpb);
  localparam int unsigned FifoW = AXI_DATA_W + KeepW + 1;
  localparam logic [SlotW-1:0] SlotLast = SlotW'(Lpb - 1);

  if (AXI_DATA_W != 64 && AXI_DATA_W != 128 && AXI_DATA_W != 256) begin : gen_bad_width
    $error("le_axis_logits_out: AXI_DATA_W must be 64, 128 or 256");
  end

  logic                  busy_d, busy_q;        // a frame is being filled
  logic                  zero_d, zero_q;        // zero-flush for the rest of the frame
  logic [VOCAB_W-1:0]    rem_d, rem_q;          // slots (logits) still to fill
  logic [SlotW-1:0]      slot_d, slot_q;        // slot of the next logit within the beat
  logic [AXI_DATA_W-1:0] pack_d, pack_q;        // slots 0..slot_q-1 of the beat being packed
  logic                  done_d, done_q;

  logic                  zero_now, frame_end, beat_end, take_ok, fill;
  logic [31:0]           slot_data;
  logic [AXI_DATA_W-1:0] beat_data;
  logic [KeepW-1:0]      beat_keep;
  logic                  push, push_ready;
  logic [FifoW-1:0]      fifo_out;
  logic                  fifo_rst_n;

  // flush_i seen during the fill acts from the next cycle on (zero_q is a flop).
  assign zero_now   = zero_q;
  assign frame_end  = (rem_q == VOCAB_W'(1));
  assign beat_end   = frame_end | (slot_q == SlotLast);
  // A slot that completes a beat needs room in the output FIFO (push_ready is a flop: "not full").
  // Nothing is filled (so nothing is pushed) while stop_i is high.
  assign take_ok    = busy_q & !stop_i & (!beat_end | push_ready);
  assign fill       = take_ok & (zero_now | logit_valid_i);
  assign logit_ready_o = take_ok & !zero_q;
  assign slot_data  = zero_now ? 32'd0 : logit_data_i;
  assign push       = fill & beat_end;

  always_comb begin
    beat_data = pack_q;
    for (int unsigned i = 0; i < Lpb; i++) begin
      if (SlotW'(i) == slot_q) begin
        beat_data[32*i +: 32] = slot_data;
      end
    end
    beat_keep = '1;
    if (frame_end) begin
      for (int unsigned i = 0; i < Lpb; i++) begin
        if (SlotW'(i) > slot_q) begin
          beat_keep[4*i +: 4] = 4'b0000;
        end
      end
    end
  end

  always_comb begin
    busy_d = busy_q;
    zero_d = zero_q;
    rem_d  = rem_q;
    slot_d = slot_q;
    pack_d = pack_q;
    if (stop_i) begin
      busy_d = 1'b0;                            // the fill is abandoned; start_i ignored
    end else if (!busy_q) begin
      if (start_i) begin
        busy_d = 1'b1;
        zero_d = flush_i;
        rem_d  = vocab_i;
        slot_d = '0;
        pack_d = '0;
      end
    end else begin
      if (flush_i) begin
        zero_d = 1'b1;
      end
      if (fill) begin
        rem_d = rem_q - 1'b1;
        if (beat_end) begin
          slot_d = '0;
          pack_d = '0;
          if (frame_end) begin
            busy_d = 1'b0;
          end
        end else begin
          slot_d = slot_q + 1'b1;
          pack_d = beat_data;
        end
      end
    end
  end

  assign done_d = m_axis_tvalid_o & m_axis_tready_i & m_axis_tlast_o;

  always_ff @(posedge clk_i) begin
    if (!rst_ni) begin
      busy_q <= 1'b0;
      zero_q <= 1'b0;
      rem_q  <= '0;
      slot_q <= '0;
      done_q <= 1'b0;
    end else begin
      busy_q <= busy_d;
      zero_q <= zero_d;
      rem_q  <= rem_d;
      slot_q <= slot_d;
      done_q <= done_d;
    end
  end

  always_ff @(posedge clk_i) begin
    pack_q <= pack_d;
  end

  // stop_i: the offered beat leaves by its handshake; the FIFO is emptied at that edge (the beat behind
  // it was never offered, so dropping it withdraws nothing). With TVALID low the FIFO is already empty.
  assign fifo_rst_n = rst_ni & !(stop_i & m_axis_tvalid_o & m_axis_tready_i);

  le_stream_fifo #(
    .WIDTH(FifoW),
    .DEPTH(2)
  ) u_out_fifo (
    .clk_i,
    .rst_ni     (fifo_rst_n),
    .in_valid_i (push),
    .in_ready_o (push_ready),
    .in_data_i  ({frame_end, beat_keep, beat_data}),
    .out_valid_o(m_axis_tvalid_o),
    .out_ready_i(m_axis_tready_i),
    .out_data_o (fifo_out)
  );

  assign m_axis_tlast_o = fifo_out[FifoW-1];
  assign m_axis_tkeep_o = fifo_out[AXI_DATA_W +: KeepW];
  assign m_axis_tdata_o = fifo_out[AXI_DATA_W-1:0];
  assign fill_idle_o    = !busy_q;
  assign idle_o         = !busy_q & !m_axis_tvalid_o;
  assign done_o         = done_q;

endmodule
