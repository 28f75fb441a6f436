// Copyright layer-engine contributors. Licensed under the Apache License, Version 2.0.
//
// le_vpi_main.cpp: the main() of every cocotb Verilator build of the project (eda/vpi_main.py puts it in place
// of cocotb's own main). It runs the VPI scheduling cocotb's GPI expects (the value-change, read-write, read-only,
// next-sim-time and timed callbacks, in that order each time step) and adds two things cocotb's main lacks.
//
// Waves (builds with --trace-fst, LE_WAVES=1): the FST trace is written only inside a window of simulation time
// given by plusargs:
//
//   +le_waves_from_ps=T0   first time dumped (ps; default 0)
//   +le_waves_to_ps=T1     last time dumped (ps; default: the end of the run)
//
// The first dump inside the window is a full one (Verilator writes every traced value at its first dump), so a
// window opens with the whole state. The trace is closed at every end of the run: $finish, a failing test, an
// assertion's $fatal (Verilator's exit callbacks), and a kill (SIGTERM / SIGINT, e.g. a test timeout: at the next
// time step), so the file is complete up to then. A crash of the simulator itself (SIGSEGV, SIGABRT) leaves it
// incomplete: closing it from a signal handler can deadlock on a lock the crashed code holds (measured: it does).
//
// The clock (builds compiled with -DLE_MAIN_CLOCK_PS=<period in ps>, e.g. the pyuvm env's, verif/hdl/
// le_tb_pyuvm.f): main() drives the top's `clk` input itself, high from time 0 and toggling every half period,
// so no Python coroutine, VPI timer callback or Verilator --timing scheduler runs per clock edge. Each edge is
// applied at the start of its time step, after the timed callbacks of that time (a Timer that ends at an edge
// sees the value before it) and before the design is evaluated: a RisingEdge(clk) callback runs after the edge's
// flops updated. The period is published to the embedded Python as the environment variable LE_MAIN_CLOCK_PS
// (verif/tests/base.py then starts no clock of its own and checks the period).
//
// Options as cocotb's main: --trace, --trace-file FILE (default dump.fst), --trace-flush (flush every dump),
// --coverage-per-instance.

#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <memory>
#include <string>

#include "Vtop.h"
#include "verilated.h"
#include "verilated_vpi.h"
#if VM_TRACE
#include "verilated_fst_c.h"
#endif

extern "C" void vlog_startup_routines_bootstrap(void);

namespace {

constexpr uint64_t kNever = std::numeric_limits<uint64_t>::max();

uint64_t g_now = 0;  // simulation time, in the design's precision units
#if VM_TRACE
VerilatedFstC* g_trace = nullptr;
#endif
#if VM_COVERAGE
bool g_cov_per_instance = false;
#endif
bool g_wrapped = false;

// Value-change callbacks may change values that fire others: call them until none fires.
void settle() {
    while (VerilatedVpi::callValueCbs()) {
    }
}

// A plusarg +NAME=<decimal>, or `fallback`.
uint64_t plusarg_u64(const char* name, uint64_t fallback) {
    const std::string prefix = std::string(name) + "=";
    const std::string found = Verilated::commandArgsPlusMatch(prefix.c_str());
    if (found.size() <= prefix.size() + 1) return fallback;
    char* end = nullptr;
    const unsigned long long v = std::strtoull(found.c_str() + 1 + prefix.size(), &end, 10);
    if (end == nullptr || *end != '\0') {
        std::fprintf(stderr, "le_vpi_main: +%s is not a decimal number of ps: %s\n", name, found.c_str());
        std::exit(2);
    }
    return static_cast<uint64_t>(v);
}

// ps -> the design's time units (timeprecision 10^p s; p = -12 is ps).
uint64_t ps_to_ticks(uint64_t ps) {
    if (ps == kNever) return kNever;
    int p = Verilated::threadContextp()->timeprecision();
    uint64_t t = ps;
    for (; p < -12; ++p) t = (t > kNever / 10) ? kNever : t * 10;
    for (; p > -12; --p) t /= 10;
    return t;
}

#ifdef LE_MAIN_CLOCK_PS
// The design's time units -> ps (the inverse of ps_to_ticks where that one is exact).
uint64_t ticks_to_ps(uint64_t t) {
    int p = Verilated::threadContextp()->timeprecision();
    for (; p < -12; ++p) t /= 10;
    for (; p > -12; --p) t *= 10;
    return t;
}
#endif

void wrap_up() {
    if (g_wrapped) return;
    g_wrapped = true;
    VerilatedVpi::callCbs(cbEndOfSimulation);
#if VM_TRACE
    if (g_trace) g_trace->close();  // (not deleted: as cocotb's main, to avoid a deadlock at exit)
#endif
#if VM_COVERAGE
    if (g_cov_per_instance) Verilated::threadContextp()->coveragep()->forcePerInstance(true);
    VerilatedCov::write();
#endif
}

// SIGTERM / SIGINT (a timeout's kill, Ctrl-C): only noted here (closing the trace inside the handler can deadlock
// on a lock the interrupted code holds); the main loop closes it at the next time step and ends with the signal.
volatile std::sig_atomic_t g_stop = 0;
void on_stop(int sig) { g_stop = sig; }

void end_with(int sig) {
    std::signal(sig, SIG_DFL);
    std::raise(sig);
}

}  // namespace

