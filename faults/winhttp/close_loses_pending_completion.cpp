// wh-close-loses-pending-completion: once a request handle is closed, the completion (or
// REQUEST_ERROR) of the operation that was pending on it is never delivered; only HANDLE_CLOSING
// comes. The cancellation the close requested ends silently.
#include "kit.h"
#include "proxy.h"

void hc::fault::Install(Hooks& hooks) {
  hooks.notify = [](Notification& n, const Deliver&) {
    if (!IsCompletion(n.status))
      return true;
    const HandleInfo i = Info(n.handle);
    if (i.kind != Kind::request || !i.closed)
      return true;
    Fired();
    return false;
  };
}
