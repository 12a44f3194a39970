// wi-readfile-bounce-buffer: InternetReadFile on a synchronous session passes the bytes through one
// process-wide bounce buffer, copied out after a race window: requests read at once on different
// threads can get each other's bytes.
#include <array>
#include <atomic>
#include <vector>

#include "kit.h"
#include "proxy.h"

namespace {
constexpr std::size_t kBounce = 64 * 1024;
std::array<std::atomic<unsigned char>, kBounce> g_bounce{};  // the fault
}  // namespace

void hc::fault::wininet::Install(Hooks&) {}

extern "C" BOOL WINAPI hc_fault_InternetReadFile(HINTERNET h, LPVOID buffer, DWORD size, LPDWORD read) {
  static const auto real = hc::fault::Real<decltype(&InternetReadFile)>("InternetReadFile");
  const auto info = hc::fault::wininet::Info(h);
  if (info.kind != hc::fault::wininet::Kind::request || info.async || size > kBounce || read == nullptr)
    return real(h, buffer, size, read);
  std::vector<unsigned char> own(size);
  const BOOL ok = real(h, own.data(), size, read);
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
