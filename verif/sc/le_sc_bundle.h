// le_sc_bundle.h - reading a test-vector bundle written by `python -m models export` (models/bundle.py):
// ddr.bin (the DDR image; its 64-byte header gives the dims, kv_base and kv_size, docs/host_protocol.md),
// x.npy (int8 [T, d_model], read by the small .npy reader below) and two integers of manifest.json.
#ifndef LE_SC_BUNDLE_H
#define LE_SC_BUNDLE_H

#include <cstddef>
#include <cstdint>
#include <fstream>
#include <iterator>
#include <regex>
#include <stdexcept>
#include <string>
#include <vector>

namespace le_sc {

inline std::vector<uint8_t> read_file(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    if (!f) throw std::runtime_error(path + ": cannot open");
    return std::vector<uint8_t>(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
}

inline void write_file(const std::string& path, const void* data, std::size_t n) {
    std::ofstream f(path, std::ios::binary | std::ios::trunc);
    f.write(static_cast<const char*>(data), static_cast<std::streamsize>(n));
    if (!f) throw std::runtime_error(path + ": cannot write");
}

struct Int8Matrix {
    std::size_t rows = 0, cols = 0;
    std::vector<int8_t> data;    // row-major
    const int8_t* row(std::size_t r) const { return data.data() + r * cols; }
};

// A C-order int8 2-D .npy (format versions 1-3).
inline Int8Matrix read_npy_int8_2d(const std::string& path) {
    const std::vector<uint8_t> raw = read_file(path);
    const auto bad = [&](const std::string& why) { return std::runtime_error(path + ": " + why); };
    if (raw.size() < 10 || std::string(raw.begin() + 1, raw.begin() + 6) != "NUMPY" || raw[0] != 0x93)
        throw bad("not a .npy file");
    const unsigned major = raw[6];
    std::size_t hlen = 0, hstart = 0;
    if (major == 1) { hlen = raw[8] | (raw[9] << 8); hstart = 10; }
    else if (major == 2 || major == 3) {
        if (raw.size() < 12) throw bad("truncated header");
        hlen = raw[8] | (raw[9] << 8) | (static_cast<std::size_t>(raw[10]) << 16) | (static_cast<std::size_t>(raw[11]) << 24);
        hstart = 12;
    } else throw bad("unsupported .npy version " + std::to_string(major));
    if (raw.size() < hstart + hlen) throw bad("truncated header");
    const std::string header(raw.begin() + static_cast<std::ptrdiff_t>(hstart),
                             raw.begin() + static_cast<std::ptrdiff_t>(hstart + hlen));
    std::smatch m;
    if (!std::regex_search(header, m, std::regex("'descr':\\s*'([<|>]?i1)'"))) throw bad("dtype is not int8");
    if (!std::regex_search(header, m, std::regex("'fortran_order':\\s*False"))) throw bad("not C order");
    if (!std::regex_search(header, m, std::regex("'shape':\\s*\\(\\s*(\\d+)\\s*,\\s*(\\d+)\\s*\\)")))
        throw bad("not a 2-D array");
    Int8Matrix out;
    out.rows = std::stoul(m[1].str());
    out.cols = std::stoul(m[2].str());
    const std::size_t n = out.rows * out.cols, off = hstart + hlen;
    if (raw.size() != off + n) throw bad("data size disagrees with the shape");
    out.data.resize(n);
    for (std::size_t i = 0; i < n; ++i) out.data[i] = static_cast<int8_t>(raw[off + i]);
    return out;
}

// A top-level integer of manifest.json ("tokens", "start_pos"); `fallback` when absent.
inline long manifest_int(const std::string& text, const std::string& key, long fallback) {
    std::smatch m;
    if (std::regex_search(text, m, std::regex("\"" + key + "\":\\s*(-?\\d+)"))) return std::stol(m[1].str());
    return fallback;
}

}  // namespace le_sc

#endif  // LE_SC_BUNDLE_H
