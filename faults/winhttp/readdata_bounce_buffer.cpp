// wh-readdata-bounce-buffer: a synchronous WinHttpReadData (the form with lpdwNumberOfBytesRead)
// passes the bytes through one process-wide bounce buffer, copied out after a race window: two
// requests read at once on different threads can get each other's bytes.
#include <windows.h>
#include <winhttp.h>

#include <array>
#include <atomic>
#include <vector>

#include "proxy.h"

namespace {
constexpr std::size_t kBounce = 64 * 1024;
std::array<std::atomic<unsigned char>, kBounce> g_bounce{};  // the fault
}  // namespace

extern "C" BOOL WINAPI hc_fault_WinHttpReadData(HINTERNET request, LPVOID buffer, DWORD size, LPDWORD read) {
  static const auto real = hc::fault::Real<decltype(&WinHttpReadData)>("WinHttpReadData");
  if (read == nullptr || size > kBounce)  // asynchronous form, or too big for the bounce buffer
    return real(request, buffer, size, read);
  std::vector<unsigned char> own(size);
  const BOOL ok = real(request, own.data(), size, read);
  if (!ok)
    return ok;
  const DWORD error = GetLastError();
  for (DWORD i = 0; i < *read; ++i)
    g_bounce[i].store(own[i], std::memory_order_relaxed);
  hc::fault::RaceWindow();
  auto* out = static_cast<unsigned char*>(buffer);
  bool changed = false;
  for (DWORD i = 0; i < *read; ++i) {
    out[i] = g_bounce[i].load(std::memory_order_relaxed);
    changed = changed || out[i] != own[i];
  }
  if (changed)
    hc::fault::Fired();
  SetLastError(error);
  return ok;
}
