// wh-lost-completion: a lost wake-up. Of every 50 completion notifications one is dropped: the
// first after the 49th that arrives while another completion is being delivered on another thread.
// The operation it ends never reports, and whoever waits for it waits for ever.
#include <atomic>

#include "kit.h"
#include "proxy.h"

namespace {
std::atomic<int> g_delivering{0};  // completions being delivered right now
std::atomic<unsigned> g_completions{0};
thread_local int t_mine = 0;  // of those, delivered by this thread (nested)
}  // namespace

void hc::fault::winhttp::Install(Hooks& hooks) {
  hooks.notify = [](Notification& n, const Deliver&) {
    if (!IsCompletion(n.status) || n.status == WINHTTP_CALLBACK_STATUS_REQUEST_ERROR)
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
    if (IsCompletion(n.status) && n.status != WINHTTP_CALLBACK_STATUS_REQUEST_ERROR)
    {
      --g_delivering;
      --t_mine;
    }
  };
}
