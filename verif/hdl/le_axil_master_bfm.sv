// Copyright layer-engine contributors. Licensed under the Apache License, Version 2.0.
//
// le_axil_master_bfm: AXI4-Lite master BFM, the HDL half of a split transactor (proxy:
// verif/bfm/axil_master.py AxiLiteMaster, used by the pyuvm AXI4-Lite agent's driver). Python works
// per CSR access; this module works per cycle. Tests: tests/rtl/cocotb_axil_bfm.py (on
// verif/hdl/le_axil_bfm_tb.sv) and every pyuvm test (le_tb_top).
//
// Purpose:      one AXI4-Lite access per command: a write (AWVALID and WVALID raised together,
//               BREADY high until the B handshake) or a read (ARVALID, RREADY high until the R
//               handshake), each bounded by a timeout in clock edges, with the cycle timing of the
//               Python master it replaces (the valids are up for the first edge after the command).
// Selection:    enable (a proxy register, 0 at time zero) goes out on enable_o; le_tb_top drives the
//               engine's s_axil_* inputs from this BFM only while it is 1, and from its own top-level
//               ports otherwise (the SystemC harness and the bare C++ loop drive those: with enable
//               never written, this BFM is constant and the ports pass straight through).
// Protocol with the proxy (all through VPI, no per-cycle Python):
//               1. the proxy writes cmd_addr, cmd_wdata, cmd_wstrb, cmd_write and timeout_cycles,
//               2. bumps go_seq (+1); while enable = 1 and no access is in flight, a go_seq differing
//                  from the last one taken starts the access combinationally (valids up at once),
//               3. waits for a value change of done_seq_q until done_seq_q == go_seq, then reads
//                  rsp_status_q, rsp_data_q (RDATA of a read), rsp_resp_q (BRESP / RRESP) and, after
//                  a timeout, rsp_aw_pend_q / rsp_w_pend_q (the request handshakes that never happened).
//               The cmd_* registers must not be written while an access is in flight (the proxy
//               serialises accesses).
// rsp_status_q: 0 OK; 1 TIMEOUT (no response within timeout_cycles edges; the valids are dropped);
//               2 EARLY (BVALID before the AW and W handshakes / RVALID before the AR handshake, the
//               response taken); 3 X (X/Z on a valid or a ready the master looks at: 4-state
//               simulators only, Verilator is 2-state).
// Latency:      go_seq written after edge N -> valids seen by the slave at edge N+1; done_seq_q moves
//               at the edge of the response handshake.
// Reset:        none: like the Python master it replaces, the BFM follows its access through a reset
//               of the slave (the slave's reset is the test's business). Registers start at zero.
// The proxy registers carry public_flat_rw so any Verilator build lets VPI write them; they are
// written by nothing else than their declaration initialiser.

