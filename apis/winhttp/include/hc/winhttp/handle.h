#pragma once
// An owned WinHTTP handle, closed with WinHttpCloseHandle when it goes.
#include <windows.h>
#include <winhttp.h>

#include "hc/api.h"

namespace hc::winhttp {

using Handle = hc::HandleOf<WinHttpCloseHandle>;

}  // namespace hc::winhttp
