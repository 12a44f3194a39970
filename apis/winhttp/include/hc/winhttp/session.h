#pragma once
// Opening WinHTTP sessions, connections and requests the one way the suites and the trial
// programs do: no proxy (every server is the loopback localserver), the project's user agent,
// the options of hc::SessionOptions.
#include <windows.h>
#include <winhttp.h>

#include <cstdint>
#include <string>

#include "hc/api.h"
#include "hc/callback_context.h"
#include "hc/winhttp/handle.h"

namespace hc::winhttp {

using SessionOptions = hc::SessionOptions;

// Null on failure, with GetLastError() of the call that failed.
Handle OpenSession(const SessionOptions& options = {});
// A connection to 127.0.0.1:port.
Handle Connect(HINTERNET session, std::uint16_t port);
// The same, bound to context (Context::Bind) and closed through it; null on failure.
HINTERNET Connect(HINTERNET session, std::uint16_t port, hc::CallbackContext& context);
// A request for target (path?query) over transport: over TLS with WINHTTP_FLAG_SECURE and this
// request's WINHTTP_OPTION_SECURITY_FLAGS as transport.check says (hc::CertCheck). Null on failure.
HINTERNET OpenRequest(HINTERNET connect, const wchar_t* verb, const std::string& target,
                      hc::RequestTransport transport = {});

}  // namespace hc::winhttp
