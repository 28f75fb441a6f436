// bare_main.cpp - the bare C++ loop over the same Verilated le_tb_top as the SystemC testbench (docs/systemc.md,
// "Measured speed"): no SystemC, no threads, no events. The C driver calls the HAL of le_sc_tb.h, whose waits
// step the model in a plain loop (ModelClock::step: the same two evaluations per rising edge as the SystemC
// harness). Same options, same work (bundle, BFM knobs, backdoor load, driver, tokens, transaction records) and
// the same output files, every cycle count included: the speed reference the SystemC harness is measured against
// (benchmarks/sim_speed.py).
//
//   le_bare_sim --bundle DIR --out DIR [options] [+verilator+seed+N]
#include <chrono>

#include <verilated.h>

#include "Vle_tb_top.h"
#include "le_sc_main.h"

namespace {

class Bare {
public:
    Vle_tb_top& top;
    le_sc::ModelClock clock;
    le_sc::Testbench<Bare> tb;

    Bare(Vle_tb_top& t, const le_sc_cli::Options& o) : top(t), clock(t), tb(*this, t, clock, o) {}

    // ---- the Sim interface of le_sc::Testbench -----------------------------------------------------------
    uint64_t cycle() const { return clock.cycle; }
    void edge() {
        clock.step();
        tb.after_edge();
    }
    bool wait_until(le_sc::Pred p, void* ctx, uint64_t until) {
        while (!p(ctx)) {
            if (clock.cycle >= until) return false;
            edge();
        }
        return true;
    }
};

}  // namespace

int main(int argc, char** argv) {
    le_sc_cli::g_prog = "le_bare_sim";
    Verilated::commandArgs(argc, argv);
    const le_sc_cli::Options opt = le_sc_cli::parse(argc, argv);
    le_sc::check_variant(opt);
    const auto wall0 = std::chrono::steady_clock::now();
    le_sc::BundleIn in = le_sc::read_bundle(opt);

    Vle_tb_top top{"top"};
    Bare sim(top, opt);
    auto& tb = sim.tb;
    le_sc::load_bundle(tb, std::move(in), opt);
    le_sc::Waves waves;
    waves.open(top, sim.clock, opt);
    sim.clock.init();
    tb.run();
    top.final();
    waves.close();
    tb.close_txn();
    const double wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall0).count();
    return le_sc::write_outputs(tb, opt, "bare", nullptr, sim.cycle(), wall_s);
}
