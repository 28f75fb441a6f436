// Copyright layer-engine contributors. Licensed under the Apache License, Version 2.0.
//
// le_host_if: the engine's host side - the CSR block (PeakRDL-regblock le_csr_reg, rtl/csr/le_csr.rdl)
// and its map onto the engine, the START-time config check and the token control.
//
// Purpose:             owns every reference to the generated hardware interface (hwif_in/hwif_out),
//                      so the rest of the engine sees plain signals. Host -> engine: the config as
//                      the CSRs hold it now (cfg_now_o, checked at START by le_cfg_check), the
//                      token's copy latched when a START is accepted (cfg_o), and le_token_ctrl's
//                      start / abort / soft-reset / datapath-clear controls. Engine -> host: STATUS,
//                      the IRQ events (IRQ_STATUS, cleared by a SOFT_RESET; irq_o =
//                      |(IRQ_STATUS & IRQ_ENABLE)), the PERF_* counters and the HW_PARAMS /
//                      HW_MAX_DIMS constants.
// Golden twin:         none: control - the register map of docs/csr.md and the token protocol
//                      (the host's view of both is models/golden_device.py GoldenDevice).
// Test:                the env's tests (regress/testlist.yaml; pytest runs each:
//                      tests/rtl/test_uvm_testlist.py); the CSR block alone: tests/rtl/test_rtl_csr.py.
// Latency:             the map is combinational; cfg_o follows cfg_now_o 1 cycle after the START is
//                      accepted (start_o); STATUS reflects a START/SOFT_RESET 1 cycle after its CSR
//                      write pulse (le_token_ctrl); the CSR block's own timing is PeakRDL's.
// Initiation interval: one token at a time.
// Throughput:          n/a (control).
// Reset:               rst_ni: synchronous, active low.

