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
#include "hc/localserver.h"
#include "hc/pattern_request.h"
#include "hc/request_log.h"
#include "hc/thread_gang.h"
#include "winhttp_util.h"

namespace {

using namespace std::chrono_literals;
using hc::winhttp::Handle;

constexpr int kThreads = 64;
constexpr int kRequestsPerThread = 2;
constexpr std::size_t kWriteChunk = 1000;   // WinHttpWriteData piece size for POST bodies
constexpr std::size_t kStreamChunk = 997;   // /stream-bytes chunk size: many chunks per body
constexpr auto kGangTimeout = 60s;
constexpr auto kStepTimeout = 20s;

std::string PostQuery(int t, int r) { return "thread=" + std::to_string(t) + "&r=" + std::to_string(r); }
std::uint64_t PostSeed(int t, int r) { return static_cast<std::uint64_t>(t) * 1000 + static_cast<std::uint64_t>(r) + 7; }
std::size_t PostSize(int t, int r) { return 1 + (PostSeed(t, r) * 7919) % 12000; }

hc::PatternRequest Chunked(int t, int r) {
  auto req = hc::PatternRequest::ForThread(t, r, "/stream-bytes/");
  req.query += "&chunk_size=" + std::to_string(kStreamChunk);
  return req;
}

// Empty when body is /anything's echo of a POST carrying `sent`.
std::string EchoProblem(const std::string& what, unsigned long status, const std::string& body, const std::string& sent) {
  if (status != 200) return what + ": status " + std::to_string(status);
  const auto echo = nlohmann::json::parse(body, nullptr, false);
  if (echo.is_discarded()) return what + ": echo is not JSON: " + body.substr(0, 120);
  const std::string data = echo.value("data", std::string());
  if (echo.value("method", "") != "POST") return what + ": echoed method " + echo.value("method", "");
  if (data != sent) {
    std::size_t at = 0;
    while (at < data.size() && at < sent.size() && data[at] == sent[at]) ++at;
    return what + ": server received " + std::to_string(data.size()) + " bytes, sent " + std::to_string(sent.size()) +
           ", first difference at " + std::to_string(at);
  }
  return "";
}

class Collector {
 public:
  void Sent(std::string key) {
    std::lock_guard lock(mu_);
    sent_.push_back(std::move(key));
  }
  void Problem(int t, const std::string& p) {
    if (p.empty()) return;
    std::lock_guard lock(mu_);
    problems_.push_back("thread " + std::to_string(t) + ": " + p);
  }
  const std::vector<std::string>& sent() const { return sent_; }
  ::testing::AssertionResult NoProblems(std::size_t total) const {
    if (problems_.empty()) return ::testing::AssertionSuccess();
    auto f = ::testing::AssertionFailure() << problems_.size() << " of " << total << " requests failed:";
    for (std::size_t i = 0; i < problems_.size() && i < 10; ++i) f << "\n  " << problems_[i];
    return f;
  }

