// Copyright layer-engine contributors. Licensed under the Apache License, Version 2.0.
//
// le_axi_wr: AXI4 write DMA for the K/V appends. Byte-range write commands and an in-order data
// beat stream in, AXI4 AW/W/B out.
//
// Purpose:             splits each command into AXI4 INCR bursts (<= 256 beats, never crossing a
//                      4 KB boundary; le_axi_burst_split), keeps up to MAX_OUTSTANDING bursts in
//                      flight (AW issued, B not yet received), sends the data stream's beats on W
//                      in command order with WLAST on the last beat of every burst, and checks
//                      every B response.
// Golden twin:         none: control - the AXI4 write DMA of the K/V appends (models/schedule.py
//                      kv_writes; pure data movement: tests/rtl/cocotb_axi_wr.py checks every
//                      written byte and strobe against the AXI4 slave BFM's write records).
// Test:                tests/rtl/test_rtl_axi_wr.py, tests/rtl/test_rtl_axi_slave_bfm.py
// Latency:             1 cycle from the edge that transfers a data beat on the in stream to the
//                      edge that transfers it on W (WREADY high): one W output FIFO stage.
// Initiation interval: 1 cycle per W beat while the memory keeps up and in_valid_i is high, across
//                      burst, 4 KB and command boundaries, as long as the bursts in flight cover the
//                      W + B round trip (a slot is freed by its B response; measured: long commands
//                      at B latency 4). Limits for tiny commands: the splitter takes one command per
//                      2 cycles (cmd_ready_o is low in the cycle after an acceptance), and every
//                      burst owns one slot until its B response, so short bursts are limited to
//                      MAX_OUTSTANDING per W + B round trip (measured: back-to-back K/V appends of
//                      4..16 beats still flow at 1 beat per cycle at B latency 4).
// Throughput:          1 bus beat (AXI_DATA_W / 8 bytes) per cycle.
//
// Interfaces
//   cmd stream    cmd_valid_i / cmd_ready_o / cmd_addr_i / cmd_len_i: cmd_addr_i is a byte address,
//                 aligned to the bus (AXI_DATA_W / 8 bytes); cmd_len_i is the length in bytes, a
//                 non-zero multiple of the bus bytes (low bits are ignored; 0 is illegal). K/V rows
//                 are whole beats (models/schedule.py kv_writes: d_head is a multiple of the lanes
//                 and rows are 64-byte aligned), so partial beats are not supported: WSTRB is all
//                 ones on every beat. One command is split at a time; cmd_ready_o rises again once
//                 its last burst is issued.
//   in stream     in_valid_i / in_ready_o / in_data_i: the bytes of the commands, in command order,
//                 one bus beat per transfer (byte i of the beat at bits [8i+7:8i]). A beat is
//                 accepted only once the burst it belongs to has been allocated (in_ready_o is low
//                 otherwise); there is no per-command framing on this stream.
//   AXI4 AW/W/B   master write channels, m_axi_* (a top level may rename them). Constants:
//                 AWSIZE = log2(AXI_DATA_W / 8), AWBURST = INCR (2'b01), AWLOCK = 0 (normal),
//                 AWCACHE = 4'b0011 (normal non-cacheable bufferable), AWPROT = 3'b000 (data,
//                 secure, unprivileged), WSTRB = all ones. W beats of a burst may be driven before
//                 its AW handshake (AXI4 allows it; AWVALID never waits for WREADY). BREADY is
//                 constantly 1.
//   error         err_o is sticky: set by the first B response whose BRESP != OKAY, err_resp_o holds
//                 that BRESP; err_clr_i clears both. An erroneous burst still completes and frees
//                 its slot, so every command completes and nothing hangs.
//   perf          bytes_written_o: bytes transferred on W; stall_cycles_o: cycles in which
//                 in_valid_i is high and in_ready_o is low (data waiting for the bus or for a
//                 burst slot). Both wrap at 2^CNT_W, cleared by reset only.
//   idle_o        1 when no command is being split and every issued burst has received its B
//                 response (every W beat is sent and acknowledged): the engine raises DONE only
//                 after this.
//
// ID scheme
//   Bursts are given slots in rotating order 0, 1, ..., MAX_OUTSTANDING-1, 0, ... and AWID = slot
//   number. A slot is reused only after its B response arrived, so no two outstanding bursts share
//   an ID: the memory may return B responses of different IDs in any order. The W side walks the
//   slots in the same allocation order (AXI4 W data follows AW order).
// Reset:               synchronous, active low (rst_ni). Control state only.

