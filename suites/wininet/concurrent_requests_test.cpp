// "WinInet thread safe?" (000): HTTP requests may be sent concurrently across threads, without
// serializing access to the InternetOpen and InternetConnect handles used to create them.
// Every body is checked byte for byte and the server's log must hold exactly the requests sent.
#include <gtest/gtest.h>

#include <string>

#include "hc/catalogue.h"
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
constexpr auto kGangBound = 180s;

// The pattern GET r of thread t on connect, and what was wrong with its response.
hc::SentRequest PatternGet(HINTERNET connect, int t, int r) {
  const auto req = hc::PatternRequest::ForThread(t, r);
  return {hc::LogKey("GET", req.path, req.query),
          req.Check(hc::wininet::SyncRequest(connect, "GET", req.target()))};
}

class WinInetConcurrentRequests : public hc::wininet::SuiteTest {
 protected:
  // `threads` threads, released together, each send `per_thread` GETs of pattern bodies through
  // one shared session and one shared connect handle (no application lock around them).
  void SendConcurrently(int threads, int per_thread) {
    ASSERT_TRUE(OpenConnection());
    hc::RequestLoad load;
    load.Run(threads, per_thread, kGangBound, [&](int t, int r) { return PatternGet(connect(), t, r); });
    EXPECT_TRUE(load.NoProblems());
    EXPECT_TRUE(load.MatchesLog(server()));
  }
};

TEST_F(WinInetConcurrentRequests, SharedSessionAndConnectionFromManyThreadsAllArriveIntact) {
  hc::Covers({"WI-CONCURRENT-REQUESTS", "WI-CACHE-OFF"});
  SendConcurrently(kManyThreads, kManyRequestsPerThread);
}

TEST_F(WinInetConcurrentRequests, SixtyFourThreadsShareOneSessionAndOneConnectHandle) {
  hc::Covers({"WI-CONCURRENT-REQUESTS", "WI-CACHE-OFF"});
  SendConcurrently(kSharedHandleThreads, kSharedHandleRequestsPerThread);
}

TEST_F(WinInetConcurrentRequests, ManyThreadsRepeatedlyCreateRequestsOnOneConnectHandle) {
  hc::Covers({"WI-CONCURRENT-REQUESTS", "WI-CACHE-OFF"});
  // Many short request lifetimes per thread: HttpOpenRequest / InternetCloseHandle on children
  // of the shared connect handle overlap as often as possible.
  SendConcurrently(kRepeatThreads, kRepeatRequestsPerThread);
}

TEST_F(WinInetConcurrentRequests, SessionsAndConnectHandlesCreatedConcurrentlyAllWork) {
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
      load.Sent(t, PatternGet(connect.get(), t, r));
  });
  EXPECT_TRUE(load.NoProblems());
  EXPECT_TRUE(load.MatchesLog(listener));
}

}  // namespace
