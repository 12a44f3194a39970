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