module le_axi_wr #(
  parameter int unsigned AXI_DATA_W      = 128,  // 64, 128 or 256
  parameter int unsigned AXI_ADDR_W      = 32,
  parameter int unsigned AXI_ID_W        = 4,    // >= log2(MAX_OUTSTANDING)
  parameter int unsigned MAX_OUTSTANDING = 4,    // power of two, >= 2
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
  input  logic                  in_valid_i,
  output logic                  in_ready_o,
  input  logic [AXI_DATA_W-1:0] in_data_i,
  // AXI4 write address channel
  output logic [AXI_ID_W-1:0]   m_axi_awid_o,
  output logic [AXI_ADDR_W-1:0] m_axi_awaddr_o,
  output le_axi_pkg::len_t      m_axi_awlen_o,
  output le_axi_pkg::size_t     m_axi_awsize_o,
  output le_axi_pkg::burst_t    m_axi_awburst_o,
  output logic                  m_axi_awlock_o,
  output logic [3:0]            m_axi_awcache_o,
  output logic [2:0]            m_axi_awprot_o,
  output logic                  m_axi_awvalid_o,
  input  logic                  m_axi_awready_i,
  // AXI4 write data channel
  output logic [AXI_DATA_W-1:0] m_axi_wdata_o,
  output logic [BusBytes-1:0]   m_axi_wstrb_o,
  output logic                  m_axi_wlast_o,
  output logic                  m_axi_wvalid_o,
  input  logic                  m_axi_wready_i,
  // AXI4 write response channel
  input  logic [AXI_ID_W-1:0]   m_axi_bid_i,
  input  le_axi_pkg::resp_t     m_axi_bresp_i,
  input  logic                  m_axi_bvalid_i,
  output logic                  m_axi_bready_o,
  // error and status
  output logic                  err_o,
  output le_axi_pkg::resp_t     err_resp_o,
  input  logic                  err_clr_i,
  output logic [CNT_W-1:0]      bytes_written_o,
  output logic [CNT_W-1:0]      stall_cycles_o,
  output logic                  idle_o
);

  localparam int unsigned NSlots    = MAX_OUTSTANDING;
  localparam int unsigned SlotW     = (NSlots > 1) ? $clog2(NSlots) : 1;
  localparam logic [SlotW-1:0] SlotLast = SlotW'(NSlots - 1);

  if (AXI_DATA_W != 64 && AXI_DATA_W != 128 && AXI_DATA_W != 256) begin : gen_bad_data_w
    $error("le_axi_wr: AXI_DATA_W must be 64, 128 or 256");
  end
  if (NSlots < 2 || (NSlots & (NSlots - 1)) != 0) begin : gen_bad_outstanding
    $error("le_axi_wr: MAX_OUTSTANDING must be a power of two >= 2");
  end
  if (AXI_ID_W < SlotW) begin : gen_bad_id_w
    $error("le_axi_wr: AXI_ID_W must be >= log2(MAX_OUTSTANDING)");
  end
  if (LEN_W < 16 || AXI_ADDR_W < 13) begin : gen_bad_len_w
    $error("le_axi_wr: LEN_W must be >= 16 and AXI_ADDR_W >= 13");
  end

  // ---- command splitter / AW channel ------------------------------------------------------------
  logic                  bvalid, blast;              // splitter: next burst, ends its command
  logic [AXI_ADDR_W-1:0] baddr;                      // its address
  le_axi_pkg::len_t      blen;                       // its AWLEN (beats - 1)
  logic                  bready, issue;              // burst transfer: AW register + slot load
  logic                  awvalid_d, awvalid_q;
  logic [AXI_ADDR_W-1:0] awaddr_d, awaddr_q;
  le_axi_pkg::len_t      awlen_d, awlen_q;
  logic [SlotW-1:0]      awslot_d, awslot_q;
  logic [SlotW-1:0]      alloc_d, alloc_q;           // next slot (= ID) to allocate

  // ---- slot state -------------------------------------------------------------------------------
  logic [NSlots-1:0]     busy_d, busy_q;             // allocated, B response not yet received
  logic [NSlots-1:0]     wpend_d, wpend_q;           // allocated, W beats not all accepted
  le_axi_pkg::len_t      len_d [NSlots];             // AWLEN of the slot's burst
  le_axi_pkg::len_t      len_q [NSlots];

  // ---- W side -----------------------------------------------------------------------------------
  logic [SlotW-1:0]      ws_d, ws_q;                 // slot whose beats are being accepted
  logic [7:0]            wbeat_d, wbeat_q;           // beat within it
  logic                  wlast, in_fire, fifo_in_ready, bfire;
  logic [SlotW-1:0]      bslot;

  // The splitter's burst is taken in the cycle its slot is free and the AW register can load, so
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

  assign bready = !busy_q[alloc_q] & (!awvalid_q | m_axi_awready_i);
  assign issue  = bvalid & bready;

  assign wlast      = (wbeat_q == len_q[ws_q]);
  assign in_ready_o = wpend_q[ws_q] & fifo_in_ready;
  assign in_fire    = in_valid_i & in_ready_o;
  assign bfire      = m_axi_bvalid_i;                // m_axi_bready_o is constantly 1
  assign bslot      = m_axi_bid_i[SlotW-1:0];

  always_comb begin
    awvalid_d    = awvalid_q;
    awaddr_d     = awaddr_q;
    awlen_d      = awlen_q;
    awslot_d     = awslot_q;
    alloc_d      = alloc_q;
    busy_d       = busy_q;
    wpend_d      = wpend_q;
    len_d        = len_q;
    ws_d         = ws_q;
    wbeat_d      = wbeat_q;
    if (awvalid_q && m_axi_awready_i) begin
      awvalid_d = 1'b0;
    end
    // A B response frees its slot (never the slot allocated below: that one is not busy).
    if (bfire) begin
      busy_d[bslot] = 1'b0;
    end
    if (issue) begin
      awvalid_d        = 1'b1;
      awaddr_d         = baddr;
      awlen_d          = blen;
      awslot_d         = alloc_q;
      alloc_d          = (alloc_q == SlotLast) ? '0 : alloc_q + 1'b1;
      busy_d[alloc_q]  = 1'b1;
      wpend_d[alloc_q] = 1'b1;
      len_d[alloc_q]   = blen;
    end
    // The slot being filled has wpend_q set, so it is never the one allocated above.
    if (in_fire) begin
      if (wlast) begin
        wpend_d[ws_q] = 1'b0;
        ws_d          = (ws_q == SlotLast) ? '0 : ws_q + 1'b1;
        wbeat_d       = '0;
      end else begin
        wbeat_d = wbeat_q + 1'b1;
      end
    end
  end

  always_ff @(posedge clk_i) begin
    if (!rst_ni) begin
      awvalid_q    <= 1'b0;
      awaddr_q     <= '0;
      awlen_q      <= '0;
      awslot_q     <= '0;
      alloc_q      <= '0;
      busy_q       <= '0;
      wpend_q      <= '0;
      len_q        <= '{default: '0};
      ws_q         <= '0;
      wbeat_q      <= '0;
    end else begin
      awvalid_q    <= awvalid_d;
      awaddr_q     <= awaddr_d;
      awlen_q      <= awlen_d;
      awslot_q     <= awslot_d;
      alloc_q      <= alloc_d;
      busy_q       <= busy_d;
      wpend_q      <= wpend_d;
      len_q        <= len_d;
      ws_q         <= ws_d;
      wbeat_q      <= wbeat_d;
    end
  end

  // W output stage: {WLAST, WDATA} from flops, so neither in_ready_o nor anything else has a
  // combinational path from WREADY. Depth 2 sustains 1 beat per cycle (a full FIFO refuses a push).
  logic [AXI_DATA_W:0] w_out;

  le_stream_fifo #(
    .WIDTH(AXI_DATA_W + 1),
    .DEPTH(2)
  ) u_w_fifo (
    .clk_i,
    .rst_ni,
    .in_valid_i  (in_valid_i & wpend_q[ws_q]),
    .in_ready_o  (fifo_in_ready),
    .in_data_i   ({wlast, in_data_i}),
    .out_valid_o (m_axi_wvalid_o),
    .out_ready_i (m_axi_wready_i),
    .out_data_o  (w_out)
  );

  // ---- AXI constant fields ----------------------------------------------------------------------
  assign m_axi_awid_o    = AXI_ID_W'(awslot_q);
  assign m_axi_awaddr_o  = awaddr_q;
  assign m_axi_awlen_o   = awlen_q;
  assign m_axi_awsize_o  = le_axi_pkg::size_of(BusBytes);
  assign m_axi_awburst_o = le_axi_pkg::BurstIncr;
  assign m_axi_awlock_o  = le_axi_pkg::LockNormal;
  assign m_axi_awcache_o = le_axi_pkg::CacheBufNoAlloc;
  assign m_axi_awprot_o  = le_axi_pkg::ProtData;
  assign m_axi_awvalid_o = awvalid_q;
  assign m_axi_wdata_o   = w_out[AXI_DATA_W-1:0];
  assign m_axi_wlast_o   = w_out[AXI_DATA_W];
  assign m_axi_wstrb_o   = '1;
  assign m_axi_bready_o  = 1'b1;

  // ---- error, perf counters, status -------------------------------------------------------------
  logic             err_d, err_q;
  le_axi_pkg::resp_t err_resp_d, err_resp_q;
  logic [CNT_W-1:0] bytes_d, bytes_q, stall_d, stall_q;
  logic             wfire;

  assign wfire = m_axi_wvalid_o & m_axi_wready_i;

  always_comb begin
    err_d      = err_q;
    err_resp_d = err_resp_q;
    if (err_clr_i) begin
      err_d      = 1'b0;
      err_resp_d = '0;
    end
    if (bfire && m_axi_bresp_i != le_axi_pkg::RespOkay && !err_d) begin
      err_d      = 1'b1;
      err_resp_d = m_axi_bresp_i;
    end
    bytes_d = bytes_q + (wfire ? CNT_W'(BusBytes) : '0);
    stall_d = stall_q + CNT_W'(in_valid_i & !in_ready_o);
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

  assign err_o           = err_q;
  assign err_resp_o      = err_resp_q;
  assign bytes_written_o = bytes_q;
  assign stall_cycles_o  = stall_q;
  assign idle_o          = !bvalid & !(|busy_q);

  // Bits read only in part: BID bits above the slot number (a correct slave returns only IDs we
  // issued); the splitter's burst_last_o (commands are not framed on the W side).
  logic unused_bits;
  assign unused_bits = ^{m_axi_bid_i, blast};

endmodule
