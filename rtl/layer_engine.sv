// Copyright layer-engine contributors. Licensed under the Apache License, Version 2.0.
//
// layer_engine: the int8 transformer decode engine - one token through every layer, then logits.
//
// Purpose:             the top level users integrate. The host programs the CSRs (AXI4-Lite,
//                      rtl/csr/le_csr.rdl), streams the token's X in (s_axis_x) and receives its
//                      logits (m_axis_logits); weights, parameters and the KV cache live in DDR
//                      (m_axi, layout models/ddr_layout.py). The seed's loop nest runs in hardware:
//                      le_sched walks it and issues the DMA reads ahead (ping/pong through the read
//                      reorder buffer), le_exec executes it over the operator datapath (le_main_out:
//                      main MAC, requant, residual, LayerNorm, GELU; le_attn: scores, softmax, P.V),
//                      le_host_if (the CSR block, the START-time config check, le_token_ctrl)
//                      handles START/soft_rst reset/errors/perf counters. Bit-exact with
//                      models/golden.py on every logit and every KV-cache byte.
// Golden twin:         models/golden.py GoldenEngine.step; host protocol models/driver.py.
// Test:                the env's tests (regress/testlist.yaml; pytest runs each:
//                      tests/rtl/test_uvm_testlist.py)
// Latency:             one token: about (bytes the token moves) / (AXI_DATA_W / 8) cycles plus the
//                      softmax and LayerNorm passes that cannot overlap (docs/architecture.md,
//                      benchmarks/perf.py).
// Initiation interval: one token at a time.
// Throughput:          1 AXI read beat per cycle into the MACs (AXI_DATA_W / 8 int8 MACs per cycle).
// Reset:               rst_n: synchronous, active low. CTRL.SOFT_RESET: drains and clears a token.
//
// IDs: ARID = read reorder slot (0..3), bursts may return out of order and interleaved; AWID =
// rotating write slot (B may return out of order). Writes only ever target the KV region.

module layer_engine
  import le_pkg::*;
  import le_ctrl_pkg::*;
