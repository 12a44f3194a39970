#include "kit.h"

#include <string>

#include "proxy.h"

namespace hc::fault {
namespace {

std::string ServerKey(LPCWSTR host, INTERNET_PORT port) {
  std::string key;
  for (; host != nullptr && *host != 0; ++host)
    key.push_back(*host < 0x80 ? static_cast<char>(*host) : '?');
  return key + ":" + std::to_string(port);
}

}  // namespace

bool IsCompletion(DWORD status) {
  switch (status) {
    case WINHTTP_CALLBACK_STATUS_SENDREQUEST_COMPLETE:
    case WINHTTP_CALLBACK_STATUS_HEADERS_AVAILABLE:
    case WINHTTP_CALLBACK_STATUS_DATA_AVAILABLE:
    case WINHTTP_CALLBACK_STATUS_READ_COMPLETE:
    case WINHTTP_CALLBACK_STATUS_WRITE_COMPLETE:
    case WINHTTP_CALLBACK_STATUS_REQUEST_ERROR:
    case WINHTTP_CALLBACK_STATUS_CLOSE_COMPLETE:
    case WINHTTP_CALLBACK_STATUS_SHUTDOWN_COMPLETE:
    case WINHTTP_CALLBACK_STATUS_GETPROXYFORURL_COMPLETE:
      return true;
    default:
      return false;
  }
}

bool IsInformational(DWORD status) {
  return !IsCompletion(status) && status != WINHTTP_CALLBACK_STATUS_HANDLE_CREATED &&
         status != WINHTTP_CALLBACK_STATUS_HANDLE_CLOSING;
}

BOOL RealClose(HINTERNET h) {
  static const auto real = Real<decltype(&WinHttpCloseHandle)>("WinHttpCloseHandle");
  return real(h);
}

}  // namespace hc::fault

using namespace hc::fault;

extern "C" HINTERNET WINAPI hc_fault_WinHttpOpen(LPCWSTR agent, DWORD access, LPCWSTR proxy, LPCWSTR bypass,
                                                 DWORD flags) {
  static const auto real = Real<decltype(&WinHttpOpen)>("WinHttpOpen");
  HINTERNET h = real(agent, access, proxy, bypass, flags);
  if (h != nullptr)
    RecordCreated(h, Kind::session, nullptr, (flags & WINHTTP_FLAG_ASYNC) != 0, "");
  return h;
}

extern "C" HINTERNET WINAPI hc_fault_WinHttpConnect(HINTERNET session, LPCWSTR host, INTERNET_PORT port,
                                                    DWORD reserved) {
  static const auto real = Real<decltype(&WinHttpConnect)>("WinHttpConnect");
  HINTERNET h = real(session, host, port, reserved);
  if (h != nullptr)
    RecordCreated(h, Kind::connect, session, Info(session).async, ServerKey(host, port));
  return h;
}

extern "C" HINTERNET WINAPI hc_fault_WinHttpOpenRequest(HINTERNET connect, LPCWSTR verb, LPCWSTR object,
                                                        LPCWSTR version, LPCWSTR referrer,
                                                        LPCWSTR* accept_types, DWORD flags) {
  static const auto real = Real<decltype(&WinHttpOpenRequest)>("WinHttpOpenRequest");
  HINTERNET h = real(connect, verb, object, version, referrer, accept_types, flags);
  if (h != nullptr) {
    const HandleInfo parent = Info(connect);
    RecordCreated(h, Kind::request, connect, parent.async, parent.server);
  }
  return h;
}

extern "C" HINTERNET WINAPI hc_fault_WinHttpWebSocketCompleteUpgrade(HINTERNET request, DWORD_PTR context) {
  static const auto real =
      Real<decltype(&WinHttpWebSocketCompleteUpgrade)>("WinHttpWebSocketCompleteUpgrade");
  HINTERNET h = real(request, context);
  if (h != nullptr) {
    const HandleInfo parent = Info(request);
    RecordCreated(h, Kind::websocket, request, parent.async, parent.server);
  }
  return h;
}

extern "C" BOOL WINAPI hc_fault_WinHttpCloseHandle(HINTERNET h) {
  return CloseThroughKit(h);
}

extern "C" WINHTTP_STATUS_CALLBACK WINAPI hc_fault_WinHttpSetStatusCallback(HINTERNET h,
                                                                            WINHTTP_STATUS_CALLBACK callback,
                                                                            DWORD flags, DWORD_PTR reserved) {
  static const auto real = Real<decltype(&WinHttpSetStatusCallback)>("WinHttpSetStatusCallback");
  return SetCallbackThroughKit(h, callback, WINHTTP_INVALID_STATUS_CALLBACK,
                               [&](StatusCallback installed) { return real(h, installed, flags, reserved); });
}
