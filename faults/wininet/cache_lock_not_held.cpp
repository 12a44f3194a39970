// wi-cache-lock-not-held: RetrieveUrlCacheEntryFile succeeds but does not keep the entry locked
// (the proxy unlocks it at once): the cache manager may delete the file while the caller uses it.
#include <windows.h>
#include <wininet.h>

#include "proxy.h"

namespace {

template <class Char, class Info>
BOOL RetrieveUnlocked(const Char* url, Info* info, LPDWORD size, DWORD reserved) {
  static const auto real =
      hc::fault::RealAorW<Char, decltype(&RetrieveUrlCacheEntryFileA), decltype(&RetrieveUrlCacheEntryFileW)>(
          "RetrieveUrlCacheEntryFileA", "RetrieveUrlCacheEntryFileW");
  static const auto unlock =
      hc::fault::RealAorW<Char, decltype(&UnlockUrlCacheEntryFileA), decltype(&UnlockUrlCacheEntryFileW)>(
          "UnlockUrlCacheEntryFileA", "UnlockUrlCacheEntryFileW");
  const BOOL ok = real(url, info, size, reserved);
  if (ok && unlock(url, 0))
    hc::fault::Fired();
  return ok;
}

}  // namespace

extern "C" BOOL WINAPI hc_fault_RetrieveUrlCacheEntryFileA(LPCSTR url, LPINTERNET_CACHE_ENTRY_INFOA info,
                                                           LPDWORD size, DWORD reserved) {
  return RetrieveUnlocked(url, info, size, reserved);
}

extern "C" BOOL WINAPI hc_fault_RetrieveUrlCacheEntryFileW(LPCWSTR url, LPINTERNET_CACHE_ENTRY_INFOW info,
                                                           LPDWORD size, DWORD reserved) {
  return RetrieveUnlocked(url, info, size, reserved);
}
