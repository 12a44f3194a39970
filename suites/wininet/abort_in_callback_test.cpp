// "WinInet thread safe?" (000): "To abort an HTTP request, close the request handle during a
// callback (meaning you'll need to set a callback function on the request handle via
// InternetSetStatusCallback)." With "InternetCloseHandle function" (WI-CLOSING-LAST): it is safe
// to call InternetCloseHandle in a callback for the handle being closed; it "terminates any
// pending operations on the handle"; INTERNET_STATUS_HANDLE_CLOSING is the last callback made
// from the handle. A clean abort: the close succeeds, HANDLE_CLOSING comes promptly (long before
// the server would have finished), nothing follows it, and the server sees the client go away.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "hc/catalogue.h"
#include "hc/expectation.h"
#include "hc/wait.h"
#include "wininet_test.h"

namespace {

using namespace std::chrono_literals;
using hc::wininet::AsyncRequest;

constexpr int kHoldMs = 10000;        // the server answers a held request after this at the latest
constexpr auto kAbortBound = 1500ms;  // an abort must be seen well before that
constexpr auto kParkBound = 10s;
constexpr auto kCleanupBound = 15s;  // after the gate is released, for what is left

// What a clean abort looks like from the client and from the server, measured before any check.
struct AbortObservation {
  ::testing::AssertionResult closing_in_time = ::testing::AssertionSuccess();
  ::testing::AssertionResult server_saw_close = ::testing::AssertionSuccess();
};

void CheckAbort(const AsyncRequest& d, const AbortObservation& o) {
  EXPECT_EQ(d.phase(), AsyncRequest::Phase::aborted) << d.Describe();
  EXPECT_TRUE(d.close_in_callback_result()) << "InternetCloseHandle inside the callback failed";
  EXPECT_TRUE(o.closing_in_time) << "after closing the request handle inside its callback";
  EXPECT_TRUE(o.server_saw_close) << "the aborted request's connection stayed open at the server";
}

class WinInetAbortInCallback : public hc::wininet::TransportTest {
 protected:
  // A request on this test's asynchronous connection that closes itself inside its first
  // notification `status` in phase `in_phase`, started.
  AsyncRequest& StartAborted(const std::string& target, DWORD status, AsyncRequest::Phase in_phase) {
    auto& d = client().owner().Make<AsyncRequest>(target, hc::wininet::kNoCacheFlags, transport());
    d.CloseInCallbackOn(status, in_phase);
    const DWORD started = d.Start(client().connect());
    EXPECT_TRUE(started == 0 || started == ERROR_IO_PENDING)
        << "HttpSendRequest: " << hc::wininet::ErrorName(started);
    return d;
  }

  AbortObservation Observe(const AsyncRequest& d) {
    // One deadline for both waits.
    const auto deadline = std::chrono::steady_clock::now() + kAbortBound;
    AbortObservation o;
    o.closing_in_time = hc::AwaitClosing(d, kAbortBound);
    o.server_saw_close =
        server().AwaitOpen(0, std::max(0ms, std::chrono::duration_cast<std::chrono::milliseconds>(
                                                deadline - std::chrono::steady_clock::now())));
    return o;
  }

  // Waits for what an implementation that did not abort still owes (the server's release frees
  // it), then checks that HANDLE_CLOSING was the last notification of the request.
  void Finish(AsyncRequest& d, const std::string& gate) {
    if (!gate.empty())
      server().Release(gate);
    EXPECT_TRUE(hc::Retire(d, kCleanupBound));  // closed in the callback already
    EXPECT_TRUE(hc::Retire(client().connect_context(), kCleanupBound));
    EXPECT_TRUE(hc::ClosingIsLast(d));
  }
};

TEST_P(WinInetAbortInCallback, ClosingTheRequestInItsCallbackWhileTheServerHoldsTheResponseAbortsIt) {
  hc::Covers({"WI-ABORT-IN-CALLBACK", "WI-CLOSING-LAST"});
  ASSERT_TRUE(OpenCallbacks());
  const std::string gate = "abort-held";
  // REQUEST_SENT: the request is on its way; the response will not come until the gate opens.
  auto& d = StartAborted("/hold/" + gate + "?timeout_ms=" + std::to_string(kHoldMs),
                         INTERNET_STATUS_REQUEST_SENT, AsyncRequest::Phase::sending);
  ASSERT_TRUE(server().AwaitParked(1, kParkBound, gate));
  const AbortObservation o = Observe(d);
  hc::CheckExpecting(hc::OnWine("Wine 8.0 closes the handle only when its last reference goes; the pending "
                                "HttpSendRequest holds one and keeps waiting for the response, so neither "
                                "HANDLE_CLOSING nor the connection's close comes until the server answers"),
                     [&] { CheckAbort(d, o); });
  Finish(d, gate);
}

TEST_P(WinInetAbortInCallback, ClosingTheRequestInAProgressCallbackAbortsTheBodyDownload) {
  hc::Covers({"WI-ABORT-IN-CALLBACK", "WI-CLOSING-LAST", "WI-ASYNC-PROGRESS"});
  // "...or to interrupt requests that are taking too long to complete" (003): a 4 s drip is cut
  // at its first progress notification during the body.
  ASSERT_TRUE(OpenCallbacks());
  auto& d = StartAborted("/drip?numbytes=40&duration=4&delay=0", INTERNET_STATUS_RESPONSE_RECEIVED,
                         AsyncRequest::Phase::reading);
  ASSERT_TRUE(hc::AwaitFinished(d, kParkBound));
  const AbortObservation o = Observe(d);
  CheckAbort(d, o);
  EXPECT_LT(d.result().body.size(), 40u) << "the whole body arrived before the abort";
  Finish(d, "");
}

HC_OVER_TRANSPORTS(WinInetAbortInCallback);

}  // namespace
