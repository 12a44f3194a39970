// wh-send-serialized: every WinHttpSendRequest of the process runs under one lock, so sends on
// different handles never overlap (handles are no longer independent; nothing else changes).
#include <windows.h>
#include <winhttp.h>

#include <mutex>

#include "proxy.h"

namespace {
std::mutex g_one_send_at_a_time;  // the fault
}  // namespace

extern "C" BOOL WINAPI hc_fault_WinHttpSendRequest(HINTERNET request, LPCWSTR headers, DWORD headers_length,
                                                   LPVOID optional, DWORD optional_length, DWORD total_length,
                                                   DWORD_PTR context) {
  static const auto real = hc::fault::Real<decltype(&WinHttpSendRequest)>("WinHttpSendRequest");
  std::unique_lock lock(g_one_send_at_a_time, std::try_to_lock);
  if (!lock.owns_lock()) {
    hc::fault::Fired();  // another handle's send is running: this one waits for it
    lock.lock();
  }
  return real(request, headers, headers_length, optional, optional_length, total_length, context);
}
