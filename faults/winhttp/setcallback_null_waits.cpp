// wh-setcallback-null-waits: WinHttpSetStatusCallback(h, NULL) waits until every callback running
// for h has returned, i.e. removing the callback is synchronized with the callbacks in progress,
// which the documentation says it is not (and a callback that waits for the remover deadlocks).
#include <condition_variable>
#include <map>
#include <mutex>

#include "kit.h"
#include "proxy.h"

namespace {
std::mutex g_mu;
std::condition_variable g_cv;
std::map<HINTERNET, int> g_running;  // handle -> its callbacks running now
}  // namespace

void hc::fault::Install(Hooks& hooks) {
  hooks.notify = [](Notification& n, const Deliver&) {
    std::lock_guard lock(g_mu);
    ++g_running[n.handle];
    return true;
  };
  hooks.delivered = [](const Notification& n) {
    {
      std::lock_guard lock(g_mu);
      if (--g_running[n.handle] <= 0)
        g_running.erase(n.handle);
    }
    g_cv.notify_all();
  };
  hooks.callback_removed = [](HINTERNET h) {
    std::unique_lock lock(g_mu);
    const Notification* mine = CurrentNotification();
    const int own = mine != nullptr && mine->handle == h ? 1 : 0;  // a callback removing itself
    auto busy = [&] {
      auto it = g_running.find(h);
      return it != g_running.end() && it->second > own;
    };
    if (busy()) {
      Fired();
      g_cv.wait(lock, [&] { return !busy(); });
    }
  };
}
