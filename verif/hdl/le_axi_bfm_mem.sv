// Copyright layer-engine contributors. Licensed under the Apache License, Version 2.0.
//
// le_axi_bfm_mem: sparse page-mapped memory of the AXI4 slave BFM (verif/hdl/le_axi_slave_bfm.sv).
// Testbench model, not for synthesis.
//
// Purpose:     a direct page table `pt` (virtual page = address >> PAGE_BITS -> {valid, slot}), a
//              slot owner table `owner` (slot -> {free, virtual page}) and a page store `words` of
//              MAX_PAGES pages x WordsPerPage bus words. All are written only by the Python proxy
//              (verif/bfm/axi_mem_bfm.py) through cocotb handles (page allocation, backdoor
//              load/peek); the read side of the BFM looks words up, the write side writes through
//              the strobed write port. A page is mapped only if its pt entry is valid AND the slot's
//              owner is that page: so a randomly initialised pt (--x-initial unique with
//              +verilator+rand+reset+2) maps nothing once the proxy has marked every slot free.
// Latency:     read port: combinational (rd_addr -> rd_mapped / rd_data in the same cycle).
//              write port: the word is updated at the clock edge that samples wr_en (one cycle
//              after the W beat was accepted, as the write side registers the request).
// Throughput:  one read and one write per cycle.
// Unmapped:    a read of an unmapped page returns rd_mapped = 0 and rd_data = 0; a write to an
//              unmapped page is dropped (the write side only writes inside the read-write windows,
//              whose pages the proxy maps when the window is set).

module le_axi_bfm_mem #(
  parameter int unsigned DATA_W    = 128,
  parameter int unsigned ADDR_W    = 32,
  parameter int unsigned PAGE_BITS = 12,
  parameter int unsigned MAX_PAGES = 4096,
  // Derived.
  localparam int unsigned BB     = DATA_W / 8,
  localparam int unsigned BSHIFT = $clog2(BB),
  localparam int unsigned SLOT_W = $clog2(MAX_PAGES),
  localparam int unsigned WPP_W  = PAGE_BITS - BSHIFT,      // log2(words per page)
  localparam int unsigned VPN_W  = ADDR_W - PAGE_BITS,
  localparam int unsigned NVPAGE = 1 << VPN_W
) (
  input  logic              clk,
  // read port (combinational)
  input  logic [ADDR_W-1:0] rd_addr,
  output logic              rd_mapped,
  output logic [DATA_W-1:0] rd_data,
  // write port
  input  logic              wr_en,
  input  logic [ADDR_W-1:0] wr_addr,
  input  logic [DATA_W-1:0] wr_data,
  input  logic [BB-1:0]     wr_strb
);

  // Page table entry: {valid, slot}. Owner entry: {free, virtual page}. Page store index: {slot,
  // word in page}. No initialisers: they would run at the first evaluation, after cocotb's first
  // test may already have mapped pages (the proxy initialises `owner` instead).
  logic [SLOT_W:0]   pt    [NVPAGE];
  logic [VPN_W:0]    owner [MAX_PAGES];
  logic [DATA_W-1:0] words [MAX_PAGES << WPP_W];

  logic [SLOT_W:0]       rd_pte, wr_pte;
  logic                  wr_mapped;
  logic [DATA_W-1:0]     wr_mask;

  assign rd_pte    = pt[rd_addr[ADDR_W-1:PAGE_BITS]];
  assign rd_mapped = rd_pte[SLOT_W] && owner[rd_pte[SLOT_W-1:0]] == {1'b0, rd_addr[ADDR_W-1:PAGE_BITS]};
  assign rd_data   = rd_mapped ? words[{rd_pte[SLOT_W-1:0], rd_addr[PAGE_BITS-1:BSHIFT]}] : '0;
  assign wr_pte    = pt[wr_addr[ADDR_W-1:PAGE_BITS]];
  assign wr_mapped = wr_pte[SLOT_W] && owner[wr_pte[SLOT_W-1:0]] == {1'b0, wr_addr[ADDR_W-1:PAGE_BITS]};

  always_comb begin
    for (int j = 0; j < int'(BB); j++) wr_mask[8*j +: 8] = {8{wr_strb[j]}};
  end

  always_ff @(posedge clk) begin
    if (wr_en && wr_mapped) begin
      words[{wr_pte[SLOT_W-1:0], wr_addr[PAGE_BITS-1:BSHIFT]}] <=
          (words[{wr_pte[SLOT_W-1:0], wr_addr[PAGE_BITS-1:BSHIFT]}] & ~wr_mask) | (wr_data & wr_mask);
    end
  end

endmodule
