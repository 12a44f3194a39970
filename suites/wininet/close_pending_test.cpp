// Closing a WinINet request from another thread in the window Microsoft documents as safe.
// "InternetCloseHandle function (wininet.h)": "Once an API has returned ERROR_IO_PENDING, it is
// safe to call InternetCloseHandle from any thread to cancel that I/O"; new calls on the handle
// fail with ERROR_INVALID_HANDLE (WI-CLOSE-PENDING-SAFE). "INTERNET_STATUS_CALLBACK":
// INTERNET_STATUS_HANDLE_CREATED reports the new handle, which "lets the application call
// InternetCloseHandle from another thread, if the connect is taking too long"
// (WI-HANDLE-CREATED-CLOSE). "WinInet thread safe?" says to avoid exactly that
// (WI-NO-CROSS-THREAD-CLOSE); the two are reconciled by the window: here the close comes only
// after HttpSendRequest returned ERROR_IO_PENDING and the server holds the request, while the racy
// close (at any moment) is a trial of the unsafe lab (UnsafeWinInetDisputes).
// Asserted: every close succeeds from a thread other than the request's; right after it a call on
// the handle fails with ERROR_INVALID_HANDLE; every pending send ends (failed REQUEST_COMPLETE or
// none) and HANDLE_CLOSING comes, last, before the server answers; the server sees every client
// leave.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "hc/catalogue.h"
#include "hc/expectation.h"
#include "hc/latch.h"
#include "hc/thread_gang.h"
#include "hc/wait.h"
#include "wininet_test.h"

namespace {

using namespace std::chrono_literals;
using hc::wininet::AsyncRequest;

constexpr int kPendingRequests = 64;   // each started and each closed on its own thread
constexpr int kPendingHoldMs = 20000;  // the server answers a held request by itself after this
constexpr auto kPendingGangBound = 30s;
constexpr auto kPendingParkBound = 20s;
// Every closed request's HANDLE_CLOSING must come well before the server's hold ends.
constexpr auto kPendingClosingBound = 5s;
constexpr auto kPendingCleanupBound = 20s;
// The starters wait through the park and the closes.
constexpr auto kStartersBound = kPendingGangBound + kPendingParkBound + kPendingGangBound;

const char* const kWineClosedRequestHandleType =
    "Wine 8.0: the HTTP functions (HttpAddRequestHeaders, HttpSendRequest) on a closed request handle fail "
    "with ERROR_INTERNET_INCORRECT_HANDLE_TYPE (12018), not ERROR_INVALID_HANDLE; InternetQueryOption does "
    "return ERROR_INVALID_HANDLE";

// What the notifications of one request showed.
struct PendingOutcome {
  bool completed_ok = false;
  bool completed_with_error = false;
  int closing = 0;
  bool after_closing = false;  // a notification after its HANDLE_CLOSING
};

PendingOutcome OutcomeOf(const std::vector<hc::Notification>& log, const AsyncRequest& r) {
  PendingOutcome o;
  for (const auto& n : log) {
    if (n.context != r.value())
      continue;
    if (o.closing > 0)
      o.after_closing = true;
    if (n.status == INTERNET_STATUS_REQUEST_COMPLETE)
      (hc::wininet::CompletedOk(n) ? o.completed_ok : o.completed_with_error) = true;
    if (n.status == INTERNET_STATUS_HANDLE_CLOSING)
      ++o.closing;
  }
  return o;
}

// The handle INTERNET_STATUS_HANDLE_CREATED reported for the request's context, 0 if none came.
std::uintptr_t CreatedHandle(const std::vector<hc::Notification>& log, const AsyncRequest& r) {
  for (const auto& n : log)
    if (n.context == r.value() && n.status == INTERNET_STATUS_HANDLE_CREATED)
      return static_cast<std::uintptr_t>(n.value);
  return 0;
}

class WinInetClosePending : public hc::wininet::SuiteTest {
 protected:
  hc::CallbackSession& callbacks() { return session_ != nullptr ? *session_ : client(); }

  // kPendingRequests requests to target(i), each started by HttpSendRequest on its own thread of
  // a gang; every start must return ERROR_IO_PENDING. The starters then wait, alive, until
  // ReleaseStarters: Wine gives a new thread the id of one that has ended at once, and a closing
  // thread must be told apart from its request's starter by its id.
  void StartPending(const std::function<std::string(int)>& target) {
    for (int i = 0; i < kPendingRequests; ++i)
      requests_.push_back(&callbacks().owner().Make<AsyncRequest>(target(i)));
    started_.assign(kPendingRequests, 0);
    starters_ = std::jthread([this] {
      hc::RunGang(kPendingRequests, kStartersBound, [this](int i) {
        started_[i] = requests_[i]->Start(static_cast<HINTERNET>(callbacks().connect()));
        all_started_.CountDown();
        release_starters_.Wait(kStartersBound);
      });
    });
    ASSERT_TRUE(all_started_.Wait(kPendingGangBound)) << "not every HttpSendRequest returned";
    for (int i = 0; i < kPendingRequests; ++i)
      ASSERT_EQ(started_[i], static_cast<DWORD>(ERROR_IO_PENDING))
          << requests_[i]->target() << ": HttpSendRequest on an async session: " << requests_[i]->Describe();
  }