 private:
  std::mutex mu_;
  std::vector<std::string> sent_, problems_;
};

TEST(WinHttpIndependentHandles, SyncGetsOnSeparateRequestsFromManyThreadsAllArriveIntact) {
  hc::Covers({"WH-INDEPENDENT", "WH-CREATE-REQUEST"});
  hc::Scenario server;
  Handle session = hc::winhttp::OpenSyncSession();
  ASSERT_TRUE(session) << "WinHttpOpen: " << GetLastError();
  Handle connect(WinHttpConnect(session.get(), server.host().c_str(), server.port(), 0));
  ASSERT_TRUE(connect) << "WinHttpConnect: " << GetLastError();

  Collector c;
  hc::RunGang(kThreads, kGangTimeout, [&](int t) {
    for (int r = 0; r < kRequestsPerThread; ++r) {
      const auto req = hc::PatternRequest::ForThread(t, r);
      c.Sent(hc::LogKey("GET", req.path, req.query));
      auto response = hc::winhttp::SyncRequest(connect.get(), L"GET", req.target());
      c.Problem(t, response.error != 0 ? req.target() + ": " + response.Describe() : req.Problem(response.status, response.body));
    }
  });
  EXPECT_TRUE(c.NoProblems(kThreads * kRequestsPerThread));
  EXPECT_TRUE(hc::LogMatches(server.Log(), c.sent()));
}

TEST(WinHttpIndependentHandles, SyncChunkedResponsesFromManyThreadsArriveIntact) {
  hc::Covers({"WH-INDEPENDENT"});
  hc::Scenario server;
  Handle session = hc::winhttp::OpenSyncSession();
  ASSERT_TRUE(session) << "WinHttpOpen: " << GetLastError();
  Handle connect(WinHttpConnect(session.get(), server.host().c_str(), server.port(), 0));
  ASSERT_TRUE(connect) << "WinHttpConnect: " << GetLastError();

  Collector c;
  hc::RunGang(kThreads, kGangTimeout, [&](int t) {
    for (int r = 0; r < kRequestsPerThread; ++r) {
      const auto req = Chunked(t, r);
      c.Sent(hc::LogKey("GET", req.path, req.query));
      auto response = hc::winhttp::SyncRequest(connect.get(), L"GET", req.target());
      c.Problem(t, response.error != 0 ? req.target() + ": " + response.Describe() : req.Problem(response.status, response.body));
    }
  });
  EXPECT_TRUE(c.NoProblems(kThreads * kRequestsPerThread));
  EXPECT_TRUE(hc::LogMatches(server.Log(), c.sent()));
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

// The r-th asynchronous exchange of thread t: content-length GET, chunked GET or written POST.
struct AsyncCase {
  hc::winhttp::ExchangeSpec spec;
  std::string log_key;
  std::function<std::string(const hc::winhttp::Response&)> check;
};

AsyncCase MakeAsyncCase(int t, int r) {
  AsyncCase a;
  switch ((t + r) % 3) {
    case 0: {
      const auto req = hc::PatternRequest::ForThread(t, r);
      a.spec.target = req.target();
      a.log_key = hc::LogKey("GET", req.path, req.query);
      a.check = [req](const hc::winhttp::Response& res) { return req.Problem(res.status, res.body); };
      break;
    }
    case 1: {
      const auto req = Chunked(t, r);
      a.spec.target = req.target();
      a.log_key = hc::LogKey("GET", req.path, req.query);
      a.check = [req](const hc::winhttp::Response& res) { return req.Problem(res.status, res.body); };
      break;
    }
    default: {
      a.spec.verb = L"POST";
      a.spec.target = "/anything?" + PostQuery(t, r);
      a.spec.body = hc::winhttp::TextBody(PostSeed(t, r), PostSize(t, r));
      a.spec.write_chunk = kWriteChunk;
      a.log_key = hc::LogKey("POST", "/anything", PostQuery(t, r));
      const std::string target = a.spec.target, body = a.spec.body;
      a.check = [target, body](const hc::winhttp::Response& res) { return EchoProblem(target, res.status, res.body, body); };
      break;
    }
  }
  return a;
}

TEST(WinHttpIndependentHandles, AsyncRequestsDrivenFromManyThreadsEachOnItsOwnHandleArriveIntact) {
  hc::Covers({"WH-INDEPENDENT"});
  hc::Scenario server;
  hc::winhttp::CallbackSession client(server);
  ASSERT_TRUE(client.ok()) << client.setup_error();

  Collector c;
  hc::RunGang(kThreads, kGangTimeout, [&](int t) {
    for (int r = 0; r < kRequestsPerThread; ++r) {
      const AsyncCase a = MakeAsyncCase(t, r);
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
  for (int t = 0; t < kThreads; ++t) contexts.push_back(&client.hub().Make<hc::winhttp::Context>());
  hc::winhttp::Latch before_close(kThreads);
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
    if (!WinHttpSendRequest(h, WINHTTP_NO_ADDITIONAL_HEADERS, 0, WINHTTP_NO_REQUEST_DATA, 0, 0, ctx.value()) ||
        !WinHttpReceiveResponse(h, nullptr) || !hc::winhttp::ReadAll(h, body, error))
      c.Problem(t, req.target() + ": " + hc::winhttp::ErrorName(error ? error : GetLastError()));
    else
      c.Problem(t, req.Problem(200, body));
    before_close.ArriveAndWait();  // all 64 handles are closed at the same moment
    closed[static_cast<std::size_t>(t)] = ctx.Close();
  });
  EXPECT_TRUE(c.NoProblems(kThreads));
  for (int t = 0; t < kThreads; ++t) EXPECT_TRUE(closed[static_cast<std::size_t>(t)]) << "WinHttpCloseHandle of thread " << t;
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