#(
  parameter int unsigned AXI_DATA_W  = 128,     // 64, 128 or 256
  parameter int unsigned AXI_ADDR_W  = 32,
  parameter int unsigned AXI_ID_W    = 4,       // >= 2
  parameter int unsigned MAX_D_MODEL = 1024,
  parameter int unsigned MAX_D_FF    = 4096,
  parameter int unsigned MAX_HEADS   = 16,
  parameter int unsigned MAX_D_HEAD  = 128,
  parameter int unsigned MAX_SEQ     = 512,
  parameter int unsigned MAX_VOCAB   = 32768,
  parameter int unsigned MAX_LAYERS  = 16,
  // Derived, not to be overridden.
  localparam int unsigned Lanes      = AXI_DATA_W / 8
) (
  input  logic                  clk,
  input  logic                  rst_n,
  // AXI4-Lite CSR slave
  input  logic [6:0]            s_axil_awaddr,
  input  logic [2:0]            s_axil_awprot,
  input  logic                  s_axil_awvalid,
  output logic                  s_axil_awready,
  input  logic [31:0]           s_axil_wdata,
  input  logic [3:0]            s_axil_wstrb,
  input  logic                  s_axil_wvalid,
  output logic                  s_axil_wready,
  output logic [1:0]            s_axil_bresp,
  output logic                  s_axil_bvalid,
  input  logic                  s_axil_bready,
  input  logic [6:0]            s_axil_araddr,
  input  logic [2:0]            s_axil_arprot,
  input  logic                  s_axil_arvalid,
  output logic                  s_axil_arready,
  output logic [31:0]           s_axil_rdata,
  output logic [1:0]            s_axil_rresp,
  output logic                  s_axil_rvalid,
  input  logic                  s_axil_rready,
  // AXI4 master to DDR
  output logic [AXI_ID_W-1:0]   m_axi_awid,
  output logic [AXI_ADDR_W-1:0] m_axi_awaddr,
  output logic [7:0]            m_axi_awlen,
  output logic [2:0]            m_axi_awsize,
  output logic [1:0]            m_axi_awburst,
  output logic                  m_axi_awlock,
  output logic [3:0]            m_axi_awcache,
  output logic [2:0]            m_axi_awprot,
  output logic                  m_axi_awvalid,
  input  logic                  m_axi_awready,
  output logic [AXI_DATA_W-1:0] m_axi_wdata,
  output logic [Lanes-1:0]      m_axi_wstrb,
  output logic                  m_axi_wlast,
  output logic                  m_axi_wvalid,
  input  logic                  m_axi_wready,
  input  logic [AXI_ID_W-1:0]   m_axi_bid,
  input  logic [1:0]            m_axi_bresp,
  input  logic                  m_axi_bvalid,
  output logic                  m_axi_bready,
  output logic [AXI_ID_W-1:0]   m_axi_arid,
  output logic [AXI_ADDR_W-1:0] m_axi_araddr,
  output logic [7:0]            m_axi_arlen,
  output logic [2:0]            m_axi_arsize,
  output logic [1:0]            m_axi_arburst,
  output logic                  m_axi_arlock,
  output logic [3:0]            m_axi_arcache,
  output logic [2:0]            m_axi_arprot,
  output logic                  m_axi_arvalid,
  input  logic                  m_axi_arready,
  input  logic [AXI_ID_W-1:0]   m_axi_rid,
  input  logic [AXI_DATA_W-1:0] m_axi_rdata,
  input  logic [1:0]            m_axi_rresp,
  input  logic                  m_axi_rlast,
  input  logic                  m_axi_rvalid,
  output logic                  m_axi_rready,
  // AXI4-Stream: the token's X in, its logits out
  input  logic [AXI_DATA_W-1:0] s_axis_x_tdata,
  input  logic [Lanes-1:0]      s_axis_x_tkeep,
  input  logic                  s_axis_x_tlast,
  input  logic                  s_axis_x_tvalid,
  output logic                  s_axis_x_tready,
  output logic [AXI_DATA_W-1:0] m_axis_logits_tdata,
  output logic [Lanes-1:0]      m_axis_logits_tkeep,
  output logic                  m_axis_logits_tlast,
  output logic                  m_axis_logits_tvalid,
  input  logic                  m_axis_logits_tready,
  // interrupt
  output logic                  irq
);

  localparam int unsigned BusW     = AXI_DATA_W;
  localparam int unsigned MaxDIn   = (MAX_D_MODEL > MAX_D_FF) ? MAX_D_MODEL : MAX_D_FF;
  localparam int unsigned MainXAW  = xram_aw(Lanes, MAX_D_MODEL, MAX_D_FF);
  localparam int unsigned MainDInW = $clog2(MaxDIn + 1);
  localparam int unsigned QAddrW   = q_aw(Lanes, MAX_D_HEAD);
  localparam int unsigned OpW      = $bits(op_t);
  // Bursts in flight per DMA (= le_axi_rd's reorder-buffer slots).
  localparam int unsigned DmaOutstanding = 4;

  // ---------------------------------------------------------------- host side: CSRs, token control
  // The config as the CSRs hold it now (checked at START), and the token's copy latched on accept.
  cfg_t csr_cfg, tok_cfg;
  logic tok_start, abort, soft_rst, dp_clear, tok_done, drained, exec_err, x_err, x_done, wr_err;
  err_e exec_err_code;
  logic [7:0] x_err_code;
  logic rd_wait;

  le_host_if #(
    .LANES(Lanes), .MAX_D_MODEL(MAX_D_MODEL), .MAX_D_FF(MAX_D_FF), .MAX_HEADS(MAX_HEADS),
    .MAX_D_HEAD(MAX_D_HEAD), .MAX_SEQ(MAX_SEQ), .MAX_VOCAB(MAX_VOCAB), .MAX_LAYERS(MAX_LAYERS)
  ) u_host_if (
    .clk_i(clk), .rst_ni(rst_n),
    .s_axil_awaddr_i(s_axil_awaddr), .s_axil_awprot_i(s_axil_awprot),
    .s_axil_awvalid_i(s_axil_awvalid), .s_axil_awready_o(s_axil_awready),
    .s_axil_wdata_i(s_axil_wdata), .s_axil_wstrb_i(s_axil_wstrb), .s_axil_wvalid_i(s_axil_wvalid),
    .s_axil_wready_o(s_axil_wready),
    .s_axil_bresp_o(s_axil_bresp), .s_axil_bvalid_o(s_axil_bvalid), .s_axil_bready_i(s_axil_bready),
    .s_axil_araddr_i(s_axil_araddr), .s_axil_arprot_i(s_axil_arprot),
    .s_axil_arvalid_i(s_axil_arvalid), .s_axil_arready_o(s_axil_arready),
    .s_axil_rdata_o(s_axil_rdata), .s_axil_rresp_o(s_axil_rresp), .s_axil_rvalid_o(s_axil_rvalid),
    .s_axil_rready_i(s_axil_rready), .irq_o(irq),
    .cfg_now_o(csr_cfg), .cfg_o(tok_cfg),
    .start_o(tok_start), .abort_o(abort), .soft_o(soft_rst), .dp_clear_o(dp_clear),
    .done_i(tok_done), .drained_i(drained), .exec_err_i(exec_err), .exec_err_code_i(exec_err_code),
    .x_err_i(x_err), .x_err_code_i(x_err_code), .wr_err_i(wr_err),
    .rd_beat_i(m_axi_rvalid && m_axi_rready), .wr_beat_i(m_axi_wvalid && m_axi_wready),
    .rd_wait_i(rd_wait)
  );

  // The token's control and datapath restart after every drain / soft_rst reset.
  logic dp_rst_n;
  assign dp_rst_n = rst_n && !dp_clear;

  // ---------------------------------------------------------------- layout and loop nest
  logic            layout_ok, hdr_ok;
  logic [OffW-1:0] off [NumKinds];
  logic [OffW-1:0] ksize [NumKinds];
  logic [OffW-1:0] layer_size, head_size, logits_w, logits_b, kv_base_off, kv_slab, kv_size;
  logic [OffW-1:0] img_size;

  le_layout u_layout (
    .clk_i(clk), .rst_ni(dp_rst_n), .start_i(tok_start), .cfg_i(tok_cfg), .done_o(layout_ok),
    .off_o(off), .kind_size_o(ksize), .layer_size_o(layer_size), .head_size_o(head_size),
    .logits_w_o(logits_w), .logits_b_o(logits_b), .kv_base_o(kv_base_off), .kv_slab_o(kv_slab),
    .kv_size_o(kv_size), .size_o(img_size)
  );

  logic op_valid, op_ready, fop_valid, fop_ready, sched_busy;
  op_t  op, fop;
  logic rcmd_valid, rcmd_ready;
  logic [AXI_ADDR_W-1:0] rcmd_addr;
  logic [OpLenW-1:0]     rcmd_len;

  le_sched #(.BUS_BYTES(Lanes), .MAX_D_MODEL(MAX_D_MODEL), .AXI_ADDR_W(AXI_ADDR_W)) u_sched (
    .clk_i(clk), .rst_ni(dp_rst_n), .start_i(tok_start), .abort_i(abort), .cfg_i(tok_cfg),
    .layout_ok_i(layout_ok), .hdr_ok_i(hdr_ok), .off_i(off), .kind_size_i(ksize),
    .layer_size_i(layer_size), .head_size_i(head_size), .logits_w_i(logits_w),
    .logits_b_i(logits_b), .kv_slab_i(kv_slab),
    .op_valid_o(op_valid), .op_ready_i(op_ready), .op_o(op),
    .cmd_valid_o(rcmd_valid), .cmd_ready_i(rcmd_ready), .cmd_addr_o(rcmd_addr),
    .cmd_len_o(rcmd_len), .busy_o(sched_busy)
  );

  le_stream_fifo #(.WIDTH(OpW), .DEPTH(OpFifoDepth)) u_op_fifo (
    .clk_i(clk), .rst_ni(dp_rst_n),
    .in_valid_i(op_valid), .in_ready_o(op_ready), .in_data_i(op),
    .out_valid_o(fop_valid), .out_ready_i(fop_ready), .out_data_o(fop)
  );

  // ---------------------------------------------------------------- DMA
  logic            rd_valid, rd_ready, rd_last, rd_idle;
  logic            rd_valid_pre, rd_ready_pre;   // le_axi_rd's side of the stall gate
  logic [BusW-1:0] rd_data;
  le_axi_pkg::resp_t rd_resp, rd_err_resp, wr_err_resp;
  logic            rd_err;
  logic [31:0]     rd_bytes, rd_stall, wr_bytes, wr_stall;   // the DMAs' own counters (CNT_W)

  le_axi_rd #(.AXI_DATA_W(AXI_DATA_W), .AXI_ADDR_W(AXI_ADDR_W), .AXI_ID_W(AXI_ID_W),
              .MAX_OUTSTANDING(DmaOutstanding), .LEN_W(OpLenW)) u_axi_rd (
    .clk_i(clk), .rst_ni(rst_n),
    .cmd_valid_i(rcmd_valid), .cmd_ready_o(rcmd_ready), .cmd_addr_i(rcmd_addr),
    .cmd_len_i(rcmd_len),
    .out_valid_o(rd_valid_pre), .out_ready_i(rd_ready_pre), .out_data_o(rd_data),
    .out_last_o(rd_last),
    .out_resp_o(rd_resp),
    .m_axi_arid_o(m_axi_arid), .m_axi_araddr_o(m_axi_araddr), .m_axi_arlen_o(m_axi_arlen),
    .m_axi_arsize_o(m_axi_arsize), .m_axi_arburst_o(m_axi_arburst), .m_axi_arlock_o(m_axi_arlock),
    .m_axi_arcache_o(m_axi_arcache), .m_axi_arprot_o(m_axi_arprot), .m_axi_arvalid_o(m_axi_arvalid),
    .m_axi_arready_i(m_axi_arready),
    .m_axi_rid_i(m_axi_rid), .m_axi_rdata_i(m_axi_rdata), .m_axi_rresp_i(m_axi_rresp),
    .m_axi_rlast_i(m_axi_rlast), .m_axi_rvalid_i(m_axi_rvalid), .m_axi_rready_o(m_axi_rready),
    .err_o(rd_err), .err_resp_o(rd_err_resp), .err_clr_i(tok_start), .bytes_read_o(rd_bytes),
    .stall_cycles_o(rd_stall), .idle_o(rd_idle)
  );

  logic                  wcmd_valid, wcmd_ready, wdat_valid, wdat_ready, wr_idle;
  // le_axi_wr's side of the stall gates
  logic                  wcmd_valid_post, wcmd_ready_post, wdat_valid_post, wdat_ready_post;
  logic [AXI_ADDR_W-1:0] wcmd_addr;
  logic [31:0]           wcmd_len;
  logic [BusW-1:0]       wdat_data;

  le_axi_wr #(.AXI_DATA_W(AXI_DATA_W), .AXI_ADDR_W(AXI_ADDR_W), .AXI_ID_W(AXI_ID_W),
              .MAX_OUTSTANDING(DmaOutstanding), .LEN_W(OpLenW)) u_axi_wr (
    .clk_i(clk), .rst_ni(rst_n),
    .cmd_valid_i(wcmd_valid_post), .cmd_ready_o(wcmd_ready_post), .cmd_addr_i(wcmd_addr),
    .cmd_len_i(wcmd_len),
    .in_valid_i(wdat_valid_post), .in_ready_o(wdat_ready_post), .in_data_i(wdat_data),
    .m_axi_awid_o(m_axi_awid), .m_axi_awaddr_o(m_axi_awaddr), .m_axi_awlen_o(m_axi_awlen),
    .m_axi_awsize_o(m_axi_awsize), .m_axi_awburst_o(m_axi_awburst), .m_axi_awlock_o(m_axi_awlock),
    .m_axi_awcache_o(m_axi_awcache), .m_axi_awprot_o(m_axi_awprot), .m_axi_awvalid_o(m_axi_awvalid),
    .m_axi_awready_i(m_axi_awready),
    .m_axi_wdata_o(m_axi_wdata), .m_axi_wstrb_o(m_axi_wstrb), .m_axi_wlast_o(m_axi_wlast),
    .m_axi_wvalid_o(m_axi_wvalid), .m_axi_wready_i(m_axi_wready),
    .m_axi_bid_i(m_axi_bid), .m_axi_bresp_i(m_axi_bresp), .m_axi_bvalid_i(m_axi_bvalid),
    .m_axi_bready_o(m_axi_bready),
    .err_o(wr_err), .err_resp_o(wr_err_resp), .err_clr_i(tok_start), .bytes_written_o(wr_bytes),
    .stall_cycles_o(wr_stall),
    .idle_o(wr_idle)
  );

  // ---------------------------------------------------------------- streams
  logic               xin_we, x_idle;
  logic [MainXAW-1:0] xin_addr_full;
  logic [$clog2(MAX_D_MODEL / Lanes)-1:0] xin_addr;
  logic [BusW-1:0]    xin_data;

  le_axis_x_in #(.AXI_DATA_W(AXI_DATA_W), .MAX_D_MODEL(MAX_D_MODEL)) u_axis_x_in (
    .clk_i(clk), .rst_ni(rst_n && !(dp_clear && soft_rst)), .start_i(tok_start),
    .d_model_i(($clog2(MAX_D_MODEL + 1))'(csr_cfg.d_model)), .idle_o(x_idle),
    .s_axis_tdata_i(s_axis_x_tdata), .s_axis_tkeep_i(s_axis_x_tkeep),
    .s_axis_tlast_i(s_axis_x_tlast),
    .s_axis_tvalid_i(s_axis_x_tvalid), .s_axis_tready_o(s_axis_x_tready),
    .x_we_o(xin_we), .x_addr_o(xin_addr), .x_data_o(xin_data),
    .done_o(x_done), .err_valid_o(x_err), .err_code_o(x_err_code)
  );
  assign xin_addr_full = MainXAW'(xin_addr);

  logic  logit_valid, logit_ready, logits_start, logits_flush, logits_idle;
  logic  logit_valid_post, logit_ready_post;   // le_axis_logits_out's side of the stall gate
  logic  logits_fill_idle, logits_done;
  acc_t  logit_data;
  le_axis_logits_out #(.AXI_DATA_W(AXI_DATA_W)) u_axis_logits_out (
    .clk_i(clk), .rst_ni(rst_n && !(dp_clear && soft_rst)),
    .start_i(logits_start), .vocab_i(tok_cfg.vocab), .flush_i(logits_flush),
    .stop_i(abort && soft_rst),   // soft-reset drain: the offered beat held until taken, then stop
    .fill_idle_o(logits_fill_idle), .idle_o(logits_idle), .done_o(logits_done),
    .logit_valid_i(logit_valid_post), .logit_ready_o(logit_ready_post), .logit_data_i(logit_data),
    .m_axis_tdata_o(m_axis_logits_tdata), .m_axis_tkeep_o(m_axis_logits_tkeep),
    .m_axis_tlast_o(m_axis_logits_tlast), .m_axis_tvalid_o(m_axis_logits_tvalid),
    .m_axis_tready_i(m_axis_logits_tready)
  );

  // ---------------------------------------------------------------- executor and datapath
  logic                prm_we;
  prm_e                prm_sel;
  logic [OpBaseW-1:0]  prm_addr;
  logic [BusW-1:0]     prm_data;
  logic [MainDInW-1:0] main_d_in;
  logic                main_w_valid, main_w_ready, main_begin, main_done, main_rq_free;
  logic                main_w_valid_post, main_w_ready_post;   // le_logits' side of the stall gate
  logic [BusW-1:0]     main_w_data;
  logic                cp_x_we, ln_x_we;
  logic [MainXAW-1:0]  cp_x_addr, ln_x_addr;
  logic [BusW-1:0]     cp_x_data, ln_x_data;
  phase_e              main_phase;
  loop_idx_t           main_head;
  logic                qkv_we, uact_we, ocat_we;
  logic [31:0]         qkv_idx, uact_idx, ocat_idx;
  act_t                qkv_data, uact_data, ocat_data;
  logic                attn_begin, attn_o_idle, attn_o_free,
                       q_we, k_valid, k_ready, v_valid, v_ready;
  logic                k_valid_post, k_ready_post, v_valid_post, v_ready_post;   // le_attn's side
  logic [QAddrW-1:0]   q_addr;
  logic [BusW-1:0]     q_data, k_data, v_data;

  le_exec #(
    .LANES(Lanes), .AXI_ADDR_W(AXI_ADDR_W), .MAX_D_MODEL(MAX_D_MODEL), .MAX_D_FF(MAX_D_FF),
    .MAX_D_HEAD(MAX_D_HEAD)
  ) u_exec (
    .clk_i(clk), .rst_ni(dp_rst_n), .start_i(tok_start), .abort_i(abort), .soft_i(soft_rst),
    .cfg_i(tok_cfg),
    .done_o(tok_done), .drained_o(drained), .err_o(exec_err), .err_code_o(exec_err_code),
    .kv_base_off_i(kv_base_off), .kv_size_i(kv_size), .size_i(img_size), .hdr_ok_o(hdr_ok),
    .op_valid_i(fop_valid), .op_ready_o(fop_ready), .op_i(fop),
    .rd_valid_i(rd_valid), .rd_ready_o(rd_ready), .rd_data_i(rd_data), .rd_last_i(rd_last),
    .rd_resp_i(rd_resp), .rd_idle_i(rd_idle), .rd_wait_o(rd_wait),
    .wcmd_valid_o(wcmd_valid), .wcmd_ready_i(wcmd_ready), .wcmd_addr_o(wcmd_addr),
    .wcmd_len_o(wcmd_len),
    .wdat_valid_o(wdat_valid), .wdat_ready_i(wdat_ready), .wdat_data_o(wdat_data),
    .wr_idle_i(wr_idle),
    .x_done_i(x_done), .x_idle_i(x_idle),
    .logits_start_o(logits_start), .logits_flush_o(logits_flush), .logits_idle_i(logits_idle),
    .prm_we_o(prm_we), .prm_sel_o(prm_sel), .prm_addr_o(prm_addr), .prm_data_o(prm_data),
    .main_d_in_o(main_d_in), .main_w_valid_o(main_w_valid), .main_w_ready_i(main_w_ready),
    .main_w_data_o(main_w_data), .main_x_we_o(cp_x_we), .main_x_addr_o(cp_x_addr),
    .main_x_data_o(cp_x_data), .main_begin_o(main_begin), .main_phase_o(main_phase),
    .main_head_o(main_head), .main_done_i(main_done), .main_rq_free_i(main_rq_free),
    .qkv_we_i(qkv_we), .qkv_idx_i(qkv_idx), .qkv_data_i(qkv_data),
    .uact_we_i(uact_we), .uact_idx_i(uact_idx), .uact_data_i(uact_data),
    .ocat_we_i(ocat_we), .ocat_idx_i(ocat_idx), .ocat_data_i(ocat_data),
    .attn_begin_o(attn_begin), .attn_o_idle_i(attn_o_idle), .attn_o_free_i(attn_o_free),
    .q_we_o(q_we), .q_addr_o(q_addr), .q_data_o(q_data),
    .k_valid_o(k_valid), .k_ready_i(k_ready), .k_data_o(k_data),
    .v_valid_o(v_valid), .v_ready_i(v_ready), .v_data_o(v_data)
  );

  // The main MAC's resident vector: X from the stream, LayerNorm outputs, O_concat / U_act copies.
  logic               mx_we;
  logic [MainXAW-1:0] mx_addr;
  logic [BusW-1:0]    mx_data;
  always_comb begin
    mx_we   = xin_we || ln_x_we || cp_x_we;
    mx_addr = xin_we ? xin_addr_full : ln_x_we ? ln_x_addr : cp_x_addr;
    mx_data = xin_we ? xin_data : ln_x_we ? ln_x_data : cp_x_data;
  end

  logic acc_valid, acc_ready, b_valid, b_ready, main_idle;
  logic acc_valid_pre, acc_ready_pre;   // le_logits' side of the stall gate
  acc_t acc_data, b_data;
  le_logits #(.LANES(Lanes), .MAX_D_IN(MaxDIn)) u_logits (
    .clk_i(clk), .rst_ni(dp_rst_n), .d_in_i(main_d_in),
    .x_we_i(mx_we), .x_addr_i(mx_addr), .x_data_i(mx_data),
    .w_valid_i(main_w_valid_post), .w_ready_o(main_w_ready_post), .w_data_i(main_w_data),
    .b_valid_i(b_valid), .b_ready_o(b_ready), .b_data_i(b_data),
    .logit_valid_o(acc_valid_pre), .logit_ready_i(acc_ready_pre), .logit_data_o(acc_data),
    .idle_o(main_idle)
  );

  le_main_out #(
    .LANES(Lanes), .MAX_D_MODEL(MAX_D_MODEL), .MAX_D_FF(MAX_D_FF), .MAX_D_HEAD(MAX_D_HEAD),
    .MAX_VOCAB(MAX_VOCAB)
  ) u_main_out (
    .clk_i(clk), .rst_ni(dp_rst_n),
    .begin_i(main_begin), .phase_i(main_phase), .head_i(main_head), .cfg_i(tok_cfg),
    .phase_done_o(main_done), .rq_free_o(main_rq_free),
    .prm_we_i(prm_we), .prm_sel_i(prm_sel), .prm_addr_i(prm_addr), .prm_data_i(prm_data),
    .xin_we_i(xin_we), .xin_addr_i(xin_addr), .xin_data_i(xin_data),
    .acc_valid_i(acc_valid), .acc_ready_o(acc_ready), .acc_data_i(acc_data),
    .b_valid_o(b_valid), .b_ready_i(b_ready), .b_data_o(b_data),
    .logit_valid_o(logit_valid), .logit_ready_i(logit_ready), .logit_data_o(logit_data),
    .qkv_we_o(qkv_we), .qkv_idx_o(qkv_idx), .qkv_data_o(qkv_data),
    .uact_we_o(uact_we), .uact_idx_o(uact_idx), .uact_data_o(uact_data),
    .x_we_o(ln_x_we), .x_addr_o(ln_x_addr), .x_data_o(ln_x_data)
  );

  le_attn #(
    .LANES(Lanes), .MAX_D_HEAD(MAX_D_HEAD), .MAX_HEADS(MAX_HEADS), .MAX_SEQ(MAX_SEQ)
  ) u_attn (
    .clk_i(clk), .rst_ni(dp_rst_n), .begin_i(attn_begin), .head_i(main_head), .cfg_i(tok_cfg),
    .o_idle_o(attn_o_idle), .o_free_o(attn_o_free),
    .prm_we_i(prm_we), .prm_sel_i(prm_sel), .prm_addr_i(prm_addr), .prm_data_i(prm_data),
    .q_we_i(q_we), .q_addr_i(q_addr), .q_data_i(q_data),
    .k_valid_i(k_valid_post), .k_ready_o(k_ready_post), .k_data_i(k_data),
    .v_valid_i(v_valid_post), .v_ready_o(v_ready_post), .v_data_i(v_data),
    .ocat_we_o(ocat_we), .ocat_idx_o(ocat_idx), .ocat_data_o(ocat_data)
  );

  // ---------------------------------------------------------------- stall injection (test builds)
  // le_stall_gate: a wire unless built with LE_STALL_INJECT and run with +le_stall=PCT; then each
  // gate closes its handshake at random (docs/verification.md "Internal stall injection"). Gated here:
  // the read DMA's output into the executor, the write DMA's command and data inputs, the main MAC's
  // weight input and result output, the logits into the output stream, K and V into le_attn. Not
  // gated: the op FIFO and the read commands (control, not data streams), the logits bias stream
  // (le_logits_bias reads ahead on the main MAC's schedule), and the element writes into RAMs (X,
  // LayerNorm, GELU, O, Q/K/V stores: no ready, a RAM cannot stall).
  le_stall_gate #(.SEED_ID(1)) u_stall_rd (
    .clk_i(clk), .rst_ni(dp_rst_n), .valid_i(rd_valid_pre), .ready_o(rd_ready_pre),
    .valid_o(rd_valid), .ready_i(rd_ready)
  );
  le_stall_gate #(.SEED_ID(2)) u_stall_wcmd (
    .clk_i(clk), .rst_ni(dp_rst_n), .valid_i(wcmd_valid), .ready_o(wcmd_ready),
    .valid_o(wcmd_valid_post), .ready_i(wcmd_ready_post)
  );
  le_stall_gate #(.SEED_ID(3)) u_stall_wdat (
    .clk_i(clk), .rst_ni(dp_rst_n), .valid_i(wdat_valid), .ready_o(wdat_ready),
    .valid_o(wdat_valid_post), .ready_i(wdat_ready_post)
  );
  le_stall_gate #(.SEED_ID(4)) u_stall_main_w (
    .clk_i(clk), .rst_ni(dp_rst_n), .valid_i(main_w_valid), .ready_o(main_w_ready),
    .valid_o(main_w_valid_post), .ready_i(main_w_ready_post)
  );
  le_stall_gate #(.SEED_ID(5)) u_stall_acc (
    .clk_i(clk), .rst_ni(dp_rst_n), .valid_i(acc_valid_pre), .ready_o(acc_ready_pre),
    .valid_o(acc_valid), .ready_i(acc_ready)
  );
  le_stall_gate #(.SEED_ID(6)) u_stall_logit (
    .clk_i(clk), .rst_ni(dp_rst_n), .valid_i(logit_valid), .ready_o(logit_ready),
    .valid_o(logit_valid_post), .ready_i(logit_ready_post)
  );
  le_stall_gate #(.SEED_ID(7)) u_stall_k (
    .clk_i(clk), .rst_ni(dp_rst_n), .valid_i(k_valid), .ready_o(k_ready),
    .valid_o(k_valid_post), .ready_i(k_ready_post)
  );
  le_stall_gate #(.SEED_ID(8)) u_stall_v (
    .clk_i(clk), .rst_ni(dp_rst_n), .valid_i(v_valid), .ready_o(v_ready),
    .valid_o(v_valid_post), .ready_i(v_ready_post)
  );

  // Unused status outputs: the read error level (a bad RRESP is reported in program order by
  // le_exec when the beat is consumed), the first error responses, the DMAs' own byte/stall counters
  // (PERF_* count in le_token_ctrl), and idle/done flags that the control does not need; of the
  // config as the CSRs hold it, only d_model is read here (le_axis_x_in checks X before START).
  logic unused;
  assign unused = ^{sched_busy, rd_err, rd_err_resp, wr_err_resp, rd_bytes, rd_stall, wr_bytes,
                    wr_stall, logits_fill_idle, logits_done, main_idle, csr_cfg};

endmodule
