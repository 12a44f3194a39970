// wh-notification-after-closing: right after a request's HANDLE_CLOSING the application's
// callback gets one more notification for it (CONNECTION_CLOSED, same handle and context):
// HANDLE_CLOSING is no longer the last one, and a context freed there is used after free.
#include "kit.h"
#include "proxy.h"

void hc::fault::Install(Hooks& hooks) {
  hooks.notify = [](Notification& n, const Deliver& deliver) {
    if (n.status != WINHTTP_CALLBACK_STATUS_HANDLE_CLOSING || Info(n.handle).kind != Kind::request)
      return true;
    deliver(n);
    Fired();
    deliver(Notification{n.handle, n.context, WINHTTP_CALLBACK_STATUS_CONNECTION_CLOSED, nullptr, 0});
    return false;
  };
}
