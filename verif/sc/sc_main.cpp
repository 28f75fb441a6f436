// sc_main.cpp - the SystemC testbench of layer_engine (docs/systemc.md): the Verilated le_tb_top (RTL + the
// verif/hdl BFMs: the pyuvm env's testbench top) clocked by one SystemC method, and the bare-metal C driver
// (sw/le_driver.c) in an SC_THREAD on the HAL of le_sc_tb.h (AXI4-Lite pins, the stream BFMs' frame registers,
// the irq pin), all within per-token cycle budgets.
//
//   le_sc_sim --bundle DIR --out DIR [options] [+verilator+seed+N]
//
// Reads DIR/ddr.bin, DIR/x.npy and DIR/manifest.json (python -m models export), loads the image into the
// memory BFM (backdoor), runs the tokens at positions start_pos, start_pos + 1, ... through the C driver and
// writes OUT/logits.bin (int32 LE [T, vocab]), OUT/kv_region.bin (the KV region read back from the BFM),
// OUT/tokens.jsonl (per token: driver status, STATUS word, perf counters, cycles), OUT/txn.jsonl (every AXI burst,
// CSR access and irq edge; --txn 0: none) and OUT/run.json (cycles, wall time, speed, protocol errors); with
// --kv-each-token 1 also OUT/kv_tokens.bin (the KV region after each completed token). Nothing is checked
// against expected values here: Python does that (tests/test_systemc_harness.py, regress/scrun.py). Exit: 0
// every token LE_OK and no protocol error, 1 a token failed, a BFM recorded a protocol error or transaction
// records were lost, 2 bad arguments / bundle / SystemC mismatch, 3 a hang (cycle budget).
//
// Clocking: the model is a plain Verilated C++ model (not Verilator's SystemC wrapper, whose method evaluates on
// every input change, the falling clock edge included: a second process activation per cycle). One SC_METHOD
// `tick` steps it (ModelClock::step, edge k at 10 k - 5 ns) and serves the thread's waits: after one edge when
// the thread waits in edge() (a CSR access), and when it waits in wait_until() (an X frame taken, a logits frame,
// the irq: most of a token) it runs the edges of the wait in one activation, up to --quantum edges (default 0:
// the whole wait; 1: one activation per edge), and wakes the thread at the SystemC time of the edge that ended
// the wait. That is temporal decoupling with the wait as the quantum: sound because the thread is the only
// process that looks at the model; a SystemC process added later that must see every edge needs --quantum 1.
#include <chrono>
#include <cstdio>
#include <cstring>

#include <systemc.h>
#include <verilated.h>

#include "Vle_tb_top.h"
#include "le_sc_main.h"

namespace {

using le_sc_cli::Options;

SC_MODULE(Harness) {
    Vle_tb_top& top;
    le_sc::ModelClock clock;
    le_sc::Testbench<Harness> tb;

    SC_HAS_PROCESS(Harness);
    Harness(sc_module_name name, Vle_tb_top& t, const Options& o)
        : sc_module(name), top(t), clock(t), tb(*this, t, clock, o), quantum_(o.quantum) {
        SC_METHOD(tick);                  // runs once at initialisation (time zero), then every period
        SC_THREAD(thread);
        set_stack_size(1 << 20);
    }

    // ---- the Sim interface of le_sc::Testbench (called from the thread) --------------------------------
    uint64_t cycle() const { return clock.cycle; }
    void edge() {
        edge_wait_ = true;
        wait(ev_wake_);
    }
    bool wait_until(le_sc::Pred p, void* ctx, uint64_t until) {
        if (p(ctx)) return true;
        if (clock.cycle >= until) return false;
        pred_ = p;
        pred_ctx_ = ctx;
        until_ = until;
        wait(ev_wake_);
        return woke_;
    }

private:
    const sc_time period_{10, SC_NS};
    const uint64_t quantum_;              // --quantum: edges per activation in a wait_until (0: the whole wait)
    bool started_ = false, edge_wait_ = false, woke_ = false;
    le_sc::Pred pred_ = nullptr;
    void* pred_ctx_ = nullptr;
    uint64_t until_ = 0;
    sc_event ev_wake_;

    void tick() {
        if (!started_) {                  // time zero: the first evaluation; edge 1 at 5 ns
            started_ = true;
            clock.init();
            next_trigger(period_ / 2);
            return;
        }
        if (!pred_) {                     // one edge: the thread waits in edge() (or nothing waits)
            clock.step();
            tb.after_edge();
            if (edge_wait_) {
                edge_wait_ = false;
                ev_wake_.notify();        // immediate: the thread runs after this method, in this evaluation phase
            }
            next_trigger(period_);
            return;
        }
        // The thread waits in wait_until(): the edges of the wait, up to the quantum, in this activation. The
        // model runs ahead of SystemC time meanwhile (nothing else can look at it); the thread wakes at the time of
        // the edge that ended the wait and the next activation is at the time of the edge after the last one run.
        uint64_t n = 0;
        bool hit = false, timeout = false;
        do {
            clock.step();
            tb.after_edge();
            ++n;
            hit = pred_(pred_ctx_);
            timeout = !hit && clock.cycle >= until_;
        } while (!hit && !timeout && n != quantum_);
        if (hit || timeout) {
            pred_ = nullptr;
            woke_ = hit;
            if (n == 1) ev_wake_.notify();
            else ev_wake_.notify(period_ * static_cast<double>(n - 1));
        }
        next_trigger(period_ * static_cast<double>(n));
    }

    void thread() {
        tb.run();
        sc_stop();
    }
};

}  // namespace

int sc_main(int argc, char** argv) {
    // The headers this file was compiled against must be the library's (eda/scbuild.py checks it before the
    // build; this catches a binary run against another libsystemc).
    if (std::strcmp(SC_VERSION, sc_core::sc_release()) != 0) {
        std::fprintf(stderr, "%s: SystemC headers %s but library %s: rebuild (eda/scbuild.py) or apt-get install libsystemc-dev\n",
                     le_sc_cli::g_prog, SC_VERSION, sc_core::sc_release());
        return 2;
    }
    Verilated::commandArgs(argc, argv);
    const Options opt = le_sc_cli::parse(argc, argv);
    le_sc::check_variant(opt);
    const auto wall0 = std::chrono::steady_clock::now();
    le_sc::BundleIn in = le_sc::read_bundle(opt);

    Vle_tb_top top{"top"};
    Harness h("tb", top, opt);
    auto& tb = h.tb;
    le_sc::load_bundle(tb, std::move(in), opt);
    le_sc::Waves waves;
    waves.open(top, h.clock, opt);
    sc_start();
    top.final();
    waves.close();
    tb.close_txn();
    const double wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall0).count();
    return le_sc::write_outputs(tb, opt, "systemc", sc_core::sc_release(), h.cycle(), wall_s);
}
