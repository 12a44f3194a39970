// Two operations at once on one request handle (WH-REQUEST-ONE-OP):
//  wh-two-ops       one thread sends, receives and reads; a second thread starts reading the same
//                   request at a random moment, without waiting for the first one's calls
//  wh-one-op        safe: the same two readers, each call made under one lock (one operation at a time)
// The body is hc_protocol's pattern, so every piece either thread read can be placed: the pieces
// together must be the body exactly once.
#include <chrono>
#include <mutex>
#include <thread>
#include <vector>

#include "hc/latch.h"
#include "two_readers.h"
#include "winhttp_trials.h"

namespace hc::unsafe {
namespace {

using std::chrono::microseconds;
using trial::SpinFor;

constexpr std::size_t kReadBodySize = 65536;

Outcome TwoReaders(Context& ctx, bool serialized) {
  HINTERNET session = OpenWhSession(false);
  HINTERNET connect = session ? ConnectWh(session, ctx.port()) : nullptr;
  const std::uint64_t body_seed = ctx.seed() & 0xFFFFFFFFull;
  const std::wstring path = WidenAscii(StreamPath(body_seed, kReadBodySize, 4096, 0));
  HINTERNET request = connect ? WinHttpOpenRequest(connect, L"GET", path.c_str(), nullptr, WINHTTP_NO_REFERER,
                                                   WINHTTP_DEFAULT_ACCEPT_TYPES, 0)
                              : nullptr;
  if (!request)
    return {"harness error", "WinHttpOpen/Connect/OpenRequest: " + std::to_string(GetLastError())};
  const auto second_after = microseconds(ctx.Uniform(0, ctx.IntArg("max_delay_us", 3000)));
  const DWORD size_a = static_cast<DWORD>(ctx.Uniform(512, 8192));
  const DWORD size_b = static_cast<DWORD>(ctx.Uniform(512, 8192));

  std::mutex op;  // the safe pattern's lock: one operation at a time on the request
  auto call = [&](auto&& fn) {
    if (!serialized)
      return fn();
    std::lock_guard lock(op);
    return fn();
  };
  auto read_loop = [&](BodyReader& r, DWORD size, const char* who) {
    std::vector<char> buffer(size);
    for (;;) {
      DWORD got = 0;
      ctx.Stage(who, "reading piece " + std::to_string(r.chunks.size()));
      std::chrono::steady_clock::time_point started;
      const BOOL ok = call([&] {
        started = std::chrono::steady_clock::now();
        return WinHttpReadData(request, buffer.data(), size, &got);
      });
      if (!ok) {
        r.error = GetLastError();
        r.failed_call = "WinHttpReadData";
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
    // In the safe pattern the lock covers send + receive: the second reader waits for both.
    std::unique_lock lock(op, std::defer_lock);
    if (serialized)
      lock.lock();
    start.ArriveAndWait();
    ctx.Stage("first", "in WinHttpSendRequest");
    if (!WinHttpSendRequest(request, WINHTTP_NO_ADDITIONAL_HEADERS, 0, WINHTTP_NO_REQUEST_DATA, 0, 0, 0)) {
      a.error = GetLastError();
      a.failed_call = "WinHttpSendRequest";
      return;
    }
    ctx.Stage("first", "in WinHttpReceiveResponse");
    if (!WinHttpReceiveResponse(request, nullptr)) {
      a.error = GetLastError();
      a.failed_call = "WinHttpReceiveResponse";
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
  WinHttpCloseHandle(request);
  WinHttpCloseHandle(connect);
  WinHttpCloseHandle(session);

  ctx.Note("pieces_first", static_cast<std::int64_t>(a.chunks.size()));
  ctx.Note("pieces_second", static_cast<std::int64_t>(b.chunks.size()));
  return TwoReadersVerdict(body_seed, kReadBodySize, a, b, "WinHttpReadData");
}

}  // namespace

void AddWinHttpRequestPatterns(Patterns& p) {
  p["wh-two-ops"] = [](Context& c) { return TwoReaders(c, false); };
  p["wh-one-op"] = [](Context& c) { return TwoReaders(c, true); };
}

}  // namespace hc::unsafe
