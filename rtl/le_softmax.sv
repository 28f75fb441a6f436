// Copyright layer-engine contributors. Licensed under the Apache License, Version 2.0.
//
// le_softmax: softmax over rows of n = 1 .. MAX_SEQ int16 log2-domain scores.
//
//   zmax = max z;  d = zmax - z;  n = d >> 8;  f = d & 255
//   e    = n >= 16 ? 0 : (n == 0 ? LUT[f] : (LUT[f] + 2^(n-1)) >> n)
//   sum  = sum e;  recip = floor(2^46 / sum);  p = (e * recip + 2^30) >> 31      (uint16 Q1.15)
//
// Golden twin:         models.ops.softmax (docs/numerics.md, "softmax"); the table LUT is
//                      rtl/le_exp_lut_rom.sv, generated from models.ops.EXP_LUT (eda/rtl_gen.py).
// Test:                tests/rtl/test_rtl_softmax.py
// Latency:             n + 44 cycles, from the transfer of a row's last score (clock edge t) to the
//                      transfer of its first probability (edge t + n + 44), when the unit is idle
//                      (previous row emitted) and the output is not stalled: 1 cycle to start the
//                      sum pass, n + 5 for it (reads, then the 5-stage pipeline), 32 for the divider,
//                      6 to the first probability. The row's probabilities follow on consecutive
//                      cycles (the last one at edge t + 2n + 43).
// Initiation interval: 1 cycle per element in each pass: the input accepts 1 score per cycle, the
//                      sum pass reads 1 per cycle and the output emits 1 probability per cycle.
// Throughput:          one row of n per 2n + 42 cycles with back-to-back rows and no stalls (sum pass
//                      n + 5, divider 32, output pass n + 5, each including the pipeline tail); the
//                      next row's input is hidden under the current row's output pass (see below).
//
// Interfaces
//   in stream    in_valid_i / in_ready_o / in_z_i (int16) / in_last_i: scores in row order,
//                in_last_i on the row's last score. A row longer than MAX_SEQ is outside the
//                contract (its MAX_SEQ-th score ends the row, as if in_last_i were set).
//   out stream   out_valid_o / out_ready_i / out_p_o (uint16 Q1.15) / out_last_o: the row's
//                probabilities in the same order, out_last_o on the row's last one.
//
// Operation (one row buffer, three passes over it):
//   input   score t is written to row RAM word t and the running maximum is updated.
//   sum     the row is read back through the e pipeline; the e's are summed at its tail.
//   divide  recip = floor(2^46 / sum), 32-step restoring division (sum >= 2^15 puts every quotient
//           bit above bit 31 at 0, and the partial remainder starts at 2^46 >> 32 = 2^14 < sum).
//   output  the row is read again through the same pipeline; p = (e * recip + 2^30) >> 31.
//   The next row's scores may be written during the output pass into words the output pass has
//   already read (in_ready_o = 1 while the input's word index is below the read index), so its
//   input overlaps the current row's output; its sum pass starts when the output pass ends.
//
// e / p pipeline (5 stages, le_pipe_ctrl; stalls only in the output pass, by out_ready_i):
//   1  row RAM synchronous read (block RAM read port, enable = load[0])
//   2  d = zmax - z; EXP_LUT[f] (ROM, registered); underflow flag n >= 16; shift n
//   3  e = (LUT[f] + 2^(n-1)) >> n  (n = 0: LUT[f]; n >= 16: 0)
//   4  e * recip (16 x 32 bits -> 48: two DSP slices)
//   5  p = (prod + 2^30) >> 31  (<= 32768: 16 bits)
//   In the sum pass stage 4 multiplies by 2^31 instead of recip, so p = e and the tail adds it to sum.
//
// Row RAM: MAX_SEQ x 16 bits, one write port (input) and one synchronous read port: intended mapping
// one block RAM in simple dual-port mode (MAX_SEQ = 512: 8 Kb, half a Xilinx RAMB18E1/E2 at 512 x 18;
// Intel M20K at 1K x 16 for MAX_SEQ <= 1024); the read register is stage 1's z_q1 (clock enable
// load[0]). A word is never read and written at the same edge.
// Reset: synchronous, active low (rst_ni): control state only (the row RAM and data registers are
// not reset).

