// "WinHttpReadData function": a read issued from the READ_COMPLETE callback that completes
// synchronously (the data is already buffered) calls the callback again before WinHttpReadData
// returns, so a chain of reads recurses. The nesting of READ_COMPLETE on one thread is measured
// (callback_spans.h), and a deep chain (a large chunked body read a few bytes at a time, every
// read issued from the previous READ_COMPLETE) must end with the whole body, not a stack overflow.
#include <gtest/gtest.h>

#include <string>

#include <nlohmann/json.hpp>

#include "hc/catalogue.h"
#include "hc/localserver.h"
#include "hc/problem_list.h"
#include "hc/thread_gang.h"
#include "hc/wait.h"
#include "hc/watchdog.h"
#include "span_test.h"
#include "winhttp_test.h"

namespace {

using namespace std::chrono_literals;
using namespace hc::winhttp::spans;

constexpr int kRecursionRequests = 4;  // concurrent chains, one thread each
constexpr int kRecursionBodyBytes = 512 * 1024;
constexpr DWORD kRecursionReadSize = 8;  // 65536 reads per request, each from the previous READ_COMPLETE
constexpr auto kRecursionRequestBound = 40s;
constexpr auto kRecursionClosingBound = 10s;
constexpr auto kRecursionGangBound = 60s;

class WinHttpReadRecursion : public SpanTest {};

TEST_F(WinHttpReadRecursion, ADeepChainOfSmallReadsFromReadCompleteEndsWithTheWholeBody) {
  hc::Covers({"WH-READ-SYNC-RECURSION", "WH-CALLBACK-NEXT-OP"});
  hc::SetWatchdogBound(90s);
  OpenSpanConnection(ConnectError::kNamed);
  if (HasFatalFailure())
    return;
  hc::ProblemList problems;
  std::vector<SpanRequest*> requests(kRecursionRequests, nullptr);
  hc::RunGang(kRecursionRequests, kRecursionGangBound, [&](int t) {
    const std::string who = "request " + std::to_string(t);
    std::string what;
    SpanRequest* r = OpenSpanRequest(log(), connect_.get(),
                                     std::wstring(L"/stream-bytes/") + std::to_wstring(kRecursionBodyBytes) +
                                         L"?chunk_size=65536&seed=" + std::to_wstring(t),
                                     Bind::kOption, false, &what);
    if (!r)
      return problems.Add(who, what + " failed: " + hc::winhttp::ErrorName(GetLastError()));
    r->read_size = kRecursionReadSize;
    requests[static_cast<std::size_t>(t)] = r;
    if (!WinHttpSendRequest(r->handle, WINHTTP_NO_ADDITIONAL_HEADERS, 0, WINHTTP_NO_REQUEST_DATA, 0, 0,
                            r->context()))
      return problems.Add(who, "WinHttpSendRequest: " + hc::winhttp::ErrorName(GetLastError()));
    if (auto done = hc::WaitUntil([&] { return r->done.load(); }, kRecursionRequestBound, who + " to end");
        !done)
      problems.Add(
          who, std::string(done.message()) + " (" + std::to_string(r->body_bytes.load()) + " bytes read)");
    else if (r->error.load() != 0 || r->body_bytes.load() != kRecursionBodyBytes ||
             r->status_code.load() != 200)
      problems.Add(who, "ended with " + hc::winhttp::ErrorName(r->error.load()) + ", status " +
                            std::to_string(r->status_code.load()) + ", " +
                            std::to_string(r->body_bytes.load()) + " of " +
                            std::to_string(kRecursionBodyBytes) + " bytes");
    r->drive = false;
    CloseAndAwaitClosing(*r, kRecursionClosingBound, who, problems);
  });
  int depth = 0, reads = 0;
  for (SpanRequest* r : requests)
    if (r) {
      depth = std::max(depth, r->max_depth.load());
      reads += r->callbacks.load();
    }
  RecordProperty("hc_read_recursion",
                 nlohmann::json{{"requests", kRecursionRequests},
                                {"body_bytes", kRecursionBodyBytes},
                                {"read_size", kRecursionReadSize},
                                {"reads_per_request", kRecursionBodyBytes / kRecursionReadSize},
                                {"callbacks", reads},
                                {"max_read_complete_nesting", depth},
                                {"max_callback_nesting", log().max_depth.load()}}
                     .dump());
  EXPECT_TRUE(problems.None(kRecursionRequests));
  // The chain was driven from READ_COMPLETE: at least one read per callback.
  EXPECT_GE(reads, kRecursionRequests * (kRecursionBodyBytes / static_cast<int>(kRecursionReadSize)));
}

}  // namespace
