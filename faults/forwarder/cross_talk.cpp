// wh-callback-cross-talk and wi-callback-cross-talk: cross-talk between handles. An informational
// notification of a request that arrives while another request's notification is being delivered
// on another thread is delivered with that other request's context (its own handle, the wrong
// context).
#include <mutex>

#include "kit_common.h"
#include "proxy.h"

namespace {

struct InFlight {
  hc::fault::Handle handle = nullptr;
  DWORD_PTR context = 0;
  DWORD thread = 0;
};

std::mutex g_mu;
InFlight g_in_flight;  // one request notification being delivered now

}  // namespace

void hc::fault::Install(Hooks& hooks) {
  hooks.notify = [](Notification& n, const Deliver&) {
    if (Info(n.handle).kind != Kind::request || n.context == 0)
      return true;
    std::lock_guard lock(g_mu);
    const DWORD self = GetCurrentThreadId();
    if (g_in_flight.handle != nullptr && g_in_flight.handle != n.handle && g_in_flight.thread != self) {
      if (IsInformational(n.status)) {
        n.context = g_in_flight.context;
        Fired();
      }
    } else if (g_in_flight.handle == nullptr) {
      g_in_flight = InFlight{n.handle, n.context, self};
    }
    return true;
  };
  hooks.delivered = [](const Notification& n) {
    std::lock_guard lock(g_mu);
    if (g_in_flight.handle == n.handle && g_in_flight.thread == GetCurrentThreadId())
      g_in_flight = InFlight{};
  };
}
