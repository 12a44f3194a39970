// main() of the fixtures self-test. With --hc-provoke-hang (used by watchdog_selftest.cpp as a
// child process) it registers one extra test that blocks until the watchdog ends the process;
// that test does not exist in a normal run, so discovery and reports never see it.
#include <gtest/gtest.h>

#include <condition_variable>
#include <cstring>
#include <mutex>

#include "hc/suite_main.h"
#include "hc/thread_gang.h"
#include "hc/watchdog.h"

namespace {

class ProvokedHang : public ::testing::Test {
 public:
  void TestBody() override {
    hc::WatchdogScope scope("selftest gate", [] { return std::string("gate 'never' is still closed"); });
    // A gang of 3 in which thread 1 never returns: the dump must name it and its last stage.
    hc::RunGang(3, std::chrono::minutes(5), [](int i) {
      if (i != 1)
        return;
      hc::GangStage("waiting on the gate 'never'");
      std::mutex mu;
      std::condition_variable cv;
      std::unique_lock lock(mu);
      cv.wait_for(lock, std::chrono::minutes(5), [] { return false; });  // the watchdog fires first
    });
  }
};

}  // namespace

int main(int argc, char** argv) {
  bool provoke = false;
  for (int i = 1; i < argc; ++i)
    if (std::strcmp(argv[i], "--hc-provoke-hang") == 0)
      provoke = true;
  ::testing::InitGoogleTest(&argc, argv);
  if (provoke) {
    ::testing::RegisterTest("HcWatchdogProvoked", "BlocksUntilTheWatchdogFires", nullptr, nullptr, __FILE__,
                            __LINE__, []() -> ::testing::Test* { return new ProvokedHang; });
  }
  hc::InstallSuiteEnvironment();
  return RUN_ALL_TESTS();
}
