// le_sc_bfm.h - C++ proxies of the verif/hdl BFMs inside the Verilated le_tb_top: the same register protocols
// the Python proxies (verif/bfm/axi_mem_bfm.py, verif/bfm/axis_bfm.py) follow through VPI, here through the
// model's public variables (verif/sc/le_sc_public.vlt). Transaction level only: nothing here waits for a clock;
// the SystemC side (sc_main.cpp) decides when to look.
#ifndef LE_SC_BFM_H
#define LE_SC_BFM_H

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <map>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "Vle_tb_top.h"
#include "Vle_tb_top___024root.h"
#include "le_sc_bits.h"

#ifndef LE_SC_AXI_DATA_W
#error "LE_SC_AXI_DATA_W must be defined (eda/scbuild.py passes the AXI_DATA_W the model was built with)"
#endif
#ifndef LE_SC_MEM_PAGES
#error "LE_SC_MEM_PAGES must be defined (eda/scbuild.py passes the MEM_PAGES the model was built with)"
#endif

// A public variable of the model (the hierarchy below le_tb_top, "__DOT__" between levels).
#define LE_V(root, path) ((root)->le_tb_top__DOT__##path)

namespace le_sc {

constexpr std::size_t kBusBytes = LE_SC_AXI_DATA_W / 8;
constexpr std::size_t kProfileKeys = 8;                      // Bfms::profile()
inline const char* const kProfileNames[kProfileKeys] = {"cycles", "rbeat", "rwait", "noread_qkv", "noread_wo",
                                                        "noread_w1", "noread_w2", "noread_logits"};
constexpr std::size_t kPage = 4096;                          // le_axi_slave_bfm PAGE_BITS = 12
constexpr std::size_t kWordsPerPage = kPage / kBusBytes;
constexpr std::size_t kMaxPages = LE_SC_MEM_PAGES;
constexpr unsigned kAddrW = 32;                              // AXI_ADDR_W
constexpr unsigned kSlotW = [] { unsigned w = 0; while ((std::size_t{1} << w) < kMaxPages) ++w; return w; }();
constexpr unsigned kVpnW = kAddrW - 12;
constexpr uint32_t kOwnerFree = 1u << kVpnW;                 // owner entry of a free slot
constexpr uint32_t kProbOne = 1u << 16;                      // probability registers: fractions of 65536

// le_axi_bfm_pkg.sv error codes (verif/bfm/axi_mem_bfm_types.py ERROR_CODES).
inline const char* axi_error_text(unsigned code) {
    static const char* const kText[] = {
        "?", "ARVALID dropped before ARREADY", "AR payload changed while stalled", "AWVALID dropped before AWREADY",
        "AW payload changed while stalled", "WVALID dropped before WREADY", "W payload changed while stalled",
        "burst crosses a 4 KB boundary", "burst type not INCR", "burst size not the bus width",
        "WLAST on the wrong beat", "more W beats than AWLEN+1 (dropped)", "write outside the RW window (not applied)",
        "read of unmapped address", "X/Z on a control signal", "AWADDR not aligned to the bus"};
    return code < sizeof(kText) / sizeof(kText[0]) ? kText[code] : "unknown error code";
}
inline const char* sink_error_text(unsigned code) {
    static const char* const kText[] = {"?", "VALID_DROP", "PAYLOAD_CHANGE", "X_CTRL", "OVERFLOW"};
    return code < 5 ? kText[code] : "unknown";
}

// Timing knobs of the BFMs (all 0 = the pyuvm env's BfmKnobs() defaults: no latency, no stalls, in order).
struct Knobs {
    unsigned lat_min = 0, lat_max = 0, b_lat_min = 0, b_lat_max = 0;
    double p_ar_stall = 0, p_r_gap = 0, p_aw_stall = 0, p_w_stall = 0, p_b_gap = 0;
    bool reorder = false, interleave = false, b_reorder = false;
    unsigned max_out = 0, w_early_max = 0;           // 0: the BFM's SLOTS / W_EARLY (BfmKnobs 64 caps to them)
    double p_x_idle = 0, p_logits_stall = 0;
    unsigned x_delay_max = 0;                        // each X frame waits 0..this many cycles first
    unsigned logits_pause = 0, logits_pause_at = 0;  // one TREADY-low pause per logits frame, after this many beats
};

inline uint32_t prob17(double p) {                 // le_axi_slave_bfm: 17 bits, 65536 = always
    if (p <= 0) return 0;
    if (p >= 1) return kProbOne;
    return static_cast<uint32_t>(p * kProbOne + 0.5);
}
inline uint16_t prob16(double p) {                 // stream BFMs: 16 bits, below 1
    const uint32_t v = prob17(p);
    return static_cast<uint16_t>(v >= kProbOne ? kProbOne - 1 : v);
}

class Bfms {
public:
    using Root = Vle_tb_top___024root;
    using Word = std::remove_reference_t<decltype(std::declval<Root&>().le_tb_top__DOT__u_mem__DOT__u_mem__DOT__words[0])>;
    using Pte = std::remove_reference_t<decltype(std::declval<Root&>().le_tb_top__DOT__u_mem__DOT__u_mem__DOT__pt[0])>;

