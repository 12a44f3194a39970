// wh-openrequest-shared-object: WinHttpOpenRequest takes the verb and object name through
// process-wide pointers, with a race window: requests created at once can get each other's target.
#include <windows.h>
#include <winhttp.h>

#include <atomic>

#include "proxy.h"

namespace {
std::atomic<LPCWSTR> g_verb{nullptr};  // the fault
std::atomic<LPCWSTR> g_object{nullptr};
}  // namespace

extern "C" HINTERNET WINAPI hc_fault_WinHttpOpenRequest(HINTERNET connect, LPCWSTR verb, LPCWSTR object,
                                                        LPCWSTR version, LPCWSTR referrer,
                                                        LPCWSTR* accept_types, DWORD flags) {
  static const auto real = hc::fault::Real<decltype(&WinHttpOpenRequest)>("WinHttpOpenRequest");
  g_verb.store(verb);
  g_object.store(object);
  hc::fault::RaceWindow();
  const LPCWSTR used_verb = g_verb.load();
  const LPCWSTR used_object = g_object.load();
  if (used_verb != verb || used_object != object)
    hc::fault::Fired();
  return real(connect, used_verb, used_object, version, referrer, accept_types, flags);
}
