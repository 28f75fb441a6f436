// Copyright layer-engine contributors. Licensed under the Apache License, Version 2.0.
//
// le_axi_slave_bfm: AXI4 slave memory BFM, the HDL half of a split transactor (proxy:
// verif/bfm/axi_mem_bfm.py AxiMemBfm). Testbench model: cycle-level work here, Python only at
// transaction level (knobs, backdoor, record drains).
//
// Purpose:     a sparse, byte-addressable, page-mapped memory (le_axi_bfm_mem) behind AR/R
//              (le_axi_bfm_rd) and AW/W/B (le_axi_bfm_wr), with random timing (latency, ready
//              stalls, valid gaps, out-of-order and interleaved responses), error injection (an
//              N_ERR-entry range table plus a random per-burst error probability), protocol checks
//              recorded in error FIFOs (never $fatal) and transaction records for the monitors.
// Latency:     read: AR accepted at edge k -> first R beat transferable at edge k + 1 + L,
//              L uniform in [lat_min, lat_max]. write: WLAST beat accepted at edge k -> B
//              transferable at edge k + 1 + L, L uniform in [b_lat_min, b_lat_max].
// Throughput:  1 R beat and 1 W beat per cycle with all stall / gap probabilities 0.
// Legal here:  INCR bursts of full-width beats (AxSIZE = log2(DATA_W / 8)), not crossing 4 KB;
//              ADDR_W <= 32 (records hold 32-bit addresses and cycles).
// Knobs:       k_* registers below, written by the proxy through VPI (public_flat_rw). They have
//              no initialiser (it would run at the first evaluation, after cocotb's first test may
//              have written them): Verilator zero-initialises them and 0 is the default of every
//              knob (k_max_out 0 = SLOTS, k_w_early_max 0 = W_EARLY, k_rand_err_resp 0 = SLVERR). Probabilities are fractions of 65536 (17 bits: 65536 =
//              always), compared with $urandom[15:0] once per cycle and channel; $urandom follows
//              the simulator seed (+verilator+seed+N). Set knobs between transactions.
// Memory map:  the proxy owns the page table (pt) and page allocation; reads of an unmapped page
//              are answered DECERR and recorded; writes land only inside the enabled read-write
//              windows k_rw_* (pages mapped by the proxy), others are recorded and not applied.
// Cycle count: `now` counts rising edges since time zero (not reset); records and errors carry it.
// Reset:       synchronous, active low: outstanding bursts are dropped, READY/VALID low, the
//              max-outstanding statistics cleared. Record / error FIFO write counters and the other
//              statistics are neither reset nor initialised: they count on from any start value
//              (the proxy keeps read pointers and works modulo 2^32), so nothing depends on whether
//              the simulator zeroes or randomises variables (--x-initial unique).

