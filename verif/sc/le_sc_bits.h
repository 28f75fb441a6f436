// le_sc_bits.h - byte views of Verilated packed values (VlWide<N>, QData, IData ...), little-endian: byte k of
// a value is its bits [8k+7:8k], the layout every BFM register and bus word of verif/hdl uses.
#ifndef LE_SC_BITS_H
#define LE_SC_BITS_H

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <type_traits>

#include <verilated.h>

namespace le_sc {

// Bytes [0, n) of `v` into `out` (n <= the value's width in bytes, rounded up).
template <std::size_t N>
inline void to_bytes(const VlWide<N>& v, uint8_t* out, std::size_t n) {
    for (std::size_t k = 0; k < n; ++k) out[k] = static_cast<uint8_t>(v.at(k / 4) >> (8 * (k % 4)));
}
template <typename T, typename = std::enable_if_t<std::is_integral_v<T>>>
inline void to_bytes(const T& v, uint8_t* out, std::size_t n) {
    for (std::size_t k = 0; k < n; ++k) out[k] = static_cast<uint8_t>(static_cast<uint64_t>(v) >> (8 * k));
}

// `v` = bytes [0, n) of `in`, every higher bit zero.
template <std::size_t N>
inline void from_bytes(VlWide<N>& v, const uint8_t* in, std::size_t n) {
    for (std::size_t w = 0; w < N; ++w) v.at(w) = 0;
    for (std::size_t k = 0; k < n && k < 4 * N; ++k) v.at(k / 4) |= static_cast<EData>(in[k]) << (8 * (k % 4));
}
template <typename T, typename = std::enable_if_t<std::is_integral_v<T>>>
inline void from_bytes(T& v, const uint8_t* in, std::size_t n) {
    uint64_t acc = 0;
    for (std::size_t k = 0; k < n && k < sizeof(T); ++k) acc |= static_cast<uint64_t>(in[k]) << (8 * k);
    v = static_cast<T>(acc);
}

// Bits [lsb +: width] (width <= 64) of a wide value.
template <std::size_t N>
inline void put_bits(VlWide<N>& v, std::size_t lsb, std::size_t width, uint64_t value) {
    for (std::size_t i = 0; i < width; ++i) {
        const std::size_t b = lsb + i;
        const EData mask = static_cast<EData>(1u) << (b % 32);
        if ((value >> i) & 1u) v.at(b / 32) |= mask;
        else v.at(b / 32) &= ~mask;
    }
}
template <std::size_t N>
inline uint64_t get_bits(const VlWide<N>& v, std::size_t lsb, std::size_t width) {
    uint64_t out = 0;
    for (std::size_t got = 0; got < width;) {               // word by word
        const std::size_t b = lsb + got, take = std::min<std::size_t>(32 - b % 32, width - got);
        const uint64_t word = static_cast<uint64_t>(v.at(b / 32)) >> (b % 32);
        out |= (word & ((uint64_t{1} << take) - 1)) << got;
        got += take;
    }
    return out;
}

}  // namespace le_sc

#endif  // LE_SC_BITS_H
