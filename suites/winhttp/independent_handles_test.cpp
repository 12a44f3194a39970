// "Concurrency in WinHTTP" (001): functions that take a handle may be called by many threads at
// once when each thread uses its own handle; WinHttpOpenRequest may be called by many threads at
// once on one connection handle.
#include <gtest/gtest.h>

#include <mutex>
#include <string>
#include <vector>

#include "hc/catalogue.h"
#include "hc/localserver.h"
#include "hc/pattern_request.h"
#include "hc/request_log.h"
#include "hc/thread_gang.h"
#include "winhttp_util.h"

namespace {

using namespace std::chrono_literals;
using hc::winhttp::Handle;

constexpr int kThreads = 32;
constexpr int kRequestsPerThread = 4;

TEST(WinHttpIndependentHandles, SyncGetsOnSeparateRequestsFromManyThreadsAllArriveIntact) {
  hc::Covers({"WH-INDEPENDENT", "WH-CREATE-REQUEST"});
  hc::Scenario server;
  Handle session = hc::winhttp::OpenSyncSession();
  ASSERT_TRUE(session) << "WinHttpOpen: " << GetLastError();
  Handle connect(WinHttpConnect(session.get(), server.host().c_str(), server.port(), 0));
  ASSERT_TRUE(connect) << "WinHttpConnect: " << GetLastError();

  std::mutex mu;
  std::vector<std::string> sent, failures;
  hc::RunGang(kThreads, 60s, [&](int t) {
    for (int r = 0; r < kRequestsPerThread; ++r) {
      const auto req = hc::PatternRequest::ForThread(t, r);
      auto response = hc::winhttp::SyncRequest(connect.get(), L"GET", req.target());
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
