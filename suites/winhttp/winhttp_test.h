#pragma once
// The WinHTTP suites' names for hc/api_test.h's GoogleTest layer, and what a WinHTTP test
// includes: apis/winhttp and the callback checks.
#include <windows.h>
#include <winhttp.h>

#include <cstdint>
#include <string>

#include "hc/api_test.h"
#include "hc/callback_checks.h"
#include "hc/winhttp/async_request.h"
#include "hc/winhttp/context.h"
#include "hc/winhttp/names.h"
#include "hc/winhttp/session.h"
#include "hc/winhttp/sync_request.h"

namespace hc::winhttp {

class CallbackSession : public hc::CallbackSession {
 public:
  explicit CallbackSession(std::uint16_t port, SessionOptions options = {.async = true})
      : hc::CallbackSession(kApi, port, options) {}
};

class SuiteTest : public hc::SuiteTest {
 protected:
  explicit SuiteTest(std::string kind = "http") : hc::SuiteTest(kApi, std::move(kind)) {}
};

}  // namespace hc::winhttp