double sc_time_stamp() { return static_cast<double>(g_now); }

int main(int argc, char** argv) {
    [[maybe_unused]] const char* trace_file = "dump.fst";   // (the trace options matter in waves builds only)
    bool trace_on = false;
    [[maybe_unused]] bool trace_flush = false;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        if (arg == "--trace") {
            trace_on = true;
        } else if (arg == "--trace-flush") {
            trace_flush = true;
        } else if (arg == "--trace-file" && i + 1 < argc) {
            trace_file = argv[++i];
        } else if (arg == "--coverage-per-instance") {
#if VM_COVERAGE
            g_cov_per_instance = true;
#endif
        }
    }
    Verilated::commandArgs(argc, argv);
    std::unique_ptr<Vtop> top(new Vtop(""));
    Verilated::fatalOnVpiError(false);  // cocotb's system tasks are looked up through VPI
    [[maybe_unused]] const uint64_t from = ps_to_ticks(plusarg_u64("le_waves_from_ps", 0));
    [[maybe_unused]] const uint64_t to = ps_to_ticks(plusarg_u64("le_waves_to_ps", kNever));
#if VM_TRACE
    Verilated::traceEverOn(true);
    if (trace_on) {
        g_trace = new VerilatedFstC;
        top->trace(g_trace, 99);
        g_trace->open(trace_file);
    }
#else
    if (trace_on) {
        std::fprintf(stderr, "le_vpi_main: --trace needs a build with --trace-fst (LE_WAVES=1)\n");
        return 2;
    }
#endif
    for (int sig : {SIGTERM, SIGINT}) std::signal(sig, on_stop);

#ifdef LE_MAIN_CLOCK_PS
    static_assert(LE_MAIN_CLOCK_PS >= 2 && LE_MAIN_CLOCK_PS % 2 == 0, "LE_MAIN_CLOCK_PS: an even period in ps");
    const uint64_t half = ps_to_ticks(LE_MAIN_CLOCK_PS / 2);
    if (half == 0 || ticks_to_ps(half) != static_cast<uint64_t>(LE_MAIN_CLOCK_PS / 2)) {
        std::fprintf(stderr, "le_vpi_main: half of LE_MAIN_CLOCK_PS=%d ps is not a whole number of the design's "
                     "time precision units\n", LE_MAIN_CLOCK_PS);
        return 2;
    }
    uint64_t next_edge = half;
    top->clk = 1;
#else
    const uint64_t next_edge = kNever;
#endif
#ifdef LE_MAIN_CLOCK_PS
    setenv("LE_MAIN_CLOCK_PS", std::to_string(LE_MAIN_CLOCK_PS).c_str(), 1);   // before Python starts
#endif
    vlog_startup_routines_bootstrap();
    Verilated::addExitCb([](void*) { wrap_up(); }, nullptr);
    VerilatedVpi::callCbs(cbStartOfSimulation);
    settle();

    while (!Verilated::gotFinish()) {
        if (g_stop) {                       // killed: the trace is complete up to this time step
#if VM_TRACE
            if (g_trace) g_trace->close();
#endif
            end_with(g_stop);
        }
        // the time step: evaluate until neither the design nor a callback has anything left to do
        do {
            do {
                top->eval_step();
                VerilatedVpi::clearEvalNeeded();
                VerilatedVpi::doInertialPuts();
                settle();
            } while (VerilatedVpi::evalNeeded());
            VerilatedVpi::callCbs(cbReadWriteSynch);
            VerilatedVpi::doInertialPuts();
            settle();
        } while (VerilatedVpi::evalNeeded());
        top->eval_end_step();
        VerilatedVpi::callCbs(cbReadOnlySynch);
#if VM_TRACE
        if (g_trace && g_now >= from && g_now <= to) {
            g_trace->dump(g_now);
            if (trace_flush) g_trace->flush();
        }
#endif
        // the next time anything happens: a cocotb timer, the design's own delays or the next clock edge
        const uint64_t next_cb = VerilatedVpi::cbNextDeadline();
        const uint64_t next_design = top->eventsPending() ? top->nextTimeSlot() : kNever;
        uint64_t next = next_cb < next_design ? next_cb : next_design;
        if (next_edge < next) next = next_edge;
        if (next == kNever) break;
        g_now = next;
        VerilatedVpi::callCbs(cbNextSimTime);
        settle();
        VerilatedVpi::callTimedCbs();
        settle();
#ifdef LE_MAIN_CLOCK_PS
        if (g_now == next_edge) {  // the edge, after the timed callbacks, before the evaluation
            top->clk = !top->clk;
            next_edge += half;
        }
#endif
    }
    top->final();
    wrap_up();
    return Verilated::threadContextp()->errorCount() > 0 ? 1 : 0;
}
