// Copyright layer-engine contributors. Licensed under the Apache License, Version 2.0.
//
// le_ctrl_pkg: types of the engine's control path (le_sched -> op FIFO -> le_exec) and the CSR-side
// error codes. The loop nest, the op list and the parameter destinations follow models/schedule.py.
//
// Golden twin:  none: control - the micro-op encoding of models/schedule.py token_schedule and the
//               error codes of models/driver.py ErrorCode.
// Test:         through its users: the env's tests (regress/testlist.yaml; pytest runs each:
//               tests/rtl/test_uvm_testlist.py) and tests/rtl/test_rtl_layout.py.

package le_ctrl_pkg;

  // STATUS.ERR_CODE (models/driver.py ErrorCode).
  typedef enum logic [7:0] {
    ErrNone          = 8'd0,
    ErrIllegalConfig = 8'd1,
    ErrStartBusy     = 8'd2,
    ErrAxiRead       = 8'd3,
    ErrAxiWrite      = 8'd4,
    ErrTlastEarly    = 8'd5,
    ErrTlastLate     = 8'd6
  } err_e;

  // Micro-ops, in the order le_sched emits them (models/schedule.py token_schedule). Ops marked "rd"
  // come with one read command to le_axi_rd; their data arrives on the read stream in op order.
  typedef enum logic [3:0] {
    OpHdr       = 4'd0,   // rd: the 64-byte image header, checked against the latched config
    OpPrm       = 4'd1,   // rd: one parameter tensor into the parameter store (prm_ram, prm_base)
    OpQkvBegin  = 4'd2,   // head `head` starts: main MAC x = X, rows = the head's interleaved Q/K/V
    OpTile      = 4'd3,   // rd: weight rows into the main MAC (QKV, Wo, W1, W2 or logits tile)
    OpScoreBegin= 4'd4,   // QKV of the head stored: load q into the score MAC
    OpKctx      = 4'd5,   // rd: K cache rows into the score MAC
    OpKcur      = 4'd6,   // the current token's K row (on chip) into the score MAC, last row
    OpVctx      = 4'd7,   // rd: V cache rows into P.V
    OpVcur      = 4'd8,   // the current token's V row (on chip) into P.V, last row
    OpAppend    = 4'd9,   // write the head's K (which = 0) or V (which = 1) row to the KV cache
    OpGemvBegin = 4'd10,  // a Wo / W1 / W2 / logits phase starts (phase)
    OpEnd       = 4'd11   // every op issued: finish the token
  } op_e;

  // Main MAC phases (what its outputs mean).
  typedef enum logic [2:0] {
    PhQkv    = 3'd0,
    PhWo     = 3'd1,
    PhW1     = 3'd2,
    PhW2     = 3'd3,
    PhLogits = 3'd4
  } phase_e;

  // Parameter store destinations (le_params). Tensors with several regions (q/k/v requant) are
  // written at a beat offset (op prm_base).
  typedef enum logic [3:0] {
    PrmRqBias  = 4'd0,    // requant bias of the next GEMV phase (q/k/v at region 0/1/2)
    PrmRqMult  = 4'd1,
    PrmRqShift = 4'd2,
    PrmScMult  = 4'd3,    // score_mult[n_heads]
    PrmScShift = 4'd4,
    PrmOMult   = 4'd5,    // o_mult[n_heads]
    PrmOShift  = 4'd6,
    PrmResX    = 4'd7,    // res{1,2}_x_mult[d_model]
    PrmResR    = 4'd8,    // res{1,2}_r_mult[d_model]
    PrmLnEps   = 4'd9,    // ln{1,2}_eps (int64)
    PrmLnGamma = 4'd10,   // ln{1,2}_gamma'[d_model] (into le_layernorm)
    PrmLnBeta  = 4'd11,
    PrmGeluLut = 4'd12,   // gelu_lut[4][256] (into le_act_lut)
    PrmGeluBank= 4'd13,   // gelu_bank[d_ff]
    PrmLogitsB = 4'd14    // logits.b[vocab]
  } prm_e;

  // Tensors of one layer in DDR layout order (models/ddr_layout.py); le_layout computes each one's
  // offset from the layer's base. KWqkv is all heads' wqkv regions (head stride = le_layout head_o).
  typedef enum logic [5:0] {
    KWqkv, KWqB, KWqM, KWqS, KWkB, KWkM, KWkS, KWvB, KWvM, KWvS, KScM, KScS, KOM, KOS,
    KWoW, KWoB, KWoM, KWoS, KR1X, KR1R, KLn1E, KLn1G, KLn1B,
    KW1W, KW1B, KW1M, KW1S, KGeluL, KGeluB,
    KW2W, KW2B, KW2M, KW2S, KR2X, KR2R, KLn2E, KLn2G, KLn2B
  } kind_e;
  parameter int unsigned NumKinds = 38;
  parameter int unsigned OffW     = 48;  // image offsets and sizes (checked against AXI_ADDR_W)
  parameter int unsigned ImgPrefix = 576; // header (64 B) + exp_lut (512 B): layer 0 starts here
  parameter int unsigned HdrBytes  = 64;

  // The token's configuration, latched from the CSRs on an accepted START (checked by le_cfg_check).
  typedef struct packed {
    logic [31:0] d_model;
    logic [31:0] n_heads;
    logic [31:0] d_head;
    logic [31:0] d_ff;
    logic [31:0] n_layers;
    logic [31:0] vocab;
    logic [31:0] max_seq;
    logic [31:0] w_tile_rows;
    logic [31:0] ctx_tile;
    logic [31:0] pos;
    logic [63:0] image_base;
    logic [63:0] kv_base;
  } cfg_t;

  // Source buffer of an on-chip feed (le_exec_bufs): Q/K/V, O_concat or U_act.
  typedef enum logic [1:0] { SrcQkv, SrcOcat, SrcUact } buf_src_e;

  parameter int unsigned OpLenW  = 32;   // bytes per op (read command length)
  parameter int unsigned OpBaseW = 16;   // parameter-store beat offset
  parameter int unsigned LoopW   = 8;    // layer and head counters (MAX_LAYERS, MAX_HEADS < 256)
  typedef logic [LoopW-1:0] loop_idx_t;

  // Depth of the op FIFO between le_sched and le_exec: how far the DMA may run ahead of execution
  // (together with le_axi_rd's reorder buffer, docs/architecture.md "How DMA overlaps compute").
  parameter int unsigned OpFifoDepth = 16;

  // ---- Parameter groups of one layer, in load order -----------------------------------------------
  // The order and the tensors are models/schedule.py's ATTN_PARAMS, WO_PARAMS, W1_PARAMS and W2_PARAMS
  // (one PrmTable entry per name, same order); le_sched walks PrmTable and, after the last entry of a
  // group (PrmAttnLast, PrmWoLast, PrmW1Last, PrmW2Last), starts the group's phase.
  parameter int unsigned NumAttnPrm  = 13;   // wq/wk/wv bias/mult/shift; score, o mult/shift
  parameter int unsigned NumWoPrm    = 8;    // wo bias/mult/shift; res1_x/r_mult; ln1 eps/g/b
  parameter int unsigned NumW1Prm    = 5;    // w1 bias, mult, shift; gelu_lut, gelu_bank
  parameter int unsigned NumW2Prm    = 8;    // w2 bias/mult/shift; res2_x/r_mult; ln2 eps/g/b
  parameter int unsigned NumPrm      = NumAttnPrm + NumWoPrm + NumW1Prm + NumW2Prm;
  parameter int unsigned PrmAttnLast = NumAttnPrm - 1;
  parameter int unsigned PrmWoLast   = PrmAttnLast + NumWoPrm;
  parameter int unsigned PrmW1Last   = PrmWoLast + NumW1Prm;
  parameter int unsigned PrmW2Last   = PrmW1Last + NumW2Prm;
  typedef logic [$clog2(NumPrm)-1:0] prm_idx_t;

  // Region of a requant tensor in the requant RAMs: q, k and v of the QKV phase side by side (each
  // MAX_D_MODEL words), every other phase in region q.
  typedef enum logic [1:0] { RegQ = 2'd0, RegK = 2'd1, RegV = 2'd2 } rq_region_e;

  typedef struct packed {
    kind_e      kind;     // the tensor (le_layout offset and size)
    prm_e       prm;      // its destination
    rq_region_e region;
  } prm_entry_t;

  parameter prm_entry_t PrmTable [NumPrm] = '{
    // ATTN_PARAMS
    '{KWqB, PrmRqBias, RegQ}, '{KWqM, PrmRqMult, RegQ}, '{KWqS, PrmRqShift, RegQ},
    '{KWkB, PrmRqBias, RegK}, '{KWkM, PrmRqMult, RegK}, '{KWkS, PrmRqShift, RegK},
    '{KWvB, PrmRqBias, RegV}, '{KWvM, PrmRqMult, RegV}, '{KWvS, PrmRqShift, RegV},
    '{KScM, PrmScMult, RegQ}, '{KScS, PrmScShift, RegQ},
    '{KOM, PrmOMult, RegQ}, '{KOS, PrmOShift, RegQ},
    // WO_PARAMS
    '{KWoB, PrmRqBias, RegQ}, '{KWoM, PrmRqMult, RegQ}, '{KWoS, PrmRqShift, RegQ},
    '{KR1X, PrmResX, RegQ}, '{KR1R, PrmResR, RegQ}, '{KLn1E, PrmLnEps, RegQ},
    '{KLn1G, PrmLnGamma, RegQ}, '{KLn1B, PrmLnBeta, RegQ},
    // W1_PARAMS
    '{KW1B, PrmRqBias, RegQ}, '{KW1M, PrmRqMult, RegQ}, '{KW1S, PrmRqShift, RegQ},
    '{KGeluL, PrmGeluLut, RegQ}, '{KGeluB, PrmGeluBank, RegQ},
    // W2_PARAMS
    '{KW2B, PrmRqBias, RegQ}, '{KW2M, PrmRqMult, RegQ}, '{KW2S, PrmRqShift, RegQ},
    '{KR2X, PrmResX, RegQ}, '{KR2R, PrmResR, RegQ}, '{KLn2E, PrmLnEps, RegQ},
    '{KLn2G, PrmLnGamma, RegQ}, '{KLn2B, PrmLnBeta, RegQ}
  };

  typedef struct packed {
    op_e                      op;
    phase_e                   phase;    // OpGemvBegin
    prm_e                     prm;      // OpPrm
    logic [OpBaseW-1:0]       prm_base; // OpPrm: first beat in the destination
    loop_idx_t                head;     // OpQkvBegin .. OpAppend: the head (parity = Q/K/V bank)
    logic                     which;    // OpAppend: 0 = K, 1 = V
    logic [OpLenW-1:0]        nbytes;   // rd ops: bytes read (whole beats); OpAppend: bytes written
    logic [OffW-1:0]          addr;     // OpAppend: DDR byte address of the K/V row
  } op_t;

  // ---- Word-address widths of the on-chip vectors (in bus words of `lanes` int8) -------------------
  // One derivation for every module that sizes these ports (layer_engine, le_exec, le_exec_bufs,
  // le_exec_route, le_attn), so they cannot disagree.

  // The main MAC's x RAM: the longer of d_model and d_ff.
  function automatic int unsigned xram_aw(int unsigned lanes, int unsigned max_d_model,
                                          int unsigned max_d_ff);
    return $clog2(max_d_model > max_d_ff ? max_d_model / lanes : max_d_ff / lanes);
  endfunction

  // The score MAC's q RAM: one head's d_head (at least 1 bit).
  function automatic int unsigned q_aw(int unsigned lanes, int unsigned max_d_head);
    return (max_d_head / lanes > 1) ? $clog2(max_d_head / lanes) : 1;
  endfunction

  // le_exec_bufs' feeder: the deepest of its buffers (Q/K/V = two banks of 3 d_head, O_concat =
  // d_model, U_act = d_ff); a run index is one bit wider (it counts up to the run length).
  function automatic int unsigned feed_aw(int unsigned lanes, int unsigned max_d_model,
                                          int unsigned max_d_ff, int unsigned max_d_head);
    int unsigned qkv_dep, ocat_dep, uact_dep;
    qkv_dep  = 6 * max_d_head / lanes;
    ocat_dep = max_d_model / lanes;
    uact_dep = max_d_ff / lanes;
    return $clog2(uact_dep > ocat_dep ? (uact_dep > qkv_dep ? uact_dep : qkv_dep)
                                      : (ocat_dep > qkv_dep ? ocat_dep : qkv_dep));
  endfunction

endpackage