    explicit Bfms(Vle_tb_top& top) : r_(top.rootp) {
        static_assert(sizeof(LE_V(r_, u_mem__DOT__u_mem__DOT__words)) ==
                          sizeof(LE_V(r_, u_mem__DOT__u_mem__DOT__words)[0]) * kMaxPages * kWordsPerPage,
                      "page store size disagrees with LE_SC_MEM_PAGES / LE_SC_AXI_DATA_W");
    }

    // ---- le_tb_top's bus profile (verif/hdl/le_tb_top.sv "bus profile", counted from reset) ---------------
    // In verif/tests/perf.py PROFILE_KEYS order: busy cycles, R beats, read waits, no-read cycles by phase.
    std::array<uint32_t, kProfileKeys> profile() const {
        return {LE_V(r_, prof_cycles), LE_V(r_, prof_rbeat), LE_V(r_, prof_rwait), LE_V(r_, prof_noread_qkv),
                LE_V(r_, prof_noread_wo), LE_V(r_, prof_noread_w1), LE_V(r_, prof_noread_w2),
                LE_V(r_, prof_noread_logits)};
    }

    // ---- AXI4 slave memory (verif/bfm/axi_mem_bfm.py) -------------------------------------------------
    // Once, before the first access: every slot free (the proxy's initialisation).
    void mem_init() {
        for (std::size_t s = 0; s < kMaxPages; ++s) LE_V(r_, u_mem__DOT__u_mem__DOT__owner)[s] = kOwnerFree;
        pages_.clear();
    }

