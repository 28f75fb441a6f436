// le_sc_axil.h - a pin-level AXI4-Lite initiator for the C driver's read32 / write32 (docs/host_protocol.md,
// "CSRs"). It runs inside an SC_THREAD and waits for the handshakes with wait() on the clock's rising edge:
// a value driven right after edge k is sampled by the DUT at edge k + 1, and a DUT output read right after
// an edge is the value that edge sampled (sc_signal updates land after the evaluation phase), so
// "VALID && READY" below is exactly the handshake of that edge. CSR accesses are rare, so a thread that
// wakes every cycle during one costs nothing worth optimising.
#ifndef LE_SC_AXIL_H
#define LE_SC_AXIL_H

#include <cstdint>
#include <string>

#include <systemc.h>

namespace le_sc {

struct AxilPins {
    sc_signal<uint32_t> awaddr{"s_axil_awaddr"}, awprot{"s_axil_awprot"}, wdata{"s_axil_wdata"},
        wstrb{"s_axil_wstrb"}, araddr{"s_axil_araddr"}, arprot{"s_axil_arprot"};
    sc_signal<bool> awvalid{"s_axil_awvalid"}, wvalid{"s_axil_wvalid"}, bready{"s_axil_bready"},
        arvalid{"s_axil_arvalid"}, rready{"s_axil_rready"};
    sc_signal<bool> awready{"s_axil_awready"}, wready{"s_axil_wready"}, bvalid{"s_axil_bvalid"},
        arready{"s_axil_arready"}, rvalid{"s_axil_rvalid"};
    sc_signal<uint32_t> bresp{"s_axil_bresp"}, rdata{"s_axil_rdata"}, rresp{"s_axil_rresp"};
};

class AxilInitiator {
public:
    AxilInitiator(AxilPins& p, const sc_event& edge, uint64_t budget_cycles)
        : p_(p), edge_(edge), budget_(budget_cycles) {}

    // 0 = OKAY; else `error()` says what went wrong (bus response or no handshake within the budget).
    int write32(uint32_t offset, uint32_t value) {
        p_.awaddr.write(offset);
        p_.awprot.write(0);
        p_.wdata.write(value);
        p_.wstrb.write(0xF);
        p_.awvalid.write(true);
        p_.wvalid.write(true);
        bool aw = true, w = true, b = false;   // AW / W still offered, BREADY driven
        for (uint64_t n = 0; n < budget_; ++n) {
            wait(edge_);
            if (b && p_.bvalid.read()) {        // B handshake at this edge
                p_.bready.write(false);
                const uint32_t resp = p_.bresp.read();
                if (resp != 0) return fail("write", offset, "BRESP=" + std::to_string(resp));
                return 0;
            }
            if (aw && p_.awready.read()) { aw = false; p_.awvalid.write(false); }
            if (w && p_.wready.read()) { w = false; p_.wvalid.write(false); }
            if (!aw && !w && !b) { b = true; p_.bready.write(true); }   // BREADY from the edge after AW and W
        }
        p_.awvalid.write(false);
        p_.wvalid.write(false);
        p_.bready.write(false);
        return fail("write", offset, "no write response within " + std::to_string(budget_) + " cycles");
    }

    int read32(uint32_t offset, uint32_t* value) {
        p_.araddr.write(offset);
        p_.arprot.write(0);
        p_.arvalid.write(true);
        bool ar = true;                         // AR still offered (RREADY from the edge after its handshake)
        for (uint64_t n = 0; n < budget_; ++n) {
            wait(edge_);
            if (!ar && p_.rvalid.read()) {      // R handshake at this edge
                p_.rready.write(false);
                *value = p_.rdata.read();
                const uint32_t resp = p_.rresp.read();
                if (resp != 0) return fail("read", offset, "RRESP=" + std::to_string(resp));
                return 0;
            }
            if (ar && p_.arready.read()) { ar = false; p_.arvalid.write(false); p_.rready.write(true); }
        }
        p_.arvalid.write(false);
        p_.rready.write(false);
        return fail("read", offset, "no read data within " + std::to_string(budget_) + " cycles");
    }

    const std::string& error() const { return error_; }

private:
    AxilPins& p_;
    const sc_event& edge_;
    uint64_t budget_;
    std::string error_;

    int fail(const char* what, uint32_t offset, const std::string& why) {
        char buf[64];
        std::snprintf(buf, sizeof buf, "CSR %s at 0x%02x: ", what, offset);
        error_ = buf + why;
        return -1;
    }
};

}  // namespace le_sc

#endif  // LE_SC_AXIL_H
