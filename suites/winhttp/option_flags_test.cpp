// "Option Flags" (WinHTTP): WINHTTP_OPTION_MAX_CONNS_PER_SERVER set to 0 makes the limit 2 (its
// default INFINITE is read by WinHttpConnectionLimits), measured at the server as the peak of
// connections open at once for 64 requests held at a gate; WINHTTP_OPTION_UNLOAD_NOTIFY_EVENT is
// set when the last callback of the session has completed: 64 requests in flight, every handle
// closed, and no callback may run once the event is set. (WINHTTP_OPTION_WORKER_THREAD_COUNT needs
// a fresh process: UnsafeWinHttp.WorkerThreadCountIsSetOnceBeforeAnyAsyncOperation.)
#include <gtest/gtest.h>

#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "hc/catalogue.h"
#include "hc/connection_timeline.h"
#include "hc/expectation.h"
#include "hc/localserver.h"
#include "hc/problem_list.h"
#include "hc/thread_gang.h"
#include "hc/wait.h"
#include "span_test.h"
#include "winhttp_test.h"

namespace {

using namespace std::chrono_literals;
using namespace hc::winhttp::spans;

constexpr int kZeroLimitRequests = 64;
constexpr long long kZeroMeansLimit = 2;  // the documented limit when the option is 0
constexpr auto kZeroParkBound = 30s;
constexpr auto kZeroNoMoreWindow = 300ms;
constexpr auto kZeroGangBound = 90s;
constexpr int kZeroHoldMs = 40000;

constexpr int kUnloadRequests = 64;
constexpr auto kUnloadParkBound = 30s;
constexpr auto kUnloadEventBound = 15s;
constexpr auto kUnloadQuietWindow = 300ms;  // how long a (wrong) callback gets to run after the event
constexpr auto kUnloadGangBound = 60s;

class WinHttpOptionFlags : public SpanTest {};

TEST_F(WinHttpOptionFlags, MaxConnsPerServerSetToZeroLimitsToTwoConnections) {
  hc::Covers({"WH-OPT-MAX-CONNS-ZERO", "WH-CONN-LIMIT"});
  Handle session = hc::winhttp::OpenSession();
  ASSERT_TRUE(session) << "WinHttpOpen: " << ErrorName(GetLastError());
  DWORD zero = 0;
  const BOOL set = WinHttpSetOption(session.get(), WINHTTP_OPTION_MAX_CONNS_PER_SERVER, &zero, sizeof(zero));
  const DWORD set_error = set ? 0 : GetLastError();
  DWORD after = 0, size = sizeof(after);
  const BOOL read = WinHttpQueryOption(session.get(), WINHTTP_OPTION_MAX_CONNS_PER_SERVER, &after, &size);
  const DWORD read_error = read ? 0 : GetLastError();
  Handle connect = hc::winhttp::Connect(session.get(), server().port());
  ASSERT_TRUE(connect) << "WinHttpConnect: " << ErrorName(GetLastError());

  hc::ProblemList problems;
  ::testing::AssertionResult limit_reached = ::testing::AssertionSuccess();
  ::testing::AssertionResult more_than_limit = ::testing::AssertionFailure();
  hc::RunGang(kZeroLimitRequests + 1, kZeroGangBound, [&](int t) {
    if (t == kZeroLimitRequests) {  // the observer
      limit_reached = server().AwaitParked(static_cast<int>(kZeroMeansLimit), kZeroParkBound, "zero");
      more_than_limit =
          server().AwaitParked(static_cast<int>(kZeroMeansLimit) + 1, kZeroNoMoreWindow, "zero");
      server().Release("zero");
      return;
    }
    const auto r = hc::winhttp::SyncRequest(
        connect.get(), L"GET",
        "/hold/zero?timeout_ms=" + std::to_string(kZeroHoldMs) + "&i=" + std::to_string(t));
    if (r.error != 0 || r.status != 200)
      problems.Add("request " + std::to_string(t), r.Describe());
  });
  const auto stats = server().Stats();
  const long long peak = stats.value("connections_peak", 0LL);
  hc::RecordTimeline(server(),
                     "WINHTTP_OPTION_MAX_CONNS_PER_SERVER = 0, " + std::to_string(kZeroLimitRequests) +
                         " concurrent requests",
                     kZeroMeansLimit, 0, kZeroLimitRequests);
  RecordProperty("hc_limit_option",
                 read ? std::to_string(after) : "query after setting 0 failed: " + ErrorName(read_error));
  EXPECT_TRUE(problems.None(kZeroLimitRequests));
  EXPECT_TRUE(limit_reached) << "fewer than " << kZeroMeansLimit << " requests reached the server";
  EXPECT_EQ(stats.value("requests", 0LL), kZeroLimitRequests) << "every request went out in the end";
  hc::CheckExpecting(
      hc::OnWine(
          "Wine 8.0 does not enforce WINHTTP_OPTION_MAX_CONNS_PER_SERVER (nor query it): every request "
          "gets its own connection"),
      [&] {
        EXPECT_TRUE(set) << "WinHttpSetOption(WINHTTP_OPTION_MAX_CONNS_PER_SERVER, 0): "
                         << ErrorName(set_error);
        EXPECT_FALSE(more_than_limit)
            << "more than " << kZeroMeansLimit << " requests were at the server at once";
        EXPECT_EQ(peak, kZeroMeansLimit) << "connections open at once with the option 0: " << stats.dump();
      });
}

TEST_F(WinHttpOptionFlags, UnloadNotifyEventIsSetAfterTheSessionsLastCallback) {
  hc::Covers({"WH-OPT-UNLOAD-EVENT", "WH-CH-CLOSING-LAST"});
  HANDLE event = CreateEventW(nullptr, TRUE, FALSE, nullptr);
  ASSERT_NE(event, nullptr);
  ParkSpanRequests(
      "unload", kUnloadRequests, kUnloadGangBound, kUnloadParkBound, ConnectError::kNamed,
      [&](HINTERNET session) {
        ASSERT_TRUE(WinHttpSetOption(session, WINHTTP_OPTION_UNLOAD_NOTIFY_EVENT, &event, sizeof(event)))
            << "WinHttpSetOption(WINHTTP_OPTION_UNLOAD_NOTIFY_EVENT): " << ErrorName(GetLastError());
        log().unload_event = event;
      });
  if (HasFatalFailure())
    return;
  // Every handle closed with the requests in flight, then the server lets them go.
  for (SpanRequest* r : requests_)
    EXPECT_TRUE(CloseSpanRequest(*r)) << "WinHttpCloseHandle: " << ErrorName(GetLastError());
  connect_.reset();
  session_.reset();
  server().Release("unload");
  const DWORD waited =
      WaitForSingleObject(event, static_cast<DWORD>(std::chrono::milliseconds(kUnloadEventBound).count()));
  int closed_when_set = 0;
  for (SpanRequest* r : requests_)
    closed_when_set += r->Closed() ? 1 : 0;
  const int callbacks_at_event = log().callbacks.load();
  // A callback that still ran, or started, once the event was set is counted by the callback.
  Sleep(static_cast<DWORD>(std::chrono::milliseconds(kUnloadQuietWindow).count()));
  int closed_later = 0;
  for (SpanRequest* r : requests_)
    closed_later += r->Closed() ? 1 : 0;
  RecordProperty("hc_unload_event",
                 nlohmann::json{{"requests", kUnloadRequests},
                                {"event_set", waited == WAIT_OBJECT_0},
                                {"handle_closing_before_event", closed_when_set},
                                {"callbacks_before_event", callbacks_at_event},
                                {"callbacks_after_event", log().callbacks_after_event.load()}}
                     .dump());
  ASSERT_EQ(waited, static_cast<DWORD>(WAIT_OBJECT_0))
      << "WINHTTP_OPTION_UNLOAD_NOTIFY_EVENT not set within the bound after every handle was closed; "
      << closed_later << " of " << kUnloadRequests << " requests had their HANDLE_CLOSING";
  EXPECT_EQ(log().callbacks_after_event.load(), 0) << "callbacks ran after the unload event was set";
  EXPECT_EQ(closed_when_set, kUnloadRequests) << "requests whose HANDLE_CLOSING came before the event";
  // The event belongs to a session that no longer exists: it is not closed, in case an
  // implementation still holds it.
}

}  // namespace
