// Copyright layer-engine contributors. Licensed under the Apache License, Version 2.0.
//
// le_layout: the DDR image layout of models/ddr_layout.py, computed in hardware from the config.
//
// Purpose:             every tensor starts on a 64-byte boundary, in the order of DdrLayout: header,
//                      exp_lut, then per layer the tensors of le_ctrl_pkg::kind_e, then logits.w,
//                      logits.b and the KV region (one 64-byte-aligned slab of max_seq * d_head bytes
//                      per (layer, head, K|V)). Every layer has the same size, so a tensor's address is
//                      IMAGE_BASE + ImgPrefix + layer * layer_size + off[kind]. Only the host's
//                      IMAGE_BASE and KV_BASE come from CSRs; the rest is derived here and checked
//                      against the image header (le_exec) and KV_BASE (le_cfg_check).
// Golden twin:         models/ddr_layout.py DdrLayout (the end-to-end tests read every tensor through
//                      these offsets; a wrong offset breaks bit-exactness).
// Test:                tests/rtl/test_rtl_layout.py
// Latency:             NumKinds + 2 cycles from start_i to done_o (one tensor per cycle).
// Initiation interval: one computation per token (start_i while busy is ignored).
// Throughput:          n/a (control).
// Reset:               synchronous, active low.

module le_layout
  import le_ctrl_pkg::*;
(
  input  logic            clk_i,
  input  logic            rst_ni,
  input  logic            start_i,
  input  cfg_t            cfg_i,        // stable from start_i until the token ends
  output logic            done_o,       // level: the outputs below are valid
  output logic [OffW-1:0] off_o [NumKinds],
  output logic [OffW-1:0] kind_size_o [NumKinds], // bytes of each kind (KWqkv: all heads)
  output logic [OffW-1:0] layer_size_o,
  output logic [OffW-1:0] head_size_o,  // one head's wqkv region
  output logic [OffW-1:0] logits_w_o,
  output logic [OffW-1:0] logits_b_o,
  output logic [OffW-1:0] kv_base_o,    // offset of the KV region in the image
  output logic [OffW-1:0] kv_slab_o,
  output logic [OffW-1:0] kv_size_o,
  output logic [OffW-1:0] size_o        // whole image
);

  function automatic logic [OffW-1:0] align64(logic [OffW-1:0] n);
    return (n + OffW'(63)) & ~OffW'(63);
  endfunction

  logic [OffW-1:0] dm, nh, dh, df, nl, vo, ms;
  assign dm = OffW'(cfg_i.d_model);
  assign nh = OffW'(cfg_i.n_heads);
  assign dh = OffW'(cfg_i.d_head);
  assign df = OffW'(cfg_i.d_ff);
  assign nl = OffW'(cfg_i.n_layers);
  assign vo = OffW'(cfg_i.vocab);
  assign ms = OffW'(cfg_i.max_seq);

  // Byte size of each kind (the config is checked before start_i, so the products fit).
  logic [OffW-1:0] head_size;
  assign head_size   = align64(3 * dh * dm);
  assign head_size_o = head_size;

  function automatic logic [OffW-1:0] kind_size(kind_e k, logic [OffW-1:0] d, logic [OffW-1:0] h,
                                                logic [OffW-1:0] f, logic [OffW-1:0] hs,
                                                logic [OffW-1:0] heads);
    unique case (k)
      KWqkv:                         return heads * hs;
      KScM, KScS, KOM, KOS:          return 4 * h;
      KWoW:                          return d * d;
      KLn1E, KLn2E:                  return OffW'(8);
      KW1W, KW2W:                    return d * f;
      KW1B, KW1M, KW1S:              return 4 * f;
      KGeluL:                        return OffW'(1024);
      KGeluB:                        return f;
      default:                       return 4 * d;   // per-channel int32 vectors of d_model
    endcase
  endfunction

  logic            busy_q, busy_d, done_q, done_d;
  logic [5:0]      k_q, k_d;
  logic [OffW-1:0] at_q, at_d;
  logic [OffW-1:0] off_q [NumKinds];
  logic [OffW-1:0] off_d [NumKinds];
  logic [OffW-1:0] ksize_q [NumKinds];
  logic [OffW-1:0] ksize_d [NumKinds];
  logic [OffW-1:0] ksize;
  assign ksize = kind_size(kind_e'(k_q), dm, nh, df, head_size, nh);

  always_comb begin
    busy_d  = busy_q;
    done_d  = done_q;
    k_d     = k_q;
    at_d    = at_q;
    off_d   = off_q;
    ksize_d = ksize_q;
    if (start_i && !busy_q) begin
      busy_d = 1'b1;
      done_d = 1'b0;
      k_d    = '0;
      at_d   = '0;
    end else if (busy_q) begin
      off_d[k_q]   = at_q;
      ksize_d[k_q] = ksize;
      at_d         = align64(at_q + ksize);
      if (k_q == 6'(NumKinds - 1)) begin
        busy_d = 1'b0;
        done_d = 1'b1;
      end
      k_d = k_q + 6'd1;
    end
  end

  always_ff @(posedge clk_i) begin
    if (!rst_ni) begin
      busy_q <= 1'b0;
      done_q <= 1'b0;
      k_q    <= '0;
      at_q   <= '0;
    end else begin
      busy_q <= busy_d;
      done_q <= done_d;
      k_q    <= k_d;
      at_q   <= at_d;
    end
  end

  // The offset and size tables (not reset: written in full before done_o rises).
  always_ff @(posedge clk_i) begin
    off_q   <= off_d;
    ksize_q <= ksize_d;
  end

  assign done_o       = done_q;
  assign off_o        = off_q;
  assign kind_size_o  = ksize_q;
  assign layer_size_o = at_q;
  assign logits_w_o   = OffW'(ImgPrefix) + nl * at_q;
  assign logits_b_o   = logits_w_o + align64(vo * dm);
  assign kv_base_o    = logits_b_o + align64(4 * vo);
  assign kv_slab_o    = align64(ms * dh);
  assign kv_size_o    = nl * nh * 2 * kv_slab_o;
  assign size_o       = kv_base_o + kv_size_o;

  // Unused: the config fields that do not shape the layout (tile sizes, position, base addresses).
  logic unused;
  assign unused = ^{cfg_i.w_tile_rows, cfg_i.ctx_tile, cfg_i.pos, cfg_i.image_base, cfg_i.kv_base};

endmodule
