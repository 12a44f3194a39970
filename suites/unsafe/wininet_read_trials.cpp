// Unserialized use of one request handle while its request is in progress (WI-SERIALIZE-REQUEST):
//  wi-shared-read      one thread sends the request and reads; a second thread calls
//                      InternetReadFile on the same handle at a random moment
//  wi-serialized-read  safe: the same two readers, every call under one lock
// The body is hc_protocol's pattern: every piece either thread read is placed in the body, and the
// pieces together must be the body exactly once.
#include <hc_protocol/pattern_paths.h>

#include "hc/wininet/context.h"
#include "hc/wininet/session.h"
#include "two_readers.h"
#include "wininet_trials.h"

namespace hc::unsafe {
namespace {

constexpr std::size_t kReadBodySize = 65536;
constexpr std::size_t kReadPiece = 4096;
constexpr int kReadPieceDelayMs = 1;  // 16 pieces 1 ms apart: the second reader starts while the first reads

Outcome TwoReaders(Trial& trial, bool serialized) {
  auto session = wininet::OpenSession({.timeout = kTrialCallBound});
  auto connect =
      session ? wininet::Connect(session.get(), static_cast<std::uint16_t>(trial.port())) : nullptr;
  const std::uint64_t body_seed = trial.seed() & 0xFFFFFFFFull;
  wininet::Handle request(
      connect ? wininet::OpenRequest(
                    connect.get(), "GET",
                    hc_protocol::StreamBytesPath(body_seed, kReadBodySize, kReadPiece, kReadPieceDelayMs))
              : nullptr);
  if (!request)
    return HarnessError("InternetOpen/Connect/HttpOpenRequest");
  HINTERNET h = request.get();
  TwoReadersCalls calls;
  calls.send = [&](BodyReader& first) {
    trial.Stage("first", "in HttpSendRequest");
    if (HttpSendRequestA(h, nullptr, 0, nullptr, 0))
      return true;
    first.error = GetLastError();
    first.failed_call = "HttpSendRequest";
    return false;
  };
  calls.read = [h](char* buffer, unsigned long size, unsigned long* got) {
    return InternetReadFile(h, buffer, size, got) != FALSE;
  };
  calls.read_call = "InternetReadFile";
  return RunTwoReaders(trial, serialized, body_seed, kReadBodySize, 12000, calls);
}

}  // namespace

void AddWinInetReadPatterns(Patterns& p) {
  p["wi-shared-read"] = [](Trial& t) { return TwoReaders(t, false); };
  p["wi-serialized-read"] = [](Trial& t) { return TwoReaders(t, true); };
}

}  // namespace hc::unsafe
