#include "hc/winhttp/sync_request.h"

#include <algorithm>

#include "hc/gang_stage.h"
#include "hc/winhttp/handle.h"
#include "hc/winhttp/names.h"
#include "hc/winhttp/session.h"

namespace hc::winhttp {
namespace {

// GetLastError() of a call that returned FALSE, else 0.
unsigned long ErrorOf(BOOL ok) {
  return ok ? 0 : GetLastError();
}

// Writes body in pieces of write_chunk bytes (WinHttpWriteData); 0 or the error.
unsigned long WriteBody(HINTERNET request, const std::string& body, std::size_t write_chunk) {
  for (std::size_t at = 0; at < body.size();) {
    const auto n = static_cast<DWORD>(std::min(write_chunk, body.size() - at));
    DWORD written = 0;
    if (!WinHttpWriteData(request, body.data() + at, n, &written))
      return GetLastError();
    if (written == 0)
      return ERROR_WINHTTP_INTERNAL_ERROR;  // nothing written: it would loop for ever
    at += written;
  }
  return 0;
}

// write_chunk 0: the body goes with WinHttpSendRequest.
hc::Response Request(HINTERNET connect, const wchar_t* verb, const std::string& target,
                     const std::string& request_body, std::size_t write_chunk,
                     hc::RequestTransport transport) {
  hc::Response r;
  r.error_name = ErrorName;
  Handle request;
  const auto length = static_cast<DWORD>(request_body.size());
  void* data =
      write_chunk == 0 && length > 0 ? const_cast<char*>(request_body.data()) : WINHTTP_NO_REQUEST_DATA;
  const DWORD sent_length = data == WINHTTP_NO_REQUEST_DATA ? 0 : length;
  DWORD status = 0, size = sizeof(status);
  // Each step does nothing once one has failed.
  r.Step("WinHttpOpenRequest", [&] {
    request.reset(OpenRequest(connect, verb, target, transport));
    return request ? 0ul : GetLastError();
  });
  r.Step("WinHttpSendRequest", [&] {
    return ErrorOf(
        WinHttpSendRequest(request.get(), WINHTTP_NO_ADDITIONAL_HEADERS, 0, data, sent_length, length, 0));
  });
  r.Step("WinHttpWriteData",
         [&] { return write_chunk == 0 ? 0ul : WriteBody(request.get(), request_body, write_chunk); });
  r.Step("WinHttpReceiveResponse", [&] { return ErrorOf(WinHttpReceiveResponse(request.get(), nullptr)); });
  r.Step("WinHttpQueryHeaders", [&] {
    return ErrorOf(WinHttpQueryHeaders(request.get(), WINHTTP_QUERY_STATUS_CODE | WINHTTP_QUERY_FLAG_NUMBER,
                                       WINHTTP_HEADER_NAME_BY_INDEX, &status, &size,
                                       WINHTTP_NO_HEADER_INDEX));
  });
  hc::ReadBodyStep(r, status, kApi, request.get(), "WinHttpReadData", "WinHttpCloseHandle(request)");
  return r;
}

}  // namespace

hc::Response SyncRequest(HINTERNET connect, const wchar_t* verb, const std::string& target,
                         const std::string& request_body, hc::RequestTransport transport) {
  return Request(connect, verb, target, request_body, 0, transport);
}

hc::Response SyncRequestWritten(HINTERNET connect, const wchar_t* verb, const std::string& target,
                                const std::string& request_body, std::size_t write_chunk,
                                hc::RequestTransport transport) {
  return Request(connect, verb, target, request_body, write_chunk == 0 ? 1 : write_chunk, transport);
}

}  // namespace hc::winhttp
