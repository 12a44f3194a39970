#include "bounce_buffer.h"

#include <array>
#include <atomic>
#include <vector>

#include "proxy.h"

namespace hc::fault {
namespace {
std::array<std::atomic<unsigned char>, kBounceBufferSize> g_bounce{};  // the fault
}  // namespace

BOOL ReadThroughBounceBuffer(const std::function<BOOL(void* own, DWORD size, LPDWORD read)>& read_into,
                             void* buffer, DWORD size, LPDWORD read) {
  std::vector<unsigned char> own(size);
  const BOOL ok = read_into(own.data(), size, read);
  if (!ok)
    return ok;
  const DWORD error = GetLastError();
  for (DWORD i = 0; i < *read; ++i)
    g_bounce[i].store(own[i], std::memory_order_relaxed);
  RaceWindow();
  auto* out = static_cast<unsigned char*>(buffer);
  bool changed = false;
  for (DWORD i = 0; i < *read; ++i) {
    out[i] = g_bounce[i].load(std::memory_order_relaxed);
    changed = changed || out[i] != own[i];
  }
  if (changed)
    Fired();
  SetLastError(error);
  return ok;
}

}  // namespace hc::fault
