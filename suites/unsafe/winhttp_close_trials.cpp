// WinHTTP close patterns:
//  wh-sync-close          WinHttpCloseHandle from another thread while a synchronous request runs
//                         (WH-SYNC-CLOSE-RACE, WH-CH-NEVER-CLOSE-SYNC)
//  wh-async-close-in-cb   safe: an asynchronous request closed from inside its status callback
//  wh-use-after-close     a call on a closed handle's value while a new handle is opened (WH-CLOSE-NO-REUSE)
//  wh-no-use-after-close  safe: the closed handle's variable is never used again
//  wh-double-close        two threads close one handle at once (WH-CLOSE-ONE-THREAD)
//  wh-single-close        safe: exactly one thread closes
#include <atomic>
#include <functional>
#include <optional>
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

// The session and connection of one trial, closed at its end. Argument timeout_ms: the session's
// timeouts instead of kTrialCallBound (a trial against a listener that holds every handshake ends
// by the timeout when the close does not end it).
hc::Connection OpenTrialConnection(const Trial& trial, bool async) {
  const std::chrono::milliseconds timeout(trial.IntArg("timeout_ms", kTrialCallBound.count()));
  return hc::OpenConnection(winhttp::kApi, static_cast<std::uint16_t>(trial.port()),
                            {.async = async, .timeout = timeout});
}

// Argument tls=1: the request goes over TLS (the test CA accepted).
HINTERNET Get(const Trial& trial, const hc::Connection& c, const std::string& path) {
  const auto transport = trial.IntArg("tls", 0) != 0 ? hc::Transport::kTls : hc::Transport::kPlain;
  return winhttp::OpenRequest(c.connect.get(), L"GET", path, transport);
}

// ---- wh-sync-close ------------------------------------------------------------------------------

