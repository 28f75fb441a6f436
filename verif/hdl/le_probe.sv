// Copyright layer-engine contributors. Licensed under the Apache License, Version 2.0.
//
// le_probe: operator-boundary probes for `regress debug` (testbench only; le_tb_top wires its inputs
// to hierarchical signals of u_dut, nothing in rtl/ changes).
//
// Purpose:    with the plusarg +le_probe_file=<path>, every value that crosses an operator boundary of
//             the golden model (models/golden.py Trace names) is written to <path> as it is produced:
//               <cycle> <time> <token> <layer> <head> <name> <index> <value>
//             plus one line per token start:  <cycle> <time> T <token> <pos>
//             (cycle: rising clock edges since time 0; time: $time in ps;
//             token: the n-th accepted START, from 0; head -1 for per-layer values; index -1 when
//             the element index is the order of arrival: regress/debug_probe.py counts it).
//             Names: q k v s_raw s p o (per head), oprime y1 x_att x_att_res u u_act f y2 x x_res
//             (per layer), logits (per token, layer -1). The layer is counted from the phase begins
//             (a QKV phase after a W2 phase starts the next layer).
//             Without the plusarg the probe does nothing; in reset and before the first START it
//             writes nothing.
// Latency:    n/a (observes the same edge).
// Throughput: n/a.

module le_probe
  import le_ctrl_pkg::*;
#(
  parameter int unsigned MAX_D_HEAD = 128      // the Q/K/V buffer's stride (le_main_out qkv_idx_o)
) (
  input  logic        clk_i,
  input  logic        rst_ni,
  input  logic        tok_start_i,
  input  logic [31:0] tok_pos_i,
  input  logic        main_begin_i,
  input  phase_e      main_phase_i,
  input  phase_e      ph_i,              // le_main_out's latched phase
  // le_main_out
  input  logic        qkv_we_i,
  input  logic [31:0] qkv_idx_i,
  input  logic [7:0]  qkv_head_i,
  input  logic signed [7:0]  qkv_data_i,
  input  logic        rq_take_i,         // stage B load: a requant result of Wo / W1 / W2
  input  logic [31:0] rq_idx_i,
  input  logic signed [15:0] rq_y_i,
  input  logic        res_take_i,
  input  logic signed [15:0] res_y_i,
  input  logic        ln_valid_i,
  input  logic [31:0] ln_idx_i,
  input  logic signed [7:0]  ln_x8_i,
  input  logic signed [15:0] ln_x16_i,
  input  logic        act_valid_i,
  input  logic [31:0] act_idx_i,
  input  logic signed [7:0]  act_y_i,
  input  logic        logit_take_i,
  input  logic signed [31:0] logit_i,
  // le_attn
  input  logic [7:0]  attn_head_i,     // the head of the scores and probabilities
  input  logic [7:0]  o_head_i,        // the head of the O values (a head behind while O drains)
  input  logic        s_take_i,
  input  logic signed [31:0] s_raw_i,
  input  logic        z_take_i,
  input  logic [31:0] z_idx_i,
  input  logic signed [15:0] z_i,
  input  logic        p_take_i,
  input  logic [le_pkg::ProbW-1:0] p_i,
  input  logic        o_valid_i,
  input  logic [31:0] o_idx_i,
  input  logic signed [7:0]  o_i
);

  int          fd = 0;
  longint      cycle;
  int          tok, layer;
  bit          seen_w2;
  string       path;
  logic [31:0] qkv_m, qkv_j;

  initial begin
    cycle   = 0;
    tok     = -1;
    layer   = 0;
    seen_w2 = 1'b0;
    $timeformat(-12, 0, "", 0);   // %t in ps, whatever the timescale (regress/debug.py reads ps)
    if ($value$plusargs("le_probe_file=%s", path)) begin
      fd = $fopen(path, "w");
      if (fd == 0) $fatal(1, "le_probe: cannot open %s", path);
    end
  end

  function automatic void put(string name, int head, longint idx, longint value);
    $fwrite(fd, "%0d %0t %0d %0d %0d %s %0d %0d\n", cycle, $time, tok,
            name == "logits" ? -1 : layer,
            head, name, idx, value);
  endfunction

  // Testbench bookkeeping in file order: blocking updates on purpose (BLKSEQ waived in
  // verif/hdl/lint/verilator.vlt).
  always @(posedge clk_i) begin
    cycle <= cycle + 1;
    if (fd != 0 && rst_ni) begin
      if (tok_start_i) begin
        tok     = tok + 1;
        layer   = 0;
        seen_w2 = 1'b0;
        $fwrite(fd, "%0d %0t T %0d %0d\n", cycle, $time, tok, tok_pos_i);
        $fflush(fd);
      end
      if (main_begin_i) begin
        if (main_phase_i == PhQkv && seen_w2) begin
          layer   = layer + 1;
          seen_w2 = 1'b0;
        end
        if (main_phase_i == PhW2) seen_w2 = 1'b1;
        $fflush(fd);                             // a killed (hung) run keeps all but its last phase
      end
    end
    // values before the first START are reset / X-init noise
    if (fd != 0 && rst_ni && tok >= 0) begin
      if (qkv_we_i) begin
        qkv_m = qkv_idx_i / 32'(MAX_D_HEAD);
        qkv_j = qkv_idx_i % 32'(MAX_D_HEAD);
        put(qkv_m == 0 ? "q" : qkv_m == 1 ? "k" : "v", int'(qkv_head_i), longint'(qkv_j),
            longint'(qkv_data_i));
      end
      if (rq_take_i) begin
        case (ph_i)
          PhWo:    put("oprime", -1, longint'(rq_idx_i), longint'(rq_y_i));
          PhW1:    put("u", -1, longint'(rq_idx_i), longint'(rq_y_i));
          default: put("f", -1, longint'(rq_idx_i), longint'(rq_y_i));
        endcase
      end
      if (res_take_i) put(ph_i == PhWo ? "y1" : "y2", -1, -1, longint'(res_y_i));
      if (ln_valid_i) begin
        put(ph_i == PhWo ? "x_att" : "x", -1, longint'(ln_idx_i), longint'(ln_x8_i));
        put(ph_i == PhWo ? "x_att_res" : "x_res", -1, longint'(ln_idx_i), longint'(ln_x16_i));
      end
      if (act_valid_i) put("u_act", -1, longint'(act_idx_i), longint'(act_y_i));
      if (logit_take_i) put("logits", -1, -1, longint'(logit_i));
      if (s_take_i) put("s_raw", int'(attn_head_i), -1, longint'(s_raw_i));
      if (z_take_i) put("s", int'(attn_head_i), longint'(z_idx_i), longint'(z_i));
      if (p_take_i) put("p", int'(attn_head_i), -1, longint'(p_i));
      if (o_valid_i) put("o", int'(o_head_i), longint'(o_idx_i), longint'(o_i));
    end
  end

  final begin
    if (fd != 0) $fclose(fd);
  end

endmodule
