// Deterministic body generator shared by /bytes, /stream-bytes, /chunked-abort and
// the raw listener. Documented in README.md so the Windows-side tests can verify
// bodies byte for byte without transferring a reference copy.
#pragma once
#include <cstddef>
#include <cstdint>

namespace ls {

// byte[i] = (i * 31 + seed * 7 + (i >> 8)) mod 256, unsigned 64-bit arithmetic.
constexpr std::uint8_t gen_byte(std::uint64_t seed, std::uint64_t i) {
  return static_cast<std::uint8_t>((i * 31u + seed * 7u + (i >> 8)) & 0xffu);
}

// Fills out[0..n) with bytes offset..offset+n of the stream for seed.
void gen_fill(std::uint64_t seed, std::uint64_t offset, char *out, std::size_t n);

} // namespace ls
