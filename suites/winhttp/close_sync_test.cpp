// Closing synchronous requests. "Concurrency in WinHTTP" (001): a synchronous request's handle may
// be closed when no thread is inside a WinHTTP call on it, or from inside an informational callback
// for that handle. "WinHTTP Questions: async close on a sync request" (002): closing during a
// synchronous call is legitimate once a callback has been seen for the request. The closing is
// done here only in those two allowed ways (closing from another thread during the call is in
// suites/unsafe, in a child process).
#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "hc/catalogue.h"
#include "hc/expectation.h"
#include "hc/localserver.h"
#include "hc/request_log.h"
#include "hc/thread_gang.h"
#include "winhttp_test.h"

namespace {

using namespace std::chrono_literals;
using hc::winhttp::Context;
using hc::winhttp::ErrorName;
using hc::winhttp::StatusName;

constexpr int kThreads = 64;
constexpr int kPerStatus = 16;  // requests closed inside each of the 4 informational callbacks (64 threads)
constexpr auto kSyncCloseGangBound = 60s;
constexpr auto kClosingBound = 30s;

class WinHttpCloseSync : public hc::winhttp::TransportTest {};

// Sends the request and receives its response headers, leaving a large body unread; then, with no
// call in flight, closes the handle. The connection handle must keep working afterwards.
TEST_P(WinHttpCloseSync, ClosingBetweenCallsWithTheBodyUnreadFromManyThreads) {
  hc::Covers({"WH-CLOSE-SYNC-RULE", "WH-INDEPENDENT", "WH-CH-SYNCHRONOUS", "WH-CH-CLOSING-LAST"});
  ASSERT_TRUE(OpenCallbacks({.async = false}));  // synchronous session, callbacks recorded

  std::vector<Context*> contexts;
  for (int t = 0; t < kThreads; ++t)
    contexts.push_back(&client().owner().Make<Context>());
  std::mutex mu;
  std::vector<std::string> problems, sent;
  hc::RunGang(kThreads, kSyncCloseGangBound, [&](int t) {
    auto& ctx = *contexts[static_cast<std::size_t>(t)];
    auto problem = [&](const std::string& p) {
      std::lock_guard lock(mu);
      problems.push_back("thread " + std::to_string(t) + ": " + p);
    };
    const std::string query = "seed=" + std::to_string(t);
    HINTERNET h =
        hc::winhttp::OpenRequest(client().connect(), L"GET", "/bytes/1000000?" + query, transport());
    if (h == nullptr)
      return problem("WinHttpOpenRequest: " + ErrorName(GetLastError()));
    ctx.Bind(h);
    {
      std::lock_guard lock(mu);
      sent.push_back(hc::LogKey("GET", "/bytes/1000000", query));
      sent.push_back(hc::LogKey("GET", "/get", "after=" + std::to_string(t)));
    }
    if (!WinHttpSendRequest(h, WINHTTP_NO_ADDITIONAL_HEADERS, 0, WINHTTP_NO_REQUEST_DATA, 0, 0,
                            ctx.value()) ||
        !WinHttpReceiveResponse(h, nullptr))
      problem("send/receive: " + ErrorName(GetLastError()));
    // No call is in flight on h: closing is allowed, with most of the body still unread.
    if (!ctx.Close())
      problem("WinHttpCloseHandle: " + ErrorName(GetLastError()));
    const auto after = hc::winhttp::SyncRequest(client().connect(), L"GET", "/get?after=" + std::to_string(t),
                                                "", transport());
    if (after.error != 0 || after.status != 200)
      problem("request after the close: " + after.Describe());
  });
  std::string all;
  for (const auto& p : problems)
    all += "\n  " + p;
  EXPECT_TRUE(problems.empty()) << all;
  ASSERT_TRUE(hc::AwaitAllClosed(client().owner(), kClosingBound));
  for (const auto* c : contexts) {
    EXPECT_EQ(c->closing_count(), 1);
    EXPECT_EQ(c->after_closing(), 0);
  }
  EXPECT_EQ(client().owner().dead_context_callbacks(), 0);
  EXPECT_TRUE(hc::LogMatches(server().Log(), sent));
}

// A context that closes its request from inside the first informational callback with `status`,
// then uses the closed handle in that same callback.
class CloseOnStatus : public Context {
 public:
  CloseOnStatus(hc::ContextOwner& owner, DWORD status) : Context(owner), status_(status) {}
  void OnStatus(HINTERNET h, DWORD status, void*, DWORD) override {
    if (status != status_ || h != handle() || claimed.exchange(true))
      return;
    in_thread = GetCurrentThreadId();
    closed_in_callback = Close();
    DWORD_PTR value = 0;
    DWORD size = sizeof(value);
    use_ok = WinHttpQueryOption(h, WINHTTP_OPTION_CONTEXT_VALUE, &value, &size);
    use_error = use_ok ? 0 : GetLastError();
  }
  DWORD target() const { return status_; }
  std::atomic<bool> claimed{false};
  std::atomic<BOOL> closed_in_callback{FALSE};
  std::atomic<BOOL> use_ok{FALSE};
  std::atomic<DWORD> use_error{0};
  std::atomic<DWORD> in_thread{0};

