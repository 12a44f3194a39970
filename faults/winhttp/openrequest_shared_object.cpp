// wh-openrequest-shared-object: WinHttpOpenRequest takes the verb and object name through
// process-wide pointers, with a race window: requests created at once can get each other's target.
#include <windows.h>
#include <winhttp.h>

#include "shared_scratch.h"

namespace {
hc::fault::SharedScratch<LPCWSTR, LPCWSTR> g_target;  // the fault: verb and object name
}  // namespace

extern "C" HINTERNET WINAPI hc_fault_WinHttpOpenRequest(HINTERNET connect, LPCWSTR verb, LPCWSTR object,
                                                        LPCWSTR version, LPCWSTR referrer,
                                                        LPCWSTR* accept_types, DWORD flags) {
  static const auto real = hc::fault::Real<decltype(&WinHttpOpenRequest)>("WinHttpOpenRequest");
  const auto [used_verb, used_object] = g_target.Pass(verb, object);
  return real(connect, used_verb, used_object, version, referrer, accept_types, flags);
}