    void configure(const Knobs& k) {
        LE_V(r_, u_mem__DOT__k_lat_min) = static_cast<SData>(k.lat_min);
        LE_V(r_, u_mem__DOT__k_lat_max) = static_cast<SData>(k.lat_max < k.lat_min ? k.lat_min : k.lat_max);
        LE_V(r_, u_mem__DOT__k_b_lat_min) = static_cast<SData>(k.b_lat_min);
        LE_V(r_, u_mem__DOT__k_b_lat_max) = static_cast<SData>(k.b_lat_max < k.b_lat_min ? k.b_lat_min : k.b_lat_max);
        LE_V(r_, u_mem__DOT__k_p_ar_stall) = prob17(k.p_ar_stall);
        LE_V(r_, u_mem__DOT__k_p_r_gap) = prob17(k.p_r_gap);
        LE_V(r_, u_mem__DOT__k_p_aw_stall) = prob17(k.p_aw_stall);
        LE_V(r_, u_mem__DOT__k_p_w_stall) = prob17(k.p_w_stall);
        LE_V(r_, u_mem__DOT__k_p_b_gap) = prob17(k.p_b_gap);
        LE_V(r_, u_mem__DOT__k_reorder) = (k.reorder || k.interleave) ? 1 : 0;
        LE_V(r_, u_mem__DOT__k_interleave) = k.interleave ? 1 : 0;
        LE_V(r_, u_mem__DOT__k_b_reorder) = k.b_reorder ? 1 : 0;
        LE_V(r_, u_mem__DOT__k_max_out) = static_cast<SData>(k.max_out);
        LE_V(r_, u_mem__DOT__k_w_early_max) = static_cast<SData>(k.w_early_max);
        // Not options: W data recorded; no random errors and no error range (an error plan sets them per token:
        // le_sc_plan.h). Written all the same, as the Python proxy does: the HDL has no initialisers, so under
        // +verilator+rand+reset+2 they would start random.
        LE_V(r_, u_mem__DOT__k_p_rd_err) = 0;
        LE_V(r_, u_mem__DOT__k_p_wr_err) = 0;
        LE_V(r_, u_mem__DOT__k_rand_err_resp) = 0;
        LE_V(r_, u_mem__DOT__k_no_wdata_rec) = 0;
        clear_error_range();
        LE_V(r_, u_x_src__DOT__p_idle) = prob16(k.p_x_idle);
        LE_V(r_, u_x_src__DOT__start_delay_max) = static_cast<SData>(k.x_delay_max);
        LE_V(r_, u_logits_sink__DOT__p_stall) = prob16(k.p_logits_stall);
        LE_V(r_, u_logits_sink__DOT__pause_len) = static_cast<SData>(k.logits_pause);
        LE_V(r_, u_logits_sink__DOT__pause_at) = static_cast<SData>(k.logits_pause_at);
    }

    // ---- error injection (axi_mem_bfm.py add_error_range / clear_errors, BfmKnobs p_rd_err ...) ---------------
    // One error range: the beats overlapping [lo, hi) answer `resp` (2 SLVERR, 3 DECERR) on reads and/or writes;
    // replaces any range set before (the harness sets one at a time).
    void set_error_range(uint64_t lo, uint64_t hi, unsigned resp, bool reads, bool writes) {
        clear_error_range();
        put_bits(LE_V(r_, u_mem__DOT__k_erng_lo), 0, kAddrW + 1, lo);
        put_bits(LE_V(r_, u_mem__DOT__k_erng_hi), 0, kAddrW + 1, hi);
        LE_V(r_, u_mem__DOT__k_erng_resp) = static_cast<SData>(resp & 3u);
        LE_V(r_, u_mem__DOT__k_erng_rd) = reads ? 1 : 0;
        LE_V(r_, u_mem__DOT__k_erng_wr) = writes ? 1 : 0;
    }
    void clear_error_range() {
        clear(LE_V(r_, u_mem__DOT__k_erng_lo));
        clear(LE_V(r_, u_mem__DOT__k_erng_hi));
        LE_V(r_, u_mem__DOT__k_erng_resp) = 0;
        LE_V(r_, u_mem__DOT__k_erng_rd) = 0;
        LE_V(r_, u_mem__DOT__k_erng_wr) = 0;
    }
    // Random per-burst errors: P(read burst fails), P(write burst fails), the response they get (2 or 3).
    void set_random_errors(double p_rd, double p_wr, unsigned resp) {
        LE_V(r_, u_mem__DOT__k_p_rd_err) = prob17(p_rd);
        LE_V(r_, u_mem__DOT__k_p_wr_err) = prob17(p_wr);
        LE_V(r_, u_mem__DOT__k_rand_err_resp) = static_cast<CData>(resp & 3u);
    }
    // Bursts accepted and not finished: (reads: AR taken, last R beat not; writes: AW taken, B not).
    std::pair<unsigned, unsigned> outstanding() const {
        return {static_cast<unsigned>(LE_V(r_, u_mem__DOT__u_rd__DOT__cnt)),
                static_cast<unsigned>(LE_V(r_, u_mem__DOT__u_wr__DOT__outstanding))};
    }

