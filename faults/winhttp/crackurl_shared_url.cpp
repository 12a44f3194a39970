// wh-crackurl-shared-url: WinHttpCrackUrl reads the caller's URL through one process-wide pointer,
// with a race window between storing and using it. One thread at a time sees no difference; two
// at once can crack each other's URL (pointer mode then points into the other thread's string).
#include <windows.h>
#include <winhttp.h>

#include <atomic>

#include "proxy.h"

namespace {
std::atomic<LPCWSTR> g_url{nullptr};  // the fault: state shared by every caller
}  // namespace

extern "C" BOOL WINAPI hc_fault_WinHttpCrackUrl(LPCWSTR url, DWORD length, DWORD flags,
                                                LPURL_COMPONENTS parts) {
  static const auto real = hc::fault::Real<decltype(&WinHttpCrackUrl)>("WinHttpCrackUrl");
  g_url.store(url);
  hc::fault::RaceWindow();
  const LPCWSTR used = g_url.load();
  if (used != url)
    hc::fault::Fired();
  return real(used, length, flags, parts);
}
