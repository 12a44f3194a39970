// WinINet patterns where Microsoft's pages disagree with "WinInet thread safe?" or say less than a
// wrapper library relies on, each next to the pattern the documentation does promise. Every trial
// runs in unsafe_wininet_trials.exe (patterns: wininet_dispute_trials.cpp), a child process: a
// crash or hang there is an outcome to count, never the end of this test. See hc/trial.h.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "hc/catalogue.h"
#include "hc/expectation.h"
#include "hc/localserver.h"
#include "unsafe_test_util.h"

namespace {

using namespace std::chrono_literals;
using hc::unsafe::RecordAndCheck;
using hc::unsafe::RunShape;

// Per pattern, hazard and safe alike: trials, children at once, a hazard trial's bound.
constexpr RunShape kDisputeShape{100, 8, 1000ms};
// 64 threads (one gang per child, reused by its trials), 64 or 128 request lifetimes per trial.
constexpr RunShape kSharedConnectShape{300, 6, 3000ms};

hc::unsafe::PairRun RunDisputePair(const hc::unsafe::PatternRun& hazard, const hc::unsafe::PatternRun& safe,
                                   const RunShape& shape = kDisputeShape) {
  return hc::unsafe::RunPairOnFreshServer(hc::unsafe::kWinInetTrials, hazard, safe, shape);
}

TEST(UnsafeWinInetDisputes, ClosedFromAnotherThreadBeforeOrAfterTheSendReturnedIoPending) {
  hc::Covers({"WI-NO-CROSS-THREAD-CLOSE", "WI-CLOSE-PENDING-SAFE"});
  const auto run = RunDisputePair(
      {"wi-close-racing-send",
       "InternetCloseHandle from another thread 0-300 us after an asynchronous HttpSendRequest started, "
       "whether or not it has returned"},
      {"wi-close-after-pending",
       "InternetCloseHandle from another thread only after HttpSendRequest returned ERROR_IO_PENDING"});
  hc::RecordUnsafe(run.hazard, run.safe);
  hc::unsafe::ExpectClassified(run.hazard);
  hc::unsafe::ExpectClassified(run.safe);
  // Documented safe: the close cancels the send (no successful completion) and HANDLE_CLOSING
  // comes, last.
  hc::CheckExpecting(hc::OnWine("Wine 8.0: a close after HttpSendRequest returned ERROR_IO_PENDING does not "
                                "cancel the send: it completes successfully (REQUEST_COMPLETE with dwResult "
                                "TRUE) after InternetCloseHandle returned"),
                     [&] { hc::unsafe::ExpectAllSucceed(run.safe); });
}

TEST(UnsafeWinInetDisputes, AsyncRequestClosedMomentsAfterItWasIssued) {
  hc::Covers({"WI-CLOSING-AFTER-QUICK-CLOSE", "WI-CLOSING-LAST"});
  RecordAndCheck(RunDisputePair(
      {"wi-quick-close-completion",
       "a wrapper closes its asynchronous request 0-50 us after HttpSendRequest and waits for "
       "INTERNET_STATUS_REQUEST_COMPLETE"},
      {"wi-quick-close-closing", "the same wrapper waits for INTERNET_STATUS_HANDLE_CLOSING instead"}));
}

TEST(UnsafeWinInetDisputes, HandleValueUsedAfterClose) {
  hc::Covers({"WI-CLOSE-NO-REUSE"});
  const auto run = RunDisputePair({"wi-use-after-close",
                                   "HttpAddRequestHeaders on a closed request's handle value while another "
                                   "thread opens a new request on the same connection"},
                                  {"wi-no-use-after-close", "the closed handle is forgotten at once"});
  hc::RecordUnsafe(run.hazard, run.safe,
                   {{"values_reused", run.hazard.SumNote("value_reused")},
                    {"values_reused_safe", run.safe.SumNote("value_reused")}});
  hc::unsafe::ExpectClassified(run.hazard);
  // The safe pattern closes a request while another thread opens one on the same connect handle,
  // which "WinInet thread safe?" allows. Any outcome but success or an access violation fails here;
  // the access violation is Wine's race on the connect handle's list of children (the one
  // SixtyFourThreadsCreateAndCloseRequestsOnOneConnectHandle counts).
  hc::unsafe::ExpectAllSucceedButKnownCrashes(
      run.safe, hc::Intermittent(hc::OnWine(
                    "Wine 8.0: invalidate_handle (dlls/wininet/internet.c) walks the connect handle's "
                    "list of children without a lock while another thread adds a request to it: "
                    "an access violation in some trials of the safe pattern (1 of 100 in a loaded "
                    "run, at WININET.dll's invalidate_handle)")));
}

TEST(UnsafeWinInetDisputes, ReadBufferReleasedWhileTheReadIsPending) {
  hc::Covers({"WI-BUFFER-UNTIL-COMPLETE"});
  RecordAndCheck(RunDisputePair(
      {"wi-released-buffer",
       "the buffer of an InternetReadFile that returned ERROR_IO_PENDING is released (poisoned) at once"},
      {"wi-kept-buffer", "the buffer is kept until INTERNET_STATUS_REQUEST_COMPLETE"}));
}

const char* const kWineSharedConnectRace =
    "Wine: HTTP_HttpOpenRequestW (dlls/wininet/http.c) adds each request to its connect handle's list of "
    "children and WININET_Release (internet.c) removes it, neither under a lock, and invalidate_handle walks "
    "the list when the connect handle is closed (unchanged 8.0 to 11.10); under 8.0 some trials crash "
    "(0xC0000005) or hang in InternetCloseHandle of the connect handle after every request was closed";

// Documented as fine ("WinInet thread safe?"): every trial must succeed; a hang names the stage of
// every thread (and of the trial's own close of the connect handle), a crash its exception code.
void RunSharedConnect(const std::vector<std::string>& args, const std::string& uses, int cycles) {
  const auto run = RunDisputePair(
      {"wi-shared-connect",
       "64 threads create" + uses + " and close " + std::to_string(cycles) +
           " request(s) each on one connect handle, without a lock",
       args},
      {"wi-serialized-connect", "the same with HttpOpenRequest and InternetCloseHandle under one lock", args},
      kSharedConnectShape);
  hc::RecordUnsafe(run.hazard, run.safe, {{"sends", run.hazard.SumNote("sends")}});
  hc::unsafe::ExpectClassified(run.hazard);
  hc::unsafe::ExpectAllSucceed(run.safe);
  hc::CheckExpecting(hc::Intermittent(hc::OnWine(kWineSharedConnectRace)), [&] {
    EXPECT_EQ(run.hazard.Count("success"), run.hazard.trials) << run.hazard.Summary();
  });
}

TEST(UnsafeWinInetDisputes, SixtyFourThreadsCreateAndCloseRequestsOnOneConnectHandle) {
  hc::Covers({"WI-CONCURRENT-REQUESTS"});
  RunSharedConnect({"send_every=1000000"}, "", 2);
}

TEST(UnsafeWinInetDisputes, SixtyFourThreadsCreateSendAndCloseRequestsOnOneConnectHandle) {
  hc::Covers({"WI-CONCURRENT-REQUESTS"});
  RunSharedConnect({"send_every=32", "cycles=1"}, ", send (1 in 32 lifetimes)", 1);
}

}  // namespace
