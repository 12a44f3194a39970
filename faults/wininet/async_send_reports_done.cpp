// wi-async-send-reports-done: in asynchronous mode, HttpSendRequestA returns TRUE for a send that
// is still pending (the real call said ERROR_IO_PENDING): the application is told the request
// completed before it did, and its REQUEST_COMPLETE still comes later.
#include <windows.h>
#include <wininet.h>

#include "proxy.h"

extern "C" BOOL WINAPI hc_fault_HttpSendRequestA(HINTERNET request, LPCSTR headers, DWORD headers_length,
                                                 LPVOID optional, DWORD optional_length) {
  static const auto real = hc::fault::Real<decltype(&HttpSendRequestA)>("HttpSendRequestA");
  const BOOL ok = real(request, headers, headers_length, optional, optional_length);
  if (!ok && GetLastError() == ERROR_IO_PENDING) {
    hc::fault::Fired();
    SetLastError(ERROR_SUCCESS);
    return TRUE;
  }
  return ok;
}
