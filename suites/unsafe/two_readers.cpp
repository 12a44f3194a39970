#include "two_readers.h"

#include <windows.h>

#include <mutex>
#include <thread>

#include "body_chunks.h"
#include "hc/latch.h"

namespace hc::unsafe {
namespace {

// The safe pattern's lock (one call at a time on the request): a slim reader/writer lock. The two
// readers hand it over at every read; under Wine a contended std::mutex of mingw's thread library
// costs wineserver calls at each hand-over (the server is shared by every process of the run),
// while an SRW lock waits on a futex.
class SlimLock {
 public:
  void lock() { AcquireSRWLockExclusive(&lock_); }
  void unlock() { ReleaseSRWLockExclusive(&lock_); }

 private:
  SRWLOCK lock_ = SRWLOCK_INIT;
};

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

// Reads until the end of the body into r; under op (if given) each read holds the lock.
void ReadPieces(Trial& trial, BodyReader& r, unsigned long size, const char* who,
                const TwoReadersCalls& calls, SlimLock* op) {
  std::vector<char> buffer(size);
  for (;;) {
    unsigned long got = 0;
    bool ok;
    std::chrono::steady_clock::time_point started;
    trial.Stage(who, "waiting for the lock, piece " + std::to_string(r.chunks.size()));
    {
      std::unique_lock<SlimLock> lock;
      if (op != nullptr)
        lock = std::unique_lock(*op);
      trial.Stage(who, std::string("in ") + calls.read_call + ", piece " + std::to_string(r.chunks.size()));
      started = std::chrono::steady_clock::now();
      ok = calls.read(buffer.data(), size, &got);
    }
    if (!ok) {
      r.error = GetLastError();
      r.failed_call = calls.read_call;
      return;
    }
    if (got == 0) {
      r.eof = true;
      r.eof_returned = std::chrono::steady_clock::now();
      trial.Stage(who, "done");
      return;
    }
    r.data_started.push_back(started);
    r.chunks.emplace_back(buffer.data(), got);
  }
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

trial::Outcome RunTwoReaders(Trial& trial, bool serialized, std::uint64_t seed, std::size_t size,
                             std::int64_t default_max_delay_us, const TwoReadersCalls& calls) {
  const auto second_after =
      std::chrono::microseconds(trial.Uniform(0, trial.IntArg("max_delay_us", default_max_delay_us)));
  const auto size_a = static_cast<unsigned long>(trial.Uniform(512, 8192));
  const auto size_b = static_cast<unsigned long>(trial.Uniform(512, 8192));
  SlimLock op;
  SlimLock* serialize = serialized ? &op : nullptr;
  hc::Latch start(2);
  BodyReader a, b;
  std::thread first([&] {
    // In the safe pattern the lock covers the send too: the second reader waits for it.
    std::unique_lock lock(op, std::defer_lock);
    if (serialized)
      lock.lock();
    start.ArriveAndWait();
    if (!calls.send(a))
      return;
    if (serialized)
      lock.unlock();
    ReadPieces(trial, a, size_a, "first", calls, serialize);
  });
  std::thread second([&] {
    start.ArriveAndWait();
    trial::SpinFor(second_after);
    ReadPieces(trial, b, size_b, "second", calls, serialize);
  });
  first.join();
  second.join();
  trial.Note("pieces_first", static_cast<std::int64_t>(a.chunks.size()));
  trial.Note("pieces_second", static_cast<std::int64_t>(b.chunks.size()));
  return TwoReadersVerdict(seed, size, a, b, calls.read_call);
}

}  // namespace hc::unsafe
