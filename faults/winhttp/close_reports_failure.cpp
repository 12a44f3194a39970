// wh-close-reports-failure: WinHttpCloseHandle closes every request, but for one request in eight
// it returns FALSE (ERROR_WINHTTP_INCORRECT_HANDLE_STATE): its return value no longer tells the
// application whether the close succeeded.
#include <atomic>

#include "kit.h"
#include "proxy.h"

namespace {
std::atomic<unsigned> g_request_closes{0};
}  // namespace

void hc::fault::Install(Hooks& hooks) {
  hooks.close = [](HINTERNET h, BOOL& result) {
    if (Info(h).kind != Kind::request || ++g_request_closes % 8 != 0)
      return false;
    RealClose(h);
    Fired();
    SetLastError(ERROR_WINHTTP_INCORRECT_HANDLE_STATE);
    result = FALSE;
    return true;
  };
}
