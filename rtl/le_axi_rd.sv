// Copyright layer-engine contributors. Licensed under the Apache License, Version 2.0.
//
// le_axi_rd: AXI4 read DMA. Byte-range read commands in, an in-order beat stream out.
//
// Purpose:             splits each command into AXI4 INCR bursts (<= 256 beats, never crossing a
//                      4 KB boundary; le_axi_burst_split), keeps up to MAX_OUTSTANDING bursts in
//                      flight, accepts R data out of order across IDs (and interleaved beat by
//                      beat), re-orders it in a reorder buffer and delivers it in command order.
// Golden twin:         none: control - the AXI4 read DMA (bursts of models/schedule.py bursts;
//                      pure data movement: tests/rtl/cocotb_axi_rd.py checks every byte against
//                      the AXI4 slave BFM's memory, verif/hdl/le_axi_slave_bfm.sv).
// Test:                tests/rtl/test_rtl_axi_rd.py, tests/rtl/test_rtl_axi_slave_bfm.py
// Latency:             3 cycles from the edge that transfers an R beat to the edge that transfers
//                      it on the out stream, for a beat at the head of the stream with out_ready_i
//                      high (reorder-buffer write, synchronous buffer read, output FIFO;
//                      out_valid_o rises 2 cycles after the R transfer).
// Initiation interval: 1 cycle per output beat while the memory keeps up and out_ready_i is high,
//                      across burst, 4 KB and command boundaries, as long as the bursts in flight
//                      cover the memory round trip (MAX_OUTSTANDING bursts of B beats cover about
//                      MAX_OUTSTANDING * B cycles; measured: long commands at fixed latency 4).
//                      Limits for tiny commands: the splitter takes one command per 2 cycles
//                      (cmd_ready_o is low in the cycle after an acceptance), so 1-beat commands
//                      flow at 1 beat per 2 cycles (measured); and every burst owns one reorder
//                      slot, so short bursts are also limited to MAX_OUTSTANDING per memory round
//                      trip.
// Throughput:          1 bus beat (AXI_DATA_W / 8 bytes) per cycle.
//
// Interfaces
//   cmd stream    cmd_valid_i / cmd_ready_o / cmd_addr_i / cmd_len_i: cmd_addr_i is a byte address,
//                 aligned to the bus (AXI_DATA_W / 8 bytes); cmd_len_i is the length in bytes, a
//                 non-zero multiple of the bus bytes (low bits are ignored; 0 is illegal). One
//                 command is split at a time; cmd_ready_o rises again once its last burst is
//                 issued.
//   out stream    out_valid_o / out_ready_i / out_data_o / out_last_o / out_resp_o: the command's
//                 bytes in address order, one bus beat per transfer (byte i of the beat at bits
//                 [8i+7:8i]); out_last_o marks the last beat of each command; out_resp_o is the
//                 RRESP the memory returned with that beat (0 = OKAY).
//   AXI4 AR/R     master read channels, m_axi_* (a top level may rename them). Constants:
//                 ARSIZE = log2(AXI_DATA_W / 8), ARBURST = INCR (2'b01), ARLOCK = 0 (normal),
//                 ARCACHE = 4'b0011 (normal non-cacheable bufferable), ARPROT = 3'b000 (data,
//                 secure, unprivileged). RREADY is constantly 1: buffer space for every burst is
//                 reserved when its AR is issued. RLAST is not needed (beats are counted).
//   error         err_o is sticky: set by the first R beat whose RRESP != OKAY, err_resp_o holds
//                 that RRESP; err_clr_i clears both. Erroneous beats are still delivered (with
//                 out_resp_o), so a command always completes and nothing hangs.
//   perf          bytes_read_o: bytes received on R; stall_cycles_o: cycles in which out_ready_i is
//                 high, out_valid_o is low and a command is still in progress (waiting on read
//                 data). Both wrap at 2^CNT_W, cleared by reset only.
//   idle_o        1 when no command is being split, no burst is outstanding or buffered.
//
// ID scheme and reorder buffer
//   The buffer has MAX_OUTSTANDING slots of 256 beats (one maximal burst each). Bursts are given
//   slots in rotating order 0, 1, ..., MAX_OUTSTANDING-1, 0, ... and ARID = slot number. A slot is
//   reused only after all of its beats were delivered, so no two outstanding bursts ever share an
//   ID: the memory may return all outstanding bursts in any order and interleave them. A beat is
//   written at (RID, beats received so far for RID); the read side walks the slots in allocation
//   order and reads a beat out as soon as it is present. The buffer is
//   MAX_OUTSTANDING * 256 entries of AXI_DATA_W + 2 bits ({RRESP, RDATA}) with 1 write and 1
//   synchronous read port (simple dual-port block RAM; MAX_OUTSTANDING = 4: 1024 x 130 bits = 4
//   RAMB36E2 in 512 x 72 mode for a 128-bit bus, 2 for 64-bit). Reads enter a 3-entry output FIFO
//   under a credit counter (3 entries cover the read + FIFO round trip at 1 beat per cycle), so
//   the read side never stalls the buffer and out_ready_i has no combinational path to AXI.
// Reset:               synchronous, active low (rst_ni). Control state only.

