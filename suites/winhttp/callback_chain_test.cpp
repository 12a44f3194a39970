// "Concurrency in WinHTTP" (001), Asynchronous callbacks: when an operation completes and the
// completion callback runs, the application may begin another operation on that handle or close
// it. Here every step after WinHttpSendRequest (write, receive, query data, read, close, and even
// the next request) is taken inside completion callbacks, for many requests at once.
#include <gtest/gtest.h>

#include <atomic>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include "hc/catalogue.h"
#include "hc/localserver.h"
#include "hc/request_log.h"
#include "hc/thread_gang.h"
#include "hc/wait.h"
#include "request_mix.h"
#include "winhttp_test.h"

namespace {

using namespace std::chrono_literals;
using hc::winhttp::AsyncRequest;

constexpr int kRequests = 64;
constexpr int kChains = 64;  // chains started together, one per thread
constexpr int kLinks = 8;    // requests per chain, each started from the previous one's last callback
constexpr auto kGangBound = 60s;
constexpr auto kFinishBound = 60s;

class WinHttpCallbackChain : public hc::winhttp::TransportTest {};

TEST_P(WinHttpCallbackChain, EveryStepAfterTheSendIsTakenInsideCompletionCallbacks) {
  hc::Covers({"WH-CALLBACK-NEXT-OP", "WH-CLOSE-ASYNC-RULE", "WH-INDEPENDENT", "WH-CH-CLOSING-LAST"});
  ASSERT_TRUE(OpenCallbacks());

  std::vector<hc::winhttp::mix::Case> cases;
  std::vector<AsyncRequest*> xs;
  std::vector<std::string> sent;
  for (int t = 0; t < kRequests; ++t) {
    cases.push_back(hc::winhttp::mix::MakeCase(t, 0));
    cases.back().spec.transport = transport();
    sent.push_back(cases.back().log_key);
    xs.push_back(&client().owner().Make<AsyncRequest>(cases.back().spec));
  }
  // kRequests threads each start one request and return: no application thread calls WinHTTP again.
  hc::RunGang(kRequests, kGangBound,
              [&](int t) { xs[static_cast<std::size_t>(t)]->Start(client().connect()); });
  ASSERT_TRUE(hc::AwaitFinished(xs, kFinishBound));
  ASSERT_TRUE(hc::AwaitAllClosed(client().owner(), kFinishBound));
  int bad = 0;
  for (int t = 0; t < kRequests; ++t) {
    const auto& x = *xs[static_cast<std::size_t>(t)];
    const auto r = x.result();
    const std::string problem = r.error != 0 ? x.Describe() : cases[static_cast<std::size_t>(t)].check(r);
    if (!problem.empty() && ++bad <= 10)
      ADD_FAILURE() << problem;
    EXPECT_EQ(x.closing_count(), 1);
    EXPECT_EQ(x.after_closing(), 0);
  }
  EXPECT_EQ(bad, 0) << bad << " of " << kRequests << " callback-driven exchanges failed";
  EXPECT_EQ(client().owner().dead_context_callbacks(), 0) << client().recorder().Dump();
  EXPECT_TRUE(hc::LogMatches(server().Log(), sent));
}

TEST_P(WinHttpCallbackChain, EachNextRequestIsStartedFromThePreviousOnesLastCallback) {
  hc::Covers({"WH-CALLBACK-NEXT-OP", "WH-CREATE-REQUEST"});
  ASSERT_TRUE(OpenCallbacks());

  std::mutex mu;
  std::vector<std::string> sent, problems;
  std::atomic<int> chains_done{0};

  // Link `link` of chain `c`: when it ends (inside its last callback, after closing itself), it
  // checks its response and opens and starts the next link on the same connection.
  std::function<void(int, int)> start_link = [&](int c, int link) {
    auto mc = hc::winhttp::mix::MakeCase(c, link);
    mc.spec.transport = transport();
    auto& x = client().owner().Make<AsyncRequest>(mc.spec);
    {
      std::lock_guard lock(mu);
      sent.push_back(mc.log_key);
    }
    x.on_finished = [&, c, link, check = mc.check](AsyncRequest& self) {
      const auto r = self.result();
      const std::string problem = r.error != 0 ? self.Describe() : check(r);
      if (!problem.empty()) {
        std::lock_guard lock(mu);
        problems.push_back("chain " + std::to_string(c) + " link " + std::to_string(link) + ": " + problem);
      }
      if (link + 1 < kLinks)
        start_link(c, link + 1);
      else
        ++chains_done;
    };
    x.Start(client().connect());  // a synchronous failure also ends in on_finished
  };
  hc::RunGang(kChains, kGangBound, [&](int c) { start_link(c, 0); });
  ASSERT_TRUE(hc::WaitUntil([&] { return chains_done.load() == kChains; }, kFinishBound,
                            "every chain to reach its last link",
                            [&] { return client().recorder().Dump(300); }));
  std::string all_problems;
  for (const auto& p : problems)
    all_problems += "\n  " + p;
  EXPECT_TRUE(problems.empty()) << problems.size() << " links failed:" << all_problems;
  ASSERT_TRUE(hc::AwaitAllClosed(client().owner(), kFinishBound));
  EXPECT_EQ(client().owner().dead_context_callbacks(), 0) << client().recorder().Dump();
  EXPECT_TRUE(hc::LogMatches(server().Log(), sent));
}

HC_OVER_TRANSPORTS(WinHttpCallbackChain);

}  // namespace
