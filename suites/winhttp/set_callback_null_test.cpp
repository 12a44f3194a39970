// "WinHttpCloseHandle function" (004): WinHttpSetStatusCallback(h, NULL, 0, 0) before the close does
// not make it safe to free the context at once, because WinHTTP does not synchronize
// WinHttpSetStatusCallback with callbacks running in worker threads: a callback already in progress
// keeps running. The safe pattern keeps the context until HANDLE_CLOSING, the last callback.
// A callback is held inside (blocked on an event, bounded) while an application thread acts: one
// application thread per request, all released together.
#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "hc/catalogue.h"
#include "hc/localserver.h"
#include "hc/problem_list.h"
#include "hc/thread_gang.h"
#include "hc/wait.h"
#include "winhttp_test.h"

namespace {

using namespace std::chrono_literals;
using hc::winhttp::AsyncRequest;
using hc::winhttp::AsyncRequestSpec;
using hc::winhttp::CallbackSession;

constexpr int kNullCallbackRequests = 64;  // held callbacks at once, one application thread per request
constexpr auto kEnterBound = 30s;
constexpr auto kHoldBound = 60s;  // a held callback lets go by itself after this
constexpr auto kClosingWindow =
    200ms;  // how long HANDLE_CLOSING gets to (wrongly) overtake a running callback
constexpr auto kNullCallbackClosingBound = 30s;
constexpr auto kNullCallbackGangBound = 120s;  // each gang thread may wait kEnterBound twice
// WinHttpSetStatusCallback(NULL) only swaps a pointer: it returns at once, loaded machine or not.
// One that has not returned by then waits for the held callback, which waits for this test.
constexpr auto kRemoveBound = 5s;

// Holds the first completion callback (HEADERS_AVAILABLE) of a request until released.
struct Held {
  std::mutex mu;
  std::condition_variable cv;
  bool release = false;
  std::atomic<bool> entered{false};
  std::atomic<bool> exited{false};
  std::atomic<int> closing_while_inside{0};  // HANDLE_CLOSING delivered while the held callback ran

