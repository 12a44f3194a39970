// Unserialized use of one request handle while its request is in progress (WI-SERIALIZE-REQUEST):
//  wi-shared-read      one thread sends the request and reads; a second thread calls
//                      InternetReadFile on the same handle at a random moment
//  wi-serialized-read  safe: the same two readers, every call under one lock
// The body is hc_protocol's pattern: every piece either thread read is placed in the body, and the
// pieces together must be the body exactly once.
#include <chrono>
#include <mutex>
#include <thread>
#include <vector>

#include "hc/latch.h"
#include "two_readers.h"
#include "wininet_trials.h"

namespace hc::unsafe {
namespace {

using std::chrono::microseconds;
using trial::SpinFor;

constexpr std::size_t kReadBodySize = 65536;

Outcome TwoReaders(Context& ctx, bool serialized) {
  HINTERNET session = OpenWiSession();
  HINTERNET connect = session ? ConnectWi(session, ctx.port()) : nullptr;
  const std::uint64_t body_seed = ctx.seed() & 0xFFFFFFFFull;
  HINTERNET request =
      connect ? OpenWiRequest(connect, WiStreamPath(body_seed, kReadBodySize, 4096, 1)) : nullptr;
  if (!request)
    return {"harness error", "InternetOpen/Connect/HttpOpenRequest: " + std::to_string(GetLastError())};
  // The body comes in 16 pieces 1 ms apart: the second reader starts while the first reads.
  const auto second_after = microseconds(ctx.Uniform(0, ctx.IntArg("max_delay_us", 12000)));
  const DWORD size_a = static_cast<DWORD>(ctx.Uniform(512, 8192));
  const DWORD size_b = static_cast<DWORD>(ctx.Uniform(512, 8192));

  std::mutex op;  // the safe pattern's lock: access to the request handle serialized
  auto read_loop = [&](BodyReader& r, DWORD size, const char* who) {
    std::vector<char> buffer(size);
    for (;;) {
      DWORD got = 0;
      BOOL ok;
      std::chrono::steady_clock::time_point started;
      ctx.Stage(who, "waiting for the lock, piece " + std::to_string(r.chunks.size()));
      {
        std::unique_lock lock(op, std::defer_lock);
        if (serialized)
          lock.lock();
        ctx.Stage(who, "in InternetReadFile, piece " + std::to_string(r.chunks.size()));
        started = std::chrono::steady_clock::now();
        ok = InternetReadFile(request, buffer.data(), size, &got);
      }
      if (!ok) {
        r.error = GetLastError();
        r.failed_call = "InternetReadFile";
        return;
      }
      if (got == 0) {
        r.eof = true;
        r.eof_returned = std::chrono::steady_clock::now();
        ctx.Stage(who, "done");
        return;
      }
      r.data_started.push_back(started);
      r.chunks.emplace_back(buffer.data(), got);
    }
  };
  hc::Latch start(2);
  BodyReader a, b;
  std::thread first([&] {
    std::unique_lock lock(op, std::defer_lock);
    if (serialized)
      lock.lock();  // held over HttpSendRequest: the second reader waits for it
    start.ArriveAndWait();
    ctx.Stage("first", "in HttpSendRequest");
    if (!HttpSendRequestA(request, nullptr, 0, nullptr, 0)) {
      a.error = GetLastError();
      a.failed_call = "HttpSendRequest";
      return;
    }
    if (serialized)
      lock.unlock();
    read_loop(a, size_a, "first");
  });
  std::thread second([&] {
    start.ArriveAndWait();
    SpinFor(second_after);
    read_loop(b, size_b, "second");
  });
  first.join();
  second.join();
  InternetCloseHandle(request);
  InternetCloseHandle(connect);
  InternetCloseHandle(session);

  ctx.Note("pieces_first", static_cast<std::int64_t>(a.chunks.size()));
  ctx.Note("pieces_second", static_cast<std::int64_t>(b.chunks.size()));
  return TwoReadersVerdict(body_seed, kReadBodySize, a, b, "InternetReadFile");
}

}  // namespace

void AddWinInetReadPatterns(Patterns& p) {
  p["wi-shared-read"] = [](Context& c) { return TwoReaders(c, false); };
  p["wi-serialized-read"] = [](Context& c) { return TwoReaders(c, true); };
}

}  // namespace hc::unsafe
