// le_sc_tb.h - the testbench core shared by the SystemC harness (sc_main.cpp) and the bare C++ loop
// (bare_main.cpp): the Verilated le_tb_top stepped one rising edge at a time (ModelClock), the C driver's HAL on
// it (AXI4-Lite pins, stream BFM frame registers, the irq pin) within per-token cycle budgets, the token loop
// and the run's output files (docs/systemc.md). `Sim` is the engine that owns time:
//
//   uint64_t cycle() const        rising edges so far
//   void edge()                   return right after the next rising edge (ModelClock::step)
//   bool wait_until(Pred, void*, uint64_t until)
//                                 return true at once if the predicate holds, else step until it holds after
//                                 an edge (true) or edge `until` has passed without it (false)
//   void stop()                   end the simulation after run() returns
//
// and calls after_edge() after every edge. Both engines step the same model the same way, so a run gives the same
// outputs, every cycle count included, in either.
#ifndef LE_SC_TB_H
#define LE_SC_TB_H

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <ctime>
#include <sstream>
#include <string>
#include <vector>

#include "Vle_tb_top.h"
#include "le_driver.h"
#include "le_sc_axil.h"
#include "le_sc_bfm.h"
#include "le_sc_bundle.h"
#include "le_sc_cli.h"
#include "le_sc_plan.h"
#include "le_sc_txn.h"
#if VM_TRACE
#include "verilated_fst_c.h"
#endif

namespace le_sc {

using Pred = bool (*)(void*);

// The model and its clock. One rising edge = an evaluation with clk low (the inputs driven since the last edge
// and the low half of the clock), a note of the AXI4-Lite outputs the edge samples, an evaluation with clk high.
// Edge k is at (10 k - 5) ns, clk low from 10 (k - 1) ns (the waves' time line; 1 ps resolution).
class ModelClock {
public:
    explicit ModelClock(Vle_tb_top& top) : top_(top) {}
    void init() {                                   // time zero: every input low, rst_n asserted
        top_.clk = 0;
        top_.rst_n = 0;
        top_.s_axil_awaddr = top_.s_axil_awprot = top_.s_axil_araddr = top_.s_axil_arprot = 0;
        top_.s_axil_awvalid = top_.s_axil_wvalid = top_.s_axil_bready = top_.s_axil_arvalid = top_.s_axil_rready = 0;
        top_.s_axil_wdata = 0;
        top_.s_axil_wstrb = 0;
        top_.eval();
        dump(0);
    }
    void step() {
        if (cycle) { top_.clk = 0; top_.eval(); dump(cycle * 10000); }
        pre.awready = top_.s_axil_awready; pre.wready = top_.s_axil_wready; pre.bvalid = top_.s_axil_bvalid;
        pre.bresp = top_.s_axil_bresp; pre.arready = top_.s_axil_arready; pre.rvalid = top_.s_axil_rvalid;
        pre.rdata = top_.s_axil_rdata; pre.rresp = top_.s_axil_rresp;
        top_.clk = 1;
        top_.eval();
        ++cycle;
        dump(cycle * 10000 - 5000);
    }
#if VM_TRACE
    VerilatedFstC* fst = nullptr;
    uint64_t dump_from_ps = 0;                      // the dump window (+le_waves_from_ps / +le_waves_to_ps)
    uint64_t dump_to_ps = UINT64_MAX;
    void dump(uint64_t ps) { if (fst && ps >= dump_from_ps && ps <= dump_to_ps) fst->dump(ps); }
#else
    void dump(uint64_t) {}
#endif
    uint64_t cycle = 0;
    AxilOut pre;                                    // the AXI4-Lite outputs as the last edge sampled them

private:
    Vle_tb_top& top_;
};

template <class Sim>
class Testbench {
public:
    // inputs
    le_sc_cli::Options opt;
    std::vector<uint8_t> image;
    Int8Matrix x;
    long start_pos = 0, n_tokens = 0;
    le_config_t cfg{};
    std::vector<PlanStep> plan;                     // --plan: the steps run instead of the tokens (le_sc_steps.h)
    // results
    std::vector<le_sc_cli::TokenRecord> records;
    std::vector<int32_t> logits;                    // [tokens run, vocab]
    std::vector<uint8_t> kv_region, kv_tokens;      // kv_tokens: --kv-each-token, [tokens done, kv_size]
    std::vector<std::string> protocol_errors;
    std::string message;                            // the one-line outcome when not every token completed
    int exit_code = 0;
    uint64_t loop_cycles = 0;
    double loop_wall_s = 0, peek_wall_s = 0, loop_cpu_s = 0;   // the token loop's wall and process CPU time
    TxnRecorder txn;

