#pragma once
// What the patterns of both trial programs share: the vocabulary of hc/trial_child.h, the bound
// of every API call of a trial, the owner of the callback contexts, the harness-error outcome,
// and the race of a synchronous request against the close of its handle from another thread.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <map>
#include <string>

#include "hc/callback_context.h"
#include "hc/trial_child.h"

namespace hc::unsafe {

using trial::Outcome;
using trial::Trial;
using Patterns = std::map<std::string, trial::TrialFn>;

// The main() of a trial program: the patterns every file registers (add), then
// hc::trial::ChildMain. A separate small program rather than the test binary re-executed: the
// suites share one GoogleTest main (hc_test_main), and the child then carries no GoogleTest state.
int TrialsMain(int argc, char** argv, std::initializer_list<void (*)(Patterns&)> add);

// The timeouts of every session a trial opens: a stalled call ends as an error, not a hang.
inline constexpr std::chrono::milliseconds kTrialCallBound{2000};

// The owner of every callback context of this trial program (the one policy of
// hc/callback_context.h): contexts live as long as the child process, so a late callback never
// meets freed memory; the first call names the program's API.
hc::ContextOwner& TrialContexts(const hc::Api& api);

// "harness error": the trial could not set up what it tests (what failed, with GetLastError()).
Outcome HarnessError(const std::string& what);

// The synchronous calls of a close race and what they got. `running` names what runs, as the
// close's detail ("closed during HttpSendRequest"); the calls update it as they go.
struct SyncCalls {
  std::atomic<const char*> running{""};
  unsigned long error = 0;  // GetLastError() of the failed call
  const char* failed_call = "";
  std::string body;
};

// Runs calls on one thread and close on another, delay after both were released (`before` names
// the moment before the first call), and classifies the trial: the close failed, a call failed,
// the body is not the pattern body (body_seed, body_size), or success.
Outcome RaceCloseAgainstCalls(Trial& trial, std::chrono::microseconds delay, const char* before,
                              const std::function<void(SyncCalls&)>& calls, const std::function<int()>& close,
                              std::uint64_t body_seed, std::size_t body_size);

}  // namespace hc::unsafe
