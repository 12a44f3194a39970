// The trial runner (hc/trial.h) classifies every trial exactly: trials that crash, abort or hang
// get that outcome, each costing only itself, and every other trial succeeds, whichever lane and
// child process ran it.
#include <gtest/gtest.h>

#include <string>

#include "hc/trial.h"
#include "trial_selftest_plan.h"

namespace {

using namespace std::chrono_literals;

constexpr int kSelftestTrials = 60;

std::string Expected(int index) {
  switch (hc::selftest::PlannedEnd(index)) {
    case hc::selftest::End::kCrash:
      return "crash 0xC0000005";
    case hc::selftest::End::kAbort:
      return "abort";
    case hc::selftest::End::kHang:
      return "hang";
    case hc::selftest::End::kSuccess:
      break;
  }
  return "success";
}

TEST(HcTrialRunner, EveryTrialGetsItsOwnOutcomeWhateverEndedTheOthers) {
  hc::TrialPlan plan;
  plan.program = hc::TrialProgram(L"selftest_trials");
  plan.pattern = "mixed";
  plan.trials = kSelftestTrials;
  plan.lanes = 3;
  plan.seed = 1;
  plan.trial_bound = 300ms;
  const hc::TrialRun run = hc::RunTrials(plan);
  ASSERT_TRUE(run.problems.empty()) << run.Summary() << run.chatter;
  ASSERT_EQ(run.classified(), kSelftestTrials) << run.Summary() << run.chatter;
  int lost = 0;
  for (int i = 0; i < kSelftestTrials; ++i) {
    EXPECT_EQ(run.outcome_of[static_cast<std::size_t>(i)], Expected(i)) << "trial " << i << "\n"
                                                                        << run.Summary();
    lost += Expected(i) == "success" ? 0 : 1;
  }
  // Every lost child was replaced; a lane may also have started a standby it never used.
  EXPECT_GE(run.children, lost + 1) << run.Summary();
  EXPECT_EQ(run.Count("success"), kSelftestTrials - lost) << run.Summary();
}

}  // namespace
