#include "kit.h"

#include <string>

#include "proxy.h"

namespace hc::fault {
namespace {

std::string Narrow(LPCWSTR s) {
  std::string out;
  for (; s != nullptr && *s != 0; ++s)
    out.push_back(*s < 0x80 ? static_cast<char>(*s) : '?');
  return out;
}

StatusCallback SetCallback(decltype(&InternetSetStatusCallbackA) real, HINTERNET h,
                           INTERNET_STATUS_CALLBACK callback) {
  return SetCallbackThroughKit(h, callback, INTERNET_INVALID_STATUS_CALLBACK,
                               [&](StatusCallback installed) { return real(h, installed); });
}

}  // namespace

bool IsCompletion(DWORD status) {
  return status == INTERNET_STATUS_REQUEST_COMPLETE;
}

bool IsInformational(DWORD status) {
  return status != INTERNET_STATUS_REQUEST_COMPLETE && status != INTERNET_STATUS_HANDLE_CREATED &&
         status != INTERNET_STATUS_HANDLE_CLOSING;
}

BOOL RealClose(HINTERNET h) {
  static const auto real = Real<decltype(&InternetCloseHandle)>("InternetCloseHandle");
  return real(h);
}

}  // namespace hc::fault

using namespace hc::fault;

extern "C" HINTERNET WINAPI hc_fault_InternetOpenA(LPCSTR agent, DWORD access, LPCSTR proxy, LPCSTR bypass,
                                                   DWORD flags) {
  static const auto real = Real<decltype(&InternetOpenA)>("InternetOpenA");
  HINTERNET h = real(agent, access, proxy, bypass, flags);
  if (h != nullptr)
    RecordCreated(h, Kind::session, nullptr, (flags & INTERNET_FLAG_ASYNC) != 0, "");
  return h;
}

extern "C" HINTERNET WINAPI hc_fault_InternetOpenW(LPCWSTR agent, DWORD access, LPCWSTR proxy, LPCWSTR bypass,
                                                   DWORD flags) {
  static const auto real = Real<decltype(&InternetOpenW)>("InternetOpenW");
  HINTERNET h = real(agent, access, proxy, bypass, flags);
  if (h != nullptr)
    RecordCreated(h, Kind::session, nullptr, (flags & INTERNET_FLAG_ASYNC) != 0, "");
  return h;
}

extern "C" HINTERNET WINAPI hc_fault_InternetConnectA(HINTERNET session, LPCSTR host, INTERNET_PORT port,
                                                      LPCSTR user, LPCSTR password, DWORD service,
                                                      DWORD flags, DWORD_PTR context) {
  static const auto real = Real<decltype(&InternetConnectA)>("InternetConnectA");
  HINTERNET h = real(session, host, port, user, password, service, flags, context);
  if (h != nullptr)
    RecordCreated(h, Kind::connect, session, Info(session).async,
                  std::string(host ? host : "") + ":" + std::to_string(port));
  return h;
}

extern "C" HINTERNET WINAPI hc_fault_InternetConnectW(HINTERNET session, LPCWSTR host, INTERNET_PORT port,
                                                      LPCWSTR user, LPCWSTR password, DWORD service,
                                                      DWORD flags, DWORD_PTR context) {
  static const auto real = Real<decltype(&InternetConnectW)>("InternetConnectW");
  HINTERNET h = real(session, host, port, user, password, service, flags, context);
  if (h != nullptr)
    RecordCreated(h, Kind::connect, session, Info(session).async, Narrow(host) + ":" + std::to_string(port));
  return h;
}

extern "C" HINTERNET WINAPI hc_fault_HttpOpenRequestA(HINTERNET connect, LPCSTR verb, LPCSTR object,
                                                      LPCSTR version, LPCSTR referrer, LPCSTR* accept_types,
                                                      DWORD flags, DWORD_PTR context) {
  static const auto real = Real<decltype(&HttpOpenRequestA)>("HttpOpenRequestA");
  HINTERNET h = real(connect, verb, object, version, referrer, accept_types, flags, context);
  if (h != nullptr) {
    const HandleInfo parent = Info(connect);
    RecordCreated(h, Kind::request, connect, parent.async, parent.server);
  }
  return h;
}

extern "C" HINTERNET WINAPI hc_fault_HttpOpenRequestW(HINTERNET connect, LPCWSTR verb, LPCWSTR object,
                                                      LPCWSTR version, LPCWSTR referrer,
                                                      LPCWSTR* accept_types, DWORD flags, DWORD_PTR context) {
  static const auto real = Real<decltype(&HttpOpenRequestW)>("HttpOpenRequestW");
  HINTERNET h = real(connect, verb, object, version, referrer, accept_types, flags, context);
  if (h != nullptr) {
    const HandleInfo parent = Info(connect);
    RecordCreated(h, Kind::request, connect, parent.async, parent.server);
  }
  return h;
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
