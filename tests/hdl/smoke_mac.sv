// smoke_mac: int8 x int8 multiply-accumulate into a signed 32-bit accumulator.
//
// Purpose:    toolchain smoke test (Verilator lint, cocotb runner, SystemC); not part of the engine.
// Latency:    1 cycle. A pair sampled with valid_i at a rising clk_i edge is in acc_o right after
//             that edge.
// Throughput: one pair per cycle.
// Reset:      synchronous, active low (rst_ni): acc_o <= 0.
// clear_i:    synchronous; clear_i with valid_i in the same cycle gives acc_o = a_i * b_i
//             (clear first, then accumulate).
// Overflow:   acc_o wraps modulo 2**32 (two's complement), like int32 arithmetic.

module smoke_mac (
  input  logic               clk_i,
  input  logic               rst_ni,
  input  logic               valid_i,
  input  logic               clear_i,
  input  logic signed [ 7:0] a_i,
  input  logic signed [ 7:0] b_i,
  output logic signed [31:0] acc_o
);

  // -128 * -128 = 16384 is the largest magnitude, so 16 signed bits are exact.
  logic signed [15:0] prod;
  logic signed [31:0] acc_base;
  logic signed [31:0] acc_d, acc_q;

  assign prod = 16'(a_i) * 16'(b_i);

  always_comb begin
    acc_base = clear_i ? '0 : acc_q;
    acc_d    = valid_i ? acc_base + 32'(prod) : acc_base;
  end

  always_ff @(posedge clk_i) begin
    if (!rst_ni) begin
      acc_q <= '0;
    end else begin
      acc_q <= acc_d;
    end
  end

  assign acc_o = acc_q;

endmodule
