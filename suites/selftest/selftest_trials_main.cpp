// selftest_trials.exe: a trial program whose trials end as the selftest (trial_selftest.cpp)
// says: the runner must classify each one exactly, a crash or hang costing only its own trial.
#include <windows.h>

#include <cstdlib>

#include "hc/trial_child.h"
#include "trial_selftest_plan.h"

int main(int argc, char** argv) {
  using hc::trial::Outcome;
  using hc::trial::Trial;
  return hc::trial::ChildMain(argc, argv, {{"mixed", [](Trial& trial) -> Outcome {
                                              switch (hc::selftest::PlannedEnd(trial.index())) {
                                                case hc::selftest::End::kCrash:
                                                  RaiseException(EXCEPTION_ACCESS_VIOLATION, 0, 0, nullptr);
                                                  break;
                                                case hc::selftest::End::kAbort:
                                                  std::abort();
                                                case hc::selftest::End::kHang:
                                                  for (;;)
                                                    Sleep(10);
                                                case hc::selftest::End::kSuccess:
                                                  break;
                                              }
                                              return Outcome::Success("as planned");
                                            }}});
}
