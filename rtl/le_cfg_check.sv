// Copyright layer-engine contributors. Licensed under the Apache License, Version 2.0.
//
// le_cfg_check: the START-time legality check of the config CSRs (ERR_CODE ILLEGAL_CONFIG).
//
// Purpose:             ok_o = every rule of EngineConfig.validate that this engine instance depends
//                      on, against its synthesis maxima: every dim >= 1 and <= its maximum;
//                      d_model, d_head and d_ff multiples of LANES; n_heads * d_head = d_model;
//                      TOKEN_POS < MAX_SEQ (the CSR); IMAGE_BASE and KV_BASE 64-byte aligned. The
//                      checks that need the layout (KV_BASE = IMAGE_BASE + kv_base, the image inside
//                      the address space, the image header) run as the token's first step (le_exec).
// Golden twin:         models/config.py EngineConfig.validate + models/golden_device.py _latch_config.
// Test:                the env's tests (regress/testlist.yaml; pytest runs each:
//                      tests/rtl/test_uvm_testlist.py)
// Latency:             combinational.
// Initiation interval: n/a.
// Throughput:          n/a.

module le_cfg_check
  import le_ctrl_pkg::*;
#(
  parameter int unsigned LANES       = 16,
  parameter int unsigned MAX_D_MODEL = 1024,
  parameter int unsigned MAX_D_FF    = 4096,
  parameter int unsigned MAX_HEADS   = 16,
  parameter int unsigned MAX_D_HEAD  = 128,
  parameter int unsigned MAX_SEQ     = 512,
  parameter int unsigned MAX_VOCAB   = 32768,
  parameter int unsigned MAX_LAYERS  = 16,
  parameter int unsigned MAX_TILE    = 65535   // w_tile_rows, ctx_tile
) (
  input  cfg_t cfg_i,
  output logic ok_o
);

  localparam int unsigned LaneMask = LANES - 1;

  function automatic logic in_range(logic [31:0] v, int unsigned hi);
    return (v != 32'd0) && (v <= 32'(hi));
  endfunction

  logic dims_ok, lanes_ok, heads_ok, pos_ok, align_ok;
  logic [63:0] heads_x_dhead;

  assign dims_ok = in_range(cfg_i.d_model, MAX_D_MODEL) && in_range(cfg_i.n_heads, MAX_HEADS) &&
                   in_range(cfg_i.d_head, MAX_D_HEAD) && in_range(cfg_i.d_ff, MAX_D_FF) &&
                   in_range(cfg_i.n_layers, MAX_LAYERS) && in_range(cfg_i.vocab, MAX_VOCAB) &&
                   in_range(cfg_i.max_seq, MAX_SEQ) && in_range(cfg_i.w_tile_rows, MAX_TILE) &&
                   in_range(cfg_i.ctx_tile, MAX_TILE);
  assign lanes_ok = ((cfg_i.d_model & 32'(LaneMask)) == 32'd0) &&
                    ((cfg_i.d_head & 32'(LaneMask)) == 32'd0) &&
                    ((cfg_i.d_ff & 32'(LaneMask)) == 32'd0);
  assign heads_x_dhead = 64'(cfg_i.n_heads) * 64'(cfg_i.d_head);
  assign heads_ok = heads_x_dhead == 64'(cfg_i.d_model);
  assign pos_ok   = cfg_i.pos < cfg_i.max_seq;
  assign align_ok = (cfg_i.image_base[5:0] == 6'd0) && (cfg_i.kv_base[5:0] == 6'd0);
  assign ok_o     = dims_ok && lanes_ok && heads_ok && pos_ok && align_ok;

endmodule
