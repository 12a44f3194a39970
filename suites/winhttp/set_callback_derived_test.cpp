// "WinHttpSetStatusCallback function": a handle derived from another takes the callback its
// parent had when it was created; changing the parent's callback afterwards does not change the
// callbacks of handles already derived from it. The function should be called only when no pending
// request still needs the previous callback: what happens when it is called on a request whose
// operation is pending is recorded (which callback the completion reached), not asserted.
#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "hc/catalogue.h"
#include "hc/localserver.h"
#include "hc/problem_list.h"
#include "hc/thread_gang.h"
#include "hc/wait.h"
#include "span_test.h"
#include "winhttp_test.h"

namespace {

using namespace std::chrono_literals;
using namespace hc::winhttp::spans;

constexpr int kDerivedThreads = 64;
constexpr auto kDerivedGangBound = 60s;
constexpr int kSwapRequests = 64;
constexpr auto kSwapParkBound = 30s;
constexpr auto kSwapEndBound = 20s;

// Which of two callbacks a request's notifications reached (its context).
struct Reached {
  std::atomic<int> first{0}, second{0};
};

void CALLBACK FirstCallback(HINTERNET, DWORD_PTR context, DWORD, LPVOID, DWORD) {
  if (context)
    ++reinterpret_cast<Reached*>(context)->first;
}
void CALLBACK SecondCallback(HINTERNET, DWORD_PTR context, DWORD, LPVOID, DWORD) {
  if (context)
    ++reinterpret_cast<Reached*>(context)->second;
}

// One synchronous request on connect with context `reached`; "" or what failed.
std::string RequestWithContext(HINTERNET connect, Reached& reached, int i) {
  Handle r(hc::winhttp::OpenRequest(connect, L"GET", "/get?i=" + std::to_string(i)));
  if (!r)
    return "WinHttpOpenRequest: " + ErrorName(GetLastError());
  DWORD_PTR value = reinterpret_cast<DWORD_PTR>(&reached);
  if (!WinHttpSetOption(r.get(), WINHTTP_OPTION_CONTEXT_VALUE, &value, sizeof(value)))
    return "WINHTTP_OPTION_CONTEXT_VALUE: " + ErrorName(GetLastError());
  if (!WinHttpSendRequest(r.get(), WINHTTP_NO_ADDITIONAL_HEADERS, 0, WINHTTP_NO_REQUEST_DATA, 0, 0, value) ||
      !WinHttpReceiveResponse(r.get(), nullptr))
    return "send/receive: " + ErrorName(GetLastError());
  return "";
}

class WinHttpSetStatusCallbackDerived : public SpanTest {};

TEST_F(WinHttpSetStatusCallbackDerived, ChangingAParentsCallbackLeavesItsDerivedHandlesCallbacks) {
  hc::Covers({"WH-SETCB-NOT-INHERITED"});
  hc::ProblemList problems;
  std::vector<Reached> old_child(kDerivedThreads), new_child(kDerivedThreads),
      request_of_changed(kDerivedThreads);
  hc::RunGang(kDerivedThreads, kDerivedGangBound, [&](int t) {
    const auto at = static_cast<std::size_t>(t);
    auto problem = [&](const std::string& p) { problems.Add("thread " + std::to_string(t), p); };
    Handle session = hc::winhttp::OpenSession({.timeout = 10s});
    if (!session ||
        WinHttpSetStatusCallback(session.get(), FirstCallback, WINHTTP_CALLBACK_FLAG_ALL_NOTIFICATIONS, 0) ==
            WINHTTP_INVALID_STATUS_CALLBACK)
      return problem("WinHttpOpen/SetStatusCallback: " + ErrorName(GetLastError()));
    Handle before = hc::winhttp::Connect(session.get(), server().port());  // derived with FirstCallback
    if (!before)
      return problem("WinHttpConnect: " + ErrorName(GetLastError()));
    // The session's callback changes; the connection derived before keeps the first one.
    if (WinHttpSetStatusCallback(session.get(), SecondCallback, WINHTTP_CALLBACK_FLAG_ALL_NOTIFICATIONS, 0) !=
        FirstCallback)
      return problem("WinHttpSetStatusCallback did not return the previous callback");
    Handle after = hc::winhttp::Connect(session.get(), server().port());  // derived with SecondCallback
    if (!after)
      return problem("WinHttpConnect: " + ErrorName(GetLastError()));
    problem(RequestWithContext(before.get(), old_child[at], t));
    problem(RequestWithContext(after.get(), new_child[at], t));
    // A request's own callback changed (to the first one) changes neither its connection's nor
    // a later sibling's.
    Handle changed(hc::winhttp::OpenRequest(after.get(), L"GET", "/get"));
    if (!changed ||
        WinHttpSetStatusCallback(changed.get(), FirstCallback, WINHTTP_CALLBACK_FLAG_ALL_NOTIFICATIONS, 0) ==
            WINHTTP_INVALID_STATUS_CALLBACK)
      return problem("WinHttpOpenRequest/SetStatusCallback on a request: " + ErrorName(GetLastError()));
    changed.reset();
    problem(RequestWithContext(after.get(), request_of_changed[at], t));
  });
  EXPECT_TRUE(problems.None(kDerivedThreads));
  int wrong = 0;
  std::string first_wrong;
  for (int t = 0; t < kDerivedThreads; ++t) {
    const auto at = static_cast<std::size_t>(t);
    auto check = [&](const Reached& r, bool want_first, const char* which) {
      const bool ok = want_first ? (r.first > 0 && r.second == 0) : (r.second > 0 && r.first == 0);
      if (!ok && wrong++ == 0)
        first_wrong = std::string(which) + " of thread " + std::to_string(t) + ": first callback " +
                      std::to_string(r.first.load()) + ", second " + std::to_string(r.second.load());
    };
    check(old_child[at], true, "the request of the connection derived before the change");
    check(new_child[at], false, "the request of the connection derived after the change");
    check(request_of_changed[at], false, "a request after a sibling request's callback changed");
  }
  EXPECT_EQ(wrong, 0) << wrong << " requests reached the wrong callback; first: " << first_wrong;
}

// The callback a swap installs: counts, then drives the request as the first one would.
std::atomic<int> g_swapped_calls{0};
void CALLBACK SwappedSpanCallback(HINTERNET h, DWORD_PTR context, DWORD status, LPVOID info, DWORD length) {
  ++g_swapped_calls;
  SpanCallback(h, context, status, info, length);
}

TEST_F(WinHttpSetStatusCallbackDerived, ChangingTheCallbackOfARequestWithAPendingOperation) {
  hc::Covers({"WH-SETCB-NO-PENDING"});
  ParkSpanRequests("swap", kSwapRequests, kDerivedGangBound, kSwapParkBound);
  if (HasFatalFailure())
    return;
  g_swapped_calls = 0;
  int swap_failed = 0;
  hc::RunGang(kSwapRequests, kDerivedGangBound, [&](int t) {
    if (WinHttpSetStatusCallback(requests_[static_cast<std::size_t>(t)]->handle, SwappedSpanCallback,
                                 WINHTTP_CALLBACK_FLAG_ALL_NOTIFICATIONS,
                                 0) == WINHTTP_INVALID_STATUS_CALLBACK)
      ++swap_failed;
  });
  server().Release("swap");
  int ended = 0, ok = 0;
  for (SpanRequest* r : requests_) {
    if (hc::WaitUntil([&] { return r->done.load(); }, kSwapEndBound, "the request to end"))
      ++ended;
    ok += r->error.load() == 0 && r->status_code.load() == 200 ? 1 : 0;
    EXPECT_TRUE(CloseSpanRequest(*r));
  }
  ExpectClosings(requests_, kSwapEndBound);
  RecordProperty("hc_callback_swap",
                 nlohmann::json{{"requests", kSwapRequests},
                                {"swap_failed", swap_failed},
                                {"ended", ended},
                                {"completed_ok", ok},
                                {"notifications_to_the_new_callback", g_swapped_calls.load()},
                                {"notifications_in_all", log().callbacks.load()}}
                     .dump());
  EXPECT_EQ(swap_failed, 0) << "WinHttpSetStatusCallback on a request with a pending operation failed";
  EXPECT_EQ(ended, kSwapRequests) << "requests that ended after their callback was changed while pending";
}

}  // namespace
