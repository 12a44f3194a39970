// The patterns "WinInet thread safe?" warns about, each next to the fix it gives. Every trial runs
// in unsafe_wininet_trials.exe (a child process): a crash or hang there is an outcome to count,
// never the end of this test. See hc/trial.h.
#include <gtest/gtest.h>

#include <iostream>

#include <nlohmann/json.hpp>

#include "hc/catalogue.h"
#include "hc/localserver.h"
#include "unsafe_test_util.h"

namespace {

using namespace std::chrono_literals;
using hc::unsafe::RecordAndCheck;
using hc::unsafe::RunPair;
using hc::unsafe::RunPairOnFreshServer;
using hc::unsafe::RunShape;

constexpr const wchar_t* kProgram = hc::unsafe::kWinInetTrials;
// Per pattern, hazard and safe alike: trials, children at once, a hazard trial's bound.
constexpr RunShape kShape{100, 4, 1000ms};
// Two readers now and then hang, and the server paces the body (16 pieces 1 ms apart): more
// trials, so that the last hang's bound is a small part of the run, and more children at once.
constexpr RunShape kTwoReadersShape{200, 6, 1000ms};
// A trial: limit + 4 requests parked at the server. Its child waits more than it computes (about
// 25 ms of processor time in 150 ms): 8 children at once.
constexpr RunShape kLimitShape{100, 8, 10000ms};
// A trial: 4 threads x 2 requests on 2 URLs (2 threads on each at once); about 40 ms of processor
// time in 300 ms.
constexpr RunShape kCacheShape{100, 8, 10000ms};

TEST(UnsafeWinInet, RequestClosedFromAnotherThread) {
  hc::Covers({"WI-NO-CROSS-THREAD-CLOSE", "WI-ABORT-IN-CALLBACK"});
  RecordAndCheck(RunPairOnFreshServer(
      kProgram,
      {"wi-cross-close",
       "InternetCloseHandle from another thread while the synchronous "
       "HttpSendRequest/InternetReadFile calls run"},
      {"wi-close-in-callback", "the request handle closed inside its status callback"}, kShape));
}

TEST(UnsafeWinInet, OneRequestReadByTwoThreads) {
  hc::Covers({"WI-SERIALIZE-REQUEST"});
  RecordAndCheck(RunPairOnFreshServer(
      kProgram,
      {"wi-shared-read",
       "a second thread calls InternetReadFile on a request while the "
       "first one sends it and reads"},
      {"wi-serialized-read", "the same two readers, access to the handle serialized by a lock"},
      kTwoReadersShape));
}

TEST(UnsafeWinInet, MoreRequestsToOneServerThanTheConnectionLimit) {
  hc::Covers({"WI-CONN-LIMIT", "WI-CONN-LIMIT-OVERRIDE"});
  const auto run = RunPair(
      kProgram, {"wi-conn-limit", "limit + 4 simultaneous requests to one server (default limit)"},
      {"wi-conn-limit-raised", "INTERNET_OPTION_MAX_CONNS_PER_SERVER raised to the number of requests"}, 0,
      kLimitShape);
  const auto spread = hc::unsafe::RunPattern(
      kProgram,
      {"wi-conn-limit-spread", "the same requests spread over several servers, each within the limit"}, 0,
      hc::unsafe::SafeShape(kLimitShape));
  const nlohmann::json extra = {{"limit_option", run.hazard.MaxNote("limit_option")},
                                {"requests_per_trial", run.hazard.MaxNote("requests")},
                                {"max_in_flight", run.hazard.MaxNote("parked")},
                                {"peak_connections", run.hazard.MaxNote("peak_connections_per_server")},
                                {"max_in_flight_raised", run.safe.MaxNote("parked")},
                                {"max_in_flight_spread", spread.MaxNote("parked")},
                                {"safe_alternatives", nlohmann::json::array({spread.ToJson()})}};
  hc::RecordUnsafe(run.hazard, run.safe, extra);
  hc::unsafe::ExpectClassified(run.hazard);
  // Six threads each open and close a connect handle of their own on one session, which "WinInet
  // thread safe?" allows; the session is closed after they all have.
  const auto session_children_race = hc::Intermittent(hc::OnWine(
      "Wine 8.0: the session handle's list of children is changed without a lock as the threads' connect "
      "handles come and go (the race on a connect handle's children that UnsafeWinInetDisputes counts), and "
      "invalidate_handle (dlls/wininet/internet.c) walks it when the session is closed: an access violation "
      "at WININET.dll's invalidate_handle in some trials (1 of 100 in a loaded run)"));
  hc::unsafe::ExpectAllSucceedButKnownCrashes(run.safe, session_children_race);
  std::cout << "[ SAFE     ] " << spread.Summary() << std::flush;
  hc::unsafe::ExpectAllSucceedButKnownCrashes(spread, session_children_race);
}

nlohmann::json CacheMode(const char* mode, const hc::TrialRun& run) {
  const double seconds = run.SumNote("request_us") / 1e6;
  const double requests = run.SumNote("requests");
  return {{"mode", mode},
          {"requests", requests},
          {"reached_server", run.SumNote("reached_server")},
          {"errors", run.SumNote("errors")},
          {"bad_bodies", run.SumNote("bad_bodies")},
          {"from_cache", run.SumNote("from_cache")},
          {"answered_by_server", run.SumNote("answered_by_server")},
          {"cached_urls", run.SumNote("cached_urls")},
          {"trials_from_cache", run.Count("success")},
          {"trials_not_exercised", run.Count("cache not exercised")},
          {"seconds", seconds},
          {"req_per_s", seconds > 0 ? requests / seconds : 0}};
}

TEST(UnsafeWinInet, ManyThreadsOnTheSameUrlsWithTheCacheOn) {
  hc::Covers({"WI-CACHE-OFF", "WI-CONCURRENT-REQUESTS"});
  const auto run = RunPair(kProgram,
                           {"wi-cache-on",
                            "a warm-up request per URL, then 4 threads x 2 requests on the same 2 URLs "
                            "through one session, cache on",
                            {"threads=4", "requests=2", "urls=2"}},
                           {"wi-cache-off",
                            "the same with INTERNET_FLAG_RELOAD | INTERNET_FLAG_NO_CACHE_WRITE",
                            {"threads=4", "requests=2", "urls=2"}},
                           0, kCacheShape);
  ::testing::Test::RecordProperty(
      "hc_cache",
      nlohmann::json{
          {"modes", {CacheMode("cache on", run.hazard), CacheMode("RELOAD | NO_CACHE_WRITE", run.safe)}}}
          .dump());
  RecordAndCheck(run);
}

}  // namespace
