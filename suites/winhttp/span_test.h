#pragma once
// The base of the fixtures whose tests drive span requests (callback_spans.h) on one connection:
// the test's span log, an asynchronous session whose callback is SpanCallback, a connection on it
// to the test's server, and a gang that opens span requests on it at once.
//
//   OpenSpanConnection();
//   if (HasFatalFailure())
//     return;
//   hc::ProblemList problems;
//   requests_ = OpenSpanRequests(64, 60s, [](int t) { return L"/get?i=" + std::to_wstring(t); }, problems);
//
// The helpers fail the test fatally with the call that failed; the test returns on HasFatalFailure().
#include <gtest/gtest.h>

#include <chrono>
#include <cstddef>
#include <functional>
#include <string>
#include <vector>

#include "callback_spans.h"
#include "hc/localserver.h"
#include "hc/problem_list.h"
#include "hc/thread_gang.h"
#include "hc/wait.h"
#include "winhttp_test.h"

namespace hc::winhttp::spans {

// The names every span test uses, with `using namespace hc::winhttp::spans`.
using hc::winhttp::ErrorName;
using hc::winhttp::Handle;

// Closes r (the application's close) and waits up to bound for its HANDLE_CLOSING; a failed close
// or a HANDLE_CLOSING that did not come is a problem of who.
inline void CloseAndAwaitClosing(SpanRequest& r, std::chrono::milliseconds bound, const std::string& who,
                                 hc::ProblemList& problems) {
  if (!CloseSpanRequest(r))
    problems.Add(who, "WinHttpCloseHandle: " + ErrorName(GetLastError()));
  if (auto closing = hc::WaitUntil([&] { return r.Closed(); }, bound, who + " HANDLE_CLOSING"); !closing)
    problems.Add(who, closing.message());
}

// Expects each request's HANDLE_CLOSING, waiting up to bound for each in turn.
inline void ExpectClosings(const std::vector<SpanRequest*>& requests, std::chrono::milliseconds bound) {
  for (SpanRequest* r : requests)
    EXPECT_TRUE(hc::WaitUntil([&] { return r->Closed(); }, bound, "HANDLE_CLOSING"));
}

class SpanTest : public SuiteTest {
 protected:
  // Whether a failed WinHttpConnect's assertion names its error.
  enum class ConnectError { kUnnamed, kNamed };

  // The session and connection go before the test's server, as a test's own handles would.
  void TearDown() override {
    connect_.reset();
    session_.reset();
    SuiteTest::TearDown();
  }

  SpanLog& log() { return *log_; }

  // A new span log, the span session (session_) and a connection on it to the test's server
  // (connect_); with_session, if given, gets the session before the connection is made.
  void OpenSpanConnection(ConnectError connect_error = ConnectError::kUnnamed,
                          const std::function<void(HINTERNET)>& with_session = {}) {
    log_ = &NewSpanLog();
    // Named as the tests' own handles were, so that the assertions read the same.
    Handle& session = session_;
    session = OpenSpanSession();
    ASSERT_TRUE(session) << "WinHttpOpen/SetStatusCallback: " << ErrorName(GetLastError());
    if (with_session) {
      with_session(session.get());
      if (HasFatalFailure())
        return;
    }
    Handle& connect = connect_;
    connect = Connect(session.get(), server().port());
    if (connect_error == ConnectError::kNamed)
      ASSERT_TRUE(connect) << "WinHttpConnect: " << ErrorName(GetLastError());
    else
      ASSERT_TRUE(connect);
  }

  // count span requests on connect_, opened at once from a gang bounded by bound: request t is a
  // GET of target(t) with its context bound by WINHTTP_OPTION_CONTEXT_VALUE, given to before_send
  // (if any), then sent. What failed is a problem of "request <t>" (one not opened stays null).
  std::vector<SpanRequest*> OpenSpanRequests(int count, std::chrono::milliseconds bound,
                                             const std::function<std::wstring(int)>& target,
                                             hc::ProblemList& problems,
                                             const std::function<void(SpanRequest&)>& before_send = {}) {
    std::vector<SpanRequest*> requests(static_cast<std::size_t>(count), nullptr);
    hc::RunGang(count, bound, [&](int t) {
      const std::string who = "request " + std::to_string(t);
      std::string what;
      SpanRequest* r = OpenSpanRequest(log(), connect_.get(), target(t), Bind::kOption, false, &what);
      if (!r)
        return problems.Add(who, what + ": " + ErrorName(GetLastError()));
      if (before_send)
        before_send(*r);
      requests[static_cast<std::size_t>(t)] = r;
      if (!WinHttpSendRequest(r->handle, WINHTTP_NO_ADDITIONAL_HEADERS, 0, WINHTTP_NO_REQUEST_DATA, 0, 0,
                              r->context()))
        problems.Add(who, "WinHttpSendRequest: " + ErrorName(GetLastError()));
    });
    return requests;
  }

  // OpenSpanConnection, then count requests (requests_) of /hold/<gate>?timeout_ms=30000&i=<t>,
  // opened and sent at once from a gang bounded by gang_bound, all parked at the server's gate
  // within park_bound.
  void ParkSpanRequests(const std::string& gate, int count, std::chrono::milliseconds gang_bound,
                        std::chrono::milliseconds park_bound,
                        ConnectError connect_error = ConnectError::kUnnamed,
                        const std::function<void(HINTERNET)>& with_session = {}) {
    OpenSpanConnection(connect_error, with_session);
    if (HasFatalFailure())
      return;
    hc::ProblemList problems;
    const std::wstring path = L"/hold/" + std::wstring(gate.begin(), gate.end()) + L"?timeout_ms=30000&i=";
    requests_ = OpenSpanRequests(
        count, gang_bound, [&](int t) { return path + std::to_wstring(t); }, problems);
    ASSERT_TRUE(problems.None(count));
    ASSERT_TRUE(server().AwaitParked(count, park_bound, gate));
  }

  Handle session_, connect_;
  std::vector<SpanRequest*> requests_;

 private:
  SpanLog* log_ = nullptr;
};

}  // namespace hc::winhttp::spans
