// "WinInet thread safe?" (000): "To abort an HTTP request, close the request handle during a
// callback (meaning you'll need to set a callback function on the request handle via
// InternetSetStatusCallback)." With "InternetCloseHandle function" (WI-CLOSING-LAST): it is safe
// to call InternetCloseHandle in a callback for the handle being closed; it "terminates any
// pending operations on the handle"; INTERNET_STATUS_HANDLE_CLOSING is the last callback made
// from the handle. A clean abort: the close succeeds, HANDLE_CLOSING comes promptly (long before
// the server would have finished), nothing follows it, and the server sees the client go away.
#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <string>

#include "hc/catalogue.h"
#include "hc/expectation.h"
#include "hc/localserver.h"
#include "hc/wait.h"
#include "wininet_async.h"

namespace {

using namespace std::chrono_literals;
using hc::wininet::AsyncDownload;
using hc::wininet::CallbackTarget;

constexpr int kHoldMs = 10000;        // the server answers a held request after this at the latest
constexpr auto kAbortBound = 1500ms;  // an abort must be seen well before that
constexpr auto kParkBound = 10s;
constexpr auto kCleanupBound = 15s;  // after the gate is released, for what is left

struct AsyncFixture {
  hc::Scenario server;
  std::shared_ptr<hc::CallbackRecorder> recorder = hc::wininet::MakeRecorder();
  hc::wininet::Handle session = hc::wininet::OpenAsyncSession();
  std::shared_ptr<CallbackTarget> connect_target = std::make_shared<CallbackTarget>(recorder);
  HINTERNET connect =
      session ? hc::wininet::ConnectAsync(session.get(), server.port(), *connect_target).release() : nullptr;
};

// What a clean abort looks like from the client and from the server, measured before any check.
struct AbortObservation {
  ::testing::AssertionResult closing_in_time = ::testing::AssertionSuccess();
  ::testing::AssertionResult server_saw_close = ::testing::AssertionSuccess();
};

AbortObservation Observe(AsyncFixture& f, AsyncDownload& d) {
  // One deadline for both waits.
  const auto deadline = std::chrono::steady_clock::now() + kAbortBound;
  AbortObservation o;
  o.closing_in_time = d.AwaitClosing(kAbortBound);
  o.server_saw_close =
      f.server.AwaitOpen(0, std::max(0ms, std::chrono::duration_cast<std::chrono::milliseconds>(
                                              deadline - std::chrono::steady_clock::now())));
  return o;
}

void CheckAbort(AsyncDownload& d, const AbortObservation& o) {
  EXPECT_EQ(d.phase(), AsyncDownload::Phase::aborted) << d.Describe();
  EXPECT_TRUE(d.close_in_callback_result()) << "InternetCloseHandle inside the callback failed";
  EXPECT_TRUE(o.closing_in_time) << "after closing the request handle inside its callback";
  EXPECT_TRUE(o.server_saw_close) << "the aborted request's connection stayed open at the server";
}

// Waits for what an implementation that did not abort still owes (the server's release frees
// it), then checks that HANDLE_CLOSING was the last notification of the request.
void Finish(AsyncFixture& f, const std::shared_ptr<AsyncDownload>& d, const std::string& gate) {
  if (!gate.empty())
    f.server.Release(gate);
  EXPECT_TRUE(hc::wininet::Retire(d, nullptr, kCleanupBound));  // closed in the callback already
  EXPECT_TRUE(hc::wininet::Retire(f.connect_target, f.connect, kCleanupBound));
  EXPECT_TRUE(hc::wininet::ClosingIsLast(f.recorder->Snapshot(), d->context()));
}

TEST(WinInetAbortInCallback, ClosingTheRequestInItsCallbackWhileTheServerHoldsTheResponseAbortsIt) {
  hc::Covers({"WI-ABORT-IN-CALLBACK", "WI-CLOSING-LAST"});
  AsyncFixture f;
  ASSERT_NE(f.connect, nullptr) << "InternetOpen/InternetConnect: " << GetLastError();
  const std::string gate = "abort-held";
  auto d =
      std::make_shared<AsyncDownload>(f.recorder, "/hold/" + gate + "?timeout_ms=" + std::to_string(kHoldMs));
  // REQUEST_SENT: the request is on its way; the response will not come until the gate opens.
  d->CloseInCallbackOn(INTERNET_STATUS_REQUEST_SENT, AsyncDownload::Phase::sending);
  const DWORD started = d->Start(f.connect);
  EXPECT_TRUE(started == 0 || started == ERROR_IO_PENDING) << "HttpSendRequest: error " << started;
  ASSERT_TRUE(f.server.AwaitParked(1, kParkBound, gate));
  const AbortObservation o = Observe(f, *d);
  hc::CheckExpecting(hc::OnWine("Wine 8.0 closes the handle only when its last reference goes; the pending "
                                "HttpSendRequest holds one and keeps waiting for the response, so neither "
                                "HANDLE_CLOSING nor the connection's close comes until the server answers"),
                     [&] { CheckAbort(*d, o); });
  Finish(f, d, gate);
}

TEST(WinInetAbortInCallback, ClosingTheRequestInAProgressCallbackAbortsTheBodyDownload) {
  hc::Covers({"WI-ABORT-IN-CALLBACK", "WI-CLOSING-LAST", "WI-ASYNC-PROGRESS"});
  // "...or to interrupt requests that are taking too long to complete" (003): a 4 s drip is cut
  // at its first progress notification during the body.
  AsyncFixture f;
  ASSERT_NE(f.connect, nullptr) << "InternetOpen/InternetConnect: " << GetLastError();
  auto d = std::make_shared<AsyncDownload>(f.recorder, "/drip?numbytes=40&duration=4&delay=0");
  d->CloseInCallbackOn(INTERNET_STATUS_RESPONSE_RECEIVED, AsyncDownload::Phase::reading);
  const DWORD started = d->Start(f.connect);
  EXPECT_TRUE(started == 0 || started == ERROR_IO_PENDING) << "HttpSendRequest: error " << started;
  ASSERT_TRUE(d->AwaitFinished(kParkBound));
  const AbortObservation o = Observe(f, *d);
  CheckAbort(*d, o);
  EXPECT_LT(d->body().size(), 40u) << "the whole body arrived before the abort";
  Finish(f, d, "");
}

}  // namespace
