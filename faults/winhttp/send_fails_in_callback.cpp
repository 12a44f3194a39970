// wh-send-fails-in-callback: WinHttpSendRequest called from inside a status callback fails with
// ERROR_WINHTTP_INCORRECT_HANDLE_STATE: the next request can no longer be started from the
// previous one's completion callback.
#include "kit.h"
#include "proxy.h"

void hc::fault::Install(Hooks&) {}

extern "C" BOOL WINAPI hc_fault_WinHttpSendRequest(HINTERNET request, LPCWSTR headers, DWORD headers_length,
                                                   LPVOID optional, DWORD optional_length, DWORD total_length,
                                                   DWORD_PTR context) {
  static const auto real = hc::fault::Real<decltype(&WinHttpSendRequest)>("WinHttpSendRequest");
  if (hc::fault::InCallback()) {
    hc::fault::Fired();
    SetLastError(ERROR_WINHTTP_INCORRECT_HANDLE_STATE);
    return FALSE;
  }
  return real(request, headers, headers_length, optional, optional_length, total_length, context);
}