  void ReleaseStarters() {
    release_starters_.CountDown();
    if (starters_.joinable())
      starters_.join();
  }

  void TearDown() override {
    ReleaseStarters();
    hc::wininet::SuiteTest::TearDown();
  }

  // Thread i of a gang closes request (i + 1) % n: never the thread that started it. Then a call
  // on each closed handle must fail with ERROR_INVALID_HANDLE.
  void CloseFromOtherThreads(const std::vector<HINTERNET>& handles) {
    std::vector<int> closed(kPendingRequests, 0);
    std::vector<unsigned long> close_thread(kPendingRequests, 0);
    hc::RunGang(kPendingRequests, kPendingGangBound, [&](int i) {
      const int k = (i + 1) % kPendingRequests;
      close_thread[k] = GetCurrentThreadId();
      closed[k] = requests_[k]->Close();
    });
    ReleaseStarters();  // every closing thread's id is known: the starters may go
    // No handle is created between the closes and these calls, so no value can have been reused.
    std::map<std::string, int> after, headers_after;
    for (int k = 0; k < kPendingRequests; ++k) {
      EXPECT_TRUE(closed[k]) << requests_[k]->target() << ": InternetCloseHandle from another thread";
      EXPECT_NE(close_thread[k], requests_[k]->start_thread()) << "closed on its starting thread";
      DWORD type = 0, size = sizeof(type);
      const BOOL ok = InternetQueryOptionA(handles[k], INTERNET_OPTION_HANDLE_TYPE, &type, &size);
      ++after[ok ? "succeeded" : hc::wininet::ErrorName(GetLastError())];
      const BOOL added = HttpAddRequestHeadersA(handles[k], "X-After-Close: 1", static_cast<DWORD>(-1),
                                                HTTP_ADDREQ_FLAG_ADD);
      ++headers_after[added ? "succeeded" : hc::wininet::ErrorName(GetLastError())];
    }
    RecordProperty("hc_call_after_close", nlohmann::json(after).dump());
    RecordProperty("hc_add_headers_after_close", nlohmann::json(headers_after).dump());
    EXPECT_EQ(after[hc::wininet::ErrorName(ERROR_INVALID_HANDLE)], kPendingRequests)
        << "InternetQueryOption on a closed handle must fail with ERROR_INVALID_HANDLE: "
        << nlohmann::json(after).dump();
    hc::CheckExpecting(hc::OnWine(kWineClosedRequestHandleType), [&] {
      EXPECT_EQ(headers_after[hc::wininet::ErrorName(ERROR_INVALID_HANDLE)], kPendingRequests)
          << "HttpAddRequestHeaders on a closed handle must fail with ERROR_INVALID_HANDLE: "
          << nlohmann::json(headers_after).dump();
    });
  }

  // Every request ends with HANDLE_CLOSING (last, once) by `deadline` (kPendingClosingBound after
  // the close), with no successful completion: the server never answered.
  void ExpectCancelled(const char* what, std::chrono::steady_clock::time_point deadline) {
    int missing = 0;
    std::string first;
    for (auto* r : requests_) {
      const auto left = std::max(0ms, std::chrono::duration_cast<std::chrono::milliseconds>(
                                          deadline - std::chrono::steady_clock::now()));
      if (!r->WaitForClosing(left) && ++missing <= 5)
        first += "\n  " + r->Describe();
    }
    const auto log = callbacks().recorder().Snapshot();
    std::map<std::string, int> outcomes;
    for (auto* r : requests_) {
      const auto o = OutcomeOf(log, *r);
      ++outcomes[o.completed_ok           ? "completed ok"
                 : o.completed_with_error ? "completed with an error"
                                          : "no completion"];
      EXPECT_FALSE(o.completed_ok) << r->target()
                                   << " completed successfully although the server never answered";
      EXPECT_LE(o.closing, 1) << r->target() << ": HANDLE_CLOSING more than once";
      EXPECT_FALSE(o.after_closing) << r->target() << ": a notification after HANDLE_CLOSING";
    }
    RecordProperty("hc_cancel_outcomes", nlohmann::json(outcomes).dump());
    EXPECT_EQ(missing, 0) << missing << " of " << kPendingRequests << " " << what
                          << " without HANDLE_CLOSING "
                          << std::chrono::duration_cast<std::chrono::milliseconds>(kPendingClosingBound).count()
                          << " ms after the close, the first:" << first << "\nnotifications:\n"
                          << callbacks().recorder().Dump(100);
  }

