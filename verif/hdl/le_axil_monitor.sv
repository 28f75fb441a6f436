// Copyright layer-engine contributors. Licensed under the Apache License, Version 2.0.
//
// le_axil_monitor: passive AXI4-Lite monitor, the HDL half of the pyuvm AXI4-Lite agent's monitor
// (proxy: verif/bfm/axil_monitor.py AxiLiteMonitorBfm, used by verif/agents/axil.py AxilMonitor).
// Python works per completed access; this module works per cycle. Tests: tests/rtl/cocotb_axil_bfm.py
// (on verif/hdl/le_axil_bfm_tb.sv) and every pyuvm test (le_tb_top).
//
// Purpose:      records every completed access: a write at its B handshake (the address of its AW
//               handshake, the data of its W handshake, BRESP), a read at its R handshake (the address
//               of its AR handshake, RDATA, RRESP), with the AXI4-Lite ordering checks:
//               BVALID before the AW and W handshakes, RVALID before the AR handshake. A handshake in
//               the cycle of the response counts as before it. The write and the read channel are
//               followed independently; both may complete in one cycle (the write is recorded first).
// Record:       mem_rec[k % DEPTH] = {early, write, resp[1:0], addr[ADDR_W-1:0], data[31:0]} of access
//               k (counted from time zero); rec_seq_q = accesses recorded. The proxy wakes on a value
//               change of rec_seq_q and reads the records it has not seen; it reports an overflow when more than
//               DEPTH arrived since it last read (it wakes at every change, so that needs a VPI bug).
// Reset:        synchronous, active low: nothing is recorded and the requests taken are forgotten (an
//               access cut by a reset is dropped). rec_seq_q and mem_rec[] are not reset (the proxy
//               stays in step).

module le_axil_monitor #(
  parameter int unsigned ADDR_W = 7,
  parameter int unsigned DEPTH  = 16,         // a power of two
  // Derived, not to be overridden.
  localparam int unsigned RecW  = ADDR_W + 36,
  localparam int unsigned IdxW  = $clog2(DEPTH)
) (
  input  logic              clk_i,
  input  logic              rst_ni,
  input  logic [ADDR_W-1:0] awaddr_i,
  input  logic              awvalid_i,
  input  logic              awready_i,
  input  logic [31:0]       wdata_i,
  input  logic              wvalid_i,
  input  logic              wready_i,
  input  logic [1:0]        bresp_i,
  input  logic              bvalid_i,
  input  logic              bready_i,
  input  logic [ADDR_W-1:0] araddr_i,
  input  logic              arvalid_i,
  input  logic              arready_i,
  input  logic [31:0]       rdata_i,
  input  logic [1:0]        rresp_i,
  input  logic              rvalid_i,
  input  logic              rready_i
);

  if (DEPTH < 2 || (DEPTH & (DEPTH - 1)) != 0) begin : gen_bad_depth
    $error("le_axil_monitor: DEPTH must be a power of two >= 2");
  end

  // ---- records, read by the proxy ----------------------------------------------------------------------
  logic [RecW-1:0] mem_rec [DEPTH];
  logic [31:0]     rec_seq_q = '0;

  // ---- requests taken, per channel ---------------------------------------------------------------------
  logic              aw_got_q = 1'b0, w_got_q = 1'b0, ar_got_q = 1'b0;
  logic [ADDR_W-1:0] awaddr_q = '0, araddr_q = '0;
  logic [31:0]       wdata_q  = '0;

  logic              aw_hs, w_hs, ar_hs, b_hs, r_hs, aw_got, w_got, ar_got;
  logic              aw_got_d, w_got_d, ar_got_d;
  logic [ADDR_W-1:0] awaddr_d, araddr_d;
  logic [31:0]       wdata_d, rec_seq_d;
  logic [RecW-1:0]   b_rec_d, r_rec_d;
  logic [IdxW-1:0]   b_idx, r_idx;

  assign aw_hs = awvalid_i && awready_i;
  assign w_hs  = wvalid_i && wready_i;
  assign ar_hs = arvalid_i && arready_i;
  assign b_hs  = rst_ni && bvalid_i && bready_i;
  assign r_hs  = rst_ni && rvalid_i && rready_i;

  // A request handshake in the cycle of the response counts as before it.
  always_comb begin
    aw_got    = aw_got_q || aw_hs;
    w_got     = w_got_q || w_hs;
    ar_got    = ar_got_q || ar_hs;
    awaddr_d  = aw_hs ? awaddr_i : awaddr_q;
    wdata_d   = w_hs ? wdata_i : wdata_q;
    araddr_d  = ar_hs ? araddr_i : araddr_q;
    aw_got_d  = rst_ni && aw_got && !b_hs;
    w_got_d   = rst_ni && w_got && !b_hs;
    ar_got_d  = rst_ni && ar_got && !r_hs;
    b_rec_d   = {!(aw_got && w_got), 1'b1, bresp_i, awaddr_d, wdata_d};
    r_rec_d   = {!ar_got, 1'b0, rresp_i, araddr_d, rdata_i};
    b_idx     = rec_seq_q[IdxW-1:0];
    r_idx     = b_hs ? b_idx + 1'b1 : b_idx;
    rec_seq_d = rec_seq_q + 32'(b_hs) + 32'(r_hs);
  end

  always_ff @(posedge clk_i) begin
    aw_got_q  <= aw_got_d;
    w_got_q   <= w_got_d;
    ar_got_q  <= ar_got_d;
    awaddr_q  <= awaddr_d;
    wdata_q   <= wdata_d;
    araddr_q  <= araddr_d;
    rec_seq_q <= rec_seq_d;
    if (b_hs) mem_rec[b_idx] <= b_rec_d;
    if (r_hs) mem_rec[r_idx] <= r_rec_d;
  end

endmodule
