// "WinInet thread safe?" (000): "WinINet handles do not have any thread affinity, so you can
// access the same handle from different threads." Each chain creates its session, connect and
// request handles on thread A, sends and reads on thread B and closes everything on thread C;
// kChains chains run at once, their 3 x kChains threads released together. The threads stay
// alive until the end, so their ids are distinct.
#include <gtest/gtest.h>

#include <condition_variable>
#include <mutex>
#include <string>
#include <vector>

#include "hc/catalogue.h"
#include "hc/pattern_request.h"
#include "hc/request_log.h"
#include "hc/thread_gang.h"
#include "wininet_test.h"

namespace {

using namespace std::chrono_literals;

constexpr int kChains = 64;           // three threads each: 192 threads, 64 at each stage
constexpr int kRequestsPerChain = 3;  // the first is opened on A, the others on B
constexpr auto kHandOverBound = 60s;  // each wait for the previous stage
constexpr auto kAffinityGangBound = 180s;

// Handles and results passed along one chain.
struct Chain {
  std::mutex mu;
  std::condition_variable cv;
  int stage = 0;  // 1: created by A, 2: used by B, -1: a stage failed
  HINTERNET session = nullptr, connect = nullptr;
  std::vector<HINTERNET> requests;
  unsigned long creator = 0, user = 0, closer = 0;
  std::vector<std::string> problems;
  std::vector<std::string> sent;

  void Advance(int to) {
    {
      std::lock_guard lock(mu);
      stage = to;
    }
    cv.notify_all();
  }
  bool AwaitStage(int s) {
    std::unique_lock lock(mu);
    return cv.wait_for(lock, kHandOverBound, [&] { return stage == s || stage < 0; }) && stage == s;
  }
};

std::string Err(const char* call) {
  return std::string(call) + " failed: error " + hc::wininet::ErrorName(GetLastError());
}

void CreateOnA(Chain& c, int chain, std::uint16_t port) {
  c.creator = GetCurrentThreadId();
  c.session = hc::wininet::OpenSession().release();
  if (!c.session) {
    c.problems.push_back(Err("InternetOpen"));
    c.Advance(-1);
    return;
  }
  c.connect = hc::wininet::Connect(c.session, port).release();
  if (!c.connect) {
    c.problems.push_back(Err("InternetConnect"));
    c.Advance(-1);
    return;
  }
  const auto req = hc::PatternRequest::ForThread(chain, 0);
  HINTERNET r = hc::wininet::OpenRequest(c.connect, "GET", req.target());
  if (!r) {
    c.problems.push_back(Err("HttpOpenRequest"));
    c.Advance(-1);
    return;
  }
  c.requests.push_back(r);
  c.Advance(1);
}

void UseOnB(Chain& c, int chain) {
  c.user = GetCurrentThreadId();
  if (!c.AwaitStage(1)) {
    c.problems.emplace_back("B: the handles from A did not arrive within the bound");
    return;
  }
  for (int r = 0; r < kRequestsPerChain; ++r) {
    const auto req = hc::PatternRequest::ForThread(chain, r);
    if (r > 0) {
      // A further request on the connect handle that thread A created.
      HINTERNET h = hc::wininet::OpenRequest(c.connect, "GET", req.target());
      if (!h) {
        c.problems.push_back(Err("HttpOpenRequest on B"));
        break;
      }
      c.requests.push_back(h);
    }
    HINTERNET h = c.requests.back();
    c.sent.push_back(hc::LogKey("GET", req.path, req.query));
    if (!HttpSendRequestA(h, nullptr, 0, nullptr, 0)) {
      c.problems.push_back(Err("HttpSendRequest on B"));
      continue;
    }
    DWORD status = 0, size = sizeof(status);
    if (!HttpQueryInfoA(h, HTTP_QUERY_STATUS_CODE | HTTP_QUERY_FLAG_NUMBER, &status, &size, nullptr)) {
      c.problems.push_back(Err("HttpQueryInfo on B"));
      continue;
    }
    std::string body;
    DWORD error = 0;
    if (!hc::wininet::ReadAll(h, body, error)) {
      c.problems.push_back("InternetReadFile on B failed: error " + hc::wininet::ErrorName(error));
      continue;
    }
    if (auto p = req.Problem(status, body); !p.empty())
      c.problems.push_back(p);
  }
  c.Advance(2);
}

void CloseOnC(Chain& c) {
  c.closer = GetCurrentThreadId();
  if (!c.AwaitStage(2)) {
    c.problems.emplace_back("C: the handles from B did not arrive within the bound");
    return;
  }
  for (HINTERNET r : c.requests)
    if (!InternetCloseHandle(r))
      c.problems.push_back(Err("InternetCloseHandle(request) on C"));
  if (!InternetCloseHandle(c.connect))
    c.problems.push_back(Err("InternetCloseHandle(connect) on C"));
  if (!InternetCloseHandle(c.session))
    c.problems.push_back(Err("InternetCloseHandle(session) on C"));
}

class WinInetNoThreadAffinity : public hc::wininet::SuiteTest {};

TEST_F(WinInetNoThreadAffinity, HandlesCreatedOnOneThreadAreUsedOnASecondAndClosedOnAThird) {
  hc::Covers({"WI-NO-THREAD-AFFINITY", "WI-CONCURRENT-REQUESTS"});
  const std::uint16_t port = server().port();
  std::vector<Chain> chains(kChains);
  hc::RunGang(3 * kChains, kAffinityGangBound, [&](int i) {
    const int chain = i % kChains;
    switch (i / kChains) {
      case 0:
        CreateOnA(chains[static_cast<size_t>(chain)], chain, port);
        break;
      case 1:
        UseOnB(chains[static_cast<size_t>(chain)], chain);
        break;
      default:
        CloseOnC(chains[static_cast<size_t>(chain)]);
        break;
    }
  });

  std::vector<std::string> sent;
  for (int i = 0; i < kChains; ++i) {
    auto& c = chains[static_cast<size_t>(i)];
    EXPECT_TRUE(c.problems.empty()) << "chain " << i << ": " << c.problems.size()
                                    << " problems, first: " << (c.problems.empty() ? "" : c.problems.front());
    EXPECT_EQ(c.requests.size(), static_cast<size_t>(kRequestsPerChain)) << "chain " << i;
    EXPECT_NE(c.creator, c.user) << "chain " << i;
    EXPECT_NE(c.user, c.closer) << "chain " << i;
    EXPECT_NE(c.creator, c.closer) << "chain " << i;
    sent.insert(sent.end(), c.sent.begin(), c.sent.end());
  }
  EXPECT_EQ(sent.size(), static_cast<size_t>(kChains * kRequestsPerChain));
  EXPECT_TRUE(hc::LogMatches(server().Log(), sent));
}

}  // namespace
