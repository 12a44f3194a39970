#include "kit.h"

#include "proxy.h"

namespace hc::fault {
namespace {

StatusCallback SetCallback(decltype(&InternetSetStatusCallbackA) real, HINTERNET h,
                           INTERNET_STATUS_CALLBACK callback) {
  return SetCallbackThroughKit(h, callback, INTERNET_INVALID_STATUS_CALLBACK,
                               [&](StatusCallback installed) { return real(h, installed); });
}

template <class Char>
HINTERNET Open(const Char* agent, DWORD access, const Char* proxy, const Char* bypass, DWORD flags) {
  static const auto real =
      RealAorW<Char, decltype(&InternetOpenA), decltype(&InternetOpenW)>("InternetOpenA", "InternetOpenW");
  return CreatedSession(real(agent, access, proxy, bypass, flags), (flags & INTERNET_FLAG_ASYNC) != 0);
}

template <class Char>
HINTERNET Connect(HINTERNET session, const Char* host, INTERNET_PORT port, const Char* user,
                  const Char* password, DWORD service, DWORD flags, DWORD_PTR context) {
  static const auto real = RealAorW<Char, decltype(&InternetConnectA), decltype(&InternetConnectW)>(
      "InternetConnectA", "InternetConnectW");
  return CreatedConnection(real(session, host, port, user, password, service, flags, context), session, host,
                           port);
}

template <class Char>
HINTERNET OpenRequest(HINTERNET connect, const Char* verb, const Char* object, const Char* version,
                      const Char* referrer, const Char** accept_types, DWORD flags, DWORD_PTR context) {
  static const auto real = RealAorW<Char, decltype(&HttpOpenRequestA), decltype(&HttpOpenRequestW)>(
      "HttpOpenRequestA", "HttpOpenRequestW");
  return CreatedChild(real(connect, verb, object, version, referrer, accept_types, flags, context),
                      Kind::request, connect);
}

}  // namespace

const Api kApi = {"InternetCloseHandle", INTERNET_STATUS_HANDLE_CREATED, INTERNET_STATUS_HANDLE_CLOSING};

bool IsCompletion(DWORD status) {
  return status == INTERNET_STATUS_REQUEST_COMPLETE;
}

}  // namespace hc::fault

using namespace hc::fault;

extern "C" HINTERNET WINAPI hc_fault_InternetOpenA(LPCSTR agent, DWORD access, LPCSTR proxy, LPCSTR bypass,
                                                   DWORD flags) {
  return Open(agent, access, proxy, bypass, flags);
}

extern "C" HINTERNET WINAPI hc_fault_InternetOpenW(LPCWSTR agent, DWORD access, LPCWSTR proxy, LPCWSTR bypass,
                                                   DWORD flags) {
  return Open(agent, access, proxy, bypass, flags);
}

extern "C" HINTERNET WINAPI hc_fault_InternetConnectA(HINTERNET session, LPCSTR host, INTERNET_PORT port,
                                                      LPCSTR user, LPCSTR password, DWORD service,
                                                      DWORD flags, DWORD_PTR context) {
  return Connect(session, host, port, user, password, service, flags, context);
}

extern "C" HINTERNET WINAPI hc_fault_InternetConnectW(HINTERNET session, LPCWSTR host, INTERNET_PORT port,
                                                      LPCWSTR user, LPCWSTR password, DWORD service,
                                                      DWORD flags, DWORD_PTR context) {
  return Connect(session, host, port, user, password, service, flags, context);
}

extern "C" HINTERNET WINAPI hc_fault_HttpOpenRequestA(HINTERNET connect, LPCSTR verb, LPCSTR object,
                                                      LPCSTR version, LPCSTR referrer, LPCSTR* accept_types,
                                                      DWORD flags, DWORD_PTR context) {
  return OpenRequest(connect, verb, object, version, referrer, accept_types, flags, context);
}

extern "C" HINTERNET WINAPI hc_fault_HttpOpenRequestW(HINTERNET connect, LPCWSTR verb, LPCWSTR object,
                                                      LPCWSTR version, LPCWSTR referrer,
                                                      LPCWSTR* accept_types, DWORD flags, DWORD_PTR context) {
  return OpenRequest(connect, verb, object, version, referrer, accept_types, flags, context);
}

extern "C" BOOL WINAPI hc_fault_InternetCloseHandle(HINTERNET h) {
  return CloseThroughKit(h);
}

extern "C" INTERNET_STATUS_CALLBACK WINAPI hc_fault_InternetSetStatusCallbackA(HINTERNET h,
                                                                               INTERNET_STATUS_CALLBACK cb) {
  static const auto real = Real<decltype(&InternetSetStatusCallbackA)>("InternetSetStatusCallbackA");
  return SetCallback(real, h, cb);
}

extern "C" INTERNET_STATUS_CALLBACK WINAPI hc_fault_InternetSetStatusCallbackW(HINTERNET h,
                                                                               INTERNET_STATUS_CALLBACK cb) {
  static const auto real = Real<decltype(&InternetSetStatusCallbackW)>("InternetSetStatusCallbackW");
  return SetCallback(real, h, cb);
}

extern "C" INTERNET_STATUS_CALLBACK WINAPI hc_fault_InternetSetStatusCallback(HINTERNET h,
                                                                              INTERNET_STATUS_CALLBACK cb) {
  static const auto real = Real<decltype(&InternetSetStatusCallbackA)>("InternetSetStatusCallback");
  return SetCallback(real, h, cb);
}
