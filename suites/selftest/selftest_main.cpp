// main() of the fixtures self-test. Two options register extra tests for watchdog_selftest.cpp,
// which runs this binary again as a child process; the tests do not exist in a normal run, so
// discovery and reports never see them:
//   --hc-provoke-hang          one test that blocks until the watchdog ends the process
//   --hc-provoke-budget=MS     HcBudgetProvoked.UsesTheBudget takes MS ms, two more tests follow
//                              (run with a small HC_BINARY_BUDGET_S)
// and one for crash_report_selftest.cpp:
//   --hc-provoke-crash=MODULE  HcCrashProvoked.CrashesOnAWorkerThread crashes on a thread of its
//                              own while a divergence that names MODULE is in force; one test
//                              follows
// and one for scripts/tests/test_wine_run.py:
//   --hc-provoke-vanish=MODULE HcCrashProvoked.VanishesWhileADivergenceIsInForce ends the process
//                              without a Windows exception (as Wine does when its Unix side
//                              crashes) while a divergence naming MODULE is in force ("none": no
//                              divergence); one test follows
#include <windows.h>

#include <gtest/gtest.h>

#include <condition_variable>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>

#include "hc/expectation.h"
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

// A test that must never run (it follows a used-up budget or a crash): its body says so if it does.
class MustNotRun : public ::testing::Test {
 public:
  void TestBody() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    std::cout << "[ BODY RAN ] " << info->name() << std::endl;
  }
};

// Crashes on a thread of its own (an access violation in this binary's code, as an API's worker
// thread would crash) while a divergence naming `module` as its crash module is in force.
class ProvokedCrash : public ::testing::Test {
 public:
  explicit ProvokedCrash(std::string module) : module_(std::move(module)) {}
  void TestBody() override {
    hc::ExpectingScope scope(
        hc::CrashesIn(hc::Divergence{true, "provoked: a crash inside " + module_}, {module_}));
    std::thread([] {
      volatile std::uintptr_t address = 8;  // never mapped: the first page is reserved
      *reinterpret_cast<volatile int*>(address) = 1;
    }).join();
    std::cout << "[ SURVIVED ] the provoked crash did not end the process" << std::endl;
  }

 private:
  std::string module_;
};

// Ends the process with exit code 1 and no exception, as Wine ends one whose Unix side crashed.
class ProvokedVanish : public ::testing::Test {
 public:
  explicit ProvokedVanish(std::string module) : module_(std::move(module)) {}
  void TestBody() override {
    std::unique_ptr<hc::ExpectingScope> scope;
    if (module_ != "none")
      scope = std::make_unique<hc::ExpectingScope>(
          hc::CrashesIn(hc::Divergence{true, "provoked: a death inside " + module_}, {module_}));
    std::cout << "[ VANISHING ]" << std::endl;
    TerminateProcess(GetCurrentProcess(), 1);
  }

 private:
  std::string module_;
};

void RegisterBudgetTests(std::chrono::milliseconds take) {
  ::testing::RegisterTest("HcBudgetProvoked", "UsesTheBudget", nullptr, nullptr, __FILE__, __LINE__,
                          [take]() -> ::testing::Test* { return new ProvokedBudgetUse(take); });
  for (const char* name : {"StartsAfterTheBudget", "StartsAfterTheBudgetToo"})
    ::testing::RegisterTest("HcBudgetProvoked", name, nullptr, nullptr, __FILE__, __LINE__,
                            []() -> ::testing::Test* { return new MustNotRun; });
}

}  // namespace

int main(int argc, char** argv) {
  bool provoke = false;
  long budget_ms = -1;
  const std::string budget_flag = "--hc-provoke-budget=";
  const std::string crash_flag = "--hc-provoke-crash=";
  const std::string vanish_flag = "--hc-provoke-vanish=";
  std::string crash_module, vanish_module;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--hc-provoke-hang") == 0)
      provoke = true;
    if (std::strncmp(argv[i], budget_flag.c_str(), budget_flag.size()) == 0)
      budget_ms = std::strtol(argv[i] + budget_flag.size(), nullptr, 10);
    if (std::strncmp(argv[i], crash_flag.c_str(), crash_flag.size()) == 0)
      crash_module = argv[i] + crash_flag.size();
    if (std::strncmp(argv[i], vanish_flag.c_str(), vanish_flag.size()) == 0)
      vanish_module = argv[i] + vanish_flag.size();
  }
  ::testing::InitGoogleTest(&argc, argv);
  if (budget_ms >= 0)
    RegisterBudgetTests(std::chrono::milliseconds(budget_ms));
  if (provoke) {
    ::testing::RegisterTest("HcWatchdogProvoked", "BlocksUntilTheWatchdogFires", nullptr, nullptr, __FILE__,
                            __LINE__, []() -> ::testing::Test* { return new ProvokedHang; });
  }
  if (!crash_module.empty()) {
    ::testing::RegisterTest("HcCrashProvoked", "CrashesOnAWorkerThread", nullptr, nullptr, __FILE__, __LINE__,
                            [crash_module]() -> ::testing::Test* { return new ProvokedCrash(crash_module); });
    ::testing::RegisterTest("HcCrashProvoked", "StartsAfterTheCrash", nullptr, nullptr, __FILE__, __LINE__,
                            []() -> ::testing::Test* { return new MustNotRun; });
  }
  if (!vanish_module.empty()) {
    ::testing::RegisterTest(
        "HcCrashProvoked", "VanishesWhileADivergenceIsInForce", nullptr, nullptr, __FILE__, __LINE__,
        [vanish_module]() -> ::testing::Test* { return new ProvokedVanish(vanish_module); });
    ::testing::RegisterTest("HcCrashProvoked", "StartsAfterTheCrash", nullptr, nullptr, __FILE__, __LINE__,
                            []() -> ::testing::Test* { return new MustNotRun; });
  }
  hc::InstallSuiteEnvironment();
  return RUN_ALL_TESTS();
}
