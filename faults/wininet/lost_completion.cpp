// wi-lost-completion: a lost wake-up. Of every 50 INTERNET_STATUS_REQUEST_COMPLETE notifications
// one is dropped: the first after the 49th that arrives while another one is being delivered on
// another thread. The call that returned ERROR_IO_PENDING never completes for the application.
#include <atomic>

#include "kit.h"
#include "proxy.h"

namespace {
std::atomic<int> g_delivering{0};  // REQUEST_COMPLETEs being delivered right now
std::atomic<unsigned> g_completions{0};
thread_local int t_mine = 0;  // of those, delivered by this thread (nested)
}  // namespace

void hc::fault::wininet::Install(Hooks& hooks) {
  hooks.notify = [](Notification& n, const Deliver&) {
    if (n.status != INTERNET_STATUS_REQUEST_COMPLETE)
      return true;
    if (++g_completions >= 50 && g_delivering.load() - t_mine > 0) {
      g_completions = 0;
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
