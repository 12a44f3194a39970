#pragma once
// The WinHTTP suites' names for hc/api_test.h's GoogleTest layer, and what a WinHTTP test
// includes: apis/winhttp and the callback checks.
#include <windows.h>
#include <winhttp.h>

#include "hc/api_test.h"
#include "hc/callback_checks.h"
#include "hc/winhttp/async_request.h"
#include "hc/winhttp/context.h"
#include "hc/winhttp/names.h"
#include "hc/winhttp/session.h"
#include "hc/winhttp/sync_request.h"

namespace hc::winhttp {

using CallbackSession = hc::CallbackSessionOf<kApi>;
using SuiteTest = hc::SuiteTestOf<kApi>;
using TransportTest = hc::TransportTestOf<kApi>;

}  // namespace hc::winhttp
