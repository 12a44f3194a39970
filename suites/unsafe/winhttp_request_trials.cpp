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
#include "body_chunks.h"
#include "winhttp_trials.h"

namespace hc::unsafe {
namespace {

using std::chrono::microseconds;
using trial::SpinFor;

constexpr std::size_t kBodySize = 65536;

struct Reader {
  std::vector<std::string> chunks;
  DWORD error = 0;
  const char* failed_call = "";
  std::chrono::steady_clock::time_point eof_returned{};  // when this thread was told "end of body"
  bool eof = false;
  std::vector<std::chrono::steady_clock::time_point> data_started;  // start of each read that got data
};

// A reader was told "end of body" and afterwards the other reader started a read that still got
// data: the end was reported while the body was not all read (timestamps, not a shared counter:
// a counter updated after a read returns races with the other thread's end of body).
bool PrematureEnd(const Reader& told, const Reader& other) {
  if (!told.eof) return false;
  for (const auto& t : other.data_started)
    if (t > told.eof_returned) return true;
  return false;
}

Outcome TwoReaders(Context& ctx, bool serialized) {
  HINTERNET session = OpenWhSession(false);
  HINTERNET connect = session ? ConnectWh(session, ctx.port()) : nullptr;
  const std::uint64_t body_seed = ctx.seed() & 0xFFFFFFFFull;
  const std::wstring path = WidenAscii(StreamPath(body_seed, kBodySize, 4096, 0));
  HINTERNET request = connect ? WinHttpOpenRequest(connect, L"GET", path.c_str(), nullptr, WINHTTP_NO_REFERER,
                                                   WINHTTP_DEFAULT_ACCEPT_TYPES, 0)
                              : nullptr;
  if (!request) return {"harness error", "WinHttpOpen/Connect/OpenRequest: " + std::to_string(GetLastError())};
  const auto second_after = microseconds(ctx.Uniform(0, ctx.IntArg("max_delay_us", 3000)));
  const DWORD size_a = static_cast<DWORD>(ctx.Uniform(512, 8192));
  const DWORD size_b = static_cast<DWORD>(ctx.Uniform(512, 8192));

  std::mutex op;  // the safe pattern's lock: one operation at a time on the request
  auto call = [&](auto&& fn) {
    if (!serialized) return fn();
    std::lock_guard lock(op);
    return fn();
  };
  auto read_loop = [&](Reader& r, DWORD size, const char* who) {
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
  Reader a, b;
  std::thread first([&] {
    // In the safe pattern the lock covers send + receive: the second reader waits for both.
    std::unique_lock lock(op, std::defer_lock);
    if (serialized) lock.lock();
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
    if (serialized) lock.unlock();
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
  const ChunkVerdict body = CheckChunks(body_seed, kBodySize, {a.chunks, b.chunks});
  if (body.kind != ChunkVerdict::kIntact && body.kind != ChunkVerdict::kLost) return {body.Label(), body.detail};
  // A reader told "end of body" while the body was not all read: silent truncation.
  if (PrematureEnd(a, b) || PrematureEnd(b, a))
    return {"premature end of body", std::string(PrematureEnd(a, b) ? "first" : "second") +
                                         " thread's WinHttpReadData returned 0 bytes, then the other thread read more"};
  if (a.error != 0) return {"error " + std::to_string(a.error), std::string("first thread's ") + a.failed_call};
  if (b.error != 0) return {"error " + std::to_string(b.error), std::string("second thread's ") + b.failed_call};
  if (body.kind == ChunkVerdict::kLost) return {body.Label(), body.detail};
  return Outcome::Success(b.chunks.empty() ? "second reader found the body consumed" : "both threads read pieces");
}

}  // namespace

void AddWinHttpRequestPatterns(Patterns& p) {
  p["wh-two-ops"] = [](Context& c) { return TwoReaders(c, false); };
  p["wh-one-op"] = [](Context& c) { return TwoReaders(c, true); };
}

}  // namespace hc::unsafe
