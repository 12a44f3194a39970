#pragma once
// Synchronous WinHTTP requests on a connection: each opens its own request handle and closes it
// before returning.
#include <windows.h>
#include <winhttp.h>

#include <cstddef>
#include <string>

#include "hc/read_all.h"
#include "hc/response.h"
#include "hc/winhttp/context.h"

namespace hc::winhttp {

// verb on target (path?query) over transport (hc::RequestTransport), the request body (if any) passed to
// WinHttpSendRequest.
hc::Response SyncRequest(HINTERNET connect, const wchar_t* verb, const std::string& target,
                         const std::string& request_body = "", hc::RequestTransport transport = {});
// The same with the request body sent by WinHttpWriteData in pieces of write_chunk bytes, after a
// WinHttpSendRequest that announces its total length.
hc::Response SyncRequestWritten(HINTERNET connect, const wchar_t* verb, const std::string& target,
                                const std::string& request_body, std::size_t write_chunk,
                                hc::RequestTransport transport = {});

// Reads the rest of the body of a request whose response has been received (synchronous mode).
// False with the error of the failed WinHttpReadData.
inline bool ReadAll(HINTERNET request, std::string& body, DWORD& error) {
  return hc::ReadAll(kApi, request, body, error);
}

}  // namespace hc::winhttp
