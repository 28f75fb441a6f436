// Test wrapper of rtl/le_layout.sv for tests/rtl/cocotb_layout.py: plain config ports in, one kind's offset and
// size out (selected by kind_i), so cocotb needs no access to packed structs or unpacked array ports.
module le_layout_tb
  import le_ctrl_pkg::*;
(
  input  logic            clk,
  input  logic            rst_n,
  input  logic            start,
  input  logic [31:0]     d_model,
  input  logic [31:0]     n_heads,
  input  logic [31:0]     d_head,
  input  logic [31:0]     d_ff,
  input  logic [31:0]     n_layers,
  input  logic [31:0]     vocab,
  input  logic [31:0]     max_seq,
  input  logic [5:0]      kind,
  output logic            done,
  output logic [OffW-1:0] off_k,
  output logic [OffW-1:0] size_k,
  output logic [OffW-1:0] layer_size,
  output logic [OffW-1:0] head_size,
  output logic [OffW-1:0] logits_w,
  output logic [OffW-1:0] logits_b,
  output logic [OffW-1:0] kv_base,
  output logic [OffW-1:0] kv_slab,
  output logic [OffW-1:0] kv_size,
  output logic [OffW-1:0] size
);
  cfg_t cfg;
  logic [OffW-1:0] off [NumKinds];
  logic [OffW-1:0] ksize [NumKinds];
  always_comb begin
    cfg          = '0;
    cfg.d_model  = d_model;
    cfg.n_heads  = n_heads;
    cfg.d_head   = d_head;
    cfg.d_ff     = d_ff;
    cfg.n_layers = n_layers;
    cfg.vocab    = vocab;
    cfg.max_seq  = max_seq;
  end
  le_layout u_layout (
    .clk_i(clk), .rst_ni(rst_n), .start_i(start), .cfg_i(cfg), .done_o(done), .off_o(off),
    .kind_size_o(ksize), .layer_size_o(layer_size), .head_size_o(head_size), .logits_w_o(logits_w),
    .logits_b_o(logits_b), .kv_base_o(kv_base), .kv_slab_o(kv_slab), .kv_size_o(kv_size),
    .size_o(size)
  );
  assign off_k  = off[kind];
  assign size_k = ksize[kind];
endmodule