`ifndef LE_ASSERT_SVH
`include "le_assert.svh"  // guarded: rtl/layer_engine.f lists it first; a lone build: -y rtl
`endif

module le_axi_rd #(
  parameter int unsigned AXI_DATA_W      = 128,  // 64, 128 or 256
  parameter int unsigned AXI_ADDR_W      = 32,
  parameter int unsigned AXI_ID_W        = 4,    // >= log2(MAX_OUTSTANDING)
  parameter int unsigned MAX_OUTSTANDING = 4,    // power of two, >= 4
  parameter int unsigned LEN_W           = 32,   // width of cmd_len_i (bytes), >= 16
  parameter int unsigned CNT_W           = 32,   // perf counter width
  // Derived, not to be overridden.
  localparam int unsigned BusBytes       = AXI_DATA_W / 8
) (
  input  logic                  clk_i,
  input  logic                  rst_ni,
  // command stream
  input  logic                  cmd_valid_i,
  output logic                  cmd_ready_o,
  input  logic [AXI_ADDR_W-1:0] cmd_addr_i,
  input  logic [LEN_W-1:0]      cmd_len_i,
  // data stream
  output logic                  out_valid_o,
  input  logic                  out_ready_i,
  output logic [AXI_DATA_W-1:0] out_data_o,
  output logic                  out_last_o,
  output le_axi_pkg::resp_t     out_resp_o,
  // AXI4 read address channel
  output logic [AXI_ID_W-1:0]   m_axi_arid_o,
  output logic [AXI_ADDR_W-1:0] m_axi_araddr_o,
  output le_axi_pkg::len_t      m_axi_arlen_o,
  output le_axi_pkg::size_t     m_axi_arsize_o,
  output le_axi_pkg::burst_t    m_axi_arburst_o,
  output logic                  m_axi_arlock_o,
  output logic [3:0]            m_axi_arcache_o,
  output logic [2:0]            m_axi_arprot_o,
  output logic                  m_axi_arvalid_o,
  input  logic                  m_axi_arready_i,
  // AXI4 read data channel
  input  logic [AXI_ID_W-1:0]   m_axi_rid_i,
  input  logic [AXI_DATA_W-1:0] m_axi_rdata_i,
  input  le_axi_pkg::resp_t     m_axi_rresp_i,
  input  logic                  m_axi_rlast_i,
  input  logic                  m_axi_rvalid_i,
  output logic                  m_axi_rready_o,
  // error and status
  output logic                  err_o,
  output le_axi_pkg::resp_t     err_resp_o,
  input  logic                  err_clr_i,
  output logic [CNT_W-1:0]      bytes_read_o,
  output logic [CNT_W-1:0]      stall_cycles_o,
  output logic                  idle_o
);

  localparam int unsigned NSlots    = MAX_OUTSTANDING;
  localparam int unsigned SlotW     = $clog2(NSlots);
  localparam int unsigned EntW      = AXI_DATA_W + 2;          // {rresp, rdata}
  localparam logic [SlotW-1:0] SlotLast = SlotW'(NSlots - 1);

  if (AXI_DATA_W != 64 && AXI_DATA_W != 128 && AXI_DATA_W != 256) begin : gen_bad_data_w
    $error("le_axi_rd: AXI_DATA_W must be 64, 128 or 256");
  end
  if (NSlots < 4 || (NSlots & (NSlots - 1)) != 0) begin : gen_bad_outstanding
    $error("le_axi_rd: MAX_OUTSTANDING must be a power of two >= 4");
  end
  if (AXI_ID_W < SlotW) begin : gen_bad_id_w
    $error("le_axi_rd: AXI_ID_W must be >= log2(MAX_OUTSTANDING)");
  end
  if (LEN_W < 16 || AXI_ADDR_W < 13) begin : gen_bad_len_w
    $error("le_axi_rd: LEN_W must be >= 16 and AXI_ADDR_W >= 13");
  end

  // ---- command splitter / AR channel ------------------------------------------------------------
  logic                  bvalid, blast;              // splitter: next burst, ends its command
  logic [AXI_ADDR_W-1:0] baddr;                      // its address
  le_axi_pkg::len_t      blen;                       // its ARLEN (beats - 1)
  logic                  bready, issue;              // burst transfer: AR register + slot load
  logic                  arvalid_d, arvalid_q;
  logic [AXI_ADDR_W-1:0] araddr_d, araddr_q;
  le_axi_pkg::len_t      arlen_d, arlen_q;
  logic [SlotW-1:0]      arslot_d, arslot_q;
  logic [SlotW-1:0]      alloc_d, alloc_q;           // next slot (= ID) to allocate

  // ---- slot state -------------------------------------------------------------------------------
  logic [NSlots-1:0]     busy_d, busy_q;             // allocated, not fully delivered
  logic [NSlots-1:0]     clast_d, clast_q;           // the burst ends its command
  le_axi_pkg::len_t      len_d [NSlots];             // ARLEN of the slot's burst
  le_axi_pkg::len_t      len_q [NSlots];
  logic [8:0]            wcnt_d [NSlots];            // beats received
  logic [8:0]            wcnt_q [NSlots];

  // ---- R write / read side ----------------------------------------------------------------------
  logic                  rfire;
  logic [SlotW-1:0]      rslot;
  logic [SlotW-1:0]      rd_d, rd_q;                 // slot being delivered
  le_axi_pkg::len_t      rbeat_d, rbeat_q;           // beat within it
  logic                  avail, rd_last, push, pop;
  logic                  fifo_ready;
  logic [EntW-1:0]       mem_q [NSlots * le_axi_pkg::MaxBurstBeats];
  logic [EntW-1:0]       rd_data_d, rd_data_q;       // the buffer's read register
  logic                  rd_valid_d, rd_valid_q, rd_clast_d, rd_clast_q;
  logic [1:0]            credit_d, credit_q;         // output FIFO entries not yet claimed
  logic [EntW:0]         fifo_out;

  // The splitter's burst is taken in the cycle its slot is free and the AR register can load, so
  // back-to-back bursts leave no bubble (burst_valid_o does not depend on burst_ready_i).
  le_axi_burst_split #(
    .ADDR_W   (AXI_ADDR_W),
    .LEN_W    (LEN_W),
    .BUS_BYTES(BusBytes)
  ) u_burst_split (
    .clk_i,
    .rst_ni,
    .cmd_valid_i,
    .cmd_ready_o,
    .cmd_addr_i,
    .cmd_len_i,
    .burst_valid_o (bvalid),
    .burst_ready_i (bready),
    .burst_addr_o  (baddr),
    .burst_len_o   (blen),
    .burst_last_o  (blast)
  );

  assign bready = !busy_q[alloc_q] & (!arvalid_q | m_axi_arready_i);
  assign issue  = bvalid & bready;

  assign rfire   = m_axi_rvalid_i;                   // m_axi_rready_o is constantly 1
  assign rslot   = m_axi_rid_i[SlotW-1:0];
  assign avail   = busy_q[rd_q] & ({1'b0, rbeat_q} < wcnt_q[rd_q]);
  assign rd_last = (rbeat_q == len_q[rd_q]);
  assign push    = avail & (credit_q != 2'd0);      // read the beat out of the buffer
  assign pop     = out_valid_o & out_ready_i;
  assign credit_d = credit_q - 2'(push) + 2'(pop);
  assign rd_valid_d = push;
  assign rd_clast_d = clast_q[rd_q] & rd_last;      // the beat ends its command

  always_comb begin
    arvalid_d    = arvalid_q;
    araddr_d     = araddr_q;
    arlen_d      = arlen_q;
    arslot_d     = arslot_q;
    alloc_d      = alloc_q;
    busy_d       = busy_q;
    clast_d      = clast_q;
    len_d        = len_q;
    wcnt_d       = wcnt_q;
    rd_d         = rd_q;
    rbeat_d      = rbeat_q;
    if (arvalid_q && m_axi_arready_i) begin
      arvalid_d = 1'b0;
    end
    if (issue) begin
      arvalid_d        = 1'b1;
      araddr_d         = baddr;
      arlen_d          = blen;
      arslot_d         = alloc_q;
      alloc_d          = (alloc_q == SlotLast) ? '0 : alloc_q + 1'b1;
      busy_d[alloc_q]  = 1'b1;
      clast_d[alloc_q] = blast;
      len_d[alloc_q]   = blen;
      wcnt_d[alloc_q]  = '0;
    end
    if (rfire) begin
      wcnt_d[rslot] = wcnt_q[rslot] + 1'b1;
    end
    if (push) begin
      if (rd_last) begin
        busy_d[rd_q] = 1'b0;
        rd_d         = (rd_q == SlotLast) ? '0 : rd_q + 1'b1;
        rbeat_d      = '0;
      end else begin
        rbeat_d = rbeat_q + 1'b1;
      end
    end
  end

  always_ff @(posedge clk_i) begin
    if (!rst_ni) begin
      arvalid_q    <= 1'b0;
      araddr_q     <= '0;
      arlen_q      <= '0;
      arslot_q     <= '0;
      alloc_q      <= '0;
      busy_q       <= '0;
      clast_q      <= '0;
      len_q        <= '{default: '0};
      wcnt_q       <= '{default: '0};
      rd_q         <= '0;
      rbeat_q      <= '0;
      rd_valid_q   <= 1'b0;
      credit_q     <= 2'd3;
    end else begin
      arvalid_q    <= arvalid_d;
      araddr_q     <= araddr_d;
      arlen_q      <= arlen_d;
      arslot_q     <= arslot_d;
      alloc_q      <= alloc_d;
      busy_q       <= busy_d;
      clast_q      <= clast_d;
      len_q        <= len_d;
      wcnt_q       <= wcnt_d;
      rd_q         <= rd_d;
      rbeat_q      <= rbeat_d;
      rd_valid_q   <= rd_valid_d;
      credit_q     <= credit_d;
    end
  end

  // Reorder buffer: NSlots * 256 entries of {rresp, rdata}; 1 write port (R channel), 1 synchronous
  // read port (delivery side; read enable = push, rd_data_q is the RAM's read register). A beat is
  // read only after the edge that wrote it (wcnt_q counts written beats), so there is no
  // read-during-write collision.
  always_ff @(posedge clk_i) begin
    if (rfire) begin
      mem_q[{rslot, wcnt_q[rslot][le_axi_pkg::LenW-1:0]}] <= {m_axi_rresp_i, m_axi_rdata_i};
    end
  end

  assign rd_data_d = mem_q[{rd_q, rbeat_q}];

  always_ff @(posedge clk_i) begin
    if (push) begin
      rd_data_q  <= rd_data_d;
      rd_clast_q <= rd_clast_d;
    end
  end

  // Output FIFO: never full when rd_valid_q is high (credit counter), so in_ready_o is not needed.
  le_stream_fifo #(
    .WIDTH(EntW + 1),
    .DEPTH(3)
  ) u_out_fifo (
    .clk_i,
    .rst_ni,
    .in_valid_i (rd_valid_q),
    .in_ready_o (fifo_ready),
    .in_data_i  ({rd_clast_q, rd_data_q}),
    .out_valid_o,
    .out_ready_i,
    .out_data_o (fifo_out)
  );

  assign out_last_o = fifo_out[EntW];
  assign out_resp_o = fifo_out[EntW-1 -: 2];
  assign out_data_o = fifo_out[AXI_DATA_W-1:0];

  // ---- AXI constant fields ----------------------------------------------------------------------
  assign m_axi_arid_o    = AXI_ID_W'(arslot_q);
  assign m_axi_araddr_o  = araddr_q;
  assign m_axi_arlen_o   = arlen_q;
  assign m_axi_arsize_o  = le_axi_pkg::size_of(BusBytes);
  assign m_axi_arburst_o = le_axi_pkg::BurstIncr;
  assign m_axi_arlock_o  = le_axi_pkg::LockNormal;
  assign m_axi_arcache_o = le_axi_pkg::CacheBufNoAlloc;
  assign m_axi_arprot_o  = le_axi_pkg::ProtData;
  assign m_axi_arvalid_o = arvalid_q;
  assign m_axi_rready_o  = 1'b1;

  // ---- error, perf counters, status -------------------------------------------------------------
  logic             err_d, err_q;
  le_axi_pkg::resp_t err_resp_d, err_resp_q;
  logic [CNT_W-1:0] bytes_d, bytes_q, stall_d, stall_q;
  logic             in_progress, stalled;

  assign in_progress = bvalid | (|busy_q) | rd_valid_q;
  assign stalled     = out_ready_i & !out_valid_o & in_progress;

  always_comb begin
    err_d      = err_q;
    err_resp_d = err_resp_q;
    if (err_clr_i) begin
      err_d      = 1'b0;
      err_resp_d = '0;
    end
    if (rfire && m_axi_rresp_i != le_axi_pkg::RespOkay && !err_d) begin
      err_d      = 1'b1;
      err_resp_d = m_axi_rresp_i;
    end
    bytes_d = bytes_q + (rfire ? CNT_W'(BusBytes) : '0);
    stall_d = stall_q + CNT_W'(stalled);
  end

  always_ff @(posedge clk_i) begin
    if (!rst_ni) begin
      err_q      <= 1'b0;
      err_resp_q <= '0;
      bytes_q    <= '0;
      stall_q    <= '0;
    end else begin
      err_q      <= err_d;
      err_resp_q <= err_resp_d;
      bytes_q    <= bytes_d;
      stall_q    <= stall_d;
    end
  end

  assign err_o          = err_q;
  assign err_resp_o     = err_resp_q;
  assign bytes_read_o   = bytes_q;
  assign stall_cycles_o = stall_q;
  assign idle_o         = !in_progress & !out_valid_o;

  // Bits read only in part: RID bits above the slot number (a correct slave returns only IDs we
  // issued), RLAST (beats are counted per slot), the output FIFO's in_ready_o (the credit counter
  // guarantees room).
  logic unused_bits;
  assign unused_bits = ^{m_axi_rid_i, m_axi_rlast_i, fifo_ready};

  // ---- assertions (rtl/le_assert.svh) -------------------------------------------------------------
  // The output FIFO ignores in_ready_o: the credit counter must keep a free entry for every beat.
  `LE_ASSERT(OutFifoCredit_A, rd_valid_q |-> fifo_ready)

endmodule
