// Copyright layer-engine contributors. Licensed under the Apache License, Version 2.0.
//
// le_buf_feeder: streams n consecutive words of an on-chip buffer (synchronous-read RAM) out as
// valid/ready beats.
//
// Purpose:             the engine's on-chip copies and row feeds: q into the score MAC, O_concat and
//                      U_act into the main MAC's x RAM, the current K/V row into the score MAC /
//                      P.V, and the K/V appends into the write DMA. start_i latches base_i and n_i;
//                      raddr_o/re_o drive the source RAM, whose registered word (rdata_i) is the
//                      output beat; idx_o is the beat's index 0..n-1.
// Golden twin:         none: control - streams a run of buffer words out as beats (data movement).
// Test:                the env's tests (regress/testlist.yaml; pytest runs each:
//                      tests/rtl/test_uvm_testlist.py)
// Latency:             2 cycles from start_i to the first beat (RAM read + hold).
// Initiation interval: 1 beat per cycle while out_ready_i is high.
// Throughput:          1 word per cycle.
// Reset:               synchronous, active low.

module le_buf_feeder #(
  parameter int unsigned AW = 8,
  parameter int unsigned W  = 128
) (
  input  logic          clk_i,
  input  logic          rst_ni,
  input  logic          start_i,
  input  logic [AW-1:0] base_i,
  input  logic [AW:0]   n_i,        // >= 1
  output logic          busy_o,     // from start_i until the last beat is transferred
  // source RAM read port
  output logic          re_o,
  output logic [AW-1:0] raddr_o,
  input  logic [W-1:0]  rdata_i,
  // beats
  output logic          out_valid_o,
  input  logic          out_ready_i,
  output logic [W-1:0]  out_data_o,
  output logic [AW:0]   idx_o
);

  logic [AW-1:0] base_q, base_d;
  logic [AW:0]   n_q, n_d, rd_q, rd_d, out_q, out_d;
  logic          busy_q, busy_d, hold_q, hold_d;

  assign re_o    = busy_q && (rd_q < n_q) && (!hold_q || out_ready_i);
  assign raddr_o = base_q + rd_q[AW-1:0];

  always_comb begin
    busy_d = busy_q;
    hold_d = hold_q;
    rd_d   = rd_q;
    out_d  = out_q;
    n_d    = n_q;
    base_d = base_q;
    if (start_i) begin
      busy_d = 1'b1;
      hold_d = 1'b0;
      rd_d   = '0;
      out_d  = '0;
      n_d    = n_i;
      base_d = base_i;
    end else if (busy_q) begin
      if (hold_q && out_ready_i) out_d = out_q + 1'b1;
      if (re_o) begin
        rd_d   = rd_q + 1'b1;
        hold_d = 1'b1;
      end else if (out_ready_i) begin
        hold_d = 1'b0;
      end
      if (hold_q && out_ready_i && out_q + 1'b1 == n_q) busy_d = 1'b0;
    end
  end

  always_ff @(posedge clk_i) begin
    if (!rst_ni) begin
      busy_q <= 1'b0;
      hold_q <= 1'b0;
      rd_q   <= '0;
      out_q  <= '0;
      n_q    <= '0;
      base_q <= '0;
    end else begin
      busy_q <= busy_d;
      hold_q <= hold_d;
      rd_q   <= rd_d;
      out_q  <= out_d;
      n_q    <= n_d;
      base_q <= base_d;
    end
  end

  assign busy_o      = busy_q;
  assign out_valid_o = hold_q;
  assign out_data_o  = rdata_i;
  assign idx_o       = out_q;

endmodule
