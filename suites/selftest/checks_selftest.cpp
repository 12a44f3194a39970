// The shared checks say what is wrong: lost, duplicated and wrong responses, timed-out waits, error names.
#include <gtest/gtest.h>

#include <windows.h>

#include <hc_protocol/body_pattern.h>

#include "hc/localserver.h"
#include "hc/name_format.h"
#include "hc/pattern_request.h"
#include "hc/request_log.h"
#include "hc/thread_gang.h"
#include "hc/wait.h"

namespace {

using namespace std::chrono_literals;

TEST(HcRequestLog, NamesMissingDuplicatedAndUnexpectedRequests) {
  nlohmann::json log = nlohmann::json::array({
      {{"method", "GET"}, {"path", "/a"}, {"query", ""}},
      {{"method", "GET"}, {"path", "/b"}, {"query", "x=1"}},
      {{"method", "GET"}, {"path", "/b"}, {"query", "x=1"}},
      {{"method", "POST"}, {"path", "/c"}, {"query", ""}},
  });
  EXPECT_TRUE(hc::LogMatches(log, {"GET /a", "GET /b?x=1", "GET /b?x=1", "POST /c"}));
  auto result = hc::LogMatches(log, {"GET /a", "GET /b?x=1", "GET /d"});
  ASSERT_FALSE(result);
  const std::string message = result.message();
  EXPECT_NE(message.find("missing x1: GET /d"), std::string::npos) << message;
  EXPECT_NE(message.find("unexpected or duplicated x1: GET /b?x=1"), std::string::npos) << message;
  EXPECT_NE(message.find("unexpected or duplicated x1: POST /c"), std::string::npos) << message;
}

TEST(HcPatternRequest, AcceptsTheExactBodyAndNamesTheFirstWrongByte) {
  const auto req = hc::PatternRequest::ForThread(3, 1);
  std::string body = hc_protocol::PatternBytes(req.seed, 0, req.size);
  EXPECT_EQ(req.Problem(200, body), "");
  EXPECT_NE(req.Problem(500, body).find("status 500"), std::string::npos);
  EXPECT_NE(req.Problem(200, body.substr(1)).find("bytes, expected"), std::string::npos);
  body[17] = static_cast<char>(body[17] ^ 0x55);
  EXPECT_NE(req.Problem(200, body).find("wrong byte at offset 17"), std::string::npos);
}

TEST(HcWait, TimeoutSaysWhatWasAwaitedAndTheDiagnostic) {
  auto result =
      hc::WaitUntil([] { return false; }, 30ms, "the impossible", [] { return std::string("state: 42"); });
  ASSERT_FALSE(result);
  EXPECT_NE(std::string(result.message()).find("waiting for the impossible"), std::string::npos);
  EXPECT_NE(std::string(result.message()).find("state: 42"), std::string::npos);
}

TEST(HcScenario, AwaitParkedEndsWhenARequestEndedBeforeItParked) {
  // Nothing ever parks here; the count of ended requests turns 1 when it is asked the second time,
  // so the wait must end after its second slice, long before its bound, and say why.
  const hc::Scenario server;
  int asked = 0;
  const auto parked = server.AwaitParked(1, 60s, "never", [&] { return ++asked >= 2 ? 1 : 0; });
  ASSERT_FALSE(parked);
  EXPECT_EQ(asked, 2);
  EXPECT_NE(std::string(parked.message()).find("1 of 1 requests ended before 1 were parked"),
            std::string::npos)
      << parked.message();
}

TEST(HcThreadGang, AllThreadsAreInsideTheBodyAtOnce) {
  // The barrier releases all 64 threads together: every one sees all the others arrive.
  constexpr int kThreads = 64;
  std::atomic<int> arrived{0};
  std::atomic<int> saw_all{0};
  hc::RunGang(kThreads, 30s, [&](int) {
    arrived.fetch_add(1);
    if (hc::WaitUntil([&] { return arrived.load() == kThreads; }, 10s, "all threads"))
      saw_all.fetch_add(1);
  });
  EXPECT_EQ(saw_all.load(), kThreads);
}

}  // namespace

TEST(HcNameFormat, Win32AndSspiErrorsAreNamedWithTheirNumbers) {
  EXPECT_STREQ(hc::Win32ErrorName(ERROR_INVALID_HANDLE), "ERROR_INVALID_HANDLE");
  // An SSPI status is an HRESULT: negative as a long, named all the same as an unsigned last error.
  EXPECT_STREQ(hc::Win32ErrorName(static_cast<unsigned long>(SEC_E_INTERNAL_ERROR)), "SEC_E_INTERNAL_ERROR");
  EXPECT_EQ(hc::NameWithValue(hc::Win32ErrorName(0x80090304UL), 0x80090304UL), "SEC_E_INTERNAL_ERROR (2148074244)");
  EXPECT_EQ(hc::Win32ErrorName(0xDEADBEEFUL), nullptr);
}
