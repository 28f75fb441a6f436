// Copyright layer-engine contributors. Licensed under the Apache License, Version 2.0.
//
// le_axi_burst_split: AXI4 INCR burst splitter shared by the DMAs (le_axi_rd, le_axi_wr).
//
// Purpose:             cuts a command (bus-aligned byte address, byte length) into AXI4 INCR bursts
//                      of at most 256 beats that never cross a 4 KB boundary. Each burst is
//                      min(beats left, 256, beats up to the next 4 KB boundary) long; the next
//                      burst starts where the previous one ended. Slot / ID allocation and the AXI
//                      address register stay in the DMA, which loads them on a burst transfer.
// Golden twin:         models/schedule.py bursts (the same split of one transfer; checked through
//                      the DMAs' cocotb tests: the BFM's burst records must be exactly that split,
//                      and the BFM flags 4 KB crossings and bursts > 256).
// Test:                tests/rtl/test_rtl_axi_rd.py, tests/rtl/test_rtl_axi_wr.py (inside the DMAs)
// Latency:             1 cycle: the first burst of a command is on burst_*_o (burst_valid_o = 1)
//                      right after the edge that transfers the command.
// Initiation interval: 1 cycle per burst while burst_ready_i is high (no bubble between the bursts
//                      of a command). One command is split at a time: cmd_ready_o is low from the
//                      acceptance to the transfer of its last burst, so a command of N bursts takes
//                      N + 1 cycles (1-beat commands: 1 command per 2 cycles).
// Throughput:          1 burst per cycle.
//
// Interfaces
//   cmd stream    cmd_valid_i / cmd_ready_o / cmd_addr_i / cmd_len_i: cmd_addr_i is a byte address,
//                 aligned to the bus (BUS_BYTES); cmd_len_i is the length in bytes, a non-zero
//                 multiple of BUS_BYTES (low bits are ignored; 0 is illegal). cmd_ready_o comes
//                 from a flop (= no command in progress).
//   burst stream  burst_valid_o / burst_ready_i / burst_addr_o / burst_len_o / burst_last_o:
//                 burst_addr_o is the burst's byte address, burst_len_o its AXI LEN (beats - 1),
//                 burst_last_o marks the burst that ends its command. All are functions of flops
//                 only (no combinational path from any input); burst_valid_o never depends on
//                 burst_ready_i, and the payload holds while burst_valid_o is high and
//                 burst_ready_i low.
// Reset:               synchronous, active low (rst_ni). Control state only.

module le_axi_burst_split #(
  parameter int unsigned ADDR_W    = 32,  // byte address width, >= 13
  parameter int unsigned LEN_W     = 32,  // width of cmd_len_i (bytes), >= 16
  parameter int unsigned BUS_BYTES = 16   // bytes per beat, power of two, 1..128
) (
  input  logic              clk_i,
  input  logic              rst_ni,
  // command stream
  input  logic              cmd_valid_i,
  output logic              cmd_ready_o,
  input  logic [ADDR_W-1:0] cmd_addr_i,
  input  logic [LEN_W-1:0]  cmd_len_i,
  // burst stream
  output logic              burst_valid_o,
  input  logic              burst_ready_i,
  output logic [ADDR_W-1:0] burst_addr_o,
  output le_axi_pkg::len_t  burst_len_o,
  output logic              burst_last_o
);

  localparam int unsigned BShift    = $clog2(BUS_BYTES);
  localparam int unsigned BeatsW    = LEN_W - BShift;          // beats of a command
  localparam int unsigned PageBeats = le_axi_pkg::PageBytes / BUS_BYTES;   // beats in a 4 KB page
  localparam int unsigned PgW       = le_axi_pkg::PageW + 1 - BShift;      // holds 0..PageBeats
  localparam logic [BeatsW-1:0] MaxBeats = BeatsW'(le_axi_pkg::MaxBurstBeats);

  if (BUS_BYTES < 1 || BUS_BYTES > 128 || (BUS_BYTES & (BUS_BYTES - 1)) != 0) begin : gen_bad_bus
    $error("le_axi_burst_split: BUS_BYTES must be a power of two in 1..128");
  end
  if (LEN_W < 16 || ADDR_W < le_axi_pkg::PageW + 1) begin : gen_bad_len_w
    $error("le_axi_burst_split: LEN_W must be >= 16 and ADDR_W >= 13");
  end

  logic              active_d, active_q;   // a command is being split
  logic [ADDR_W-1:0] addr_d, addr_q;       // address of the next burst
  logic [BeatsW-1:0] rem_d, rem_q;         // beats of the command not yet issued
  logic [PgW-1:0]    to_bnd;               // beats up to the next 4 KB boundary
  logic [BeatsW-1:0] blen;                 // beats of the next burst (1..256)
  logic              cmd_fire, burst_fire;

  assign to_bnd     = PgW'(PageBeats) - PgW'(addr_q[le_axi_pkg::PageW-1:BShift]);
  assign cmd_fire   = cmd_valid_i & cmd_ready_o;
  assign burst_fire = burst_valid_o & burst_ready_i;

  always_comb begin
    blen = (rem_q < MaxBeats) ? rem_q : MaxBeats;
    if (BeatsW'(to_bnd) < blen) begin
      blen = BeatsW'(to_bnd);
    end
  end

  always_comb begin
    active_d = active_q;
    addr_d   = addr_q;
    rem_d    = rem_q;
    if (cmd_fire) begin
      active_d = 1'b1;
      addr_d   = cmd_addr_i;
      rem_d    = BeatsW'(cmd_len_i >> BShift);
    end
    if (burst_fire) begin
      addr_d   = addr_q + (ADDR_W'(blen) << BShift);
      rem_d    = rem_q - blen;
      active_d = (rem_q != blen);
    end
  end

  always_ff @(posedge clk_i) begin
    if (!rst_ni) begin
      active_q <= 1'b0;
      addr_q   <= '0;
      rem_q    <= '0;
    end else begin
      active_q <= active_d;
      addr_q   <= addr_d;
      rem_q    <= rem_d;
    end
  end

  assign cmd_ready_o   = !active_q;
  assign burst_valid_o = active_q;
  assign burst_addr_o  = addr_q;
  assign burst_len_o   = le_axi_pkg::len_t'(blen - BeatsW'(1));
  assign burst_last_o  = (rem_q == blen);

  // Bits read only in part: the command length below bus granularity.
  logic unused_bits;
  assign unused_bits = ^cmd_len_i;

endmodule