  // The requests closed from other threads through handles (CloseFromOtherThreads) are cancelled
  // (ExpectCancelled(what)) and no connection of theirs is open at the server (connections names
  // them), both within kPendingClosingBound of the close.
  void ExpectClosesCancel(const std::vector<HINTERNET>& handles, const hc::Scenario& at, const char* what,
                          const char* connections) {
    CloseFromOtherThreads(handles);
    const auto deadline = std::chrono::steady_clock::now() + kPendingClosingBound;
    hc::CheckExpecting(
        hc::OnWine("Wine 8.0: InternetCloseHandle returns TRUE and the handle is invalid at once, but the "
                   "pending send is not cancelled: the connection stays open and HANDLE_CLOSING comes only "
                   "when the server answers or drops the connection"),
        [&] {
          ExpectCancelled(what, deadline);
          // At least one look at the server, however little of the bound is left.
          const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
              deadline - std::chrono::steady_clock::now());
          EXPECT_TRUE(at.AwaitOpen(0, std::max(left, 100ms))) << connections;
        });
  }

  std::vector<HINTERNET> Handles() const {
    std::vector<HINTERNET> h;
    for (auto* r : requests_)
      h.push_back(static_cast<HINTERNET>(r->handle()));
    return h;
  }

  hc::CallbackSession* session_ = nullptr;  // the requests' session: client() unless a test has its own
  std::vector<AsyncRequest*> requests_;
  std::vector<DWORD> started_;  // what each HttpSendRequest returned
  hc::Latch all_started_{kPendingRequests};
  hc::Latch release_starters_{1};
  std::jthread starters_;
};

TEST_F(WinInetClosePending, ClosingFromOtherThreadsAfterIoPendingCancelsEveryHeldSend) {
  hc::Covers({"WI-CLOSE-PENDING-SAFE", "WI-CLOSING-LAST"});
  // Every request must reach the server's gate at once: the per-server limit raised above them.
  hc::wininet::ScopedGlobalDword raised(INTERNET_OPTION_MAX_CONNS_PER_SERVER, kPendingRequests);
  ASSERT_TRUE(raised.ok()) << hc::wininet::ErrorName(raised.error());
  ASSERT_TRUE(OpenCallbacks());
  const std::string gate = "pending";
  StartPending([&](int i) {
    return "/hold/" + gate + "?timeout_ms=" + std::to_string(kPendingHoldMs) + "&r=" + std::to_string(i);
  });
  ASSERT_TRUE(hc::AwaitParkedUnlessFinished(server(), kPendingRequests, kPendingParkBound, gate, requests_))
      << "every send returned ERROR_IO_PENDING; the server must hold them all before the close";
  ExpectClosesCancel(Handles(), server(), "held sends", "the cancelled requests' connections");
  server().Release(gate);
  EXPECT_TRUE(hc::AwaitAllClosed(client().owner(), kPendingCleanupBound));
}

// A connect that takes too long: a raw listener of the test's own accepts and never answers;
// deleting it at the end drops whatever the client left open.
class WinInetHandleCreatedClose : public WinInetClosePending {};

TEST_F(WinInetHandleCreatedClose, TheHandleFromHandleCreatedClosesARequestTheServerNeverAnswers) {
  hc::Covers({"WI-HANDLE-CREATED-CLOSE", "WI-CLOSE-PENDING-SAFE"});
  hc::wininet::ScopedGlobalDword raised(INTERNET_OPTION_MAX_CONNS_PER_SERVER, kPendingRequests);
  ASSERT_TRUE(raised.ok()) << hc::wininet::ErrorName(raised.error());
  auto raw = std::make_unique<hc::Scenario>("raw");
  hc::wininet::CallbackSession session(raw->port());
  ASSERT_TRUE(session.ready());
  session_ = &session;
  StartPending([](int i) { return "/never-answer?r=" + std::to_string(i); });
  ASSERT_TRUE(hc::WaitUntil([&] { return raw->Stats().value("inflight", 0) >= kPendingRequests; },
                            kPendingParkBound, std::to_string(kPendingRequests) + " requests at the server",
                            [&] { return raw->Stats().dump(); }));
  // The handles the closing threads use are the ones HANDLE_CREATED reported.
  const auto log = session.recorder().Snapshot();
  std::vector<HINTERNET> created;
  for (auto* r : requests_) {
    const auto h = CreatedHandle(log, *r);
    ASSERT_NE(h, 0u) << r->target() << ": no INTERNET_STATUS_HANDLE_CREATED\n" << session.recorder().Dump(50);
    ASSERT_EQ(h, reinterpret_cast<std::uintptr_t>(r->handle()))
        << r->target() << ": HANDLE_CREATED named another handle than HttpOpenRequest returned";
    created.push_back(reinterpret_cast<HINTERNET>(h));
  }
  ExpectClosesCancel(created, *raw, "requests to a server that never answers",
                     "the closed requests' connections");
  raw.reset();
  EXPECT_TRUE(hc::AwaitAllClosed(session.owner(), kPendingCleanupBound));
  session_ = nullptr;
}

}  // namespace
