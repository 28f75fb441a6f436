// Copyright layer-engine contributors. Licensed under the Apache License, Version 2.0.
//
// le_exec_route: where le_exec's beats go - the read stream of a routed op and the feeder's run of a
// feed op, each to its datapath destination.
//
// Purpose:             two sources, one destination each at a time:
//                        read stream  (route_i = 1, le_exec in its route state) by the op:
//                                       OpTile -> main MAC weights, OpKctx -> score MAC (K),
//                                       OpVctx -> P.V (V)
//                        feeder       (le_exec_bufs) by the feed op, latched when its run starts
//                                     (kick_i): OpScoreBegin -> q RAM of the score MAC, OpKcur ->
//                                     score MAC (K), OpVcur -> P.V (V), OpAppend -> write DMA,
//                                     OpGemvBegin -> main MAC's x RAM (O_concat / U_act copy)
//                      While draining (drain_i) the feeder's beats to the datapath are dropped (a
//                      K/V feed is consumed at once); an append still goes to the write DMA, which
//                      must finish a started burst.
// Golden twin:         none: control - the beat routing of le_exec (data movement).
// Test:                the env's tests (regress/testlist.yaml; pytest runs each:
//                      tests/rtl/test_uvm_testlist.py)
// Latency:             combinational (the destination register loads at kick_i).
// Initiation interval: 1 beat per cycle.
// Throughput:          1 bus beat per cycle.
// Reset:               synchronous, active low (the feeder's destination returns to q).

module le_exec_route
  import le_ctrl_pkg::*;
#(
  parameter int unsigned LANES       = 16,
  parameter int unsigned MAX_D_MODEL = 1024,
  parameter int unsigned MAX_D_FF    = 4096,
  parameter int unsigned MAX_D_HEAD  = 128,
  // Derived, not to be overridden.
  localparam int unsigned BusW       = LANES * 8,
  localparam int unsigned MainXAW    = xram_aw(LANES, MAX_D_MODEL, MAX_D_FF),
  localparam int unsigned QAddrW     = q_aw(LANES, MAX_D_HEAD),
  localparam int unsigned FAW        = feed_aw(LANES, MAX_D_MODEL, MAX_D_FF, MAX_D_HEAD)
) (
  input  logic               clk_i,
  input  logic               rst_ni,
  // the executor
  input  op_e                op_i,            // the current op
  input  logic               route_i,         // its read beats are routed (le_exec's route state)
  input  logic               drain_i,         // le_exec is draining
  input  logic               kick_i,          // the feeder starts the current op's run
  // read stream
  input  logic               rd_valid_i,
  output logic               route_ready_o,   // the routed destination's ready
  input  logic [BusW-1:0]    rd_data_i,
  // feeder (le_exec_bufs)
  input  logic               f_valid_i,
  output logic               f_ready_o,
  input  logic [BusW-1:0]    f_data_i,
  input  logic [FAW:0]       f_idx_i,
  // destinations
  output logic               main_w_valid_o,
  input  logic               main_w_ready_i,
  output logic [BusW-1:0]    main_w_data_o,
  output logic               main_x_we_o,
  output logic [MainXAW-1:0] main_x_addr_o,
  output logic [BusW-1:0]    main_x_data_o,
  output logic               q_we_o,
  output logic [QAddrW-1:0]  q_addr_o,
  output logic [BusW-1:0]    q_data_o,
  output logic               k_valid_o,
  input  logic               k_ready_i,
  output logic [BusW-1:0]    k_data_o,
  output logic               v_valid_o,
  input  logic               v_ready_i,
  output logic [BusW-1:0]    v_data_o,
  output logic               wdat_valid_o,
  input  logic               wdat_ready_i,
  output logic [BusW-1:0]    wdat_data_o
);

  typedef enum logic [2:0] { DstQ, DstK, DstV, DstW, DstX } dst_e;

  // ---- the feeder's destination: the feed op's, latched when its run starts ----
  dst_e f_dst, f_dst_d, f_dst_q;

  always_comb begin
    unique case (op_i)
      OpKcur:      f_dst = DstK;
      OpVcur:      f_dst = DstV;
      OpAppend:    f_dst = DstW;
      OpGemvBegin: f_dst = DstX;
      default:     f_dst = DstQ;   // OpScoreBegin
    endcase
  end

  assign f_dst_d = kick_i ? f_dst : f_dst_q;

  always_ff @(posedge clk_i) begin
    if (!rst_ni) begin
      f_dst_q <= DstQ;
    end else begin
      f_dst_q <= f_dst_d;
    end
  end

  always_comb begin
    unique case (f_dst_q)
      DstK:    f_ready_o = k_ready_i;
      DstV:    f_ready_o = v_ready_i;
      DstW:    f_ready_o = wdat_ready_i;
      default: f_ready_o = 1'b1;
    endcase
    unique case (f_dst_q)
      DstK, DstV: if (drain_i) f_ready_o = 1'b1;
      default: ;
    endcase
  end

  // ---- the read stream of a routed op ----
  logic route_k, route_v, route_w;
  assign route_w       = route_i && op_i == OpTile;
  assign route_k       = route_i && op_i == OpKctx;
  assign route_v       = route_i && op_i == OpVctx;
  assign route_ready_o = route_w ? main_w_ready_i : route_k ? k_ready_i : v_ready_i;

  // ---- the destinations ----
  logic f_out;   // the feeder's beats go to the datapath (not while draining)
  assign f_out          = !drain_i;
  assign main_w_valid_o = (route_w && rd_valid_i);
  assign main_w_data_o  = rd_data_i;
  assign k_valid_o      = (route_k && rd_valid_i) || (f_out && f_dst_q == DstK && f_valid_i);
  assign k_data_o       = route_k ? rd_data_i : f_data_i;
  assign v_valid_o      = (route_v && rd_valid_i) || (f_out && f_dst_q == DstV && f_valid_i);
  assign v_data_o       = route_v ? rd_data_i : f_data_i;
  assign wdat_valid_o   = f_dst_q == DstW && f_valid_i;
  assign wdat_data_o    = f_data_i;
  assign q_we_o         = f_out && f_dst_q == DstQ && f_valid_i;
  assign q_addr_o       = QAddrW'(f_idx_i);
  assign q_data_o       = f_data_i;
  assign main_x_we_o    = f_out && f_dst_q == DstX && f_valid_i;
  assign main_x_addr_o  = MainXAW'(f_idx_i);
  assign main_x_data_o  = f_data_i;

  // Unused: the top bit of the feeder's beat index (a run is at most the x RAM's or the Q buffer's
  // depth).
  logic unused;
  assign unused = ^f_idx_i;

endmodule
