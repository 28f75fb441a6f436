// Copyright layer-engine contributors. Licensed under the Apache License, Version 2.0.
//
// le_sc_top: the SystemC testbench's Verilated top (docs/systemc.md) - layer_engine with the pyuvm env's
// split-transactor BFMs on its bus ports, exactly as verif/hdl/le_tb_top.sv wires them, without the
// coverage corners and the debug probe (they are the pyuvm env's).
//
//   u_dut          layer_engine (rtl/layer_engine.f)
//   u_mem          le_axi_slave_bfm on m_axi_*           (DDR: sparse memory, timing knobs, protocol checks)
//   u_x_src        le_axis_src_bfm  on s_axis_x_*        (X frames)
//   u_logits_sink  le_axis_sink_bfm on m_axis_logits_*   (logits frames, protocol checks)
// s_axil_* and irq are top-level ports: the C++ AXI4-Lite initiator (verif/sc/le_sc_axil.h) drives them
// for the C driver's HAL. The C++ side reaches the BFMs' knob, command and status registers directly
// (Verilator public variables, verif/sc/le_sc_top.vlt), the way verif/bfm/*.py reach them through VPI.

module le_sc_top #(
  parameter int unsigned AXI_DATA_W  = 128,
  parameter int unsigned AXI_ADDR_W  = 32,
  parameter int unsigned AXI_ID_W    = 4,
  parameter int unsigned MAX_D_MODEL = 1024,
  parameter int unsigned MAX_D_FF    = 4096,
  parameter int unsigned MAX_HEADS   = 16,
  parameter int unsigned MAX_D_HEAD  = 128,
  parameter int unsigned MAX_SEQ     = 512,
  parameter int unsigned MAX_VOCAB   = 4096,
  parameter int unsigned MAX_LAYERS  = 16,
  parameter int unsigned MEM_PAGES   = 4096,    // 4 KB pages of the DDR model (16 MB)
  localparam int unsigned Lanes      = AXI_DATA_W / 8
) (
  input  logic        clk,
  input  logic        rst_n,
  input  logic [6:0]  s_axil_awaddr,
  input  logic [2:0]  s_axil_awprot,
  input  logic        s_axil_awvalid,
  output logic        s_axil_awready,
  input  logic [31:0] s_axil_wdata,
  input  logic [3:0]  s_axil_wstrb,
  input  logic        s_axil_wvalid,
  output logic        s_axil_wready,
  output logic [1:0]  s_axil_bresp,
  output logic        s_axil_bvalid,
  input  logic        s_axil_bready,
  input  logic [6:0]  s_axil_araddr,
  input  logic [2:0]  s_axil_arprot,
  input  logic        s_axil_arvalid,
  output logic        s_axil_arready,
  output logic [31:0] s_axil_rdata,
  output logic [1:0]  s_axil_rresp,
  output logic        s_axil_rvalid,
  input  logic        s_axil_rready,
  output logic        irq
);

  // m_axi
  logic [AXI_ID_W-1:0]   awid, bid, arid, rid;
  logic [AXI_ADDR_W-1:0] awaddr, araddr;
  logic [7:0]            awlen, arlen;
  logic [2:0]            awsize, arsize, awprot, arprot;
  logic [1:0]            awburst, arburst, bresp, rresp;
  logic [3:0]            awcache, arcache;
  logic                  awlock, arlock, awvalid, awready, wlast, wvalid, wready, bvalid, bready;
  logic                  arvalid, arready, rlast, rvalid, rready;
  logic [AXI_DATA_W-1:0] wdata, rdata;
  logic [Lanes-1:0]      wstrb;
  // streams
  logic [AXI_DATA_W-1:0] x_tdata, l_tdata;
  logic [Lanes-1:0]      x_tkeep, l_tkeep;
  logic                  x_tlast, x_tvalid, x_tready, l_tlast, l_tvalid, l_tready;

  layer_engine #(
    .AXI_DATA_W(AXI_DATA_W), .AXI_ADDR_W(AXI_ADDR_W), .AXI_ID_W(AXI_ID_W),
    .MAX_D_MODEL(MAX_D_MODEL), .MAX_D_FF(MAX_D_FF), .MAX_HEADS(MAX_HEADS),
    .MAX_D_HEAD(MAX_D_HEAD), .MAX_SEQ(MAX_SEQ), .MAX_VOCAB(MAX_VOCAB), .MAX_LAYERS(MAX_LAYERS)
  ) u_dut (
    .clk, .rst_n,
    .s_axil_awaddr, .s_axil_awprot, .s_axil_awvalid, .s_axil_awready, .s_axil_wdata, .s_axil_wstrb,
    .s_axil_wvalid, .s_axil_wready, .s_axil_bresp, .s_axil_bvalid, .s_axil_bready, .s_axil_araddr,
    .s_axil_arprot, .s_axil_arvalid, .s_axil_arready, .s_axil_rdata, .s_axil_rresp, .s_axil_rvalid,
    .s_axil_rready,
    .m_axi_awid(awid), .m_axi_awaddr(awaddr), .m_axi_awlen(awlen), .m_axi_awsize(awsize),
    .m_axi_awburst(awburst), .m_axi_awlock(awlock), .m_axi_awcache(awcache), .m_axi_awprot(awprot),
    .m_axi_awvalid(awvalid), .m_axi_awready(awready), .m_axi_wdata(wdata), .m_axi_wstrb(wstrb),
    .m_axi_wlast(wlast), .m_axi_wvalid(wvalid), .m_axi_wready(wready), .m_axi_bid(bid),
    .m_axi_bresp(bresp), .m_axi_bvalid(bvalid), .m_axi_bready(bready), .m_axi_arid(arid),
    .m_axi_araddr(araddr), .m_axi_arlen(arlen), .m_axi_arsize(arsize), .m_axi_arburst(arburst),
    .m_axi_arlock(arlock), .m_axi_arcache(arcache), .m_axi_arprot(arprot), .m_axi_arvalid(arvalid),
    .m_axi_arready(arready), .m_axi_rid(rid), .m_axi_rdata(rdata), .m_axi_rresp(rresp),
    .m_axi_rlast(rlast), .m_axi_rvalid(rvalid), .m_axi_rready(rready),
    .s_axis_x_tdata(x_tdata), .s_axis_x_tkeep(x_tkeep), .s_axis_x_tlast(x_tlast),
    .s_axis_x_tvalid(x_tvalid), .s_axis_x_tready(x_tready),
    .m_axis_logits_tdata(l_tdata), .m_axis_logits_tkeep(l_tkeep), .m_axis_logits_tlast(l_tlast),
    .m_axis_logits_tvalid(l_tvalid), .m_axis_logits_tready(l_tready),
    .irq
  );

  le_axi_slave_bfm #(
    .DATA_W(AXI_DATA_W), .ADDR_W(AXI_ADDR_W), .ID_W(AXI_ID_W), .MAX_PAGES(MEM_PAGES)
  ) u_mem (
    .clk, .rst_n,
    .axi_awid(awid), .axi_awaddr(awaddr), .axi_awlen(awlen), .axi_awsize(awsize),
    .axi_awburst(awburst), .axi_awlock(awlock), .axi_awcache(awcache), .axi_awprot(awprot),
    .axi_awvalid(awvalid), .axi_awready(awready),
    .axi_wdata(wdata), .axi_wstrb(wstrb), .axi_wlast(wlast), .axi_wvalid(wvalid),
    .axi_wready(wready),
    .axi_bid(bid), .axi_bresp(bresp), .axi_bvalid(bvalid), .axi_bready(bready),
    .axi_arid(arid), .axi_araddr(araddr), .axi_arlen(arlen), .axi_arsize(arsize),
    .axi_arburst(arburst), .axi_arlock(arlock), .axi_arcache(arcache), .axi_arprot(arprot),
    .axi_arvalid(arvalid), .axi_arready(arready),
    .axi_rid(rid), .axi_rdata(rdata), .axi_rresp(rresp), .axi_rlast(rlast), .axi_rvalid(rvalid),
    .axi_rready(rready)
  );

  le_axis_src_bfm #(.DATA_W(AXI_DATA_W), .MAX_BEATS(MAX_D_MODEL / Lanes + 8)) u_x_src (
    .clk, .rst_n, .m_axis_tdata(x_tdata), .m_axis_tkeep(x_tkeep), .m_axis_tlast(x_tlast),
    .m_axis_tvalid(x_tvalid), .m_axis_tready(x_tready)
  );

  le_axis_sink_bfm #(.DATA_W(AXI_DATA_W), .MAX_BEATS(MAX_VOCAB * 4 / Lanes + 8)) u_logits_sink (
    .clk, .rst_n, .s_axis_tdata(l_tdata), .s_axis_tkeep(l_tkeep), .s_axis_tlast(l_tlast),
    .s_axis_tvalid(l_tvalid), .s_axis_tready(l_tready)
  );

endmodule
