// le_sc_txn.h - the transaction records of a run (OUT/txn.jsonl, docs/systemc.md "Transaction records"): the
// AXI4 slave BFM's read and write burst records drained from its ring buffers exactly as the Python proxy does
// (verif/bfm/axi_mem_bfm.py drain_records: rec / rec_wr of le_axi_bfm_rd and le_axi_bfm_wr, the write beats in
// wbeat / wb_wr), plus the CSR accesses of the AXI4-Lite initiator and the irq edges. One JSON object per line,
// in completion order; every cycle field is the BFM's cycle counter (u_mem.now: rising edges since time zero,
// counted from 0; the edge k of the testbench, 1, 2, ..., is cycle k - 1).
//
// A ring overflows when more than its depth is pushed between two drains: the testbench drains at least every
// kDrainEvery cycles (one burst record and one beat per side and cycle at most, so that never happens) and at
// the end of every token. Should it happen anyway the loss is counted (lost()) and the run fails.
#ifndef LE_SC_TXN_H
#define LE_SC_TXN_H

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "le_sc_axil.h"
#include "le_sc_bfm.h"

namespace le_sc {

class TxnRecorder {
public:
    static constexpr uint64_t kDrainEvery = 512;   // cycles; below every ring depth (1024 records, 8192 beats)
    static constexpr uint32_t kRdRecPerWord = 4;   // le_axi_bfm_rd RecPerWord: read records per element of rec[]

    explicit TxnRecorder(Vle_tb_top& top) : r_(top.rootp) {}

    // Open OUT/txn.jsonl; false when it cannot be written. Without open() nothing is recorded.
    bool open(const std::string& path) {
        f_ = std::fopen(path.c_str(), "wb");
        if (f_) std::setvbuf(f_, nullptr, _IOFBF, 1 << 20);
        return f_ != nullptr;
    }
    bool on() const { return f_ != nullptr; }
    // Start from the rings' current write counters (after the power-on reset; they start at any value).
    void mark() {
        rd_ptr_ = LE_V(r_, u_mem__DOT__u_rd__DOT__rec_wr);
        wr_ptr_ = LE_V(r_, u_mem__DOT__u_wr__DOT__rec_wr);
    }
    void csr(long tok, const CsrAccess& a) {
        char line[160];
        std::snprintf(line, sizeof line, "{\"tok\": %ld, \"k\": \"C\", \"w\": %d, \"addr\": %u, \"data\": %u, \"resp\": %u, \"cyc\": %llu}",
                      tok, a.write ? 1 : 0, a.addr, a.data, a.resp, static_cast<unsigned long long>(a.edge - 1));
        pending_.push_back({a.edge - 1, 2, line});
    }
    void irq(long tok, bool level, uint64_t edge) {
        char line[96];
        std::snprintf(line, sizeof line, "{\"tok\": %ld, \"k\": \"I\", \"level\": %d, \"cyc\": %llu}", tok, level ? 1 : 0,
                      static_cast<unsigned long long>(edge - 1));
        pending_.push_back({edge - 1, 3, line});
    }

    // Every burst completed since the last drain, with the CSR accesses and irq edges noted since, to the file.
    void drain(long tok) {
        if (!f_) return;
        drain_reads(tok);
        drain_writes(tok);
        std::stable_sort(pending_.begin(), pending_.end(), [](const Line& a, const Line& b) { return a.cyc < b.cyc; });
        for (const Line& l : pending_) {
            std::fputs(l.text.c_str(), f_);
            std::fputc('\n', f_);
        }
        n_ += pending_.size();
        pending_.clear();
    }
    // Close the file; false if a write failed.
    bool close() {
        if (!f_) return true;
        const bool ok = std::ferror(f_) == 0;
        return std::fclose(f_) == 0 && ok;
    }
    uint64_t lost() const { return lost_records_ + lost_beats_; }
    std::string lost_text() const {
        return std::to_string(lost_records_) + " burst record(s) and the beats of " + std::to_string(lost_beats_) +
               " write burst(s) overwritten before the drain";
    }
    uint64_t count() const { return n_; }

private:
    struct Line {
        uint64_t cyc;
        int kind;                 // 0 R, 1 W, 2 C, 3 I: the order of equal cycles
        std::string text;
    };
    Vle_tb_top___024root* r_;
    std::FILE* f_ = nullptr;
    uint32_t rd_ptr_ = 0, wr_ptr_ = 0;
    uint64_t lost_records_ = 0, lost_beats_ = 0, n_ = 0;
    std::vector<Line> pending_;

    template <typename Ring>
    static constexpr uint32_t depth(const Ring& ring) { return static_cast<uint32_t>(sizeof(ring) / sizeof(ring[0])); }