module le_softmax #(
  parameter int unsigned MAX_SEQ = 512,   // longest row (2 .. 65536)
  // Derived, not to be overridden.
  localparam int unsigned AddrW  = $clog2(MAX_SEQ),
  localparam int unsigned CntW   = $clog2(MAX_SEQ + 1)
) (
  input  logic                      clk_i,
  input  logic                      rst_ni,

  input  logic                      in_valid_i,
  output logic                      in_ready_o,
  input  le_pkg::wide_t             in_z_i,      // int16 score, 8 fractional bits (log2 domain)
  input  logic                      in_last_i,   // last score of the row

  output logic                      out_valid_o,
  input  logic                      out_ready_i,
  output logic [le_pkg::ProbW-1:0]  out_p_o,     // uint16 Q1.15 probability
  output logic                      out_last_o
);

  import le_pkg::*;

  localparam int unsigned Stages = 5;
  localparam int unsigned DW     = WideW + 1;                  // d = zmax - z in [0, 65535]
  localparam int unsigned ExpW   = ExpFb + 1;                  // e and LUT entries <= 2^15: 16 bits
  localparam int unsigned SumW   = ExpW + CntW;                // sum <= MAX_SEQ * 2^15
  localparam int unsigned QuoW   = RecipBits - ExpFb + 1;      // recip <= 2^31: 32 bits
  localparam int unsigned ProdW  = ExpW + QuoW;                // e * recip < 2^46 + ...: 48 bits
  localparam int unsigned NW     = DW - ScoreFb;               // shift count n = d >> 8
  localparam int unsigned QStepW = $clog2(QuoW);
  localparam logic [SumW:0]      RemInit  = (SumW + 1)'(1) << (RecipBits - QuoW);   // 2^14
  localparam logic [ProdW-1:0]   PRound   = ProdW'(1) << (2 * ProbFb);              // 2^30
  localparam logic [CntW-1:0]    CntMax   = CntW'(MAX_SEQ);

  if (MAX_SEQ < 2 || MAX_SEQ > 65536) begin : gen_bad_max_seq
    $error("le_softmax: MAX_SEQ must be in [2, 65536]");
  end

  typedef enum logic [1:0] {
    StIdle,   // no row owns the RAM's read side
    StSum,    // sum pass
    StDiv,    // reciprocal
    StOut     // output pass
  } state_e;

  // ---- control ------------------------------------------------------------------------------
  state_e          state_d, state_q;
  logic [CntW-1:0] wr_cnt_d, wr_cnt_q;       // scores of the row being received
  wide_t           wr_max_d, wr_max_q;       // its running maximum
  logic [CntW-1:0] wr_len_d, wr_len_q;       // length of the received row
  logic            wr_done_d, wr_done_q;     // a complete row waits for the sum pass
  logic [CntW-1:0] len_d, len_q;             // length of the row in the passes
  wide_t           max_d, max_q;             // its maximum
  logic [CntW-1:0] rd_cnt_d, rd_cnt_q;       // words issued into the pipeline in this pass
  logic [SumW-1:0] sum_d, sum_q;
  logic [SumW:0]   rem_d, rem_q;             // divider partial remainder (< 2 * sum)
  logic [QuoW-1:0] quo_d, quo_q;             // quotient: recip once the division is done
  logic [QStepW-1:0] step_d, step_q;

  logic in_fire, in_end, start_row;
  logic iss_valid, iss_ready, iss_fire, last_d;
  logic tail_valid, tail_ready, tail_fire;
  logic [Stages-1:0] load;

  // Input: allowed while the row in the passes does not need the words being written.
  always_comb begin
    unique case (state_q)
      StIdle:  in_ready_o = !wr_done_q;
      StOut:   in_ready_o = !wr_done_q && (wr_cnt_q < rd_cnt_q);
      default: in_ready_o = 1'b0;
    endcase
  end
  assign in_fire = in_valid_i && in_ready_o;
  assign in_end  = in_fire && (in_last_i || (wr_cnt_q == CntMax - 1'b1));

  // Issue side of the pipeline (one RAM read per cycle in the sum and output passes).
  assign iss_valid = ((state_q == StSum) || (state_q == StOut)) && (rd_cnt_q != len_q);
  assign iss_fire  = iss_valid && iss_ready;
  assign last_d    = (rd_cnt_q == len_q - 1'b1);

  // Tail: the sum pass consumes every e; the output pass hands p to the output stream.
  logic last_q5;
  assign tail_ready  = (state_q == StOut) ? out_ready_i : 1'b1;
  assign tail_fire   = tail_valid && tail_ready;
  assign out_valid_o = tail_valid && (state_q == StOut);
  assign out_last_o  = last_q5;

  // A finished output pass hands the RAM straight to the waiting row (if any).
  assign start_row = wr_done_q &&
                     ((state_q == StIdle) || (state_q == StOut && tail_fire && last_q5));

  logic            rem_ge;
  logic [SumW:0]   rem_sh;
  assign rem_sh = rem_q << 1;
  assign rem_ge = (rem_sh >= {1'b0, sum_q});

  always_comb begin
    state_d   = state_q;
    wr_cnt_d  = wr_cnt_q;
    wr_max_d  = wr_max_q;
    wr_done_d = wr_done_q;
    wr_len_d  = wr_len_q;
    len_d     = len_q;
    max_d     = max_q;
    rd_cnt_d  = rd_cnt_q;
    sum_d     = sum_q;
    rem_d     = rem_q;
    quo_d     = quo_q;
    step_d    = step_q;

    if (in_fire) begin
      wr_cnt_d = in_end ? '0 : wr_cnt_q + 1'b1;
      wr_max_d = (wr_cnt_q == '0 || $signed(in_z_i) > $signed(wr_max_q)) ? in_z_i : wr_max_q;
      if (in_end) begin
        wr_done_d = 1'b1;
        wr_len_d  = wr_cnt_q + 1'b1;
      end
    end
    if (iss_fire) begin
      rd_cnt_d = rd_cnt_q + 1'b1;
    end

    unique case (state_q)
      StSum: begin
        if (tail_fire) begin
          sum_d = sum_q + SumW'(p_q);      // the sum pass multiplies by 2^31: p = e
          if (last_q5) begin
            state_d = StDiv;
            rem_d   = RemInit;
            quo_d   = '0;
            step_d  = '0;
          end
        end
      end
      StDiv: begin
        rem_d  = rem_ge ? rem_sh - {1'b0, sum_q} : rem_sh;
        quo_d  = {quo_q[QuoW-2:0], rem_ge};
        step_d = step_q + 1'b1;
        if (step_q == QStepW'(QuoW - 1)) begin
          state_d  = StOut;
          rd_cnt_d = '0;
        end
      end
      StOut: begin
        if (tail_fire && last_q5) begin
          state_d = StIdle;
        end
      end
      default: ;
    endcase

    if (start_row) begin
      state_d   = StSum;
      wr_done_d = 1'b0;
      max_d     = wr_max_q;
      len_d     = wr_len_q;
      rd_cnt_d  = '0;
      sum_d     = '0;
    end
  end

  always_ff @(posedge clk_i) begin
    if (!rst_ni) begin
      state_q   <= StIdle;
      wr_cnt_q  <= '0;
      wr_done_q <= 1'b0;
      rd_cnt_q  <= '0;
    end else begin
      state_q   <= state_d;
      wr_cnt_q  <= wr_cnt_d;
      wr_done_q <= wr_done_d;
      rd_cnt_q  <= rd_cnt_d;
    end
  end

  always_ff @(posedge clk_i) begin
    wr_max_q <= wr_max_d;
    wr_len_q <= wr_len_d;
    len_q    <= len_d;
    max_q    <= max_d;
    sum_q    <= sum_d;
    rem_q    <= rem_d;
    quo_q    <= quo_d;
    step_q   <= step_d;
  end

  // ---- row RAM --------------------------------------------------------------------------------
  // Inferred simple dual-port RAM, MAX_SEQ x 16: synchronous write, read registered in stage 1.
  (* ram_style = "block" *) wide_t mem_z [MAX_SEQ];
  logic [AddrW-1:0] wr_addr, rd_addr;
  assign wr_addr = AddrW'(wr_cnt_q);
  assign rd_addr = AddrW'(rd_cnt_q);

  always_ff @(posedge clk_i) begin
    if (in_fire) begin
      mem_z[wr_addr] <= in_z_i;
    end
  end

  // ---- e / p pipeline -------------------------------------------------------------------------
  le_pipe_ctrl #(
    .Stages(Stages)
  ) u_pipe_ctrl (
    .clk_i,
    .rst_ni,
    .in_valid_i  (iss_valid),
    .in_ready_o  (iss_ready),
    .out_valid_o (tail_valid),
    .out_ready_i (tail_ready),
    .load_o      (load)
  );

  // Stage 1: RAM read.
  wide_t z_d, z_q1;
  logic  last_q1, last_q2, last_q3, last_q4;
  assign z_d = mem_z[rd_addr];

  always_ff @(posedge clk_i) begin
    if (load[0]) begin
      z_q1    <= z_d;
      last_q1 <= last_d;
    end
  end

  // Stage 2: d, table look-up, shift count.
  logic signed [DW-1:0] max_x, z_x;
  logic [DW-1:0]   d;
  logic [NW-1:0]   n;
  logic [ExpW-1:0] lut_d, lut_q;
  logic            zero_d, zero_q;
  logic [3:0]      sh_d, sh_q;

  assign max_x  = {max_q[WideW-1], max_q};
  assign z_x    = {z_q1[WideW-1], z_q1};
  assign d      = $unsigned(max_x - z_x);                   // 0 .. 65535 (max_q >= z)
  assign n      = d[DW-1:ScoreFb];
  assign zero_d = (n >= NW'(ExpZeroN));
  assign sh_d   = n[3:0];

  le_exp_lut_rom u_exp_lut_rom (
    .f_i   (d[ScoreFb-1:0]),
    .val_o (lut_d)
  );

  always_ff @(posedge clk_i) begin
    if (load[1]) begin
      lut_q   <= lut_d;
      zero_q  <= zero_d;
      sh_q    <= sh_d;
      last_q2 <= last_q1;
    end
  end

  // Stage 3: e = rshift_round(LUT[f], n) (2^(n-1) is 0 for n = 0), 0 on underflow.
  logic [ExpW-1:0] e_d, e_q;

  assign e_d = zero_q ? '0 : ExpW'(({1'b0, lut_q} + (((ExpW + 1)'(1) << sh_q) >> 1)) >> sh_q);

  always_ff @(posedge clk_i) begin
    if (load[2]) begin
      e_q     <= e_d;
      last_q3 <= last_q2;
    end
  end

  // Stage 4: e * recip; the sum pass multiplies by 2^31 so that stage 5 passes e through unchanged.
  logic [QuoW-1:0]  mult;
  logic [ProdW-1:0] prod_d, prod_q;
  assign mult   = (state_q == StOut) ? quo_q : QuoW'(1) << (2 * ProbFb + 1);
  assign prod_d = ProdW'(e_q) * ProdW'(mult);

  always_ff @(posedge clk_i) begin
    if (load[3]) begin
      prod_q  <= prod_d;
      last_q4 <= last_q3;
    end
  end

  // Stage 5: p = (prod + 2^30) >> 31.
  logic [ProbW-1:0] p_d, p_q;
  assign p_d = ProbW'((prod_q + PRound) >> (2 * ProbFb + 1));

  always_ff @(posedge clk_i) begin
    if (load[4]) begin
      p_q     <= p_d;
      last_q5 <= last_q4;
    end
  end

  assign out_p_o = p_q;

endmodule
