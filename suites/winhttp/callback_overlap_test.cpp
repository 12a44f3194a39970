// "WINHTTP_STATUS_CALLBACK callback function": the callback must be thread safe and reentrant (it
// can run on another thread for another request, and be re-entered for the same one), but
// HANDLE_CLOSING never overlaps another callback for the same handle. Every callback's entry and
// exit is recorded per handle (callback_spans.h) for asynchronous requests from 64 threads; half
// of them are closed inside their READ_COMPLETE callback while the body is still arriving (the
// documented way to cancel), half by the application right after the callback that ended them
// signalled the end (that callback may still be running).
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <string>
#include <utility>
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

constexpr int kOverlapThreads = 64;
constexpr int kOverlapRequestsPerThread = 4;
constexpr int kOverlapBodyBytes = 65536;
constexpr DWORD kOverlapReadSize = 1024;
constexpr auto kOverlapRequestBound = 20s;
constexpr auto kOverlapClosingBound = 10s;
constexpr auto kOverlapGangBound = 120s;

class WinHttpCallbackOverlap : public SpanTest {};

TEST_F(WinHttpCallbackOverlap, HandleClosingNeverOverlapsAnotherCallbackForTheSameHandle) {
  hc::Covers({"WH-CB-CLOSING-ALONE", "WH-CB-REENTRANT", "WH-INDEPENDENT"});
  OpenSpanConnection(ConnectError::kNamed);
  if (HasFatalFailure())
    return;
  hc::ProblemList problems;
  hc::ProblemList broken;  // requests read to the end that did not get their whole body
  std::atomic<int> closed_mid_body{0}, cancelled{0};
  hc::RunGang(kOverlapThreads, kOverlapGangBound, [&](int t) {
    for (int k = 0; k < kOverlapRequestsPerThread; ++k) {
      const std::string who = "thread " + std::to_string(t) + " request " + std::to_string(k);
      const std::wstring target = L"/stream-bytes/" + std::to_wstring(kOverlapBodyBytes) +
                                  L"?chunk_size=2048&seed=" +
                                  std::to_wstring(t * kOverlapRequestsPerThread + k);
      std::string what;
      SpanRequest* r = OpenSpanRequest(log(), connect_.get(), target,
                                       k % 2 ? Bind::kSendContext : Bind::kOption, false, &what);
      if (!r)
        return problems.Add(who, what + " failed: " + hc::winhttp::ErrorName(GetLastError()));
      r->read_size = kOverlapReadSize;
      const bool mid_body = k >= kOverlapRequestsPerThread / 2;
      // Mid-body: the READ_COMPLETE callback closes the request once 8 KiB have been read.
      if (mid_body)
        r->close_at_bytes = 8192;
      if (!WinHttpSendRequest(r->handle, WINHTTP_NO_ADDITIONAL_HEADERS, 0, WINHTTP_NO_REQUEST_DATA, 0, 0,
                              r->context()))
        return problems.Add(who, "WinHttpSendRequest: " + hc::winhttp::ErrorName(GetLastError()));
      auto ready =
          hc::WaitUntil([&] { return r->done.load() || r->closed_in_callback.load(); }, kOverlapRequestBound,
                        who + " to end" + (mid_body ? " or be closed in its callback" : ""));
      if (!ready) {
        problems.Add(who, ready.message());
        r->drive = false;
      } else if (r->closed_in_callback.load()) {
        ++closed_mid_body;
      } else if (r->error.load() != 0 || r->body_bytes.load() != kOverlapBodyBytes) {
        broken.Add(who, std::string(r->ended_by.load()) + " with " + hc::winhttp::ErrorName(r->error.load()) +
                            ", status " + std::to_string(r->status_code.load()) + ", after " +
                            std::to_string(r->body_bytes.load()) + " bytes");
      }
      CloseAndAwaitClosing(*r, kOverlapClosingBound, who, problems);
      if (r->error.load() == ERROR_WINHTTP_OPERATION_CANCELLED)
        ++cancelled;
    }
  });
  EXPECT_TRUE(problems.None());
  // At the server: connections that carried another request after one whose body the client
  // abandoned (closed mid-body; seed % 4 >= 2 names those).
  int reused_after_abandoned = 0;
  {
    std::map<long long, std::vector<std::pair<long long, long long>>> by_conn;  // conn -> (conn_seq, seed)
    for (const auto& e : server().Log()) {
      const std::string q = e.value("query", "");
      const auto at = q.find("seed=");
      by_conn[e.value("conn", 0LL)].emplace_back(e.value("conn_seq", 0LL),
                                                 at == std::string::npos ? -1 : std::stoll(q.substr(at + 5)));
    }
    for (auto& [conn, seq] : by_conn) {
      std::sort(seq.begin(), seq.end());
      for (std::size_t i = 0; i + 1 < seq.size(); ++i)
        reused_after_abandoned +=
            seq[i].second % kOverlapRequestsPerThread >= kOverlapRequestsPerThread / 2 ? 1 : 0;
    }
  }
  const auto broken_items = broken.items();
  int overlaps = 0, nested = 0, concurrent = 0, after = 0, depth = 0, not_one_closing = 0;
  {
    std::lock_guard lock(log().mu);
    for (const auto& r : log().requests) {
      overlaps += r->closing_overlaps.load();
      nested += r->nested_same_thread.load();
      concurrent += r->concurrent_threads.load();
      after += r->after_closing.load();
      depth = std::max(depth, r->max_depth.load());
      not_one_closing += r->closings.load() == 1 ? 0 : 1;
    }
  }
  const int requests = kOverlapThreads * kOverlapRequestsPerThread;
  // Re-entrance is allowed, not required: recorded as evidence.
  RecordProperty("hc_callback_spans",
                 nlohmann::json{{"requests", requests},
                                {"callbacks", log().callbacks.load()},
                                {"closed_mid_body", closed_mid_body.load()},
                                {"cancelled", cancelled.load()},
                                {"reentered_same_thread", nested},
                                {"same_handle_on_two_threads", concurrent},
                                {"max_nesting_any_handle", log().max_depth.load()},
                                {"max_read_complete_nesting", depth},
                                {"closing_overlaps", overlaps},
                                {"null_context_notifications", log().NullTotal()},
                                {"broken_complete_requests", broken_items.size()},
                                {"connections_reused_after_an_abandoned_body", reused_after_abandoned}}
                     .dump());
  EXPECT_GT(closed_mid_body.load(), 0) << "no request was closed while its body was still being read";
  // Requests on other handles must not be disturbed by the closes (WH-INDEPENDENT).
  EXPECT_TRUE(broken.None()) << reused_after_abandoned
                             << " connections carried a request after one whose body was abandoned";
  EXPECT_EQ(overlaps, 0) << "HANDLE_CLOSING overlapped another callback for the same handle " << overlaps
                         << " times in " << requests << " requests";
  EXPECT_EQ(after, 0) << "callbacks after HANDLE_CLOSING";
  EXPECT_EQ(not_one_closing, 0) << "requests without exactly one HANDLE_CLOSING";
}

}  // namespace
