#pragma once
// Request targets of localserver's pattern endpoints (localserver/README.md), built the same way
// by every client of the suites. Header only, standard C++ only.
#include <cstddef>
#include <cstdint>
#include <string>

namespace hc_protocol {

// The pattern body for seed (its low 32 bits, what the server parses) sent with chunked transfer
// encoding in pieces of chunk bytes, chunk_delay_ms apart:
// /stream-bytes/<size>?seed=<seed>&chunk_size=<chunk>&chunk_delay_ms=<delay>
inline std::string StreamBytesPath(std::uint64_t seed, std::size_t size, std::size_t chunk,
                                   int chunk_delay_ms = 0) {
  return "/stream-bytes/" + std::to_string(size) + "?seed=" + std::to_string(seed & 0xFFFFFFFFull) +
         "&chunk_size=" + std::to_string(chunk) + "&chunk_delay_ms=" + std::to_string(chunk_delay_ms);
}

}  // namespace hc_protocol
