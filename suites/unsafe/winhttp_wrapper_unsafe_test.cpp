// What wrapper libraries (cpprestsdk issue 1022, the .NET runtime's WinHttpHandler, Azure SDK for
// C++ issues 7352 and 7353) do with WinHTTP, and the send/receive sides of one request, as trials
// in unsafe_winhttp_trials.exe (winhttp_wrapper_trials.cpp); and WINHTTP_OPTION_WORKER_THREAD_COUNT,
// which needs a fresh process per check. Each test records hc_unsafe (outcome counts, trials/s)
// and, for a library's assumption, hc_wrapper (the report's "What wrapper libraries assumed").
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "hc/catalogue.h"
#include "hc/expectation.h"
#include "hc/localserver.h"
#include "unsafe_test_util.h"

namespace {

using hc::unsafe::PatternRun;
using namespace std::chrono_literals;

// 100 trials per pattern, 4 children at once (process starts overlap); a trial takes 5-40 ms,
// one over 1 s is a hang.
constexpr hc::unsafe::RunShape kWrapperShape{100, 4, 1000ms};
constexpr int kWorkerThreadChecks = 8;  // one fresh process each

// The answer of a run for the report: the outcome counts of the hazard.
nlohmann::json Answer(const hc::TrialRun& run) {
  return nlohmann::json{
      {"trials", run.trials}, {"outcomes", run.outcomes}, {"trials_per_s", run.TrialsPerSecond()}};
}

void RecordWrapper(const char* library, const char* assumption, const hc::TrialRun& hazard) {
  ::testing::Test::RecordProperty(
      "hc_wrapper",
      nlohmann::json{{"library", library}, {"assumption", assumption}, {"answer", Answer(hazard)}}.dump());
}

hc::unsafe::PairRun RunWrapperPair(const PatternRun& hazard, const PatternRun& safe) {
  return hc::unsafe::RunPairOnFreshServer(hc::unsafe::kWinHttpTrials, hazard, safe, kWrapperShape);
}

TEST(UnsafeWinHttp, SendAndReceiveSidesOfOneRequestOnTwoThreads) {
  hc::Covers({"WH-REQUEST-SEND-RECV-SIDES"});
  const auto run = RunWrapperPair(
      {"wh-send-recv-sides",
       "WinHttpWriteData of a request body on one thread while another thread calls WinHttpReceiveResponse"},
      {"wh-send-then-recv", "the same calls, WinHttpReceiveResponse only after the last WinHttpWriteData"});
  hc::unsafe::RecordAndCheck(run);
  // The scenario: some receives began while the writes still ran.
  int overlapped = 0;
  for (const auto& [detail, n] : run.hazard.details)
    overlapped += detail.find("receive began while writes ran") != std::string::npos ? n : 0;
  RecordProperty("hc_send_recv_sides_overlapped", std::to_string(overlapped));
  EXPECT_GT(overlapped, 0) << run.hazard.Summary();
}

TEST(UnsafeWinHttp, AsyncRequestClosedWhileAnotherThreadIsInACallOnIt) {
  hc::Covers({"WH-LIB-CLOSE-DURING-CALL", "WH-CLOSE-ASYNC-RULE"});
  const auto run = RunWrapperPair(
      {"wh-close-during-call",
       "WinHttpCloseHandle of an asynchronous request from another thread while the first thread is inside "
       "WinHttpReadData on it"},
      {"wh-close-between-calls", "the close and every call under one lock, no call after the close"});
  hc::unsafe::RecordAndCheck(run);
  RecordWrapper(
      "Azure SDK for C++ (issues 7352, 7353), .NET runtime WinHttpHandler",
      "closing a request from another thread while a call on it runs ends in an error or a cancellation, "
      "never a crash or a hang",
      run.hazard);
  EXPECT_EQ(run.hazard.Count("crash 0xC0000005") + run.hazard.Count("hang"), 0)
      << "the libraries' assumption failed:\n"
      << run.hazard.Summary();
}

TEST(UnsafeWinHttp, ReadBufferReleasedWhileItsReadIsPending) {
  hc::Covers({"WH-LIB-READ-BUFFER-LIFETIME", "WH-CH-CLOSING-LAST"});
  const auto run = RunWrapperPair({"wh-read-buffer-released",
                                   "the buffer of a pending asynchronous WinHttpReadData released (poisoned) "
                                   "right after WinHttpCloseHandle"},
                                  {"wh-read-buffer-kept", "the buffer released only after HANDLE_CLOSING"});
  hc::unsafe::RecordAndCheck(run);
  RecordWrapper("cpprestsdk (issue 1022), .NET runtime WinHttpHandler",
                "once the request handle is closed WinHTTP no longer writes into a pending read's buffer",
                run.hazard);
  int pending = 0;
  for (const auto& [detail, n] : run.hazard.details)
    pending += detail.find("a read was pending") != std::string::npos ? n : 0;
  EXPECT_GT(pending, 0) << "no trial closed the request with a read pending:\n" << run.hazard.Summary();
  hc::CheckExpecting(
      hc::Intermittent(hc::OnWine(
          "Wine 8.0: WinHttpCloseHandle does not cancel a read already queued or running, which may "
          "still write into its buffer after the close returned (1 of 100 trials in one run, none "
          "in four others)")),
      [&] {
        EXPECT_EQ(run.hazard.Count("WinHTTP wrote into the released buffer"), 0)
            << "the libraries' assumption failed:\n"
            << run.hazard.Summary();
      });
}

TEST(UnsafeWinHttp, StatusCallbackClearedWhileACallbackIsDispatched) {
  hc::Covers({"WH-LIB-SETCALLBACK-NULL-RACE", "WH-CH-SETCALLBACK-NULL"});
  const auto run = RunWrapperPair(
      {"wh-clear-callback-racing",
       "WinHttpSetStatusCallback(request, NULL) while callbacks of the request's reads are being dispatched"},
      {"wh-close-keeping-callback", "the callback kept; the request closed and HANDLE_CLOSING awaited"});
  hc::unsafe::RecordAndCheck(run);
  RecordWrapper(
      ".NET runtime WinHttpHandler, cpprestsdk (issue 1022)",
      "WinHttpSetStatusCallback(NULL) racing a dispatched callback never makes WinHTTP call through NULL",
      run.hazard);
  // A call through a NULL callback pointer is an access violation at address 0.
  hc::CheckExpecting(
      hc::Intermittent(hc::OnWine(
          "Wine 8.0: now and then WinHTTP calls the callback after WinHttpSetStatusCallback(NULL) "
          "cleared it: the trial's process crashes executing address 0 (1 of 100 trials in one run, "
          "none in the runs before)")),
      [&] { EXPECT_EQ(run.hazard.Count("crash 0xC0000005"), 0) << run.hazard.Summary(); });
}

TEST(UnsafeWinHttp, WorkerThreadCountIsSetOnceBeforeAnyAsyncOperation) {
  hc::Covers({"WH-OPT-WORKER-THREADS-ONCE"});
  hc::Scenario server;
  // One trial per child: every check runs in a process that has made no WinHTTP call before.
  hc::TrialPlan plan;
  plan.program = hc::TrialProgram(hc::unsafe::kWinHttpTrials);
  plan.pattern = "wh-worker-threads-once";
  plan.title =
      "WINHTTP_OPTION_WORKER_THREAD_COUNT on a NULL handle: before any async operation, again, after one";
  plan.trials = kWorkerThreadChecks;
  plan.lanes = kWorkerThreadChecks;
  plan.trials_per_child = 1;
  plan.seed = hc::TrialSeed();
  plan.port = server.port();
  plan.trial_bound = 4000ms;
  // One run of at most its budget, and room for its end.
  hc::SetWatchdogBound(std::chrono::duration_cast<std::chrono::seconds>(plan.budget) + 40s);
  const hc::TrialRun run = hc::RunTrials(plan);
  RecordProperty("hc_worker_thread_count", run.ToJson().dump());
  hc::unsafe::ExpectClassified(run);
  EXPECT_EQ(run.Count("not a fresh process"), 0) << run.Summary();
  hc::CheckExpecting(
      hc::OnWine("Wine 8.0's WinHttpSetOption refuses WINHTTP_OPTION_WORKER_THREAD_COUNT on a NULL handle "
                 "with ERROR_INVALID_HANDLE, before any asynchronous operation too"),
      [&] {
        EXPECT_EQ(run.Count("success"), run.trials)
            << "set once on a NULL handle before any async operation, refused afterwards:\n"
            << run.Summary();
      });
}

}  // namespace
