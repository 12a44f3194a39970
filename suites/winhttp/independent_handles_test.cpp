// "Concurrency in WinHTTP" (001), Independent handles: WinHttpSendRequest, WinHttpWriteData,
// WinHttpReceiveResponse, WinHttpReadData and WinHttpCloseHandle may be called by many threads at
// once when each thread uses its own handle. Synchronous and asynchronous, GET and POST with
// written bodies, content-length and chunked responses: every body is checked byte for byte and
// the server's log must hold exactly the requests sent, none lost, none duplicated.
#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "hc/catalogue.h"
#include "hc/latch.h"
#include "hc/localserver.h"
#include "hc/pattern_request.h"
#include "hc/request_log.h"
#include "hc/thread_gang.h"
#include "request_mix.h"
#include "winhttp_util.h"

namespace {

using namespace std::chrono_literals;
using hc::winhttp::Handle;
using hc::winhttp::mix::Chunked;
using hc::winhttp::mix::EchoProblem;
using hc::winhttp::mix::kWriteChunk;
using hc::winhttp::mix::PostQuery;
using hc::winhttp::mix::PostSeed;
using hc::winhttp::mix::PostSize;

constexpr int kThreads = 64;
constexpr int kRequestsPerThread = 2;
constexpr auto kGangTimeout = 60s;
constexpr auto kStepTimeout = 20s;

class Collector {
 public:
  void Sent(std::string key) {
    std::lock_guard lock(mu_);
    sent_.push_back(std::move(key));
  }
  void Problem(int t, const std::string& p) {
    if (p.empty())
      return;
    std::lock_guard lock(mu_);
    problems_.push_back("thread " + std::to_string(t) + ": " + p);
  }
  const std::vector<std::string>& sent() const { return sent_; }
  ::testing::AssertionResult NoProblems(std::size_t total) const {
    if (problems_.empty())
      return ::testing::AssertionSuccess();
    auto f = ::testing::AssertionFailure() << problems_.size() << " of " << total << " requests failed:";
    for (std::size_t i = 0; i < problems_.size() && i < 10; ++i)
      f << "\n  " << problems_[i];
    return f;
  }

