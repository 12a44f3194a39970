// wh-lost-completion: a lost wake-up. Of every 50 completion notifications one is dropped: the
// first after the 49th that arrives while two or more requests are open in the process (one
// request at a time never loses one). The operation it ends never reports, and whoever waits for
// it waits for ever.
#include "kit.h"
#include "proxy.h"

void hc::fault::Install(Hooks& hooks) {
  hooks.notify = [](Notification& n, const Deliver&) {
    if (!IsCompletion(n.status) || n.status == WINHTTP_CALLBACK_STATUS_REQUEST_ERROR)
      return true;
    return !hc::fault::DropOneCompletionIn(50, OpenRequests() >= 2);
  };
}
