// le_sc_cli.h - the testbench's command line (options, usage errors: one line, exit 2) and the per-token output
// record (tokens.jsonl), shared by the SystemC harness and the bare C++ loop (docs/systemc.md).
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <sstream>
#include <string>

#include "le_driver.h"
#include "le_sc_bfm.h"

namespace le_sc_cli {

inline const char* g_prog = "le_sc_sim";       // le_bare_sim in the bare loop
constexpr int kClkNs = 10;                       // verif/env/host.py CLK_NS
constexpr int kResetCycles = 10;                 // verif/tests/base.py RESET_CYCLES
constexpr uint64_t kCyclesPerUs = 1000 / kClkNs;

struct Options {
    std::string bundle, out;
    long tokens = -1;                            // -1: every token of the bundle
    uint64_t image_base = 0x0010'0FC0;           // verif/tests/base.py IMAGE_BASE (64-byte, not 4 KB aligned)
    uint64_t token_budget = 5'000'000;           // cycles from the token's first access to its irq
    uint64_t csr_budget = 10'000;                // cycles for one CSR access
    bool kv_each_token = false;                  // --kv-each-token 1: OUT/kv_tokens.bin
    bool txn = true;                             // --txn 0: no OUT/txn.jsonl
    std::string coverage_file;                   // --coverage-file (coverage build; default OUT/coverage.dat)
    std::string waves;                           // --waves PATH.fst (waves build)
    uint64_t quantum = 0;                        // --quantum N: SystemC edges per activation in a wait (0: all)
    std::string plan;                            // --plan FILE: an error plan (le_sc_plan.h) instead of the tokens
    le_sc::Knobs knobs;
};

[[noreturn]] inline void usage_error(const std::string& msg) {
    std::fprintf(stderr, "%s: %s\n", g_prog, msg.c_str());
    std::exit(2);
}

inline Options parse(int argc, char** argv) {
    Options o;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (!a.empty() && a[0] == '+') continue;                 // plusargs: Verilated::commandArgs
        if (i + 1 >= argc) usage_error("option " + a + " needs a value");
        const std::string v = argv[++i];
        auto num = [&]() -> uint64_t {
            try { return std::stoull(v, nullptr, 0); } catch (const std::exception&) { usage_error(a + " " + v + ": not a number"); }
        };
        auto prob = [&]() -> double {
            double p = 0;
            try { p = std::stod(v); } catch (const std::exception&) { usage_error(a + " " + v + ": not a number"); }
            if (p < 0 || p >= 1) usage_error(a + " " + v + ": must be in [0, 1)");
            return p;
        };
        auto flag = [&]() -> bool {
            if (v != "0" && v != "1") usage_error(a + " " + v + ": must be 0 or 1");
            return v == "1";
        };
        auto& k = o.knobs;
        if (a == "--bundle") o.bundle = v;
        else if (a == "--out") o.out = v;
        else if (a == "--tokens") o.tokens = static_cast<long>(num());
        else if (a == "--image-base") o.image_base = num();
        else if (a == "--token-budget") o.token_budget = num();
        else if (a == "--csr-budget") o.csr_budget = num();
        else if (a == "--kv-each-token") o.kv_each_token = flag();
        else if (a == "--txn") o.txn = flag();
        else if (a == "--coverage-file") o.coverage_file = v;
        else if (a == "--waves") o.waves = v;
        else if (a == "--quantum") o.quantum = num();
        else if (a == "--plan") o.plan = v;
        else if (a == "--lat-min") k.lat_min = static_cast<unsigned>(num());
        else if (a == "--lat-max") k.lat_max = static_cast<unsigned>(num());
        else if (a == "--b-lat-min") k.b_lat_min = static_cast<unsigned>(num());
        else if (a == "--b-lat-max") k.b_lat_max = static_cast<unsigned>(num());
        else if (a == "--p-ar-stall") k.p_ar_stall = prob();
        else if (a == "--p-r-gap") k.p_r_gap = prob();
        else if (a == "--p-aw-stall") k.p_aw_stall = prob();
        else if (a == "--p-w-stall") k.p_w_stall = prob();
        else if (a == "--p-b-gap") k.p_b_gap = prob();
        else if (a == "--reorder") k.reorder = flag();
        else if (a == "--interleave") k.interleave = flag();
        else if (a == "--b-reorder") k.b_reorder = flag();
        else if (a == "--max-out") k.max_out = static_cast<unsigned>(std::min<uint64_t>(num(), 0xFFFF));
        else if (a == "--w-early-max") k.w_early_max = static_cast<unsigned>(std::min<uint64_t>(num(), 0xFFFF));
        else if (a == "--p-x-idle") k.p_x_idle = prob();
        else if (a == "--x-delay-max") k.x_delay_max = static_cast<unsigned>(std::min<uint64_t>(num(), 0xFFFF));
        else if (a == "--p-logits-stall") k.p_logits_stall = prob();
        else if (a == "--logits-pause") k.logits_pause = static_cast<unsigned>(std::min<uint64_t>(num(), 0xFFFF));
        else if (a == "--logits-pause-at") k.logits_pause_at = static_cast<unsigned>(std::min<uint64_t>(num(), 0xFFFF));
        else usage_error("unknown option " + a);
    }
    if (o.bundle.empty() || o.out.empty()) usage_error(std::string("usage: ") + g_prog + " --bundle DIR --out DIR [options] [+verilator+seed+N]");
    if (o.token_budget == 0 || o.csr_budget == 0) usage_error("budgets must be > 0");
    return o;
}

