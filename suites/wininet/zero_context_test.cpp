// "Common Functions" (Windows Internet): a context value of zero makes an operation complete
// synchronously, even when INTERNET_FLAG_ASYNC was given to InternetOpen (WI-ZERO-CONTEXT-SYNC).
// 64 threads, released together, each open a request with context 0 on the shared asynchronous
// session and connect handle (which has a status callback and a context of its own), send it and
// read the whole body. Asserted: HttpSendRequest returns TRUE (not ERROR_IO_PENDING), every read
// returns its data at once, every body is the pattern body and the server's log holds exactly these
// requests.
#include <gtest/gtest.h>

#include <map>
#include <mutex>
#include <string>

#include <nlohmann/json.hpp>

#include "hc/catalogue.h"
#include "hc/expectation.h"
#include "hc/pattern_request.h"
#include "hc/request_load.h"
#include "hc/request_log.h"
#include "wininet_test.h"

namespace {

using namespace std::chrono_literals;
using hc::wininet::Handle;

constexpr int kZeroContextThreads = 64;
constexpr int kZeroContextRequestsPerThread = 2;
constexpr auto kZeroContextGangBound = 60s;

const char* const kWineZeroContextAsync =
    "Wine 8.0: HttpSendRequest with context 0 on a handle of an INTERNET_FLAG_ASYNC session returns "
    "ERROR_IO_PENDING like any other, and with context 0 no REQUEST_COMPLETE tells the caller when it ends";

class WinInetZeroContext : public hc::wininet::SuiteTest {};

TEST_F(WinInetZeroContext, ZeroContextRequestsCompleteSynchronouslyOnAnAsyncSession) {
  hc::Covers({"WI-ZERO-CONTEXT-SYNC"});
  ASSERT_TRUE(OpenCallbacks({.async = true}));
  std::mutex mu;
  std::map<std::string, int> send_outcomes, read_outcomes;
  hc::RequestLoad load;
  load.Run(kZeroContextThreads, kZeroContextRequestsPerThread, kZeroContextGangBound, [&](int t, int r) {
    const auto req = hc::PatternRequest::ForThread(t, r);
    const hc::SentRequest sent{hc::LogKey("GET", req.path, req.query), ""};
    Handle request(hc::wininet::OpenRequest(static_cast<HINTERNET>(client().connect()), "GET", req.target(),
                                            hc::wininet::kNoCacheFlags, 0));
    if (!request)
      return hc::SentRequest{sent.log_key, "HttpOpenRequest: " + hc::wininet::ErrorName(GetLastError())};
    const BOOL sent_ok = HttpSendRequestA(request.get(), nullptr, 0, nullptr, 0);
    const DWORD send_error = sent_ok ? 0 : GetLastError();
    {
      std::lock_guard lock(mu);
      ++send_outcomes[sent_ok ? "returned TRUE" : hc::wininet::ErrorName(send_error)];
    }
    if (!sent_ok) {
      return hc::SentRequest{sent.log_key, req.target() +
                                               ": HttpSendRequest did not complete synchronously: " +
                                               hc::wininet::ErrorName(send_error)};
    }
    hc::Response response;
    response.error_name = hc::wininet::ErrorName;
    DWORD status = 0, size = sizeof(status);
    if (HttpQueryInfoA(request.get(), HTTP_QUERY_STATUS_CODE | HTTP_QUERY_FLAG_NUMBER, &status, &size,
                       nullptr))
      response.status = status;
    DWORD read_error = 0;
    const bool read_ok = hc::wininet::ReadAll(request.get(), response.body, read_error);
    {
      std::lock_guard lock(mu);
      ++read_outcomes[read_ok ? "returned the data" : hc::wininet::ErrorName(read_error)];
    }
    if (!read_ok) {
      response.error = read_error;
      response.failed_call = "InternetReadFile";
    }
    return hc::SentRequest{sent.log_key, req.Check(response)};
  });
  RecordProperty("hc_zero_context_send", nlohmann::json(send_outcomes).dump());
  RecordProperty("hc_zero_context_read", nlohmann::json(read_outcomes).dump());
  hc::CheckExpecting(hc::OnWine(kWineZeroContextAsync), [&] {
    EXPECT_EQ(send_outcomes["returned TRUE"], kZeroContextThreads * kZeroContextRequestsPerThread)
        << "HttpSendRequest with context 0 on an async session: " << nlohmann::json(send_outcomes).dump();
    EXPECT_TRUE(load.NoProblems());
    EXPECT_TRUE(load.MatchesLog(server()));
  });
}

}  // namespace
