// Deterministic body generator shared by /bytes, /stream-bytes, /chunked-abort and
// the raw listener. Documented in README.md so the Windows-side tests can verify
// bodies byte for byte without transferring a reference copy.
#pragma once
#include <cstddef>
#include <cstdint>

#include <hc_protocol/body_pattern.h>

namespace ls {

// byte[i] = (i * 31 + seed * 7 + (i >> 8)) mod 256, unsigned 64-bit arithmetic.
// One definition for both ends of the wire: protocol/include/hc_protocol/body_pattern.h.
constexpr std::uint8_t gen_byte(std::uint64_t seed, std::uint64_t i) {
  return hc_protocol::PatternByte(seed, i);
}

// Fills out[0..n) with bytes offset..offset+n of the stream for seed.
void gen_fill(std::uint64_t seed, std::uint64_t offset, char* out, std::size_t n);

}  // namespace ls
