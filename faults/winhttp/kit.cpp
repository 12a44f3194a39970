#include "kit.h"

#include "proxy.h"

namespace hc::fault {

const Api kApi = {"WinHttpCloseHandle", WINHTTP_CALLBACK_STATUS_HANDLE_CREATED,
                  WINHTTP_CALLBACK_STATUS_HANDLE_CLOSING};

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

}  // namespace hc::fault

using namespace hc::fault;

extern "C" HINTERNET WINAPI hc_fault_WinHttpOpen(LPCWSTR agent, DWORD access, LPCWSTR proxy, LPCWSTR bypass,
                                                 DWORD flags) {
  static const auto real = Real<decltype(&WinHttpOpen)>("WinHttpOpen");
  return CreatedSession(real(agent, access, proxy, bypass, flags), (flags & WINHTTP_FLAG_ASYNC) != 0);
}

extern "C" HINTERNET WINAPI hc_fault_WinHttpConnect(HINTERNET session, LPCWSTR host, INTERNET_PORT port,
                                                    DWORD reserved) {
  static const auto real = Real<decltype(&WinHttpConnect)>("WinHttpConnect");
  return CreatedConnection(real(session, host, port, reserved), session, host, port);
}

extern "C" HINTERNET WINAPI hc_fault_WinHttpOpenRequest(HINTERNET connect, LPCWSTR verb, LPCWSTR object,
                                                        LPCWSTR version, LPCWSTR referrer,
                                                        LPCWSTR* accept_types, DWORD flags) {
  static const auto real = Real<decltype(&WinHttpOpenRequest)>("WinHttpOpenRequest");
  return CreatedChild(real(connect, verb, object, version, referrer, accept_types, flags), Kind::request,
                      connect);
}

extern "C" HINTERNET WINAPI hc_fault_WinHttpWebSocketCompleteUpgrade(HINTERNET request, DWORD_PTR context) {
  static const auto real =
      Real<decltype(&WinHttpWebSocketCompleteUpgrade)>("WinHttpWebSocketCompleteUpgrade");
  return CreatedChild(real(request, context), Kind::websocket, request);
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
