// Freeing a request's callback context (WH-CH-SETCALLBACK-NULL, WH-CH-CONTEXT-UNTIL-CLOSING):
//  wh-free-context-early   WinHttpSetStatusCallback(NULL), WinHttpCloseHandle, then the context is
//                          "freed" at once (the documented mistake)
//  wh-free-context-closing safe: the context is freed only after HANDLE_CLOSING
// The context is never really freed (the child must stay deterministic): "freeing" poisons its
// canary (CallbackContext::Poison). A notification that finds it poisoned is counted by the
// policy (dead_callbacks); one whose work with the context is still going on when it is poisoned
// checks again at the end. Either touched freed memory in a real program.
#include <atomic>
#include <thread>

#include <hc_protocol/pattern_paths.h>

#include "hc/winhttp/context.h"
#include "hc/winhttp/session.h"
#include "winhttp_trials.h"

namespace hc::unsafe {
namespace {

using std::chrono::microseconds;
using trial::SpinFor;

constexpr std::size_t kContextBodySize = 32768;
constexpr auto kContextClosingBound = std::chrono::milliseconds(2500);
constexpr auto kLateCallbackBound = std::chrono::milliseconds(200);

// The application's per-request context: each callback works with it for work_us, then takes the
// next step of the request.
class RequestContext : public winhttp::Context {
 public:
  RequestContext(hc::ContextOwner& owner, std::int64_t work_us)
      : winhttp::Context(owner), work_us_(work_us) {}

  void OnStatus(void* h, unsigned long status, void*, unsigned long length) override {
    ++in_flight;
    ++callbacks;
    if (status != WINHTTP_CALLBACK_STATUS_HANDLE_CLOSING) {
      SpinFor(microseconds(work_us_));  // the application's work with its context
      switch (status) {
        case WINHTTP_CALLBACK_STATUS_SENDREQUEST_COMPLETE:
          WinHttpReceiveResponse(h, nullptr);
          break;
        case WINHTTP_CALLBACK_STATUS_HEADERS_AVAILABLE:
          WinHttpReadData(h, buffer_, sizeof(buffer_), nullptr);
          break;
        case WINHTTP_CALLBACK_STATUS_READ_COMPLETE:
          if (length > 0)
            WinHttpReadData(h, buffer_, sizeof(buffer_), nullptr);
          break;
        default:
          break;
      }
      if (!Alive())
        ++freed_during_work;  // still working with it when it was freed
    }
    --in_flight;
  }

  std::atomic<int> in_flight{0};
  std::atomic<int> callbacks{0};
  std::atomic<int> freed_during_work{0};

 private:
  const std::int64_t work_us_;
  char buffer_[8192];
};

Outcome FreeContext(Trial& trial, bool wait_for_closing) {
  auto session = winhttp::OpenSession({.async = true, .timeout = kTrialCallBound});
  auto connect =
      session ? winhttp::Connect(session.get(), static_cast<std::uint16_t>(trial.port())) : nullptr;
  HINTERNET request =
      connect ? winhttp::OpenRequest(connect.get(), L"GET",
                                     hc_protocol::StreamBytesPath(trial.seed(), kContextBodySize, 4096, 1))
              : nullptr;
  if (!request)
    return HarnessError("WinHttpOpen/Connect/OpenRequest");
  auto& c = TrialContexts(winhttp::kApi).Make<RequestContext>(trial.Uniform(0, 100));
  c.Adopt(request);
  const auto close_after = microseconds(trial.Uniform(0, trial.IntArg("max_delay_us", 6000)));
  WinHttpSetStatusCallback(request, winhttp::StatusCallback, WINHTTP_CALLBACK_FLAG_ALL_NOTIFICATIONS, 0);
  if (!WinHttpSendRequest(request, WINHTTP_NO_ADDITIONAL_HEADERS, 0, WINHTTP_NO_REQUEST_DATA, 0, 0,
                          c.value()))
    return HarnessError("WinHttpSendRequest");
  SpinFor(close_after);

  bool closing = false;
  if (wait_for_closing) {
    c.Close();
    closing = c.WaitForClosing(kContextClosingBound);  // HANDLE_CLOSING poisons it: freed then
  } else {
    WinHttpSetStatusCallback(request, nullptr, 0, 0);
    c.Abandon();
    c.Close();
    c.Poison();  // delete context, at once
  }
  // Late callbacks: wait until none is running, then a little longer for queued ones.
  const auto until = std::chrono::steady_clock::now() + kLateCallbackBound;
  while (c.in_flight > 0 && std::chrono::steady_clock::now() < until)
    Sleep(1);
  Sleep(3);
  while (c.in_flight > 0 && std::chrono::steady_clock::now() < until)
    Sleep(1);

  const int touched_freed = c.dead_callbacks() + c.freed_during_work.load();
  trial.Note("callbacks", c.callbacks.load() + c.dead_callbacks());
  trial.Note("touched_freed", touched_freed);
  const std::string when = "closed " + std::to_string(close_after.count()) + " us after send";
  if (wait_for_closing && !closing)
    return {"no HANDLE_CLOSING", when};
  if (touched_freed > 0)
    return {"late callback touched freed context", std::to_string(touched_freed) + " callbacks"};
  if (c.after_closing() > 0)
    return {"callback after HANDLE_CLOSING", when};
  return Outcome::Success();
}

}  // namespace

void AddWinHttpContextPatterns(Patterns& p) {
  p["wh-free-context-early"] = [](Trial& t) { return FreeContext(t, false); };
  p["wh-free-context-closing"] = [](Trial& t) { return FreeContext(t, true); };
}

}  // namespace hc::unsafe
