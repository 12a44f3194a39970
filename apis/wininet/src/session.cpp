#include "hc/wininet/session.h"

#include "hc/wininet/context.h"

namespace hc::wininet {
namespace {

HINTERNET ConnectTo(HINTERNET session, std::uint16_t port, DWORD_PTR context) {
  return InternetConnectA(session, "127.0.0.1", port, nullptr, nullptr, INTERNET_SERVICE_HTTP, 0, context);
}

}  // namespace

Handle OpenSession(const SessionOptions& options) {
  Handle session(InternetOpenA(options.user_agent.c_str(), INTERNET_OPEN_TYPE_DIRECT, nullptr, nullptr,
                               options.async ? INTERNET_FLAG_ASYNC : 0));
  if (session && options.callbacks &&
      InternetSetStatusCallbackA(session.get(), StatusCallback) == INTERNET_INVALID_STATUS_CALLBACK) {
    const DWORD error = GetLastError();
    session.reset();
    SetLastError(error);
  }
  DWORD ms = static_cast<DWORD>(options.timeout.count());
  for (DWORD option :
       {INTERNET_OPTION_CONNECT_TIMEOUT, INTERNET_OPTION_SEND_TIMEOUT, INTERNET_OPTION_RECEIVE_TIMEOUT})
    if (session && ms > 0)
      InternetSetOptionA(session.get(), option, &ms, sizeof(ms));
  return session;
}

Handle Connect(HINTERNET session, std::uint16_t port) {
  return Handle(ConnectTo(session, port, 0));
}

HINTERNET Connect(HINTERNET session, std::uint16_t port, hc::CallbackContext& context) {
  HINTERNET connect = ConnectTo(session, port, context.value());
  if (connect != nullptr)
    context.Adopt(connect);
  return connect;
}

HINTERNET OpenRequest(HINTERNET connect, const char* verb, const std::string& target, DWORD flags,
                      DWORD_PTR context, hc::RequestTransport transport) {
  if (transport.tls())
    flags |= INTERNET_FLAG_SECURE;
  HINTERNET request = HttpOpenRequestA(connect, verb, target.c_str(), nullptr, nullptr, nullptr,
                                       flags | INTERNET_FLAG_KEEP_CONNECTION, context);
  if (request == nullptr || !transport.tls() || transport.check == hc::CertCheck::kStrict)
    return request;
  // The documented way: read the request's security flags, add one, write them back.
  DWORD security = 0, size = sizeof(security);
  if (!InternetQueryOptionA(request, INTERNET_OPTION_SECURITY_FLAGS, &security, &size))
    security = 0;
  security |= SECURITY_FLAG_IGNORE_REVOCATION |
              hc::IgnoredCertErrors(transport.check, SECURITY_FLAG_IGNORE_UNKNOWN_CA,
                                    SECURITY_FLAG_IGNORE_CERT_CN_INVALID);
  if (!InternetSetOptionA(request, INTERNET_OPTION_SECURITY_FLAGS, &security, sizeof(security)))
    return static_cast<HINTERNET>(hc::CloseKeepingError(kApi, request));
  return request;
}

}  // namespace hc::wininet
