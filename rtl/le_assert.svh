// Copyright layer-engine contributors. Licensed under the Apache License, Version 2.0.
//
// le_assert.svh: the project's assertion macros (OpenTitan prim_assert style), docs/verification.md#assertions.
//
//   `LE_ASSERT(Name_A, prop, clk = clk_i, rst_n = rst_ni)       concurrent: prop holds at every rising clk edge
//                                                                out of reset (disable iff (!rst_n))
//   `LE_ASSERT_NEVER(Name_A, prop, clk = clk_i, rst_n = rst_ni) prop never holds
//   `LE_ASSERT_KNOWN(Name_A, sig, clk = clk_i, rst_n = rst_ni)  sig has no X/Z bit out of reset (4-state
//                                                                simulators; Verilator is 2-state: it folds
//                                                                $isunknown to 0, so this one cannot fire there)
//   `LE_ASSUME(Name_M, prop, clk = clk_i, rst_n = rst_ni)       an interface contract on the inputs: an
//                                                                assumption for formal tools, checked like an
//                                                                assertion in simulation
//
// Everything compiles to nothing unless LE_ASSERT_ON is defined (eda/simbuild.py and eda/scbuild.py define it
// together with Verilator's --assert for the regression builds), and never under SYNTHESIS: the synthesizable
// RTL's behaviour and lint are unchanged by the macros.
//
// A failure is one $error line that names the assertion twice: "LE_ASSERT <Name> failed" for people and grep,
// and a locator in the form of a Python traceback frame, File "<file>", line <n>, in <scope>.<Name> (%m: the
// label is the last name; the full path, where Verilator's own prefix has the file's base name only).
// regress/buckets.py sva_failure reads it from a failed run's log: the run's bucket is named after the
// assertion (Verilator stops at the first $error).

`ifndef LE_ASSERT_SVH
`define LE_ASSERT_SVH

`ifdef SYNTHESIS
`undef LE_ASSERT_ON
`endif

`ifdef LE_ASSERT_ON

`define LE_ASSERT_REPORT(__name) \
  $error("LE_ASSERT %s failed: File \"%s\", line %0d, in %m", `"__name`", `__FILE__, `__LINE__)

`define LE_ASSERT(__name, __prop, __clk = clk_i, __rst_n = rst_ni) \
  __name: assert property (@(posedge __clk) disable iff (!(__rst_n)) (__prop)) \
    else `LE_ASSERT_REPORT(__name);

`define LE_ASSERT_NEVER(__name, __prop, __clk = clk_i, __rst_n = rst_ni) \
  __name: assert property (@(posedge __clk) disable iff (!(__rst_n)) !(__prop)) \
    else `LE_ASSERT_REPORT(__name);

`define LE_ASSERT_KNOWN(__name, __sig, __clk = clk_i, __rst_n = rst_ni) \
  __name: assert property (@(posedge __clk) disable iff (!(__rst_n)) !$isunknown(__sig)) \
    else `LE_ASSERT_REPORT(__name);

`define LE_ASSUME(__name, __prop, __clk = clk_i, __rst_n = rst_ni) \
  __name: assume property (@(posedge __clk) disable iff (!(__rst_n)) (__prop)) \
    else `LE_ASSERT_REPORT(__name);

`else  // LE_ASSERT_ON

`define LE_ASSERT(__name, __prop, __clk = clk_i, __rst_n = rst_ni)
`define LE_ASSERT_NEVER(__name, __prop, __clk = clk_i, __rst_n = rst_ni)
`define LE_ASSERT_KNOWN(__name, __sig, __clk = clk_i, __rst_n = rst_ni)
`define LE_ASSUME(__name, __prop, __clk = clk_i, __rst_n = rst_ni)

`endif  // LE_ASSERT_ON

`endif  // LE_ASSERT_SVH
