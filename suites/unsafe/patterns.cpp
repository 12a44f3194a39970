#include "patterns.h"

#include <windows.h>

#include <thread>

#include <hc_protocol/body_pattern.h>

#include "hc/latch.h"

namespace hc::unsafe {

int TrialsMain(int argc, char** argv, std::initializer_list<void (*)(Patterns&)> add) {
  Patterns patterns;
  for (auto add_file : add)
    add_file(patterns);
  return trial::ChildMain(argc, argv, patterns);
}

hc::ContextOwner& TrialContexts(const hc::Api& api) {
  static auto* owner = new hc::ContextOwner(api);  // never freed: see patterns.h
  return *owner;
}

void ClosingInCallback::CloseHere(unsigned long status, bool spin) {
  if (claimed_.exchange(true))
    return;
  if (spin)
    trial::SpinFor(std::chrono::microseconds(spin_us_));
  closed_in_ = status;
  Close();
}

Outcome ClosingInCallback::Result(Trial& trial, const std::string& elsewhere, const std::string& detail) {
  constexpr auto kClosingBound = std::chrono::milliseconds(2500);
  const bool closing = WaitForClosing(kClosingBound);
  if (closing)
    Sleep(2);  // a callback after HANDLE_CLOSING would show up here
  trial.Note("callbacks", calls_.load());
  const std::string where =
      (closed_in_ == 0 ? elsewhere : "closed in " + owner().recorder().Name(closed_in_) + " callback") +
      detail;
  if (!closing)
    return {"no HANDLE_CLOSING", where};
  if (after_closing() > 0)
    return {"callback after HANDLE_CLOSING", where};
  return Outcome::Success(where);
}

Outcome HarnessError(const std::string& what) {
  return {"harness error", what + ": error " + std::to_string(GetLastError())};
}

Outcome RaceCloseAgainstCalls(Trial& trial, std::chrono::microseconds delay, const char* before,
                              const std::function<void(SyncCalls&)>& calls, const std::function<int()>& close,
                              std::uint64_t body_seed, std::size_t body_size) {
  SyncCalls c;
  c.running = before;
  hc::Latch start(2);
  const char* closed_in = "";
  int close_ok = 0;
  unsigned long close_error = 0;
  std::thread caller([&] {
    start.ArriveAndWait();
    calls(c);
    c.running = "closed after the calls returned";
  });
  std::thread closer([&] {
    start.ArriveAndWait();
    trial::SpinFor(delay);
    closed_in = c.running.load();
    close_ok = close();
    close_error = close_ok ? 0 : GetLastError();
  });
  caller.join();
  closer.join();

  trial.Note("close_delay_us", delay.count());
  const std::string when = closed_in;
  if (!close_ok)
    return {"close failed " + std::to_string(close_error), when};
  if (c.error != 0)
    return {"error " + std::to_string(c.error), std::string("in ") + c.failed_call + ", " + when};
  if (c.body.size() != body_size || hc_protocol::FirstPatternMismatch(body_seed, c.body) != c.body.size())
    return {"corrupted body", std::to_string(c.body.size()) + " bytes, " + when};
  return Outcome::Success(when);
}

}  // namespace hc::unsafe
