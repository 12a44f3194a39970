// "Concurrency in WinHTTP" (001): closing a parent handle (a session or a connection) is not
// sufficient to request cancellation of an asynchronous operation on a child request. Requests
// are held by the server (an operation pending on each), their parents are closed, the server
// lets the responses go, and every request must complete with its full response.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "hc/catalogue.h"
#include "hc/localserver.h"
#include "hc/request_log.h"
#include "hc/thread_gang.h"
#include "hc/wait.h"
#include "winhttp_test.h"

namespace {

using namespace std::chrono_literals;
using hc::winhttp::AsyncRequest;
using hc::winhttp::AsyncRequestSpec;

constexpr int kRequests = 64;  // held requests started together, one per thread
constexpr auto kCancelParkBound = 30s;
constexpr auto kFinishBound = 30s;
constexpr auto kCancelGangBound = 60s;
constexpr int kCancelHoldMs = 30000;  // the server answers a request still held after this (504)

enum class Parent { connection, session_and_connection, session_only };

class WinHttpCancelParent : public hc::winhttp::TransportTest {
 protected:
  void ExpectParentCloseDoesNotCancel(Parent parent);
};

void WinHttpCancelParent::ExpectParentCloseDoesNotCancel(Parent parent) {
  ASSERT_TRUE(OpenCallbacks());
  const std::string gate = "parent";

  std::vector<AsyncRequest*> xs;
  std::vector<std::string> sent;
  for (int i = 0; i < kRequests; ++i) {
    AsyncRequestSpec spec;
    spec.transport = transport();
    const std::string query = std::string("timeout_ms=")
                                  .append(std::to_string(kCancelHoldMs))
                                  .append("&i=")
                                  .append(std::to_string(i));
    spec.target = "/hold/" + gate + "?" + query;
    sent.push_back(hc::LogKey("GET", "/hold/" + gate, query));
    xs.push_back(&client().owner().Make<AsyncRequest>(spec));
  }
  hc::RunGang(kRequests, kCancelGangBound,
              [&](int i) { xs[static_cast<std::size_t>(i)]->Start(client().connect()); });
  ASSERT_TRUE(hc::AwaitParkedUnlessFinished(server(), kRequests, kCancelParkBound, gate, xs))
      << client().recorder().Dump();

  // Close the parent(s) while every child has an operation pending, then let the responses go.
  if (parent != Parent::session_only) {
    auto& c = client().connect_context();
    client().CloseConnect();
    EXPECT_TRUE(c.close_result()) << "WinHttpCloseHandle(connection)";
  }
  if (parent != Parent::connection) {
    auto& s = client().session_context();
    client().CloseSession();
    EXPECT_TRUE(s.close_result()) << "WinHttpCloseHandle(session)";
  }
  for (const auto* x : xs)
    EXPECT_FALSE(x->finished()) << "finished before the response was released: " << x->Describe();
  server().Release(gate);

  ASSERT_TRUE(hc::AwaitFinished(xs, kFinishBound));
  int cancelled = 0;
  for (const auto* x : xs) {
    const auto r = x->result();
    const auto echo = nlohmann::json::parse(r.body, nullptr, false);
    const bool ok = r.error == 0 && r.status == 200 && !echo.is_discarded() && echo.value("released", false);
    if (!ok)
      ++cancelled;
    EXPECT_TRUE(ok) << "child request after its parent was closed: " << x->Describe() << " "
                    << r.body.substr(0, 200);
  }
  ::testing::Test::RecordProperty("hc_children_cancelled_by_parent_close", std::to_string(cancelled));
  if (parent == Parent::session_only)
    client().CloseConnect();  // the session's last child
  // Children close themselves when done; the parents' HANDLE_CLOSING comes too, and when it comes
  // relative to the children's is recorded.
  ASSERT_TRUE(hc::AwaitAllClosed(client().owner(), kFinishBound));
  std::string order;
  for (const auto& n : client().recorder().Snapshot()) {
    if (n.status != WINHTTP_CALLBACK_STATUS_HANDLE_CLOSING)
      continue;
    if (n.context == client().session_context().value())
      order += "S";
    else if (n.context == client().connect_context().value())
      order += "C";
    else
      order += "r";
  }
  ::testing::Test::RecordProperty("hc_handle_closing_order",
                                  order);  // r = request, C = connection, S = session
  EXPECT_EQ(client().owner().dead_context_callbacks(), 0) << client().recorder().Dump();
  EXPECT_TRUE(hc::LogMatches(server().Log(), sent));
}

TEST_P(WinHttpCancelParent, ClosingTheConnectionDoesNotCancelPendingRequests) {
  hc::Covers({"WH-CANCEL-PARENT"});
  ExpectParentCloseDoesNotCancel(Parent::connection);
}

TEST_P(WinHttpCancelParent, ClosingTheSessionDoesNotCancelPendingRequests) {
  hc::Covers({"WH-CANCEL-PARENT"});
  ExpectParentCloseDoesNotCancel(Parent::session_only);
}

TEST_P(WinHttpCancelParent, ClosingSessionAndConnectionDoesNotCancelPendingRequests) {
  hc::Covers({"WH-CANCEL-PARENT", "WH-CH-CLOSING-LAST"});
  ExpectParentCloseDoesNotCancel(Parent::session_and_connection);
}

HC_OVER_TRANSPORTS(WinHttpCancelParent);

}  // namespace
