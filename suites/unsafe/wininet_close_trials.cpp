// Aborting a WinINet request by closing its handle ("WinInet thread safe?"):
//  wi-cross-close        InternetCloseHandle from another thread while the synchronous
//                        HttpSendRequest / InternetReadFile calls run (WI-NO-CROSS-THREAD-CLOSE)
//  wi-close-in-callback  safe: the request handle is closed inside its status callback, at a random
//                        notification of the same request (WI-ABORT-IN-CALLBACK)
#include <atomic>
#include <vector>

#include <hc_protocol/pattern_paths.h>

#include "hc/wininet/context.h"
#include "hc/wininet/names.h"
#include "hc/wininet/session.h"
#include "wininet_trials.h"

namespace hc::unsafe {
namespace {

using std::chrono::microseconds;
using trial::SpinFor;

constexpr std::size_t kCloseBodySize = 32768;
constexpr std::size_t kClosePiece = 4096;
constexpr int kClosePieceDelayMs =
    1;  // 8 pieces 1 ms apart: the close lands before, during or after the reads
constexpr auto kCloseClosingBound = std::chrono::milliseconds(2500);

// The synchronous request every trial makes: send, then read the whole body.
void SendAndRead(HINTERNET request, SyncCalls& calls) {
  calls.running = "closed during HttpSendRequest";
  if (!HttpSendRequestA(request, nullptr, 0, nullptr, 0)) {
    calls.error = GetLastError();
    calls.failed_call = "HttpSendRequest";
    return;
  }
  calls.running = "closed during the InternetReadFile loop";
  std::vector<char> buffer(8192);
  for (;;) {
    DWORD got = 0;
    if (!InternetReadFile(request, buffer.data(), static_cast<DWORD>(buffer.size()), &got)) {
      calls.error = GetLastError();
      calls.failed_call = "InternetReadFile";
      return;
    }
    if (got == 0)
      return;
    calls.body.append(buffer.data(), got);
  }
}

Outcome CrossThreadClose(Trial& trial) {
  const auto c =
      wininet::OpenConnection(static_cast<std::uint16_t>(trial.port()), {.timeout = kTrialCallBound});
  const std::uint64_t body_seed = trial.seed() & 0xFFFFFFFFull;
  HINTERNET request =
      c.connect ? wininet::OpenRequest(c.connect.get(), "GET",
                                       hc_protocol::StreamBytesPath(body_seed, kCloseBodySize, kClosePiece,
                                                                    kClosePieceDelayMs))
                : nullptr;
  if (!request)
    return HarnessError("InternetOpen/Connect/HttpOpenRequest");
  const auto delay = microseconds(trial.Uniform(0, trial.IntArg("max_delay_us", 12000)));
  return RaceCloseAgainstCalls(
      trial, delay, "closed before HttpSendRequest",
      [request](SyncCalls& calls) { SendAndRead(request, calls); },
      [request] { return InternetCloseHandle(request); }, body_seed, kCloseBodySize);
}

// Closes its request inside the callback with number close_at, after spin_us of work
// (documented: abort a request by closing its handle during a callback).
class CloseInCallback : public wininet::Context {
 public:
  CloseInCallback(hc::ContextOwner& owner, int close_at, std::int64_t spin_us)
      : wininet::Context(owner), close_at_(close_at), spin_us_(spin_us) {}

  void OnStatus(void*, unsigned long status, void*, unsigned long) override {
    if (status == INTERNET_STATUS_HANDLE_CLOSING)
      return;
    if (++calls == close_at_ && !claimed.exchange(true)) {
      SpinFor(microseconds(spin_us_));
      closed_in = status;
      Close();
    }
  }

  std::atomic<int> calls{0};
  std::atomic<bool> claimed{false};
  std::atomic<DWORD> closed_in{0};  // status of the callback that closed

 private:
  const int close_at_;
  const std::int64_t spin_us_;
};

Outcome CloseInStatusCallback(Trial& trial) {
  const auto c =
      wininet::OpenConnection(static_cast<std::uint16_t>(trial.port()), {.timeout = kTrialCallBound});
  auto& s = TrialContexts(wininet::kApi)
                .Make<CloseInCallback>(static_cast<int>(trial.Uniform(1, trial.IntArg("max_close_at", 12))),
                                       trial.Uniform(0, 200));
  const std::uint64_t body_seed = trial.seed() & 0xFFFFFFFFull;
  HINTERNET request =
      c.connect ? wininet::OpenRequest(c.connect.get(), "GET",
                                       hc_protocol::StreamBytesPath(body_seed, kCloseBodySize, kClosePiece),
                                       wininet::kNoCacheFlags, s.value())
                : nullptr;
  if (!request)
    return HarnessError("InternetOpen/Connect/HttpOpenRequest");
  s.Adopt(request);
  if (InternetSetStatusCallbackA(request, wininet::StatusCallback) == INTERNET_INVALID_STATUS_CALLBACK)
    return HarnessError("InternetSetStatusCallback");
  SyncCalls calls;
  SendAndRead(request, calls);
  // The request's calls have returned: if no callback closed the handle, closing it now is the
  // plain, safe way.
  if (!s.claimed.exchange(true))
    s.Close();
  const bool closing = s.WaitForClosing(kCloseClosingBound);
  if (closing)
    Sleep(2);
  trial.Note("callbacks", s.calls.load());
  std::string where = s.closed_in == 0 ? "closed after the calls returned"
                                       : "closed in " + wininet::StatusName(s.closed_in) + " callback";
  where += calls.error ? std::string(", ") + calls.failed_call + " error " + std::to_string(calls.error)
                       : ", request completed";
  if (!closing)
    return {"no HANDLE_CLOSING", where};
  if (s.after_closing() > 0)
    return {"callback after HANDLE_CLOSING", where};
  return Outcome::Success(where);
}

}  // namespace

void AddWinInetClosePatterns(Patterns& p) {
  p["wi-cross-close"] = CrossThreadClose;
  p["wi-close-in-callback"] = CloseInStatusCallback;
}

}  // namespace hc::unsafe
