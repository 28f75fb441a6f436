// Copyright layer-engine contributors. Licensed under the Apache License, Version 2.0.
//
// le_main_out: everything after the main MAC - requant, residual add, LayerNorm, GELU LUT and the
// stores of their results - plus the parameters they use.
//
// Purpose:             consumes the main MAC's (le_logits) per-row int32 results in the current
//                      phase (begin_i latches phase_i/head_i and restarts the row counters):
//                        PhQkv    requant (q/k/v region, row = head*d_head + j) -> int8 into the
//                                 Q/K/V buffer (qkv_we_o, element m*MAX_D_HEAD + j)
//                        PhW1     requant -> GELU LUT (bank of the row) -> int8 U_act (uact_we_o)
//                        PhWo/W2  requant (int16) -> residual add with the residual copy
//                                 (res{1,2} mults) -> LayerNorm -> int8 into the main MAC's x RAM
//                                 (x_we_o, whole beats) and the int16 residual copy (in place)
//                        PhLogits le_logits adds logits.b (its bias stream, driven here) -> logit_o
//                      phase_done_o rises when the phase's last result is stored. Parameters
//                      arrive on the parameter write bus (one DMA beat per cycle) and are read one
//                      element per row by two fetch stages that hold a row while its parameters
//                      are read (synchronous RAM).
// Golden twin:         models/golden.py GoldenEngine._gemv/_layer (requant, residual_add,
//                      layernorm, act_lut, logits_tile of models/ops.py).
// Test:                the env's tests (regress/testlist.yaml; pytest runs each:
//                      tests/rtl/test_uvm_testlist.py)
// Latency:             QKV/W1 results are stored 6-8 cycles after their row leaves the MAC; Wo/W2
//                      rows enter LayerNorm 8 cycles after, and its output row starts 74 cycles
//                      after the last one (le_layernorm).
// Initiation interval: 1 row per cycle in every phase (LayerNorm: a row every N + 68 cycles).
// Throughput:          1 result per cycle.
// Reset:               synchronous, active low.

