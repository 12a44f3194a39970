// wi-thread-affinity: request handles get thread affinity. HttpSendRequestA on a request handle
// created by another thread fails with ERROR_INTERNET_INCORRECT_HANDLE_STATE.
#include <windows.h>
#include <wininet.h>

#include <map>
#include <mutex>

#include "proxy.h"

namespace {
std::mutex g_mu;
std::map<HINTERNET, DWORD> g_creator;  // request -> the thread that created it
}  // namespace

extern "C" HINTERNET WINAPI hc_fault_HttpOpenRequestA(HINTERNET connect, LPCSTR verb, LPCSTR object,
                                                      LPCSTR version, LPCSTR referrer, LPCSTR* accept_types,
                                                      DWORD flags, DWORD_PTR context) {
  static const auto real = hc::fault::Real<decltype(&HttpOpenRequestA)>("HttpOpenRequestA");
  HINTERNET h = real(connect, verb, object, version, referrer, accept_types, flags, context);
  if (h != nullptr) {
    const DWORD error = GetLastError();
    std::lock_guard lock(g_mu);
    g_creator[h] = GetCurrentThreadId();  // a reused handle value gets its new creator
    SetLastError(error);
  }
  return h;
}

extern "C" BOOL WINAPI hc_fault_HttpSendRequestA(HINTERNET request, LPCSTR headers, DWORD headers_length,
                                                 LPVOID optional, DWORD optional_length) {
  static const auto real = hc::fault::Real<decltype(&HttpSendRequestA)>("HttpSendRequestA");
  {
    std::lock_guard lock(g_mu);
    auto it = g_creator.find(request);
    if (it != g_creator.end() && it->second != GetCurrentThreadId()) {
      hc::fault::Fired();
      SetLastError(ERROR_INTERNET_INCORRECT_HANDLE_STATE);
      return FALSE;
    }
  }
  return real(request, headers, headers_length, optional, optional_length);
}
