// sc_main.cpp - the SystemC testbench of layer_engine (docs/systemc.md): the Verilated le_tb_top (RTL + the
// verif/hdl BFMs: the pyuvm env's testbench top) under an sc_clock, the bare-metal C driver (sw/le_driver.c) in an SC_THREAD on a HAL whose
// read32 / write32 drive the AXI4-Lite pins (le_sc_axil.h), send_x / recv_logits use the stream BFMs' frame
// registers and wait_irq waits on the irq pin, all within a per-token cycle budget.
//
//   le_sc_sim --bundle DIR --out DIR [options] [+verilator+seed+N]
//
// Reads DIR/ddr.bin, DIR/x.npy and DIR/manifest.json (python -m models export), loads the image into the
// memory BFM (backdoor), runs the tokens at positions start_pos, start_pos + 1, ... through the C driver and
// writes OUT/logits.bin (int32 LE [T, vocab]), OUT/kv_region.bin (the KV region read back from the BFM),
// OUT/tokens.jsonl (per token: driver status, STATUS word, perf counters, cycles) and OUT/run.json (cycles,
// wall time, speed, protocol errors); with --kv-each-token 1 also OUT/kv_tokens.bin (the KV region peeked after
// each completed token, [tokens done, kv_size] bytes; the peeks are outside the token-loop speed figure). Nothing is checked against expected values here: Python does that
// (tests/test_systemc_harness.py). Exit: 0 every token LE_OK and no protocol error, 1 a token failed or a
// BFM recorded a protocol error, 2 bad arguments / bundle / SystemC mismatch, 3 a hang (cycle budget).
#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

#include <systemc.h>
#include <verilated.h>

#include "Vle_tb_top.h"
#include "le_driver.h"
#include "le_sc_axil.h"
#include "le_sc_bfm.h"
#include "le_sc_bundle.h"
#include "le_sc_cli.h"