    Testbench(Sim& sim, Vle_tb_top& top, ModelClock& clock, const le_sc_cli::Options& o)
        : opt(o), txn(top), sim_(sim), top_(top), clock_(clock), bfm_(top), csr_(sim, top, clock.pre, o.csr_budget) {}

    // After every edge: irq edges and the periodic drain of the BFM's record rings (transaction records only).
    void after_edge() {
        if (!txn_armed_) return;
        if (top_.irq != irq_q_) { irq_q_ = top_.irq; txn.irq(cur_token_, irq_q_ != 0, clock_.cycle); }
        if (clock_.cycle >= next_drain_) drain();
    }

    // The thread: power-on reset with the image load, the driver's setup, the tokens.
    void run() {
        sim_.edge();                                // rst_n is low from time zero; the image loads during the reset
        bfm_.mem_init();
        bfm_.configure(opt.knobs);
        bfm_.load(opt.image_base, image.data(), image.size());
        kv_lo_ = opt.image_base + cfg.kv_offset;
        kv_size_ = header_word(13);
        bfm_.set_rw_region(kv_lo_, kv_lo_ + kv_size_);
        for (int i = 1; i < le_sc_cli::kResetCycles; ++i) sim_.edge();
        top_.rst_n = 1;
        sim_.edge();
        bfm_.errors_mark();
        bfm_.sink_flush();
        if (txn.on()) { txn.mark(); irq_q_ = top_.irq; txn_armed_ = true; next_drain_ = clock_.cycle + TxnRecorder::kDrainEvery; }

        static const le_hal_t hal_template = {nullptr, hal_read32, hal_write32, hal_send_x, hal_recv_logits, hal_wait_irq};
        le_hal_t hal = hal_template;
        hal.ctx = this;
        le_dev_t dev{};
        le_hw_info_t info{};
        deadline_ = sim_.cycle() + opt.token_budget;
        le_status_t rc = le_init(&dev, &hal, &cfg);
        if (rc == LE_OK) rc = le_probe(&dev, &info);
        if (rc == LE_OK) rc = le_configure(&dev);
        drain();
        if (rc != LE_OK) {
            finish_failure(rc, "setup (le_init / le_probe / le_configure)", -1);
            protocol_errors = bfm_.protocol_errors();
            return;
        }
        const size_t frame_bytes = le_logits_frame_bytes(&cfg);
        std::vector<uint8_t> frame(frame_bytes);
        std::vector<int32_t> row(cfg.vocab);
        const auto wall0 = std::chrono::steady_clock::now();
        const double cpu0 = cpu_s();
        const uint64_t cyc0 = sim_.cycle();
        if (plan.empty()) run_tokens(dev, frame, row);
        else run_plan(dev, frame, row);
        loop_cycles = sim_.cycle() - cyc0;
        loop_wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall0).count() - peek_wall_s;
        loop_cpu_s = cpu_s() - cpu0 - peek_wall_s;
        kv_region = bfm_.peek(kv_lo_, static_cast<size_t>(kv_size_));
        protocol_errors = bfm_.protocol_errors();
        if (exit_code == 0 && !protocol_errors.empty()) {
            exit_code = 1;
            message = "BFM protocol error(s): " + protocol_errors.front() +
                      (protocol_errors.size() > 1 ? " (+" + std::to_string(protocol_errors.size() - 1) + " more)" : "");
        }
        for (int i = 0; i < 10; ++i) sim_.edge();
        drain();
    }

