// Copyright layer-engine contributors. Licensed under the Apache License, Version 2.0.
//
// le_gemv: gemv, int8 weight rows x resident int8 vector -> one int32 accumulator per row.
//
// Purpose:             acc[r] = sum_c x[c] * w[r, c] for a stream of output-major weight rows
//                      (docs/numerics.md, "gemv"). Rows of consecutive tiles stream back to
//                      back; the module does not see tile boundaries (integer addition is exact, so
//                      tiling never changes a result).
// Golden twin:         models.ops.gemv (applied tile by tile, results concatenated).
// Test:                tests/rtl/test_rtl_gemv.py
// Latency:             5 cycles from the transfer of a row's last weight beat to the transfer of
//                      its result (acc_valid_o rises 4 cycles after that edge); from the row's
//                      first beat: d_in/LANES + 4 cycles. No stalls assumed.
// Initiation interval: 1 cycle per weight beat, with no bubble between rows or tiles, while the
//                      output is not back-pressured (1 row per cycle when d_in = LANES). When it
//                      is, w_ready_o drops once OUT_DEPTH row results are in flight or buffered
//                      (credit counter); nothing is lost or duplicated.
// Throughput:          LANES int8 x int8 MACs per cycle (LANES = bytes of the AXI data bus);
//                      1 row per d_in/LANES cycles.
//
// Interfaces
//   x write port  x_we_i / x_addr_i / x_data_i: writes beat x_addr_i of the resident vector, i.e.
//                 elements x[x_addr_i*LANES + i] in lane i (bits [8i+7:8i]), one beat per cycle.
//                 The vector is read at the edge that accepts a weight beat, so a reload may start
//                 the cycle after the last weight beat of the previous run was accepted (its
//                 results may still be draining; idle_o is not required) and must complete before
//                 the first beat of the next run is accepted.
//   d_in_i        elements per row: a multiple of LANES in [LANES, MAX_D_IN]. Sampled on every
//                 accepted weight beat; it may change only between rows (no row partially
//                 received), e.g. together with an x reload.
//   w stream      w_valid_i / w_ready_o / w_data_i: one bus beat = LANES int8 weights, lane i =
//                 bits [8i+7:8i] = element beat*LANES + i of the row (DDR byte order). A row is
//                 d_in/LANES consecutive beats; rows (and tiles) follow back to back.
//   acc stream    acc_valid_o / acc_ready_i / acc_data_o: one int32 accumulator per row, in row
//                 order.
//   idle_o        1 when no row is partially received, in the pipeline or buffered.
//
// Pipeline (every stage advances every cycle; the credit counter guarantees room at the end):
//   1  accept the beat: register w, read the x RAM (synchronous read)
//   2  LANES products (int8 x int8 -> 16 bit: DSP or LUT multipliers)
//   3  adder tree levels 1-2: LANES/4 sums of 4 products (18 bit)
//   4  remaining adder tree levels: the beat sum (16 + log2(LANES) bit)
//   5  accumulate into int32 (the first beat of a row restarts from 0); the row's last beat pushes
//      the result into the OUT_DEPTH-entry output FIFO (le_stream_fifo).
// Reset:               synchronous, active low (rst_ni). Control state only; data registers are not
//                      reset (they load only with a valid item).

