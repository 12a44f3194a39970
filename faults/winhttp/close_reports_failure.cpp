// wh-close-reports-failure: WinHttpCloseHandle closes every request handle, but for one request in
// eight it returns FALSE (ERROR_WINHTTP_INCORRECT_HANDLE_STATE): the return value no longer
// tells the application whether the close succeeded.
#include <windows.h>
#include <winhttp.h>

#include <atomic>

#include "proxy.h"

namespace {
std::atomic<unsigned> g_request_closes{0};
}  // namespace

extern "C" BOOL WINAPI hc_fault_WinHttpCloseHandle(HINTERNET h) {
  static const auto real = hc::fault::Real<decltype(&WinHttpCloseHandle)>("WinHttpCloseHandle");
  static const auto query = hc::fault::Real<decltype(&WinHttpQueryOption)>("WinHttpQueryOption");
  DWORD type = 0, size = sizeof(type);
  const bool request =
      query(h, WINHTTP_OPTION_HANDLE_TYPE, &type, &size) && type == WINHTTP_HANDLE_TYPE_REQUEST;
  const BOOL closed = real(h);
  if (closed && request && ++g_request_closes % 8 == 0) {
    hc::fault::Fired();
    SetLastError(ERROR_WINHTTP_INCORRECT_HANDLE_STATE);
    return FALSE;
  }
  return closed;
}
