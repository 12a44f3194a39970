#pragma once
// The deterministic body that localserver serves for /bytes, /stream-bytes, /drip and the raw
// listener, and that the suites recompute to verify a response byte for byte. One definition for
// both sides of the wire: header only, standard C++ only, so it builds natively and with mingw/MSVC.
#include <cstddef>
#include <cstdint>
#include <string>

namespace hc_protocol {

// Byte i of the body for seed: (i * 31 + seed * 7 + (i >> 8)) mod 256. Positional, so any range
// can be produced or checked independently; the (i >> 8) term keeps runs from repeating every
// 256 bytes. localserver/README.md documents the same formula for other clients.
constexpr std::uint8_t PatternByte(std::uint64_t seed, std::uint64_t i) {
  return static_cast<std::uint8_t>((i * 31u + seed * 7u + (i >> 8)) & 0xffu);
}

// Bytes [offset, offset + n) of the body for seed.
inline std::string PatternBytes(std::uint64_t seed, std::uint64_t offset, std::size_t n) {
  std::string out(n, '\0');
  for (std::size_t k = 0; k < n; ++k)
    out[k] = static_cast<char>(PatternByte(seed, offset + k));
  return out;
}

// Index of the first byte of body that differs from the pattern, or body.size() if all match.
inline std::size_t FirstPatternMismatch(std::uint64_t seed, const std::string& body) {
  for (std::size_t k = 0; k < body.size(); ++k)
    if (static_cast<std::uint8_t>(body[k]) != PatternByte(seed, k))
      return k;
  return body.size();
}

// A printable body (letters and digits only, so it survives a JSON echo unchanged) derived from
// the pattern for seed: the request bodies of POSTs whose echo is compared.
inline std::string TextBody(std::uint64_t seed, std::size_t size) {
  constexpr char kAlphabet[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
  std::string out(size, '\0');
  for (std::size_t i = 0; i < size; ++i)
    out[i] = kAlphabet[PatternByte(seed, i) % (sizeof(kAlphabet) - 1)];
  return out;
}

}  // namespace hc_protocol
