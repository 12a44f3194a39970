// WinHTTP close patterns:
//  wh-sync-close          WinHttpCloseHandle from another thread while a synchronous request runs
//                         (WH-SYNC-CLOSE-RACE, WH-CH-NEVER-CLOSE-SYNC)
//  wh-async-close-in-cb   safe: an asynchronous request closed from inside its status callback
//  wh-use-after-close     a call on a closed handle's value while a new handle is opened (WH-CLOSE-NO-REUSE)
//  wh-no-use-after-close  safe: the closed handle's variable is never used again
//  wh-double-close        two threads close one handle at once (WH-CLOSE-ONE-THREAD)
//  wh-single-close        safe: exactly one thread closes
#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

#include <hc_protocol/body_pattern.h>

#include "hc/latch.h"
#include "winhttp_trials.h"

namespace hc::unsafe {
namespace {

using std::chrono::microseconds;
using trial::SpinFor;

Outcome Harness(const std::string& what) {
  return {"harness error", what + ": error " + std::to_string(GetLastError())};
}

// Session and connection of one trial, closed at its end.
struct Connection {
  HINTERNET session = nullptr, connect = nullptr;
  Connection(bool async, int port)
      : session(OpenWhSession(async)), connect(session ? ConnectWh(session, port) : nullptr) {}
  ~Connection() {
    if (connect)
      WinHttpCloseHandle(connect);
    if (session)
      WinHttpCloseHandle(session);
  }
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;
  bool ok() const { return connect != nullptr; }
  HINTERNET Open(const std::string& path) const {
    const std::wstring w = WidenAscii(path);
    return WinHttpOpenRequest(connect, L"GET", w.c_str(), nullptr, WINHTTP_NO_REFERER,
                              WINHTTP_DEFAULT_ACCEPT_TYPES, 0);
  }
};

// ---- wh-sync-close ------------------------------------------------------------------------------

enum Phase : int { kBeforeSend, kInSend, kInReceive, kInRead, kAfterCalls };
const char* PhaseName(int p) {
  switch (p) {
    case kBeforeSend:
      return "closed before WinHttpSendRequest";
    case kInSend:
      return "closed during WinHttpSendRequest";
    case kInReceive:
      return "closed during WinHttpReceiveResponse";
    case kInRead:
      return "closed during the WinHttpReadData loop";
    default:
      return "closed after the calls returned";
  }
}

constexpr std::size_t kCloseBodySize = 32768;

Outcome SyncCloseFromAnotherThread(Context& ctx) {
  Connection c(false, ctx.port());
  if (!c.ok())
    return Harness("WinHttpOpen/WinHttpConnect");
  const std::uint64_t body_seed = ctx.seed() & 0xFFFFFFFFull;
  HINTERNET request = c.Open(StreamPath(body_seed, kCloseBodySize, 4096, 1));
  if (!request)
    return Harness("WinHttpOpenRequest");
  const auto delay = microseconds(ctx.Uniform(0, ctx.IntArg("max_delay_us", 8000)));

  std::atomic<int> phase{kBeforeSend};
  hc::Latch start(2);
  DWORD error = 0;
  const char* failed_call = "";
  std::string body;
  int closed_in = -1;
  BOOL close_ok = FALSE;
  DWORD close_error = 0;
  std::thread caller([&] {
    start.ArriveAndWait();
    auto fail = [&](const char* call) {
      error = GetLastError();
      failed_call = call;
      phase = kAfterCalls;
    };
    phase = kInSend;
    if (!WinHttpSendRequest(request, WINHTTP_NO_ADDITIONAL_HEADERS, 0, WINHTTP_NO_REQUEST_DATA, 0, 0, 0))
      return fail("WinHttpSendRequest");
    phase = kInReceive;
    if (!WinHttpReceiveResponse(request, nullptr))
      return fail("WinHttpReceiveResponse");
    phase = kInRead;
    std::vector<char> buffer(8192);
    for (;;) {
      DWORD got = 0;
      if (!WinHttpReadData(request, buffer.data(), static_cast<DWORD>(buffer.size()), &got))
        return fail("WinHttpReadData");
      if (got == 0)
        break;
      body.append(buffer.data(), got);
    }
    phase = kAfterCalls;
  });
  std::thread closer([&] {
    start.ArriveAndWait();
    SpinFor(delay);
    closed_in = phase.load();
    close_ok = WinHttpCloseHandle(request);
    close_error = close_ok ? 0 : GetLastError();
  });
  caller.join();
  closer.join();

  ctx.Note("close_delay_us", delay.count());
  const std::string when = PhaseName(closed_in);
  if (!close_ok)
    return {"close failed " + std::to_string(close_error), when};
  if (error != 0)
    return {"error " + std::to_string(error), std::string("in ") + failed_call + ", " + when};
  if (body.size() != kCloseBodySize || hc_protocol::FirstPatternMismatch(body_seed, body) != body.size())
    return {"corrupted body", std::to_string(body.size()) + " bytes, " + when};
  return Outcome::Success(when);
}

// ---- wh-async-close-in-cb -------------------------------------------------------------------------

// Lives as long as the child (never freed): a late callback can never touch freed memory here.
struct AsyncCloseState {
  int close_at = 1;          // close inside the callback with this number
  std::int64_t spin_us = 0;  // work done in that callback before the close
  std::atomic<int> calls{0};
  std::atomic<bool> closed{false};
  std::atomic<DWORD> closed_in{0};  // status of the callback that closed
  std::atomic<bool> closing_seen{false};
  std::atomic<int> after_closing{0};
  std::atomic<DWORD> request_error{0};
  std::mutex mu;
  std::condition_variable cv;
  char buffer[8192];
};

void CloseFromCallback(HINTERNET h, AsyncCloseState* s, DWORD status) {
  if (s->closed.exchange(true))
    return;
  SpinFor(microseconds(s->spin_us));
  s->closed_in = status;
  WinHttpCloseHandle(h);
}

void CALLBACK AsyncCloseCallback(HINTERNET h, DWORD_PTR context, DWORD status, LPVOID info, DWORD length) {
  auto* s = reinterpret_cast<AsyncCloseState*>(context);
  if (s->closing_seen) {
    ++s->after_closing;
    return;
  }
  if (status == WINHTTP_CALLBACK_STATUS_HANDLE_CLOSING) {
    std::lock_guard lock(s->mu);
    s->closing_seen = true;
    s->cv.notify_all();
    return;
  }
  const int n = ++s->calls;
  const bool finished = status == WINHTTP_CALLBACK_STATUS_REQUEST_ERROR ||
                        (status == WINHTTP_CALLBACK_STATUS_READ_COMPLETE && length == 0);
  if (status == WINHTTP_CALLBACK_STATUS_REQUEST_ERROR && info != nullptr)
    s->request_error = static_cast<WINHTTP_ASYNC_RESULT*>(info)->dwError;
  if (n >= s->close_at || finished)
    return CloseFromCallback(h, s, status);
  if (s->closed)
    return;
  BOOL ok = TRUE;
  switch (status) {
    case WINHTTP_CALLBACK_STATUS_SENDREQUEST_COMPLETE:
      ok = WinHttpReceiveResponse(h, nullptr);
      break;
    case WINHTTP_CALLBACK_STATUS_HEADERS_AVAILABLE:
    case WINHTTP_CALLBACK_STATUS_READ_COMPLETE:
      ok = WinHttpReadData(h, s->buffer, sizeof(s->buffer), nullptr);
      break;
    default:
      break;
  }
  if (!ok)
    CloseFromCallback(h, s, status);
}

Outcome AsyncCloseInCallback(Context& ctx) {
  Connection c(true, ctx.port());
  if (!c.ok())
    return Harness("WinHttpOpen/WinHttpConnect");
  HINTERNET request = c.Open(StreamPath(ctx.seed() & 0xFFFFFFFFull, kCloseBodySize, 4096, 1));
  if (!request)
    return Harness("WinHttpOpenRequest");
  auto* s = new AsyncCloseState;  // deliberately never freed, see AsyncCloseState
  // A typical request here sees about 20 notifications; past the last one, the request finishes
  // and is closed in its final callback.
  s->close_at = static_cast<int>(ctx.Uniform(1, ctx.IntArg("max_close_at", 24)));
  s->spin_us = ctx.Uniform(0, 200);
  if (WinHttpSetStatusCallback(request, AsyncCloseCallback, WINHTTP_CALLBACK_FLAG_ALL_NOTIFICATIONS, 0) ==
      WINHTTP_INVALID_STATUS_CALLBACK)
    return Harness("WinHttpSetStatusCallback");
  DWORD send_error = 0;
  if (!WinHttpSendRequest(request, WINHTTP_NO_ADDITIONAL_HEADERS, 0, WINHTTP_NO_REQUEST_DATA, 0, 0,
                          reinterpret_cast<DWORD_PTR>(s))) {
    send_error = GetLastError();
    // Failed before any callback could take over: the call has returned, closing is ours.
    if (!s->closed.exchange(true)) {
      s->closed_in = 0;
      WinHttpCloseHandle(request);
    }
  }
  std::unique_lock lock(s->mu);
  const bool closing =
      s->cv.wait_for(lock, std::chrono::milliseconds(2500), [&] { return s->closing_seen.load(); });
  lock.unlock();
  if (closing)
    Sleep(2);  // a callback after HANDLE_CLOSING would show up here
  ctx.Note("callbacks", s->calls.load());
  const std::string where =
      s->closed_in == 0 ? "closed after WinHttpSendRequest failed (" + std::to_string(send_error) + ")"
                        : "closed in " + WhStatusName(s->closed_in) + " callback";
  if (!closing)
    return {"no HANDLE_CLOSING", where};
  if (s->after_closing > 0)
    return {"callback after HANDLE_CLOSING", where};
  return Outcome::Success(where);
}

// ---- wh-use-after-close / wh-no-use-after-close ----------------------------------------------------

// Sends request and returns the echoed body ("" on failure).
std::string Echo(HINTERNET request) {
  if (!WinHttpSendRequest(request, WINHTTP_NO_ADDITIONAL_HEADERS, 0, WINHTTP_NO_REQUEST_DATA, 0, 0, 0) ||
      !WinHttpReceiveResponse(request, nullptr))
    return "";
  std::string body;
  char buffer[4096];
  DWORD got = 0;
  while (WinHttpReadData(request, buffer, sizeof(buffer), &got) && got > 0)
    body.append(buffer, got);
  return body;
}

Outcome UseAfterClose(Context& ctx, bool use_stale) {
  Connection c(false, ctx.port());
  if (!c.ok())
    return Harness("WinHttpOpen/WinHttpConnect");
  const std::string tag = std::to_string(ctx.index());
  HINTERNET first = c.Open("/anything?handle=first&trial=" + tag);
  if (!first)
    return Harness("WinHttpOpenRequest");
  const auto d_close = microseconds(ctx.Uniform(0, 40));
  const auto d_open = microseconds(ctx.Uniform(0, 40));
  hc::Latch start(2);
  HINTERNET stale = first;  // what the careless thread still holds
  BOOL stale_ok = FALSE;
  DWORD stale_error = 0;
  HINTERNET second = nullptr;
  std::thread closer([&] {
    start.ArriveAndWait();
    WinHttpCloseHandle(first);
    if (use_stale) {
      SpinFor(d_close);
      const std::wstring header = L"X-Stale: " + WidenAscii(tag);
      stale_ok =
          WinHttpAddRequestHeaders(stale, header.c_str(), static_cast<DWORD>(-1), WINHTTP_ADDREQ_FLAG_ADD);
      stale_error = stale_ok ? 0 : GetLastError();
    } else {
      stale = nullptr;  // the safe pattern: the closed handle is forgotten at once
    }
  });
  std::thread opener([&] {
    start.ArriveAndWait();
    SpinFor(d_open);
    second = c.Open("/anything?handle=second&trial=" + tag);
  });
  closer.join();
  opener.join();
  if (!second)
    return Harness("second WinHttpOpenRequest");
  const bool reused = second == first;
  ctx.Note("value_reused", reused ? 1 : 0);
  const std::string body = Echo(second);
  WinHttpCloseHandle(second);
  const bool carried = body.find("X-Stale") != std::string::npos;
  const std::string value = reused ? "handle value reused by the new request" : "handle value not reused";
  if (body.empty())
    return {"new request failed", value};
  if (carried)
    return {"stale call hit the new handle", value};
  if (!use_stale)
    return Outcome::Success(value);
  if (stale_ok)
    return {"stale call succeeded", value};
  return {"error " + std::to_string(stale_error), value};
}

// ---- wh-double-close / wh-single-close -------------------------------------------------------------

Outcome DoubleClose(Context& ctx, bool both_close) {
  Connection c(false, ctx.port());
  if (!c.ok())
    return Harness("WinHttpOpen/WinHttpConnect");
  const std::string tag = std::to_string(ctx.index());
  HINTERNET first = c.Open("/anything?handle=first&trial=" + tag);
  if (!first)
    return Harness("WinHttpOpenRequest");
  microseconds delay[3];
  for (auto& d : delay)
    d = microseconds(ctx.Uniform(0, 40));
  hc::Latch start(3);
  std::atomic<bool> closing{false};
  BOOL ok[2] = {FALSE, FALSE};
  DWORD err[2] = {0, 0};
  bool called[2] = {false, false};
  HINTERNET second = nullptr;
  auto close_from = [&](int k) {
    start.ArriveAndWait();
    SpinFor(delay[k]);
    // The safe pattern: whoever comes first closes, the other one does not touch the handle.
    if (!both_close && closing.exchange(true))
      return;
    called[k] = true;
    ok[k] = WinHttpCloseHandle(first);
    err[k] = ok[k] ? 0 : GetLastError();
  };
  std::thread t0(close_from, 0), t1(close_from, 1);
  std::thread opener([&] {
    start.ArriveAndWait();
    SpinFor(delay[2]);
    second = c.Open("/anything?handle=second&trial=" + tag);
  });
  t0.join();
  t1.join();
  opener.join();
  if (!second)
    return Harness("second WinHttpOpenRequest");
  const bool reused = second == first;
  ctx.Note("value_reused", reused ? 1 : 0);
  const std::string body = Echo(second);
  const bool second_alive = !body.empty();
  if (second_alive)
    WinHttpCloseHandle(second);  // if it died, the second close already closed it
  const std::string value = reused ? "handle value reused by the new request" : "handle value not reused";
  const int closes = (called[0] ? 1 : 0) + (called[1] ? 1 : 0);
  const int succeeded = (ok[0] ? 1 : 0) + (ok[1] ? 1 : 0);
  if (!second_alive)
    return {closes == 2 && succeeded == 2 ? "second close closed the new request" : "new request failed",
            value};
  if (!both_close)
    return succeeded == 1 ? Outcome::Success(value) : Outcome{"close failed", value};
  if (succeeded == 2)
    return {"both closes succeeded", value};
  const DWORD e = ok[0] ? err[1] : err[0];
  return {succeeded == 1 ? "error " + std::to_string(e) : "both closes failed", value};
}

}  // namespace

void AddWinHttpClosePatterns(Patterns& p) {
  p["wh-sync-close"] = SyncCloseFromAnotherThread;
  p["wh-async-close-in-cb"] = AsyncCloseInCallback;
  p["wh-use-after-close"] = [](Context& c) { return UseAfterClose(c, true); };
  p["wh-no-use-after-close"] = [](Context& c) { return UseAfterClose(c, false); };
  p["wh-double-close"] = [](Context& c) { return DoubleClose(c, true); };
  p["wh-single-close"] = [](Context& c) { return DoubleClose(c, false); };
}

}  // namespace hc::unsafe
