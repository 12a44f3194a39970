#include "hc/wininet/sync_request.h"

#include "hc/gang_stage.h"
#include "hc/read_all.h"
#include "hc/wininet/names.h"

namespace hc::wininet {

hc::Response SyncRequest(HINTERNET connect, const char* verb, const std::string& target, DWORD flags) {
  hc::Response r;
  r.error_name = ErrorName;
  auto fail = [&r](const char* call) {
    r.error = GetLastError();
    r.failed_call = call;
    return r;
  };
  hc::GangStage("in HttpOpenRequest");
  Handle request(OpenRequest(connect, verb, target, flags));
  if (!request)
    return fail("HttpOpenRequest");
  hc::GangStage("in HttpSendRequest");
  if (!HttpSendRequestA(request.get(), nullptr, 0, nullptr, 0))
    return fail("HttpSendRequest");
  DWORD status = 0, size = sizeof(status);
  hc::GangStage("in HttpQueryInfo");
  if (!HttpQueryInfoA(request.get(), HTTP_QUERY_STATUS_CODE | HTTP_QUERY_FLAG_NUMBER, &status, &size,
                      nullptr))
    return fail("HttpQueryInfo");
  r.status = status;
  DWORD error = 0;
  hc::GangStage("in InternetReadFile");
  if (!ReadAll(request.get(), r.body, error)) {
    r.error = error;
    r.failed_call = "InternetReadFile";
  }
  hc::GangStage("in InternetCloseHandle(request)");
  return r;
}

bool ReadAll(HINTERNET request, std::string& body, DWORD& error) {
  return hc::ReadUntilEnd(
      [request](char* buffer, DWORD size, DWORD* got) {
        return InternetReadFile(request, buffer, size, got) != FALSE;
      },
      body, error);
}

}  // namespace hc::wininet
