#pragma once
// Process-wide DWORD options: InternetQueryOption / InternetSetOption on a NULL handle (e.g.
// INTERNET_OPTION_MAX_CONNS_PER_SERVER). Each returns false with GetLastError() in error.
#include <windows.h>
#include <wininet.h>

namespace hc::wininet {

bool QueryGlobalDword(DWORD option, DWORD& value, DWORD& error);
bool SetGlobalDword(DWORD option, DWORD value, DWORD& error);

}  // namespace hc::wininet
