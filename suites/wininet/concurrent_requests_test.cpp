// "WinInet thread safe?" (000): HTTP requests may be sent concurrently across threads, without
// serializing access to the InternetOpen and InternetConnect handles used to create them.
// Every body is checked byte for byte and the server's log must hold exactly the requests sent.
// That the requests really run concurrently, not in turns, shows in requests held at the server's
// gate: with the per-server connection limit raised above their number (InternetSetOption on a
// NULL handle, INTERNET_OPTION_MAX_CONNS_PER_SERVER), all of them are there at the same moment.
#include <gtest/gtest.h>

#include <string>

#include <nlohmann/json.hpp>

#include "hc/catalogue.h"
#include "hc/echo_check.h"
#include "hc/pattern_request.h"
#include "hc/request_load.h"
#include "hc/request_log.h"
#include "wininet_test.h"

namespace {

using namespace std::chrono_literals;
using hc::wininet::Handle;

// Threads released together and GETs per thread, per test.
constexpr int kManyThreads = 64;  // SharedSessionAndConnectionFromManyThreadsAllArriveIntact
constexpr int kManyRequestsPerThread = 4;
constexpr int kSharedHandleThreads = 64;  // SixtyFourThreadsShareOneSessionAndOneConnectHandle
constexpr int kSharedHandleRequestsPerThread = 2;
constexpr int kRepeatThreads = 64;           // ManyThreadsRepeatedlyCreateRequestsOnOneConnectHandle
constexpr int kRepeatRequestsPerThread = 8;  // 512 request lifetimes in all
constexpr int kCreatorThreads = 64;          // SessionsAndConnectHandlesCreatedConcurrentlyAllWork
constexpr int kCreatorRequestsPerThread = 2;
constexpr int kInFlightThreads = 64;  // RequestsFromManyThreadsAreAllInFlightAtOnce
constexpr auto kGangBound = 180s;
constexpr auto kInFlightGangBound = 50s;
constexpr auto kInFlightParkBound = 30s;  // every held request reaches the gate within this
constexpr int kInFlightHoldMs = 40000;    // the server answers a held request by itself after this

// The pattern GET r of thread t on connect, and what was wrong with its response.
hc::SentRequest PatternGet(HINTERNET connect, hc::Transport transport, int t, int r) {
  const auto req = hc::PatternRequest::ForThread(t, r);
  return {hc::LogKey("GET", req.path, req.query),
          req.Check(
              hc::wininet::SyncRequest(connect, "GET", req.target(), hc::wininet::kNoCacheFlags, transport))};
}

class WinInetConcurrentRequests : public hc::wininet::TransportTest {
 protected:
  // `threads` threads, released together, each send `per_thread` GETs of pattern bodies through
  // one shared session and one shared connect handle (no application lock around them).
  void SendConcurrently(int threads, int per_thread) {
    ASSERT_TRUE(OpenConnection());
    hc::RequestLoad load;
    load.Run(threads, per_thread, kGangBound,
             [&](int t, int r) { return PatternGet(connect(), transport(), t, r); });
    EXPECT_TRUE(load.NoProblems());
    EXPECT_TRUE(load.MatchesLog(server()));
  }
};

TEST_P(WinInetConcurrentRequests, SharedSessionAndConnectionFromManyThreadsAllArriveIntact) {
  hc::Covers({"WI-CONCURRENT-REQUESTS", "WI-CACHE-OFF"});
  SendConcurrently(kManyThreads, kManyRequestsPerThread);
}

TEST_P(WinInetConcurrentRequests, SixtyFourThreadsShareOneSessionAndOneConnectHandle) {
  hc::Covers({"WI-CONCURRENT-REQUESTS", "WI-CACHE-OFF"});
  SendConcurrently(kSharedHandleThreads, kSharedHandleRequestsPerThread);
}

TEST_P(WinInetConcurrentRequests, ManyThreadsRepeatedlyCreateRequestsOnOneConnectHandle) {
  hc::Covers({"WI-CONCURRENT-REQUESTS", "WI-CACHE-OFF"});
  // Many short request lifetimes per thread: HttpOpenRequest / InternetCloseHandle on children
  // of the shared connect handle overlap as often as possible.
  SendConcurrently(kRepeatThreads, kRepeatRequestsPerThread);
}

TEST_P(WinInetConcurrentRequests, RequestsFromManyThreadsAreAllInFlightAtOnce) {
  hc::Covers({"WI-CONCURRENT-REQUESTS"});
  // The per-server limit would hold requests back at the client: raised for this process (and
  // this test's fresh server) above their number, restored afterwards.
  DWORD limit = 0, error = 0;
  ASSERT_TRUE(hc::wininet::QueryGlobalDword(INTERNET_OPTION_MAX_CONNS_PER_SERVER, limit, error))
      << hc::wininet::ErrorName(error);
  ASSERT_TRUE(hc::wininet::SetGlobalDword(INTERNET_OPTION_MAX_CONNS_PER_SERVER, kInFlightThreads, error))
      << hc::wininet::ErrorName(error);
  ASSERT_TRUE(OpenConnection());
  const std::string gate = "concurrent";
  ::testing::AssertionResult all_parked = ::testing::AssertionFailure() << "the conductor did not run";
  hc::RequestLoad load;
  // kInFlightThreads threads send a synchronous request each through the shared session and
  // connect handle to the gate; one more thread waits until the server holds all of them at
  // once, then opens the gate.
  load.Run(kInFlightThreads + 1, kInFlightGangBound, [&](int t) {
    if (t == kInFlightThreads) {
      all_parked = server().AwaitParked(kInFlightThreads, kInFlightParkBound, gate,
                                        [&] { return static_cast<int>(load.sent().size()); });
      server().Release(gate);
      return;
    }
    const std::string query = "timeout_ms=" + std::to_string(kInFlightHoldMs) + "&t=" + std::to_string(t);
    const std::string target = "/hold/" + gate + "?" + query;
    const auto r =
        hc::wininet::SyncRequest(connect(), "GET", target, hc::wininet::kNoCacheFlags, transport());
    std::string problem =
        r.error != 0 ? target + ": " + r.Describe() : hc::EchoProblem(r.status, r.body, target);
    if (problem.empty() && !nlohmann::json::parse(r.body, nullptr, false).value("released", false))
      problem = target + ": answered without being released at the gate: " + r.body.substr(0, 200);
    load.Sent(t, {hc::LogKey("GET", "/hold/" + gate, query), problem});
  });
  EXPECT_TRUE(hc::wininet::SetGlobalDword(INTERNET_OPTION_MAX_CONNS_PER_SERVER, limit, error))
      << "restoring the limit " << limit << ": " << hc::wininet::ErrorName(error);
  EXPECT_TRUE(all_parked) << "the " << kInFlightThreads
                          << " requests were never all in flight at once: they took turns";
  EXPECT_TRUE(load.NoProblems());
  EXPECT_TRUE(load.MatchesLog(server()));
}

TEST_P(WinInetConcurrentRequests, SessionsAndConnectHandlesCreatedConcurrentlyAllWork) {
  hc::Covers({"WI-CONCURRENT-REQUESTS"});
  // The creation functions themselves, called at once: each thread opens its own session and
  // connect handle (the other half of "do not need to serialize access" when creating handles).
  const hc::Scenario& listener = server();
  hc::RequestLoad load;
  load.Run(kCreatorThreads, kGangBound, [&](int t) {
    Handle session = hc::wininet::OpenSession();
    Handle connect = session ? hc::wininet::Connect(session.get(), listener.port()) : nullptr;
    if (!connect)
      return load.Problem(t, "InternetOpen/InternetConnect: " + hc::wininet::ErrorName(GetLastError()));
    for (int r = 0; r < kCreatorRequestsPerThread; ++r)
      load.Sent(t, PatternGet(connect.get(), transport(), t, r));
  });
  EXPECT_TRUE(load.NoProblems());
  EXPECT_TRUE(load.MatchesLog(listener));
}

HC_OVER_TRANSPORTS(WinInetConcurrentRequests);

}  // namespace