    // The bundle's tokens, one le_run_token each; stops at the first that does not end LE_OK.
    void run_tokens(le_dev_t& dev, std::vector<uint8_t>& frame, std::vector<int32_t>& row) {
        for (long t = 0; t < n_tokens; ++t) {
            le_sc_cli::TokenRecord rec;
            rec.token = t;
            rec.pos = start_pos + t;
            cur_token_ = t;
            const uint64_t c0 = sim_.cycle();
            const auto prof0 = bfm_.profile();
            deadline_ = c0 + opt.token_budget;
            rec.rc = le_run_token(&dev, x.row(static_cast<size_t>(t)), x.cols, static_cast<uint32_t>(rec.pos),
                                  frame.data(), frame.size(), &rec.res);
            rec.cycles = sim_.cycle() - c0;
            const auto prof1 = bfm_.profile();
            rec.has_profile = true;
            for (std::size_t i = 0; i < prof1.size(); ++i) rec.profile[i] = prof1[i] - prof0[i];   // mod 2^32
            records.push_back(rec);
            drain();
            if (rec.rc != LE_OK) { finish_failure(rec.rc, "le_run_token", t); break; }
            le_decode_logits(frame.data(), frame.size(), row.data(), row.size());
            logits.insert(logits.end(), row.begin(), row.end());
            peek_kv_token();
        }
    }
    // --kv-each-token: the KV region now, appended to kv_tokens (a zero-time backdoor peek; its wall time is not
    // the token loop's).
    void peek_kv_token() {
        if (!opt.kv_each_token) return;
        const auto p0 = std::chrono::steady_clock::now();
        const auto kv = bfm_.peek(kv_lo_, static_cast<size_t>(kv_size_));
        kv_tokens.insert(kv_tokens.end(), kv.begin(), kv.end());
        peek_wall_s += std::chrono::duration<double>(std::chrono::steady_clock::now() - p0).count();
    }
    // An error plan (le_sc_steps.h).
    void run_plan(le_dev_t& dev, std::vector<uint8_t>& frame, std::vector<int32_t>& row);

    // After the simulation: the transaction file's verdict (lost records fail the run).
    void close_txn() {
        if (!txn.on()) return;
        if (!txn.close() && exit_code == 0) { exit_code = 2; message = "cannot write txn.jsonl"; }
        if (txn.lost() && exit_code == 0) { exit_code = 1; message = "transaction records lost: " + txn.lost_text(); }
    }
    long tokens_done() const { return static_cast<long>(logits.size() / std::max<size_t>(cfg.vocab, 1)); }

private:
    Sim& sim_;
    Vle_tb_top& top_;
    ModelClock& clock_;
    Bfms bfm_;
    AxilInitiator<Sim> csr_;
    uint64_t kv_lo_ = 0, kv_size_ = 0;
    long cur_token_ = -1;                           // the token the HAL works for (-1: setup)
    uint64_t deadline_ = 0;                         // cycle by which the current token must be done
    std::string hang_, hal_error_;
    uint32_t src_seq_ = 0;
    const uint8_t* x_override_ = nullptr;           // an error plan's malformed X frame (hal_send_x sends it)
    size_t x_override_len_ = 0;
    bool txn_armed_ = false;
    uint8_t irq_q_ = 0;
    uint64_t next_drain_ = 0;

    static double cpu_s() {                         // process CPU time (the speed figure that load does not halve)
        timespec ts{};
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
        return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
    }
    void drain() {
        if (!txn_armed_) return;
        txn.drain(cur_token_);
        next_drain_ = clock_.cycle + TxnRecorder::kDrainEvery;
    }
    uint32_t header_word(unsigned w) const {
        uint32_t v = 0;
        for (unsigned k = 0; k < 4; ++k) v |= static_cast<uint32_t>(image[4 * w + k]) << (8 * k);
        return v;
    }

    // ---- the HAL (sw/le_hal.h) ------------------------------------------------------------------------
    static Testbench* self(void* ctx) { return static_cast<Testbench*>(ctx); }
    static bool src_done(void* ctx) { return self(ctx)->bfm_.src_done(self(ctx)->src_seq_); }
    static bool sink_pending(void* ctx) { return self(ctx)->bfm_.sink_pending(); }
    static bool irq_high(void* ctx) { return self(ctx)->top_.irq != 0; }

