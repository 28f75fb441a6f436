// Copyright layer-engine contributors. Licensed under the Apache License, Version 2.0.
//
// le_sched: the loop nest of one token as a stream of micro-ops and DMA read commands.
//
// Purpose:             walks models/schedule.py token_schedule in hardware and emits every op of the
//                      token in order (le_ctrl_pkg::op_e): the header, then per layer the attention
//                      parameters, then per head h its QKV tiles, then (h > 0) head h-1's V context
//                      tiles, current V row and two appends, then head h's K context tiles and current
//                      K row; after the last head, the Wo parameter group and then that head's V part.
//                      Head h's QKV tiles come before head h-1's V part so that the main MAC consumes
//                      them while le_attn runs head h-1's softmax (le_exec_bufs double-buffers Q/K/V
//                      by head parity), and the Wo parameters load during the last head's softmax.
//                      Then the Wo tiles, the W1, W2 parameter groups
//                      each followed by the phase's weight tiles (partial last tile); logits.b and the
//                      logits tiles; the end. A read op goes out together with its read command to
//                      le_axi_rd (one transfer of the schedule), so the DMA runs ahead of the
//                      executor by as much as the op FIFO and the read reorder buffer hold: this is
//                      the ping/pong - the next tiles' bursts are in flight while le_exec feeds the
//                      current one to the MACs, and parameter groups and V tiles are fetched while
//                      softmax and LayerNorm run. After the header the walk waits for hdr_ok_i (the
//                      header and the layout checks passed) so that a bad config never reaches DDR.
// Golden twin:         models/schedule.py token_schedule (transfer for transfer; the perf counters'
//                      byte totals are checked against its schedule_beats).
// Test:                the env's tests (regress/testlist.yaml; pytest runs each:
//                      tests/rtl/test_uvm_testlist.py)
// Latency:             1 op per cycle at best; the first op 1 cycle after start_i with layout_ok_i.
// Initiation interval: 1 op per cycle (fewer when the op FIFO or the read command port stalls).
// Throughput:          n/a (control).
// Reset:               synchronous, active low; abort_i returns to idle at once (le_exec drains).

