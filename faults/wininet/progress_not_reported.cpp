// wi-progress-not-reported: INTERNET_STATUS_RESPONSE_RECEIVED is never delivered: the status
// callback hears of the start and the end of a download, nothing of its progress.
#include "kit.h"
#include "proxy.h"

void hc::fault::Install(Hooks& hooks) {
  hooks.notify = [](Notification& n, const Deliver&) {
    if (n.status != INTERNET_STATUS_RESPONSE_RECEIVED)
      return true;
    Fired();
    return false;
  };
}