    void csr_note() { if (csr_.completed() && txn_armed_) txn.csr(cur_token_, csr_.last()); }
    static int hal_read32(void* ctx, uint32_t offset, uint32_t* value) {
        Testbench* h = self(ctx);
        const int rc = h->csr_.read32(offset, value);
        h->csr_note();
        if (rc) h->hal_error_ = h->csr_.error();
        return rc;
    }
    static int hal_write32(void* ctx, uint32_t offset, uint32_t value) {
        Testbench* h = self(ctx);
        const int rc = h->csr_.write32(offset, value);
        h->csr_note();
        if (rc) h->hal_error_ = h->csr_.error();
        return rc;
    }
    // Wait until `p` holds or the token's deadline passes; false (and the hang text) on the deadline.
    bool wait_for(Pred p, const char* what) {
        if (sim_.wait_until(p, this, deadline_)) return true;
        hang_ = std::string(what) + ": nothing within the token's budget of " + std::to_string(opt.token_budget) + " cycles";
        return false;
    }
    static int hal_send_x(void* ctx, const uint8_t* data, size_t n) {   // blocking: returns once TLAST is taken
        Testbench* h = self(ctx);
        if (h->x_override_) { data = h->x_override_; n = h->x_override_len_; }
        h->src_seq_ = h->bfm_.src_start(data, n);
        if (!h->wait_for(src_done, "send_x (X frame not accepted)")) return -1;
        if (h->bfm_.src_aborted()) { h->hal_error_ = "send_x: frame abandoned by a reset"; return -1; }
        return 0;
    }
    static int hal_recv_logits(void* ctx, uint8_t* buf, size_t n) {
        Testbench* h = self(ctx);
        if (!h->wait_for(sink_pending, "recv_logits (no logits frame)")) return -1;
        const std::string problem = h->bfm_.sink_take(buf, n);
        if (!problem.empty()) { h->hal_error_ = "recv_logits: " + problem; return -1; }
        return 0;
    }
    static int hal_wait_irq(void* ctx, uint32_t budget_us) {
        Testbench* h = self(ctx);
        uint64_t until = h->deadline_;
        const uint64_t budget = uint64_t{budget_us} * le_sc_cli::kCyclesPerUs;
        if (budget_us != LE_WAIT_FOREVER) until = std::min(until, h->sim_.cycle() + budget);
        if (h->sim_.wait_until(irq_high, h, until)) return LE_HAL_IRQ;
        h->hang_ = "wait_irq: no irq within " + std::to_string(until == h->deadline_ ? h->opt.token_budget : budget) + " cycles";
        return LE_HAL_TIMEOUT;
    }

    // ---- an error plan's steps (le_sc_steps.h) ----------------------------------------------------------------
    bool plan_step(le_dev_t& dev, const PlanStep& st, le_sc_cli::TokenRecord& rec, std::vector<uint8_t>& frame);
    bool raw_start(uint32_t pos, le_sc_cli::TokenRecord& rec);
    bool reach(const PlanStep& st, const uint8_t* xr, le_sc_cli::TokenRecord& rec);
    bool abort_step(le_dev_t& dev, const PlanStep& st, const uint8_t* xr, le_sc_cli::TokenRecord& rec);
    bool busy_step(le_dev_t& dev, const PlanStep& st, const uint8_t* xr, le_sc_cli::TokenRecord& rec,
                   std::vector<uint8_t>& frame);
    bool soft_reset(le_dev_t& dev, le_sc_cli::TokenRecord& rec);
    bool csr_rd(uint32_t off, uint32_t& v) { return hal_read32(this, off, &v) == 0; }
    bool csr_wr(uint32_t off, uint32_t v) { return hal_write32(this, off, v) == 0; }
    void edges(uint64_t n) { for (uint64_t i = 0; i < n; ++i) sim_.edge(); }
    bool plan_fail(le_sc_cli::TokenRecord& rec, const std::string& what) {   // the run stops: exit 1
        exit_code = exit_code ? exit_code : 1;
        message = "step " + std::to_string(rec.token) + " (pos " + std::to_string(rec.pos) + "): " + what;
        return false;
    }

    void finish_failure(le_status_t rc, const char* where, long t) {
        std::ostringstream m;
        const std::string who = t < 0 ? std::string("setup")
                                       : (plan.empty() ? "token " : "step ") + std::to_string(t) + " (pos " +
                                             std::to_string(records.empty() ? start_pos + t : records.back().pos) + ")";
        if (!hang_.empty()) {
            exit_code = 3;
            m << "HANG at " << who << ", cycle " << sim_.cycle() << ": " << hang_ << " [" << le_status_name(rc) << "]";
        } else {
            exit_code = 1;
            m << who << ": " << where << " returned " << le_status_name(rc);
            if (t >= 0) m << ", STATUS=0x" << std::hex << records.back().res.status << std::dec;
            if (!hal_error_.empty()) m << ", " << hal_error_;
        }
        message = m.str();
    }
};

}  // namespace le_sc

#include "le_sc_steps.h"

#endif  // LE_SC_TB_H
