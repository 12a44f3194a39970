#pragma once
// The WinINet suites' names for hc/api_test.h's GoogleTest layer, ScopedGlobalDword, and what a
// WinINet test includes: apis/wininet and the callback checks.
#include <windows.h>
#include <wininet.h>

#include "hc/api_test.h"
#include "hc/callback_checks.h"
#include "hc/wininet/async_request.h"
#include "hc/wininet/context.h"
#include "hc/wininet/names.h"
#include "hc/wininet/options.h"
#include "hc/wininet/session.h"
#include "hc/wininet/sync_request.h"

namespace hc::wininet {

using CallbackSession = hc::CallbackSessionOf<kApi>;
using SuiteTest = hc::SuiteTestOf<kApi>;
using TransportTest = hc::TransportTestOf<kApi>;

// Sets a process-wide DWORD option for the life of the object and restores the value it had
// (the tests of one binary share the process); a failed restore fails the test.
class ScopedGlobalDword {
 public:
  ScopedGlobalDword(DWORD option, DWORD value);
  ~ScopedGlobalDword();
  ScopedGlobalDword(const ScopedGlobalDword&) = delete;
  ScopedGlobalDword& operator=(const ScopedGlobalDword&) = delete;
  bool ok() const { return set_; }
  DWORD error() const { return error_; }

 private:
  DWORD option_;
  DWORD original_ = 0;
  bool had_original_ = false;
  bool set_ = false;
  DWORD error_ = 0;
};

}  // namespace hc::wininet
