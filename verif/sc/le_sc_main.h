// le_sc_main.h - what the two mains (sc_main.cpp: SystemC, bare_main.cpp: a plain C++ loop) do the same way
// around the simulation: read and check the bundle, set up waves and coverage, write the output files
// (docs/systemc.md "How a run flows").
#ifndef LE_SC_MAIN_H
#define LE_SC_MAIN_H

#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <memory>
#include <sstream>
#include <string>

#include <verilated.h>
#if VM_COVERAGE
#include <verilated_cov.h>
#endif

#include "le_sc_tb.h"

namespace le_sc {

// Bundle inputs of a run, checked against the binary (one line and exit 2 on a problem).
struct BundleIn {
    std::vector<uint8_t> image;
    Int8Matrix x;
    le_config_t cfg{};
    long start_pos = 0, n_tokens = 0;
};

inline BundleIn read_bundle(const le_sc_cli::Options& opt) {
    using le_sc_cli::usage_error;
    BundleIn b;
    std::string manifest;
    try {
        b.image = read_file(opt.bundle + "/ddr.bin");
        b.x = read_npy_int8_2d(opt.bundle + "/x.npy");
        const auto m = read_file(opt.bundle + "/manifest.json");
        manifest.assign(m.begin(), m.end());
    } catch (const std::exception& e) {
        usage_error(std::string("bundle: ") + e.what());
    }
    if (le_config_from_header(&b.cfg, b.image.data(), b.image.size(), opt.image_base) != LE_OK)
        usage_error("bundle: ddr.bin does not start with a valid image header (magic / layout version)");
    char width_msg[LE_BUS_WIDTH_MSG_BYTES];
    if (le_check_bus_width(&b.cfg, LE_SC_AXI_DATA_W, width_msg, sizeof width_msg) != LE_OK)
        usage_error(width_msg);             // the C driver's one line, the same wording as models/ddr_layout.py
    if (b.x.cols != b.cfg.d_model)
        usage_error("bundle: x.npy has " + std::to_string(b.x.cols) + " columns, d_model is " + std::to_string(b.cfg.d_model));
    if (b.cfg.vocab > LE_SC_MAX_VOCAB)
        usage_error("bundle: vocab " + std::to_string(b.cfg.vocab) + " exceeds the binary's MAX_VOCAB " +
                    std::to_string(LE_SC_MAX_VOCAB) + " (build with parameters MAX_VOCAB=...)");
    // the pages Bfms::load maps: [image_base, image_base + size) (regress/sccase.py check_fits: the same count)
    const uint64_t need = (opt.image_base % kPage + b.image.size() + kPage - 1) / kPage;
    if (need > kMaxPages)
        usage_error("bundle: the image needs " + std::to_string(need) + " 4 KB pages, the binary's MEM_PAGES is " +
                    std::to_string(kMaxPages) + " (build with parameters MEM_PAGES=...)");
    b.start_pos = manifest_int(manifest, "start_pos", 0);
    const long in_bundle = manifest_int(manifest, "tokens", static_cast<long>(b.x.rows));
    if (in_bundle != static_cast<long>(b.x.rows)) usage_error("bundle: manifest.json tokens disagrees with x.npy");
    b.n_tokens = opt.tokens < 0 ? in_bundle : std::min<long>(opt.tokens, in_bundle);
    return b;
}

// The output folder, and OUT/txn.jsonl opened unless --txn 0 (one line and exit 2 when it cannot be written).
template <class TB>
void open_outputs(TB& tb, const le_sc_cli::Options& opt) {
    std::error_code ec;
    std::filesystem::create_directories(opt.out, ec);
    if (ec) le_sc_cli::usage_error("--out " + opt.out + ": " + ec.message());
    if (opt.txn && !tb.txn.open(opt.out + "/txn.jsonl")) le_sc_cli::usage_error("--out " + opt.out + ": cannot write txn.jsonl");
}

// The bundle into the testbench core (both programs), then its outputs opened.
template <class TB>
void load_bundle(TB& tb, BundleIn&& in, const le_sc_cli::Options& opt) {
    tb.image = std::move(in.image);
    tb.x = std::move(in.x);
    tb.cfg = in.cfg;
    tb.start_pos = in.start_pos;
    tb.n_tokens = in.n_tokens;
    if (!opt.plan.empty()) {                        // an error plan: its steps are the run's tokens
        tb.plan = read_plan(opt.plan, static_cast<long>(tb.x.rows));
        tb.n_tokens = static_cast<long>(tb.plan.size());
    }
    open_outputs(tb, opt);
}

// --waves needs a waves build, --coverage-file a coverage build: one line and exit 2 otherwise. Called before the
// model is made (tracing must be allowed before its first evaluation).
inline void check_variant(const le_sc_cli::Options& opt) {
#if VM_TRACE
    if (!opt.waves.empty()) Verilated::traceEverOn(true);
#else
    if (!opt.waves.empty()) le_sc_cli::usage_error("--waves: this binary has no tracing (build it with waves=True)");
#endif
#if !VM_COVERAGE
    if (!opt.coverage_file.empty())
        le_sc_cli::usage_error("--coverage-file: this binary has no coverage (build it with coverage=True)");
#endif
}

// FST waves of the whole le_tb_top into opt.waves (a waves build), from time zero.
class Waves {
public:
    void open(Vle_tb_top& top, ModelClock& clock, const le_sc_cli::Options& opt) {
#if VM_TRACE
        if (opt.waves.empty()) return;
        fst_ = std::make_unique<VerilatedFstC>();
        top.trace(fst_.get(), 99);
        fst_->open(opt.waves.c_str());
        if (!fst_->isOpen()) le_sc_cli::usage_error("--waves " + opt.waves + ": cannot open");
        clock.fst = fst_.get();
        clock.dump_from_ps = plusarg_ps("le_waves_from_ps", 0);      // the window (regress/wave_window.py)
        clock.dump_to_ps = plusarg_ps("le_waves_to_ps", UINT64_MAX);
#else
        (void)top; (void)clock; (void)opt;
#endif
    }
    void close() {
#if VM_TRACE
        if (fst_) fst_->close();
#endif
    }
private:
#if VM_TRACE
    std::unique_ptr<VerilatedFstC> fst_;
    // +NAME=<decimal ps>, else `fallback`; anything else is a usage error
    static uint64_t plusarg_ps(const char* name, uint64_t fallback) {
        const std::string prefix = std::string("+") + name + "=";
        const std::string arg = Verilated::commandArgsPlusMatch(prefix.c_str() + 1);
        if (arg.size() <= prefix.size()) return fallback;
        char* end = nullptr;
        const unsigned long long v = std::strtoull(arg.c_str() + prefix.size(), &end, 10);
        if (end == nullptr || *end != '\0') le_sc_cli::usage_error(arg + ": not a decimal number of ps");
        return static_cast<uint64_t>(v);
    }
#endif
};

template <class TB>
int write_outputs(TB& tb, const le_sc_cli::Options& opt, const char* engine, const char* systemc, uint64_t cycles,
                  double wall_s) {
    using le_sc_cli::json_escape;
    const char* prog = le_sc_cli::g_prog;
    std::string coverage;
    try {
        std::filesystem::create_directories(opt.out);
#if VM_COVERAGE
        coverage = opt.coverage_file.empty() ? opt.out + "/coverage.dat" : opt.coverage_file;
        Verilated::threadContextp()->coveragep()->write(coverage);
#endif
        std::ostringstream lines;
        for (const auto& r : tb.records) lines << le_sc_cli::token_json(r) << "\n";
        const std::string jl = lines.str();
        write_file(opt.out + "/tokens.jsonl", jl.data(), jl.size());
        write_file(opt.out + "/logits.bin", tb.logits.data(), tb.logits.size() * sizeof(int32_t));
        write_file(opt.out + "/kv_region.bin", tb.kv_region.data(), tb.kv_region.size());
        if (opt.kv_each_token) write_file(opt.out + "/kv_tokens.bin", tb.kv_tokens.data(), tb.kv_tokens.size());
        std::ostringstream j;
        const double cps = tb.loop_wall_s > 0 ? static_cast<double>(tb.loop_cycles) / tb.loop_wall_s : 0.0;
        j << "{\n \"exit\": " << tb.exit_code << ",\n \"message\": \"" << json_escape(tb.message) << "\",\n"
          << " \"engine\": \"" << engine << "\",\n"
          << " \"tokens_requested\": " << tb.n_tokens << ",\n \"tokens_done\": " << tb.tokens_done() << ",\n"
          << " \"vocab\": " << tb.cfg.vocab << ",\n \"bus_bits\": " << LE_SC_AXI_DATA_W << ",\n"
          << " \"image_base\": " << opt.image_base << ",\n \"cycles\": " << cycles << ",\n"
          << " \"wall_s\": " << wall_s << ",\n \"token_loop_cycles\": " << tb.loop_cycles << ",\n"
          << " \"token_loop_wall_s\": " << tb.loop_wall_s << ",\n \"cycles_per_s\": " << cps << ",\n"
          << " \"token_loop_cpu_s\": " << tb.loop_cpu_s << ",\n \"cycles_per_cpu_s\": "
          << (tb.loop_cpu_s > 0 ? static_cast<double>(tb.loop_cycles) / tb.loop_cpu_s : 0.0) << ",\n"
          << " \"txn_records\": " << (tb.txn.on() ? std::to_string(tb.txn.count()) : std::string("null")) << ",\n"
          << " \"coverage_file\": " << (coverage.empty() ? "null" : "\"" + json_escape(coverage) + "\"") << ",\n"
          << " \"waves_file\": " << (opt.waves.empty() ? "null" : "\"" + json_escape(opt.waves) + "\"") << ",\n"
          << " \"systemc\": " << (systemc ? "\"" + std::string(systemc) + "\"" : std::string("null")) << ",\n"
          << " \"verilator\": \"" << VERILATOR_VERSION << "\",\n"
          << " \"protocol_errors\": [";
        for (size_t i = 0; i < tb.protocol_errors.size(); ++i)
            j << (i ? ", " : "") << "\"" << json_escape(tb.protocol_errors[i]) << "\"";
        j << "]\n}\n";
        const std::string js = j.str();
        write_file(opt.out + "/run.json", js.data(), js.size());
    } catch (const std::exception& e) {
        std::fprintf(stderr, "%s: %s\n", prog, e.what());
        return 2;
    }
    if (tb.exit_code != 0) std::fprintf(stderr, "%s: %s\n", prog, tb.message.c_str());
    else
        std::printf("%s: %ld tokens, %" PRIu64 " cycles, %.3f s wall, %.0f cycles/s in the token loop\n", prog,
                    tb.n_tokens, cycles, wall_s, tb.loop_wall_s > 0 ? static_cast<double>(tb.loop_cycles) / tb.loop_wall_s : 0.0);
    return tb.exit_code;
}

}  // namespace le_sc

#endif  // LE_SC_MAIN_H
