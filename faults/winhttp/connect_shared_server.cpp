// wh-connect-shared-server: WinHttpConnect keeps the server name and port in process-wide
// variables for a moment: connections created at once on one session can get another's server.
#include <windows.h>
#include <winhttp.h>

#include "shared_scratch.h"

namespace {
hc::fault::SharedScratch<LPCWSTR, INTERNET_PORT> g_server;  // the fault
}  // namespace

extern "C" HINTERNET WINAPI hc_fault_WinHttpConnect(HINTERNET session, LPCWSTR host, INTERNET_PORT port,
                                                    DWORD reserved) {
  static const auto real = hc::fault::Real<decltype(&WinHttpConnect)>("WinHttpConnect");
  const auto [used_host, used_port] = g_server.Pass(host, port);
  return real(session, used_host, used_port, reserved);
}
