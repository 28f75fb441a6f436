// Copyright layer-engine contributors. Licensed under the Apache License, Version 2.0.
//
// le_axil_checker: AXI4-Lite protocol checker for the engine's CSR slave port s_axil_*, bound to it by
// verif/hdl/le_bind.sv (docs/verification.md#assertions). Passive: inputs only; out of ARESETn = rst_ni.
//
// The engine (the slave), `LE_ASSERT (*_A):
//   BValidHeld / RValidHeld    BVALID / RVALID, once high, stay high until BREADY / RREADY
//   BStable / RStable          BRESP / RDATA, RRESP do not change while VALID && !READY
//   BNoReq                     a B answers a write whose address and data were both taken
//   RNoReq                     an R answers a read whose address was taken
// The host (the master), the engine's input contract, `LE_ASSUME (*_M):
//   AwValidHeld / WValidHeld / ArValidHeld, AwStable / WStable / ArStable   as above for the requests
// Compiled to nothing without LE_ASSERT_ON (rtl/le_assert.svh).
`ifndef LE_ASSERT_SVH
`include "le_assert.svh"  // guarded: the file lists put it first, a lone build finds it with -y rtl
`endif

module le_axil_checker #(
  parameter int unsigned ADDR_W = 7
) (
  input  logic              clk_i,
  input  logic              rst_ni,
  input  logic [ADDR_W-1:0] awaddr_i,
  input  logic [2:0]        awprot_i,
  input  logic              awvalid_i,
  input  logic              awready_i,
  input  logic [31:0]       wdata_i,
  input  logic [3:0]        wstrb_i,
  input  logic              wvalid_i,
  input  logic              wready_i,
  input  logic [1:0]        bresp_i,
  input  logic              bvalid_i,
  input  logic              bready_i,
  input  logic [ADDR_W-1:0] araddr_i,
  input  logic [2:0]        arprot_i,
  input  logic              arvalid_i,
  input  logic              arready_i,
  input  logic [31:0]       rdata_i,
  input  logic [1:0]        rresp_i,
  input  logic              rvalid_i,
  input  logic              rready_i
);

`ifdef LE_ASSERT_ON

  // Requests taken and not yet answered (a B needs both its AW and its W).
  logic [7:0] aw_pend_d, aw_pend_q, w_pend_d, w_pend_q, ar_pend_d, ar_pend_q;
  logic       aw_hs, w_hs, ar_hs, b_hs, r_hs;
  assign aw_hs = awvalid_i && awready_i;
  assign w_hs  = wvalid_i && wready_i;
  assign ar_hs = arvalid_i && arready_i;
  assign b_hs  = bvalid_i && bready_i;
  assign r_hs  = rvalid_i && rready_i;

  assign aw_pend_d = aw_pend_q + 8'(aw_hs) - 8'(b_hs);
  assign w_pend_d  = w_pend_q + 8'(w_hs) - 8'(b_hs);
  assign ar_pend_d = ar_pend_q + 8'(ar_hs) - 8'(r_hs);

  always_ff @(posedge clk_i) begin
    if (!rst_ni) begin
      aw_pend_q <= '0;
      w_pend_q  <= '0;
      ar_pend_q <= '0;
    end else begin
      aw_pend_q <= aw_pend_d;
      w_pend_q  <= w_pend_d;
      ar_pend_q <= ar_pend_d;
    end
  end

  `LE_ASSERT(BValidHeld_A, bvalid_i && !bready_i |=> bvalid_i)
  `LE_ASSERT(BStable_A, bvalid_i && !bready_i |=> $stable(bresp_i))
  `LE_ASSERT(RValidHeld_A, rvalid_i && !rready_i |=> rvalid_i)
  `LE_ASSERT(RStable_A, rvalid_i && !rready_i |=> $stable({rdata_i, rresp_i}))
  `LE_ASSERT(BNoReq_A, bvalid_i |-> aw_pend_q != '0 && w_pend_q != '0)
  `LE_ASSERT(RNoReq_A, rvalid_i |-> ar_pend_q != '0)
  `LE_ASSERT_KNOWN(BValidKnown_A, bvalid_i)
  `LE_ASSERT_KNOWN(RValidKnown_A, rvalid_i)
  `LE_ASSUME(AwValidHeld_M, awvalid_i && !awready_i |=> awvalid_i)
  `LE_ASSUME(AwStable_M, awvalid_i && !awready_i |=> $stable({awaddr_i, awprot_i}))
  `LE_ASSUME(WValidHeld_M, wvalid_i && !wready_i |=> wvalid_i)
  `LE_ASSUME(WStable_M, wvalid_i && !wready_i |=> $stable({wdata_i, wstrb_i}))
  `LE_ASSUME(ArValidHeld_M, arvalid_i && !arready_i |=> arvalid_i)
  `LE_ASSUME(ArStable_M, arvalid_i && !arready_i |=> $stable({araddr_i, arprot_i}))

  // Read only by the properties.
  logic unused;
  assign unused = ^{awaddr_i, awprot_i, wdata_i, wstrb_i, bresp_i, araddr_i, arprot_i, rdata_i,
                    rresp_i};

`else  // LE_ASSERT_ON: no checks, nothing to build

  logic unused;
  assign unused = ^{clk_i, rst_ni, awaddr_i, awprot_i, awvalid_i, awready_i, wdata_i, wstrb_i,
                    wvalid_i, wready_i, bresp_i, bvalid_i, bready_i, araddr_i, arprot_i,
                    arvalid_i, arready_i, rdata_i, rresp_i, rvalid_i, rready_i};

`endif  // LE_ASSERT_ON

endmodule
