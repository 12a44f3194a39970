// A crash on a thread other than the test's own no longer loses the process's results: a crash
// inside a module that a marked divergence in force names is that divergence (the test passes
// with the crash as its detail), any other crash fails the running test with its stack, and in
// both cases the tests that did not start are recorded as not run.
#include <windows.h>

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "hc/child_process.h"
#include "hc/crash_report.h"
#include "hc/exit_codes.h"

#include "child_results.h"

namespace {

using hc_selftest::ChildResultsFile;
using hc_selftest::FailuresOf;
using hc_selftest::TestEntry;

constexpr auto kChildBound = std::chrono::seconds(30);
constexpr const char* kSelf = "fixtures_selftest.exe";

// This binary as a child with HcCrashProvoked tests whose divergence names `module`.
hc::ChildResult RunCrashChild(const std::wstring& module, const std::wstring& filter,
                              const ChildResultsFile& results) {
  auto child = hc::RunSelf(
      L"--hc-provoke-crash=" + module + L" --gtest_filter=" + filter + L" " + results.OutputFlag(), {},
      kChildBound);
  std::erase(child.output, '\r');
  return child;
}

std::string Property(const nlohmann::json& test, const char* key) {
  return test.is_object() ? test.value(key, std::string("(absent)")) : "(no such test)";
}

TEST(HcCrashReport, ACrashInsideAModuleAMarkedDivergenceNamesIsThatDivergence) {
  ChildResultsFile results(L"hc-crash-known");
  const auto child =
      RunCrashChild(L"fixtures_selftest.exe", L"HcCrashProvoked.CrashesOnAWorkerThread", results);
  ASSERT_FALSE(child.timed_out) << child.output;
  EXPECT_EQ(child.output.find("[ SURVIVED ]"), std::string::npos) << "nothing crashed:\n" << child.output;
  // Nothing was left to run: the process ends as a passing one (a ctest of this one test passes).
  EXPECT_EQ(child.exit_code, 0ul) << child.output;
  EXPECT_NE(child.output.find(std::string("[ KNOWN DIVERGENCE ] provoked: a crash inside ") + kSelf),
            std::string::npos)
      << child.output;
  const auto run = results.Read();
  ASSERT_TRUE(run.is_object()) << "the crash report wrote no GoogleTest JSON:\n" << child.output;
  const auto test = TestEntry(run, "HcCrashProvoked", "CrashesOnAWorkerThread");
  EXPECT_EQ(FailuresOf(run, "HcCrashProvoked", "CrashesOnAWorkerThread"), "") << run.dump(2);
  EXPECT_EQ(Property(test, "hc_verdict"), "known_divergence") << run.dump(2);
  EXPECT_EQ(Property(test, "hc_ended_process"), "yes") << run.dump(2);
  const std::string detail = Property(test, "hc_divergence_detail");
  EXPECT_NE(detail.find("HcCrashProvoked.CrashesOnAWorkerThread crashed: access violation writing 0x8"),
            std::string::npos)
      << detail;
  EXPECT_NE(detail.find(std::string("; stack (innermost first):\n  ") + kSelf + "+0x"), std::string::npos)
      << detail;
}

TEST(HcCrashReport, AKnownCrashWithTestsLeftRecordsThemNotRunAndEndsWithItsCode) {
  ChildResultsFile results(L"hc-crash-known-left");
  const auto child = RunCrashChild(L"fixtures_selftest.exe", L"HcCrashProvoked.*", results);
  ASSERT_FALSE(child.timed_out) << child.output;
  EXPECT_EQ(child.exit_code, static_cast<unsigned long>(hc::kKnownCrashExitCode)) << child.output;
  EXPECT_EQ(child.output.find("[ BODY RAN ]"), std::string::npos) << child.output;
  const auto run = results.Read();
  ASSERT_TRUE(run.is_object()) << child.output;
  EXPECT_EQ(Property(TestEntry(run, "HcCrashProvoked", "CrashesOnAWorkerThread"), "hc_verdict"),
            "known_divergence")
      << run.dump(2);
  const auto after = TestEntry(run, "HcCrashProvoked", "StartsAfterTheCrash");
  EXPECT_EQ(Property(after, "hc_not_started"), "yes") << run.dump(2);
  EXPECT_NE(
      FailuresOf(run, "HcCrashProvoked", "StartsAfterTheCrash")
          .find(std::string("not run: the process ended when HcCrashProvoked.CrashesOnAWorkerThread "
                            "crashed inside ") +
                kSelf + ", a known divergence of this platform (provoked: a crash inside " + kSelf + ")"),
      std::string::npos)
      << run.dump(2);
}

TEST(HcCrashReport, ACrashNoDivergenceNamesFailsTheTestWithItsStack) {
  ChildResultsFile results(L"hc-crash-other");
  // The divergence in force names another module than the one that crashes.
  const auto child = RunCrashChild(L"secur32.dll", L"HcCrashProvoked.*", results);
  ASSERT_FALSE(child.timed_out) << child.output;
  EXPECT_EQ(child.exit_code, static_cast<unsigned long>(EXCEPTION_ACCESS_VIOLATION)) << child.output;
  EXPECT_EQ(child.output.find("[ KNOWN DIVERGENCE ]"), std::string::npos) << child.output;
  EXPECT_NE(child.output.find(std::string("[ CRASH ] exception 0xC0000005 at ") + kSelf + "+0x"),
            std::string::npos)
      << child.output;
  const auto run = results.Read();
  ASSERT_TRUE(run.is_object()) << child.output;
  const std::string failure = FailuresOf(run, "HcCrashProvoked", "CrashesOnAWorkerThread");
  EXPECT_NE(failure.find("the process crashed: access violation writing 0x8 (0xC0000005) at "),
            std::string::npos)
      << failure;
  EXPECT_NE(failure.find(std::string("; stack (innermost first):\n  ") + kSelf + "+0x"), std::string::npos)
      << failure;
  EXPECT_EQ(Property(TestEntry(run, "HcCrashProvoked", "CrashesOnAWorkerThread"), "hc_verdict"), "(absent)")
      << run.dump(2);
  EXPECT_NE(FailuresOf(run, "HcCrashProvoked", "StartsAfterTheCrash")
                .find("not run: the process crashed while HcCrashProvoked.CrashesOnAWorkerThread ran"),
            std::string::npos)
      << run.dump(2);
}

TEST(HcCrashReport, ACrashInTheHeapIsOneInsideNtdllEnteredFromAnAllocator) {
  using Frames = std::vector<std::string>;
  // The Wine 8.0 crash this recognises: ntdll's heap code, from ucrtbase's free, from WinHTTP.
  EXPECT_TRUE(hc::CrashIsInTheHeap(Frames{"ntdll.dll", "ntdll.dll", "ucrtbase.dll", "winhttp.dll"},
                                   EXCEPTION_ACCESS_VIOLATION));
  EXPECT_TRUE(
      hc::CrashIsInTheHeap(Frames{"ntdll.dll", "kernelbase.dll", "crypt32.dll"}, EXCEPTION_ACCESS_VIOLATION));
  EXPECT_TRUE(hc::CrashIsInTheHeap(Frames{"winhttp.dll"}, 0xC0000374ul));  // STATUS_HEAP_CORRUPTION
  // ntdll called by anything else (a wait, the loader) is not the heap; nor is a crash elsewhere
  // that has an allocator somewhere on its stack.
  EXPECT_FALSE(
      hc::CrashIsInTheHeap(Frames{"ntdll.dll", "winhttp.dll", "ucrtbase.dll"}, EXCEPTION_ACCESS_VIOLATION));
  EXPECT_FALSE(
      hc::CrashIsInTheHeap(Frames{"winhttp.dll", "ntdll.dll", "ucrtbase.dll"}, EXCEPTION_ACCESS_VIOLATION));
  EXPECT_FALSE(hc::CrashIsInTheHeap(Frames{"ntdll.dll"}, EXCEPTION_ACCESS_VIOLATION));
  EXPECT_FALSE(hc::CrashIsInTheHeap(Frames{}, EXCEPTION_ACCESS_VIOLATION));
}

}  // namespace
