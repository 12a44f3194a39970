// "WinInet thread safe?" (000): HTTP requests may be sent concurrently across threads, without
// serializing access to the InternetOpen and InternetConnect handles used to create them.
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

constexpr int kThreads = 32;
constexpr int kRequestsPerThread = 4;

TEST(WinInetConcurrentRequests, SharedSessionAndConnectionFromManyThreadsAllArriveIntact) {
  hc::Covers({"WI-CONCURRENT-REQUESTS", "WI-CACHE-OFF"});
  hc::Scenario server;
  Handle session = hc::wininet::OpenSession();
  ASSERT_TRUE(session) << "InternetOpen: " << GetLastError();
  Handle connect(InternetConnectA(session.get(), "127.0.0.1", server.port(), nullptr, nullptr,
                                  INTERNET_SERVICE_HTTP, 0, 0));
  ASSERT_TRUE(connect) << "InternetConnect: " << GetLastError();

  std::mutex mu;
  std::vector<std::string> sent, failures;
  hc::RunGang(kThreads, 90s, [&](int t) {
    for (int r = 0; r < kRequestsPerThread; ++r) {
      const auto req = hc::PatternRequest::ForThread(t, r);
      auto response = hc::wininet::SyncRequest(connect.get(), "GET", req.target());
      const std::string problem =
          response.error != 0 ? req.target() + ": " + response.Describe() : req.Problem(response.status, response.body);
      std::lock_guard lock(mu);
      sent.push_back(hc::LogKey("GET", req.path, req.query));
      if (!problem.empty()) failures.push_back("thread " + std::to_string(t) + " " + problem);
    }
  });
  EXPECT_TRUE(failures.empty()) << failures.size() << " of " << kThreads * kRequestsPerThread
                                << " requests failed, first: " << failures.front();
  EXPECT_TRUE(hc::LogMatches(server.Log(), sent));
}

}  // namespace
