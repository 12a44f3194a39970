// WinHTTP close patterns:
//  wh-sync-close          WinHttpCloseHandle from another thread while a synchronous request runs
//                         (WH-SYNC-CLOSE-RACE, WH-CH-NEVER-CLOSE-SYNC)
//  wh-async-close-in-cb   safe: an asynchronous request closed from inside its status callback
//  wh-use-after-close     a call on a closed handle's value while a new handle is opened (WH-CLOSE-NO-REUSE)
//  wh-no-use-after-close  safe: the closed handle's variable is never used again
//  wh-double-close        two threads close one handle at once (WH-CLOSE-ONE-THREAD)
//  wh-single-close        safe: exactly one thread closes
#include <atomic>
#include <thread>
#include <vector>

#include <hc_protocol/pattern_paths.h>

#include "hc/latch.h"
#include "hc/text.h"
#include "hc/winhttp/context.h"
#include "hc/winhttp/names.h"
#include "hc/winhttp/session.h"
#include "winhttp_trials.h"

namespace hc::unsafe {
namespace {

using std::chrono::microseconds;
using trial::SpinFor;

constexpr std::size_t kCloseBodySize = 32768;
constexpr std::size_t kClosePiece = 4096;
constexpr int kClosePieceDelayMs =
    1;  // 8 pieces 1 ms apart: the close lands before, during or after the reads
constexpr auto kCloseClosingBound = std::chrono::milliseconds(2500);

// The session and connection of one trial, closed at its end.
winhttp::Connection OpenTrialConnection(const Trial& trial, bool async) {
  return winhttp::OpenConnection(static_cast<std::uint16_t>(trial.port()),
                                 {.async = async, .timeout = kTrialCallBound});
}

HINTERNET Get(const winhttp::Connection& c, const std::string& path) {
  return winhttp::OpenRequest(c.connect.get(), L"GET", path);
}

// ---- wh-sync-close ------------------------------------------------------------------------------

Outcome SyncCloseFromAnotherThread(Trial& trial) {
  const auto c = OpenTrialConnection(trial, false);
  if (!c)
    return HarnessError("WinHttpOpen/WinHttpConnect");
  const std::uint64_t body_seed = trial.seed() & 0xFFFFFFFFull;
  HINTERNET request =
      Get(c, hc_protocol::StreamBytesPath(body_seed, kCloseBodySize, kClosePiece, kClosePieceDelayMs));
  if (!request)
    return HarnessError("WinHttpOpenRequest");
  const auto delay = microseconds(trial.Uniform(0, trial.IntArg("max_delay_us", 8000)));
  return RaceCloseAgainstCalls(
      trial, delay, "closed before WinHttpSendRequest",
      [request](SyncCalls& calls) {
        auto fail = [&](const char* call) {
          calls.error = GetLastError();
          calls.failed_call = call;
        };
        calls.running = "closed during WinHttpSendRequest";
        if (!WinHttpSendRequest(request, WINHTTP_NO_ADDITIONAL_HEADERS, 0, WINHTTP_NO_REQUEST_DATA, 0, 0, 0))
          return fail("WinHttpSendRequest");
        calls.running = "closed during WinHttpReceiveResponse";
        if (!WinHttpReceiveResponse(request, nullptr))
          return fail("WinHttpReceiveResponse");
        calls.running = "closed during the WinHttpReadData loop";
        std::vector<char> buffer(8192);
        for (;;) {
          DWORD got = 0;
          if (!WinHttpReadData(request, buffer.data(), static_cast<DWORD>(buffer.size()), &got))
            return fail("WinHttpReadData");
          if (got == 0)
            return;
          calls.body.append(buffer.data(), got);
        }
      },
      [request] { return WinHttpCloseHandle(request); }, body_seed, kCloseBodySize);
}

// ---- wh-async-close-in-cb -------------------------------------------------------------------------

// Drives its request (receive, read) from the completions and closes it inside the callback with
// number close_at, or the one that ends the request, after spin_us of work.
class CloseInCallback : public winhttp::Context {
 public:
  CloseInCallback(hc::ContextOwner& owner, int close_at, std::int64_t spin_us)
      : winhttp::Context(owner), close_at_(close_at), spin_us_(spin_us) {}

  void OnStatus(void* h, unsigned long status, void*, unsigned long length) override {
    if (status == WINHTTP_CALLBACK_STATUS_HANDLE_CLOSING)
      return;
    const int n = ++calls;
    const bool finished = status == WINHTTP_CALLBACK_STATUS_REQUEST_ERROR ||
                          (status == WINHTTP_CALLBACK_STATUS_READ_COMPLETE && length == 0);
    if (n >= close_at_ || finished)
      return CloseHere(status);
    if (claimed)
      return;
    BOOL ok = TRUE;
    switch (status) {
      case WINHTTP_CALLBACK_STATUS_SENDREQUEST_COMPLETE:
        ok = WinHttpReceiveResponse(h, nullptr);
        break;
      case WINHTTP_CALLBACK_STATUS_HEADERS_AVAILABLE:
      case WINHTTP_CALLBACK_STATUS_READ_COMPLETE:
        ok = WinHttpReadData(h, buffer_, sizeof(buffer_), nullptr);
        break;
      default:
        break;
    }
    if (!ok)
      CloseHere(status);
  }