`ifndef LE_ASSERT_SVH
`include "le_assert.svh"  // guarded: rtl/layer_engine.f lists it first; a lone build: -y rtl
`endif

module le_host_if
  import le_ctrl_pkg::*;
#(
  parameter int unsigned LANES       = 16,
  parameter int unsigned MAX_D_MODEL = 1024,
  parameter int unsigned MAX_D_FF    = 4096,
  parameter int unsigned MAX_HEADS   = 16,
  parameter int unsigned MAX_D_HEAD  = 128,
  parameter int unsigned MAX_SEQ     = 512,
  parameter int unsigned MAX_VOCAB   = 32768,
  parameter int unsigned MAX_LAYERS  = 16
) (
  input  logic        clk_i,
  input  logic        rst_ni,
  // AXI4-Lite CSR slave
  input  logic [6:0]  s_axil_awaddr_i,
  input  logic [2:0]  s_axil_awprot_i,
  input  logic        s_axil_awvalid_i,
  output logic        s_axil_awready_o,
  input  logic [31:0] s_axil_wdata_i,
  input  logic [3:0]  s_axil_wstrb_i,
  input  logic        s_axil_wvalid_i,
  output logic        s_axil_wready_o,
  output logic [1:0]  s_axil_bresp_o,
  output logic        s_axil_bvalid_o,
  input  logic        s_axil_bready_i,
  input  logic [6:0]  s_axil_araddr_i,
  input  logic [2:0]  s_axil_arprot_i,
  input  logic        s_axil_arvalid_i,
  output logic        s_axil_arready_o,
  output logic [31:0] s_axil_rdata_o,
  output logic [1:0]  s_axil_rresp_o,
  output logic        s_axil_rvalid_o,
  input  logic        s_axil_rready_i,
  output logic        irq_o,
  // the config: as the CSRs hold it now, and the token's copy (latched at start_o)
  output cfg_t        cfg_now_o,
  output cfg_t        cfg_o,
  // token control (le_token_ctrl)
  output logic        start_o,
  output logic        abort_o,
  output logic        soft_o,
  output logic        dp_clear_o,
  input  logic        done_i,
  input  logic        drained_i,
  input  logic        exec_err_i,
  input  err_e        exec_err_code_i,
  input  logic        x_err_i,
  input  logic [7:0]  x_err_code_i,
  input  logic        wr_err_i,
  input  logic        rd_beat_i,
  input  logic        wr_beat_i,
  input  logic        rd_wait_i
);

  // ---- the CSR block ----
  le_csr_reg_pkg::le_csr__in_t  hwif_in;
  le_csr_reg_pkg::le_csr__out_t hwif_out;

  le_csr_reg u_csr_reg (
    .clk(clk_i), .rst_n(rst_ni),
    .s_axil_awready(s_axil_awready_o), .s_axil_awvalid(s_axil_awvalid_i),
    .s_axil_awaddr(s_axil_awaddr_i), .s_axil_awprot(s_axil_awprot_i),
    .s_axil_wready(s_axil_wready_o), .s_axil_wvalid(s_axil_wvalid_i),
    .s_axil_wdata(s_axil_wdata_i), .s_axil_wstrb(s_axil_wstrb_i),
    .s_axil_bready(s_axil_bready_i), .s_axil_bvalid(s_axil_bvalid_o),
    .s_axil_bresp(s_axil_bresp_o),
    .s_axil_arready(s_axil_arready_o), .s_axil_arvalid(s_axil_arvalid_i),
    .s_axil_araddr(s_axil_araddr_i), .s_axil_arprot(s_axil_arprot_i),
    .s_axil_rready(s_axil_rready_i), .s_axil_rvalid(s_axil_rvalid_o),
    .s_axil_rdata(s_axil_rdata_o), .s_axil_rresp(s_axil_rresp_o),
    .hwif_in, .hwif_out
  );
  assign irq_o = hwif_out.IRQ_STATUS.intr;

  // ---- the config, its START-time check and the token's copy ----
  cfg_t cfg_d, cfg_q;
  logic cfg_ok;
  assign cfg_now_o = '{
    d_model:     hwif_out.D_MODEL.VALUE.value,
    n_heads:     hwif_out.N_HEADS.VALUE.value,
    d_head:      hwif_out.D_HEAD.VALUE.value,
    d_ff:        hwif_out.D_FF.VALUE.value,
    n_layers:    hwif_out.N_LAYERS.VALUE.value,
    vocab:       hwif_out.VOCAB.VALUE.value,
    max_seq:     hwif_out.MAX_SEQ.VALUE.value,
    w_tile_rows: hwif_out.W_TILE_ROWS.VALUE.value,
    ctx_tile:    hwif_out.CTX_TILE.VALUE.value,
    pos:         hwif_out.TOKEN_POS.VALUE.value,
    image_base:  {hwif_out.IMAGE_BASE_HI.VALUE.value, hwif_out.IMAGE_BASE_LO.VALUE.value},
    kv_base:     {hwif_out.KV_BASE_HI.VALUE.value, hwif_out.KV_BASE_LO.VALUE.value}
  };

  le_cfg_check #(
    .LANES(LANES), .MAX_D_MODEL(MAX_D_MODEL), .MAX_D_FF(MAX_D_FF), .MAX_HEADS(MAX_HEADS),
    .MAX_D_HEAD(MAX_D_HEAD), .MAX_SEQ(MAX_SEQ), .MAX_VOCAB(MAX_VOCAB), .MAX_LAYERS(MAX_LAYERS)
  ) u_cfg_check (.cfg_i(cfg_now_o), .ok_o(cfg_ok));

  assign cfg_d = !rst_ni ? '0 : start_o ? cfg_now_o : cfg_q;   // synchronous reset
  always_ff @(posedge clk_i) begin
    cfg_q <= cfg_d;
  end
  assign cfg_o = cfg_q;

  // ---- token control: START / SOFT_RESET, status, IRQ events, perf counters ----
  logic        st_busy, st_done, st_error, irq_done_ev, irq_error_ev;
  logic [7:0]  st_code;
  logic [63:0] perf_cyc, perf_stall, perf_brd, perf_bwr;

  le_token_ctrl #(.BUS_BYTES(LANES)) u_token_ctrl (
    .clk_i, .rst_ni,
    .start_req_i(hwif_out.CTRL.START.value), .soft_req_i(hwif_out.CTRL.SOFT_RESET.value),
    .cfg_ok_i(cfg_ok),
    .start_o, .abort_o, .soft_o, .dp_clear_o,
    .done_i, .drained_i, .exec_err_i, .exec_err_code_i, .x_err_i, .x_err_code_i, .wr_err_i,
    .rd_beat_i, .wr_beat_i, .rd_wait_i,
    .busy_o(st_busy), .done_o(st_done), .error_o(st_error), .err_code_o(st_code),
    .irq_done_o(irq_done_ev), .irq_error_o(irq_error_ev),
    .perf_cycles_o(perf_cyc), .perf_rd_stall_o(perf_stall), .perf_bytes_rd_o(perf_brd),
    .perf_bytes_wr_o(perf_bwr)
  );

  always_comb begin
    hwif_in.STATUS.BUSY.next                   = st_busy;
    hwif_in.STATUS.DONE.next                   = st_done;
    hwif_in.STATUS.ERROR.next                  = st_error;
    hwif_in.STATUS.ERR_CODE.next               = st_code;
    hwif_in.IRQ_STATUS.DONE.next               = irq_done_ev;
    hwif_in.IRQ_STATUS.DONE.hwclr              = hwif_out.CTRL.SOFT_RESET.value;
    hwif_in.IRQ_STATUS.ERROR.next              = irq_error_ev;
    hwif_in.IRQ_STATUS.ERROR.hwclr             = hwif_out.CTRL.SOFT_RESET.value;
    hwif_in.PERF_CYCLES_LO.VALUE.next          = perf_cyc[31:0];
    hwif_in.PERF_CYCLES_HI.VALUE.next          = perf_cyc[63:32];
    hwif_in.PERF_RD_STALL_CYCLES_LO.VALUE.next = perf_stall[31:0];
    hwif_in.PERF_RD_STALL_CYCLES_HI.VALUE.next = perf_stall[63:32];
    hwif_in.PERF_BYTES_RD_LO.VALUE.next        = perf_brd[31:0];
    hwif_in.PERF_BYTES_RD_HI.VALUE.next        = perf_brd[63:32];
    hwif_in.PERF_BYTES_WR_LO.VALUE.next        = perf_bwr[31:0];
    hwif_in.PERF_BYTES_WR_HI.VALUE.next        = perf_bwr[63:32];
    hwif_in.HW_PARAMS.LANES.next               = 8'(LANES);
    hwif_in.HW_PARAMS.MAX_N_HEADS.next         = 8'(MAX_HEADS);
    hwif_in.HW_PARAMS.MAX_N_LAYERS.next        = 8'(MAX_LAYERS);
    hwif_in.HW_MAX_DIMS.MAX_D_MODEL.next       = 16'(MAX_D_MODEL);
    hwif_in.HW_MAX_DIMS.MAX_D_FF.next          = 16'(MAX_D_FF);
  end

  // ---- assertions (rtl/le_assert.svh) -------------------------------------------------------------
  `LE_ASSERT_KNOWN(IrqKnown_A, irq_o)

endmodule
