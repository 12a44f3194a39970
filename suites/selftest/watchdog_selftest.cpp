// The watchdog turns a hang into a failure with evidence, well before ctest's TIMEOUT.
#include <gtest/gtest.h>

#include "hc/child_process.h"
#include "hc/wait.h"

#include <string>

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
