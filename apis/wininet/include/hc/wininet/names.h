#pragma once
// The WinINet name tables, one per kind of value, in hc/name_format.h's format.
#include <windows.h>
#include <wininet.h>

#include <string>

namespace hc::wininet {

// An INTERNET_STATUS_* value without its prefix: "HANDLE_CLOSING (70)".
std::string StatusName(unsigned long status);
// An error the suites meet: "ERROR_INTERNET_TIMEOUT (12002)".
std::string ErrorName(unsigned long error);

}  // namespace hc::wininet
