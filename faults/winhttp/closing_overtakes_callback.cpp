// wh-closing-overtakes-callback: WinHttpCloseHandle of a request delivers HANDLE_CLOSING at once,
// on the closing thread, even while another callback for that request is still running; the real
// HANDLE_CLOSING that comes later is dropped. An application that frees its context at
// HANDLE_CLOSING frees it under the running callback.
#include <mutex>
#include <set>

#include "kit.h"
#include "proxy.h"

namespace {
std::mutex g_mu;
std::set<HINTERNET> g_faked;  // requests whose HANDLE_CLOSING was delivered early
}  // namespace

void hc::fault::Install(Hooks& hooks) {
  hooks.close = [](HINTERNET h, BOOL&) {
    const HandleInfo i = Info(h);
    if (i.kind != Kind::request || i.context == 0)
      return false;
    {
      std::lock_guard lock(g_mu);
      g_faked.insert(h);
    }
    HINTERNET value = h;
    if (DeliverNow(h, WINHTTP_CALLBACK_STATUS_HANDLE_CLOSING, &value, sizeof(value)))
      Fired();
    return false;  // and close it for real
  };
  hooks.notify = [](Notification& n, const Deliver&) {
    if (n.status != WINHTTP_CALLBACK_STATUS_HANDLE_CLOSING)
      return true;
    std::lock_guard lock(g_mu);
    return g_faked.erase(n.handle) == 0;  // the early one was its HANDLE_CLOSING
  };
}
