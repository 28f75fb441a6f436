// Copyright layer-engine contributors. Licensed under the Apache License, Version 2.0.
//
// le_act_lut: act_lut (banked GELU table), one channel per cycle.
//
//   y = lut[bank][u & 0xFF]          ActBanks = 4 banks x 256 int8 entries
//
// Golden twin:         models.ops.act_lut (docs/numerics.md, "act_lut").
// Test:                tests/rtl/test_rtl_act_lut.py
// Latency:             2 cycles (input transfer at clock edge t -> output transfer at edge t + 2
//                      when the output is not stalled).
// Initiation interval: 1 cycle.
// Throughput:          1 channel per cycle.
//
// Table: an inferred 1024 x 8 RAM addressed by {bank, u} (u's two's-complement byte), written
// a bus beat (LANES entries) at a time: an asymmetric simple dual-port RAM (write port LANES x 8
// bits, read port 8 bits; the write is the asymmetric-RAM template, a loop over the beat's bytes).
// Intended mapping: block RAM in simple dual-port mode, port A = the write port below (loaded from
// DDR, L<l>.gelu_lut), port B = the stream's read. Xilinx: one RAMB36 at LANES = 8 (64-bit write
// port); its ports are at most 72 bits wide, so LANES = 16 / 32 take 2 / 4 RAMB36 (Intel M20K
// likewise). Pipeline stage 1 is the BRAM's synchronous read (enable = load[0]), stage 2 its
// optional output register (DOB_REG / REGCE = load[1]), so the stall enables map onto the
// primitive's clock enables and no extra fabric register is needed. Distributed (LUT) RAM would
// also work but costs a few hundred LUTs per instance; it is not intended.
//
// Write port: lut_we_i writes the beat lut_data_i at the rising edge: byte i (bits [8i+7:8i])
// goes to flat entry e = lut_addr_i*LANES + i, e = bank*256 + index, i.e. exactly the DDR byte
// order of the (4, 256) int8 gelu_lut tensor, so the loader forwards its AXI read beats unchanged
// (1024/LANES beats per table). It is independent of the stream and never stalls. A stream read
// of an entry at the same edge as that entry's write returns the old value (read-first); the
// engine loads a layer's tables before its FFN streams them, so it never relies on this. The
// table is not reset: load it before use.
// Stream reset: synchronous, active low; empties the pipeline.

module le_act_lut #(
  parameter int unsigned LANES = 16,    // table entries per write beat = bytes of the AXI data bus
  // Derived, not to be overridden.
  localparam int unsigned AddrW  = le_pkg::ActBankW + le_pkg::ActW,           // 10
  localparam int unsigned Depth  = le_pkg::ActBanks * (1 << le_pkg::ActW),    // 1024
  localparam int unsigned BeatAW = $clog2(Depth / LANES),
  localparam int unsigned BusW   = LANES * le_pkg::ActW
) (
  input  logic                          clk_i,
  input  logic                          rst_ni,

  // Table write port (the engine's loader): one bus beat of the flattened table per cycle.
  input  logic                          lut_we_i,
  input  logic [BeatAW-1:0]             lut_addr_i,    // beat index: entries lut_addr_i*LANES + i
  input  logic [BusW-1:0]               lut_data_i,

  // Stream: u (int8 code) and its channel's bank id.
  input  logic                          in_valid_i,
  output logic                          in_ready_o,
  input  le_pkg::act_t                  in_u_i,
  input  logic [le_pkg::ActBankW-1:0]   in_bank_i,

  output logic                          out_valid_o,
  input  logic                          out_ready_i,
  output le_pkg::act_t                  out_y_o
);

  localparam int unsigned Stages = 2;

  if (LANES != 8 && LANES != 16 && LANES != 32) begin : gen_bad_lanes
    $error("le_act_lut: LANES must be 8, 16 or 32");
  end

  logic [Stages-1:0] load;

  le_pipe_ctrl #(
    .Stages(Stages)
  ) u_pipe_ctrl (
    .clk_i,
    .rst_ni,
    .in_valid_i,
    .in_ready_o,
    .out_valid_o,
    .out_ready_i,
    .load_o(load)
  );

  // ---- Table: simple dual-port RAM, synchronous read --------------------------------------------
  (* ram_style = "block" *) le_pkg::act_t mem_q [Depth];

  logic [AddrW-1:0] raddr;
  le_pkg::act_t     rd_q1, rd_q2;

  assign raddr = {in_bank_i, in_u_i};

  // Write: the beat's LANES bytes into LANES consecutive entries (asymmetric-port write template).
  always_ff @(posedge clk_i) begin
    if (lut_we_i) begin
      for (int unsigned i = 0; i < LANES; i++) begin
        mem_q[{lut_addr_i, (AddrW - BeatAW)'(i)}] <= lut_data_i[le_pkg::ActW*i +: le_pkg::ActW];
      end
    end
  end

  // Stage 1: the RAM's read register (port B enable).
  always_ff @(posedge clk_i) begin
    if (load[0]) begin
      rd_q1 <= mem_q[raddr];
    end
  end

  // Stage 2: the RAM's output register (port B output-register enable).
  always_ff @(posedge clk_i) begin
    if (load[1]) begin
      rd_q2 <= rd_q1;
    end
  end

  assign out_y_o = rd_q2;

endmodule
