// "Porting WinINet Applications to WinHTTP": WinHTTP allows one pending asynchronous operation per
// request, and a second call while one is pending fails with ERROR_INVALID_OPERATION; and a
// notification can arrive before the request's context value is set, with a NULL context.
// 64 requests, each with a WinHttpReadData pending (the server sends the second half of the body
// kPendingChunkDelayMs after the first; the test checks the read was still pending after the
// calls), get a second WinHttpReadData and a WinHttpQueryDataAvailable from 64 threads at once;
// the NULL contexts of 64 threads' requests are counted per way of binding the context.
#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "hc/catalogue.h"
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

constexpr int kPendingRequests = 64;
constexpr int kPendingChunkDelayMs = 3000;  // the pending read's wait: far longer than the second calls
constexpr auto kPendingIssuedBound = 10s;
constexpr auto kPendingEndBound = 20s;
constexpr auto kPendingGangBound = 60s;
constexpr int kNullThreads = 64;
constexpr int kNullRequestsPerThread = 2;  // one per way of binding the context
constexpr auto kNullRequestBound = 20s;

class WinHttpPendingCall : public SpanTest {};

TEST_F(WinHttpPendingCall, ASecondCallWhileAnOperationIsPendingFailsWithInvalidOperation) {
  hc::Covers({"WH-PORT-SECOND-CALL", "WH-REQUEST-ONE-OP"});
  OpenSpanConnection();
  if (HasFatalFailure())
    return;
  hc::ProblemList problems;
  const std::vector<SpanRequest*> requests = OpenSpanRequests(
      kPendingRequests, kPendingGangBound,
      [](int t) {
        return L"/stream-bytes/2048?chunk_size=1024&chunk_delay_ms=" + std::to_wstring(kPendingChunkDelayMs) +
               L"&seed=" + std::to_wstring(t);
      },
      problems,
      [](SpanRequest& r) {
        r.read_size = 1024;  // one chunk per read: the second read waits for the second chunk
      });
  ASSERT_TRUE(problems.None(kPendingRequests));
  // A read is pending from its WinHttpReadData (issued from a callback, HEADERS_AVAILABLE or
  // READ_COMPLETE; an implementation may run it inside that callback) to its READ_COMPLETE. Each
  // thread waits for its own request's pending read (an implementation may not run all 64 at
  // once), makes the second calls, and checks the read was still pending after them.
  auto pending = [](const SpanRequest& r) {
    return r.status_code.load() == 200 && r.read_in_flight.load() && !r.done.load();
  };
  // The second calls' buffers outlive the test (a call that wrongly went pending may write later).
  static std::vector<std::vector<char>> second_buffers;
  second_buffers.assign(kPendingRequests, std::vector<char>(64));
  std::vector<BOOL> read_ok(kPendingRequests), query_ok(kPendingRequests);
  std::vector<DWORD> read_error(kPendingRequests), query_error(kPendingRequests);
  std::atomic<int> still_pending{0}, read_inside_callback{0};
  hc::RunGang(kPendingRequests, kPendingGangBound, [&](int t) {
    const auto at = static_cast<std::size_t>(t);
    SpanRequest& r = *requests[at];
    if (auto ok = hc::WaitUntil([&] { return pending(r); }, kPendingIssuedBound,
                                "request " + std::to_string(t) + "'s second WinHttpReadData to be pending");
        !ok)
      return problems.Add("request " + std::to_string(t),
                          std::string(ok.message()) + " (" + r.ended_by.load() + ", " +
                              std::to_string(r.body_bytes.load()) + " bytes)");
    read_ok[at] = WinHttpReadData(r.handle, second_buffers[at].data(), 64, nullptr);
    read_error[at] = read_ok[at] ? 0 : GetLastError();
    query_ok[at] = WinHttpQueryDataAvailable(r.handle, nullptr);
    query_error[at] = query_ok[at] ? 0 : GetLastError();
    still_pending += pending(r) ? 1 : 0;
    read_inside_callback += r.inside.load() > 0 ? 1 : 0;  // the pending read runs inside its callback
  });
  ASSERT_TRUE(problems.None(kPendingRequests));
  std::map<std::string, int> read_outcomes, query_outcomes;
  int not_invalid_operation = 0, ended = 0;
  for (std::size_t i = 0; i < requests.size(); ++i) {
    ++read_outcomes[read_ok[i] ? "accepted" : ErrorName(read_error[i])];
    ++query_outcomes[query_ok[i] ? "accepted" : ErrorName(query_error[i])];
    not_invalid_operation += (read_ok[i] || read_error[i] != ERROR_INVALID_OPERATION) +
                             (query_ok[i] || query_error[i] != ERROR_INVALID_OPERATION);
    if (hc::WaitUntil([&] { return requests[i]->done.load(); }, kPendingEndBound, "the request to end"))
      ++ended;
    requests[i]->drive = false;
    EXPECT_TRUE(CloseSpanRequest(*requests[i]));
  }
  ExpectClosings(requests, kPendingEndBound);
  RecordProperty("hc_second_call",
                 nlohmann::json{{"requests", kPendingRequests},
                                {"WinHttpReadData", read_outcomes},
                                {"WinHttpQueryDataAvailable", query_outcomes},
                                {"read_still_pending_after_the_calls", still_pending.load()},
                                {"pending_read_inside_its_callback", read_inside_callback.load()},
                                {"pending_operation_ended", ended}}
                     .dump());
  EXPECT_EQ(still_pending.load(), kPendingRequests)
      << "the scenario: every read still pending after the second calls";
  EXPECT_EQ(ended, kPendingRequests) << "the pending operations must still end after the second calls";
  hc::CheckExpecting(
      hc::OnWine("Wine 8.0 does not refuse a second call on a request with a pending operation"), [&] {
        EXPECT_EQ(not_invalid_operation, 0)
            << "second calls that did not fail with ERROR_INVALID_OPERATION (4317): WinHttpReadData "
            << nlohmann::json(read_outcomes).dump() << ", WinHttpQueryDataAvailable "
            << nlohmann::json(query_outcomes).dump();
      });
}

