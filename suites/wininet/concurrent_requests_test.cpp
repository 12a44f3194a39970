// "WinInet thread safe?" (000): HTTP requests may be sent concurrently across threads, without
// serializing access to the InternetOpen and InternetConnect handles used to create them.
// Every body is checked byte for byte and the server's log must hold exactly the requests sent.
#include <gtest/gtest.h>

#include <mutex>
#include <string>
#include <vector>

#include "hc/catalogue.h"
#include "hc/localserver.h"
#include "hc/pattern_request.h"
#include "hc/request_log.h"
#include "hc/thread_gang.h"
#include "wininet_util.h"

namespace {

using namespace std::chrono_literals;
using hc::wininet::Handle;

// Threads released together and GETs per thread, per test.
constexpr int kManyThreads = 64;  // SharedSessionAndConnectionFromManyThreadsAllArriveIntact
constexpr int kManyRequestsPerThread = 4;
constexpr int kSixtyFourThreads = 64;  // SixtyFourThreadsShareOneSessionAndOneConnectHandle
constexpr int kSixtyFourRequestsPerThread = 2;
constexpr int kRepeatThreads = 64;           // ManyThreadsRepeatedlyCreateRequestsOnOneConnectHandle
constexpr int kRepeatRequestsPerThread = 8;  // 512 request lifetimes in all (16 x 16 = 256 before)
constexpr int kCreatorThreads = 64;          // SessionsAndConnectHandlesCreatedConcurrentlyAllWork
constexpr int kCreatorRequestsPerThread = 2;
constexpr auto kGangBound = 180s;

// Runs `threads` threads, released together, each sending `per_thread` GETs of pattern bodies
// through one shared session and one shared connect handle (no application lock around them).
void SendConcurrently(int threads, int per_thread) {
  hc::Scenario server;
  Handle session = hc::wininet::OpenSession();
  ASSERT_TRUE(session) << "InternetOpen: " << GetLastError();
  Handle connect(InternetConnectA(session.get(), "127.0.0.1", server.port(), nullptr, nullptr,
                                  INTERNET_SERVICE_HTTP, 0, 0));
  ASSERT_TRUE(connect) << "InternetConnect: " << GetLastError();

  std::mutex mu;
  std::vector<std::string> sent, failures;
  hc::RunGang(threads, kGangBound, [&](int t) {
    for (int r = 0; r < per_thread; ++r) {
      const auto req = hc::PatternRequest::ForThread(t, r);
      auto response = hc::wininet::SyncRequest(connect.get(), "GET", req.target());
      const std::string problem = response.error != 0 ? req.target() + ": " + response.Describe()
                                                      : req.Problem(response.status, response.body);
      std::lock_guard lock(mu);
      sent.push_back(hc::LogKey("GET", req.path, req.query));
      if (!problem.empty())
        failures.push_back("thread " + std::to_string(t) + " " + problem);
    }
  });
  EXPECT_TRUE(failures.empty()) << failures.size() << " of " << threads * per_thread
                                << " requests failed, first: " << (failures.empty() ? "" : failures.front());
  EXPECT_TRUE(hc::LogMatches(server.Log(), sent));
}

TEST(WinInetConcurrentRequests, SharedSessionAndConnectionFromManyThreadsAllArriveIntact) {
  hc::Covers({"WI-CONCURRENT-REQUESTS", "WI-CACHE-OFF"});
  SendConcurrently(kManyThreads, kManyRequestsPerThread);
}

TEST(WinInetConcurrentRequests, SixtyFourThreadsShareOneSessionAndOneConnectHandle) {
  hc::Covers({"WI-CONCURRENT-REQUESTS", "WI-CACHE-OFF"});
  SendConcurrently(kSixtyFourThreads, kSixtyFourRequestsPerThread);
}

TEST(WinInetConcurrentRequests, ManyThreadsRepeatedlyCreateRequestsOnOneConnectHandle) {
  hc::Covers({"WI-CONCURRENT-REQUESTS", "WI-CACHE-OFF"});
  // Many short request lifetimes per thread: HttpOpenRequest / InternetCloseHandle on children
  // of the shared connect handle overlap as often as possible.
  SendConcurrently(kRepeatThreads, kRepeatRequestsPerThread);
}

TEST(WinInetConcurrentRequests, SessionsAndConnectHandlesCreatedConcurrentlyAllWork) {
  hc::Covers({"WI-CONCURRENT-REQUESTS"});
  // The creation functions themselves, called at once: each thread opens its own session and
  // connect handle (the other half of "do not need to serialize access" when creating handles).
  hc::Scenario server;
  std::mutex mu;
  std::vector<std::string> sent, failures;
  hc::RunGang(kCreatorThreads, kGangBound, [&](int t) {
    Handle session = hc::wininet::OpenSession();
    Handle connect(session ? InternetConnectA(session.get(), "127.0.0.1", server.port(), nullptr, nullptr,
                                              INTERNET_SERVICE_HTTP, 0, 0)
                           : nullptr);
    if (!connect) {
      std::lock_guard lock(mu);
      failures.push_back("thread " + std::to_string(t) + ": InternetOpen/InternetConnect error " +
                         std::to_string(GetLastError()));
      return;
    }
    for (int r = 0; r < kCreatorRequestsPerThread; ++r) {
      const auto req = hc::PatternRequest::ForThread(t, r);
      auto response = hc::wininet::SyncRequest(connect.get(), "GET", req.target());
      const std::string problem = response.error != 0 ? req.target() + ": " + response.Describe()
                                                      : req.Problem(response.status, response.body);
      std::lock_guard lock(mu);
      sent.push_back(hc::LogKey("GET", req.path, req.query));
      if (!problem.empty())
        failures.push_back("thread " + std::to_string(t) + " " + problem);
    }
  });
  EXPECT_TRUE(failures.empty()) << failures.size()
                                << " failures, first: " << (failures.empty() ? "" : failures.front());
  EXPECT_TRUE(hc::LogMatches(server.Log(), sent));
}

}  // namespace