module le_axi_slave_bfm #(
  parameter int unsigned DATA_W    = 128,    // 64, 128 or 256
  parameter int unsigned ADDR_W    = 32,
  parameter int unsigned ID_W      = 4,
  parameter int unsigned PAGE_BITS = 12,     // 4 KB pages
  parameter int unsigned MAX_PAGES = 4096,   // page store size (16 MB at 4 KB pages)
  parameter int unsigned SLOTS     = 32,     // outstanding bursts per side the tables hold
  parameter int unsigned N_ERR     = 8,      // error-range table entries
  parameter int unsigned N_RW      = 4,      // read-write windows
  localparam int unsigned BB       = DATA_W / 8
) (
  input  logic              clk,
  input  logic              rst_n,
  input  logic [ID_W-1:0]   axi_awid,
  input  logic [ADDR_W-1:0] axi_awaddr,
  input  logic [7:0]        axi_awlen,
  input  logic [2:0]        axi_awsize,
  input  logic [1:0]        axi_awburst,
  input  logic              axi_awlock,
  input  logic [3:0]        axi_awcache,
  input  logic [2:0]        axi_awprot,
  input  logic              axi_awvalid,
  output logic              axi_awready,
  input  logic [DATA_W-1:0] axi_wdata,
  input  logic [BB-1:0]     axi_wstrb,
  input  logic              axi_wlast,
  input  logic              axi_wvalid,
  output logic              axi_wready,
  output logic [ID_W-1:0]   axi_bid,
  output logic [1:0]        axi_bresp,
  output logic              axi_bvalid,
  input  logic              axi_bready,
  input  logic [ID_W-1:0]   axi_arid,
  input  logic [ADDR_W-1:0] axi_araddr,
  input  logic [7:0]        axi_arlen,
  input  logic [2:0]        axi_arsize,
  input  logic [1:0]        axi_arburst,
  input  logic              axi_arlock,
  input  logic [3:0]        axi_arcache,
  input  logic [2:0]        axi_arprot,
  input  logic              axi_arvalid,
  output logic              axi_arready,
  output logic [ID_W-1:0]   axi_rid,
  output logic [DATA_W-1:0] axi_rdata,
  output logic [1:0]        axi_rresp,
  output logic              axi_rlast,
  output logic              axi_rvalid,
  input  logic              axi_rready
);

  if (DATA_W != 64 && DATA_W != 128 && DATA_W != 256) begin : gen_bad_data_w
    $error("le_axi_slave_bfm: DATA_W must be 64, 128 or 256");
  end
  if (ADDR_W > 32 || PAGE_BITS != 12) begin : gen_bad_addr_w
    $error("le_axi_slave_bfm: ADDR_W must be <= 32 and PAGE_BITS 12 (AXI 4 KB rule)");
  end

  // ---- knobs (proxy-written; see verif/bfm/axi_mem_bfm.py BfmKnobs for the meaning) --------------
  logic [15:0]              k_lat_min       /*verilator public_flat_rw*/;
  logic [15:0]              k_lat_max       /*verilator public_flat_rw*/;
  logic [16:0]              k_p_ar_stall    /*verilator public_flat_rw*/;
  logic [16:0]              k_p_r_gap       /*verilator public_flat_rw*/;
  logic                     k_reorder       /*verilator public_flat_rw*/;
  logic                     k_interleave    /*verilator public_flat_rw*/;
  logic [15:0]              k_max_out       /*verilator public_flat_rw*/;
  logic [16:0]              k_p_aw_stall    /*verilator public_flat_rw*/;
  logic [16:0]              k_p_w_stall     /*verilator public_flat_rw*/;
  logic [15:0]              k_b_lat_min     /*verilator public_flat_rw*/;
  logic [15:0]              k_b_lat_max     /*verilator public_flat_rw*/;
  logic [16:0]              k_p_b_gap       /*verilator public_flat_rw*/;
  logic                     k_b_reorder     /*verilator public_flat_rw*/;
  logic [15:0]              k_w_early_max   /*verilator public_flat_rw*/;
  logic [16:0]              k_p_rd_err      /*verilator public_flat_rw*/;
  logic [16:0]              k_p_wr_err      /*verilator public_flat_rw*/;
  logic [1:0]               k_rand_err_resp /*verilator public_flat_rw*/;
  logic                     k_no_wdata_rec  /*verilator public_flat_rw*/;
  // error ranges [lo, hi): response, enabled for reads / writes
  logic [N_ERR-1:0][ADDR_W:0] k_erng_lo     /*verilator public_flat_rw*/;
  logic [N_ERR-1:0][ADDR_W:0] k_erng_hi     /*verilator public_flat_rw*/;
  logic [N_ERR-1:0][1:0]    k_erng_resp     /*verilator public_flat_rw*/;
  logic [N_ERR-1:0]         k_erng_rd       /*verilator public_flat_rw*/;
  logic [N_ERR-1:0]         k_erng_wr       /*verilator public_flat_rw*/;
  // read-write windows [lo, hi)
  logic [N_RW-1:0][ADDR_W:0] k_rw_lo        /*verilator public_flat_rw*/;
  logic [N_RW-1:0][ADDR_W:0] k_rw_hi        /*verilator public_flat_rw*/;
  logic [N_RW-1:0]          k_rw_en         /*verilator public_flat_rw*/;

  logic [31:0] now = '0;
  always_ff @(posedge clk) now <= now + 32'd1;

  logic [ADDR_W-1:0] mrd_addr, mwr_addr;
  logic              mrd_mapped, mwr_en;
  logic [DATA_W-1:0] mrd_data, mwr_data;
  logic [BB-1:0]     mwr_strb;

  le_axi_bfm_mem #(
    .DATA_W(DATA_W), .ADDR_W(ADDR_W), .PAGE_BITS(PAGE_BITS), .MAX_PAGES(MAX_PAGES)
  ) u_mem (
    .clk_i      (clk),
    .rd_addr_i  (mrd_addr),
    .rd_mapped_o(mrd_mapped),
    .rd_data_o  (mrd_data),
    .wr_en_i    (mwr_en),
    .wr_addr_i  (mwr_addr),
    .wr_data_i  (mwr_data),
    .wr_strb_i  (mwr_strb)
  );

  le_axi_bfm_rd #(
    .DATA_W(DATA_W), .ADDR_W(ADDR_W), .ID_W(ID_W), .SLOTS(SLOTS), .N_ERR(N_ERR)
  ) u_rd (
    .clk, .rst_n, .now,
    .axi_arid, .axi_araddr, .axi_arlen, .axi_arsize, .axi_arburst, .axi_arlock, .axi_arcache,
    .axi_arprot, .axi_arvalid, .axi_arready,
    .axi_rid, .axi_rdata, .axi_rresp, .axi_rlast, .axi_rvalid, .axi_rready,
    .lat_min        (k_lat_min),
    .lat_max        (k_lat_max),
    .p_ar_stall     (k_p_ar_stall),
    .p_r_gap        (k_p_r_gap),
    .p_err          (k_p_rd_err),
    .err_resp       (k_rand_err_resp),
    .reorder        (k_reorder),
    .interleave     (k_interleave),
    .max_outstanding(k_max_out),
    .erng_lo        (k_erng_lo),
    .erng_hi        (k_erng_hi),
    .erng_resp      (k_erng_resp),
    .erng_en        (k_erng_rd),
    .mem_addr       (mrd_addr),
    .mem_mapped     (mrd_mapped),
    .mem_data       (mrd_data)
  );

  le_axi_bfm_wr #(
    .DATA_W(DATA_W), .ADDR_W(ADDR_W), .ID_W(ID_W), .SLOTS(SLOTS), .N_ERR(N_ERR), .N_RW(N_RW)
  ) u_wr (
    .clk, .rst_n, .now,
    .axi_awid, .axi_awaddr, .axi_awlen, .axi_awsize, .axi_awburst, .axi_awlock, .axi_awcache,
    .axi_awprot, .axi_awvalid, .axi_awready,
    .axi_wdata, .axi_wstrb, .axi_wlast, .axi_wvalid, .axi_wready,
    .axi_bid, .axi_bresp, .axi_bvalid, .axi_bready,
    .p_aw_stall     (k_p_aw_stall),
    .p_w_stall      (k_p_w_stall),
    .p_b_gap        (k_p_b_gap),
    .b_lat_min      (k_b_lat_min),
    .b_lat_max      (k_b_lat_max),
    .b_reorder      (k_b_reorder),
    .max_outstanding(k_max_out),
    .w_early_max    (k_w_early_max),
    .p_err          (k_p_wr_err),
    .err_resp       (k_rand_err_resp),
    .rec_wdata      (!k_no_wdata_rec),
    .erng_lo        (k_erng_lo),
    .erng_hi        (k_erng_hi),
    .erng_resp      (k_erng_resp),
    .erng_en        (k_erng_wr),
    .rw_lo          (k_rw_lo),
    .rw_hi          (k_rw_hi),
    .rw_en          (k_rw_en),
    .mem_we         (mwr_en),
    .mem_addr       (mwr_addr),
    .mem_data       (mwr_data),
    .mem_strb       (mwr_strb)
  );

endmodule