    // Map the pages of [lo, hi); new pages are zero-filled (axi_mem_bfm.py map()).
    void map(uint64_t lo, uint64_t hi) {
        if (hi <= lo) return;
        for (uint64_t vp = lo / kPage; vp <= (hi - 1) / kPage; ++vp) slot(static_cast<uint32_t>(vp));
    }

    // Backdoor write of `n` bytes at `addr` (axi_mem_bfm.py load() / poke()).
    void load(uint64_t addr, const uint8_t* data, std::size_t n) {
        check_range(addr, n);
        for (std::size_t i = 0; i < n;) {
            const uint64_t a = addr + i;
            auto& word = word_at(slot(static_cast<uint32_t>(a / kPage)), a);
            uint8_t bytes[kBusBytes];
            to_bytes(word, bytes, kBusBytes);
            const std::size_t off = static_cast<std::size_t>(a % kBusBytes);
            const std::size_t take = std::min(kBusBytes - off, n - i);
            for (std::size_t k = 0; k < take; ++k) bytes[off + k] = data[i + k];
            from_bytes(word, bytes, kBusBytes);
            i += take;
        }
    }

    // Backdoor read (unmapped pages read as 0; axi_mem_bfm.py peek()).
    std::vector<uint8_t> peek(uint64_t addr, std::size_t n) {
        check_range(addr, n);
        std::vector<uint8_t> out(n, 0);
        for (std::size_t i = 0; i < n;) {
            const uint64_t a = addr + i;
            const std::size_t off = static_cast<std::size_t>(a % kBusBytes);
            const std::size_t take = std::min(kBusBytes - off, n - i);
            auto it = pages_.find(static_cast<uint32_t>(a / kPage));
            if (it != pages_.end()) {
                uint8_t bytes[kBusBytes];
                to_bytes(word_at(it->second, a), bytes, kBusBytes);
                for (std::size_t k = 0; k < take; ++k) out[i + k] = bytes[off + k];
            }
            i += take;
        }
        return out;
    }

    // Writes allowed in [lo, hi) only (its pages mapped); axi_mem_bfm.py set_rw_region().
    void set_rw_region(uint64_t lo, uint64_t hi) {
        map(lo, hi);
        auto& rlo = LE_V(r_, u_mem__DOT__k_rw_lo);
        auto& rhi = LE_V(r_, u_mem__DOT__k_rw_hi);
        for (std::size_t w = 0; w < rlo.Words; ++w) rlo.at(w) = rhi.at(w) = 0;
        put_bits(rlo, 0, kAddrW + 1, lo);
        put_bits(rhi, 0, kAddrW + 1, hi);
        LE_V(r_, u_mem__DOT__k_rw_en) = 1;
    }

    // ---- protocol checks recorded by the HDL ---------------------------------------------------------------
    // Start counting errors from now (after the power-on reset).
    void errors_mark() {
        rd_err0_ = LE_V(r_, u_mem__DOT__u_rd__DOT__err_wr);
        wr_err0_ = LE_V(r_, u_mem__DOT__u_wr__DOT__err_wr);
        sink_err0_ = LE_V(r_, u_logits_sink__DOT__err_count);
    }
    // One line per protocol error recorded since errors_mark(): the slave BFM's FIFOs (both sides) and the
    // sink's error record.
    std::vector<std::string> protocol_errors() const {
        std::vector<std::string> out;
        const auto side = [&](const char* name, uint32_t mark, uint32_t end, const auto& fifo) {
            const uint32_t depth = static_cast<uint32_t>(sizeof(fifo) / sizeof(fifo[0]));
            const uint32_t n = end - mark;
            if (n > depth) out.push_back(std::string(name) + ": " + std::to_string(n - depth) + " errors lost");
            for (uint32_t i = n > depth ? end - depth : mark; i != end; ++i) {
                const auto& e = fifo[i % depth];
                const unsigned code = static_cast<unsigned>(get_bits(e, 64, 8));
                char line[200];
                std::snprintf(line, sizeof line, "cycle %u: [%u] %s at 0x%x (%s)",
                              static_cast<unsigned>(get_bits(e, 0, 32)), code, axi_error_text(code),
                              static_cast<unsigned>(get_bits(e, 32, 32)), name);
                out.emplace_back(line);
            }
        };
        side("rd", rd_err0_, LE_V(r_, u_mem__DOT__u_rd__DOT__err_wr), LE_V(r_, u_mem__DOT__u_rd__DOT__err_fifo));
        side("wr", wr_err0_, LE_V(r_, u_mem__DOT__u_wr__DOT__err_wr), LE_V(r_, u_mem__DOT__u_wr__DOT__err_fifo));
        const uint32_t sink_n = LE_V(r_, u_logits_sink__DOT__err_count) - sink_err0_;
        if (sink_n) {
            std::string kinds;
            const unsigned mask = LE_V(r_, u_logits_sink__DOT__err_mask);
            for (unsigned c = 1; c <= 4; ++c)
                if ((mask >> (c - 1)) & 1u) kinds += std::string(kinds.empty() ? "" : ", ") + sink_error_text(c);
            out.push_back("logits sink: " + std::to_string(sink_n) + " error cycle(s): " + kinds);
        }
        return out;
    }

