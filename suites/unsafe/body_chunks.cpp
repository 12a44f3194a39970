#include "body_chunks.h"

#include <set>
#include <utility>

#include <hc_protocol/body_pattern.h>

namespace hc::unsafe {
namespace {

bool MatchesAt(std::uint64_t seed, const std::string& piece, std::size_t offset) {
  for (std::size_t k = 0; k < piece.size(); ++k)
    if (static_cast<std::uint8_t>(piece[k]) != hc_protocol::PatternByte(seed, offset + k))
      return false;
  return true;
}

bool Anywhere(std::uint64_t seed, std::size_t size, const std::string& piece) {
  if (piece.size() > size)
    return false;
  for (std::size_t o = 0; o + piece.size() <= size; ++o)
    if (MatchesAt(seed, piece, o))
      return true;
  return false;
}

// Depth-first search over the interleavings of two threads' pieces (the suites use two readers).
bool Interleaves(std::uint64_t seed, const std::vector<std::string>& a, const std::vector<std::string>& b) {
  std::set<std::pair<std::size_t, std::size_t>> dead;  // (i, j) from which no interleaving completes
  // Offsets follow from (i, j): the sum of the lengths taken so far.
  std::vector<std::size_t> pre_a(a.size() + 1, 0), pre_b(b.size() + 1, 0);
  for (std::size_t i = 0; i < a.size(); ++i)
    pre_a[i + 1] = pre_a[i] + a[i].size();
  for (std::size_t j = 0; j < b.size(); ++j)
    pre_b[j + 1] = pre_b[j] + b[j].size();
  auto step = [&](std::size_t i, std::size_t j, bool from_a) {
    const std::size_t offset = pre_a[i] + pre_b[j];
    return from_a ? i < a.size() && MatchesAt(seed, a[i], offset)
                  : j < b.size() && MatchesAt(seed, b[j], offset);
  };
  struct Frame {
    std::size_t i, j;
    int next;  // 0: try a, 1: try b, 2: exhausted
  };
  std::vector<Frame> frames{{0, 0, 0}};
  while (!frames.empty()) {
    Frame& f = frames.back();
    if (f.i == a.size() && f.j == b.size())
      return true;
    if (f.next == 0) {
      f.next = 1;
      if (step(f.i, f.j, true) && !dead.count({f.i + 1, f.j}))
        frames.push_back({f.i + 1, f.j, 0});
    } else if (f.next == 1) {
      f.next = 2;
      if (step(f.i, f.j, false) && !dead.count({f.i, f.j + 1}))
        frames.push_back({f.i, f.j + 1, 0});
    } else {
      dead.insert({f.i, f.j});
      frames.pop_back();
    }
  }
  return false;
}

}  // namespace

const char* ChunkVerdict::Label() const {
  switch (kind) {
    case kIntact:
      return "success";
    case kLost:
      return "bytes lost";
    case kDuplicated:
      return "bytes duplicated";
    case kReordered:
      return "bytes out of order";
    case kGarbage:
      return "corrupted body";
  }
  return "?";
}

ChunkVerdict CheckChunks(std::uint64_t seed, std::size_t size,
                         const std::vector<std::vector<std::string>>& per_thread) {
  ChunkVerdict v;
  std::size_t total = 0;
  for (const auto& pieces : per_thread)
    for (const auto& p : pieces) {
      total += p.size();
      if (!p.empty() && !Anywhere(seed, size, p)) {
        v.kind = ChunkVerdict::kGarbage;
        v.detail = "a piece of " + std::to_string(p.size()) + " bytes is nowhere in the body";
        return v;
      }
    }
  const std::string counts = "read " + std::to_string(total) + " of " + std::to_string(size) + " bytes";
  if (total > size)
    return {ChunkVerdict::kDuplicated, counts};
  if (total < size)
    return {ChunkVerdict::kLost, counts};
  std::vector<std::string> a = per_thread.empty() ? std::vector<std::string>{} : per_thread[0];
  std::vector<std::string> b;
  for (std::size_t t = 1; t < per_thread.size(); ++t)
    b.insert(b.end(), per_thread[t].begin(), per_thread[t].end());
  if (!Interleaves(seed, a, b))
    return {ChunkVerdict::kReordered, "no interleaving of the threads' pieces is the body"};
  return v;
}

}  // namespace hc::unsafe
