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

// The body of the close trials: the pattern in pieces of kClosePiece bytes, kClosePieceDelayMs
// apart where the trial wants the close to land before, during or after the reads.
inline constexpr std::size_t kCloseBodySize = 32768;
inline constexpr std::size_t kClosePiece = 4096;
inline constexpr int kClosePieceDelayMs = 1;

// The timeouts of every session a trial opens: a stalled call ends as an error, not a hang.
inline constexpr std::chrono::milliseconds kTrialCallBound{2000};

// The owner of every callback context of this trial program (the one policy of
// hc/callback_context.h): contexts live as long as the child process, so a late callback never
// meets freed memory; the first call names the program's API.
hc::ContextOwner& TrialContexts(const hc::Api& api);

// The context of a request that its status callback closes: at notification number close_at
// (the pattern's OnStatus counts them with Count), after spin_us of work.
class ClosingInCallback : public hc::CallbackContext {
 public:
  ClosingInCallback(hc::ContextOwner& owner, int close_at, std::int64_t spin_us)
      : hc::CallbackContext(owner), close_at_(close_at), spin_us_(spin_us) {}
  // Counts a notification; true from the one to close in on.
  bool Count() { return ++calls_ >= close_at_; }
  // Closes the request once, from whichever thread comes first (status: the callback's, 0 when
  // not in one; spin: after the pattern's work).
  void CloseHere(unsigned long status, bool spin = true);
  bool claimed() const { return claimed_.load(); }
  // Once the request's calls have returned: waits for HANDLE_CLOSING and classifies the trial;
  // elsewhere names a close outside a callback, detail is added to where it happened.
  Outcome Result(Trial& trial, const std::string& elsewhere, const std::string& detail = "");

 private:
  const int close_at_;
  const std::int64_t spin_us_;
  std::atomic<int> calls_{0};
  std::atomic<bool> claimed_{false};
  std::atomic<unsigned long> closed_in_{0};  // status of the callback that closed
};

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
