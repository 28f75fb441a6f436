// Copyright layer-engine contributors. Licensed under the Apache License, Version 2.0.
//
// le_layernorm: layernorm (with its requant) of one int16 row of N = d_model values.
//
// Purpose:             normalise a row y[0..N-1] (int16) and emit the int8 input of the next GEMVs
//                      and the int16 residual copy, bit-exact (docs/numerics.md,
//                      "layernorm"):
//                        S1 = sum y;  S2 = sum y^2;  D = max(N*S2 - S1^2 + eps_q, 1)
//                        m = (62 - bitlen(D)) >> 1;  sd = isqrt(D << 2m);  inv = floor(2^61 / sd)
//                        dev = N*y - S1;  norm = rshift_round(dev * inv, 49 - m)
//                        v = norm * g + b;  out8 = sat8(rshift_round(v, 22))
//                                           out16 = sat16(rshift_round(v, 16))
// Golden twin:         models.ops.layernorm (models.ops.isqrt_norm for inv and m).
// Test:                tests/rtl/test_rtl_layernorm.py
// Latency:             74 cycles from the transfer of a row's last input element to the transfer of
//                      its first output element (no stall). From a row's first input transfer:
//                      first output at N + 73 cycles, last output at 2N + 72 cycles.
// Initiation interval: 1 cycle per element in the input pass and 1 cycle per element in the output
//                      pass (both within a row).
// Throughput:          one row per N + 68 cycles in steady state (no stall): the input pass of row
//                      r+1 overlaps the output pass of row r; between two rows the input waits
//                      68 cycles for the per-row arithmetic (3 for D and its normalisation, 31 for
//                      the square root, 32 for the division, 1 hand-over) and for the output pass's
//                      first read (the input may only overwrite channels already read).
//
// Row schedule (per row, three phases; "no stall" numbers above):
//   input pass    N elements accepted at 1/cycle: y is written into the row RAM at its channel
//                 index; le_ln_rowstat accumulates S1 and S2.
//   per-row math  le_ln_rowstat: D, m and D << 2m (3 cycles), isqrt (31), floor(2^61 / sd) (32);
//                 then the hand-over edge loads the row constants (N, S1, inv, 49 - m) of the
//                 output pass once the previous row's output pass has issued all its reads.
//   output pass   the row RAM and the gamma'/beta' RAMs are read at 1 address/cycle into a
//                 6-stage pipeline (below). The next row's input pass starts at the same time: an
//                 input element may be written to channel c only after channel c was read for the
//                 row being emitted, so both passes share one row RAM without a second bank.
//
// Interfaces
//   n_i           row length N = d_model in [1, MAX_D]. eps_q_i: int64 eps_q of this LayerNorm
//                 instance, >= 0 (docs/numerics.md: round(ln_eps * N^2 / s_y^2)). Both are configuration
//                 inputs: they are sampled at the transfer of each row's last input element and
//                 must be held stable from the row's first input transfer to its last one; they
//                 may change between rows (a new layer / a different d_model needs no idle time).
//   in stream     in_valid_i / in_ready_o / in_y_i (int16): the row's elements in channel order
//                 0..N-1. Rows are framed by counting N (no last flag on the input): the N-th
//                 accepted element closes the row.
//   out stream    out_valid_o / out_ready_i / out_x8_o (int8, [-127, 127]) / out_x16_o (int16
//                 residual copy) / out_last_o (1 on the row's channel N-1), channel order.
//   prm port      prm_gamma_we_i / prm_beta_we_i / prm_addr_i / prm_data_i: write port of the
//                 per-channel parameter RAMs gamma'[c] (int32, Q.10) and beta'[c] (int32, Q.22),
//                 one bus beat per cycle: word w (bits [32w+31:32w]) is channel
//                 prm_addr_i*PRM_WORDS + w.
//                 The two enables are independent (the engine loads the gamma' and beta' tensors
//                 one after the other; any order, any interleaving); both set writes the same data
//                 to both. No handshake (always accepted). Loaded once per LayerNorm instance
//                 (layer) before its first row; write only while idle_o = 1: a channel written
//                 during a row takes effect for that row only if its output pass has not read it.
//   idle_o        1 when no row is being received, computed or emitted.
//
// Output pipeline (6 stages; row constants travel with each element so that the next row's
// hand-over never disturbs elements still in flight). Stage 1 is here (a 1-stage le_pipe_ctrl),
// stages 2..6 are le_ln_out (a 5-stage le_pipe_ctrl); the two controls chained behave exactly as
// one 6-stage le_pipe_ctrl (same ready/valid/load recurrence, no added cycle):
//   1: read y[c], g[c], b[c] (synchronous block-RAM read, enable = pipeline load)
//   2: dev = N*y - S1                         (|dev| < 2^27 for MAX_D <= 1024)
//   3: prod = dev * inv                       (DSP; |prod| < 2^58)
//   4: norm = (prod + 2^(r-1)) >>> r, r = 49 - m in [19, 49]
//   5: v = norm * g + b                       (DSP MAC; |v| < 2^50 inside the contract; computed
//                                             modulo 2^64 like the int64 golden)
//   6: out8 = sat8((v + 2^21) >>> 22), out16 = sat16((v + 2^15) >>> 16)
//
// Memories (inferred, simple dual port: one write port, one synchronous read port):
//   mem_y      MAX_D x 16 bit   (1024 x 16: one 18 Kb block RAM)
//   mem_g/b    MAX_D x 32 bit each, written PRM_WORDS words at a time (asymmetric-port template:
//              PRM_WORDS*32-bit write, 32-bit read; 32 Kb each: one 36 Kb block RAM at PRM_WORDS
//              <= 2, two at 4 since a simple-dual-port block RAM port is at most 72 bits wide)
//
// Contract (checked by the golden model, not here): 1 <= N <= MAX_D, eps_q >= 0 and
// N*S2 - S1^2 + eps_q < 2^62 (the golden raises otherwise; here D then saturates to 2^62 - 1).
// Widths: S1 in 16 + NW bits (NW = bits of MAX_D), dev in 18 + NW bits, inv <= 2^31; MAX_D <= 4096
// keeps |dev * inv| < 2^62.
// Reset: synchronous, active low; returns to the idle state (data registers and RAMs are not reset).

