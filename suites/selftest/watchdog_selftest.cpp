// The watchdog turns a hang into a failure with evidence, well before ctest's TIMEOUT, and the
// binary's budget bounds the whole binary: tests that would start after it fail at once with the
// reason, a test running when it ends is ended, and the results are still written.
#include <windows.h>

#include <gtest/gtest.h>

#include <string>

#include <nlohmann/json.hpp>

#include "hc/child_process.h"
#include "hc/exit_codes.h"
#include "hc/wait.h"

#include "child_results.h"

namespace {

TEST(HcWatchdog, ProvokedHangEndsTheProcessWithADumpOfWhatItWaitedOn) {
  auto child = hc::RunSelf(L"--hc-provoke-hang --gtest_filter=HcWatchdogProvoked.*",
                           {{L"HC_TEST_BOUND_S", L"2"}}, std::chrono::seconds(30));
  // The child's stderr is in text mode: line ends arrive as CR LF.
  std::erase(child.output, '\r');
  ASSERT_FALSE(child.timed_out) << "the watchdog did not end the hung child within 30 s:\n" << child.output;
  EXPECT_EQ(child.exit_code, static_cast<unsigned long>(hc::kHangExitCode)) << child.output;
  EXPECT_NE(child.output.find(
                "[ WATCHDOG ] HcWatchdogProvoked.BlocksUntilTheWatchdogFires exceeded its bound of 2 s"),
            std::string::npos)
      << child.output;
  EXPECT_NE(child.output.find("--- selftest gate ---\ngate 'never' is still closed"), std::string::npos)
      << child.output;
  EXPECT_NE(child.output.find(
                "--- thread gang of 3 ---\n1 still running:\n  thread 1: waiting on the gate 'never'"),
            std::string::npos)
      << child.output;
}

}  // namespace

namespace {

using hc_selftest::ChildResultsFile;
using hc_selftest::FailuresOf;

constexpr auto kBudgetChildBound = std::chrono::seconds(30);
constexpr const char* kAfterBudget[] = {"StartsAfterTheBudget", "StartsAfterTheBudgetToo"};

// This binary as the child of a budget test: a 1 s budget, the HcBudgetProvoked tests, the first
// of which takes `uses_ms`; results written to `results`. The output has LF line ends.
hc::ChildResult RunBudgetChild(int uses_ms, const ChildResultsFile& results) {
  auto child = hc::RunSelf(L"--hc-provoke-budget=" + std::to_wstring(uses_ms) +
                               L" --gtest_filter=HcBudgetProvoked.* " + results.OutputFlag(),
                           {{L"HC_BINARY_BUDGET_S", L"1"}}, kBudgetChildBound);
  std::erase(child.output, '\r');
  return child;
}

// The failures of `name`, a test that would start after the budget: they must give the reason.
std::string ExpectNotRunAfterTheBudget(const nlohmann::json& run, const char* name,
                                       const std::string& output) {
  const std::string failures = FailuresOf(run, "HcBudgetProvoked", name);
  EXPECT_NE(failures.find("not run: the binary's 1 s budget (HC_BINARY_BUDGET_S) was used up by "
                          "HcBudgetProvoked.UsesTheBudget ("),
            std::string::npos)
      << name << ": " << failures << "\n"
      << output;
  return failures;
}

TEST(HcBinaryBudget, TestsStartingAfterTheBudgetFailAtOnceWithTheReason) {
  ChildResultsFile results(L"hc-budget-between");
  // A 1 s budget: the first test takes 1.2 s (within the grace, so it passes); the two after it
  // would start with the budget used up.
  const auto child = RunBudgetChild(1200, results);
  ASSERT_FALSE(child.timed_out) << child.output;
  EXPECT_EQ(child.exit_code, 1ul) << "GoogleTest's exit code for failed tests expected:\n" << child.output;
  const auto run = results.Read();
  ASSERT_TRUE(run.is_object()) << "no GoogleTest JSON written:\n" << child.output;
  EXPECT_EQ(FailuresOf(run, "HcBudgetProvoked", "UsesTheBudget"), "") << child.output;
  for (const char* name : kAfterBudget) {
    ExpectNotRunAfterTheBudget(run, name, child.output);
    EXPECT_EQ(child.output.find(std::string("[ BODY RAN ] ") + name), std::string::npos)
        << "the body of a test that started after the budget ran:\n"
        << child.output;
  }
}

TEST(HcBinaryBudget, TestRunningWhenTheBudgetEndsIsEndedAndTheResultsAreWritten) {
  ChildResultsFile results(L"hc-budget-during");
  // A 1 s budget and a first test that would take a minute: the watchdog ends the process after
  // the grace, and writes the results GoogleTest no longer can.
  const auto child = RunBudgetChild(60000, results);
  ASSERT_FALSE(child.timed_out) << "the budget did not end the child within 30 s:\n" << child.output;
  EXPECT_EQ(child.exit_code, static_cast<unsigned long>(hc::kHangExitCode)) << child.output;
  const auto run = results.Read();
  ASSERT_TRUE(run.is_object()) << "the watchdog wrote no GoogleTest JSON:\n" << child.output;
  EXPECT_EQ(run.value("tests", 0), 3) << run.dump(2);
  EXPECT_EQ(run.value("failures", 0), 3) << run.dump(2);
  EXPECT_FALSE(run.value("hc_platform", "").empty()) << "run-level properties lost:\n" << run.dump(2);
  const std::string running = FailuresOf(run, "HcBudgetProvoked", "UsesTheBudget");
  EXPECT_NE(running.find("the watchdog ended this test: HcBudgetProvoked.UsesTheBudget was still running "
                         "1000 ms after the binary's 1 s budget (HC_BINARY_BUDGET_S) was used up by "
                         "HcBudgetProvoked.UsesTheBudget ("),
            std::string::npos)
      << running << "\n"
      << child.output;
  for (const char* name : kAfterBudget) {
    const std::string failures = ExpectNotRunAfterTheBudget(run, name, child.output);
    EXPECT_NE(failures.find(" s, still running)"), std::string::npos) << name << ": " << failures;
  }
}

}  // namespace
