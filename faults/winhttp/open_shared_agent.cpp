// wh-open-shared-agent: WinHttpOpen takes the user agent through one process-wide pointer, with a
// race window: sessions opened at once can get another session's User-Agent.
#include <windows.h>
#include <winhttp.h>

#include <atomic>

#include "proxy.h"

namespace {
std::atomic<LPCWSTR> g_agent{nullptr};  // the fault
}  // namespace

extern "C" HINTERNET WINAPI hc_fault_WinHttpOpen(LPCWSTR agent, DWORD access, LPCWSTR proxy, LPCWSTR bypass,
                                                 DWORD flags) {
  static const auto real = hc::fault::Real<decltype(&WinHttpOpen)>("WinHttpOpen");
  g_agent.store(agent);
  hc::fault::RaceWindow();
  const LPCWSTR used = g_agent.load();
  if (used != agent)
    hc::fault::Fired();
  return real(used, access, proxy, bypass, flags);
}
