// wi-delete-locked-keeps-entry: DeleteUrlCacheEntryA of a locked entry fails with
// ERROR_ACCESS_DENIED but does not mark the entry: it is still in the cache after the last unlock.
// The proxy counts the locks it sees (RetrieveUrlCacheEntryFileA / UnlockUrlCacheEntryFileA).
#include <windows.h>
#include <wininet.h>

#include <map>
#include <mutex>
#include <string>

#include "proxy.h"

namespace {
std::mutex g_mu;
std::map<std::string, int> g_locks;  // url -> locks held
}  // namespace

extern "C" BOOL WINAPI hc_fault_RetrieveUrlCacheEntryFileA(LPCSTR url, LPINTERNET_CACHE_ENTRY_INFOA info,
                                                           LPDWORD size, DWORD reserved) {
  static const auto real =
      hc::fault::Real<decltype(&RetrieveUrlCacheEntryFileA)>("RetrieveUrlCacheEntryFileA");
  const BOOL ok = real(url, info, size, reserved);
  if (ok && url != nullptr) {
    const DWORD error = GetLastError();
    std::lock_guard lock(g_mu);
    ++g_locks[url];
    SetLastError(error);
  }
  return ok;
}

extern "C" BOOL WINAPI hc_fault_UnlockUrlCacheEntryFileA(LPCSTR url, DWORD reserved) {
  static const auto real = hc::fault::Real<decltype(&UnlockUrlCacheEntryFileA)>("UnlockUrlCacheEntryFileA");
  const BOOL ok = real(url, reserved);
  if (ok && url != nullptr) {
    const DWORD error = GetLastError();
    std::lock_guard lock(g_mu);
    if (auto it = g_locks.find(url); it != g_locks.end() && --it->second <= 0)
      g_locks.erase(it);
    SetLastError(error);
  }
  return ok;
}

extern "C" BOOL WINAPI hc_fault_DeleteUrlCacheEntryA(LPCSTR url) {
  static const auto real = hc::fault::Real<decltype(&DeleteUrlCacheEntryA)>("DeleteUrlCacheEntryA");
  if (url != nullptr) {
    std::lock_guard lock(g_mu);
    if (g_locks.count(url) != 0) {
      hc::fault::Fired();
      SetLastError(ERROR_ACCESS_DENIED);
      return FALSE;  // refused, and the entry is not marked for deletion
    }
  }
  return real(url);
}
