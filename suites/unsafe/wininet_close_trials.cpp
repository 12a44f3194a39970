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
  const auto c = hc::OpenConnection(wininet::kApi, static_cast<std::uint16_t>(trial.port()),
                                    {.timeout = kTrialCallBound});
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

// Closes its request inside the callback with number close_at (documented: abort a request by
// closing its handle during a callback).
class CloseInCallback : public ClosingInCallback {
 public:
  using ClosingInCallback::ClosingInCallback;

  void OnStatus(void*, unsigned long status, void*, unsigned long) override {
    if (status != INTERNET_STATUS_HANDLE_CLOSING && Count())
      CloseHere(status);
  }
};

Outcome CloseInStatusCallback(Trial& trial) {
  const auto c = hc::OpenConnection(wininet::kApi, static_cast<std::uint16_t>(trial.port()),
                                    {.timeout = kTrialCallBound});
  auto& s = TrialContexts(wininet::kApi)
                .Make<CloseInCallback>(static_cast<int>(trial.Uniform(1, trial.IntArg("max_close_at", 12))),
                                       trial.Uniform(0, 200));
  const std::uint64_t body_seed = trial.seed() & 0xFFFFFFFFull;
  HINTERNET request =
      c ? wininet::OpenRequest(c.connect.get(), "GET",
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
  s.CloseHere(0, false);
  return s.Result(trial, "closed after the calls returned",
                  calls.error
                      ? std::string(", ") + calls.failed_call + " error " + std::to_string(calls.error)
                      : ", request completed");
}

}  // namespace

void AddWinInetClosePatterns(Patterns& p) {
  p["wi-cross-close"] = CrossThreadClose;
  p["wi-close-in-callback"] = CloseInStatusCallback;
}

}  // namespace hc::unsafe
