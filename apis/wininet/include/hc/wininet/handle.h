#pragma once
// An owned WinINet handle, closed with InternetCloseHandle when it goes.
#include <windows.h>
#include <wininet.h>

#include "hc/api.h"

namespace hc::wininet {

using Handle = hc::HandleOf<InternetCloseHandle>;

}  // namespace hc::wininet
