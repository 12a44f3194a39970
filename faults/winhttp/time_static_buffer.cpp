// wh-time-static-buffer: WinHttpTimeFromSystemTime formats into one process-wide buffer and copies
// the result out after a race window, as a non-reentrant formatter would. One caller at a time
// gets its own date; callers at once can get each other's.
#include <windows.h>
#include <winhttp.h>

#include <array>
#include <atomic>

#include "proxy.h"

namespace {
std::array<std::atomic<WCHAR>, WINHTTP_TIME_FORMAT_BUFSIZE / sizeof(WCHAR)> g_text{};  // the fault
}  // namespace

extern "C" BOOL WINAPI hc_fault_WinHttpTimeFromSystemTime(const SYSTEMTIME* time, LPWSTR text) {
  static const auto real = hc::fault::Real<decltype(&WinHttpTimeFromSystemTime)>("WinHttpTimeFromSystemTime");
  std::array<WCHAR, WINHTTP_TIME_FORMAT_BUFSIZE / sizeof(WCHAR)> own{};
  const BOOL ok = real(time, own.data());
  if (!ok || text == nullptr)
    return ok;
  for (std::size_t i = 0; i < own.size(); ++i)
    g_text[i].store(own[i], std::memory_order_relaxed);
  hc::fault::RaceWindow();
  bool changed = false;
  for (std::size_t i = 0; i < own.size(); ++i) {
    text[i] = g_text[i].load(std::memory_order_relaxed);
    changed = changed || text[i] != own[i];
  }
  if (changed)
    hc::fault::Fired();
  return ok;
}
