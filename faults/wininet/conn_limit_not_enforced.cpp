// wi-conn-limit-not-enforced: the per-server connection limit reads back as documented (the value
// the process had, or the one the application set) but is never enforced: the proxy raises the
// real limit out of reach the first time WinINet is used.
#include <windows.h>
#include <wininet.h>

#include <atomic>
#include <mutex>

#include "proxy.h"

namespace {

constexpr DWORD kOutOfReach = 0xFFFF;
std::atomic<DWORD> g_reported_per_server{0};  // what InternetQueryOption says
std::atomic<DWORD> g_reported_per_1_0_server{0};

std::atomic<DWORD>* Reported(DWORD option) {
  if (option == INTERNET_OPTION_MAX_CONNS_PER_SERVER)
    return &g_reported_per_server;
  if (option == INTERNET_OPTION_MAX_CONNS_PER_1_0_SERVER)
    return &g_reported_per_1_0_server;
  return nullptr;
}

// Remembers the real limits as the ones to report, then lifts them.
void LiftOnce() {
  static std::once_flag once;
  std::call_once(once, [] {
    static const auto query = hc::fault::Real<decltype(&InternetQueryOptionA)>("InternetQueryOptionA");
    static const auto set = hc::fault::Real<decltype(&InternetSetOptionA)>("InternetSetOptionA");
    const DWORD error = GetLastError();
    for (DWORD option : {static_cast<DWORD>(INTERNET_OPTION_MAX_CONNS_PER_SERVER),
                         static_cast<DWORD>(INTERNET_OPTION_MAX_CONNS_PER_1_0_SERVER)}) {
      DWORD value = 0, size = sizeof(value);
      if (query(nullptr, option, &value, &size))
        Reported(option)->store(value);
      DWORD lifted = kOutOfReach;
      if (set(nullptr, option, &lifted, sizeof(lifted)))
        hc::fault::Fired();
    }
    SetLastError(error);
  });
}

template <class F>
BOOL Query(F real, HINTERNET h, DWORD option, LPVOID buffer, LPDWORD length) {
  LiftOnce();
  std::atomic<DWORD>* reported = h == nullptr ? Reported(option) : nullptr;
  if (reported == nullptr || buffer == nullptr || length == nullptr || *length < sizeof(DWORD))
    return real(h, option, buffer, length);
  *static_cast<DWORD*>(buffer) = reported->load();
  *length = sizeof(DWORD);
  hc::fault::Fired();  // the application reads a limit that is not the one in force
  SetLastError(ERROR_SUCCESS);
  return TRUE;
}

template <class F>
BOOL Set(F real, HINTERNET h, DWORD option, LPVOID buffer, DWORD length) {
  LiftOnce();
  std::atomic<DWORD>* reported = h == nullptr ? Reported(option) : nullptr;
  if (reported == nullptr || buffer == nullptr || length < sizeof(DWORD))
    return real(h, option, buffer, length);
  reported->store(*static_cast<DWORD*>(buffer));  // read back as set, never applied
  hc::fault::Fired();
  SetLastError(ERROR_SUCCESS);
  return TRUE;
}

}  // namespace

extern "C" BOOL WINAPI hc_fault_InternetQueryOptionA(HINTERNET h, DWORD option, LPVOID buffer,
                                                     LPDWORD length) {
  static const auto real = hc::fault::Real<decltype(&InternetQueryOptionA)>("InternetQueryOptionA");
  return Query(real, h, option, buffer, length);
}

extern "C" BOOL WINAPI hc_fault_InternetQueryOptionW(HINTERNET h, DWORD option, LPVOID buffer,
                                                     LPDWORD length) {
  static const auto real = hc::fault::Real<decltype(&InternetQueryOptionW)>("InternetQueryOptionW");
  return Query(real, h, option, buffer, length);
}

extern "C" BOOL WINAPI hc_fault_InternetSetOptionA(HINTERNET h, DWORD option, LPVOID buffer, DWORD length) {
  static const auto real = hc::fault::Real<decltype(&InternetSetOptionA)>("InternetSetOptionA");
  return Set(real, h, option, buffer, length);
}

extern "C" BOOL WINAPI hc_fault_InternetSetOptionW(HINTERNET h, DWORD option, LPVOID buffer, DWORD length) {
  static const auto real = hc::fault::Real<decltype(&InternetSetOptionW)>("InternetSetOptionW");
  return Set(real, h, option, buffer, length);
}
