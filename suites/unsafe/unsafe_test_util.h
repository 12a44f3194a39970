#pragma once
// What every unsafe-pattern test does with its two trial runs: run them with the same number of
// trials and seed, record hc_unsafe, check that every trial was classified, and assert what the
// documentation does say (the safe pattern never fails). The hazard's outcomes are counted, not
// asserted: the documentation says "might crash", not "will".
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "hc/expectation.h"
#include "hc/localserver.h"
#include "hc/trial.h"
#include "hc/watchdog.h"

namespace hc::unsafe {

// The trial programs, one per API (the children the tests start from their own directory).
inline constexpr const wchar_t* kWinHttpTrials = L"unsafe_winhttp_trials";
inline constexpr const wchar_t* kWinInetTrials = L"unsafe_wininet_trials";

struct PatternRun {
  std::string pattern;
  std::string title;
  std::vector<std::string> args = {};
};

struct RunShape {
  int trials = 100;
  int lanes = 2;  // children at once (hc::TrialPlan::lanes)
  // A hazard trial that takes longer is a hang. Hazards hang often enough that the bound is the
  // cost of each hang: a few times a normal trial (tens of ms), with room for a loaded machine.
  std::chrono::milliseconds trial_bound = std::chrono::milliseconds(2000);
  // The run's time limit (hc::TrialPlan::budget): past it the trials left are a failure.
  std::chrono::milliseconds budget = std::chrono::milliseconds(30000);
};

// The safe pattern is not expected to hang: a long bound, so a slow machine cannot fake a hang.
inline RunShape SafeShape(RunShape shape) {
  shape.trial_bound = std::max(shape.trial_bound, std::chrono::milliseconds(8000));
  return shape;
}

inline TrialRun RunPattern(const wchar_t* program, const PatternRun& p, int port, const RunShape& shape) {
  TrialPlan plan;
  plan.program = TrialProgram(program);
  plan.pattern = p.pattern;
  plan.title = p.title;
  plan.trials = shape.trials;
  plan.lanes = shape.lanes;
  plan.seed = TrialSeed();
  plan.port = port;
  plan.args = p.args;
  plan.trial_bound = shape.trial_bound;
  plan.budget = shape.budget;
  return RunTrials(plan);
}

inline void ExpectClassified(const TrialRun& run) {
  EXPECT_EQ(run.classified(), run.trials) << "not every trial could be classified:\n"
                                          << run.Summary() << "children's last output:\n"
                                          << run.chatter;
  EXPECT_TRUE(run.problems.empty()) << run.Summary() << run.chatter;
  EXPECT_EQ(run.Count("harness error"), 0) << "the trial harness failed (not an outcome of the pattern):\n"
                                           << run.Summary();
}

inline void ExpectAllSucceed(const TrialRun& safe) {
  ExpectClassified(safe);
  EXPECT_EQ(safe.Count("success"), safe.trials)
      << "the documented safe pattern must succeed in every trial:\n"
      << safe.Summary();
}

// The same for a safe pattern an implementation is known to crash now and then: every trial must
// succeed or end in an access violation, and the access violations are held against `known` (a
// marked divergence) instead of failing outright.
inline void ExpectAllSucceedButKnownCrashes(const TrialRun& safe, const Divergence& known) {
  ExpectClassified(safe);
  const int crashes = safe.Count("crash 0xC0000005");
  EXPECT_EQ(safe.Count("success") + crashes, safe.trials)
      << "the documented safe pattern must succeed in every trial:\n"
      << safe.Summary();
  CheckExpecting(known, [&] { EXPECT_EQ(crashes, 0) << "the safe pattern crashed:\n" << safe.Summary(); });
}

// A hazard and the safe pattern that replaces it, run with the same trials and seed.
struct PairRun {
  TrialRun hazard, safe;
};

// The watchdog bound of a test that runs a pair: two runs of at most their budget each, and room
// for the ends of the runs.
inline std::chrono::seconds PairWatchdogBound(const RunShape& shape) {
  return std::chrono::duration_cast<std::chrono::seconds>(2 * shape.budget) + std::chrono::seconds(40);
}

inline PairRun RunPair(const wchar_t* program, const PatternRun& hazard, const PatternRun& safe, int port,
                       const RunShape& shape) {
  SetWatchdogBound(PairWatchdogBound(shape));
  return {RunPattern(program, hazard, port, shape), RunPattern(program, safe, port, SafeShape(shape))};
}

// The pair on a fresh listener of the calling test (its port passed to every trial).
inline PairRun RunPairOnFreshServer(const wchar_t* program, const PatternRun& hazard, const PatternRun& safe,
                                    const RunShape& shape) {
  Scenario server;
  return RunPair(program, hazard, safe, server.port(), shape);
}

// Records hc_unsafe for the pair (extra's members added) and asserts what the documentation says.
inline void RecordAndCheck(const PairRun& run, const nlohmann::json& extra = nlohmann::json::object()) {
  RecordUnsafe(run.hazard, run.safe, extra);
  ExpectClassified(run.hazard);
  ExpectAllSucceed(run.safe);
}

}  // namespace hc::unsafe
