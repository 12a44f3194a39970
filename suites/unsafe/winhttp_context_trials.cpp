// Freeing a request's callback context (WH-CH-SETCALLBACK-NULL, WH-CH-CONTEXT-UNTIL-CLOSING):
//  wh-free-context-early   WinHttpSetStatusCallback(NULL), WinHttpCloseHandle, then the context is
//                          "freed" at once (the documented mistake)
//  wh-free-context-closing safe: the context is freed only after HANDLE_CLOSING
// The context is never really freed (the child must stay deterministic): "freeing" poisons its
// canary, and every callback checks the canary when it starts and again when its work with the
// context is done. A callback that finds the canary poisoned touched freed memory in a real program.
#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "winhttp_trials.h"

namespace hc::unsafe {
namespace {

using std::chrono::microseconds;
using trial::SpinFor;

constexpr std::uint32_t kAlive = 0xC0FFEE11u;
constexpr std::uint32_t kFreed = 0xDEADBEEFu;

// What the trial observes; not part of the "freed" context.
struct Monitor {
  std::atomic<int> in_flight{0};
  std::atomic<int> callbacks{0};
  std::atomic<int> touched_freed{0};
  std::atomic<int> after_closing{0};
  std::atomic<bool> closing_seen{false};
  std::mutex mu;
  std::condition_variable cv;
};

// The application's per-request context. Lives as long as the child process.
struct RequestContext {
  std::atomic<std::uint32_t> canary{kAlive};
  Monitor* monitor = nullptr;
  std::int64_t work_us = 0;  // how long a callback works with the context
  char buffer[8192];
};

void CALLBACK ContextCallback(HINTERNET h, DWORD_PTR context, DWORD status, LPVOID, DWORD length) {
  auto* c = reinterpret_cast<RequestContext*>(context);
  Monitor* m = c->monitor;
  ++m->in_flight;
  ++m->callbacks;
  bool freed = c->canary.load() != kAlive;
  if (m->closing_seen)
    ++m->after_closing;
  if (status == WINHTTP_CALLBACK_STATUS_HANDLE_CLOSING) {
    std::lock_guard lock(m->mu);
    m->closing_seen = true;
    m->cv.notify_all();
  } else if (!freed) {
    SpinFor(microseconds(c->work_us));  // the application's work with its context
    switch (status) {
      case WINHTTP_CALLBACK_STATUS_SENDREQUEST_COMPLETE:
        WinHttpReceiveResponse(h, nullptr);
        break;
      case WINHTTP_CALLBACK_STATUS_HEADERS_AVAILABLE:
        WinHttpReadData(h, c->buffer, sizeof(c->buffer), nullptr);
        break;
      case WINHTTP_CALLBACK_STATUS_READ_COMPLETE:
        if (length > 0)
          WinHttpReadData(h, c->buffer, sizeof(c->buffer), nullptr);
        break;
      default:
        break;
    }
    freed = c->canary.load() != kAlive;  // still working with it when it was freed?
  }
  if (freed)
    ++m->touched_freed;
  --m->in_flight;
}

Outcome FreeContext(Context& ctx, bool wait_for_closing) {
  HINTERNET session = OpenWhSession(true);
  HINTERNET connect = session ? ConnectWh(session, ctx.port()) : nullptr;
  const std::wstring path = WidenAscii(StreamPath(ctx.seed() & 0xFFFFFFFFull, 32768, 4096, 1));
  HINTERNET request = connect ? WinHttpOpenRequest(connect, L"GET", path.c_str(), nullptr, WINHTTP_NO_REFERER,
                                                   WINHTTP_DEFAULT_ACCEPT_TYPES, 0)
                              : nullptr;
  if (!request)
    return {"harness error", "WinHttpOpen/Connect/OpenRequest: " + std::to_string(GetLastError())};
  auto* monitor = new Monitor;   // deliberately never freed
  auto* c = new RequestContext;  // deliberately never freed: "free" poisons the canary
  c->monitor = monitor;
  c->work_us = ctx.Uniform(0, 100);
  const auto close_after = microseconds(ctx.Uniform(0, ctx.IntArg("max_delay_us", 6000)));
  WinHttpSetStatusCallback(request, ContextCallback, WINHTTP_CALLBACK_FLAG_ALL_NOTIFICATIONS, 0);
  if (!WinHttpSendRequest(request, WINHTTP_NO_ADDITIONAL_HEADERS, 0, WINHTTP_NO_REQUEST_DATA, 0, 0,
                          reinterpret_cast<DWORD_PTR>(c)))
    return {"harness error", "WinHttpSendRequest: " + std::to_string(GetLastError())};
  SpinFor(close_after);

  bool closing = false;
  if (wait_for_closing) {
    WinHttpCloseHandle(request);
    std::unique_lock lock(monitor->mu);
    closing = monitor->cv.wait_for(lock, std::chrono::milliseconds(2500),
                                   [&] { return monitor->closing_seen.load(); });
    lock.unlock();
    c->canary = kFreed;  // delete context, after HANDLE_CLOSING
  } else {
    WinHttpSetStatusCallback(request, nullptr, 0, 0);
    WinHttpCloseHandle(request);
    c->canary = kFreed;  // delete context, at once
  }
  // Late callbacks: wait until none is running, then a little longer for queued ones.
  const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(200);
  while (monitor->in_flight > 0 && std::chrono::steady_clock::now() < until)
    Sleep(1);
  Sleep(3);
  while (monitor->in_flight > 0 && std::chrono::steady_clock::now() < until)
    Sleep(1);
  WinHttpCloseHandle(connect);
  WinHttpCloseHandle(session);

  ctx.Note("callbacks", monitor->callbacks.load());
  ctx.Note("touched_freed", monitor->touched_freed.load());
  const std::string when = "closed " + std::to_string(close_after.count()) + " us after send";
  if (wait_for_closing && !closing)
    return {"no HANDLE_CLOSING", when};
  if (monitor->touched_freed > 0)
    return {"late callback touched freed context",
            std::to_string(monitor->touched_freed.load()) + " callbacks"};
  if (monitor->after_closing > 0)
    return {"callback after HANDLE_CLOSING", when};
  return Outcome::Success();
}

}  // namespace

void AddWinHttpContextPatterns(Patterns& p) {
  p["wh-free-context-early"] = [](Context& c) { return FreeContext(c, false); };
  p["wh-free-context-closing"] = [](Context& c) { return FreeContext(c, true); };
}

}  // namespace hc::unsafe
