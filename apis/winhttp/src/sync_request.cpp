#include "hc/winhttp/sync_request.h"

#include <algorithm>

#include "hc/gang_stage.h"
#include "hc/read_all.h"
#include "hc/winhttp/handle.h"
#include "hc/winhttp/names.h"
#include "hc/winhttp/session.h"

namespace hc::winhttp {
namespace {

// write_chunk 0: the body goes with WinHttpSendRequest.
hc::Response Request(HINTERNET connect, const wchar_t* verb, const std::string& target,
                     const std::string& request_body, std::size_t write_chunk) {
  hc::Response r;
  r.error_name = ErrorName;
  auto fail = [&r](const char* call) {
    r.error = GetLastError();
    r.failed_call = call;
    return r;
  };
  hc::GangStage("in WinHttpOpenRequest");
  Handle request(OpenRequest(connect, verb, target));
  if (!request)
    return fail("WinHttpOpenRequest");
  const auto length = static_cast<DWORD>(request_body.size());
  hc::GangStage("in WinHttpSendRequest");
  if (write_chunk == 0) {
    void* data = request_body.empty() ? WINHTTP_NO_REQUEST_DATA : const_cast<char*>(request_body.data());
    if (!WinHttpSendRequest(request.get(), WINHTTP_NO_ADDITIONAL_HEADERS, 0, data, length, length, 0))
      return fail("WinHttpSendRequest");
  } else {
    if (!WinHttpSendRequest(request.get(), WINHTTP_NO_ADDITIONAL_HEADERS, 0, WINHTTP_NO_REQUEST_DATA, 0,
                            length, 0))
      return fail("WinHttpSendRequest");
    hc::GangStage("in WinHttpWriteData");
    for (std::size_t at = 0; at < request_body.size();) {
      const auto n = static_cast<DWORD>(std::min(write_chunk, request_body.size() - at));
      DWORD written = 0;
      if (!WinHttpWriteData(request.get(), request_body.data() + at, n, &written))
        return fail("WinHttpWriteData");
      if (written == 0) {
        r.error = ERROR_WINHTTP_INTERNAL_ERROR;
        r.failed_call = "WinHttpWriteData (wrote 0 bytes)";
        return r;
      }
      at += written;
    }
  }
  hc::GangStage("in WinHttpReceiveResponse");
  if (!WinHttpReceiveResponse(request.get(), nullptr))
    return fail("WinHttpReceiveResponse");
  DWORD status = 0, size = sizeof(status);
  if (!WinHttpQueryHeaders(request.get(), WINHTTP_QUERY_STATUS_CODE | WINHTTP_QUERY_FLAG_NUMBER,
                           WINHTTP_HEADER_NAME_BY_INDEX, &status, &size, WINHTTP_NO_HEADER_INDEX))
    return fail("WinHttpQueryHeaders");
  r.status = status;
  DWORD error = 0;
  hc::GangStage("in WinHttpReadData");
  if (!ReadAll(request.get(), r.body, error)) {
    r.error = error;
    r.failed_call = "WinHttpReadData";
  }
  hc::GangStage("in WinHttpCloseHandle(request)");
  return r;
}

}  // namespace

hc::Response SyncRequest(HINTERNET connect, const wchar_t* verb, const std::string& target,
                         const std::string& request_body) {
  return Request(connect, verb, target, request_body, 0);
}

hc::Response SyncRequestWritten(HINTERNET connect, const wchar_t* verb, const std::string& target,
                                const std::string& request_body, std::size_t write_chunk) {
  return Request(connect, verb, target, request_body, write_chunk == 0 ? 1 : write_chunk);
}

bool ReadAll(HINTERNET request, std::string& body, DWORD& error) {
  return hc::ReadUntilEnd(
      [request](char* buffer, DWORD size, DWORD* got) {
        return WinHttpReadData(request, buffer, size, got) != FALSE;
      },
      body, error);
}

}  // namespace hc::winhttp
