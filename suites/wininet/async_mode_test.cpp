// "Asynchronous Operation" (003): in asynchronous mode (INTERNET_FLAG_ASYNC, a context value, a
// status callback) a function that takes a context value returns at once (HttpSendRequest:
// FALSE with ERROR_IO_PENDING) and the callback is told of the completion; the callback may then
// call the functions that depend on it; and "there is no callback thread affinity ...: a call
// might start from one thread, but any other thread can receive the callback".
#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "hc/catalogue.h"
#include "hc/echo_check.h"
#include "hc/latch.h"
#include "hc/thread_gang.h"
#include "wininet_test.h"

namespace {

using namespace std::chrono_literals;
using hc::wininet::AsyncRequest;

constexpr int kStarters = 64;       // threads that each start one download, released together
constexpr auto kStartBound = 30s;   // all starters have called HttpSendRequest
constexpr auto kFinishBound = 60s;  // every download has finished after the release
constexpr auto kClosingBound = 20s;
constexpr auto kGangBound = 180s;

class WinInetAsyncMode : public hc::wininet::TransportTest {};

TEST_P(WinInetAsyncMode, SendReturnsIoPendingAndTheCompletionArrivesOnAnotherThread) {
  hc::Covers({"WI-ASYNC-MODE", "WI-ASYNC-NO-AFFINITY", "WI-ASYNC-CALLBACK-CALLS", "WI-CLOSING-LAST"});
  ASSERT_TRUE(OpenCallbacks());
  const auto& recorder = client().recorder();

  // Every response is held at the server until all sends were started, so no HttpSendRequest
  // can have completed before it returned.
  const std::string gate = "async-mode";
  std::vector<AsyncRequest*> downloads;
  for (int i = 0; i < kStarters; ++i)
    downloads.push_back(&client().owner().Make<AsyncRequest>(
        "/hold/" + gate + "?timeout_ms=30000&download=" + std::to_string(i), hc::wininet::kNoCacheFlags,
        transport()));
  std::vector<DWORD> start_result(kStarters, 0);
  hc::Latch started(kStarters);  // not std::latch: see hc/latch.h
  hc::Latch finished(1);         // starters stay blocked (alive, in no WinINet call) until the end
  std::atomic<bool> finish_waits_ok{true};

  hc::RunGang(kStarters + 1, kGangBound, [&](int i) {
    if (i < kStarters) {
      start_result[static_cast<size_t>(i)] = downloads[static_cast<size_t>(i)]->Start(client().connect());
      started.CountDown();
      // The controller counts `finished` down on every path; the bound is a backstop.
      if (!finished.Wait(kGangBound))
        finish_waits_ok = false;
      return;
    }
    // Controller.
    try {
      const auto deadline = std::chrono::steady_clock::now() + kStartBound;
      while (!started.TryWait() && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(5ms);
      server().Release(gate);
      if (auto waited = hc::AwaitFinished(downloads, kFinishBound); !waited) {
        ADD_FAILURE() << waited.message();
        finish_waits_ok = false;
      }
    } catch (const std::exception& e) {
      ADD_FAILURE() << "controller: " << e.what();
      finish_waits_ok = false;
    }
    finished.CountDown();
  });
  EXPECT_TRUE(finish_waits_ok) << "some downloads did not finish; notifications:\n" << recorder.Dump();

  const auto log = recorder.Snapshot();
  std::set<unsigned long> callback_threads;
  for (int i = 0; i < kStarters; ++i) {
    auto& d = *downloads[static_cast<size_t>(i)];
    EXPECT_EQ(start_result[static_cast<size_t>(i)], static_cast<DWORD>(ERROR_IO_PENDING))
        << "HttpSendRequest of " << d.target() << " while the server held the response";
    EXPECT_EQ(d.phase(), AsyncRequest::Phase::done) << d.Describe();
    EXPECT_EQ(hc::EchoProblem(d.result().status, d.result().body, d.target()), "");
    // The REQUEST_COMPLETE notifications of this request: none may come from its starter, which
    // was blocked in a latch wait (not in WinINet) from the moment HttpSendRequest returned.
    int completes = 0;
    for (const auto& n : log) {
      if (n.context != d.value())
        continue;
      callback_threads.insert(n.thread_id);
      if (n.status != INTERNET_STATUS_REQUEST_COMPLETE)
        continue;
      ++completes;
      EXPECT_NE(n.thread_id, d.start_thread())
          << "REQUEST_COMPLETE of " << d.target() << " delivered on the thread that started it";
    }
    EXPECT_GE(completes, 1) << "no INTERNET_STATUS_REQUEST_COMPLETE for " << d.target();
  }
  RecordProperty("hc_callback_thread_count", static_cast<int>(callback_threads.size()));

  for (auto* d : downloads)
    EXPECT_TRUE(hc::Retire(*d, kClosingBound));
  EXPECT_TRUE(hc::Retire(client().connect_context(), kClosingBound));
  for (auto* d : downloads)
    EXPECT_TRUE(hc::ClosingIsLast(*d)) << d->target();
  EXPECT_TRUE(hc::ClosingIsLast(client().connect_context())) << "connect handle";
}

HC_OVER_TRANSPORTS(WinInetAsyncMode);

}  // namespace