`ifndef LE_ASSERT_SVH
`include "le_assert.svh"  // guarded: rtl/layer_engine.f lists it first; a lone build: -y rtl
`endif

module le_gemv
  import le_pkg::*;
#(
  parameter int unsigned LANES     = 16,    // MAC lanes = bytes per bus beat: 8, 16 or 32
  parameter int unsigned MAX_D_IN  = 1536,  // largest d_in (x RAM depth in elements)
  parameter int unsigned OUT_DEPTH = 8,     // output FIFO entries; >= 6 for II = 1 with 1-beat rows
  // Derived, not to be overridden.
  localparam int unsigned BusW     = LANES * ActW,
  localparam int unsigned XDepth   = MAX_D_IN / LANES,
  localparam int unsigned XAddrW   = (XDepth > 1) ? $clog2(XDepth) : 1,
  localparam int unsigned DInW     = $clog2(MAX_D_IN + 1)
) (
  input  logic              clk_i,
  input  logic              rst_ni,
  // runtime configuration
  input  logic [DInW-1:0]   d_in_i,
  // x RAM write port
  input  logic              x_we_i,
  input  logic [XAddrW-1:0] x_addr_i,
  input  logic [BusW-1:0]   x_data_i,
  // weight stream
  input  logic              w_valid_i,
  output logic              w_ready_o,
  input  logic [BusW-1:0]   w_data_i,
  // accumulator stream
  output logic              acc_valid_o,
  input  logic              acc_ready_i,
  output acc_t              acc_data_o,
  // status
  output logic              idle_o
);

  localparam int unsigned LaneShift = $clog2(LANES);
  localparam int unsigned ProdW     = 2 * ActW;            // |x*w| <= 2^14: exact in 16 signed bits
  localparam int unsigned Quads     = LANES / 4;
  localparam int unsigned QuadW     = ProdW + 2;
  localparam int unsigned SumW      = ProdW + LaneShift;
  localparam int unsigned CreditW   = $clog2(OUT_DEPTH + 1);
  localparam logic [CreditW-1:0] CreditMax = CreditW'(OUT_DEPTH);

  if (LANES != 8 && LANES != 16 && LANES != 32) begin : gen_bad_lanes
    $error("le_gemv: LANES must be 8, 16 or 32");
  end
  if (MAX_D_IN < LANES || (MAX_D_IN % LANES) != 0) begin : gen_bad_max_d_in
    $error("le_gemv: MAX_D_IN must be a positive multiple of LANES");
  end
  if (OUT_DEPTH < 6) begin : gen_bad_out_depth
    $error("le_gemv: OUT_DEPTH must be >= 6 (5 row results in flight + 1)");
  end

  // ---- stage 1: accept a weight beat, read the x RAM --------------------------------------------
  logic [XAddrW-1:0]  beat_d, beat_q;          // beat index within the row = x RAM read address
  logic [XAddrW-1:0]  beat_last;
  logic               w_fire, row_last;
  logic [CreditW-1:0] credit_d, credit_q;      // row results that may still enter the output FIFO
  logic               acc_pop;

  assign beat_last = XAddrW'((d_in_i >> LaneShift) - DInW'(1));
  assign row_last  = (beat_q == beat_last);
  assign w_ready_o = (credit_q != '0);
  assign w_fire    = w_valid_i & w_ready_o;
  assign acc_pop   = acc_valid_o & acc_ready_i;

  always_comb begin
    beat_d = beat_q;
    if (w_fire) begin
      beat_d = row_last ? '0 : beat_q + 1'b1;
    end
    credit_d = credit_q - CreditW'(w_fire & row_last) + CreditW'(acc_pop);
  end

  // x RAM: XDepth x (LANES*8) bits, 1 write port + 1 synchronous read port (simple dual port):
  // block RAM, e.g. RAMB36E2 in 512 x 72 SDP mode (1 for LANES = 8, 2 for 16, 4 for 32). x_rd_q is
  // the RAM's read register (read enable = w_fire, address = beat_q).
  logic [BusW-1:0] mem_x [XDepth];
  logic [BusW-1:0] x_rd_d, x_rd_q;

  always_ff @(posedge clk_i) begin
    if (x_we_i) begin
      mem_x[x_addr_i] <= x_data_i;
    end
  end

  assign x_rd_d = mem_x[beat_q];

  always_ff @(posedge clk_i) begin
    if (w_fire) begin
      x_rd_q <= x_rd_d;
    end
  end

  // Pipeline control: valid/first/last of stage k in *_q<k>.
  logic            valid_d, first_d, last_d;
  logic            valid_q1, valid_q2, valid_q3, valid_q4;
  logic            first_q1, first_q2, first_q3, first_q4;
  logic            last_q1, last_q2, last_q3, last_q4;
  logic [BusW-1:0] w_d, w_q1;

  assign valid_d = w_fire;
  assign first_d = (beat_q == '0);
  assign last_d  = row_last;
  assign w_d     = w_data_i;

  always_ff @(posedge clk_i) begin
    if (w_fire) begin
      w_q1     <= w_d;
      first_q1 <= first_d;
      last_q1  <= last_d;
    end
  end

  // ---- stage 2: LANES products ------------------------------------------------------------------
  logic signed [ProdW-1:0] prod_d [LANES];
  logic signed [ProdW-1:0] prod_q [LANES];

  always_comb begin
    for (int i = 0; i < int'(LANES); i++) begin
      prod_d[i] = ProdW'(act_t'(x_rd_q[i*ActW +: ActW])) * ProdW'(act_t'(w_q1[i*ActW +: ActW]));
    end
  end

  always_ff @(posedge clk_i) begin
    if (valid_q1) begin
      prod_q   <= prod_d;
      first_q2 <= first_q1;
      last_q2  <= last_q1;
    end
  end

  // ---- stage 3: adder tree levels 1-2 (sums of 4 products) --------------------------------------
  logic signed [QuadW-1:0] quad_d [Quads];
  logic signed [QuadW-1:0] quad_q [Quads];

  always_comb begin
    for (int g = 0; g < int'(Quads); g++) begin
      quad_d[g] = (QuadW'(prod_q[4*g])     + QuadW'(prod_q[4*g + 1]))
                + (QuadW'(prod_q[4*g + 2]) + QuadW'(prod_q[4*g + 3]));
    end
  end

  always_ff @(posedge clk_i) begin
    if (valid_q2) begin
      quad_q   <= quad_d;
      first_q3 <= first_q2;
      last_q3  <= last_q2;
    end
  end

  // ---- stage 4: remaining adder tree levels (balanced, log2(LANES/4) levels) --------------------
  logic signed [SumW-1:0] beat_sum_d, beat_sum_q;
  logic signed [SumW-1:0] tree [Quads];

  always_comb begin
    for (int g = 0; g < int'(Quads); g++) begin
      tree[g] = SumW'(quad_q[g]);
    end
    // In-place pairwise reduction: level n adds tree[2i] + tree[2i+1] into tree[i], i < n.
    for (int n = int'(Quads) / 2; n >= 1; n = n / 2) begin
      for (int i = 0; i < n; i++) begin
        tree[i] = tree[2*i] + tree[2*i + 1];
      end
    end
    beat_sum_d = tree[0];
  end

  always_ff @(posedge clk_i) begin
    if (valid_q3) begin
      beat_sum_q <= beat_sum_d;
      first_q4   <= first_q3;
      last_q4    <= last_q3;
    end
  end

  // ---- stage 5: accumulate; the last beat of a row pushes the result ----------------------------
  acc_t acc_d, acc_q;
  logic unused_fifo_ready;   // always 1 when pushed: the credit counter reserves the entry

  assign acc_d = (first_q4 ? acc_t'(0) : acc_q) + acc_t'(beat_sum_q);

  always_ff @(posedge clk_i) begin
    if (valid_q4) begin
      acc_q <= acc_d;
    end
  end

  le_stream_fifo #(
    .WIDTH (AccW),
    .DEPTH (OUT_DEPTH)
  ) u_out_fifo (
    .clk_i,
    .rst_ni,
    .in_valid_i  (valid_q4 & last_q4),
    .in_ready_o  (unused_fifo_ready),
    .in_data_i   (acc_d),
    .out_valid_o (acc_valid_o),
    .out_ready_i (acc_ready_i),
    .out_data_o  (acc_data_o)
  );

  // ---- control flops ----------------------------------------------------------------------------
  always_ff @(posedge clk_i) begin
    if (!rst_ni) begin
      beat_q   <= '0;
      credit_q <= CreditMax;
      valid_q1 <= 1'b0;
      valid_q2 <= 1'b0;
      valid_q3 <= 1'b0;
      valid_q4 <= 1'b0;
    end else begin
      beat_q   <= beat_d;
      credit_q <= credit_d;
      valid_q1 <= valid_d;
      valid_q2 <= valid_q1;
      valid_q3 <= valid_q2;
      valid_q4 <= valid_q3;
    end
  end

  // Every accepted row holds a credit until its result leaves the FIFO.
  assign idle_o = (credit_q == CreditMax) && (beat_q == '0);

  // ---- assertions (rtl/le_assert.svh) -------------------------------------------------------------
  // The output FIFO ignores in_ready_o: the credit counter must have reserved the entry.
  `LE_ASSERT(OutFifoCredit_A, valid_q4 && last_q4 |-> unused_fifo_ready)

endmodule
