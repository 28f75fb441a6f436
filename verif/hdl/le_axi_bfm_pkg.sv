// Copyright layer-engine contributors. Licensed under the Apache License, Version 2.0.
//
// le_axi_bfm_pkg: protocol-error codes of the AXI4 slave BFM (verif/hdl/le_axi_slave_bfm.sv) and
// the response codes. verif/bfm/axi_mem_bfm.py mirrors the codes (ERROR_CODES); keep both in step.
// An error record is {code[7:0], addr[31:0], cycle[31:0]} (72 bits) in the error FIFO of the side
// (read or write) that saw it.

package le_axi_bfm_pkg;

  localparam logic [1:0] RespOkay   = 2'd0;
  localparam logic [1:0] RespSlvErr = 2'd2;
  localparam logic [1:0] RespDecErr = 2'd3;

  localparam logic [7:0] ErrArDropped  = 8'd1;   // ARVALID dropped before ARREADY
  localparam logic [7:0] ErrArChanged  = 8'd2;   // AR payload changed while ARVALID && !ARREADY
  localparam logic [7:0] ErrAwDropped  = 8'd3;   // AWVALID dropped before AWREADY
  localparam logic [7:0] ErrAwChanged  = 8'd4;   // AW payload changed while stalled
  localparam logic [7:0] ErrWDropped   = 8'd5;   // WVALID dropped before WREADY
  localparam logic [7:0] ErrWChanged   = 8'd6;   // W payload changed while stalled
  localparam logic [7:0] ErrCross4k    = 8'd7;   // burst crosses a 4 KB boundary
  localparam logic [7:0] ErrBurstType  = 8'd8;   // AxBURST != INCR
  localparam logic [7:0] ErrSize       = 8'd9;   // AxSIZE != bus width
  localparam logic [7:0] ErrWlast      = 8'd10;  // WLAST on a beat other than the last
  localparam logic [7:0] ErrWExtra     = 8'd11;  // more W beats than AWLEN + 1 (dropped)
  localparam logic [7:0] ErrWrOutside  = 8'd12;  // a strobed byte in no RW window (not applied)
  localparam logic [7:0] ErrRdUnmapped = 8'd13;  // read of an unmapped page (answered DECERR)
  localparam logic [7:0] ErrXz         = 8'd14;  // X/Z on a control signal (or on a valid payload)
  localparam logic [7:0] ErrAwAlign    = 8'd15;  // AWADDR not aligned to the bus

  // Worse of two responses (DECERR > SLVERR > EXOKAY/OKAY).
  function automatic logic [1:0] worse(input logic [1:0] a, input logic [1:0] b);
    return (a >= b) ? a : b;
  endfunction

endpackage
