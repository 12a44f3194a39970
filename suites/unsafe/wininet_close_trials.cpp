// Aborting a WinINet request by closing its handle ("WinInet thread safe?"):
//  wi-cross-close        InternetCloseHandle from another thread while the synchronous
//                        HttpSendRequest / InternetReadFile calls run (WI-NO-CROSS-THREAD-CLOSE)
//  wi-close-in-callback  safe: the request handle is closed inside its status callback, at a random
//                        notification of the same request (WI-ABORT-IN-CALLBACK)
#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

#include <hc_protocol/body_pattern.h>

#include "hc/latch.h"
#include "wininet_trials.h"

namespace hc::unsafe {
namespace {

using std::chrono::microseconds;
using trial::SpinFor;

constexpr std::size_t kCloseBodySize = 32768;

struct Session {
  HINTERNET session = nullptr, connect = nullptr;
  explicit Session(int port)
      : session(OpenWiSession()), connect(session ? ConnectWi(session, port) : nullptr) {}
  ~Session() {
    if (connect)
      InternetCloseHandle(connect);
    if (session)
      InternetCloseHandle(session);
  }
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;
};

enum Phase : int { kBeforeSend, kInSend, kInRead, kAfterCalls };
const char* PhaseName(int p) {
  switch (p) {
    case kBeforeSend:
      return "closed before HttpSendRequest";
    case kInSend:
      return "closed during HttpSendRequest";
    case kInRead:
      return "closed during the InternetReadFile loop";
    default:
      return "closed after the calls returned";
  }
}

// The synchronous request every trial makes: send, then read the whole body.
struct Call {
  DWORD error = 0;
  const char* failed_call = "";
  std::string body;
};
void SendAndRead(HINTERNET request, Call& c, std::atomic<int>* phase) {
  auto set = [&](int p) {
    if (phase)
      *phase = p;
  };
  set(kInSend);
  if (!HttpSendRequestA(request, nullptr, 0, nullptr, 0)) {
    c.error = GetLastError();
    c.failed_call = "HttpSendRequest";
    set(kAfterCalls);
    return;
  }
  set(kInRead);
  std::vector<char> buffer(8192);
  for (;;) {
    DWORD got = 0;
    if (!InternetReadFile(request, buffer.data(), static_cast<DWORD>(buffer.size()), &got)) {
      c.error = GetLastError();
      c.failed_call = "InternetReadFile";
      break;
    }
    if (got == 0)
      break;
    c.body.append(buffer.data(), got);
  }
  set(kAfterCalls);
}

Outcome CrossThreadClose(Context& ctx) {
  Session s(ctx.port());
  const std::uint64_t body_seed = ctx.seed() & 0xFFFFFFFFull;
  // 8 pieces 1 ms apart: the close lands before, during or after the reads.
  HINTERNET request =
      s.connect ? OpenWiRequest(s.connect, WiStreamPath(body_seed, kCloseBodySize, 4096, 1)) : nullptr;
  if (!request)
    return {"harness error", "InternetOpen/Connect/HttpOpenRequest: " + std::to_string(GetLastError())};
  const auto delay = microseconds(ctx.Uniform(0, ctx.IntArg("max_delay_us", 12000)));
  std::atomic<int> phase{kBeforeSend};
  hc::Latch start(2);
  Call call;
  int closed_in = -1;
  BOOL close_ok = FALSE;
  DWORD close_error = 0;
  std::thread caller([&] {
    start.ArriveAndWait();
    SendAndRead(request, call, &phase);
  });
  std::thread closer([&] {
    start.ArriveAndWait();
    SpinFor(delay);
    closed_in = phase.load();
    close_ok = InternetCloseHandle(request);
    close_error = close_ok ? 0 : GetLastError();
  });
  caller.join();
  closer.join();
  ctx.Note("close_delay_us", delay.count());
  const std::string when = PhaseName(closed_in);
  if (!close_ok)
    return {"close failed " + std::to_string(close_error), when};
  if (call.error != 0)
    return {"error " + std::to_string(call.error), std::string("in ") + call.failed_call + ", " + when};
  if (call.body.size() != kCloseBodySize ||
      hc_protocol::FirstPatternMismatch(body_seed, call.body) != call.body.size())
    return {"corrupted body", std::to_string(call.body.size()) + " bytes, " + when};
  return Outcome::Success(when);
}

// Never freed: a late callback cannot touch freed memory.
struct CallbackState {
  int close_at = 1;
  std::int64_t spin_us = 0;
  std::atomic<int> calls{0};
  std::atomic<bool> closed{false};
  std::atomic<DWORD> closed_in{0};
  std::atomic<bool> closing_seen{false};
  std::atomic<int> after_closing{0};
  std::mutex mu;
  std::condition_variable cv;
};

void CALLBACK CloseInCallback(HINTERNET h, DWORD_PTR context, DWORD status, LPVOID, DWORD) {
  auto* s = reinterpret_cast<CallbackState*>(context);
  if (s->closing_seen) {
    ++s->after_closing;
    return;
  }
  if (status == INTERNET_STATUS_HANDLE_CLOSING) {
    std::lock_guard lock(s->mu);
    s->closing_seen = true;
    s->cv.notify_all();
    return;
  }
  if (++s->calls == s->close_at && !s->closed.exchange(true)) {
    SpinFor(microseconds(s->spin_us));
    s->closed_in = status;
    InternetCloseHandle(h);  // documented: abort a request by closing its handle during a callback
  }
}

Outcome CloseInStatusCallback(Context& ctx) {
  Session session(ctx.port());
  auto* s = new CallbackState;  // deliberately never freed, see CallbackState
  s->close_at = static_cast<int>(ctx.Uniform(1, ctx.IntArg("max_close_at", 12)));
  s->spin_us = ctx.Uniform(0, 200);
  const std::uint64_t body_seed = ctx.seed() & 0xFFFFFFFFull;
  HINTERNET request = session.connect
                          ? OpenWiRequest(session.connect, WiStreamPath(body_seed, kCloseBodySize, 4096),
                                          kNoCache, reinterpret_cast<DWORD_PTR>(s))
                          : nullptr;
  if (!request)
    return {"harness error", "InternetOpen/Connect/HttpOpenRequest: " + std::to_string(GetLastError())};
  if (InternetSetStatusCallbackA(request, CloseInCallback) == INTERNET_INVALID_STATUS_CALLBACK)
    return {"harness error", "InternetSetStatusCallback failed"};
  Call call;
  SendAndRead(request, call, nullptr);
  // The request's calls have returned: if no callback closed the handle, closing it now is the
  // plain, safe way.
  if (!s->closed.exchange(true))
    InternetCloseHandle(request);
  std::unique_lock lock(s->mu);
  const bool closing =
      s->cv.wait_for(lock, std::chrono::milliseconds(2500), [&] { return s->closing_seen.load(); });
  lock.unlock();
  if (closing)
    Sleep(2);
  ctx.Note("callbacks", s->calls.load());
  std::string where = s->closed_in == 0 ? "closed after the calls returned"
                                        : "closed in " + WiStatusName(s->closed_in) + " callback";
  where += call.error ? std::string(", ") + call.failed_call + " error " + std::to_string(call.error)
                      : ", request completed";
  if (!closing)
    return {"no HANDLE_CLOSING", where};
  if (s->after_closing > 0)
    return {"callback after HANDLE_CLOSING", where};
  return Outcome::Success(where);
}

}  // namespace

void AddWinInetClosePatterns(Patterns& p) {
  p["wi-cross-close"] = CrossThreadClose;
  p["wi-close-in-callback"] = CloseInStatusCallback;
}

}  // namespace hc::unsafe