    // (first, count) of the entries pushed from `ptr` to `end` that are still in a ring of `depth`.
    std::pair<uint32_t, uint32_t> span(uint32_t ptr, uint32_t end, uint32_t d) {
        const uint32_t n = end - ptr;
        if (n > d) { lost_records_ += n - d; return {end - d, d}; }
        return {ptr, n};
    }

    void drain_reads(long tok) {
        const auto& ring = LE_V(r_, u_mem__DOT__u_rd__DOT__rec);       // kRdRecPerWord records per element
        const uint32_t end = LE_V(r_, u_mem__DOT__u_rd__DOT__rec_wr), d = depth(ring) * kRdRecPerWord;
        const auto [first, n] = span(rd_ptr_, end, d);
        for (uint32_t i = 0; i < n; ++i) {
            const uint32_t k = (first + i) % d;
            const auto& v = ring[k / kRdRecPerWord];
            const std::size_t b = std::size_t{160} * (k % kRdRecPerWord);
            const uint64_t t_last = get_bits(v, b, 32), flags = get_bits(v, b + 152, 8);
            char line[320];
            std::snprintf(line, sizeof line,
                          "{\"tok\": %ld, \"k\": \"R\", \"id\": %u, \"addr\": %u, \"len\": %u, \"resp\": %u, \"t_ar\": %u, "
                          "\"t_first\": %u, \"t_last\": %u, \"ooo\": %u, \"il\": %u}",
                          tok, u(get_bits(v, b + 136, 8)), u(get_bits(v, b + 96, 32)), u(get_bits(v, b + 128, 8)),
                          u(get_bits(v, b + 144, 8)), u(get_bits(v, b + 64, 32)), u(get_bits(v, b + 32, 32)), u(t_last),
                          u(flags & 1u), u((flags >> 1) & 1u));
            pending_.push_back({t_last, 0, line});
        }
        rd_ptr_ = end;
    }

    void drain_writes(long tok) {
        const auto& ring = LE_V(r_, u_mem__DOT__u_wr__DOT__rec);
        const auto& beats = LE_V(r_, u_mem__DOT__u_wr__DOT__wbeat);
        const uint32_t end = LE_V(r_, u_mem__DOT__u_wr__DOT__rec_wr), d = depth(ring), bd = depth(beats);
        const uint32_t wb_end = LE_V(r_, u_mem__DOT__u_wr__DOT__wb_wr);
        const auto [first, n] = span(wr_ptr_, end, d);
        static const char kHex[] = "0123456789abcdef";
        for (uint32_t i = 0; i < n; ++i) {
            const auto& v = ring[(first + i) % d];
            const uint32_t nb = u(get_bits(v, 144, 16)), beat0 = u(get_bits(v, 96, 32));
            const uint64_t t_b = get_bits(v, 0, 32);
            const bool lost = nb > 0 && static_cast<uint32_t>(wb_end - beat0) > bd;
            if (lost) ++lost_beats_;
            char head[320];
            std::snprintf(head, sizeof head,
                          "{\"tok\": %ld, \"k\": \"W\", \"id\": %u, \"addr\": %u, \"len\": %u, \"resp\": %u, \"t_aw\": %u, "
                          "\"t_b\": %u, \"beats\": [",
                          tok, u(get_bits(v, 176, 8)), u(get_bits(v, 64, 32)), u(get_bits(v, 168, 8)),
                          u(get_bits(v, 160, 8)), u(get_bits(v, 32, 32)), u(t_b));
            std::string line = head;
            for (uint32_t j = 0; j < nb && !lost; ++j) {
                uint8_t bytes[kBusBytes + kBusBytes / 8 + 1];            // {resp[1:0], strb, data}
                to_bytes(beats[(beat0 + j) % bd], bytes, sizeof bytes);
                line += j ? ", [\"" : "[\"";
                for (std::size_t k = 0; k < kBusBytes; ++k) { line += kHex[bytes[k] >> 4]; line += kHex[bytes[k] & 15]; }
                uint64_t strb = 0;
                for (std::size_t k = 0; k < kBusBytes / 8; ++k) strb |= static_cast<uint64_t>(bytes[kBusBytes + k]) << (8 * k);
                char tail[48];
                std::snprintf(tail, sizeof tail, "\", \"%llx\", %u]", static_cast<unsigned long long>(strb),
                              static_cast<unsigned>(bytes[kBusBytes + kBusBytes / 8] & 3u));
                line += tail;
            }
            line += "], \"lost\": ";
            line += lost ? "1}" : "0}";
            pending_.push_back({t_b, 1, std::move(line)});
        }
        wr_ptr_ = end;
    }

    static unsigned u(uint64_t v) { return static_cast<unsigned>(v); }
};

}  // namespace le_sc

#endif  // LE_SC_TXN_H