`ifndef LE_ASSERT_SVH
`include "le_assert.svh"  // guarded: rtl/layer_engine.f lists it first; a lone build: -y rtl
`endif

module le_main_out
  import le_pkg::*;
  import le_ctrl_pkg::*;
#(
  parameter int unsigned LANES       = 16,
  parameter int unsigned MAX_D_MODEL = 1024,
  parameter int unsigned MAX_D_FF    = 4096,
  parameter int unsigned MAX_D_HEAD  = 128,
  parameter int unsigned MAX_VOCAB   = 32768,
  // Derived, not to be overridden.
  localparam int unsigned BusW       = LANES * 8,
  localparam int unsigned Wpb        = LANES / 4,                   // int32 words per beat
  localparam int unsigned RqWords    = (3 * MAX_D_MODEL > MAX_D_FF) ? 3 * MAX_D_MODEL : MAX_D_FF,
  localparam int unsigned XAddrW     = $clog2(MAX_D_MODEL > MAX_D_FF ? MAX_D_MODEL / LANES
                                                                  : MAX_D_FF / LANES),
  localparam int unsigned XResAW     = $clog2(MAX_D_MODEL / LANES)
) (
  input  logic                  clk_i,
  input  logic                  rst_ni,
  // phase control
  input  logic                  begin_i,
  input  phase_e                phase_i,
  input  le_ctrl_pkg::loop_idx_t head_i,
  input  cfg_t                  cfg_i,
  output logic                  phase_done_o,
  output logic                  rq_free_o,      // every row of the phase read its requant params
  // parameter write bus (one DMA beat)
  input  logic                  prm_we_i,
  input  prm_e                  prm_sel_i,
  input  logic [OpBaseW-1:0]    prm_addr_i,
  input  logic [BusW-1:0]       prm_data_i,
  // the token's X arriving (layer 0 residual copy = x << 6)
  input  logic                  xin_we_i,
  input  logic [XResAW-1:0]     xin_addr_i,
  input  logic [BusW-1:0]       xin_data_i,
  // main MAC (le_logits) results and its bias stream
  input  logic                  acc_valid_i,
  output logic                  acc_ready_o,
  input  acc_t                  acc_data_i,
  output logic                  b_valid_o,
  input  logic                  b_ready_i,
  output acc_t                  b_data_o,
  // logits (PhLogits)
  output logic                  logit_valid_o,
  input  logic                  logit_ready_i,
  output acc_t                  logit_data_o,
  // stores
  output logic                  qkv_we_o,
  output logic [31:0]           qkv_idx_o,
  output act_t                  qkv_data_o,
  output logic                  uact_we_o,
  output logic [31:0]           uact_idx_o,
  output act_t                  uact_data_o,
  output logic                  x_we_o,
  output logic [XAddrW-1:0]     x_addr_o,
  output logic [BusW-1:0]       x_data_o
);

  localparam int unsigned RqDepth = RqWords / Wpb;
  localparam int unsigned DmDepth = MAX_D_MODEL / Wpb;
  localparam int unsigned FfBeats = MAX_D_FF / LANES;
  localparam int unsigned RqIW    = $clog2(RqDepth) + $clog2(Wpb);    // element index widths
  localparam int unsigned DmIW    = $clog2(DmDepth) + $clog2(Wpb);
  localparam int unsigned FfIW    = $clog2(FfBeats) + $clog2(LANES);

  phase_e     ph_q, ph_d;
  le_ctrl_pkg::loop_idx_t head_q, head_d;
  assign ph_d   = begin_i ? phase_i : ph_q;
  assign head_d = begin_i ? head_i : head_q;
  always_ff @(posedge clk_i) begin
    if (!rst_ni) begin
      ph_q   <= PhQkv;
      head_q <= '0;
    end else begin
      ph_q   <= ph_d;
      head_q <= head_d;
    end
  end
  logic is_qkv, is_w1, is_logits;
  assign is_qkv    = ph_q == PhQkv;
  assign is_w1     = ph_q == PhW1;
  assign is_logits = ph_q == PhLogits;

  // ---- parameter write decode ----
  function automatic logic wsel(logic we, prm_e sel, prm_e want);
    return we && (sel == want);
  endfunction

  // ---- stage A: hold a row while its requant parameters are read ----
  logic        a_valid_q, a_valid_d, a_load, rq_in_ready;
  acc_t        a_acc_q, a_acc_d;
  logic [31:0] a_idx_q, a_idx_d;        // row counter (non-QKV phases)
  logic [1:0]  a_m;
  logic [31:0] a_row;
  logic [31:0] rq_ridx;
  logic [31:0] rq_b, rq_m, rq_s;

  assign acc_ready_o = is_logits ? logit_ready_i : (!a_valid_q || rq_in_ready);
  assign a_load      = !is_logits && acc_valid_i && (!a_valid_q || rq_in_ready);
  assign rq_ridx     = is_qkv ? 32'(a_m) * 32'(MAX_D_MODEL) + 32'(head_q) * cfg_i.d_head + a_row
                              : a_idx_q;

  always_comb begin
    a_idx_d   = a_idx_q;
    a_valid_d = a_valid_q;
    if (begin_i) a_idx_d = '0;
    else if (a_load) a_idx_d = a_idx_q + 32'd1;
    if (a_load) a_valid_d = 1'b1;
    else if (rq_in_ready) a_valid_d = 1'b0;
    a_acc_d = a_load ? acc_data_i : a_acc_q;
  end
  always_ff @(posedge clk_i) begin
    if (!rst_ni) begin
      a_valid_q <= 1'b0;
      a_idx_q   <= '0;
    end else begin
      a_valid_q <= a_valid_d;
      a_idx_q   <= a_idx_d;
    end
    a_acc_q <= a_acc_d;
  end

  le_qkv_rowmap u_qkv_rowmap_a (
    .clk_i, .rst_ni, .clear_i(begin_i), .step_i(a_load && is_qkv), .d_head_i(cfg_i.d_head),
    .w_tile_rows_i(cfg_i.w_tile_rows), .m_o(a_m), .row_o(a_row)
  );

  le_prm_ram #(.LANES(Wpb), .EW(32), .DEPTH(RqDepth)) u_rq_bias (
    .clk_i, .we_i(wsel(prm_we_i, prm_sel_i, PrmRqBias)), .waddr_i(prm_addr_i[$clog2(RqDepth)-1:0]),
    .wdata_i(prm_data_i), .re_i(a_load), .ridx_i(rq_ridx[RqIW-1:0]), .rdata_o(rq_b));
  le_prm_ram #(.LANES(Wpb), .EW(32), .DEPTH(RqDepth)) u_rq_mult (
    .clk_i, .we_i(wsel(prm_we_i, prm_sel_i, PrmRqMult)), .waddr_i(prm_addr_i[$clog2(RqDepth)-1:0]),
    .wdata_i(prm_data_i), .re_i(a_load), .ridx_i(rq_ridx[RqIW-1:0]), .rdata_o(rq_m));
  le_prm_ram #(.LANES(Wpb), .EW(32), .DEPTH(RqDepth)) u_rq_shift (
    .clk_i, .we_i(wsel(prm_we_i, prm_sel_i, PrmRqShift)), .waddr_i(prm_addr_i[$clog2(RqDepth)-1:0]),
    .wdata_i(prm_data_i), .re_i(a_load), .ridx_i(rq_ridx[RqIW-1:0]), .rdata_o(rq_s));

  // ---- requant ----
  logic  rq_out_valid, rq_out_ready;
  wide_t rq_y;
  le_requant u_requant (
    .clk_i, .rst_ni,
    .in_valid_i  (a_valid_q),
    .in_ready_o  (rq_in_ready),
    .in_acc_i    (a_acc_q),
    .in_bias_i   (rq_b),
    .in_mult_i   (rq_m[MultW-1:0]),
    .in_shift_i  (rq_s[ShiftW-1:0]),
    .in_sat16_i  (ph_q == PhWo || ph_q == PhW2),
    .out_valid_o (rq_out_valid),
    .out_ready_i (rq_out_ready),
    .out_y_o     (rq_y)
  );

  // ---- QKV store ----
  logic [1:0]  q_m;
  logic [31:0] q_row;
  assign qkv_we_o   = is_qkv && rq_out_valid;
  assign qkv_idx_o  = 32'(q_m) * 32'(MAX_D_HEAD) + q_row;
  assign qkv_data_o = rq_y[7:0];
  le_qkv_rowmap u_qkv_rowmap_q (
    .clk_i, .rst_ni, .clear_i(begin_i), .step_i(qkv_we_o), .d_head_i(cfg_i.d_head),
    .w_tile_rows_i(cfg_i.w_tile_rows), .m_o(q_m), .row_o(q_row)
  );

  // ---- stage B: hold a row while its residual / GELU-bank parameters are read ----
  logic        b_valid_q, b_valid_d, b_load, b_out_ready;
  wide_t       b_y_q, b_y_d;
  logic [31:0] b_idx_q, b_idx_d;
  logic [31:0] res_xm, res_rm;
  logic [7:0]  bank;
  logic [15:0] xres;
  logic [LANES*16-1:0] xres_word;
  logic [$clog2(LANES)-1:0] xres_lane_q, xres_lane_d;

  assign rq_out_ready = is_qkv || !b_valid_q || b_out_ready;
  assign b_load       = !is_qkv && rq_out_valid && (!b_valid_q || b_out_ready);

  always_comb begin
    b_idx_d     = b_idx_q;
    b_valid_d   = b_valid_q;
    b_y_d       = b_y_q;
    xres_lane_d = xres_lane_q;
    if (begin_i) b_idx_d = '0;
    else if (b_load) b_idx_d = b_idx_q + 32'd1;
    if (b_load) b_valid_d = 1'b1;
    else if (b_out_ready) b_valid_d = 1'b0;
    if (b_load) begin
      b_y_d       = rq_y;
      xres_lane_d = b_idx_q[$clog2(LANES)-1:0];
    end
  end
  always_ff @(posedge clk_i) begin
    if (!rst_ni) begin
      b_valid_q <= 1'b0;
      b_idx_q   <= '0;
    end else begin
      b_valid_q <= b_valid_d;
      b_idx_q   <= b_idx_d;
    end
    b_y_q       <= b_y_d;
    xres_lane_q <= xres_lane_d;
  end

  le_prm_ram #(.LANES(Wpb), .EW(32), .DEPTH(DmDepth)) u_res_x (
    .clk_i, .we_i(wsel(prm_we_i, prm_sel_i, PrmResX)), .waddr_i(prm_addr_i[$clog2(DmDepth)-1:0]),
    .wdata_i(prm_data_i), .re_i(b_load), .ridx_i(b_idx_q[DmIW-1:0]), .rdata_o(res_xm));
  le_prm_ram #(.LANES(Wpb), .EW(32), .DEPTH(DmDepth)) u_res_r (
    .clk_i, .we_i(wsel(prm_we_i, prm_sel_i, PrmResR)), .waddr_i(prm_addr_i[$clog2(DmDepth)-1:0]),
    .wdata_i(prm_data_i), .re_i(b_load), .ridx_i(b_idx_q[DmIW-1:0]), .rdata_o(res_rm));
  le_prm_ram #(.LANES(LANES), .EW(8), .DEPTH(FfBeats)) u_bank (
    .clk_i, .we_i(wsel(prm_we_i, prm_sel_i, PrmGeluBank)),
    .waddr_i(prm_addr_i[$clog2(FfBeats)-1:0]),
    .wdata_i(prm_data_i), .re_i(b_load), .ridx_i(b_idx_q[FfIW-1:0]), .rdata_o(bank));

  // The int16 residual copy: beats from the X stream (layer 0), elements from LayerNorm.
  logic                 ln_out_valid, ln_out_last, ln_idle;
  act_t                 ln_x8;
  wide_t                ln_x16;
  logic [31:0]          l_idx_q, l_idx_d;
  logic                 xres_we;
  logic [XResAW-1:0]    xres_waddr;
  logic [LANES-1:0]     xres_wbe;
  logic [LANES*16-1:0]  xres_wdata, xin_wide;
  always_comb begin
    for (int unsigned i = 0; i < LANES; i++) begin
      xin_wide[i*16 +: 16] = 16'({{8{xin_data_i[i*8+7]}}, xin_data_i[i*8 +: 8]}
                                 << (LnOutShift - ResCopyShift));
    end
    xres_we    = xin_we_i || ln_out_valid;
    xres_waddr = xin_we_i ? xin_addr_i : l_idx_q[$clog2(LANES) +: XResAW];
    xres_wbe   = xin_we_i ? {LANES{1'b1}} : LANES'(1) << l_idx_q[$clog2(LANES)-1:0];
    xres_wdata = xin_we_i ? xin_wide : {LANES{ln_x16}};
  end
  le_vec_ram #(.LANES(LANES), .EW(16), .DEPTH(MAX_D_MODEL / LANES)) u_xres (
    .clk_i, .we_i(xres_we), .waddr_i(xres_waddr), .wbe_i(xres_wbe), .wdata_i(xres_wdata),
    .re_i(b_load), .raddr_i(b_idx_q[$clog2(LANES) +: XResAW]), .rdata_o(xres_word));
  assign xres = xres_word[32'(xres_lane_q) * 16 +: 16];

  // ---- residual add -> LayerNorm (Wo, W2) ----
  logic  res_in_ready, res_out_valid, ln_in_ready;
  logic  res_valid_pre, res_ready_pre;   // le_residual_add's side of the stall gate
  wide_t res_y;
  le_residual_add u_residual_add (
    .clk_i, .rst_ni,
    .in_valid_i  (b_valid_q && !is_w1),
    .in_ready_o  (res_in_ready),
    .in_x_i      (xres),
    .in_xm_i     (res_xm[ResMultW-1:0]),
    .in_r_i      (b_y_q),
    .in_rm_i     (res_rm[ResMultW-1:0]),
    .out_valid_o (res_valid_pre),
    .out_ready_i (res_ready_pre),
    .out_y_o     (res_y)
  );

  // Stall injection (test builds, le_stall_gate) on LayerNorm's input: the one operator boundary of
  // this block whose consumer can wait. Not gated: the requant's input (stage A) and output (stage B),
  // the residual / GELU inputs, and the outputs of LayerNorm, GELU and the requant into the x, U_act and
  // Q/K/V stores: the stores have no ready, and stages A and B are scheduled so that the requant never
  // stalls (a_valid_q / b_valid_q reviewed equivalent on that invariant: verif/mutation_waivers.yaml);
  // a stall at LayerNorm's input still back-pressures them through the residual add.
  le_stall_gate #(.SEED_ID(9)) u_stall_ln_in (
    .clk_i, .rst_ni, .valid_i(res_valid_pre), .ready_o(res_ready_pre),
    .valid_o(res_out_valid), .ready_i(ln_in_ready)
  );

  logic signed [63:0] eps_q, eps_d;
  assign eps_d = wsel(prm_we_i, prm_sel_i, PrmLnEps) ? prm_data_i[63:0] : eps_q;
  always_ff @(posedge clk_i) begin
    eps_q <= eps_d;
  end

  le_layernorm #(.MAX_D(MAX_D_MODEL), .PRM_WORDS(Wpb)) u_layernorm (
    .clk_i, .rst_ni,
    .n_i            (($clog2(MAX_D_MODEL + 1))'(cfg_i.d_model)),
    .eps_q_i        (eps_q),
    .prm_gamma_we_i (wsel(prm_we_i, prm_sel_i, PrmLnGamma)),
    .prm_beta_we_i  (wsel(prm_we_i, prm_sel_i, PrmLnBeta)),
    .prm_addr_i     (prm_addr_i[$clog2(MAX_D_MODEL / Wpb)-1:0]),
    .prm_data_i     (prm_data_i),
    .in_valid_i     (res_out_valid),
    .in_ready_o     (ln_in_ready),
    .in_y_i         (res_y),
    .out_valid_o    (ln_out_valid),
    .out_ready_i    (1'b1),
    .out_x8_o       (ln_x8),
    .out_x16_o      (ln_x16),
    .out_last_o     (ln_out_last),
    .idle_o         (ln_idle)
  );

  // LayerNorm int8 output packed into whole beats of the main MAC's x RAM.
  logic [BusW-1:0] pack_q, pack_d;
  always_comb begin
    pack_d = pack_q;
    pack_d[32'(l_idx_q[$clog2(LANES)-1:0]) * 8 +: 8] = ln_x8;
  end
  always_comb begin
    l_idx_d = l_idx_q;
    if (begin_i) l_idx_d = '0;
    else if (ln_out_valid) l_idx_d = l_idx_q + 32'd1;
  end
  logic [BusW-1:0] pack_n;   // the pack register's next value (pack_d: the beat with this element)
  assign pack_n = ln_out_valid ? pack_d : pack_q;
  always_ff @(posedge clk_i) begin
    if (!rst_ni) l_idx_q <= '0;
    else l_idx_q <= l_idx_d;
    pack_q <= pack_n;
  end
  assign x_we_o   = ln_out_valid && (l_idx_q[$clog2(LANES)-1:0] == '1);
  assign x_addr_o = XAddrW'(l_idx_q >> $clog2(LANES));
  assign x_data_o = pack_d;

  // ---- GELU LUT (W1) ----
  logic act_in_ready, act_out_valid;
  act_t act_y;
  logic [31:0] u_idx_q, u_idx_d;
  le_act_lut #(.LANES(LANES)) u_act_lut (
    .clk_i, .rst_ni,
    .lut_we_i    (wsel(prm_we_i, prm_sel_i, PrmGeluLut)),
    .lut_addr_i  (prm_addr_i[$clog2(1024 / LANES)-1:0]),
    .lut_data_i  (prm_data_i),
    .in_valid_i  (b_valid_q && is_w1),
    .in_ready_o  (act_in_ready),
    .in_u_i      (b_y_q[7:0]),
    .in_bank_i   (bank[ActBankW-1:0]),
    .out_valid_o (act_out_valid),
    .out_ready_i (1'b1),
    .out_y_o     (act_y)
  );
  assign b_out_ready = is_w1 ? act_in_ready : res_in_ready;
  assign uact_we_o   = act_out_valid;
  assign uact_idx_o  = u_idx_q;
  assign uact_data_o = act_y;
  always_comb begin
    u_idx_d = u_idx_q;
    if (begin_i) u_idx_d = '0;
    else if (act_out_valid) u_idx_d = u_idx_q + 32'd1;
  end
  always_ff @(posedge clk_i) begin
    if (!rst_ni) u_idx_q <= '0;
    else u_idx_q <= u_idx_d;
  end

  // ---- logits bias stream (0 outside PhLogits: requant adds the GEMV bias there) ----
  le_logits_bias #(.LANES(LANES), .MAX_VOCAB(MAX_VOCAB)) u_logits_bias (
    .clk_i, .rst_ni, .begin_i, .enable_i(is_logits),
    .prm_we_i(wsel(prm_we_i, prm_sel_i, PrmLogitsB)), .prm_addr_i, .prm_data_i,
    .b_valid_o, .b_ready_i, .b_data_o
  );

  assign logit_valid_o = is_logits && acc_valid_i;
  assign logit_data_o  = acc_data_i;

  // ---- phase completion ----
  le_phase_track u_phase_track (
    .clk_i, .rst_ni, .begin_i, .phase_i(ph_q), .cfg_i,
    .qkv_store_i(qkv_we_o), .logit_take_i(logit_valid_o && logit_ready_i),
    .uact_count_i(u_idx_q), .ln_count_i(l_idx_q), .rq_count_i(a_idx_q),
    .done_o(phase_done_o), .rq_free_o
  );

  // Out of reset (power-on or a soft reset's datapath clear) no requant input is pending: a stale one would
  // store a result before any phase began (mutant #1140, a_valid_q's reset value).
  `LE_ASSERT(RqInIdleAfterReset_A, $rose(rst_ni) |-> !a_valid_q)

  // Unused: spare parameter bits, the config fields this block does not read, the parameter address
  // bits above each store's depth, the read indices' bits above each store's index width, and
  // status outputs of the submodules.
  logic unused;
  assign unused = ^{rq_b[31:0], rq_m[31:MultW], rq_s[31:ShiftW], res_xm[31:ResMultW],
                    res_rm[31:ResMultW], bank[7:ActBankW], rq_y[15:8], b_y_q[15:8], ln_out_last,
                    uact_idx_o[31:0], cfg_i, prm_addr_i, rq_ridx, ln_idle};

endmodule
