// Two operations at once on one request handle (WH-REQUEST-ONE-OP):
//  wh-two-ops       one thread sends, receives and reads; a second thread starts reading the same
//                   request at a random moment, without waiting for the first one's calls
//  wh-one-op        safe: the same two readers, each call made under one lock (one operation at a time)
// The body is hc_protocol's pattern, so every piece either thread read can be placed: the pieces
// together must be the body exactly once.
#include <hc_protocol/pattern_paths.h>

#include "hc/winhttp/context.h"
#include "hc/winhttp/session.h"
#include "two_readers.h"
#include "winhttp_trials.h"

namespace hc::unsafe {
namespace {

constexpr std::size_t kReadBodySize = 65536;
constexpr std::size_t kReadPiece = 4096;  // the server's chunks, sent back to back

Outcome TwoReaders(Trial& trial, bool serialized) {
  auto session = winhttp::OpenSession({.timeout = kTrialCallBound});
  auto connect =
      session ? winhttp::Connect(session.get(), static_cast<std::uint16_t>(trial.port())) : nullptr;
  const std::uint64_t body_seed = trial.seed() & 0xFFFFFFFFull;
  winhttp::Handle request(
      connect ? winhttp::OpenRequest(connect.get(), L"GET",
                                     hc_protocol::StreamBytesPath(body_seed, kReadBodySize, kReadPiece, 0))
              : nullptr);
  if (!request)
    return HarnessError("WinHttpOpen/Connect/OpenRequest");
  HINTERNET h = request.get();
  TwoReadersCalls calls;
  calls.send = [&](BodyReader& first) {
    trial.Stage("first", "in WinHttpSendRequest");
    if (!WinHttpSendRequest(h, WINHTTP_NO_ADDITIONAL_HEADERS, 0, WINHTTP_NO_REQUEST_DATA, 0, 0, 0)) {
      first.error = GetLastError();
      first.failed_call = "WinHttpSendRequest";
      return false;
    }
    trial.Stage("first", "in WinHttpReceiveResponse");
    if (!WinHttpReceiveResponse(h, nullptr)) {
      first.error = GetLastError();
      first.failed_call = "WinHttpReceiveResponse";
      return false;
    }
    return true;
  };
  calls.read = [h](char* buffer, unsigned long size, unsigned long* got) {
    return WinHttpReadData(h, buffer, size, got) != FALSE;
  };
  calls.read_call = "WinHttpReadData";
  return RunTwoReaders(trial, serialized, body_seed, kReadBodySize, 3000, calls);
}

}  // namespace

void AddWinHttpRequestPatterns(Patterns& p) {
  p["wh-two-ops"] = [](Trial& t) { return TwoReaders(t, false); };
  p["wh-one-op"] = [](Trial& t) { return TwoReaders(t, true); };
}

}  // namespace hc::unsafe
