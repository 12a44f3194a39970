#pragma once
// Opening WinINet sessions, connections and requests the one way the suites and the trial
// programs do: no proxy (every server is the loopback localserver), the project's user agent.
#include <windows.h>
#include <wininet.h>

#include <chrono>
#include <cstdint>
#include <string>

#include "hc/user_agent.h"
#include "hc/wininet/handle.h"

namespace hc::wininet {

class Context;

struct SessionOptions {
  bool async = false;  // INTERNET_FLAG_ASYNC
  // StatusCallback for every handle below the session (connections and requests inherit it);
  // their contexts say whose notification it is. The session has no context and reports nothing.
  bool callbacks = false;
  // Connect, send and receive timeouts of the session; zero keeps WinINet's defaults. A bounded
  // timeout turns a stalled call into an error instead of a hang.
  std::chrono::milliseconds timeout{0};
  std::string user_agent = kUserAgent;
};

// The documented cache-off pair ("WinInet thread safe?"): every request reaches the server.
inline constexpr DWORD kNoCacheFlags = INTERNET_FLAG_RELOAD | INTERNET_FLAG_NO_CACHE_WRITE;

// Null on failure, with GetLastError() of the call that failed.
Handle OpenSession(const SessionOptions& options = {});
// An HTTP connection to 127.0.0.1:port.
Handle Connect(HINTERNET session, std::uint16_t port);
// The same with context as its context, closed through it (Context::Close); null on failure.
HINTERNET Connect(HINTERNET session, std::uint16_t port, Context& context);
// A request for target (path?query) with flags | INTERNET_FLAG_KEEP_CONNECTION; null on failure.
HINTERNET OpenRequest(HINTERNET connect, const char* verb, const std::string& target,
                      DWORD flags = kNoCacheFlags, DWORD_PTR context = 0);

}  // namespace hc::wininet