TEST_F(WinHttpPendingCall, NotificationsBeforeTheContextIsSetCarryANullContext) {
  hc::Covers({"WH-PORT-NULL-CONTEXT"});
  OpenSpanConnection();
  if (HasFatalFailure())
    return;
  hc::ProblemList problems;
  std::vector<SpanRequest*> by_option(kNullThreads, nullptr), by_send(kNullThreads, nullptr);
  hc::RunGang(kNullThreads, kPendingGangBound, [&](int t) {
    for (int k = 0; k < kNullRequestsPerThread; ++k) {
      const std::string who = "thread " + std::to_string(t) + " request " + std::to_string(k);
      std::string what;
      const Bind bind = k == 0 ? Bind::kOption : Bind::kSendContext;
      SpanRequest* r = OpenSpanRequest(log(), connect_.get(), L"/bytes/2000?seed=" + std::to_wstring(t), bind,
                                       true, &what);
      if (!r)
        return problems.Add(who, what + ": " + ErrorName(GetLastError()));
      (k == 0 ? by_option : by_send)[static_cast<std::size_t>(t)] = r;
      if (auto done = hc::WaitUntil([&] { return r->done.load(); }, kNullRequestBound, who + " to end");
          !done)
        problems.Add(who, done.message());
      else if (r->error.load() != 0 || r->body_bytes.load() != 2000)
        problems.Add(who, "ended with " + ErrorName(r->error.load()));
      CloseSpanRequest(*r);
      if (auto closing =
              hc::WaitUntil([&] { return r->Closed(); }, kNullRequestBound, who + " HANDLE_CLOSING");
          !closing)
        problems.Add(who, closing.message());
    }
  });
  EXPECT_TRUE(problems.None());
  auto sum = [](const std::vector<SpanRequest*>& rs, std::atomic<int> SpanRequest::*field) {
    int n = 0;
    for (SpanRequest* r : rs)
      n += r ? (r->*field).load() : 0;
    return n;
  };
  std::map<std::string, int> by_status, after_by_status;
  {
    std::lock_guard lock(log().mu);
    for (const auto& [status, count] : log().null_context)
      by_status[hc::winhttp::StatusName(status)] = count;
    for (const auto& [status, count] : log().null_after_context)
      after_by_status[hc::winhttp::StatusName(status)] = count;
  }
  const int option_before = sum(by_option, &SpanRequest::null_before_context);
  const int send_before = sum(by_send, &SpanRequest::null_before_context);
  const int after =
      sum(by_option, &SpanRequest::null_after_context) + sum(by_send, &SpanRequest::null_after_context);
  RecordProperty("hc_null_context", nlohmann::json{{"requests_per_binding", kNullThreads},
                                                   {"null_before_context_option_bound", option_before},
                                                   {"null_before_context_send_bound", send_before},
                                                   {"null_after_context", after},
                                                   {"null_after_context_by_status", after_by_status},
                                                   {"null_by_status_all_handles", by_status}}
                                        .dump());
  // Allowed: NULL before the context is bound. Not allowed: NULL once the request's context has
  // been delivered.
  EXPECT_EQ(after, 0) << "notifications with a NULL context after the request's context had been delivered: "
                      << nlohmann::json(after_by_status).dump();
  EXPECT_GT(sum(by_option, &SpanRequest::callbacks) + sum(by_send, &SpanRequest::callbacks), 0);
}

}  // namespace