`ifndef LE_ASSERT_SVH
`include "le_assert.svh"  // guarded: rtl/layer_engine.f lists it first; a lone build: -y rtl
`endif

module le_sched
  import le_ctrl_pkg::*;
#(
  parameter int unsigned BUS_BYTES   = 16,
  parameter int unsigned MAX_D_MODEL = 1024,   // requant parameter region stride (q/k/v)
  parameter int unsigned AXI_ADDR_W  = 32
) (
  input  logic                  clk_i,
  input  logic                  rst_ni,
  input  logic                  start_i,       // token accepted (cfg_i and the layout are stable)
  input  logic                  abort_i,
  input  cfg_t                  cfg_i,
  input  logic                  layout_ok_i,   // le_layout done
  input  logic                  hdr_ok_i,      // le_exec: header checked, go on
  input  logic [OffW-1:0]       off_i [NumKinds],
  input  logic [OffW-1:0]       kind_size_i [NumKinds],
  input  logic [OffW-1:0]       layer_size_i,
  input  logic [OffW-1:0]       head_size_i,
  input  logic [OffW-1:0]       logits_w_i,
  input  logic [OffW-1:0]       logits_b_i,
  input  logic [OffW-1:0]       kv_slab_i,
  // op stream to le_exec (via the op FIFO)
  output logic                  op_valid_o,
  input  logic                  op_ready_i,
  output op_t                   op_o,
  // read commands to le_axi_rd
  output logic                  cmd_valid_o,
  input  logic                  cmd_ready_i,
  output logic [AXI_ADDR_W-1:0] cmd_addr_o,
  output logic [OpLenW-1:0]     cmd_len_o,
  output logic                  busy_o
);

  localparam int unsigned WordsPerBeat = BUS_BYTES / 4;
  localparam int unsigned RqRegion     = MAX_D_MODEL / WordsPerBeat;   // beats per q/k/v region

  typedef enum logic [4:0] {
    SIdle, SWaitLayout, SHdr, SHdrWait, SPrm, SQkvBegin, SQkvTile, SScoreBegin, SKctx, SKcur, SVctx,
    SVcur, SAppK, SAppV, SGemvBegin, STile, SEnd
  } state_e;

  function automatic logic [OffW-1:0] whole_beats(logic [OffW-1:0] n);
    return (n + OffW'(BUS_BYTES - 1)) & ~OffW'(BUS_BYTES - 1);
  endfunction

  state_e          state_q, state_d;
  phase_e          ph_q, ph_d;                   // phase of the next SGemvBegin / STile walk
  prm_idx_t        prm_q, prm_d;                 // le_ctrl_pkg::PrmTable index
  loop_idx_t       layer_q, layer_d, head_q, head_d;
  logic            which_q, which_d;
  logic            vprev_q, vprev_d;             // the V part being walked is head_q - 1's
  logic [OffW-1:0] layer_base_q, layer_base_d;   // IMAGE_BASE + ImgPrefix + layer * layer_size
  logic [OffW-1:0] kv_head_q, kv_head_d;         // KV_BASE + (layer * n_heads + head) * 2 * kv_slab
  logic [31:0]     r0_q, r0_d;                   // first row of the current tile / context tile
  logic [OffW-1:0] addr_q, addr_d;               // next tile address

  // ---- tile geometry of the current walk ----
  logic [31:0]     rows, row_bytes, tile_cap, n_rows;
  logic [OffW-1:0] tile_bytes;
  always_comb begin
    unique case (state_q)
      SQkvTile: begin
        rows = cfg_i.d_head; row_bytes = 3 * cfg_i.d_model; tile_cap = cfg_i.w_tile_rows;
      end
      SKctx, SVctx: begin rows = cfg_i.pos; row_bytes = cfg_i.d_head; tile_cap = cfg_i.ctx_tile; end
      default: begin
        tile_cap = cfg_i.w_tile_rows;
        unique case (ph_q)
          PhWo:    begin rows = cfg_i.d_model; row_bytes = cfg_i.d_model; end
          PhW1:    begin rows = cfg_i.d_ff;    row_bytes = cfg_i.d_model; end
          PhW2:    begin rows = cfg_i.d_model; row_bytes = cfg_i.d_ff;    end
          default: begin rows = cfg_i.vocab;   row_bytes = cfg_i.d_model; end
        endcase
      end
    endcase
    n_rows     = (rows - r0_q < tile_cap) ? rows - r0_q : tile_cap;
    tile_bytes = OffW'(n_rows) * OffW'(row_bytes);
  end

  // ---- the op of the current state ----
  // The V part's head: head_q - 1 while vprev_q (its K/V slabs lie 2 * kv_slab below head_q's),
  // else head_q. slab_v: that head's K slab (SAppK) or V slab (SAppV).
  logic [OffW-1:0] vhead_base, slab_v;
  loop_idx_t       vhead;
  assign vhead      = vprev_q ? head_q - loop_idx_t'(1) : head_q;
  assign vhead_base = vprev_q ? kv_head_q - 2 * kv_slab_i : kv_head_q;
  assign slab_v     = vhead_base + ((state_q == SAppV) ? kv_slab_i : '0);

  prm_entry_t pe;
  logic       emit, has_rd;
  op_t        op;
  logic [OffW-1:0] rd_addr, rd_bytes;
  assign pe = PrmTable[prm_q];

  always_comb begin
    op          = '0;
    op.head     = head_q;
    op.which    = which_q;
    op.phase    = ph_q;
    emit        = 1'b1;
    has_rd      = 1'b0;
    rd_addr     = addr_q;
    rd_bytes    = tile_bytes;
    unique case (state_q)
      SHdr: begin
        op.op = OpHdr; has_rd = 1'b1;
        rd_addr = OffW'(cfg_i.image_base); rd_bytes = OffW'(HdrBytes);
      end
      SPrm: begin
        op.op       = OpPrm;
        op.prm      = (ph_q == PhLogits) ? PrmLogitsB : pe.prm;
        op.prm_base = OpBaseW'(pe.region) * OpBaseW'(RqRegion);
        has_rd      = 1'b1;
        rd_addr     = (ph_q == PhLogits) ? OffW'(cfg_i.image_base) + logits_b_i
                                         : layer_base_q + off_i[pe.kind];
        rd_bytes    = (ph_q == PhLogits) ? 4 * OffW'(cfg_i.vocab) : kind_size_i[pe.kind];
        if (ph_q == PhLogits) op.prm_base = '0;
      end
      SQkvBegin:   op.op = OpQkvBegin;
      SScoreBegin: op.op = OpScoreBegin;
      SQkvTile, STile: begin op.op = OpTile; has_rd = 1'b1; end
      SKctx: begin op.op = OpKctx; has_rd = 1'b1; end
      SVctx: begin op.op = OpVctx; has_rd = 1'b1; op.head = vhead; end
      SKcur: op.op = OpKcur;
      SVcur: begin op.op = OpVcur; op.head = vhead; end
      SAppK, SAppV: begin
        op.op    = OpAppend;
        op.head  = vhead;
        op.which = state_q == SAppV;
        op.addr  = slab_v + OffW'(cfg_i.pos) * OffW'(cfg_i.d_head);
        rd_bytes = OffW'(cfg_i.d_head);
      end
      SGemvBegin: op.op = OpGemvBegin;
      SEnd: op.op = OpEnd;
      default: emit = 1'b0;
    endcase
    op.nbytes = OpLenW'(whole_beats(rd_bytes));
  end

  logic fire;
  assign op_o        = op;
  assign op_valid_o  = emit && (!has_rd || cmd_ready_i);
  assign cmd_valid_o = emit && has_rd && op_ready_i;
  assign cmd_addr_o  = AXI_ADDR_W'(rd_addr);
  assign cmd_len_o   = op.nbytes;
  assign fire        = emit && op_ready_i && (!has_rd || cmd_ready_i);
  assign busy_o      = state_q != SIdle;

  // ---- the walk ----
  logic last_tile;
  assign last_tile = r0_q + n_rows >= rows;


  always_comb begin
    state_d      = state_q;
    ph_d         = ph_q;
    prm_d        = prm_q;
    layer_d      = layer_q;
    head_d       = head_q;
    which_d      = which_q;
    vprev_d      = vprev_q;
    r0_d         = r0_q;
    addr_d       = addr_q;
    layer_base_d = layer_base_q;
    kv_head_d    = kv_head_q;
    if (abort_i) begin
      state_d = SIdle;
      ph_d    = PhQkv;
      prm_d   = '0;
      layer_d = '0;
      head_d  = '0;
      which_d = 1'b0;
      vprev_d = 1'b0;
      r0_d    = '0;
      addr_d  = '0;
      layer_base_d = '0;
      kv_head_d    = '0;
    end else begin
      unique case (state_q)
        SIdle: if (start_i) state_d = SWaitLayout;
        SWaitLayout: if (layout_ok_i) begin
          state_d      = SHdr;
          layer_base_d = OffW'(cfg_i.image_base) + OffW'(ImgPrefix);
          kv_head_d    = OffW'(cfg_i.kv_base);
          layer_d      = '0;
        end
        SHdr: if (fire) state_d = SHdrWait;
        SHdrWait: if (hdr_ok_i) begin state_d = SPrm; prm_d = '0; ph_d = PhQkv; end
        SPrm: if (fire) begin
          prm_d = prm_q + prm_idx_t'(1);
          if (ph_q == PhLogits) begin
            state_d = SGemvBegin;
          end else if (prm_q == prm_idx_t'(PrmAttnLast) || prm_q == prm_idx_t'(PrmWoLast) ||
                       prm_q == prm_idx_t'(PrmW1Last) || prm_q == prm_idx_t'(PrmW2Last)) begin
            if (ph_q == PhQkv) begin
              state_d = SQkvBegin; head_d = '0;
            end else if (ph_q == PhWo) begin   // the last head's V part, then the Wo tiles
              which_d = 1'b1; r0_d = '0; addr_d = kv_head_q + kv_slab_i;
              state_d = (cfg_i.pos == 32'd0) ? SVcur : SVctx;
            end else begin
              state_d = SGemvBegin;
            end
          end
        end
        SQkvBegin: if (fire) begin
          state_d = SQkvTile; r0_d = '0;
          addr_d  = layer_base_q + off_i[KWqkv] + OffW'(head_q) * head_size_i;
          if (head_q != '0) kv_head_d = kv_head_q + 2 * kv_slab_i;   // head_q's K slab
        end
        SQkvTile: if (fire) begin
          r0_d = r0_q + n_rows; addr_d = addr_q + tile_bytes;
          if (last_tile) begin
            if (head_q == '0) begin
              state_d = SScoreBegin;
            end else begin   // head_q - 1's V part (its V slab is kv_slab below head_q's K slab)
              vprev_d = 1'b1; which_d = 1'b1; r0_d = '0; addr_d = kv_head_q - kv_slab_i;
              state_d = (cfg_i.pos == 32'd0) ? SVcur : SVctx;
            end
          end
        end
        SScoreBegin: if (fire) begin
          which_d = 1'b0; r0_d = '0; addr_d = kv_head_q;
          state_d = (cfg_i.pos == 32'd0) ? SKcur : SKctx;
        end
        SKctx, SVctx: if (fire) begin
          r0_d = r0_q + n_rows; addr_d = addr_q + tile_bytes;
          if (last_tile) state_d = (state_q == SKctx) ? SKcur : SVcur;
        end
        SKcur: if (fire) begin
          if (32'(head_q) + 32'd1 == cfg_i.n_heads) begin   // the Wo parameters, then its V part
            state_d = SPrm; ph_d = PhWo;
          end else begin
            head_d = head_q + loop_idx_t'(1); state_d = SQkvBegin;
          end
        end
        SVcur: if (fire) state_d = SAppK;
        SAppK: if (fire) state_d = SAppV;
        SAppV: if (fire) begin
          if (vprev_q) begin
            vprev_d = 1'b0; state_d = SScoreBegin;
          end else begin
            kv_head_d = kv_head_q + 2 * kv_slab_i;   // the next layer's head 0
            state_d = SGemvBegin;                    // Wo (its parameters came before the V part)
          end
        end
        SGemvBegin: if (fire) begin
          state_d = STile; r0_d = '0;
          unique case (ph_q)
            PhWo:    addr_d = layer_base_q + off_i[KWoW];
            PhW1:    addr_d = layer_base_q + off_i[KW1W];
            PhW2:    addr_d = layer_base_q + off_i[KW2W];
            default: addr_d = OffW'(cfg_i.image_base) + logits_w_i;
          endcase
        end
        STile: if (fire) begin
          r0_d = r0_q + n_rows; addr_d = addr_q + tile_bytes;
          if (last_tile) begin
            unique case (ph_q)
              PhWo: begin state_d = SPrm; ph_d = PhW1; end
              PhW1: begin state_d = SPrm; ph_d = PhW2; end
              PhW2: begin
                layer_base_d = layer_base_q + layer_size_i;
                layer_d      = layer_q + loop_idx_t'(1);
                if (32'(layer_q) + 32'd1 == cfg_i.n_layers) begin
                  state_d = SPrm; ph_d = PhLogits;
                end else begin
                  state_d = SPrm; ph_d = PhQkv; prm_d = '0;
                end
              end
              default: state_d = SEnd;
            endcase
          end
        end
        SEnd: if (fire) state_d = SIdle;
        default: state_d = SIdle;
      endcase
    end
  end

  always_ff @(posedge clk_i) begin
    if (!rst_ni) begin
      state_q <= SIdle;
      ph_q    <= PhQkv;
      prm_q   <= '0;
      layer_q <= '0;
      head_q  <= '0;
      which_q <= 1'b0;
      vprev_q <= 1'b0;
      r0_q    <= '0;
      addr_q  <= '0;
      layer_base_q <= '0;
      kv_head_q    <= '0;
    end else begin
      state_q      <= state_d;
      ph_q         <= ph_d;
      prm_q        <= prm_d;
      layer_q      <= layer_d;
      head_q       <= head_d;
      which_q      <= which_d;
      vprev_q      <= vprev_d;
      r0_q         <= r0_d;
      addr_q       <= addr_d;
      layer_base_q <= layer_base_d;
      kv_head_q    <= kv_head_d;
    end
  end

  // Unused: max_seq (checked by le_cfg_check, it only sizes the KV slabs, i.e. kv_slab_i) and the
  // read address bits above AXI_ADDR_W (le_exec checks that the image lies below 2^AXI_ADDR_W).
  logic unused;
  assign unused = ^{cfg_i.max_seq, rd_addr};

  // ---- assertions (rtl/le_assert.svh) -------------------------------------------------------------
  `LE_ASSERT(StateLegal_A, state_q <= SEnd)

endmodule