    // ---- AXI4-Stream source (verif/bfm/axis_bfm.py AxisSourceBfm.send) -----------------------------------------
    // Load one frame (TKEEP all ones, TLAST on the final beat) and bump go_seq; returns the sequence number
    // src_done() waits for.
    uint32_t src_start(const uint8_t* x, std::size_t n) {
        const std::size_t beats = (n + kBusBytes - 1) / kBusBytes;
        auto& mem = LE_V(r_, u_x_src__DOT__mem);
        if (beats > sizeof(mem) / sizeof(mem[0])) throw std::runtime_error("X frame longer than the source's MAX_BEATS");
        for (std::size_t k = 0; k < beats; ++k) {
            uint8_t word[kBusBytes + kBusBytes / 8 + 1] = {};
            const std::size_t take = std::min(kBusBytes, n - k * kBusBytes);
            for (std::size_t i = 0; i < take; ++i) word[i] = x[k * kBusBytes + i];
            for (std::size_t i = 0; i < take; ++i) word[kBusBytes + i / 8] |= static_cast<uint8_t>(1u << (i % 8));
            word[kBusBytes + kBusBytes / 8] = (k == beats - 1) ? 1 : 0;
            from_bytes(mem[k], word, sizeof word);
        }
        LE_V(r_, u_x_src__DOT__n_beats) = static_cast<CData>(beats);
        src_aborted0_ = LE_V(r_, u_x_src__DOT__frames_aborted);
        const uint32_t seq = LE_V(r_, u_x_src__DOT__go_seq) + 1;
        LE_V(r_, u_x_src__DOT__go_seq) = seq;
        return seq;
    }
    bool src_done(uint32_t seq) const { return LE_V(r_, u_x_src__DOT__done_seq) == seq; }
    bool src_aborted() const { return LE_V(r_, u_x_src__DOT__frames_aborted) != src_aborted0_; }