Outcome SyncCloseFromAnotherThread(Trial& trial) {
  const auto c = OpenTrialConnection(trial, false);
  if (!c)
    return HarnessError("WinHttpOpen/WinHttpConnect");
  const std::uint64_t body_seed = trial.seed() & 0xFFFFFFFFull;
  HINTERNET request =
      Get(trial, c, hc_protocol::StreamBytesPath(body_seed, kCloseBodySize, kClosePiece, kClosePieceDelayMs));
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

// Drives its request (receive, read) from the completions until the callback that closes it:
// the one with number close_at, or the one that ends the request.
class CloseInCallback : public ClosingInCallback {
 public:
  using ClosingInCallback::ClosingInCallback;

  void OnStatus(void* h, unsigned long status, void*, unsigned long length) override {
    if (status == WINHTTP_CALLBACK_STATUS_HANDLE_CLOSING)
      return;
    const bool finished = status == WINHTTP_CALLBACK_STATUS_REQUEST_ERROR ||
                          (status == WINHTTP_CALLBACK_STATUS_READ_COMPLETE && length == 0);
    if (Count() || finished)
      return CloseHere(status);
    if (claimed())
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

 private:
  char buffer_[8192];
};

Outcome AsyncCloseInCallback(Trial& trial) {
  const auto c = OpenTrialConnection(trial, true);
  if (!c)
    return HarnessError("WinHttpOpen/WinHttpConnect");
  HINTERNET request = Get(trial, c,
                          hc_protocol::StreamBytesPath(trial.seed() & 0xFFFFFFFFull, kCloseBodySize,
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
  return s.Result(trial, "closed after WinHttpSendRequest failed (" + std::to_string(send_error) + ")");
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

// A reuse trial: the first request is closed by closer threads while another thread opens a
// second request on the same connection; whether the second gets the first's handle value, and
// what a stale use of the first does then, is the question.
struct ReuseTrial {
  hc::Connection c;
  std::string tag;
  HINTERNET first = nullptr, second = nullptr;
  std::string value;  // whether the second request got the first's handle value
};

// Opens the first request, runs close(k) on `closers` threads and the opener (opener_delay after
// the release) at once; a harness error if a request could not be opened.
std::optional<Outcome> RunReuseRace(Trial& trial, ReuseTrial& r, int closers, microseconds opener_delay,
                                    const std::function<void(int k)>& close) {
  r.c = OpenTrialConnection(trial, false);
  if (!r.c)
    return HarnessError("WinHttpOpen/WinHttpConnect");
  r.tag = std::to_string(trial.index());
  r.first = Get(trial, r.c, "/anything?handle=first&trial=" + r.tag);
  if (!r.first)
    return HarnessError("WinHttpOpenRequest");
  hc::Latch start(closers + 1);
  std::vector<std::thread> threads;
  for (int k = 0; k < closers; ++k)
    threads.emplace_back([&, k] {
      start.ArriveAndWait();
      close(k);
    });
  threads.emplace_back([&] {
    start.ArriveAndWait();
    SpinFor(opener_delay);
    r.second = Get(trial, r.c, "/anything?handle=second&trial=" + r.tag);
  });
  for (auto& t : threads)
    t.join();
  if (!r.second)
    return HarnessError("second WinHttpOpenRequest");
  const bool reused = r.second == r.first;
  trial.Note("value_reused", reused ? 1 : 0);
  r.value = reused ? "handle value reused by the new request" : "handle value not reused";
  return std::nullopt;
}

Outcome UseAfterClose(Trial& trial, bool use_stale) {
  const auto d_close = microseconds(trial.Uniform(0, 40));
  const auto d_open = microseconds(trial.Uniform(0, 40));
  BOOL stale_ok = FALSE;
  DWORD stale_error = 0;
  ReuseTrial r;
  if (auto harness = RunReuseRace(trial, r, 1, d_open, [&](int) {
        HINTERNET stale = r.first;  // what the careless thread still holds
        WinHttpCloseHandle(r.first);
        if (!use_stale)
          return;  // the safe pattern: the closed handle is forgotten at once
        SpinFor(d_close);
        const std::wstring header = L"X-Stale: " + hc::Widen(r.tag);
        stale_ok =
            WinHttpAddRequestHeaders(stale, header.c_str(), static_cast<DWORD>(-1), WINHTTP_ADDREQ_FLAG_ADD);
        stale_error = stale_ok ? 0 : GetLastError();
      }))
    return *harness;
  const std::string body = Echo(r.second);
  WinHttpCloseHandle(r.second);
  if (body.empty())
    return {"new request failed", r.value};
  if (body.find("X-Stale") != std::string::npos)
    return {"stale call hit the new handle", r.value};
  if (!use_stale)
    return Outcome::Success(r.value);
  if (stale_ok)
    return {"stale call succeeded", r.value};
  return {"error " + std::to_string(stale_error), r.value};
}

// ---- wh-double-close / wh-single-close -------------------------------------------------------------

Outcome DoubleClose(Trial& trial, bool both_close) {
  microseconds delay[3];
  for (auto& d : delay)
    d = microseconds(trial.Uniform(0, 40));
  std::atomic<bool> closing{false};
  BOOL ok[2] = {FALSE, FALSE};
  DWORD err[2] = {0, 0};
  bool called[2] = {false, false};
  ReuseTrial r;
  if (auto harness = RunReuseRace(trial, r, 2, delay[2], [&](int k) {
        SpinFor(delay[k]);
        // The safe pattern: whoever comes first closes, the other one does not touch the handle.
        if (!both_close && closing.exchange(true))
          return;
        called[k] = true;
        ok[k] = WinHttpCloseHandle(r.first);
        err[k] = ok[k] ? 0 : GetLastError();
      }))
    return *harness;
  const bool second_alive = !Echo(r.second).empty();
  if (second_alive)
    WinHttpCloseHandle(r.second);  // if it died, the second close already closed it
  const int closes = (called[0] ? 1 : 0) + (called[1] ? 1 : 0);
  const int succeeded = (ok[0] ? 1 : 0) + (ok[1] ? 1 : 0);
  if (!second_alive)
    return {closes == 2 && succeeded == 2 ? "second close closed the new request" : "new request failed",
            r.value};
  if (!both_close)
    return succeeded == 1 ? Outcome::Success(r.value) : Outcome{"close failed", r.value};
  if (succeeded == 2)
    return {"both closes succeeded", r.value};
  const DWORD e = ok[0] ? err[1] : err[0];
  return {succeeded == 1 ? "error " + std::to_string(e) : "both closes failed", r.value};
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
