#include "hc/winhttp/session.h"

#include "hc/text.h"
#include "hc/winhttp/context.h"

namespace hc::winhttp {

Handle OpenSession(const SessionOptions& options) {
  const std::wstring agent = hc::Widen(options.user_agent);
  Handle session(WinHttpOpen(agent.c_str(), WINHTTP_ACCESS_TYPE_NO_PROXY, WINHTTP_NO_PROXY_NAME,
                             WINHTTP_NO_PROXY_BYPASS, options.async ? WINHTTP_FLAG_ASYNC : 0));
  if (session && options.callbacks &&
      WinHttpSetStatusCallback(session.get(), StatusCallback, WINHTTP_CALLBACK_FLAG_ALL_NOTIFICATIONS, 0) ==
          WINHTTP_INVALID_STATUS_CALLBACK) {
    const DWORD error = GetLastError();
    session.reset();
    SetLastError(error);
  }
  if (session && options.timeout.count() > 0) {
    const int ms = static_cast<int>(options.timeout.count());
    WinHttpSetTimeouts(session.get(), ms, ms, ms, ms);
  }
  return session;
}

Handle Connect(HINTERNET session, std::uint16_t port) {
  return Handle(WinHttpConnect(session, L"127.0.0.1", port, 0));
}

HINTERNET Connect(HINTERNET session, std::uint16_t port, hc::CallbackContext& context) {
  Handle connect = Connect(session, port);
  if (!connect || !context.Bind(connect.get()))
    return nullptr;
  return connect.release();
}

HINTERNET OpenRequest(HINTERNET connect, const wchar_t* verb, const std::string& target,
                      hc::RequestTransport transport) {
  const std::wstring object = hc::Widen(target);
  HINTERNET request =
      WinHttpOpenRequest(connect, verb, object.c_str(), nullptr, WINHTTP_NO_REFERER,
                         WINHTTP_DEFAULT_ACCEPT_TYPES, transport.tls() ? WINHTTP_FLAG_SECURE : 0);
  DWORD flags = transport.tls() ? hc::IgnoredCertErrors(transport.check, SECURITY_FLAG_IGNORE_UNKNOWN_CA,
                                                        SECURITY_FLAG_IGNORE_CERT_CN_INVALID)
                                : 0;
  if (request != nullptr && flags != 0 &&
      !WinHttpSetOption(request, WINHTTP_OPTION_SECURITY_FLAGS, &flags, sizeof(flags)))
    return static_cast<HINTERNET>(hc::CloseKeepingError(kApi, request));
  return request;
}

}  // namespace hc::winhttp
