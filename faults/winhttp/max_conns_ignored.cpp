// wh-max-conns-ignored: WinHttpSetOption(WINHTTP_OPTION_MAX_CONNS_PER_SERVER) returns TRUE and
// changes nothing: the connection cap the application asked for is never applied.
#include <windows.h>
#include <winhttp.h>

#include "proxy.h"

extern "C" BOOL WINAPI hc_fault_WinHttpSetOption(HINTERNET h, DWORD option, LPVOID buffer, DWORD length) {
  static const auto real = hc::fault::Real<decltype(&WinHttpSetOption)>("WinHttpSetOption");
  if (option == WINHTTP_OPTION_MAX_CONNS_PER_SERVER) {
    hc::fault::Fired();
    SetLastError(ERROR_SUCCESS);
    return TRUE;
  }
  return real(h, option, buffer, length);
}
