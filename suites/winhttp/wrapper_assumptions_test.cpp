// What wrapper libraries (cpprestsdk issue 1022, the .NET runtime's WinHttpHandler, Azure SDK for
// C++ issues 7352 and 7353) assumed about WinHTTP, measured:
//  - HANDLE_CLOSING and its context, for a context bound with WINHTTP_OPTION_CONTEXT_VALUE right
//    after WinHttpOpenRequest or only through WinHttpSendRequest's dwContext, and a request
//    (a) closed before any send, (b) failed synchronously by WinHttpSendRequest, (c) completed:
//    six cases, 64 requests each from 64 threads, reported as a table (hc_wrapper);
//  - a callback that blocks: do requests on other handles keep progressing, with and without
//    WINHTTP_OPTION_ASSURED_NON_BLOCKING_CALLBACKS (bounded: the blocked callback lets go by itself).
// The other assumptions are child-process trials (suites/unsafe/winhttp_wrapper_trials.cpp).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "callback_spans.h"
#include "hc/catalogue.h"
#include "hc/expectation.h"
#include "hc/localserver.h"
#include "hc/problem_list.h"
#include "hc/thread_gang.h"
#include "hc/wait.h"
#include "hc/watchdog.h"
#include "winhttp_test.h"

namespace {

using namespace std::chrono_literals;
using hc::winhttp::ErrorName;
using hc::winhttp::Handle;
using namespace hc::winhttp::spans;

constexpr int kCaseRequests = 64;  // per case, one thread each
constexpr auto kCaseEndBound = 20s;
constexpr auto kCaseClosingBound = 3s;  // HANDLE_CLOSING may not come at all (no context)
constexpr auto kCaseGangBound = 60s;
constexpr int kBlockingRequests = 64;  // one blocked callback, the others must progress
constexpr auto kBlockedFor = 15s;      // the blocked callback lets go by itself after this
constexpr auto kOthersBound = 10s;     // how long the others get while it blocks

enum class End { kBeforeSend, kSendFailsAtOnce, kCompleted };

const char* EndName(End e) {
  switch (e) {
    case End::kBeforeSend:
      return "closed before any send";
    case End::kSendFailsAtOnce:
      return "WinHttpSendRequest failed synchronously";
    case End::kCompleted:
      return "completed normally";
  }
  return "";
}

struct CaseResult {
  std::string binding, end;
  int requests = 0, sync_failures = 0, closing_with_context = 0, closing_null = 0, no_closing = 0,
      more_than_one = 0, after_closing = 0;
  std::string send_error;  // the synchronous failure's error
  std::vector<std::string> problems;
};

class WinHttpWrapperAssumptions : public hc::winhttp::SuiteTest {
 protected:
  CaseResult RunCase(SpanLog& log, HINTERNET connect, Bind bind, End end);
};

CaseResult WinHttpWrapperAssumptions::RunCase(SpanLog& log, HINTERNET connect, Bind bind, End end) {
  CaseResult c;
  c.binding = bind == Bind::kOption ? "WINHTTP_OPTION_CONTEXT_VALUE after WinHttpOpenRequest"
                                    : "WinHttpSendRequest's dwContext only";
  c.end = EndName(end);
  c.requests = kCaseRequests;
  std::vector<SpanRequest*> requests(kCaseRequests, nullptr);
  std::vector<DWORD> send_errors(kCaseRequests, 0);
  hc::ProblemList problems;
  hc::RunGang(kCaseRequests, kCaseGangBound, [&](int t) {
    const auto at = static_cast<std::size_t>(t);
    const std::string who = "request " + std::to_string(t);
    std::string what;
    SpanRequest* r =
        OpenSpanRequest(log, connect, L"/bytes/1000?seed=" + std::to_wstring(t), bind, false, &what);
    if (!r)
      return problems.Add(who, what + ": " + ErrorName(GetLastError()));
    requests[at] = r;
    if (end == End::kSendFailsAtOnce) {
      // More optional data than the total length: refused before anything is sent. Should the
      // send go ahead all the same, its callbacks make no calls: the close below then meets no
      // thread inside a WinHTTP call on the request.
      r->drive = false;
      static char optional[16] = "0123456789abcde";
      if (WinHttpSendRequest(r->handle, WINHTTP_NO_ADDITIONAL_HEADERS, 0, optional, sizeof(optional), 4,
                             r->context()))
        problems.Add(who,
                     "WinHttpSendRequest with dwOptionalLength > dwTotalLength did not fail synchronously");
      else
        send_errors[at] = GetLastError();
    } else if (end == End::kCompleted) {
      if (!WinHttpSendRequest(r->handle, WINHTTP_NO_ADDITIONAL_HEADERS, 0, WINHTTP_NO_REQUEST_DATA, 0, 0,
                              r->context()))
        return problems.Add(who, "WinHttpSendRequest: " + ErrorName(GetLastError()));
      if (auto done = hc::WaitUntil([&] { return r->done.load(); }, kCaseEndBound, who + " to end"); !done)
        problems.Add(who, done.message());
      else if (r->error.load() != 0 || r->body_bytes.load() != 1000)
        problems.Add(who, "ended with " + ErrorName(r->error.load()));
    }
    r->drive = false;
    if (!CloseSpanRequest(*r))
      problems.Add(who, "WinHttpCloseHandle: " + ErrorName(GetLastError()));
  });
  // HANDLE_CLOSING may not come at all (no context): wait for it within the bound, then count.
  hc::WaitUntil(
      [&] {
        for (SpanRequest* r : requests)
          if (r && !r->Closed() && r->null_closing.load() == 0)
            return false;
        return true;
      },
      kCaseClosingBound, "HANDLE_CLOSING of every request");
  for (std::size_t i = 0; i < requests.size(); ++i) {
    SpanRequest* r = requests[i];
    if (!r)
      continue;
    if (send_errors[i] != 0) {
      ++c.sync_failures;
      c.send_error = ErrorName(send_errors[i]);
    }
    c.closing_with_context += r->closings.load() > 0 ? 1 : 0;
    c.closing_null += r->null_closing.load() > 0 ? 1 : 0;
    c.no_closing += r->closings.load() == 0 && r->null_closing.load() == 0 ? 1 : 0;
    c.more_than_one += r->closings.load() + r->null_closing.load() > 1 ? 1 : 0;
    c.after_closing += r->after_closing.load();
  }
  c.problems = problems.items();
  return c;
}

TEST_F(WinHttpWrapperAssumptions, HandleClosingAndItsContextInSixWaysARequestCanEnd) {
  hc::Covers({"WH-LIB-CLOSING-CONTEXT", "WH-CH-CLOSING-LAST", "WH-PORT-NULL-CONTEXT"});
  SpanLog& log = NewSpanLog();
  Handle session = OpenSpanSession();
  ASSERT_TRUE(session) << "WinHttpOpen/SetStatusCallback: " << ErrorName(GetLastError());
  std::vector<CaseResult> cases;
  for (Bind bind : {Bind::kOption, Bind::kSendContext})
    for (End end : {End::kBeforeSend, End::kSendFailsAtOnce, End::kCompleted}) {
      // A listener per case: a connection one case abandons is never another case's.
      hc::Scenario listener;
      Handle connect = hc::winhttp::Connect(session.get(), listener.port());
      ASSERT_TRUE(connect) << "WinHttpConnect: " << ErrorName(GetLastError());
      cases.push_back(RunCase(log, connect.get(), bind, end));
    }
  nlohmann::json rows = nlohmann::json::array();
  for (const CaseResult& c : cases)
    rows.push_back({c.binding, c.end, c.requests, c.send_error.empty() ? "-" : c.send_error,
                    c.closing_with_context, c.closing_null, c.no_closing});
  RecordProperty(
      "hc_wrapper",
      nlohmann::json{
          {"library",
           "cpprestsdk (issue 1022), .NET runtime WinHttpHandler, Azure SDK for C++ (issues 7352, 7353)"},
          {"assumption",
           "HANDLE_CLOSING comes once with the context bound by WINHTTP_OPTION_CONTEXT_VALUE however the "
           "request "
           "ends; a context given only to a WinHttpSendRequest that failed synchronously is never delivered"},
          {"table",
           {{"columns",
             {"context bound by", "request", "requests", "WinHttpSendRequest error",
              "HANDLE_CLOSING with the context", "HANDLE_CLOSING with a NULL context", "no HANDLE_CLOSING"}},
            {"rows", rows}}}}
          .dump());
  auto check = [](const CaseResult& c) {
    const std::string name = c.binding + ", " + c.end;
    EXPECT_TRUE(c.problems.empty()) << name << ": " << c.problems.size()
                                    << " problems, first: " << c.problems.front();
    EXPECT_EQ(c.more_than_one, 0) << name << ": requests with more than one HANDLE_CLOSING";
    EXPECT_EQ(c.after_closing, 0) << name << ": callbacks after HANDLE_CLOSING";
    if (c.end == EndName(End::kSendFailsAtOnce)) {
      EXPECT_EQ(c.sync_failures, c.requests)
          << name << ": the scenario needs every send to fail synchronously";
    }
    if (c.binding.rfind("WINHTTP_OPTION", 0) == 0) {
      EXPECT_EQ(c.closing_with_context, c.requests) << name << ": HANDLE_CLOSING with the bound context";
    } else if (c.end == EndName(End::kCompleted)) {
      EXPECT_EQ(c.closing_with_context, c.requests) << name << ": HANDLE_CLOSING with the send's context";
    } else {
      // The library frees the context when the send fails at once (or never gave it): it must not
      // be delivered.
      EXPECT_EQ(c.closing_with_context, 0) << name
                                           << ": HANDLE_CLOSING delivered a context the application "
                                              "never bound or whose send failed";
    }
  };
  for (const CaseResult& c : cases)
    if (c.end != EndName(End::kSendFailsAtOnce))
      check(c);
  hc::CheckExpecting(hc::OnWine("Wine 8.0's asynchronous WinHttpSendRequest queues the send without checking "
                                "dwOptionalLength against dwTotalLength: it does not fail synchronously, the "
                                "request goes out and its context is bound"),
                     [&] {
                       for (const CaseResult& c : cases)
                         if (c.end == EndName(End::kSendFailsAtOnce))
                           check(c);
                     });
}

// A callback held at HEADERS_AVAILABLE (the blocked request's hook), released by the test.
struct Blocker {
  HANDLE release = CreateEventW(nullptr, TRUE, FALSE, nullptr);
  std::atomic<bool> entered{false};
};

bool BlockAtHeaders(SpanRequest& r, DWORD status) {
  if (status == WINHTTP_CALLBACK_STATUS_HEADERS_AVAILABLE && r.user) {
    auto* b = static_cast<Blocker*>(r.user);
    b->entered = true;
    WaitForSingleObject(b->release, static_cast<DWORD>(std::chrono::milliseconds(kBlockedFor).count()));
  }
  return true;
}

// One request's callback blocks; how many of the others completed meanwhile (json row).
nlohmann::json RunWithOneCallbackBlocked(std::uint16_t port, bool assured, std::string* problem) {
  SpanLog& log = NewSpanLog();
  Handle session = OpenSpanSession();
  if (!session) {
    *problem = "WinHttpOpen: " + ErrorName(GetLastError());
    return {};
  }
  BOOL yes = TRUE;
  std::string option = "not set";
  if (assured)
    option = WinHttpSetOption(session.get(), WINHTTP_OPTION_ASSURED_NON_BLOCKING_CALLBACKS, &yes, sizeof(yes))
                 ? "set"
                 : "refused: " + ErrorName(GetLastError());
  Handle connect = hc::winhttp::Connect(session.get(), port);
  auto* blocker = new Blocker;  // never freed: the blocked callback may outlive this function
  std::vector<SpanRequest*> requests(kBlockingRequests, nullptr);
  hc::ProblemList problems;
  hc::RunGang(kBlockingRequests, kCaseGangBound, [&](int t) {
    std::string what;
    SpanRequest* r = OpenSpanRequest(log, connect.get(), L"/bytes/1000?seed=" + std::to_wstring(t),
                                     Bind::kOption, false, &what);
    if (!r)
      return problems.Add("request " + std::to_string(t), what);
    if (t == 0) {
      r->hook = BlockAtHeaders;
      r->user = blocker;
    }
    requests[static_cast<std::size_t>(t)] = r;
    if (t != 0)  // the others start once the blocked callback is entered
      hc::WaitUntil([&] { return blocker->entered.load(); }, kOthersBound, "the blocked callback");
    if (!WinHttpSendRequest(r->handle, WINHTTP_NO_ADDITIONAL_HEADERS, 0, WINHTTP_NO_REQUEST_DATA, 0, 0,
                            r->context()))
      problems.Add("request " + std::to_string(t), "WinHttpSendRequest: " + ErrorName(GetLastError()));
  });
  const bool entered = blocker->entered.load();
  auto others_done = [&] {
    int n = 0;
    for (std::size_t i = 1; i < requests.size(); ++i)
      n += requests[i] && requests[i]->done.load() ? 1 : 0;
    return n;
  };
  hc::WaitUntil([&] { return others_done() == kBlockingRequests - 1; }, kOthersBound, "the other requests");
  const int done_while_blocked = others_done();
  const bool still_blocked = !requests[0] || !requests[0]->done.load();
  SetEvent(blocker->release);
  for (SpanRequest* r : requests)
    if (r) {
      hc::WaitUntil([&] { return r->done.load(); }, kCaseEndBound, "the request to end");
      r->drive = false;
      CloseSpanRequest(*r);
    }
  for (SpanRequest* r : requests)
    if (r)
      hc::WaitUntil([&] { return r->Closed(); }, kCaseClosingBound, "HANDLE_CLOSING");
  if (!problems.None() || !entered)
    *problem = entered ? std::string(problems.None().message()) : "the blocked callback was never entered";
  return {assured ? "set to TRUE" : "not set", option, kBlockingRequests - 1, done_while_blocked,
          still_blocked ? "yes" : "no"};
}

TEST_F(WinHttpWrapperAssumptions, ABlockingCallbackAndRequestsOnOtherHandles) {
  hc::Covers({"WH-LIB-BLOCKING-CALLBACK", "WH-CB-REENTRANT"});
  hc::SetWatchdogBound(120s);
  std::string plain_problem, assured_problem;
  const nlohmann::json plain = RunWithOneCallbackBlocked(server().port(), false, &plain_problem);
  const nlohmann::json assured = RunWithOneCallbackBlocked(server().port(), true, &assured_problem);
  RecordProperty(
      "hc_wrapper",
      nlohmann::json{
          {"library", ".NET runtime WinHttpHandler, Azure SDK for C++ (issue 7353)"},
          {"assumption", "a status callback that blocks delays only its own request"},
          {"table",
           {{"columns",
             {"WINHTTP_OPTION_ASSURED_NON_BLOCKING_CALLBACKS", "WinHttpSetOption", "other requests",
              "completed while the callback blocked", "blocked request still waiting"}},
            {"rows", {plain, assured}}}}}
          .dump());
  ASSERT_TRUE(plain_problem.empty()) << plain_problem;
  ASSERT_TRUE(assured_problem.empty()) << assured_problem;
  // Without the promise, WinHTTP must not let one application callback stall the others.
  EXPECT_EQ(plain[3].get<int>(), kBlockingRequests - 1)
      << "requests on other handles that completed while one callback blocked: " << plain.dump();
  EXPECT_EQ(plain[4].get<std::string>(), "yes") << "the blocked request must not have completed";
}

}  // namespace
