// wh-request-error-after-closing: for a request closed while an operation was pending, the
// REQUEST_ERROR that reports the operation's end is held back and delivered after the request's
// HANDLE_CLOSING, which is then no longer the last notification.
#include <map>
#include <mutex>

#include "kit.h"
#include "proxy.h"

namespace {
std::mutex g_mu;
std::map<HINTERNET, WINHTTP_ASYNC_RESULT> g_held;  // request -> its held REQUEST_ERROR
}  // namespace

void hc::fault::Install(Hooks& hooks) {
  hooks.notify = [](Notification& n, const Deliver& deliver) {
    if (n.status == WINHTTP_CALLBACK_STATUS_REQUEST_ERROR) {
      const HandleInfo i = Info(n.handle);
      if (i.kind != Kind::request || !i.closed || n.info == nullptr ||
          n.length < sizeof(WINHTTP_ASYNC_RESULT))
        return true;
      {
        std::lock_guard lock(g_mu);
        g_held[n.handle] = *static_cast<WINHTTP_ASYNC_RESULT*>(n.info);
      }
      Fired();
      return false;
    }
    if (n.status != WINHTTP_CALLBACK_STATUS_HANDLE_CLOSING)
      return true;
    WINHTTP_ASYNC_RESULT held{};
    {
      std::lock_guard lock(g_mu);
      auto it = g_held.find(n.handle);
      if (it == g_held.end())
        return true;
      held = it->second;
      g_held.erase(it);
    }
    deliver(n);
    deliver(Notification{n.handle, n.context, WINHTTP_CALLBACK_STATUS_REQUEST_ERROR, &held, sizeof(held)});
    return false;
  };
}
