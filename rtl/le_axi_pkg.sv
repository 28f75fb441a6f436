// Copyright layer-engine contributors. Licensed under the Apache License, Version 2.0.
//
// le_axi_pkg: the AMBA AXI4 encodings the DMAs use (le_axi_rd, le_axi_wr, le_axi_burst_split).
//
// Golden twin:  none: constants of the AXI4 protocol (ARM IHI 0022, sections A3.4 and A3.4.4); the Python
//               side of the same constants is models/axi.py (AxiResp, AxiBurst, the 4 KB boundary).
// Test:         through its users: tests/rtl/test_rtl_axi_rd.py, tests/rtl/test_rtl_axi_wr.py,
//               tests/rtl/test_rtl_axi_slave_bfm.py.
package le_axi_pkg;

  // ---- AxBURST -------------------------------------------------------------------------------------
  typedef logic [1:0] burst_t;
  localparam burst_t BurstFixed = 2'b00;
  localparam burst_t BurstIncr  = 2'b01;
  localparam burst_t BurstWrap  = 2'b10;

  // ---- RRESP / BRESP -------------------------------------------------------------------------------
  typedef logic [1:0] resp_t;
  localparam resp_t RespOkay   = 2'b00;
  localparam resp_t RespExokay = 2'b01;
  localparam resp_t RespSlverr = 2'b10;
  localparam resp_t RespDecerr = 2'b11;

  // ---- AxSIZE: bytes per beat = 2^size ---------------------------------------------------------------
  typedef logic [2:0] size_t;
  function automatic size_t size_of(int unsigned bytes);   // bytes: a power of two in 1..128
    return size_t'($clog2(bytes));
  endfunction

  // ---- AxLEN, the 4 KB rule ------------------------------------------------------------------------
  localparam int unsigned LenW          = 8;                 // AxLEN width: beats - 1
  localparam int unsigned MaxBurstBeats = 1 << LenW;         // an INCR burst is at most 256 beats
  localparam int unsigned PageBytes     = 4096;              // no burst may cross a 4 KB boundary
  localparam int unsigned PageW         = $clog2(PageBytes); // address bits inside a page (12)
  typedef logic [LenW-1:0] len_t;

  // ---- the fixed fields of every burst the engine issues ------------------------------------------
  localparam logic       LockNormal      = 1'b0;     // AxLOCK: normal access
  localparam logic [3:0] CacheBufNoAlloc = 4'b0011;  // AxCACHE: normal non-cacheable bufferable
  localparam logic [2:0] ProtData        = 3'b000;   // AxPROT: data, secure, unprivileged

endpackage
