#pragma once
// Synchronous WinINet requests on a connection: each opens its own request handle and closes it
// before returning.
#include <windows.h>
#include <wininet.h>

#include <string>

#include "hc/read_all.h"
#include "hc/response.h"
#include "hc/wininet/context.h"
#include "hc/wininet/session.h"

namespace hc::wininet {

// verb on target (path?query) with the request flags (the cache off unless told otherwise), over
// transport (hc::RequestTransport, OpenRequest).
hc::Response SyncRequest(HINTERNET connect, const char* verb, const std::string& target,
                         DWORD flags = kNoCacheFlags, hc::RequestTransport transport = {});

// Reads the whole body of a sent request (synchronous mode). False with the error of the failed
// InternetReadFile.
inline bool ReadAll(HINTERNET request, std::string& body, DWORD& error) {
  return hc::ReadAll(kApi, request, body, error);
}

}  // namespace hc::wininet
