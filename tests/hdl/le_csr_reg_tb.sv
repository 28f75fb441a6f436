// Test wrapper of the generated CSR block rtl/csr/le_csr_reg.sv for tests/rtl/cocotb_csr.py.
//
// The simulator's VPI shows the regblock's unpacked-struct ports (hwif_in / hwif_out) to cocotb as one opaque
// 1-bit handle, so this wrapper flattens them into plain ports. It connects the block the way the engine's
// top level is meant to: IRQ_STATUS.<bit>.hwclr is tied to the CTRL.SOFT_RESET pulse (a soft reset
// clears IRQ_STATUS), irq_o is hwif_out.IRQ_STATUS.intr, and the 64-bit perf counters are split into the
// LO/HI registers. The AXI4-Lite port is passed through unchanged.
module le_csr_reg_tb (
    input  logic        clk,
    input  logic        rst_n,
    // AXI4-Lite slave (axi4-lite-flat cpuif)
    output logic        s_axil_awready,
    input  logic        s_axil_awvalid,
    input  logic [6:0]  s_axil_awaddr,
    input  logic [2:0]  s_axil_awprot,
    output logic        s_axil_wready,
    input  logic        s_axil_wvalid,
    input  logic [31:0] s_axil_wdata,
    input  logic [3:0]  s_axil_wstrb,
    input  logic        s_axil_bready,
    output logic        s_axil_bvalid,
    output logic [1:0]  s_axil_bresp,
    output logic        s_axil_arready,
    input  logic        s_axil_arvalid,
    input  logic [6:0]  s_axil_araddr,
    input  logic [2:0]  s_axil_arprot,
    input  logic        s_axil_rready,
    output logic        s_axil_rvalid,
    output logic [31:0] s_axil_rdata,
    output logic [1:0]  s_axil_rresp,
    // engine side
    output logic        start_o,
    output logic        soft_reset_o,
    output logic        irq_o,
    output logic [1:0]  irq_enable_o,
    input  logic        status_busy_i,
    input  logic        status_done_i,
    input  logic        status_error_i,
    input  logic [7:0]  status_err_code_i,
    input  logic        irq_done_set_i,
    input  logic        irq_error_set_i,
    input  logic [63:0] perf_cycles_i,
    input  logic [63:0] perf_rd_stall_cycles_i,
    input  logic [63:0] perf_bytes_rd_i,
    input  logic [63:0] perf_bytes_wr_i,
    input  logic [7:0]  hw_lanes_i,
    input  logic [7:0]  hw_max_n_heads_i,
    input  logic [7:0]  hw_max_n_layers_i,
    input  logic [15:0] hw_max_d_model_i,
    input  logic [15:0] hw_max_d_ff_i,
    output logic [31:0] d_model_o,
    output logic [31:0] n_heads_o,
    output logic [31:0] d_head_o,
    output logic [31:0] d_ff_o,
    output logic [31:0] n_layers_o,
    output logic [31:0] vocab_o,
    output logic [31:0] max_seq_o,
    output logic [31:0] w_tile_rows_o,
    output logic [31:0] ctx_tile_o,
    output logic [31:0] token_pos_o,
    output logic [63:0] image_base_o,
    output logic [63:0] kv_base_o
);
  le_csr_reg_pkg::le_csr__in_t  hwif_in;
  le_csr_reg_pkg::le_csr__out_t hwif_out;

  le_csr_reg u_csr (
      .clk, .rst_n,
      .s_axil_awready, .s_axil_awvalid, .s_axil_awaddr, .s_axil_awprot,
      .s_axil_wready, .s_axil_wvalid, .s_axil_wdata, .s_axil_wstrb,
      .s_axil_bready, .s_axil_bvalid, .s_axil_bresp,
      .s_axil_arready, .s_axil_arvalid, .s_axil_araddr, .s_axil_arprot,
      .s_axil_rready, .s_axil_rvalid, .s_axil_rdata, .s_axil_rresp,
      .hwif_in, .hwif_out
  );

  always_comb begin
    hwif_in.STATUS.BUSY.next              = status_busy_i;
    hwif_in.STATUS.DONE.next              = status_done_i;
    hwif_in.STATUS.ERROR.next             = status_error_i;
    hwif_in.STATUS.ERR_CODE.next          = status_err_code_i;
    hwif_in.IRQ_STATUS.DONE.next          = irq_done_set_i;
    hwif_in.IRQ_STATUS.ERROR.next         = irq_error_set_i;
    hwif_in.IRQ_STATUS.DONE.hwclr         = hwif_out.CTRL.SOFT_RESET.value;
    hwif_in.IRQ_STATUS.ERROR.hwclr        = hwif_out.CTRL.SOFT_RESET.value;
    hwif_in.PERF_CYCLES_LO.VALUE.next          = perf_cycles_i[31:0];
    hwif_in.PERF_CYCLES_HI.VALUE.next          = perf_cycles_i[63:32];
    hwif_in.PERF_RD_STALL_CYCLES_LO.VALUE.next = perf_rd_stall_cycles_i[31:0];
    hwif_in.PERF_RD_STALL_CYCLES_HI.VALUE.next = perf_rd_stall_cycles_i[63:32];
    hwif_in.PERF_BYTES_RD_LO.VALUE.next        = perf_bytes_rd_i[31:0];
    hwif_in.PERF_BYTES_RD_HI.VALUE.next        = perf_bytes_rd_i[63:32];
    hwif_in.PERF_BYTES_WR_LO.VALUE.next        = perf_bytes_wr_i[31:0];
    hwif_in.PERF_BYTES_WR_HI.VALUE.next        = perf_bytes_wr_i[63:32];
    hwif_in.HW_PARAMS.LANES.next          = hw_lanes_i;
    hwif_in.HW_PARAMS.MAX_N_HEADS.next    = hw_max_n_heads_i;
    hwif_in.HW_PARAMS.MAX_N_LAYERS.next   = hw_max_n_layers_i;
    hwif_in.HW_MAX_DIMS.MAX_D_MODEL.next  = hw_max_d_model_i;
    hwif_in.HW_MAX_DIMS.MAX_D_FF.next     = hw_max_d_ff_i;
  end

  assign start_o      = hwif_out.CTRL.START.value;
  assign soft_reset_o = hwif_out.CTRL.SOFT_RESET.value;
  assign irq_o        = hwif_out.IRQ_STATUS.intr;
  assign irq_enable_o = {hwif_out.IRQ_ENABLE.ERROR.value, hwif_out.IRQ_ENABLE.DONE.value};
  assign d_model_o     = hwif_out.D_MODEL.VALUE.value;
  assign n_heads_o     = hwif_out.N_HEADS.VALUE.value;
  assign d_head_o      = hwif_out.D_HEAD.VALUE.value;
  assign d_ff_o        = hwif_out.D_FF.VALUE.value;
  assign n_layers_o    = hwif_out.N_LAYERS.VALUE.value;
  assign vocab_o       = hwif_out.VOCAB.VALUE.value;
  assign max_seq_o     = hwif_out.MAX_SEQ.VALUE.value;
  assign w_tile_rows_o = hwif_out.W_TILE_ROWS.VALUE.value;
  assign ctx_tile_o    = hwif_out.CTX_TILE.VALUE.value;
  assign token_pos_o   = hwif_out.TOKEN_POS.VALUE.value;
  assign image_base_o  = {hwif_out.IMAGE_BASE_HI.VALUE.value, hwif_out.IMAGE_BASE_LO.VALUE.value};
  assign kv_base_o     = {hwif_out.KV_BASE_HI.VALUE.value, hwif_out.KV_BASE_LO.VALUE.value};
endmodule
