// wh-lost-completion: a lost wake-up. A completion notification that arrives while another
// completion is being delivered on another thread is dropped, one in 50 such times: the
// operation it ends never reports, and whoever waits for it waits for ever.
#include <atomic>

#include "kit.h"
#include "proxy.h"

namespace {
std::atomic<int> g_delivering{0};  // completions being delivered right now
std::atomic<unsigned> g_coinciding{0};
thread_local int t_mine = 0;  // of those, delivered by this thread (nested)
}  // namespace

void hc::fault::winhttp::Install(Hooks& hooks) {
  hooks.notify = [](Notification& n, const Deliver&) {
    if (!IsCompletion(n.status) || n.status == WINHTTP_CALLBACK_STATUS_REQUEST_ERROR)
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
    if (IsCompletion(n.status) && n.status != WINHTTP_CALLBACK_STATUS_REQUEST_ERROR)
    {
      --g_delivering;
      --t_mine;
    }
  };
}
