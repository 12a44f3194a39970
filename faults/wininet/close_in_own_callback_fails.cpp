// wi-close-in-own-callback-fails: InternetCloseHandle called from inside the status callback for
// that same handle fails with ERROR_INTERNET_INCORRECT_HANDLE_STATE and closes nothing: the
// documented way to abort a request no longer works.
#include "kit.h"
#include "proxy.h"

void hc::fault::Install(Hooks& hooks) {
  hooks.close = [](HINTERNET h, BOOL& result) {
    const Notification* n = CurrentNotification();
    if (n == nullptr || n->handle != h)
      return false;
    Fired();
    SetLastError(ERROR_INTERNET_INCORRECT_HANDLE_STATE);
    result = FALSE;
    return true;
  };
}
