// wh-open-shared-agent: WinHttpOpen takes the user agent through one process-wide pointer, with a
// race window: sessions opened at once can get another session's User-Agent.
#include <windows.h>
#include <winhttp.h>

#include "shared_scratch.h"

namespace {
hc::fault::SharedScratch<LPCWSTR> g_agent;  // the fault
}  // namespace

extern "C" HINTERNET WINAPI hc_fault_WinHttpOpen(LPCWSTR agent, DWORD access, LPCWSTR proxy, LPCWSTR bypass,
                                                 DWORD flags) {
  static const auto real = hc::fault::Real<decltype(&WinHttpOpen)>("WinHttpOpen");
  const auto [used] = g_agent.Pass(agent);
  return real(used, access, proxy, bypass, flags);
}