module le_layernorm #(
  parameter int unsigned MAX_D     = 1024,
  parameter int unsigned PRM_WORDS = 4,     // int32 words per parameter write (AXI data bits / 32)
  // Derived, not to be overridden.
  localparam int unsigned NW       = $clog2(MAX_D + 1),
  localparam int unsigned AW       = (MAX_D > 1) ? $clog2(MAX_D) : 1,
  localparam int unsigned PrmW     = PRM_WORDS * 32,
  localparam int unsigned PrmAW    = (MAX_D / PRM_WORDS > 1) ? $clog2(MAX_D / PRM_WORDS) : 1
) (
  input  logic                clk_i,
  input  logic                rst_ni,
  // runtime configuration (sampled per row, see header)
  input  logic [NW-1:0]       n_i,
  input  logic signed [63:0]  eps_q_i,
  // per-channel parameter write port (one bus beat of gamma' or beta' words)
  input  logic                prm_gamma_we_i,
  input  logic                prm_beta_we_i,
  input  logic [PrmAW-1:0]    prm_addr_i,
  input  logic [PrmW-1:0]     prm_data_i,
  // input row stream
  input  logic                in_valid_i,
  output logic                in_ready_o,
  input  le_pkg::wide_t       in_y_i,
  // output row stream
  output logic                out_valid_o,
  input  logic                out_ready_i,
  output le_pkg::act_t        out_x8_o,
  output le_pkg::wide_t       out_x16_o,
  output logic                out_last_o,
  // status
  output logic                idle_o
);

  localparam int unsigned S1W    = le_pkg::WideW + NW;        // signed row sum
  localparam int unsigned InvW   = 32;                        // inv in [2^30, 2^31]
  localparam int unsigned RW     = 6;                         // shift 49 - m in [19, 49]

  if (MAX_D < 1 || MAX_D > 4096) begin : gen_bad_max_d
    $error("le_layernorm: MAX_D must be in [1, 4096]");
  end
  if (PRM_WORDS < 1 || PRM_WORDS > 8 || (PRM_WORDS & (PRM_WORDS - 1)) != 0) begin : gen_bad_prm_w
    $error("le_layernorm: PRM_WORDS must be 1, 2, 4 or 8");
  end
  if ((MAX_D % PRM_WORDS) != 0) begin : gen_bad_max_d_prm
    $error("le_layernorm: MAX_D must be a multiple of PRM_WORDS");
  end

  // ---- memories ---------------------------------------------------------------------------------
  le_pkg::wide_t      mem_y [MAX_D];
  logic signed [31:0] mem_g [MAX_D];
  logic signed [31:0] mem_b [MAX_D];

  // Parameter writes: PRM_WORDS consecutive channels per write (the asymmetric-RAM write template:
  // a wide write port, a 32-bit read port); gamma' and beta' are written independently.
  always_ff @(posedge clk_i) begin
    for (int unsigned w = 0; w < PRM_WORDS; w++) begin
      if (prm_gamma_we_i) begin
        mem_g[AW'(32'(prm_addr_i) * PRM_WORDS + w)] <= prm_data_i[32*w +: 32];
      end
      if (prm_beta_we_i) begin
        mem_b[AW'(32'(prm_addr_i) * PRM_WORDS + w)] <= prm_data_i[32*w +: 32];
      end
    end
  end

  // ---- control: input pass, row statistics, hand-over -------------------------------------------
  logic [NW-1:0]     wr_cnt_d, wr_cnt_q;     // input elements accepted in this row
  logic [NW-1:0]     rd_cnt_d, rd_cnt_q;     // output-pass reads issued in the emitted row
  logic              rd_active_d, rd_active_q;

  // row constants from the statistics unit
  logic                  rs_busy, rs_valid, hand;
  logic [NW-1:0]         rs_n;
  logic signed [S1W-1:0] rs_s1;
  logic [InvW-1:0]       rs_inv;
  logic [RW-1:0]         rs_shift;

  // row being emitted (constants of the output pass)
  logic [NW-1:0]         on_d, on_q;
  logic signed [S1W-1:0] os1_d, os1_q;
  logic [InvW-1:0]       oinv_d, oinv_q;
  logic [RW-1:0]         or_d, or_q;

  logic in_fire, row_done, rd_fire, out_fire, pipe_ready;
  logic load, s1_valid, s1_ready;   // stage 1: the RAM read

  assign in_ready_o = !rs_busy && (!rd_active_q || (wr_cnt_q < rd_cnt_q));
  assign in_fire    = in_valid_i && in_ready_o;
  assign row_done   = in_fire && (wr_cnt_q == n_i - NW'(1));
  assign rd_fire    = rd_active_q && pipe_ready;   // = load (stage 1)
  assign out_fire   = out_valid_o && out_ready_i;
  assign hand       = rs_valid && !rd_active_q;    // the previous row's reads are all issued

  always_ff @(posedge clk_i) begin
    if (in_fire) begin
      mem_y[wr_cnt_q[AW-1:0]] <= in_y_i;
    end
  end

  le_ln_rowstat #(
    .MAX_D(MAX_D)
  ) u_rowstat (
    .clk_i,
    .rst_ni,
    .y_valid_i   (in_fire),
    .y_first_i   (wr_cnt_q == '0),
    .y_last_i    (row_done),
    .y_i         (in_y_i),
    .n_i,
    .eps_q_i,
    .busy_o      (rs_busy),
    .res_valid_o (rs_valid),
    .res_ready_i (hand),
    .n_o         (rs_n),
    .s1_o        (rs_s1),
    .inv_o       (rs_inv),
    .shift_o     (rs_shift)
  );

  always_comb begin
    wr_cnt_d    = wr_cnt_q;
    rd_cnt_d    = rd_cnt_q;
    rd_active_d = rd_active_q;
    on_d        = on_q;
    os1_d       = os1_q;
    oinv_d      = oinv_q;
    or_d        = or_q;

    if (in_fire) begin
      wr_cnt_d = wr_cnt_q + NW'(1);
    end
    if (rd_fire) begin
      rd_cnt_d = rd_cnt_q + NW'(1);
      if (rd_cnt_q == on_q - NW'(1)) begin
        rd_active_d = 1'b0;
      end
    end
    if (hand) begin
      on_d        = rs_n;
      os1_d       = rs_s1;
      oinv_d      = rs_inv;
      or_d        = rs_shift;
      rd_cnt_d    = '0;
      rd_active_d = 1'b1;
      wr_cnt_d    = '0;
    end
  end

  always_ff @(posedge clk_i) begin
    if (!rst_ni) begin
      wr_cnt_q    <= '0;
      rd_cnt_q    <= '0;
      rd_active_q <= 1'b0;
    end else begin
      wr_cnt_q    <= wr_cnt_d;
      rd_cnt_q    <= rd_cnt_d;
      rd_active_q <= rd_active_d;
    end
  end

  always_ff @(posedge clk_i) begin
    on_q   <= on_d;
    os1_q  <= os1_d;
    oinv_q <= oinv_d;
    or_q   <= or_d;
  end

  // ---- output pipeline --------------------------------------------------------------------------
  le_pipe_ctrl #(
    .Stages(1)
  ) u_pipe_ctrl (
    .clk_i,
    .rst_ni,
    .in_valid_i  (rd_active_q),
    .in_ready_o  (pipe_ready),
    .out_valid_o (s1_valid),
    .out_ready_i (s1_ready),
    .load_o      (load)
  );

  // Stage 1: synchronous RAM read (the block-RAM output register) and the row constants.
  le_pkg::wide_t         py_d, py_q1;
  logic signed [31:0]    pg_d, pg_q1;
  logic signed [31:0]    pb_d, pb_q1;
  logic                  last_d, last_q1;
  logic [NW-1:0]         pn_d, pn_q1;
  logic signed [S1W-1:0] ps1_d, ps1_q1;
  logic [InvW-1:0]       inv_d, inv_q1;
  logic [RW-1:0]         r_d, r_q1;
  logic [AW-1:0]         raddr;

  // Read port: the RAM read data are registered under the pipeline load (stage-1 registers), i.e.
  // a synchronous read with read enable: block-RAM inference (the output register is the RAM's).
  assign raddr  = rd_cnt_q[AW-1:0];
  assign py_d   = mem_y[raddr];
  assign pg_d   = mem_g[raddr];
  assign pb_d   = mem_b[raddr];
  assign pn_d   = on_q;
  assign ps1_d  = os1_q;
  assign last_d = (rd_cnt_q == on_q - NW'(1));
  assign inv_d  = oinv_q;
  assign r_d    = or_q;

  always_ff @(posedge clk_i) begin
    if (load) begin
      py_q1   <= py_d;
      pg_q1   <= pg_d;
      pb_q1   <= pb_d;
      last_q1 <= last_d;
      pn_q1   <= pn_d;
      ps1_q1  <= ps1_d;
      inv_q1  <= inv_d;
      r_q1    <= r_d;
    end
  end

  // Stages 2..6: normalise, scale and shift, requantise.
  le_ln_out #(
    .MAX_D(MAX_D)
  ) u_ln_out (
    .clk_i,
    .rst_ni,
    .in_valid_i  (s1_valid),
    .in_ready_o  (s1_ready),
    .in_y_i      (py_q1),
    .in_g_i      (pg_q1),
    .in_b_i      (pb_q1),
    .in_n_i      (pn_q1),
    .in_s1_i     (ps1_q1),
    .in_inv_i    (inv_q1),
    .in_shift_i  (r_q1),
    .in_last_i   (last_q1),
    .out_valid_o,
    .out_ready_i,
    .out_x8_o,
    .out_x16_o,
    .out_last_o
  );

  // ---- status -----------------------------------------------------------------------------------
  logic [2:0] inflight_d, inflight_q;   // elements in the output pipeline (<= 6)

  assign inflight_d = inflight_q + 3'(rd_fire) - 3'(out_fire);

  always_ff @(posedge clk_i) begin
    if (!rst_ni) begin
      inflight_q <= '0;
    end else begin
      inflight_q <= inflight_d;
    end
  end

  assign idle_o = !rs_busy && (wr_cnt_q == '0) && !rd_active_q && (inflight_q == '0);

endmodule