namespace {

using namespace le_sc_cli;

SC_MODULE(Harness) {
    sc_clock clk;
    sc_signal<bool> rst_n{"rst_n"}, irq{"irq"};
    le_sc::AxilPins axil;
    Vle_tb_top top{"top"};
    le_sc::Bfms bfm{top};
    le_sc::AxilInitiator csr;

    // inputs
    Options opt;
    std::vector<uint8_t> image;
    le_sc::Int8Matrix x;
    long start_pos = 0, n_tokens = 0;

    // results
    std::vector<TokenRecord> records;
    std::vector<int32_t> logits;          // [tokens run, vocab]
    std::vector<uint8_t> kv_region;
    std::vector<uint8_t> kv_tokens;       // --kv-each-token: [tokens done, kv_size]
    std::vector<std::string> protocol_errors;
    std::string message;                  // the one-line outcome when not every token completed
    int exit_code = 0;
    uint64_t loop_cycles = 0;
    double loop_wall_s = 0;
    double peek_wall_s = 0;
    le_config_t cfg{};

    // the HAL's view of the current token
    long cur_token = -1;
    uint64_t deadline = 0;                // cycle by which the current token must be done
    std::string hang;                     // set when a HAL wait ran out of budget
    std::string hal_error;

    // waits the per-cycle monitor serves
    enum class Cond { kNone, kSrcDone, kSinkFrame };
    Cond cond = Cond::kNone;
    uint32_t src_seq = 0;
    sc_event ev_arm, ev_cond;

    SC_HAS_PROCESS(Harness);
    Harness(sc_module_name name, const Options& o)
        : sc_module(name), clk("clk", sc_time(kClkNs, SC_NS), 0.5, sc_time(kClkNs / 2.0, SC_NS), true),
          csr(axil, clk.posedge_event(), o.csr_budget), opt(o) {
        top.clk(clk);
        top.rst_n(rst_n);
        top.s_axil_awaddr(axil.awaddr); top.s_axil_awprot(axil.awprot); top.s_axil_awvalid(axil.awvalid);
        top.s_axil_awready(axil.awready); top.s_axil_wdata(axil.wdata); top.s_axil_wstrb(axil.wstrb);
        top.s_axil_wvalid(axil.wvalid); top.s_axil_wready(axil.wready); top.s_axil_bresp(axil.bresp);
        top.s_axil_bvalid(axil.bvalid); top.s_axil_bready(axil.bready); top.s_axil_araddr(axil.araddr);
        top.s_axil_arprot(axil.arprot); top.s_axil_arvalid(axil.arvalid); top.s_axil_arready(axil.arready);
        top.s_axil_rdata(axil.rdata); top.s_axil_rresp(axil.rresp); top.s_axil_rvalid(axil.rvalid);
        top.s_axil_rready(axil.rready);
        top.irq(irq);
        SC_THREAD(run);
        set_stack_size(1 << 20);
        SC_METHOD(monitor);
        sensitive << ev_arm;
        dont_initialize();
    }

    uint64_t cycle() const {              // rising edges so far (the first at kClkNs / 2)
        const sc_time half(kClkNs / 2.0, SC_NS), period(kClkNs, SC_NS);
        return static_cast<uint64_t>((sc_time_stamp() + half).value() / period.value());
    }
    sc_time cycles_time(uint64_t n) const { return sc_time(static_cast<double>(n * kClkNs), SC_NS); }

    bool cond_met() const {
        switch (cond) {
            case Cond::kSrcDone: return bfm.src_done(src_seq);
            case Cond::kSinkFrame: return bfm.sink_pending();
            default: return false;
        }
    }

    // Per-cycle work while the thread waits on a BFM register: look after every falling edge (the rising
    // edge's evaluation has settled by then); idle (no per-cycle cost) otherwise.
    void monitor() {
        if (cond == Cond::kNone) { next_trigger(ev_arm); return; }
        if (cond_met()) { ev_cond.notify(SC_ZERO_TIME); next_trigger(ev_arm); return; }
        next_trigger(clk.negedge_event());
    }

    // Wait in the thread until `c` holds or the token's deadline passes; false on the deadline.
    bool wait_for(Cond c, const char* what) {
        cond = c;
        while (!cond_met()) {
            const uint64_t now = cycle();
            if (now >= deadline) {
                cond = Cond::kNone;
                hang = std::string(what) + ": nothing within the token's budget of " + std::to_string(opt.token_budget) + " cycles";
                return false;
            }
            ev_arm.notify(SC_ZERO_TIME);
            wait(cycles_time(deadline - now), ev_cond);
        }
        cond = Cond::kNone;
        return true;
    }

    // ---- the HAL (sw/le_hal.h) ------------------------------------------------------------------------
    static Harness* self(void* ctx) { return static_cast<Harness*>(ctx); }
    static int hal_read32(void* ctx, uint32_t offset, uint32_t* value) {
        Harness* h = self(ctx);
        const int rc = h->csr.read32(offset, value);
        if (rc) h->hal_error = h->csr.error();
        return rc;
    }
    static int hal_write32(void* ctx, uint32_t offset, uint32_t value) {
        Harness* h = self(ctx);
        const int rc = h->csr.write32(offset, value);
        if (rc) h->hal_error = h->csr.error();
        return rc;
    }
    static int hal_send_x(void* ctx, const uint8_t* data, size_t n) {   // blocking: returns once TLAST is taken
        Harness* h = self(ctx);
        h->src_seq = h->bfm.src_start(data, n);
        if (!h->wait_for(Cond::kSrcDone, "send_x (X frame not accepted)")) return -1;
        if (h->bfm.src_aborted()) { h->hal_error = "send_x: frame abandoned by a reset"; return -1; }
        return 0;
    }
    static int hal_recv_logits(void* ctx, uint8_t* buf, size_t n) {
        Harness* h = self(ctx);
        if (!h->wait_for(Cond::kSinkFrame, "recv_logits (no logits frame)")) return -1;
        const std::string problem = h->bfm.sink_take(buf, n);
        if (!problem.empty()) { h->hal_error = "recv_logits: " + problem; return -1; }
        return 0;
    }
    static int hal_wait_irq(void* ctx, uint32_t budget_us) {
        Harness* h = self(ctx);
        uint64_t until = h->deadline;
        if (budget_us != LE_WAIT_FOREVER) until = std::min(until, h->cycle() + uint64_t{budget_us} * kCyclesPerUs);
        while (!h->irq.read()) {
            const uint64_t now = h->cycle();
            if (now >= until) {
                h->hang = "wait_irq: no irq within " +
                          std::to_string(until == h->deadline ? opt_budget(h) : uint64_t{budget_us} * kCyclesPerUs) +
                          " cycles";
                return LE_HAL_TIMEOUT;
            }
            sc_core::wait(h->cycles_time(until - now), h->irq.posedge_event());
        }
        return LE_HAL_IRQ;
    }
    static uint64_t opt_budget(const Harness* h) { return h->opt.token_budget; }

    // ---- the run -----------------------------------------------------------------------------------
    void run() {
        // Power-on: rst_n is low from time zero (sc_signal default); the image is loaded during the reset.
        wait(clk.posedge_event());
        bfm.mem_init();
        bfm.configure(opt.knobs);
        bfm.load(opt.image_base, image.data(), image.size());
        const uint64_t kv_lo = opt.image_base + cfg.kv_offset;
        const uint64_t kv_size = le_header_word(13);
        bfm.set_rw_region(kv_lo, kv_lo + kv_size);
        for (int i = 1; i < kResetCycles; ++i) wait(clk.posedge_event());
        rst_n.write(true);
        wait(clk.posedge_event());
        bfm.errors_mark();
        bfm.sink_flush();

        static const le_hal_t hal_template = {nullptr, hal_read32, hal_write32, hal_send_x, hal_recv_logits, hal_wait_irq};
        le_hal_t hal = hal_template;
        hal.ctx = this;
        le_dev_t dev{};
        le_hw_info_t info{};
        deadline = cycle() + opt.token_budget;
        le_status_t rc = le_init(&dev, &hal, &cfg);
        if (rc == LE_OK) rc = le_probe(&dev, &info);
        if (rc == LE_OK) rc = le_configure(&dev);
        if (rc != LE_OK) {
            finish_failure(rc, "setup (le_init / le_probe / le_configure)", -1);
            return;
        }
        const size_t frame_bytes = le_logits_frame_bytes(&cfg);
        std::vector<uint8_t> frame(frame_bytes);
        std::vector<int32_t> row(cfg.vocab);
        const auto wall0 = std::chrono::steady_clock::now();
        const uint64_t cyc0 = cycle();
        for (long t = 0; t < n_tokens; ++t) {
            TokenRecord rec;
            rec.token = t;
            rec.pos = start_pos + t;
            cur_token = t;
            const uint64_t c0 = cycle();
            deadline = c0 + opt.token_budget;
            rec.rc = le_run_token(&dev, x.row(static_cast<size_t>(t)), x.cols, static_cast<uint32_t>(rec.pos),
                                  frame.data(), frame.size(), &rec.res);
            rec.cycles = cycle() - c0;
            records.push_back(rec);
            if (rec.rc != LE_OK) { finish_failure(rec.rc, "le_run_token", t); break; }
            le_decode_logits(frame.data(), frame.size(), row.data(), row.size());
            logits.insert(logits.end(), row.begin(), row.end());
            if (opt.kv_each_token) {              // a zero-time backdoor peek; its wall time is not the loop's
                const auto p0 = std::chrono::steady_clock::now();
                const auto kv = bfm.peek(kv_lo, static_cast<size_t>(kv_size));
                kv_tokens.insert(kv_tokens.end(), kv.begin(), kv.end());
                peek_wall_s += std::chrono::duration<double>(std::chrono::steady_clock::now() - p0).count();
            }
        }
        loop_cycles = cycle() - cyc0;
        loop_wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall0).count() - peek_wall_s;
        kv_region = bfm.peek(kv_lo, static_cast<size_t>(kv_size));
        protocol_errors = bfm.protocol_errors();
        if (exit_code == 0 && !protocol_errors.empty()) {
            exit_code = 1;
            message = "BFM protocol error(s): " + protocol_errors.front() +
                      (protocol_errors.size() > 1 ? " (+" + std::to_string(protocol_errors.size() - 1) + " more)" : "");
        }
        for (int i = 0; i < 10; ++i) wait(clk.posedge_event());
        sc_stop();
    }

