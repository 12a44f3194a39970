#pragma once
// Opening WinINet sessions, connections and requests the one way the suites and the trial
// programs do: no proxy (every server is the loopback localserver), the project's user agent,
// the options of hc::SessionOptions (the session itself never has a context).
#include <windows.h>
#include <wininet.h>

#include <cstdint>
#include <string>

#include "hc/api.h"
#include "hc/callback_context.h"
#include "hc/wininet/handle.h"

namespace hc::wininet {

using SessionOptions = hc::SessionOptions;

// The documented cache-off pair ("WinInet thread safe?"): every request reaches the server.
inline constexpr DWORD kNoCacheFlags = INTERNET_FLAG_RELOAD | INTERNET_FLAG_NO_CACHE_WRITE;

// Null on failure, with GetLastError() of the call that failed.
Handle OpenSession(const SessionOptions& options = {});
// An HTTP connection to 127.0.0.1:port.
Handle Connect(HINTERNET session, std::uint16_t port);
// The same with context as its context (adopted), closed through it; null on failure.
HINTERNET Connect(HINTERNET session, std::uint16_t port, hc::CallbackContext& context);
// A request for target (path?query) with flags | INTERNET_FLAG_KEEP_CONNECTION over transport:
// over TLS with INTERNET_FLAG_SECURE and this request's INTERNET_OPTION_SECURITY_FLAGS as
// transport.check says (hc::CertCheck). Null on failure.
HINTERNET OpenRequest(HINTERNET connect, const char* verb, const std::string& target,
                      DWORD flags = kNoCacheFlags, DWORD_PTR context = 0,
                      hc::RequestTransport transport = {});

}  // namespace hc::wininet