 private:
  std::mutex mu_;
  std::vector<std::string> sent_, problems_;
};

// kThreads threads each send kRequestsPerThread synchronous GETs (make(t, r)) on their own
// request handles; every body is checked and the server must log exactly what was sent.
void SyncGetsFromManyThreads(const hc::Scenario& server, HINTERNET connect,
                             hc::PatternRequest (*make)(int thread, int r)) {
  Collector c;
  hc::RunGang(kThreads, kGangTimeout, [&](int t) {
    for (int r = 0; r < kRequestsPerThread; ++r) {
      const auto req = make(t, r);
      c.Sent(hc::LogKey("GET", req.path, req.query));
      auto response = hc::winhttp::SyncRequest(connect, L"GET", req.target());
      c.Problem(t, response.error != 0 ? req.target() + ": " + response.Describe()
                                       : req.Problem(response.status, response.body));
    }
  });
  EXPECT_TRUE(c.NoProblems(kThreads * kRequestsPerThread));
  EXPECT_TRUE(hc::LogMatches(server.Log(), c.sent()));
}

TEST(WinHttpIndependentHandles, SyncGetsOnSeparateRequestsFromManyThreadsAllArriveIntact) {
  hc::Covers({"WH-INDEPENDENT", "WH-CREATE-REQUEST"});
  hc::Scenario server;
  Handle session = hc::winhttp::OpenSyncSession();
  ASSERT_TRUE(session) << "WinHttpOpen: " << GetLastError();
  Handle connect(WinHttpConnect(session.get(), server.host().c_str(), server.port(), 0));
  ASSERT_TRUE(connect) << "WinHttpConnect: " << GetLastError();

  SyncGetsFromManyThreads(server, connect.get(),
                          [](int t, int r) { return hc::PatternRequest::ForThread(t, r); });
}

TEST(WinHttpIndependentHandles, SyncChunkedResponsesFromManyThreadsArriveIntact) {
  hc::Covers({"WH-INDEPENDENT"});
  hc::Scenario server;
  Handle session = hc::winhttp::OpenSyncSession();
  ASSERT_TRUE(session) << "WinHttpOpen: " << GetLastError();
  Handle connect(WinHttpConnect(session.get(), server.host().c_str(), server.port(), 0));
  ASSERT_TRUE(connect) << "WinHttpConnect: " << GetLastError();

  SyncGetsFromManyThreads(server, connect.get(), Chunked);
}

TEST(WinHttpIndependentHandles, SyncPostsWrittenFromManyThreadsAreEchoedIntact) {
  hc::Covers({"WH-INDEPENDENT"});
  hc::Scenario server;
  Handle session = hc::winhttp::OpenSyncSession();
  ASSERT_TRUE(session) << "WinHttpOpen: " << GetLastError();
  Handle connect(WinHttpConnect(session.get(), server.host().c_str(), server.port(), 0));
  ASSERT_TRUE(connect) << "WinHttpConnect: " << GetLastError();

  Collector c;
  hc::RunGang(kThreads, kGangTimeout, [&](int t) {
    for (int r = 0; r < kRequestsPerThread; ++r) {
      const std::string body = hc::winhttp::TextBody(PostSeed(t, r), PostSize(t, r));
      const std::string target = "/anything?" + PostQuery(t, r);
      c.Sent(hc::LogKey("POST", "/anything", PostQuery(t, r)));
      auto response = hc::winhttp::SyncRequestWritten(connect.get(), L"POST", target, body, kWriteChunk);
      c.Problem(t, response.error != 0 ? target + ": " + response.Describe()
                                       : EchoProblem(target, response.status, response.body, body));
    }
  });
  EXPECT_TRUE(c.NoProblems(kThreads * kRequestsPerThread));
  EXPECT_TRUE(hc::LogMatches(server.Log(), c.sent()));
}

TEST(WinHttpIndependentHandles, AsyncRequestsDrivenFromManyThreadsEachOnItsOwnHandleArriveIntact) {
  hc::Covers({"WH-INDEPENDENT"});
  hc::Scenario server;
  hc::winhttp::CallbackSession client(server);
  ASSERT_TRUE(client.ok()) << client.setup_error();

  Collector c;
  hc::RunGang(kThreads, kGangTimeout, [&](int t) {
    for (int r = 0; r < kRequestsPerThread; ++r) {
      const auto a = hc::winhttp::mix::MakeCase(t, r);
      auto& x = client.hub().Make<hc::winhttp::Exchange>(a.spec);
      c.Sent(a.log_key);
      // This thread issues every call (send, write, receive, query, read, close) on its own handle
      // and waits for each completion callback before the next.
      if (!x.RunOnThisThread(client.connect(), kStepTimeout)) {
        c.Problem(t, "no completion within " + std::to_string(kStepTimeout.count()) + " ms: " + x.Describe());
        x.Close();
        continue;
      }
      const auto res = x.result();
      c.Problem(t, res.error != 0 ? x.Describe() : a.check(res));
    }
  });
  EXPECT_TRUE(c.NoProblems(kThreads * kRequestsPerThread)) << client.recorder().Dump(100);
  EXPECT_TRUE(hc::LogMatches(server.Log(), c.sent()));
  EXPECT_TRUE(client.hub().AwaitAllClosed(10s));
}

TEST(WinHttpIndependentHandles, CloseFromManyThreadsAtOnceEachOnItsOwnHandle) {
  hc::Covers({"WH-INDEPENDENT", "WH-CH-SYNCHRONOUS", "WH-CH-CLOSING-LAST"});
  hc::Scenario server;
  hc::winhttp::CallbackSession client(server, 0);  // synchronous session, callbacks recorded
  ASSERT_TRUE(client.ok()) << client.setup_error();

  std::vector<hc::winhttp::Context*> contexts;
  for (int t = 0; t < kThreads; ++t)
    contexts.push_back(&client.hub().Make<hc::winhttp::Context>());
  hc::Latch before_close(kThreads);
  Collector c;
  std::vector<BOOL> closed(kThreads, FALSE);
  hc::RunGang(kThreads, kGangTimeout, [&](int t) {
    auto& ctx = *contexts[static_cast<std::size_t>(t)];
    const auto req = hc::PatternRequest::ForThread(t, 0);
    const std::wstring object = hc::winhttp::Widen(req.target());
    HINTERNET h = WinHttpOpenRequest(client.connect(), L"GET", object.c_str(), nullptr, WINHTTP_NO_REFERER,
                                     WINHTTP_DEFAULT_ACCEPT_TYPES, 0);
    if (h == nullptr) {
      c.Problem(t, "WinHttpOpenRequest: " + hc::winhttp::ErrorName(GetLastError()));
      before_close.ArriveAndWait();
      return;
    }
    ctx.Bind(h);
    c.Sent(hc::LogKey("GET", req.path, req.query));
    std::string body;
    DWORD error = 0;
    if (!WinHttpSendRequest(h, WINHTTP_NO_ADDITIONAL_HEADERS, 0, WINHTTP_NO_REQUEST_DATA, 0, 0,
                            ctx.value()) ||
        !WinHttpReceiveResponse(h, nullptr) || !hc::winhttp::ReadAll(h, body, error))
      c.Problem(t, req.target() + ": " + hc::winhttp::ErrorName(error ? error : GetLastError()));
    else
      c.Problem(t, req.Problem(200, body));
    before_close.ArriveAndWait();  // all 64 handles are closed at the same moment
    closed[static_cast<std::size_t>(t)] = ctx.Close();
  });
  EXPECT_TRUE(c.NoProblems(kThreads));
  for (int t = 0; t < kThreads; ++t)
    EXPECT_TRUE(closed[static_cast<std::size_t>(t)]) << "WinHttpCloseHandle of thread " << t;
  ASSERT_TRUE(client.hub().AwaitAllClosed(10s));
  for (int t = 0; t < kThreads; ++t) {
    const auto& ctx = *contexts[static_cast<std::size_t>(t)];
    EXPECT_EQ(ctx.closing_count.load(), 1) << "HANDLE_CLOSING notifications for the request of thread " << t;
    EXPECT_EQ(ctx.after_closing.load(), 0) << "notifications after HANDLE_CLOSING, thread " << t;
  }
  EXPECT_EQ(client.hub().dead_context_callbacks.load(), 0);
  EXPECT_TRUE(hc::LogMatches(server.Log(), c.sent()));
}

}  // namespace