inline std::string json_escape(const std::string& s) {
    std::string out;
    for (char c : s) {
        if (c == '"' || c == '\\') { out += '\\'; out += c; }
        else if (static_cast<unsigned char>(c) < 0x20) out += ' ';
        else out += c;
    }
    return out;
}

struct TokenRecord {
    long token = 0, pos = 0;
    le_status_t rc = LE_OK;
    le_token_result_t res{};
    uint64_t cycles = 0;
    bool has_profile = false;                    // a token of the bundle (run_tokens): its bus profile
    std::array<uint32_t, le_sc::kProfileKeys> profile{};
    // an error plan's step only (le_sc_plan.h): what it did and what the host saw
    bool plan = false, frame = false;            // frame: a whole logits frame was received (logits.bin row)
    std::string kind;                            // "" (le_run_token), "aborted", "in_flight"
    long out_rd = -1, out_wr = -1;               // memory bursts outstanding after the soft reset (-1: none done)
    std::string note;
};

inline std::string token_json(const TokenRecord& r) {
    std::ostringstream s;
    const auto& p = r.res.perf;
    s << "{\"token\": " << r.token << ", \"pos\": " << r.pos << ", \"rc\": \"" << le_status_name(r.rc)
      << "\", \"status\": " << r.res.status << ", \"err_code\": " << r.res.err_code
      << ", \"rejected\": " << (r.res.rejected ? "true" : "false") << ", \"perf\": {\"cycles\": " << p.cycles
      << ", \"rd_stall_cycles\": " << p.rd_stall_cycles << ", \"bytes_rd\": " << p.bytes_rd
      << ", \"bytes_wr\": " << p.bytes_wr << "}, \"sim_cycles\": " << r.cycles;
    if (r.has_profile) {
        s << ", \"profile\": {";
        for (std::size_t i = 0; i < r.profile.size(); ++i)
            s << (i ? ", " : "") << '"' << le_sc::kProfileNames[i] << "\": " << r.profile[i];
        s << "}";
    }
    if (r.plan)
        s << ", \"kind\": \"" << r.kind << "\", \"frame\": " << (r.frame ? "true" : "false")
          << ", \"outstanding_after_reset\": [" << r.out_rd << ", " << r.out_wr << "], \"note\": \""
          << json_escape(r.note) << "\"";
    s << "}";
    return s.str();
}

}  // namespace le_sc_cli
