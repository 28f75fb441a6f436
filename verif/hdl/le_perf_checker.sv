// Copyright layer-engine contributors. Licensed under the Apache License, Version 2.0.
//
// le_perf_checker: PERF_RD_STALL_CYCLES and the byte counters held exact on every completed token (issue
// 14; the definitions are docs/host_protocol.md section 7: PERF_RD_STALL_CYCLES is the busy cycles in which
// the datapath waited for read data). Bound to
// layer_engine by verif/hdl/le_bind.sv, so both engines (the pyuvm env and the SystemC harness) check it.
// Passive: inputs only.
//
// Reference: its own count, from the read stream into the datapath as the DMA hands it over (rd_valid from
// le_axi_rd, rd_ready from le_exec): a busy cycle with rd_ready && !rd_valid is a wait. It does not use
// le_exec's rd_wait_o nor le_token_ctrl's counter, the two things it checks. Busy is the token's span as the
// host sees it: from the accepted START (start_i, the cycle the RTL zeroes its counters) up to and including
// the cycle its done event fires (done_ev_i: the cycle before DONE reads 1). The one state in which le_exec
// raises rd_ready without wanting data, its drain, only follows an error or a soft reset: such a token never
// completes, and only completed tokens are compared.
//   PerfRdStallExact  the cycle after a token's done event, the counter the CSRs read (rd_stall_i) equals the
//                     reference count.
//   PerfBytesRdDma    ... PERF_BYTES_RD equals what le_axi_rd's own byte counter (bytes_read_o: every R beat
//   PerfBytesWrDma    since reset, 32 bits) moved since the START; PERF_BYTES_WR likewise le_axi_wr's
//                     (bytes_written_o): the DMAs' counters are the second, independent count of the bus beats.
//   PerfRdStallDma    ... le_axi_rd's own stall counter (stall_cycles_o: cycles with its output ready, nothing
//                     to offer, a command in flight) moved by no more than the reference count since the START:
//                     such a cycle is a wait of the datapath too (the stall gate between them passes ready only
//                     when it is open, and then no valid either); the difference is the waits with no read in
//                     flight. (The DMA's counters are otherwise read only by their block tests' throughput checks.)
//   IdleAtDone        ... every operator with an idle output is idle: the main GEMV (le_logits), the score
//                     GEMV, P.V and LayerNorm (no element of the token still inside when DONE rises; their
//                     idle_o are read by nothing in the RTL).
// Compiled to nothing without LE_ASSERT_ON (rtl/le_assert.svh).
`ifndef LE_ASSERT_SVH
`include "le_assert.svh"  // guarded: the file lists put it first, a lone build finds it with -y rtl
`endif

module le_perf_checker (
  input  logic        clk_i,
  input  logic        rst_ni,
  input  logic        start_i,       // le_token_ctrl start_o: START accepted (counters zeroed)
  input  logic        abort_i,       // le_token_ctrl abort_o: the token drains, never completes
  input  logic        done_ev_i,     // le_token_ctrl irq_done_o: the token completes this cycle
  input  logic        rd_valid_i,    // the read stream into le_exec
  input  logic        rd_ready_i,
  input  logic [63:0] rd_stall_i,    // PERF_RD_STALL_CYCLES as the CSRs read it
  input  logic [63:0] bytes_rd_i,    // PERF_BYTES_RD / PERF_BYTES_WR as the CSRs read them
  input  logic [63:0] bytes_wr_i,
  input  logic [31:0] dma_rd_bytes_i,  // le_axi_rd bytes_read_o; le_axi_wr bytes_written_o
  input  logic [31:0] dma_wr_bytes_i,
  input  logic [31:0] dma_rd_stall_i,  // le_axi_rd stall_cycles_o
  input  logic        idle_main_i,     // le_logits (the main GEMV) idle_o
  input  logic        idle_score_i,    // le_attn's score le_gemv idle_o
  input  logic        idle_pv_i,       // le_pv_accum idle_o
  input  logic        idle_ln_i        // le_layernorm idle_o
);

`ifdef LE_ASSERT_ON
  logic        busy_q, busy_d, check_q, check_d;
  logic [63:0] waits_q, waits_d;
  logic [31:0] rd_base_q, rd_base_d, wr_base_q, wr_base_d;   // the DMAs' counters at the START
  logic [31:0] st_base_q, st_base_d;

  always_comb begin
    busy_d  = start_i || (busy_q && !done_ev_i && !abort_i);
    check_d = busy_q && done_ev_i;
    waits_d = waits_q;
    rd_base_d = start_i ? dma_rd_bytes_i : rd_base_q;
    wr_base_d = start_i ? dma_wr_bytes_i : wr_base_q;
    st_base_d = start_i ? dma_rd_stall_i : st_base_q;
    if (start_i) begin
      waits_d = '0;
    end else if (busy_q && rd_ready_i && !rd_valid_i) begin
      waits_d = waits_q + 64'd1;
    end
  end

  always_ff @(posedge clk_i) begin
    if (!rst_ni) begin
      busy_q    <= 1'b0;
      check_q   <= 1'b0;
      waits_q   <= '0;
      rd_base_q <= '0;
      wr_base_q <= '0;
      st_base_q <= '0;
    end else begin
      busy_q    <= busy_d;
      check_q   <= check_d;
      waits_q   <= waits_d;
      rd_base_q <= rd_base_d;
      wr_base_q <= wr_base_d;
      st_base_q <= st_base_d;
    end
  end

  `LE_ASSERT(PerfRdStallExact_A, check_q |-> rd_stall_i == waits_q)
  `LE_ASSERT(PerfBytesRdDma_A, check_q |-> bytes_rd_i[31:0] == dma_rd_bytes_i - rd_base_q)
  `LE_ASSERT(PerfBytesWrDma_A, check_q |-> bytes_wr_i[31:0] == dma_wr_bytes_i - wr_base_q)
  `LE_ASSERT(PerfRdStallDma_A, check_q |-> 64'(dma_rd_stall_i - st_base_q) <= waits_q)
  `LE_ASSERT(IdleAtDone_A, check_q |-> idle_main_i && idle_score_i && idle_pv_i && idle_ln_i)

  logic unused;
  assign unused = ^{bytes_rd_i[63:32], bytes_wr_i[63:32]};   // a token moves far less than 4 GB
`else
  logic unused;
  assign unused = ^{clk_i, rst_ni, start_i, abort_i, done_ev_i, rd_valid_i, rd_ready_i,
                    rd_stall_i, bytes_rd_i, bytes_wr_i, dma_rd_bytes_i, dma_wr_bytes_i,
                    dma_rd_stall_i, idle_main_i, idle_score_i, idle_pv_i, idle_ln_i};
`endif

endmodule