  void Release() {
    {
      std::lock_guard lock(mu);
      release = true;
    }
    cv.notify_all();
  }
};

AsyncRequest& MakeHeldRequest(hc::CallbackSession& client, Held& held, int i) {
  AsyncRequestSpec spec;
  spec.target = "/bytes/1000?seed=" + std::to_string(i);
  auto& x = client.owner().Make<AsyncRequest>(spec);
  x.close_when_done = false;
  x.hook = [&held](AsyncRequest& self, HINTERNET h, DWORD status, void*, DWORD) {
    using Hook = AsyncRequest::HookResult;
    if (h != self.handle())
      return Hook::drive;
    if (status == WINHTTP_CALLBACK_STATUS_HANDLE_CLOSING) {
      if (held.entered.load() && !held.exited.load())
        ++held.closing_while_inside;
      return Hook::skip;
    }
    if (status != WINHTTP_CALLBACK_STATUS_HEADERS_AVAILABLE || held.entered.exchange(true))
      return held.entered.load() ? Hook::skip : Hook::drive;
    {
      std::unique_lock lock(held.mu);
      held.cv.wait_for(lock, kHoldBound, [&] { return held.release; });
    }
    held.exited = true;
    return Hook::skip;  // the application closes this request itself; nothing more is driven
  };
  return x;
}

class WinHttpSetStatusCallbackNull : public hc::winhttp::SuiteTest {
 protected:
  // kNullCallbackRequests requests on a callback session, each holding its first completion
  // callback until released.
  void StartHeldRequests() {
    ASSERT_TRUE(OpenCallbacks());
    for (int i = 0; i < kNullCallbackRequests; ++i) {
      held.push_back(std::make_unique<Held>());
      xs.push_back(&MakeHeldRequest(client(), *held.back(), i));
      ASSERT_TRUE(xs.back()->Start(client().connect())) << xs.back()->Describe();
    }
  }
  std::vector<std::unique_ptr<Held>> held;
  std::vector<AsyncRequest*> xs;
};

TEST_F(WinHttpSetStatusCallbackNull, DoesNotWaitForACallbackAlreadyRunning) {
  hc::Covers({"WH-CH-SETCALLBACK-NULL", "WH-CLOSE-ASYNC-RULE"});
  ASSERT_NO_FATAL_FAILURE(StartHeldRequests());
  std::atomic<int> still_inside{0}, set_failed{0};
  hc::ProblemList problems;
  // Thread i waits for request i's callback to be entered, then removes the callback and closes
  // the request while that callback runs; all requests at once.
  hc::RunGang(kNullCallbackRequests, kNullCallbackGangBound, [&](int i) {
    auto& h = *held[static_cast<std::size_t>(i)];
    auto& x = *xs[static_cast<std::size_t>(i)];
    auto problem = [&](const std::string& p) { problems.Add("request " + std::to_string(i), p); };
    if (auto entered = hc::WaitUntil([&] { return h.entered.load(); }, kEnterBound,
                                     "the HEADERS_AVAILABLE callback to be entered");
        !entered)
      return problem(entered.message());
    // The callback is running on a worker thread. Remove the callback, then close. The removal
    // runs on a helper thread, so that one which waits for the held callback (released only
    // below) ends this wait after kRemoveBound instead of the hold's bound.
    std::atomic<bool> removed{false};
    std::thread remover([&] {
      if (WinHttpSetStatusCallback(x.handle(), nullptr, 0, 0) == WINHTTP_INVALID_STATUS_CALLBACK)
        ++set_failed;
      removed = true;
    });
    const auto returned = hc::WaitUntil([&] { return removed.load(); }, kRemoveBound,
                                        "WinHttpSetStatusCallback(NULL) to return while the callback runs");
    if (!returned) {
      problem(std::string(returned.message()) + " (it waits for the callback in progress)");
      h.Release();
      remover.join();  // returns once the callback has: bounded by kHoldBound
    } else {
      remover.join();
      if (!h.exited.load())
        ++still_inside;  // SetStatusCallback(NULL) returned while the callback ran
    }
    x.Abandon();  // with no callback, HANDLE_CLOSING is not awaited
    if (!x.Close())
      problem("WinHttpCloseHandle after WinHttpSetStatusCallback(NULL) failed");
    h.Release();
    if (auto exited =
            hc::WaitUntil([&] { return h.exited.load(); }, kEnterBound, "the held callback to return");
        !exited)
      problem(exited.message());
  });
  EXPECT_TRUE(problems.None(kNullCallbackRequests)) << "\n" << client().recorder().Dump();
  EXPECT_EQ(set_failed.load(), 0) << "WinHttpSetStatusCallback(NULL) failed";
  // The documented race: removing the callback did not wait for (or stop) the one already running,
  // which went on to use its context after the handle was closed.
  EXPECT_EQ(still_inside.load(), kNullCallbackRequests)
      << "WinHttpSetStatusCallback(NULL) returned while the callback was still running in "
      << still_inside.load() << " of " << kNullCallbackRequests << " requests";
  int closing_after_null = 0;
  for (auto* x : xs)
    closing_after_null += x->closing_count();
  RecordProperty("hc_handle_closing_after_setcallback_null", std::to_string(closing_after_null));
  EXPECT_EQ(client().owner().dead_context_callbacks(), 0) << client().recorder().Dump();
}

TEST_F(WinHttpSetStatusCallbackNull, SafePatternKeepsTheContextUntilHandleClosing) {
  hc::Covers({"WH-CH-CONTEXT-UNTIL-CLOSING", "WH-CH-CLOSING-LAST", "WH-CH-CALLBACKS-AFTER-CLOSE",
              "WH-CLOSE-ASYNC-RULE"});
  ASSERT_NO_FATAL_FAILURE(StartHeldRequests());
  for (int i = 0; i < kNullCallbackRequests; ++i)
    ASSERT_TRUE(hc::WaitUntil([&] { return held[static_cast<std::size_t>(i)]->entered.load(); }, kEnterBound,
                              "every HEADERS_AVAILABLE callback to be entered",
                              [&] { return client().recorder().Dump(); }));
  // Close every request while its callback runs, one thread per request, all at once; the context
  // stays until HANDLE_CLOSING.
  std::vector<BOOL> closed(xs.size(), FALSE);
  hc::RunGang(kNullCallbackRequests, kNullCallbackGangBound, [&](int i) {
    const auto at = static_cast<std::size_t>(i);
    closed[at] = xs[at]->Close();
  });
  for (std::size_t i = 0; i < xs.size(); ++i)
    EXPECT_TRUE(closed[i]) << "WinHttpCloseHandle of request " << i;
  // HANDLE_CLOSING is the last callback: it must not overtake the callbacks still running.
  EXPECT_FALSE(hc::AwaitStatus(client().recorder(), WINHTTP_CALLBACK_STATUS_HANDLE_CLOSING, kClosingWindow))
      << "HANDLE_CLOSING arrived while a callback for the handle was still running";
  for (auto& h : held)
    h->Release();
  ASSERT_TRUE(hc::AwaitAllClosed(client().owner(), kNullCallbackClosingBound));
  int late = 0;
  for (std::size_t i = 0; i < xs.size(); ++i) {
    EXPECT_EQ(held[i]->closing_while_inside.load(), 0) << "HANDLE_CLOSING during the running callback";
    EXPECT_EQ(xs[i]->closing_count(), 1);
    EXPECT_EQ(xs[i]->after_closing(), 0);
    late += xs[i]->after_close_returned() > 0 ? 1 : 0;
  }
  // Callbacks (at least HANDLE_CLOSING) arrived after WinHttpCloseHandle had returned.
  RecordProperty("hc_requests_with_callbacks_after_close_returned", std::to_string(late));
  EXPECT_EQ(late, kNullCallbackRequests)
      << "HANDLE_CLOSING cannot have come before close returned: the callback was held";
  EXPECT_EQ(client().owner().dead_context_callbacks(), 0) << client().recorder().Dump();
}

}  // namespace
