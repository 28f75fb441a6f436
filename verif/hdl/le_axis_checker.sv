// Copyright layer-engine contributors. Licensed under the Apache License, Version 2.0.
//
// le_axis_checker: AXI4-Stream protocol checker (ARM IHI 0051) for one stream, bound to the engine's stream
// ports by verif/hdl/le_bind.sv (docs/verification.md#assertions). Passive: inputs only.
//
// Rules (every one out of ARESETn = rst_ni only: a soft reset of the engine is no stream reset):
//   TValidHeld     TVALID, once high, stays high until TREADY (it may not fall without a handshake)
//   TPayloadStable TDATA / TKEEP / TLAST do not change while TVALID && !TREADY
// and on a stream out of the engine (IS_INPUT = 0), the framing of docs/host_protocol.md section 4
// (logits: TKEEP all ones except on the final beat, where it marks whole KEEP_UNIT-byte logits):
//   TKeepNonZero   a beat carries at least one byte (TKEEP != 0)
//   TKeepFull      a beat that is not the frame's last carries every byte (a packed stream)
//   TKeepContig    the last beat's TKEEP is a contiguous run from lane 0 of whole KEEP_UNIT-byte units
// IS_INPUT = 1 (a stream into the engine: s_axis_x): the two handshake rules are the engine's input
// contract, written with `LE_ASSUME (labels *_M): the source must keep them. The X framing (TKEEP,
// TLAST placement) is deliberately no assumption: the engine checks it itself and answers a malformed
// frame with an error code (X_TLAST_EARLY / X_TLAST_LATE; the TKEEP of a non-TLAST beat is ignored),
// and the error tests (x_framing, sc_errors) send such frames on purpose. IS_INPUT = 0
// (m_axis_logits): `LE_ASSERT on the engine (labels *_A). Compiled to nothing without LE_ASSERT_ON
// (rtl/le_assert.svh).
`ifndef LE_ASSERT_SVH
`include "le_assert.svh"  // guarded: the file lists put it first, a lone build finds it with -y rtl
`endif

module le_axis_checker #(
  parameter int unsigned DATA_W    = 128,
  parameter int unsigned KEEP_UNIT = 1,     // bytes per TKEEP unit of a last beat (4: int32 logits)
  parameter bit          IS_INPUT  = 1'b0,
  // Derived, not to be overridden.
  localparam int unsigned KeepW    = DATA_W / 8
) (
  input  logic              clk_i,
  input  logic              rst_ni,
  input  logic [DATA_W-1:0] tdata_i,
  input  logic [KeepW-1:0]  tkeep_i,
  input  logic              tlast_i,
  input  logic              tvalid_i,
  input  logic              tready_i
);

`ifdef LE_ASSERT_ON

  logic             stalled;       // a beat offered and not taken this cycle
  logic [KeepW-1:0] keep_inc;
  logic             keep_contig;   // tkeep is 0..01..1 (a run from lane 0)
  logic             keep_units;    // ... of whole KEEP_UNIT-byte units

  assign stalled     = tvalid_i && !tready_i;
  assign keep_inc    = tkeep_i + 1'b1;
  assign keep_contig = (tkeep_i & keep_inc) == '0;

  always_comb begin
    keep_units = 1'b1;
    for (int unsigned u = 0; u < KeepW / KEEP_UNIT; u++) begin
      if (tkeep_i[u*KEEP_UNIT +: KEEP_UNIT] != '0 && tkeep_i[u*KEEP_UNIT +: KEEP_UNIT] != '1) begin
        keep_units = 1'b0;
      end
    end
  end

  if (IS_INPUT) begin : gen_assume
    `LE_ASSUME(TValidHeld_M, stalled |=> tvalid_i)
    `LE_ASSUME(TPayloadStable_M, stalled |=> $stable({tdata_i, tkeep_i, tlast_i}))
  end else begin : gen_assert
    `LE_ASSERT(TValidHeld_A, stalled |=> tvalid_i)
    `LE_ASSERT(TPayloadStable_A, stalled |=> $stable({tdata_i, tkeep_i, tlast_i}))
    `LE_ASSERT(TKeepNonZero_A, tvalid_i |-> tkeep_i != '0)
    `LE_ASSERT(TKeepFull_A, tvalid_i && !tlast_i |-> tkeep_i == '1)
    `LE_ASSERT(TKeepContig_A, tvalid_i && tlast_i |-> keep_contig && keep_units)
    `LE_ASSERT_KNOWN(TValidKnown_A, tvalid_i)
  end

  // Read only by the properties.
  logic unused;
  assign unused = ^{stalled, keep_contig, keep_units, tdata_i, tkeep_i, tlast_i, tvalid_i,
                    tready_i};

`else  // LE_ASSERT_ON: no checks, nothing to build

  logic [31:0] unused_params;
  assign unused_params = KEEP_UNIT ^ 32'(IS_INPUT);
  logic unused;
  assign unused = ^{clk_i, rst_ni, tdata_i, tkeep_i, tlast_i, tvalid_i, tready_i};

`endif  // LE_ASSERT_ON

endmodule
