// le_sc_plan.h - an error plan (--plan FILE, docs/systemc.md "Error plans"): the tokens of a run as steps, each
// with the fault it provokes. Python writes the plan (regress/scerrors.py: the pyuvm error tests' scenarios,
// drawn from the master seed) and judges the outcome (verif/env/error_checker.py ErrorTokenChecker); this file
// only reads the plan and records what happened. One step per line, `key=value` words (integers decimal or 0x):
//
//   row=R pos=P          x.npy row R as the token's X, TOKEN_POS = P (P may be illegal: >= MAX_SEQ)
//   x_len=N x_pad=HEX    send N bytes of X instead of d_model (truncated, or followed by the HEX bytes): the HAL
//                        hands the engine a malformed frame (X_TLAST_EARLY / X_TLAST_LATE)
//   erange=LO:HI:RESP:RD:WR   an error range on the memory for this token (RESP 2 SLVERR, 3 DECERR; RD/WR 0|1)
//   rand=PRD:PWR:RESP    random per-burst errors for this token (probabilities)
//   csr=OFF:VAL,...      raw CSR writes before the token (an illegal config); poke=ADDR:HEX,... backdoor writes
//                        before it (the image header), restore=ADDR:HEX,... after it, reconfigure=1: le_configure
//                        after it
//   abort=POINT:DELAY    START, then a soft reset at POINT (before_x | weights | logits) + DELAY cycles
//   busy=POINT:DELAY     START, then a second START at POINT + DELAY; the token in flight runs to its end
//   quiet=N              cycles to wait after an ERROR before the soft reset (nothing may move on AXI; default 200)
//
// Every step: the C driver's le_run_token (or the raw steps of abort / busy), then for an engine error the quiet
// wait and le_soft_reset, the memory's outstanding bursts after it, the sink resynchronised after an abort.
#ifndef LE_SC_PLAN_H
#define LE_SC_PLAN_H

#include <cstdint>
#include <fstream>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "le_sc_cli.h"

