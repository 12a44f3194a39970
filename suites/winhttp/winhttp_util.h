#pragma once
// Small RAII and I/O helpers for the WinHTTP suites (winhttp.h cannot share a translation unit
// with wininet.h, so each API keeps its own helpers).
#include <windows.h>
#include <winhttp.h>

#include <memory>
#include <string>

namespace hc::winhttp {

struct HandleCloser {
  void operator()(HINTERNET h) const noexcept { WinHttpCloseHandle(h); }
};
using Handle = std::unique_ptr<void, HandleCloser>;

std::wstring Widen(const std::string& s);

struct Response {
  DWORD error = 0;      // GetLastError() of the first call that failed, 0 on success
  const char* failed_call = "";
  DWORD status = 0;     // HTTP status code
  std::string body;
  std::string Describe() const;  // "status 200, 1024 bytes" or "WinHttpSendRequest failed: 12029"
};

// Synchronous GET of path on connect, opening its own request handle (closed before return).
Response SyncRequest(HINTERNET connect, const wchar_t* verb, const std::string& path,
                     const std::string& request_body = "");

// Reads the rest of the body of a request whose response has been received (synchronous mode).
bool ReadAll(HINTERNET request, std::string& body, DWORD& error);

// A session in synchronous mode with no proxy, so requests go straight to the loopback server.
Handle OpenSyncSession();

}  // namespace hc::winhttp
