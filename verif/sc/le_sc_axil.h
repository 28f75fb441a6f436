// le_sc_axil.h - a pin-level AXI4-Lite initiator for the C driver's read32 / write32 (docs/host_protocol.md,
// "CSRs"), shared by the SystemC harness and the bare C++ loop (le_sc_tb.h). It drives the model's s_axil_*
// inputs directly and advances the clock with `Sim::edge()`: a value driven right after rising edge k is
// sampled by the DUT at edge k + 1, and the outputs it reads after edge k are `ModelClock::pre`, the values
// the DUT presented while edge k sampled (the view an sc_signal gives a thread woken by that edge), so
// "VALID && READY" below is exactly the handshake of that edge.
#ifndef LE_SC_AXIL_H
#define LE_SC_AXIL_H

#include <cstdint>
#include <cstdio>
#include <string>

#include "Vle_tb_top.h"

namespace le_sc {

// The AXI4-Lite outputs of le_tb_top as the DUT drove them just before the last rising edge.
struct AxilOut {
    bool awready = false, wready = false, bvalid = false, arready = false, rvalid = false;
    uint32_t bresp = 0, rdata = 0, rresp = 0;
};

// One completed CSR access (a B or R handshake): what the transaction record "C" holds.
struct CsrAccess {
    bool write = false;
    uint32_t addr = 0, data = 0, resp = 0;
    uint64_t edge = 0;          // the rising edge (1, 2, ...) of the B / R handshake
};

template <class Sim>
class AxilInitiator {
public:
    AxilInitiator(Sim& sim, Vle_tb_top& top, const AxilOut& pre, uint64_t budget_cycles)
        : sim_(sim), top_(top), pre_(pre), budget_(budget_cycles) {}

    // 0 = OKAY; else `error()` says what went wrong (bus response or no handshake within the budget).
    int write32(uint32_t offset, uint32_t value) {
        completed_ = false;
        top_.s_axil_awaddr = offset & 0x7Fu;
        top_.s_axil_awprot = 0;
        top_.s_axil_wdata = value;
        top_.s_axil_wstrb = 0xF;
        top_.s_axil_awvalid = 1;
        top_.s_axil_wvalid = 1;
        bool aw = true, w = true, b = false;   // AW / W still offered, BREADY driven
        for (uint64_t n = 0; n < budget_; ++n) {
            sim_.edge();
            if (b && pre_.bvalid) {             // B handshake at this edge
                top_.s_axil_bready = 0;
                done(true, offset, value, pre_.bresp);
                if (pre_.bresp != 0) return fail("write", offset, "BRESP=" + std::to_string(pre_.bresp));
                return 0;
            }
            if (aw && pre_.awready) { aw = false; top_.s_axil_awvalid = 0; }
            if (w && pre_.wready) { w = false; top_.s_axil_wvalid = 0; }
            if (!aw && !w && !b) { b = true; top_.s_axil_bready = 1; }   // BREADY from the edge after AW and W
        }
        top_.s_axil_awvalid = 0;
        top_.s_axil_wvalid = 0;
        top_.s_axil_bready = 0;
        return fail("write", offset, "no write response within " + std::to_string(budget_) + " cycles");
    }

    int read32(uint32_t offset, uint32_t* value) {
        completed_ = false;
        top_.s_axil_araddr = offset & 0x7Fu;
        top_.s_axil_arprot = 0;
        top_.s_axil_arvalid = 1;
        bool ar = true;                         // AR still offered (RREADY from the edge after its handshake)
        for (uint64_t n = 0; n < budget_; ++n) {
            sim_.edge();
            if (!ar && pre_.rvalid) {           // R handshake at this edge
                top_.s_axil_rready = 0;
                *value = pre_.rdata;
                done(false, offset, pre_.rdata, pre_.rresp);
                if (pre_.rresp != 0) return fail("read", offset, "RRESP=" + std::to_string(pre_.rresp));
                return 0;
            }
            if (ar && pre_.arready) { ar = false; top_.s_axil_arvalid = 0; top_.s_axil_rready = 1; }
        }
        top_.s_axil_arvalid = 0;
        top_.s_axil_rready = 0;
        return fail("read", offset, "no read data within " + std::to_string(budget_) + " cycles");
    }

    const std::string& error() const { return error_; }
    // The last access's handshake, when it completed (OKAY or an error response; not on a timeout).
    bool completed() const { return completed_; }
    const CsrAccess& last() const { return last_; }

private:
    Sim& sim_;
    Vle_tb_top& top_;
    const AxilOut& pre_;
    uint64_t budget_;
    std::string error_;
    CsrAccess last_;
    bool completed_ = false;

    void done(bool write, uint32_t offset, uint32_t data, uint32_t resp) {
        last_ = CsrAccess{write, offset, data, resp, sim_.cycle()};
        completed_ = true;
    }
    int fail(const char* what, uint32_t offset, const std::string& why) {
        char buf[64];
        std::snprintf(buf, sizeof buf, "CSR %s at 0x%02x: ", what, offset);
        error_ = buf + why;
        return -1;
    }
};

}  // namespace le_sc

#endif  // LE_SC_AXIL_H
