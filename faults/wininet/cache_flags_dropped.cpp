// wi-cache-flags-dropped: HttpOpenRequest drops INTERNET_FLAG_RELOAD and
// INTERNET_FLAG_NO_CACHE_WRITE: the documented way to turn the cache off does nothing, requests
// may be answered from the cache and their responses are written to it.
#include <windows.h>
#include <wininet.h>

#include "proxy.h"

namespace {
constexpr DWORD kCacheOff = INTERNET_FLAG_RELOAD | INTERNET_FLAG_NO_CACHE_WRITE;

DWORD Drop(DWORD flags) {
  if (flags & kCacheOff)
    hc::fault::Fired();
  return flags & ~kCacheOff;
}
}  // namespace

extern "C" HINTERNET WINAPI hc_fault_HttpOpenRequestA(HINTERNET connect, LPCSTR verb, LPCSTR object,
                                                      LPCSTR version, LPCSTR referrer, LPCSTR* accept_types,
                                                      DWORD flags, DWORD_PTR context) {
  static const auto real = hc::fault::Real<decltype(&HttpOpenRequestA)>("HttpOpenRequestA");
  return real(connect, verb, object, version, referrer, accept_types, Drop(flags), context);
}

extern "C" HINTERNET WINAPI hc_fault_HttpOpenRequestW(HINTERNET connect, LPCWSTR verb, LPCWSTR object,
                                                      LPCWSTR version, LPCWSTR referrer,
                                                      LPCWSTR* accept_types, DWORD flags, DWORD_PTR context) {
  static const auto real = hc::fault::Real<decltype(&HttpOpenRequestW)>("HttpOpenRequestW");
  return real(connect, verb, object, version, referrer, accept_types, Drop(flags), context);
}
