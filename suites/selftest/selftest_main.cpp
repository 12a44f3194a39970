// main() of the fixtures self-test. Two options register extra tests for watchdog_selftest.cpp,
// which runs this binary again as a child process; the tests do not exist in a normal run, so
// discovery and reports never see them:
//   --hc-provoke-hang          one test that blocks until the watchdog ends the process
//   --hc-provoke-budget=MS     HcBudgetProvoked.UsesTheBudget takes MS ms, two more tests follow
//                              (run with a small HC_BINARY_BUDGET_S)
#include <gtest/gtest.h>

#include <condition_variable>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <mutex>
#include <string>
#include <thread>

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

// Uses up the binary's budget: returns after the given time (passing), unless the watchdog ends
// the process first.
class ProvokedBudgetUse : public ::testing::Test {
 public:
  explicit ProvokedBudgetUse(std::chrono::milliseconds take) : take_(take) {}
  void TestBody() override { std::this_thread::sleep_for(take_); }

 private:
  std::chrono::milliseconds take_;
};

// A test that must never run once the budget is used up: its body says so if it does.
class ProvokedAfterBudget : public ::testing::Test {
 public:
  void TestBody() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    std::cout << "[ BODY RAN ] " << info->name() << std::endl;
  }
};

void RegisterBudgetTests(std::chrono::milliseconds take) {
  ::testing::RegisterTest("HcBudgetProvoked", "UsesTheBudget", nullptr, nullptr, __FILE__, __LINE__,
                          [take]() -> ::testing::Test* { return new ProvokedBudgetUse(take); });
  for (const char* name : {"StartsAfterTheBudget", "StartsAfterTheBudgetToo"})
    ::testing::RegisterTest("HcBudgetProvoked", name, nullptr, nullptr, __FILE__, __LINE__,
                            []() -> ::testing::Test* { return new ProvokedAfterBudget; });
}

}  // namespace

int main(int argc, char** argv) {
  bool provoke = false;
  long budget_ms = -1;
  const std::string budget_flag = "--hc-provoke-budget=";
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--hc-provoke-hang") == 0)
      provoke = true;
    if (std::strncmp(argv[i], budget_flag.c_str(), budget_flag.size()) == 0)
      budget_ms = std::strtol(argv[i] + budget_flag.size(), nullptr, 10);
  }
  ::testing::InitGoogleTest(&argc, argv);
  if (budget_ms >= 0)
    RegisterBudgetTests(std::chrono::milliseconds(budget_ms));
  if (provoke) {
    ::testing::RegisterTest("HcWatchdogProvoked", "BlocksUntilTheWatchdogFires", nullptr, nullptr, __FILE__,
                            __LINE__, []() -> ::testing::Test* { return new ProvokedHang; });
  }
  hc::InstallSuiteEnvironment();
  return RUN_ALL_TESTS();
}
