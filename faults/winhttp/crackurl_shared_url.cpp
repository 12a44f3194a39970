// wh-crackurl-shared-url: WinHttpCrackUrl reads the caller's URL through one process-wide pointer,
// with a race window between storing and using it. One thread at a time sees no difference; two
// at once can crack each other's URL (pointer mode then points into the other thread's string).
#include <windows.h>
#include <winhttp.h>

#include "shared_scratch.h"

namespace {
hc::fault::SharedScratch<LPCWSTR> g_url;  // the fault: state shared by every caller
}  // namespace

extern "C" BOOL WINAPI hc_fault_WinHttpCrackUrl(LPCWSTR url, DWORD length, DWORD flags,
                                                LPURL_COMPONENTS parts) {
  static const auto real = hc::fault::Real<decltype(&WinHttpCrackUrl)>("WinHttpCrackUrl");
  const auto [used] = g_url.Pass(url);
  return real(used, length, flags, parts);
}