namespace le_sc {

struct Poke {
    uint64_t addr = 0;
    std::vector<uint8_t> bytes;
};

struct PlanStep {
    long row = -1;
    uint32_t pos = 0;
    long x_len = -1;                       // -1: d_model
    std::vector<uint8_t> x_pad;
    bool erange = false, e_rd = false, e_wr = false;
    uint64_t e_lo = 0, e_hi = 0;
    unsigned e_resp = 0;
    bool rand = false;
    double p_rd = 0, p_wr = 0;
    unsigned r_resp = 2;
    std::vector<std::pair<uint32_t, uint32_t>> csr;
    std::vector<Poke> poke, restore;
    bool reconfigure = false;
    std::string abort_point, busy_point;   // "" or before_x / weights / logits
    uint64_t delay = 0, quiet = 200;
};

namespace plan_detail {

[[noreturn]] inline void bad(const std::string& path, int line, const std::string& what) {
    le_sc_cli::usage_error("--plan " + path + ":" + std::to_string(line) + ": " + what);
}
inline uint64_t num(const std::string& v, const std::string& path, int line) {
    try {
        std::size_t used = 0;
        const uint64_t n = std::stoull(v, &used, 0);
        if (used == v.size() && !v.empty() && v[0] != '-') return n;
    } catch (const std::exception&) {
    }
    bad(path, line, "'" + v + "' is not a non-negative integer");
}
inline double prob(const std::string& v, const std::string& path, int line) {
    double p = -1;
    try { p = std::stod(v); } catch (const std::exception&) {}
    if (!(p >= 0 && p < 1)) bad(path, line, "'" + v + "' is not a probability in [0, 1)");
    return p;
}
inline std::vector<std::string> split(const std::string& s, char sep) {
    std::vector<std::string> out;
    std::string part;
    std::istringstream in(s);
    while (std::getline(in, part, sep)) out.push_back(part);
    return out;
}
inline std::vector<uint8_t> hex(const std::string& v, const std::string& path, int line) {
    if (v.size() % 2) bad(path, line, "hex '" + v + "' has an odd length");
    std::vector<uint8_t> out;
    for (std::size_t i = 0; i < v.size(); i += 2) {
        const std::string byte = v.substr(i, 2);
        if (byte.find_first_not_of("0123456789abcdefABCDEF") != std::string::npos) bad(path, line, "bad hex '" + v + "'");
        out.push_back(static_cast<uint8_t>(std::stoul(byte, nullptr, 16)));
    }
    return out;
}
inline std::vector<Poke> pokes(const std::string& v, const std::string& path, int line) {
    std::vector<Poke> out;
    for (const auto& item : split(v, ',')) {
        const auto f = split(item, ':');
        if (f.size() != 2) bad(path, line, "'" + item + "': ADDR:HEX expected");
        out.push_back({num(f[0], path, line), hex(f[1], path, line)});
    }
    return out;
}
inline void point(const std::string& v, std::string& where, uint64_t& delay, const std::string& path, int line) {
    const auto f = split(v, ':');
    if (f.size() != 2 || (f[0] != "before_x" && f[0] != "weights" && f[0] != "logits"))
        bad(path, line, "'" + v + "': POINT:DELAY expected, POINT one of before_x, weights, logits");
    where = f[0];
    delay = num(f[1], path, line);
}

}  // namespace plan_detail

// The plan's steps; every problem is one line naming the file and line (exit 2, before the simulation).
inline std::vector<PlanStep> read_plan(const std::string& path, long rows) {
    using namespace plan_detail;
    std::ifstream in(path);
    if (!in) le_sc_cli::usage_error("--plan " + path + ": cannot read");
    std::vector<PlanStep> steps;
    std::string text;
    int line = 0;
    while (std::getline(in, text)) {
        ++line;
        if (text.empty() || text[0] == '#') continue;
        PlanStep s;
        bool has_pos = false;
        std::istringstream words(text);
        std::string w;
        while (words >> w) {
            const auto eq = w.find('=');
            if (eq == std::string::npos) bad(path, line, "'" + w + "': key=value expected");
            const std::string k = w.substr(0, eq), v = w.substr(eq + 1);
            if (k == "row") s.row = static_cast<long>(num(v, path, line));
            else if (k == "pos") { s.pos = static_cast<uint32_t>(num(v, path, line)); has_pos = true; }
            else if (k == "x_len") s.x_len = static_cast<long>(num(v, path, line));
            else if (k == "x_pad") s.x_pad = hex(v, path, line);
            else if (k == "erange") {
                const auto f = split(v, ':');
                if (f.size() != 5) bad(path, line, "erange=LO:HI:RESP:RD:WR expected");
                s.erange = true;
                s.e_lo = num(f[0], path, line);
                s.e_hi = num(f[1], path, line);
                s.e_resp = static_cast<unsigned>(num(f[2], path, line));
                s.e_rd = num(f[3], path, line) != 0;
                s.e_wr = num(f[4], path, line) != 0;
            } else if (k == "rand") {
                const auto f = split(v, ':');
                if (f.size() != 3) bad(path, line, "rand=PRD:PWR:RESP expected");
                s.rand = true;
                s.p_rd = prob(f[0], path, line);
                s.p_wr = prob(f[1], path, line);
                s.r_resp = static_cast<unsigned>(num(f[2], path, line));
            } else if (k == "csr") {
                for (const auto& item : split(v, ',')) {
                    const auto f = split(item, ':');
                    if (f.size() != 2) bad(path, line, "'" + item + "': OFF:VAL expected");
                    s.csr.emplace_back(static_cast<uint32_t>(num(f[0], path, line)), static_cast<uint32_t>(num(f[1], path, line)));
                }
            } else if (k == "poke") s.poke = pokes(v, path, line);
            else if (k == "restore") s.restore = pokes(v, path, line);
            else if (k == "reconfigure") s.reconfigure = num(v, path, line) != 0;
            else if (k == "abort") point(v, s.abort_point, s.delay, path, line);
            else if (k == "busy") point(v, s.busy_point, s.delay, path, line);
            else if (k == "quiet") s.quiet = num(v, path, line);
            else bad(path, line, "unknown key '" + k + "'");
        }
        if (s.row < 0 || s.row >= rows || !has_pos)
            bad(path, line, "row=R (below the " + std::to_string(rows) + " rows of x.npy) and pos=P are required");
        if ((s.erange && (s.e_resp < 2 || s.e_resp > 3)) || (s.rand && (s.r_resp < 2 || s.r_resp > 3)))
            bad(path, line, "RESP must be 2 (SLVERR) or 3 (DECERR)");
        if (!s.abort_point.empty() && !s.busy_point.empty()) bad(path, line, "abort and busy exclude each other");
        steps.push_back(std::move(s));
    }
    if (steps.empty()) le_sc_cli::usage_error("--plan " + path + ": no steps");
    return steps;
}

}  // namespace le_sc

#endif  // LE_SC_PLAN_H
