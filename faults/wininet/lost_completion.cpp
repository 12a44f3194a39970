// wi-lost-completion: a lost wake-up. An INTERNET_STATUS_REQUEST_COMPLETE that arrives while
// another one is being delivered on another thread is dropped, one in 50 such times: the call
// that returned ERROR_IO_PENDING never completes for the application.
#include <atomic>

#include "kit.h"
#include "proxy.h"

namespace {
std::atomic<int> g_delivering{0};  // REQUEST_COMPLETEs being delivered right now
std::atomic<unsigned> g_coinciding{0};
thread_local int t_mine = 0;  // of those, delivered by this thread (nested)
}  // namespace

void hc::fault::wininet::Install(Hooks& hooks) {
  hooks.notify = [](Notification& n, const Deliver&) {
    if (n.status != INTERNET_STATUS_REQUEST_COMPLETE)
      return true;
    if (g_delivering.load() - t_mine > 0 && ++g_coinciding % 50 == 0) {
      Fired();
      return false;
    }
    ++g_delivering;
    ++t_mine;
    return true;
  };
  hooks.delivered = [](const Notification& n) {
    if (n.status == INTERNET_STATUS_REQUEST_COMPLETE) {
      --g_delivering;
      --t_mine;
    }
  };
}