module le_axil_master_bfm #(
  parameter int unsigned ADDR_W = 7
) (
  input  logic              clk_i,
  output logic              enable_o,
  output logic [ADDR_W-1:0] awaddr_o,
  output logic [2:0]        awprot_o,
  output logic              awvalid_o,
  input  logic              awready_i,
  output logic [31:0]       wdata_o,
  output logic [3:0]        wstrb_o,
  output logic              wvalid_o,
  input  logic              wready_i,
  input  logic [1:0]        bresp_i,
  input  logic              bvalid_i,
  output logic              bready_o,
  output logic [ADDR_W-1:0] araddr_o,
  output logic [2:0]        arprot_o,
  output logic              arvalid_o,
  input  logic              arready_i,
  input  logic [31:0]       rdata_i,
  input  logic [1:0]        rresp_i,
  input  logic              rvalid_i,
  output logic              rready_o
);

  localparam logic [1:0] StOk = 2'd0, StTimeout = 2'd1, StEarly = 2'd2, StX = 2'd3;

  // ---- proxy registers: written by the Python proxy only -------------------------------------------
  logic              enable         /*verilator public_flat_rw*/ = 1'b0;
  logic [ADDR_W-1:0] cmd_addr       /*verilator public_flat_rw*/ = '0;
  logic [31:0]       cmd_wdata      /*verilator public_flat_rw*/ = '0;
  logic [3:0]        cmd_wstrb      /*verilator public_flat_rw*/ = '0;
  logic              cmd_write      /*verilator public_flat_rw*/ = 1'b0;
  logic [31:0]       timeout_cycles /*verilator public_flat_rw*/ = 32'd1000;
  logic [31:0]       go_seq         /*verilator public_flat_rw*/ = '0;

  // ---- status, read by the proxy ---------------------------------------------------------------------
  logic [31:0] done_seq_q    = '0;     // go_seq of the latest finished access
  logic [1:0]  rsp_status_q  = StOk;
  logic [31:0] rsp_data_q    = '0;
  logic [1:0]  rsp_resp_q    = '0;
  logic        rsp_aw_pend_q = 1'b0;   // at a timeout: AW (W) never handshaken
  logic        rsp_w_pend_q  = 1'b0;

  // ---- the access in flight ------------------------------------------------------------------------
  logic [31:0] go_seen_q = '0;         // go_seq of the access in flight / last taken
  logic        busy_q    = 1'b0;
  logic        aw_pend_q = 1'b0, w_pend_q = 1'b0, ar_pend_q = 1'b0;
  logic [31:0] edges_q   = '0;         // edges of the access in flight so far

  logic [31:0] done_seq_d, rsp_data_d, go_seen_d, edges_d;
  logic [1:0]  rsp_status_d, rsp_resp_d;
  logic        rsp_aw_pend_d, rsp_w_pend_d, busy_d;
  logic        start, active, aw_pend, w_pend, ar_pend, aw_pend_d, w_pend_d, ar_pend_d;
  logic        resp, early, unknown, expired;

  assign start   = enable && !busy_q && (go_seq != go_seen_q);
  assign active  = busy_q || start;
  assign aw_pend = busy_q ? aw_pend_q : start && cmd_write;
  assign w_pend  = busy_q ? w_pend_q  : start && cmd_write;
  assign ar_pend = busy_q ? ar_pend_q : start && !cmd_write;

  // This edge's request handshakes are taken before its response is looked at.
  always_comb begin
    aw_pend_d = aw_pend && !awready_i;
    w_pend_d  = w_pend && !wready_i;
    ar_pend_d = ar_pend && !arready_i;
    if (cmd_write) begin
      resp    = bvalid_i;
      early   = aw_pend_d || w_pend_d;
      unknown = $isunknown(bvalid_i) || (aw_pend && $isunknown(awready_i))
                || (w_pend && $isunknown(wready_i));
    end else begin
      resp    = rvalid_i;
      early   = ar_pend_d;
      unknown = $isunknown(rvalid_i) || (ar_pend && $isunknown(arready_i));
    end
    expired = (start ? 32'd0 : edges_q) + 32'd1 >= timeout_cycles;
  end

  always_comb begin
    go_seen_d     = start ? go_seq : go_seen_q;
    busy_d        = busy_q;
    edges_d       = edges_q;
    done_seq_d    = done_seq_q;
    rsp_status_d  = rsp_status_q;
    rsp_data_d    = rsp_data_q;
    rsp_resp_d    = rsp_resp_q;
    rsp_aw_pend_d = rsp_aw_pend_q;
    rsp_w_pend_d  = rsp_w_pend_q;
    if (active) begin
      if (unknown || resp || expired) begin
        busy_d        = 1'b0;
        done_seq_d    = go_seen_d;
        rsp_status_d  = unknown ? StX : resp ? (early ? StEarly : StOk) : StTimeout;
        rsp_data_d    = rdata_i;
        rsp_resp_d    = cmd_write ? bresp_i : rresp_i;
        rsp_aw_pend_d = aw_pend_d;
        rsp_w_pend_d  = w_pend_d;
      end else begin
        busy_d  = 1'b1;
        edges_d = (start ? 32'd0 : edges_q) + 32'd1;
      end
    end
  end

  always_ff @(posedge clk_i) begin
    go_seen_q     <= go_seen_d;
    busy_q        <= busy_d;
    edges_q       <= edges_d;
    aw_pend_q     <= aw_pend_d;
    w_pend_q      <= w_pend_d;
    ar_pend_q     <= ar_pend_d;
    done_seq_q    <= done_seq_d;
    rsp_status_q  <= rsp_status_d;
    rsp_data_q    <= rsp_data_d;
    rsp_resp_q    <= rsp_resp_d;
    rsp_aw_pend_q <= rsp_aw_pend_d;
    rsp_w_pend_q  <= rsp_w_pend_d;
  end

  assign enable_o  = enable;
  assign awaddr_o  = cmd_addr;
  assign awprot_o  = 3'b000;
  assign awvalid_o = aw_pend;
  assign wdata_o   = cmd_wdata;
  assign wstrb_o   = cmd_wstrb;
  assign wvalid_o  = w_pend;
  assign bready_o  = active && cmd_write;
  assign araddr_o  = cmd_addr;
  assign arprot_o  = 3'b000;
  assign arvalid_o = ar_pend;
  assign rready_o  = active && !cmd_write;

endmodule
