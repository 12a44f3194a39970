#pragma once
// The deterministic body that localserver serves for /bytes, /stream-bytes, /drip and the raw
// listener, and that the suites recompute to verify a response byte for byte. One definition for
// both sides of the wire: header only, standard C++ only, so it builds natively and with mingw/MSVC.
#include <cstddef>
#include <cstdint>
#include <string>

namespace hc_protocol {

// Byte i of the body for seed. Positional (any range can be produced or checked independently) and
// cheap; the shifts keep a run from repeating every 256 bytes.
constexpr std::uint8_t PatternByte(std::uint64_t seed, std::uint64_t i) {
  const std::uint64_t x = i + seed * 0x9E3779B9ull;
  return static_cast<std::uint8_t>((x ^ (x >> 8) ^ (x >> 17)) * 0x1Fu);
}

// Bytes [offset, offset + n) of the body for seed.
inline std::string PatternBytes(std::uint64_t seed, std::uint64_t offset, std::size_t n) {
  std::string out(n, '\0');
  for (std::size_t k = 0; k < n; ++k) out[k] = static_cast<char>(PatternByte(seed, offset + k));
  return out;
}

// Index of the first byte of body that differs from the pattern, or body.size() if all match.
inline std::size_t FirstPatternMismatch(std::uint64_t seed, const std::string& body) {
  for (std::size_t k = 0; k < body.size(); ++k)
    if (static_cast<std::uint8_t>(body[k]) != PatternByte(seed, k)) return k;
  return body.size();
}

}  // namespace hc_protocol
