// wi-openrequest-shared-object: HttpOpenRequestA takes the object name through one process-wide
// pointer, with a race window: requests created at once on a shared connect handle can get each
// other's URL.
#include <windows.h>
#include <wininet.h>

#include "shared_scratch.h"

namespace {
hc::fault::SharedScratch<LPCSTR> g_object;  // the fault
}  // namespace

extern "C" HINTERNET WINAPI hc_fault_HttpOpenRequestA(HINTERNET connect, LPCSTR verb, LPCSTR object,
                                                      LPCSTR version, LPCSTR referrer, LPCSTR* accept_types,
                                                      DWORD flags, DWORD_PTR context) {
  static const auto real = hc::fault::Real<decltype(&HttpOpenRequestA)>("HttpOpenRequestA");
  const auto [used] = g_object.Pass(object);
  return real(connect, verb, used, version, referrer, accept_types, flags, context);
}
