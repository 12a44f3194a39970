#include "hc/wininet/sync_request.h"

#include "hc/gang_stage.h"
#include "hc/wininet/names.h"

namespace hc::wininet {

hc::Response SyncRequest(HINTERNET connect, const char* verb, const std::string& target, DWORD flags,
                         hc::RequestTransport transport) {
  hc::Response r;
  r.error_name = ErrorName;
  Handle request;
  DWORD status = 0, size = sizeof(status);
  // Each step does nothing once one has failed.
  r.Step("HttpOpenRequest", [&] {
    request.reset(OpenRequest(connect, verb, target, flags, 0, transport));
    return request ? 0ul : GetLastError();
  });
  r.Step("HttpSendRequest",
         [&] { return HttpSendRequestA(request.get(), nullptr, 0, nullptr, 0) ? 0ul : GetLastError(); });
  r.Step("HttpQueryInfo", [&] {
    return HttpQueryInfoA(request.get(), HTTP_QUERY_STATUS_CODE | HTTP_QUERY_FLAG_NUMBER, &status, &size,
                          nullptr)
               ? 0ul
               : GetLastError();
  });
  hc::ReadBodyStep(r, status, kApi, request.get(), "InternetReadFile", "InternetCloseHandle(request)");
  return r;
}

}  // namespace hc::wininet
