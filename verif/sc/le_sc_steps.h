// le_sc_steps.h - the steps of an error plan (le_sc_plan.h), members of le_sc::Testbench (included at the end of
// le_sc_tb.h). What the pyuvm env's error sequences do (verif/env/error_seqs.py ErrorSeq.token / aborted_token,
// verif/env/busy_seq.py BusySeq.in_flight), here with the C driver: the fault set up, the token run, the engine's
// error cleared by le_soft_reset, the facts recorded for Python to judge (tokens.jsonl: STATUS, ERR_CODE, the
// frame, the outstanding bursts after the reset, a note). Only what the host could not go on from stops the run
// here (a token not in flight when the plan needs it, a soft reset that does not finish, a hang).
#ifndef LE_SC_STEPS_H
#define LE_SC_STEPS_H

#include <algorithm>
#include <cstddef>
#include <cstdio>
#include <string>
#include <vector>

#include "le_csr_c99.h"

namespace le_sc {

namespace steps_detail {
constexpr uint32_t kTokenPos = offsetof(le_csr_t, TOKEN_POS);
constexpr uint32_t kCtrl = offsetof(le_csr_t, CTRL);
constexpr uint32_t kStatus = offsetof(le_csr_t, STATUS);
constexpr uint32_t kIrqStatus = offsetof(le_csr_t, IRQ_STATUS);
constexpr uint32_t kStart = LE_CSR__CTRL__START_bm;
constexpr uint32_t kBusy = LE_CSR__STATUS__BUSY_bm, kError = LE_CSR__STATUS__ERROR_bm;
constexpr uint32_t kIrqAll = LE_CSR__IRQ_STATUS__DONE_bm | LE_CSR__IRQ_STATUS__ERROR_bm;
constexpr uint32_t kStartWhileBusy = 2;      // models/driver.py ErrorCode.START_WHILE_BUSY

inline uint32_t err_code(uint32_t status) { return (status & LE_CSR__STATUS__ERR_CODE_bm) >> LE_CSR__STATUS__ERR_CODE_bp; }
inline bool engine_code(le_status_t rc) { return (rc >= LE_ERR_ILLEGAL_CONFIG && rc <= LE_ERR_X_TLAST_LATE) || rc == LE_ERR_UNKNOWN_CODE; }
inline std::string hex32(uint32_t v) {
    char b[16];
    std::snprintf(b, sizeof b, "0x%x", v);
    return b;
}
}  // namespace steps_detail

template <class Sim>
void Testbench<Sim>::run_plan(le_dev_t& dev, std::vector<uint8_t>& frame, std::vector<int32_t>& row) {
    for (std::size_t i = 0; i < plan.size(); ++i) {
        const PlanStep& st = plan[i];
        le_sc_cli::TokenRecord rec;
        rec.plan = true;
        rec.token = static_cast<long>(i);
        rec.pos = static_cast<long>(st.pos);
        cur_token_ = rec.token;
        const uint64_t c0 = sim_.cycle();
        deadline_ = c0 + opt.token_budget;
        std::fill(frame.begin(), frame.end(), uint8_t{0});
        const bool ok = plan_step(dev, st, rec, frame);
        rec.cycles = sim_.cycle() - c0;
        records.push_back(rec);
        drain();
        if (rec.frame) le_decode_logits(frame.data(), frame.size(), row.data(), row.size());
        else std::fill(row.begin(), row.end(), 0);
        logits.insert(logits.end(), row.begin(), row.end());
        peek_kv_token();
        if (!ok) {
            if (exit_code == 0) finish_failure(rec.rc, "plan step", rec.token);
            break;
        }
    }
}

// One step: the fault set up, the token (le_run_token, or the raw steps of an abort / a second START), the error
// cleared, the fault removed, the header restored, the engine reconfigured. false: the run stops.
template <class Sim>
bool Testbench<Sim>::plan_step(le_dev_t& dev, const PlanStep& st, le_sc_cli::TokenRecord& rec,
                               std::vector<uint8_t>& frame) {
    using namespace steps_detail;
    const auto* xr = reinterpret_cast<const uint8_t*>(x.row(static_cast<size_t>(st.row)));
    for (const auto& [off, v] : st.csr)
        if (!csr_wr(off, v)) { rec.rc = LE_ERR_HAL; return false; }
    for (const auto& pk : st.poke) bfm_.load(pk.addr, pk.bytes.data(), pk.bytes.size());
    if (st.erange) bfm_.set_error_range(st.e_lo, st.e_hi, st.e_resp, st.e_rd, st.e_wr);
    if (st.rand) bfm_.set_random_errors(st.p_rd, st.p_wr, st.r_resp);
    bool ok = true;
    if (!st.abort_point.empty()) {
        rec.kind = "aborted";
        ok = abort_step(dev, st, xr, rec);
    } else if (!st.busy_point.empty()) {
        rec.kind = "in_flight";
        ok = busy_step(dev, st, xr, rec, frame);
    } else {
        std::vector<uint8_t> sent;
        if (st.x_len >= 0) {                        // a malformed frame: the HAL sends these bytes instead
            sent.assign(xr, xr + std::min<std::size_t>(static_cast<std::size_t>(st.x_len), x.cols));
            sent.insert(sent.end(), st.x_pad.begin(), st.x_pad.end());
            sent.resize(static_cast<std::size_t>(st.x_len), 0);
            x_override_ = sent.data();
            x_override_len_ = sent.size();
            rec.note = "X frame of " + std::to_string(sent.size()) + " bytes, d_model " + std::to_string(x.cols);
        }
        rec.rc = le_run_token(&dev, reinterpret_cast<const int8_t*>(xr), x.cols, st.pos, frame.data(), frame.size(), &rec.res);
        x_override_ = nullptr;
        if (rec.rc != LE_OK && !engine_code(rec.rc)) {
            ok = false;                             // a hang or a HAL failure: finish_failure names it
        } else {
            rec.frame = !rec.res.rejected;
            if (rec.rc != LE_OK) {
                edges(st.quiet);                    // nothing may move on AXI now (judged from txn.jsonl)
                ok = soft_reset(dev, rec);
            }
        }
    }
    if (st.erange) bfm_.clear_error_range();
    if (st.rand) bfm_.set_random_errors(0, 0, 2);
    for (const auto& pk : st.restore) bfm_.load(pk.addr, pk.bytes.data(), pk.bytes.size());
    if (ok && st.reconfigure) {
        const le_status_t rc = le_configure(&dev);
        if (rc != LE_OK) return plan_fail(rec, std::string("le_configure after the step returned ") + le_status_name(rc));
    }
    return ok;
}

// Driver steps S1-S2 and the memory's outstanding bursts right after (STATUS 0 must mean the bus is drained).
template <class Sim>
bool Testbench<Sim>::soft_reset(le_dev_t& dev, le_sc_cli::TokenRecord& rec) {
    const le_status_t rc = le_soft_reset(&dev);
    const auto out = bfm_.outstanding();
    rec.out_rd = out.first;
    rec.out_wr = out.second;
    if (rc != LE_OK)
        return plan_fail(rec, std::string("le_soft_reset returned ") + le_status_name(rc) + ", last STATUS " +
                                  steps_detail::hex32(dev.last_status));
    return true;
}

// TOKEN_POS and START by hand (the steps le_run_token would do); the token must be accepted (STATUS BUSY).
template <class Sim>
bool Testbench<Sim>::raw_start(uint32_t pos, le_sc_cli::TokenRecord& rec) {
    using namespace steps_detail;
    uint32_t status = 0;
    if (!csr_wr(kTokenPos, pos) || !csr_wr(kCtrl, kStart) || !csr_rd(kStatus, status)) return plan_fail(rec, "CSR access failed: " + hal_error_);
    if (status != kBusy) return plan_fail(rec, "STATUS " + hex32(status) + " after START, expected BUSY");
    return true;
}

// Bring the started token to the step's point (verif/env/error_seqs.py reach): before_x = DELAY cycles after START
// with no X sent; otherwise X is sent whole, then weights = DELAY cycles later or the first logits beat, whichever
// comes first, logits = DELAY cycles after the first logits beat.
template <class Sim>
bool Testbench<Sim>::reach(const PlanStep& st, const uint8_t* xr, le_sc_cli::TokenRecord& rec) {
    (void)rec;
    if (st.abort_point == "before_x" || st.busy_point == "before_x") {
        edges(st.delay);
        return true;
    }
    src_seq_ = bfm_.src_start(xr, x.cols);
    if (!wait_for(src_done, "X frame not accepted")) return false;
    const Pred started = [](void* ctx) { return self(ctx)->bfm_.sink_partial_beats() > 0 || self(ctx)->bfm_.sink_pending(); };
    if (st.abort_point == "logits" || st.busy_point == "logits") {
        if (!wait_for(started, "no logits beat")) return false;
        edges(st.delay);
        return true;
    }
    const uint64_t until = std::min(deadline_, sim_.cycle() + std::max<uint64_t>(st.delay, 1));
    sim_.wait_until(started, this, until);
    if (sim_.cycle() >= deadline_) {
        hang_ = "neither the delay nor a logits beat within the token's budget";
        return false;
    }
    return true;
}

// START, the point, CTRL.SOFT_RESET: the token is abandoned; the sink's partial frame dropped (TVALID must be low).
template <class Sim>
bool Testbench<Sim>::abort_step(le_dev_t& dev, const PlanStep& st, const uint8_t* xr, le_sc_cli::TokenRecord& rec) {
    using namespace steps_detail;
    if (!raw_start(st.pos, rec) || !reach(st, xr, rec)) return false;
    uint32_t busy = 0;
    const unsigned beats = bfm_.sink_partial_beats();
    if (!csr_rd(kStatus, busy)) return plan_fail(rec, "CSR access failed: " + hal_error_);
    rec.note = "soft reset at " + st.abort_point + " +" + std::to_string(st.delay) + " cycles: " + std::to_string(beats) +
               " logits beats out, STATUS " + hex32(busy) + " before the reset";
    if (busy != kBusy) return plan_fail(rec, rec.note + ": the token was no longer in flight (choose an earlier point)");
    if (bfm_.sink_pending()) return plan_fail(rec, rec.note + ": the frame completed before the reset");
    if (!soft_reset(dev, rec)) return false;
    if (bfm_.sink_tvalid()) return plan_fail(rec, rec.note + ": m_axis_logits TVALID high after the soft reset");
    if (bfm_.sink_pending()) {              // the beat held through the drain was the TLAST one (host_protocol.md 6)
        std::vector<uint8_t> scrap(le_logits_frame_bytes(&cfg));
        bfm_.sink_take(scrap.data(), scrap.size());
        rec.note += "; a whole frame completed during the drain (the held beat was its last): discarded";
    }
    const unsigned dropped = bfm_.sink_partial_beats();
    if (dropped) {
        bfm_.sink_drop_partial();
        sim_.edge();
    }
    rec.note += "; sink resynchronised (" + std::to_string(dropped) + " beats of the abandoned frame dropped)";
    uint32_t status = 0;
    if (!csr_rd(kStatus, status)) return plan_fail(rec, "CSR access failed: " + hal_error_);
    rec.res.status = status;
    rec.res.err_code = err_code(status);
    return true;
}

// START, the point, a second START (rejected: ERROR + BUSY, START_WHILE_BUSY), the token in flight finished
// (its streams, BUSY falls), its perf counters, W1C, soft reset.
template <class Sim>
bool Testbench<Sim>::busy_step(le_dev_t& dev, const PlanStep& st, const uint8_t* xr, le_sc_cli::TokenRecord& rec,
                               std::vector<uint8_t>& frame) {
    using namespace steps_detail;
    if (!raw_start(st.pos, rec) || !reach(st, xr, rec)) return false;
    uint32_t status = 0;
    if (!csr_wr(kCtrl, kStart) || !csr_rd(kStatus, status)) return plan_fail(rec, "CSR access failed: " + hal_error_);
    rec.note = "second START at " + st.busy_point + " +" + std::to_string(st.delay) + " cycles: STATUS " + hex32(status);
    if (!((status & kError) && (status & kBusy) && err_code(status) == kStartWhileBusy))
        return plan_fail(rec, rec.note + ", expected ERROR + BUSY with ERR_CODE 2 (the token still in flight)");
    if (st.busy_point == "before_x" && hal_send_x(this, xr, x.cols) != 0) return false;
    if (hal_recv_logits(this, frame.data(), frame.size()) != 0) return false;
    rec.frame = true;
    for (;;) {
        if (!csr_rd(kStatus, status)) return plan_fail(rec, "CSR access failed: " + hal_error_);
        if (!(status & kBusy)) break;
        if (sim_.cycle() >= deadline_) {
            hang_ = "STATUS still BUSY after the logits frame";
            return false;
        }
        edges(100);
    }
    rec.res.status = status;
    rec.res.err_code = err_code(status);
    rec.note += "; STATUS " + hex32(status) + " once the token ended";
    const le_status_t rc = le_read_perf(&dev, &rec.res.perf);
    if (rc != LE_OK) return plan_fail(rec, std::string("le_read_perf returned ") + le_status_name(rc));
    if (!csr_wr(kIrqStatus, kIrqAll)) return plan_fail(rec, "CSR access failed: " + hal_error_);
    return soft_reset(dev, rec);
}

}  // namespace le_sc

#endif  // LE_SC_STEPS_H
