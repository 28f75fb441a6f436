// Copyright layer-engine contributors. Licensed under the Apache License, Version 2.0.
//
// le_qkv_rowmap: which Q/K/V row a main-MAC output is, for one head's interleaved QKV stream.
//
// Purpose:             a head's wqkv region streams tile by tile, each tile = n rows of Wq, then
//                      the same n rows of Wk, then of Wv (n = w_tile_rows, the last tile partial;
//                      models/ddr_layout.py qkv_tile_order). Each step_i advances one output row;
//                      m_o (0 = q, 1 = k, 2 = v) and row_o (0..d_head-1) name the current row.
// Golden twin:         models/ddr_layout.py qkv_tile_order.
// Test:                the env's tests (regress/testlist.yaml; pytest runs each:
//                      tests/rtl/test_uvm_testlist.py)
// Latency:             m_o/row_o change right after the edge with step_i (clear_i restarts at row 0).
// Initiation interval: 1 row per cycle.
// Throughput:          n/a (control).

module le_qkv_rowmap (
  input  logic        clk_i,
  input  logic        rst_ni,
  input  logic        clear_i,
  input  logic        step_i,
  input  logic [31:0] d_head_i,
  input  logic [31:0] w_tile_rows_i,
  output logic [1:0]  m_o,
  output logic [31:0] row_o
);

  logic [31:0] t0_q, t0_d, r_q, r_d, n;
  logic [1:0]  m_q, m_d;

  assign n = (d_head_i - t0_q < w_tile_rows_i) ? d_head_i - t0_q : w_tile_rows_i;

  always_comb begin
    t0_d = t0_q;
    r_d  = r_q;
    m_d  = m_q;
    if (clear_i) begin
      t0_d = '0;
      r_d  = '0;
      m_d  = '0;
    end else if (step_i) begin
      if (r_q + 32'd1 < n) begin
        r_d = r_q + 32'd1;
      end else begin
        r_d = '0;
        if (m_q == 2'd2) begin
          m_d  = '0;
          t0_d = t0_q + n;
        end else begin
          m_d = m_q + 2'd1;
        end
      end
    end
  end

  always_ff @(posedge clk_i) begin
    if (!rst_ni) begin
      t0_q <= '0;
      r_q  <= '0;
      m_q  <= '0;
    end else begin
      t0_q <= t0_d;
      r_q  <= r_d;
      m_q  <= m_d;
    end
  end

  assign m_o   = m_q;
  assign row_o = t0_q + r_q;

endmodule