 private:
  DWORD status_;
};

TEST_P(WinHttpCloseSync, ClosingInsideAnInformationalCallbackEndsTheCallCleanly) {
  hc::Covers({"WH-CLOSE-SYNC-RULE", "WH-SYNC-CANCEL-AFTER-CALLBACK", "WH-CALLBACK-HANDLE-USE",
              "WH-CH-CLOSING-LAST", "WH-CH-CONTEXT-UNTIL-CLOSING"});
  ASSERT_TRUE(OpenCallbacks({.async = false}));
  const std::vector<DWORD> statuses = {
      WINHTTP_CALLBACK_STATUS_SENDING_REQUEST, WINHTTP_CALLBACK_STATUS_REQUEST_SENT,
      WINHTTP_CALLBACK_STATUS_RECEIVING_RESPONSE, WINHTTP_CALLBACK_STATUS_RESPONSE_RECEIVED};
  std::vector<CloseOnStatus*> contexts;
  for (DWORD s : statuses)
    for (int k = 0; k < kPerStatus; ++k)
      contexts.push_back(&client().owner().Make<CloseOnStatus>(s));

  struct Outcome {
    std::string call;  // the call in flight when the callback closed the handle
    BOOL returned = FALSE;
    DWORD error = 0;
    DWORD thread = 0;
  };
  std::vector<Outcome> outcomes(contexts.size());
  std::mutex mu;
  std::vector<std::string> problems;
  hc::RunGang(static_cast<int>(contexts.size()), kSyncCloseGangBound, [&](int i) {
    auto& ctx = *contexts[static_cast<std::size_t>(i)];
    auto& out = outcomes[static_cast<std::size_t>(i)];
    out.thread = GetCurrentThreadId();
    HINTERNET h = hc::winhttp::OpenRequest(client().connect(), L"GET",
                                           "/bytes/5000?seed=" + std::to_string(i), transport());
    if (h == nullptr) {
      std::lock_guard lock(mu);
      problems.push_back("WinHttpOpenRequest: " + ErrorName(GetLastError()));
      return;
    }
    ctx.Bind(h);
    // From here on, h is not used once the callback has closed it.
    out.call = "WinHttpSendRequest";
    out.returned =
        WinHttpSendRequest(h, WINHTTP_NO_ADDITIONAL_HEADERS, 0, WINHTTP_NO_REQUEST_DATA, 0, 0, ctx.value());
    out.error = out.returned ? 0 : GetLastError();
    if (ctx.claimed.load() || !out.returned) {
      if (!ctx.claimed.load())
        ctx.Close();
      return;
    }
    out.call = "WinHttpReceiveResponse";
    out.returned = WinHttpReceiveResponse(h, nullptr);
    out.error = out.returned ? 0 : GetLastError();
    if (ctx.claimed.load())
      return;
    out.call = "(no callback with that status)";
    std::string body;
    DWORD error = 0;
    hc::winhttp::ReadAll(h, body, error);
    ctx.Close();
  });
  EXPECT_TRUE(problems.empty()) << problems.front();
  ASSERT_TRUE(hc::AwaitAllClosed(client().owner(), kClosingBound));

  std::map<std::string, std::map<std::string, int>> seen;  // status -> "call: result" -> count
  int on_calling_thread = 0;
  for (std::size_t i = 0; i < contexts.size(); ++i) {
    const auto& ctx = *contexts[i];
    const auto& out = outcomes[i];
    const std::string name = StatusName(ctx.target());
    // The last call made says why not (a request that failed before that point, by its error).
    EXPECT_TRUE(ctx.claimed.load()) << "no " << name << " callback during the synchronous calls; " << out.call
                                    << (out.returned ? " returned TRUE" : " failed: " + ErrorName(out.error));
    if (!ctx.claimed.load())
      continue;
    // Allowed: the close inside the informational callback succeeds...
    EXPECT_TRUE(ctx.closed_in_callback.load()) << "WinHttpCloseHandle inside " << name;
    if (ctx.in_thread.load() == out.thread)
      ++on_calling_thread;  // recorded, not documented
    // ... the call in flight returns and reports what became of it ...
    if (!out.returned) {
      EXPECT_NE(out.error, 0u) << out.call << " returned FALSE without an error";
    }
    // ... and the handle's HANDLE_CLOSING comes once, last.
    EXPECT_EQ(ctx.closing_count(), 1) << name;
    EXPECT_EQ(ctx.after_closing(), 0) << name;
    ++seen[name][out.call + ": " + (out.returned ? std::string("TRUE") : "FALSE " + ErrorName(out.error)) +
                 ", handle use in callback " + (ctx.use_ok.load() ? "ok" : ErrorName(ctx.use_error.load()))];
  }
  EXPECT_EQ(client().owner().dead_context_callbacks(), 0) << client().recorder().Dump();
  // Closing inside the callback cancels the synchronous call in flight (002: "cancel ... once
  // you've seen some sort of callback"): it fails cleanly instead of completing on a closed handle.
  hc::CheckExpecting(
      hc::OnWine(
          "Wine 8.0 keeps a closed request alive until the synchronous call in flight ends (the "
          "object is reference-counted) and lets that call complete: it returns TRUE, nothing is cancelled"),
      [&] {
        for (std::size_t i = 0; i < contexts.size(); ++i)
          if (contexts[i]->claimed.load()) {
            EXPECT_FALSE(outcomes[i].returned) << outcomes[i].call << " completed although "
                                               << StatusName(contexts[i]->target()) << " closed its handle";
          }
      });
  RecordProperty("hc_sync_close_in_callback", nlohmann::json(seen).dump());
  RecordProperty("hc_sync_callbacks_on_calling_thread",
                 std::to_string(on_calling_thread) + " of " + std::to_string(contexts.size()));
  // Each request reached the server at most once; the connection still works.
  std::map<std::string, int> logged;
  for (const auto& e : server().Log())
    ++logged[e.value("query", std::string())];
  for (const auto& [q, n] : logged)
    EXPECT_EQ(n, 1) << "request ?" << q << " logged " << n << " times";
  const auto after = hc::winhttp::SyncRequest(client().connect(), L"GET", "/get?after=1", "", transport());
  EXPECT_TRUE(after.error == 0 && after.status == 200) << "request after the closes: " << after.Describe();
}

HC_OVER_TRANSPORTS(WinHttpCloseSync);

}  // namespace
