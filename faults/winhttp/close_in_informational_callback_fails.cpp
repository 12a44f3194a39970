// wh-close-in-informational-callback-fails: WinHttpCloseHandle called from inside an
// informational callback for that same handle fails with ERROR_INVALID_OPERATION and closes
// nothing, although the documentation names that as a safe place to close.
#include "kit.h"
#include "proxy.h"

void hc::fault::Install(Hooks& hooks) {
  hooks.close = [](HINTERNET h, BOOL& result) {
    const Notification* n = CurrentNotification();
    if (n == nullptr || n->handle != h || !IsInformational(n->status))
      return false;
    Fired();
    SetLastError(ERROR_INVALID_OPERATION);
    result = FALSE;
    return true;
  };
}
