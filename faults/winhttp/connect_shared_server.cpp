// wh-connect-shared-server: WinHttpConnect keeps the server name and port in process-wide
// variables for a moment: connections created at once on one session can get another's server.
#include <windows.h>
#include <winhttp.h>

#include <atomic>

#include "proxy.h"

namespace {
std::atomic<LPCWSTR> g_host{nullptr};  // the fault
std::atomic<INTERNET_PORT> g_port{0};
}  // namespace

extern "C" HINTERNET WINAPI hc_fault_WinHttpConnect(HINTERNET session, LPCWSTR host, INTERNET_PORT port,
                                                    DWORD reserved) {
  static const auto real = hc::fault::Real<decltype(&WinHttpConnect)>("WinHttpConnect");
  g_host.store(host);
  g_port.store(port);
  hc::fault::RaceWindow();
  const LPCWSTR used_host = g_host.load();
  const INTERNET_PORT used_port = g_port.load();
  if (used_host != host || used_port != port)
    hc::fault::Fired();
  return real(session, used_host, used_port, reserved);
}
