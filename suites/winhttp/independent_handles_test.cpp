// "Concurrency in WinHTTP" (001), Independent handles: WinHttpSendRequest, WinHttpWriteData,
// WinHttpReceiveResponse, WinHttpReadData and WinHttpCloseHandle may be called by many threads at
// once when each thread uses its own handle. Synchronous and asynchronous, GET and POST with
// written bodies, content-length and chunked responses: every body is checked byte for byte and
// the server's log must hold exactly the requests sent, none lost, none duplicated. That the
// handles are independent, not merely taking turns, shows in requests held at the server's gate:
// all of them are there at the same moment before any is answered.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include <hc_protocol/body_pattern.h>

#include "hc/catalogue.h"
#include "hc/echo_check.h"
#include "hc/latch.h"
#include "hc/pattern_request.h"
#include "hc/request_load.h"
#include "hc/request_log.h"
#include "request_mix.h"
#include "winhttp_test.h"

namespace {

using namespace std::chrono_literals;
using hc::winhttp::AsyncRequest;
using hc::winhttp::mix::kWriteChunk;
using hc::winhttp::mix::PostQuery;
using hc::winhttp::mix::PostSeed;
using hc::winhttp::mix::PostSize;

constexpr int kThreads = 64;
constexpr int kRequestsPerThread = 2;
constexpr auto kGangBound = 60s;
constexpr auto kStepBound = 20s;
constexpr auto kClosingBound = 10s;
constexpr auto kInFlightParkBound = 30s;  // every held request reaches the gate within this
constexpr int kInFlightHoldMs = 40000;    // the server answers a held request by itself after this

class WinHttpIndependentHandles : public hc::winhttp::TransportTest {
 protected:
  // kThreads threads each send kRequestsPerThread synchronous GETs (make(t, r)) on their own
  // request handles; every body is checked and the server must log exactly what was sent.
  void SyncGetsFromManyThreads(hc::PatternRequest (*make)(int thread, int r)) {
    ASSERT_TRUE(OpenConnection());
    hc::RequestLoad load;
    load.Run(kThreads, kRequestsPerThread, kGangBound, [&](int t, int r) {
      const auto req = make(t, r);
      return hc::SentRequest{
          hc::LogKey("GET", req.path, req.query),
          req.Check(hc::winhttp::SyncRequest(connect(), L"GET", req.target(), "", transport()))};
    });
    EXPECT_TRUE(load.NoProblems());
    EXPECT_TRUE(load.MatchesLog(server()));
  }
};

TEST_P(WinHttpIndependentHandles, SyncGetsOnSeparateRequestsFromManyThreadsAllArriveIntact) {
  hc::Covers({"WH-INDEPENDENT", "WH-CREATE-REQUEST"});
  SyncGetsFromManyThreads([](int t, int r) { return hc::PatternRequest::ForThread(t, r); });
}

TEST_P(WinHttpIndependentHandles, SyncChunkedResponsesFromManyThreadsArriveIntact) {
  hc::Covers({"WH-INDEPENDENT"});
  SyncGetsFromManyThreads(hc::winhttp::mix::Chunked);
}

TEST_P(WinHttpIndependentHandles, SyncPostsWrittenFromManyThreadsAreEchoedIntact) {
  hc::Covers({"WH-INDEPENDENT"});
  ASSERT_TRUE(OpenConnection());
  hc::RequestLoad load;
  load.Run(kThreads, kRequestsPerThread, kGangBound, [&](int t, int r) {
    const std::string body = hc_protocol::TextBody(PostSeed(t, r), PostSize(t, r));
    const std::string target = "/anything?" + PostQuery(t, r);
    auto response =
        hc::winhttp::SyncRequestWritten(connect(), L"POST", target, body, kWriteChunk, transport());
    return hc::SentRequest{hc::LogKey("POST", "/anything", PostQuery(t, r)),
                           response.error != 0
                               ? target + ": " + response.Describe()
                               : hc::PostEchoProblem(target, response.status, response.body, body)};
  });
  EXPECT_TRUE(load.NoProblems());
  EXPECT_TRUE(load.MatchesLog(server()));
}

TEST_P(WinHttpIndependentHandles, AsyncRequestsDrivenFromManyThreadsEachOnItsOwnHandleArriveIntact) {
  hc::Covers({"WH-INDEPENDENT"});
  ASSERT_TRUE(OpenCallbacks());
  hc::RequestLoad load;
  load.Run(kThreads, kRequestsPerThread, kGangBound, [&](int t, int r) {
    auto a = hc::winhttp::mix::MakeCase(t, r);
    a.spec.transport = transport();
    auto& x = client().owner().Make<AsyncRequest>(a.spec);
    // This thread issues every call (send, write, receive, query, read, close) on its own handle
    // and waits for each completion callback before the next.
    if (!x.RunOnThisThread(client().connect(), kStepBound)) {
      x.Close();
      return hc::SentRequest{
          a.log_key, "no completion within " + std::to_string(kStepBound.count()) + " ms: " + x.Describe()};
    }
    const auto res = x.result();
    return hc::SentRequest{a.log_key, res.error != 0 ? x.Describe() : a.check(res)};
  });
  EXPECT_TRUE(load.NoProblems()) << client().recorder().Dump(100);
  EXPECT_TRUE(load.MatchesLog(server()));
  EXPECT_TRUE(hc::AwaitAllClosed(client().owner(), kClosingBound));
}

TEST_P(WinHttpIndependentHandles, RequestsFromManyThreadsOnTheirOwnHandlesAreAllInFlightAtOnce) {
  hc::Covers({"WH-INDEPENDENT"});
  ASSERT_TRUE(OpenConnection());
  const std::string gate = "independent";
  ::testing::AssertionResult all_parked = ::testing::AssertionFailure() << "the conductor did not run";
  hc::RequestLoad load;
  // kThreads threads send a synchronous request each, on a handle of its own, to the gate; one
  // more thread waits until the server holds all of them at once, then opens the gate.
  load.Run(kThreads + 1, kGangBound, [&](int t) {
    if (t == kThreads) {
      all_parked = server().AwaitParked(kThreads, kInFlightParkBound, gate,
                                        [&] { return static_cast<int>(load.sent().size()); });
      server().Release(gate);
      return;
    }
    const std::string query = "timeout_ms=" + std::to_string(kInFlightHoldMs) + "&t=" + std::to_string(t);
    const std::string target = "/hold/" + gate + "?" + query;
    const auto r = hc::winhttp::SyncRequest(connect(), L"GET", target, "", transport());
    std::string problem =
        r.error != 0 ? target + ": " + r.Describe() : hc::EchoProblem(r.status, r.body, target);
    if (problem.empty() && !nlohmann::json::parse(r.body, nullptr, false).value("released", false))
      problem = target + ": answered without being released at the gate: " + r.body.substr(0, 200);
    load.Sent(t, {hc::LogKey("GET", "/hold/" + gate, query), problem});
  });
  EXPECT_TRUE(all_parked) << "the " << kThreads
                          << " requests were never all in flight at once: their handles took turns";
  EXPECT_TRUE(load.NoProblems());
  EXPECT_TRUE(load.MatchesLog(server()));
}

TEST_P(WinHttpIndependentHandles, CloseFromManyThreadsAtOnceEachOnItsOwnHandle) {
  hc::Covers({"WH-INDEPENDENT", "WH-CH-SYNCHRONOUS", "WH-CH-CLOSING-LAST"});
  ASSERT_TRUE(OpenCallbacks({.async = false}));  // synchronous session, callbacks recorded

  std::vector<hc::winhttp::Context*> contexts;
  for (int t = 0; t < kThreads; ++t)
    contexts.push_back(&client().owner().Make<hc::winhttp::Context>());
  hc::Latch before_close(kThreads);
  std::vector<BOOL> closed(kThreads, FALSE);
  hc::RequestLoad load;
  load.Run(kThreads, kGangBound, [&](int t) {
    auto& ctx = *contexts[static_cast<std::size_t>(t)];
    const auto req = hc::PatternRequest::ForThread(t, 0);
    HINTERNET h = hc::winhttp::OpenRequest(client().connect(), L"GET", req.target(), transport());
    if (h == nullptr) {
      load.Problem(t, "WinHttpOpenRequest: " + hc::winhttp::ErrorName(GetLastError()));
      before_close.ArriveAndWait();
      return;
    }
    ctx.Bind(h);
    std::string body;
    DWORD error = 0;
    if (!WinHttpSendRequest(h, WINHTTP_NO_ADDITIONAL_HEADERS, 0, WINHTTP_NO_REQUEST_DATA, 0, 0,
                            ctx.value()) ||
        !WinHttpReceiveResponse(h, nullptr) || !hc::winhttp::ReadAll(h, body, error))
      load.Sent(t, {hc::LogKey("GET", req.path, req.query),
                    req.target() + ": " + hc::winhttp::ErrorName(error ? error : GetLastError())});
    else
      load.Sent(t, {hc::LogKey("GET", req.path, req.query), req.Problem(200, body)});
    before_close.ArriveAndWait();  // all 64 handles are closed at the same moment
    closed[static_cast<std::size_t>(t)] = ctx.Close();
  });
  EXPECT_TRUE(load.NoProblems());
  for (int t = 0; t < kThreads; ++t)
    EXPECT_TRUE(closed[static_cast<std::size_t>(t)]) << "WinHttpCloseHandle of thread " << t;
  ASSERT_TRUE(hc::AwaitAllClosed(client().owner(), kClosingBound));
  for (int t = 0; t < kThreads; ++t) {
    const auto& ctx = *contexts[static_cast<std::size_t>(t)];
    EXPECT_EQ(ctx.closing_count(), 1) << "HANDLE_CLOSING notifications for the request of thread " << t;
    EXPECT_EQ(ctx.after_closing(), 0) << "notifications after HANDLE_CLOSING, thread " << t;
  }
  EXPECT_EQ(client().owner().dead_context_callbacks(), 0);
  EXPECT_TRUE(load.MatchesLog(server()));
}

HC_OVER_TRANSPORTS(WinHttpIndependentHandles);

}  // namespace
