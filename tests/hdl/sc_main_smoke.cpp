// sc_main_smoke: SystemC harness for smoke_mac.sv (verilator --sc), proving the SystemC link.
//
// Drives a fixed list of int8 pairs (one per 10 ns clock cycle) and prints one line per cycle:
//   step <i> a=<a> b=<b> valid=<v> clear=<c> acc=<acc_o as int32>
// tests/test_toolchain.py checks every line against a Python model.

#include <cstdint>
#include <cstdio>

#include <systemc.h>
#include <verilated.h>

#include "Vsmoke_mac.h"

namespace {

struct Stimulus {
    int a;
    int b;
    bool valid;
    bool clear;
};

const Stimulus kStimuli[] = {
    {3, 4, true, false},       {-5, 6, true, false},   {-128, -128, true, false},
    {127, -128, true, false},  {9, 9, false, false},   {7, 7, true, true},
    {-1, 127, true, false},    {0, 0, false, true},    {-128, 127, true, false},
};

uint32_t int8_bits(int v) { return static_cast<uint32_t>(static_cast<uint8_t>(static_cast<int8_t>(v))); }

}  // namespace

int sc_main(int argc, char** argv) {
    Verilated::commandArgs(argc, argv);
    // Rising edges at 5, 15, 25, ... ns; inputs change at 0, 10, 20, ... ns (mid-low phase).
    sc_clock clk("clk", 10, SC_NS, 0.5, 5, SC_NS, true);
    sc_signal<bool> rst_n{"rst_n"}, valid{"valid"}, clear{"clear"};
    sc_signal<uint32_t> a{"a"}, b{"b"}, acc{"acc"};

    Vsmoke_mac dut{"dut"};
    dut.clk_i(clk);
    dut.rst_ni(rst_n);
    dut.valid_i(valid);
    dut.clear_i(clear);
    dut.a_i(a);
    dut.b_i(b);
    dut.acc_o(acc);

    std::printf("systemc %s\n", sc_release());
    rst_n.write(false);
    sc_start(20, SC_NS);  // two reset edges
    rst_n.write(true);

    int step = 0;
    for (const Stimulus& s : kStimuli) {
        a.write(int8_bits(s.a));
        b.write(int8_bits(s.b));
        valid.write(s.valid);
        clear.write(s.clear);
        sc_start(10, SC_NS);  // exactly one rising edge
        std::printf("step %d a=%d b=%d valid=%d clear=%d acc=%d\n", step++, s.a, s.b, s.valid ? 1 : 0,
                    s.clear ? 1 : 0, static_cast<int32_t>(acc.read()));
    }
    dut.final();
    std::printf("done\n");
    return 0;
}
