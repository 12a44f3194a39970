#pragma once
// Checks the pieces of a deterministic body (hc_protocol's pattern for a seed) that several
// threads read from one request handle: is every piece a part of the body, and do the pieces,
// each thread's in the order it read them, interleave into the body exactly once (nothing lost,
// duplicated, reordered or invented)? The pattern repeats locally, so a piece cannot simply be
// placed by searching for it; the interleaving is searched instead.
#include <cstdint>
#include <string>
#include <vector>

namespace hc::unsafe {

struct ChunkVerdict {
  enum Kind { kIntact, kLost, kDuplicated, kReordered, kGarbage } kind = kIntact;
  std::string detail;
  const char* Label()
      const;  // "success", "bytes lost", "bytes duplicated", "bytes out of order", "corrupted body"
};

// per_thread[t]: the pieces thread t read, in its order; size: the body's length.
ChunkVerdict CheckChunks(std::uint64_t seed, std::size_t size,
                         const std::vector<std::vector<std::string>>& per_thread);

}  // namespace hc::unsafe
