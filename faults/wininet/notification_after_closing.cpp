// wi-notification-after-closing: right after the HANDLE_CLOSING of a request or connect handle the
// application's callback gets one more notification for it (CONNECTION_CLOSED, same handle and
// context): HANDLE_CLOSING is no longer the last one.
#include "kit.h"
#include "proxy.h"

void hc::fault::Install(Hooks& hooks) {
  hooks.notify = [](Notification& n, const Deliver& deliver) {
    const Kind kind = Info(n.handle).kind;
    if (n.status != INTERNET_STATUS_HANDLE_CLOSING || (kind != Kind::request && kind != Kind::connect))
      return true;
    deliver(n);
    Fired();
    deliver(Notification{n.handle, n.context, INTERNET_STATUS_CONNECTION_CLOSED, nullptr, 0});
    return false;
  };
}
