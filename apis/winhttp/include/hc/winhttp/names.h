#pragma once
// The WinHTTP name tables, one per kind of value, in hc/name_format.h's format.
#include <windows.h>
#include <winhttp.h>

#include <string>

namespace hc::winhttp {

// A WINHTTP_CALLBACK_STATUS_* value without its prefix: "HANDLE_CLOSING (0x800)".
std::string StatusName(unsigned long status);
// An API_* value of WINHTTP_ASYNC_RESULT::dwResult: "API_RECEIVE_RESPONSE (1)".
std::string ApiName(DWORD_PTR api);
// An error the suites meet: "ERROR_WINHTTP_OPERATION_CANCELLED (12017)".
std::string ErrorName(unsigned long error);

}  // namespace hc::winhttp
