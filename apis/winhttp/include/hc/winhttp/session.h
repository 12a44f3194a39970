#pragma once
// Opening WinHTTP sessions, connections and requests the one way the suites and the trial
// programs do: no proxy (every server is the loopback localserver), the project's user agent.
#include <windows.h>
#include <winhttp.h>

#include <chrono>
#include <cstdint>
#include <string>

#include "hc/user_agent.h"
#include "hc/winhttp/handle.h"

namespace hc::winhttp {

class Context;

struct SessionOptions {
  bool async = false;  // WINHTTP_FLAG_ASYNC
  // StatusCallback for every notification on the session (inherited by its connections and
  // requests); their contexts say whose notification it is.
  bool callbacks = false;
  // Resolve, connect, send and receive timeouts of the session; zero keeps WinHTTP's defaults.
  // A bounded timeout turns a stalled call into an error (ERROR_WINHTTP_TIMEOUT) instead of a hang.
  std::chrono::milliseconds timeout{0};
  std::string user_agent = kUserAgent;
};

// Null on failure, with GetLastError() of the call that failed.
Handle OpenSession(const SessionOptions& options = {});
// A connection to 127.0.0.1:port.
Handle Connect(HINTERNET session, std::uint16_t port);
// The same, closed through context (Context::Close), which is bound to it; null on failure.
HINTERNET Connect(HINTERNET session, std::uint16_t port, Context& context);
// A request for target (path?query); null on failure.
HINTERNET OpenRequest(HINTERNET connect, const wchar_t* verb, const std::string& target);

}  // namespace hc::winhttp