    // ---- AXI4-Stream sink (verif/bfm/axis_bfm.py AxisSinkBfm.recv) ---------------------------------------------
    void sink_flush() { consumed_ = LE_V(r_, u_logits_sink__DOT__frame_seq); LE_V(r_, u_logits_sink__DOT__ack_seq) = consumed_; }
    bool sink_pending() const { return LE_V(r_, u_logits_sink__DOT__frame_seq) != consumed_; }
    // Beats of an unfinished frame in the sink (a frame being received, or abandoned by a soft reset).
    unsigned sink_partial_beats() const { return static_cast<unsigned>(LE_V(r_, u_logits_sink__DOT__wr_idx_q)); }
    bool sink_tvalid() const { return LE_V(r_, u_logits_sink__DOT__s_axis_tvalid) != 0; }
    // Drop the unfinished frame at the next edge (axis_bfm.py AxisSinkBfm.drop_partial; only while TVALID is low).
    void sink_drop_partial() { LE_V(r_, u_logits_sink__DOT__drop_seq) = LE_V(r_, u_logits_sink__DOT__drop_seq) + 1; }
    // Copy the next captured frame (whole beats) into `buf`; "" or the problem with its shape. Frees the bank.
    std::string sink_take(uint8_t* buf, std::size_t n) {
        const unsigned bank = consumed_ & 1u;
        const std::size_t beats = LE_V(r_, u_logits_sink__DOT__frame_len)[bank];
        const bool ovf = LE_V(r_, u_logits_sink__DOT__frame_ovf)[bank] != 0;
        const auto& mem = LE_V(r_, u_logits_sink__DOT__mem);
        const std::size_t max_beats = sizeof(mem) / sizeof(mem[0]) / 2;
        std::string problem;
        if (ovf) problem = "frame longer than the sink's MAX_BEATS";
        else if (beats * kBusBytes != n)
            problem = "frame of " + std::to_string(beats) + " beats, expected " + std::to_string(n / kBusBytes);
        for (std::size_t k = 0; k < beats && problem.empty(); ++k) {
            uint8_t word[kBusBytes + kBusBytes / 8 + 1];
            to_bytes(mem[bank * max_beats + k], word, sizeof word);
            uint64_t keep = 0;
            for (std::size_t i = 0; i < kBusBytes / 8; ++i) keep |= static_cast<uint64_t>(word[kBusBytes + i]) << (8 * i);
            const uint64_t full = kBusBytes == 64 ? ~0ull : (1ull << kBusBytes) - 1;
            const bool last = k + 1 == beats;
            if (!last && keep != full) problem = "TKEEP not all ones on beat " + std::to_string(k);
            if (last && (keep == 0 || (keep & (keep + 1)) != 0 || __builtin_popcountll(keep) % 4 != 0))
                problem = "final TKEEP not a run of whole 4-byte logits";
            for (std::size_t i = 0; i < kBusBytes; ++i) buf[k * kBusBytes + i] = word[i];
        }
        ++consumed_;
        LE_V(r_, u_logits_sink__DOT__ack_seq) = consumed_;
        return problem;
    }

private:
    Root* r_;
    std::map<uint32_t, uint32_t> pages_;    // virtual page -> slot (axi_mem_bfm.py _Shared.pages)
    uint32_t rd_err0_ = 0, wr_err0_ = 0, sink_err0_ = 0, src_aborted0_ = 0, consumed_ = 0;

    template <std::size_t N>
    static void clear(VlWide<N>& v) { for (std::size_t w = 0; w < N; ++w) v.at(w) = 0; }
    static void check_range(uint64_t addr, std::size_t n) {
        if (addr + n > (uint64_t{1} << kAddrW)) throw std::runtime_error("address beyond the 32-bit AXI space");
    }
    Word& word_at(uint32_t slot, uint64_t addr) {
        return LE_V(r_, u_mem__DOT__u_mem__DOT__words)[slot * kWordsPerPage + (addr % kPage) / kBusBytes];
    }
    // The slot of a virtual page, allocated and zero-filled if new (axi_mem_bfm.py _slot()).
    uint32_t slot(uint32_t vpage) {
        auto it = pages_.find(vpage);
        if (it != pages_.end()) return it->second;
        if (pages_.size() >= kMaxPages) throw std::runtime_error("BFM page store full");
        const auto s = static_cast<uint32_t>(pages_.size());
        const uint8_t zero[kBusBytes] = {};
        for (std::size_t i = 0; i < kWordsPerPage; ++i) from_bytes(word_at(s, uint64_t{i} * kBusBytes), zero, kBusBytes);
        pages_[vpage] = s;
        LE_V(r_, u_mem__DOT__u_mem__DOT__owner)[s] = vpage;
        LE_V(r_, u_mem__DOT__u_mem__DOT__pt)[vpage] = static_cast<Pte>((1u << kSlotW) | s);
        return s;
    }
};

}  // namespace le_sc

#endif  // LE_SC_BFM_H