    uint32_t le_header_word(unsigned w) const {
        uint32_t v = 0;
        for (unsigned k = 0; k < 4; ++k) v |= static_cast<uint32_t>(image[4 * w + k]) << (8 * k);
        return v;
    }

    void finish_failure(le_status_t rc, const char* where, long t) {
        std::ostringstream m;
        const std::string who = t < 0 ? std::string("setup") : "token " + std::to_string(t) + " (pos " + std::to_string(start_pos + t) + ")";
        if (!hang.empty()) {
            exit_code = 3;
            m << "HANG at " << who << ", cycle " << cycle() << ": " << hang << " [" << le_status_name(rc) << "]";
        } else {
            exit_code = 1;
            m << who << ": " << where << " returned " << le_status_name(rc);
            if (t >= 0) m << ", STATUS=0x" << std::hex << records.back().res.status << std::dec;
            if (!hal_error.empty()) m << ", " << hal_error;
        }
        message = m.str();
        if (t < 0) {
            protocol_errors = bfm.protocol_errors();
            sc_stop();
        }
    }
};

}  // namespace

int sc_main(int argc, char** argv) {
    // The headers this file was compiled against must be the library's (eda/scbuild.py checks it before the
    // build; this catches a binary run against another libsystemc).
    if (std::strcmp(SC_VERSION, sc_core::sc_release()) != 0) {
        std::fprintf(stderr, "%s: SystemC headers %s but library %s: rebuild (eda/scbuild.py) or apt-get install libsystemc-dev\n",
                     kProg, SC_VERSION, sc_core::sc_release());
        return 2;
    }
    Verilated::commandArgs(argc, argv);
    const Options opt = parse(argc, argv);
    const auto wall0 = std::chrono::steady_clock::now();

    std::vector<uint8_t> image;
    le_sc::Int8Matrix x;
    std::string manifest;
    le_config_t cfg{};
    try {
        image = le_sc::read_file(opt.bundle + "/ddr.bin");
        x = le_sc::read_npy_int8_2d(opt.bundle + "/x.npy");
        const auto m = le_sc::read_file(opt.bundle + "/manifest.json");
        manifest.assign(m.begin(), m.end());
    } catch (const std::exception& e) {
        usage_error(std::string("bundle: ") + e.what());
    }
    if (le_config_from_header(&cfg, image.data(), image.size(), opt.image_base) != LE_OK)
        usage_error("bundle: ddr.bin does not start with a valid image header (magic / layout version)");
    char width_msg[LE_BUS_WIDTH_MSG_BYTES];
    if (le_check_bus_width(&cfg, LE_SC_AXI_DATA_W, width_msg, sizeof width_msg) != LE_OK)
        usage_error(width_msg);             // the C driver's one line, the same wording as models/ddr_layout.py
    if (x.cols != cfg.d_model) usage_error("bundle: x.npy has " + std::to_string(x.cols) + " columns, d_model is " + std::to_string(cfg.d_model));
    const long start_pos = le_sc::manifest_int(manifest, "start_pos", 0);
    const long in_bundle = le_sc::manifest_int(manifest, "tokens", static_cast<long>(x.rows));
    if (in_bundle != static_cast<long>(x.rows)) usage_error("bundle: manifest.json tokens disagrees with x.npy");
    const long n_tokens = opt.tokens < 0 ? in_bundle : std::min<long>(opt.tokens, in_bundle);

    Harness h("tb", opt);
    h.image = std::move(image);
    h.x = std::move(x);
    h.cfg = cfg;
    h.start_pos = start_pos;
    h.n_tokens = n_tokens;
    sc_start();
    h.top.final();
    const double wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall0).count();
    const uint64_t cycles = h.cycle();

    try {
        std::filesystem::create_directories(opt.out);
        std::ostringstream lines;
        for (const auto& r : h.records) lines << token_json(r) << "\n";
        const std::string jl = lines.str();
        le_sc::write_file(opt.out + "/tokens.jsonl", jl.data(), jl.size());
        le_sc::write_file(opt.out + "/logits.bin", h.logits.data(), h.logits.size() * sizeof(int32_t));
        le_sc::write_file(opt.out + "/kv_region.bin", h.kv_region.data(), h.kv_region.size());
        if (opt.kv_each_token) le_sc::write_file(opt.out + "/kv_tokens.bin", h.kv_tokens.data(), h.kv_tokens.size());
        std::ostringstream j;
        const double cps = h.loop_wall_s > 0 ? static_cast<double>(h.loop_cycles) / h.loop_wall_s : 0.0;
        j << "{\n \"exit\": " << h.exit_code << ",\n \"message\": \"" << json_escape(h.message) << "\",\n"
          << " \"tokens_requested\": " << n_tokens << ",\n \"tokens_done\": " << h.logits.size() / std::max<size_t>(cfg.vocab, 1) << ",\n"
          << " \"vocab\": " << cfg.vocab << ",\n \"bus_bits\": " << LE_SC_AXI_DATA_W << ",\n"
          << " \"image_base\": " << opt.image_base << ",\n \"cycles\": " << cycles << ",\n"
          << " \"wall_s\": " << wall_s << ",\n \"token_loop_cycles\": " << h.loop_cycles << ",\n"
          << " \"token_loop_wall_s\": " << h.loop_wall_s << ",\n \"cycles_per_s\": " << cps << ",\n"
          << " \"systemc\": \"" << sc_core::sc_release() << "\",\n \"verilator\": \"" << VERILATOR_VERSION << "\",\n"
          << " \"protocol_errors\": [";
        for (size_t i = 0; i < h.protocol_errors.size(); ++i) j << (i ? ", " : "") << "\"" << json_escape(h.protocol_errors[i]) << "\"";
        j << "]\n}\n";
        const std::string js = j.str();
        le_sc::write_file(opt.out + "/run.json", js.data(), js.size());
    } catch (const std::exception& e) {
        std::fprintf(stderr, "%s: %s\n", kProg, e.what());
        return 2;
    }
    if (h.exit_code != 0) std::fprintf(stderr, "%s: %s\n", kProg, h.message.c_str());
    else
        std::printf("%s: %ld tokens, %" PRIu64 " cycles, %.3f s wall, %.0f cycles/s in the token loop\n", kProg,
                    n_tokens, cycles, wall_s, h.loop_wall_s > 0 ? static_cast<double>(h.loop_cycles) / h.loop_wall_s : 0.0);
    return h.exit_code;
}
