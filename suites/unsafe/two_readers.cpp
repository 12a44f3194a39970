#include "two_readers.h"

#include "body_chunks.h"

namespace hc::unsafe {
namespace {

// A reader was told "end of body" and afterwards the other reader started a read that still got
// data: the end was reported while the body was not all read (timestamps, not a shared counter:
// a counter updated after a read returns races with the other thread's end of body).
bool PrematureEnd(const BodyReader& told, const BodyReader& other) {
  if (!told.eof)
    return false;
  for (const auto& t : other.data_started)
    if (t > told.eof_returned)
      return true;
  return false;
}

}  // namespace

trial::Outcome TwoReadersVerdict(std::uint64_t seed, std::size_t size, const BodyReader& a,
                                 const BodyReader& b, const char* read_call) {
  const ChunkVerdict body = CheckChunks(seed, size, {a.chunks, b.chunks});
  if (body.kind != ChunkVerdict::kIntact && body.kind != ChunkVerdict::kLost)
    return {body.Label(), body.detail};
  // A reader told "end of body" while the body was not all read: silent truncation.
  if (PrematureEnd(a, b) || PrematureEnd(b, a))
    return {"premature end of body", std::string(PrematureEnd(a, b) ? "first" : "second") + " thread's " +
                                         read_call + " returned 0 bytes, then the other thread read more"};
  if (a.error != 0)
    return {"error " + std::to_string(a.error), std::string("first thread's ") + a.failed_call};
  if (b.error != 0)
    return {"error " + std::to_string(b.error), std::string("second thread's ") + b.failed_call};
  if (body.kind == ChunkVerdict::kLost)
    return {body.Label(), body.detail};
  return trial::Outcome::Success(b.chunks.empty() ? "second reader found the body consumed"
                                                  : "both threads read pieces");
}

}  // namespace hc::unsafe
