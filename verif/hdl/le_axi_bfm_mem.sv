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
// Latency:     read port: combinational (rd_addr_i -> rd_mapped_o / rd_data_o, same cycle).
//              write port: the word is updated at the clock edge that samples wr_en_i (one cycle
//              after the W beat was accepted, as the write side registers the request).
// Throughput:  one read and one write per cycle.
// Unmapped:    a read of an unmapped page returns rd_mapped_o = 0 and rd_data_o = 0; a write to an
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
  localparam int unsigned SlotW  = $clog2(MAX_PAGES),
  localparam int unsigned WppW   = PAGE_BITS - BSHIFT,      // log2(words per page)
  localparam int unsigned VpnW   = ADDR_W - PAGE_BITS,
  localparam int unsigned NVPAGE = 1 << VpnW
) (
  input  logic              clk_i,
  // read port (combinational)
  input  logic [ADDR_W-1:0] rd_addr_i,
  output logic              rd_mapped_o,
  output logic [DATA_W-1:0] rd_data_o,
  // write port
  input  logic              wr_en_i,
  input  logic [ADDR_W-1:0] wr_addr_i,
  input  logic [DATA_W-1:0] wr_data_i,
  input  logic [BB-1:0]     wr_strb_i
);

  // Page table entry: {valid, slot}. Owner entry: {free, virtual page}. Page store index: {slot,
  // word in page}. No initialisers: they would run at the first evaluation, after cocotb's first
  // test may already have mapped pages (the proxy initialises `owner` instead).
  logic [SlotW:0]    pt    [NVPAGE];
  logic [VpnW:0]     owner [MAX_PAGES];
  logic [DATA_W-1:0] words [MAX_PAGES << WppW];

  logic [SlotW:0]        rd_pte, wr_pte;
  logic                  wr_mapped;
  logic [DATA_W-1:0]     wr_mask;
  logic                  unused_byte_offsets;   // byte in a bus word: the ports are word-wide

  assign rd_pte      = pt[rd_addr_i[ADDR_W-1:PAGE_BITS]];
  assign rd_mapped_o = rd_pte[SlotW]
                       && owner[rd_pte[SlotW-1:0]] == {1'b0, rd_addr_i[ADDR_W-1:PAGE_BITS]};
  assign rd_data_o   = rd_mapped_o ? words[{rd_pte[SlotW-1:0], rd_addr_i[PAGE_BITS-1:BSHIFT]}] : '0;
  assign wr_pte      = pt[wr_addr_i[ADDR_W-1:PAGE_BITS]];
  assign wr_mapped   = wr_pte[SlotW]
                       && owner[wr_pte[SlotW-1:0]] == {1'b0, wr_addr_i[ADDR_W-1:PAGE_BITS]};
  assign unused_byte_offsets = ^{rd_addr_i[BSHIFT-1:0], wr_addr_i[BSHIFT-1:0]};

  always_comb begin
    for (int j = 0; j < int'(BB); j++) wr_mask[8*j +: 8] = {8{wr_strb_i[j]}};
  end

  always_ff @(posedge clk_i) begin
    if (wr_en_i && wr_mapped) begin
      words[{wr_pte[SlotW-1:0], wr_addr_i[PAGE_BITS-1:BSHIFT]}] <=
          (words[{wr_pte[SlotW-1:0], wr_addr_i[PAGE_BITS-1:BSHIFT]}] & ~wr_mask)
          | (wr_data_i & wr_mask);
    end
  end

endmodule
