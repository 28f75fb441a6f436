// Copyright layer-engine contributors. Licensed under the Apache License, Version 2.0.
//
// le_hdr_check: the image checks of an accepted token - the 64-byte DDR image header against the
// latched config and the hardware layout, and KV_BASE / the image end against the layout.
//
// Purpose:             beat_ok_o: every 32-bit word of the header beat beat_i (data_i) equals the header
//                      models/ddr_layout.py DdrLayout.header() would write for this config (magic,
//                      layout version, dims, bus width, tile sizes, kv_base, kv_size, image size).
//                      layout_ok_o: KV_BASE = IMAGE_BASE + kv_base, both inside the OffW-bit image
//                      space, the image size fits its 32-bit header word and the image ends inside the
//                      AXI_ADDR_W address space. le_exec fails the token with ILLEGAL_CONFIG otherwise.
// Golden twin:         models/golden_device.py _image_problem.
// Test:                the env's tests (regress/testlist.yaml; pytest runs each:
//                      tests/rtl/test_uvm_testlist.py)
// Latency:             combinational.
// Initiation interval: 1 beat per cycle.
// Throughput:          n/a.

module le_hdr_check
  import le_ctrl_pkg::*;
#(
  parameter int unsigned LANES      = 16,
  parameter int unsigned AXI_ADDR_W = 32,
  // Derived, not to be overridden.
  localparam int unsigned Wpb       = LANES / 4
) (
  input  cfg_t                  cfg_i,
  input  logic [OffW-1:0]       kv_base_off_i,
  input  logic [OffW-1:0]       kv_size_i,
  input  logic [OffW-1:0]       size_i,
  input  logic [OpBaseW-1:0]    beat_i,
  input  logic [LANES*8-1:0]    data_i,
  output logic                  beat_ok_o,
  output logic                  layout_ok_o
);

  localparam logic [31:0] Magic = 32'h474E_454C;   // b"LENG" little-endian (ddr_layout.MAGIC)

  logic [31:0]     want [16];
  logic [OffW-1:0] kv_abs, img_end;

  always_comb begin
    want[0]  = Magic;
    want[1]  = 32'd1;                               // LAYOUT_VERSION
    want[2]  = cfg_i.d_model;
    want[3]  = cfg_i.n_heads;
    want[4]  = cfg_i.d_head;
    want[5]  = cfg_i.d_ff;
    want[6]  = cfg_i.n_layers;
    want[7]  = cfg_i.vocab;
    want[8]  = cfg_i.max_seq;
    want[9]  = 32'(LANES * 8);
    want[10] = cfg_i.w_tile_rows;
    want[11] = cfg_i.ctx_tile;
    want[12] = kv_base_off_i[31:0];
    want[13] = kv_size_i[31:0];
    want[14] = size_i[31:0];
    want[15] = 32'd0;
    beat_ok_o = 1'b1;
    for (int unsigned j = 0; j < Wpb; j++) begin
      if (data_i[j*32 +: 32] != want[(32'(beat_i) * Wpb + j) % 16]) beat_ok_o = 1'b0;
    end
  end

  assign kv_abs      = OffW'(cfg_i.image_base) + kv_base_off_i;
  assign img_end     = OffW'(cfg_i.image_base) + size_i;
  assign layout_ok_o = (OffW'(cfg_i.kv_base) == kv_abs) && (cfg_i.image_base[63:OffW] == '0) &&
                       (cfg_i.kv_base[63:OffW] == '0) && (size_i[OffW-1:32] == '0) &&
                       ((AXI_ADDR_W >= OffW) || ((img_end >> AXI_ADDR_W) == '0));

  // The token position is not part of the image; kv_size is checked through its 32-bit header word.
  logic unused;
  assign unused = ^{cfg_i.pos, kv_size_i[OffW-1:32]};

endmodule