  // Closes the request once, from whichever thread gets here first (status 0: not a callback).
  void CloseHere(DWORD status, bool spin = true) {
    if (claimed.exchange(true))
      return;
    if (spin)
      SpinFor(microseconds(spin_us_));
    closed_in = status;
    Close();
  }

  std::atomic<int> calls{0};
  std::atomic<bool> claimed{false};
  std::atomic<DWORD> closed_in{0};  // status of the callback that closed

 private:
  const int close_at_;
  const std::int64_t spin_us_;
  char buffer_[8192];
};

Outcome AsyncCloseInCallback(Trial& trial) {
  const auto c = OpenTrialConnection(trial, true);
  if (!c)
    return HarnessError("WinHttpOpen/WinHttpConnect");
  HINTERNET request = Get(c, hc_protocol::StreamBytesPath(trial.seed() & 0xFFFFFFFFull, kCloseBodySize,
                                                          kClosePiece, kClosePieceDelayMs));
  if (!request)
    return HarnessError("WinHttpOpenRequest");
  // A typical request here sees about 20 notifications; past the last one, the request finishes
  // and is closed in its final callback.
  auto& s = TrialContexts(winhttp::kApi)
                .Make<CloseInCallback>(static_cast<int>(trial.Uniform(1, trial.IntArg("max_close_at", 24))),
                                       trial.Uniform(0, 200));
  s.Adopt(request);
  if (WinHttpSetStatusCallback(request, winhttp::StatusCallback, WINHTTP_CALLBACK_FLAG_ALL_NOTIFICATIONS,
                               0) == WINHTTP_INVALID_STATUS_CALLBACK)
    return HarnessError("WinHttpSetStatusCallback");
  DWORD send_error = 0;
  if (!WinHttpSendRequest(request, WINHTTP_NO_ADDITIONAL_HEADERS, 0, WINHTTP_NO_REQUEST_DATA, 0, 0,
                          s.value())) {
    send_error = GetLastError();
    // Failed before any callback could take over: the call has returned, closing is ours.
    s.CloseHere(0, false);
  }
  const bool closing = s.WaitForClosing(kCloseClosingBound);
  if (closing)
    Sleep(2);  // a callback after HANDLE_CLOSING would show up here
  trial.Note("callbacks", s.calls.load());
  const std::string where =
      s.closed_in == 0 ? "closed after WinHttpSendRequest failed (" + std::to_string(send_error) + ")"
                       : "closed in " + winhttp::StatusName(s.closed_in) + " callback";
  if (!closing)
    return {"no HANDLE_CLOSING", where};
  if (s.after_closing() > 0)
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

Outcome UseAfterClose(Trial& trial, bool use_stale) {
  const auto c = OpenTrialConnection(trial, false);
  if (!c)
    return HarnessError("WinHttpOpen/WinHttpConnect");
  const std::string tag = std::to_string(trial.index());
  HINTERNET first = Get(c, "/anything?handle=first&trial=" + tag);
  if (!first)
    return HarnessError("WinHttpOpenRequest");
  const auto d_close = microseconds(trial.Uniform(0, 40));
  const auto d_open = microseconds(trial.Uniform(0, 40));
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
      const std::wstring header = L"X-Stale: " + hc::Widen(tag);
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
    second = Get(c, "/anything?handle=second&trial=" + tag);
  });
  closer.join();
  opener.join();
  if (!second)
    return HarnessError("second WinHttpOpenRequest");
  const bool reused = second == first;
  trial.Note("value_reused", reused ? 1 : 0);
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

Outcome DoubleClose(Trial& trial, bool both_close) {
  const auto c = OpenTrialConnection(trial, false);
  if (!c)
    return HarnessError("WinHttpOpen/WinHttpConnect");
  const std::string tag = std::to_string(trial.index());
  HINTERNET first = Get(c, "/anything?handle=first&trial=" + tag);
  if (!first)
    return HarnessError("WinHttpOpenRequest");
  microseconds delay[3];
  for (auto& d : delay)
    d = microseconds(trial.Uniform(0, 40));
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
    second = Get(c, "/anything?handle=second&trial=" + tag);
  });
  t0.join();
  t1.join();
  opener.join();
  if (!second)
    return HarnessError("second WinHttpOpenRequest");
  const bool reused = second == first;
  trial.Note("value_reused", reused ? 1 : 0);
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
  p["wh-use-after-close"] = [](Trial& t) { return UseAfterClose(t, true); };
  p["wh-no-use-after-close"] = [](Trial& t) { return UseAfterClose(t, false); };
  p["wh-double-close"] = [](Trial& t) { return DoubleClose(t, true); };
  p["wh-single-close"] = [](Trial& t) { return DoubleClose(t, false); };
}

}  // namespace hc::unsafe
