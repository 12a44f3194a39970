#include "hc/wininet/options.h"

namespace hc::wininet {

bool QueryGlobalDword(DWORD option, DWORD& value, DWORD& error) {
  DWORD size = sizeof(value);
  if (InternetQueryOptionA(nullptr, option, &value, &size))
    return true;
  error = GetLastError();
  return false;
}

bool SetGlobalDword(DWORD option, DWORD value, DWORD& error) {
  if (InternetSetOptionA(nullptr, option, &value, sizeof(value)))
    return true;
  error = GetLastError();
  return false;
}

}  // namespace hc::wininet
