// wi-lost-completion: a lost wake-up. Of every 50 INTERNET_STATUS_REQUEST_COMPLETE notifications
// one is dropped: the first after the 49th that arrives while two or more requests are open in the
// process (one request at a time never loses one). The call that returned ERROR_IO_PENDING never
// completes for the application.
#include "kit.h"
#include "proxy.h"

void hc::fault::Install(Hooks& hooks) {
  hooks.notify = [](Notification& n, const Deliver&) {
    if (n.status != INTERNET_STATUS_REQUEST_COMPLETE)
      return true;
    return !hc::fault::DropOneCompletionIn(50, OpenRequests() >= 2);
  };
}
