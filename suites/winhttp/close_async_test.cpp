// Closing asynchronous requests. "Concurrency in WinHTTP" (001): an asynchronous request may be
// closed when no thread is inside a call on it, or from inside an informational or completion
// callback; closing the handle of a pending operation requests its cancellation, and the
// operation may still complete. "WinHttpCloseHandle function" (004): the close is synchronous,
// HANDLE_CLOSING is the last callback, callbacks may arrive after the close returns, a request
// that could not complete reports REQUEST_ERROR, and the context must stay valid until
// HANDLE_CLOSING (checked by a canary in every callback; the context is poisoned, not freed, at
// HANDLE_CLOSING, so a late callback is counted instead of corrupting memory).
#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "hc/catalogue.h"
#include "hc/localserver.h"
#include "hc/request_log.h"
#include "hc/thread_gang.h"
#include "hc/wait.h"
#include "winhttp_test.h"

namespace {

using namespace std::chrono_literals;

using hc::winhttp::AsyncRequest;
using hc::winhttp::CallbackSession;

constexpr int kTrials = 64;  // requests closed while an operation is pending, one thread each
constexpr int kPerCallbackStatus =
    8;  // requests closed inside each of the 8 kinds of callback (64 started together)
constexpr int kFailingPerKind = 22;  // requests that fail, per way of failing (3 ways: 66 started together)
constexpr auto kParkBound = 30s;
constexpr auto kCloseBound = 30s;
constexpr auto kGangBound = 60s;
constexpr int kHoldMs = 30000;  // the server answers a request still held after this (504)

std::vector<hc::Notification> NotificationsOf(const hc::CallbackSession& client,
                                              const hc::winhttp::Context& c) {
  std::vector<hc::Notification> mine;
  for (const auto& n : client.recorder().Snapshot())
    if (n.context == static_cast<std::uintptr_t>(c.value()))
      mine.push_back(n);
  return mine;
}

bool Has(const std::vector<hc::Notification>& ns, DWORD status) {
  for (const auto& n : ns)
    if (n.status == status)
      return true;
  return false;
}

class WinHttpCloseAsync : public hc::winhttp::TransportTest {};
// Failures made by plain listeners of the test's own (a refused port, a raw listener): plain HTTP only.
class WinHttpCloseAsyncFailures : public hc::winhttp::SuiteTest {};

// HANDLE_CLOSING exactly once, nothing after it, and never a callback on a poisoned context.
void ExpectClosingLast(const hc::CallbackSession& client, const std::vector<AsyncRequest*>& xs) {
  for (const auto* x : xs) {
    EXPECT_EQ(x->closing_count(), 1) << "HANDLE_CLOSING for " << x->spec().target;
    EXPECT_EQ(x->after_closing(), 0) << "notifications after HANDLE_CLOSING for " << x->spec().target;
  }
  EXPECT_EQ(client.owner().dead_context_callbacks(), 0)
      << "callbacks with a context after its HANDLE_CLOSING:\n"
      << client.recorder().Dump();
}

TEST_P(WinHttpCloseAsync, ClosingDuringAPendingOperationCancelsOrCompletesIt) {
  hc::Covers({"WH-CANCEL-BY-CLOSE", "WH-CLOSE-ASYNC-RULE", "WH-CH-SYNCHRONOUS", "WH-CH-CLOSING-LAST",
              "WH-CH-CALLBACKS-AFTER-CLOSE", "WH-CH-CONTEXT-UNTIL-CLOSING"});
  ASSERT_TRUE(OpenCallbacks());

  std::vector<AsyncRequest*> xs;
  std::vector<std::string> sent;
  for (int i = 0; i < kTrials; ++i) {
    hc::winhttp::AsyncRequestSpec spec;
    spec.transport = transport();
    const std::string query = std::string("timeout_ms=").append(std::to_string(kHoldMs));
    spec.target = "/hold/c" + std::to_string(i) + "?" + query;
    sent.push_back(hc::LogKey("GET", "/hold/c" + std::to_string(i), query));
    auto& x = client().owner().Make<AsyncRequest>(spec);
    ASSERT_TRUE(x.Start(client().connect())) << x.Describe();
    xs.push_back(&x);
  }
  // Every request is now held by the server at its own gate, so an operation is pending on each:
  // the receive (Windows), or the send (Wine 8.0 completes WinHttpSendRequest only once the
  // response headers are in). Which one is recorded per trial.
  ASSERT_TRUE(hc::AwaitParkedUnlessFinished(server(), kTrials, kParkBound, "", xs))
      << client().recorder().Dump();
  std::vector<AsyncRequest::Phase> pending(xs.size());

  // Even trials: close first, then let the response go (cancellation is likely). Odd trials:
  // release the response, then close at once (the close races the completion). All at once.
  hc::RunGang(kTrials, kGangBound, [&](int i) {
    auto& x = *xs[static_cast<std::size_t>(i)];
    const std::string gate = std::string("c").append(std::to_string(i));
    pending[static_cast<std::size_t>(i)] = x.phase();
    if (i % 2 == 0) {
      x.Close();
      server().Release(gate);
    } else {
      server().Release(gate);
      x.Close();
    }
  });
  for (auto* x : xs)
    EXPECT_TRUE(x->close_result()) << "WinHttpCloseHandle of " << x->spec().target;
  ASSERT_TRUE(hc::AwaitAllClosed(client().owner(), kCloseBound));
  ExpectClosingLast(client(), xs);

  int completed = 0, cancelled = 0, neither = 0, late = 0, pending_send = 0, pending_receive = 0;
  std::map<std::string, int> errors;
  std::string unreported;
  for (std::size_t i = 0; i < xs.size(); ++i) {
    auto* x = xs[i];
    const auto ns = NotificationsOf(client(), *x);
    // The completion of the operation that was pending when the handle was closed.
    const bool sending = pending[i] == AsyncRequest::Phase::sending;
    (sending ? pending_send : pending_receive) += 1;
    const bool done = Has(ns, sending ? WINHTTP_CALLBACK_STATUS_SENDREQUEST_COMPLETE
                                      : WINHTTP_CALLBACK_STATUS_HEADERS_AVAILABLE);
    const bool error = Has(ns, WINHTTP_CALLBACK_STATUS_REQUEST_ERROR);
    if (done)
      ++completed;
    else if (error)
      ++cancelled;
    else {
      ++neither;
      unreported += "\n  " + x->Describe();
    }
    for (const auto& n : ns)
      if (n.status == WINHTTP_CALLBACK_STATUS_REQUEST_ERROR)
        ++errors[hc::winhttp::ErrorName(static_cast<DWORD>(n.value))];
    if (x->after_close_returned() > 0)
      ++late;
  }
  RecordProperty("hc_cancel_outcomes", nlohmann::json{{"trials", kTrials},
                                                      {"completed", completed},
                                                      {"cancelled", cancelled},
                                                      {"neither", neither},
                                                      {"errors", errors},
                                                      {"callbacks_after_close_returned", late},
                                                      {"pending_send", pending_send},
                                                      {"pending_receive", pending_receive}}
                                           .dump());
  // The pending operation either completed (its completion callback came) or, not able to complete, reported
  // REQUEST_ERROR: an operation that ends silently leaves the application waiting forever.
  EXPECT_EQ(neither, 0) << neither << " of " << kTrials
                        << " pending operations ended with neither their completion nor REQUEST_ERROR:"
                        << unreported << "\n"
                        << client().recorder().Dump();
  EXPECT_TRUE(hc::LogMatches(server().Log(), sent)) << "each held request reaches the server exactly once";
}

// Closes the request from inside the first callback with `status`, then uses the closed handle in
// that same callback (allowed: such calls may fail but are not unsafe).
struct CloseInCallback {
  DWORD status = 0;
  std::atomic<bool> claimed{false};  // the planned callback came and closes the handle
  std::atomic<bool> done{false};     // ... and has finished doing so
  std::atomic<BOOL> close_result{FALSE};
  std::atomic<BOOL> use_result{FALSE};
  std::atomic<DWORD> use_error{0};
  std::atomic<int> swallowed{0};  // completions after the close, not driven further
};

TEST_P(WinHttpCloseAsync, ClosingFromInsideInformationalAndCompletionCallbacks) {
  hc::Covers({"WH-CLOSE-ASYNC-RULE", "WH-CALLBACK-NEXT-OP", "WH-CALLBACK-HANDLE-USE", "WH-CH-CLOSING-LAST",
              "WH-CH-CONTEXT-UNTIL-CLOSING", "WH-CH-SYNCHRONOUS"});
  ASSERT_TRUE(OpenCallbacks());
  const std::vector<DWORD> statuses = {
      // informational
      WINHTTP_CALLBACK_STATUS_SENDING_REQUEST, WINHTTP_CALLBACK_STATUS_REQUEST_SENT,
      WINHTTP_CALLBACK_STATUS_RECEIVING_RESPONSE, WINHTTP_CALLBACK_STATUS_RESPONSE_RECEIVED,
      // completion
      WINHTTP_CALLBACK_STATUS_SENDREQUEST_COMPLETE, WINHTTP_CALLBACK_STATUS_HEADERS_AVAILABLE,
      WINHTTP_CALLBACK_STATUS_DATA_AVAILABLE, WINHTTP_CALLBACK_STATUS_READ_COMPLETE};

  std::vector<std::unique_ptr<CloseInCallback>> plans;
  std::vector<AsyncRequest*> xs;
  for (DWORD status : statuses) {
    for (int k = 0; k < kPerCallbackStatus; ++k) {
      auto plan = std::make_unique<CloseInCallback>();
      plan->status = status;
      hc::winhttp::AsyncRequestSpec spec;
      spec.transport = transport();
      spec.target = "/bytes/20000?seed=" + std::to_string(xs.size());
      spec.read_chunk = 4096;  // several reads, so READ_COMPLETE comes more than once
      auto& x = client().owner().Make<AsyncRequest>(spec);
      x.hook = [p = plan.get()](AsyncRequest& self, HINTERNET h, DWORD s, void*, DWORD) {
        if (p->claimed.load()) {
          if (s != WINHTTP_CALLBACK_STATUS_HANDLE_CLOSING)
            ++p->swallowed;
          return AsyncRequest::HookResult::skip;  // nothing more is driven on a closed handle
        }
        if (s != p->status || h != self.handle())
          return AsyncRequest::HookResult::drive;
        if (p->claimed.exchange(true))
          return AsyncRequest::HookResult::skip;
        // No lock is held here: HANDLE_CLOSING may be delivered on this thread inside the close.
        p->close_result = self.Close();
        DWORD_PTR value = 0;
        DWORD size = sizeof(value);
        const BOOL used = WinHttpQueryOption(h, WINHTTP_OPTION_CONTEXT_VALUE, &value, &size);
        p->use_error = used ? 0 : GetLastError();
        p->use_result = used;
        p->done = true;
        return AsyncRequest::HookResult::skip;
      };
      xs.push_back(&x);
      plans.push_back(std::move(plan));
    }
  }
  // Started from many threads at once; everything after the send happens in callbacks.
  hc::RunGang(static_cast<int>(xs.size()), kGangBound,
              [&](int i) { xs[static_cast<std::size_t>(i)]->Start(client().connect()); });

  ASSERT_TRUE(hc::WaitUntil(
      [&] {
        for (auto& p : plans)
          if (!p->done.load())
            return false;
        return true;
      },
      kCloseBound, "a close inside every planned callback", [&] { return client().recorder().Dump(); }));
  ASSERT_TRUE(hc::AwaitAllClosed(client().owner(), kCloseBound));
  ExpectClosingLast(client(), xs);

  std::map<std::string, std::string> use;  // status -> outcomes of using the closed handle
  for (std::size_t i = 0; i < xs.size(); ++i) {
    auto& p = *plans[i];
    EXPECT_TRUE(p.close_result.load())
        << "WinHttpCloseHandle inside " << hc::winhttp::StatusName(p.status) << " failed";
    use[hc::winhttp::StatusName(p.status)] +=
        (p.use_result.load() ? "ok " : "error " + std::to_string(p.use_error.load()) + " ");
  }
  RecordProperty("hc_handle_use_after_close_in_callback", nlohmann::json(use).dump());

  // Each request reached the server at most once (closed before sending: not at all).
  std::map<std::string, int> seen;
  for (const auto& e : server().Log())
    ++seen[e.value("query", std::string())];
  for (const auto& [q, n] : seen)
    EXPECT_EQ(n, 1) << "request ?" << q << " logged " << n << " times";
}

TEST_F(WinHttpCloseAsyncFailures, FailedRequestsReportRequestErrorBeforeHandleClosing) {
  hc::Covers({"WH-CH-CALLBACKS-AFTER-CLOSE", "WH-CH-CLOSING-LAST", "WH-CALLBACK-NEXT-OP"});
  // Three ways to fail: nothing listens on the port, the server resets the connection, the
  // server never answers and the request times out.
  std::uint16_t closed_port = 0;
  {
    hc::Scenario gone;
    closed_port = gone.port();
  }
  hc::Scenario raw("raw");
  CallbackSession refused(closed_port);
  CallbackSession reset(raw.port());
  CallbackSession silent(raw.port());
  ASSERT_TRUE(refused.ready());
  ASSERT_TRUE(reset.ready());
  ASSERT_TRUE(silent.ready());
  DWORD timeout_ms = 300;
  for (HINTERNET s : {silent.session()})
    ASSERT_TRUE(
        WinHttpSetOption(s, WINHTTP_OPTION_RECEIVE_RESPONSE_TIMEOUT, &timeout_ms, sizeof(timeout_ms)));

  struct Kind {
    const char* name;
    hc::CallbackSession* client;
    std::string target;
    std::vector<AsyncRequest*> xs;
  };
  std::vector<Kind> kinds = {{"connection refused", &refused, "/get", {}},
                             {"connection reset", &reset, "/reset", {}},
                             {"no answer (receive timeout)", &silent, "/never-answer", {}}};
  for (auto& k : kinds)
    for (int i = 0; i < kFailingPerKind; ++i) {
      hc::winhttp::AsyncRequestSpec spec;
      spec.target = k.target + "?i=" + std::to_string(i);
      k.xs.push_back(&k.client->owner().Make<AsyncRequest>(spec));  // closes itself in the failing callback
    }
  std::vector<AsyncRequest*> all;
  for (auto& k : kinds)
    all.insert(all.end(), k.xs.begin(), k.xs.end());
  hc::RunGang(static_cast<int>(all.size()), kGangBound, [&](int i) {
    auto* x = all[static_cast<std::size_t>(i)];
    for (auto& k : kinds)
      for (auto* mine : k.xs)
        if (mine == x)
          x->Start(k.client->connect());
  });
  ASSERT_TRUE(hc::AwaitFinished(all, kCloseBound));
  for (auto& k : kinds) {
    ASSERT_TRUE(hc::AwaitAllClosed(k.client->owner(), kCloseBound)) << k.name;
    ExpectClosingLast(*k.client, k.xs);
    for (auto* x : k.xs) {
      const auto ns = NotificationsOf(*k.client, *x);
      const auto r = x->result();
      EXPECT_NE(r.error, 0u) << k.name << ": " << x->Describe();
      EXPECT_TRUE(Has(ns, WINHTTP_CALLBACK_STATUS_REQUEST_ERROR))
          << k.name << ": no REQUEST_ERROR for " << x->Describe() << "\n"
          << k.client->recorder().Dump();
      // REQUEST_ERROR comes before HANDLE_CLOSING (which is last).
      bool closing_seen = false, error_after_closing = false;
      for (const auto& n : ns) {
        if (n.status == WINHTTP_CALLBACK_STATUS_HANDLE_CLOSING &&
            n.handle == reinterpret_cast<std::uintptr_t>(x->handle()))
          closing_seen = true;
        if (n.status == WINHTTP_CALLBACK_STATUS_REQUEST_ERROR && closing_seen)
          error_after_closing = true;
      }
      EXPECT_FALSE(error_after_closing) << k.name << ": REQUEST_ERROR after HANDLE_CLOSING";
    }
  }
  raw.ReleaseAll();
}

HC_OVER_TRANSPORTS(WinHttpCloseAsync);

}  // namespace
