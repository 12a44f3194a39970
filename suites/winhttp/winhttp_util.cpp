#include "winhttp_util.h"

#include <vector>

namespace hc::winhttp {

std::wstring Widen(const std::string& s) {
  // The suites only pass ASCII paths and hosts.
  return std::wstring(s.begin(), s.end());
}

std::string Response::Describe() const {
  if (error != 0) return std::string(failed_call) + " failed: error " + std::to_string(error);
  return "status " + std::to_string(status) + ", " + std::to_string(body.size()) + " bytes";
}

Handle OpenSyncSession() {
  return Handle(WinHttpOpen(L"hinternet-conformance", WINHTTP_ACCESS_TYPE_NO_PROXY,
                            WINHTTP_NO_PROXY_NAME, WINHTTP_NO_PROXY_BYPASS, 0));
}

bool ReadAll(HINTERNET request, std::string& body, DWORD& error) {
  std::vector<char> buffer(16384);
  for (;;) {
    DWORD read = 0;
    if (!WinHttpReadData(request, buffer.data(), static_cast<DWORD>(buffer.size()), &read)) {
      error = GetLastError();
      return false;
    }
    if (read == 0) return true;
    body.append(buffer.data(), read);
  }
}

Response SyncRequest(HINTERNET connect, const wchar_t* verb, const std::string& path,
                     const std::string& request_body) {
  Response r;
  auto fail = [&r](const char* call) {
    r.error = GetLastError();
    r.failed_call = call;
    return r;
  };
  const std::wstring wpath = Widen(path);
  Handle request(WinHttpOpenRequest(connect, verb, wpath.c_str(), nullptr, WINHTTP_NO_REFERER,
                                    WINHTTP_DEFAULT_ACCEPT_TYPES, 0));
  if (!request) return fail("WinHttpOpenRequest");
  void* data = request_body.empty() ? WINHTTP_NO_REQUEST_DATA : const_cast<char*>(request_body.data());
  const auto length = static_cast<DWORD>(request_body.size());
  if (!WinHttpSendRequest(request.get(), WINHTTP_NO_ADDITIONAL_HEADERS, 0, data, length, length, 0))
    return fail("WinHttpSendRequest");
  if (!WinHttpReceiveResponse(request.get(), nullptr)) return fail("WinHttpReceiveResponse");
  DWORD size = sizeof(r.status);
  if (!WinHttpQueryHeaders(request.get(), WINHTTP_QUERY_STATUS_CODE | WINHTTP_QUERY_FLAG_NUMBER,
                           WINHTTP_HEADER_NAME_BY_INDEX, &r.status, &size, WINHTTP_NO_HEADER_INDEX))
    return fail("WinHttpQueryHeaders");
  DWORD error = 0;
  if (!ReadAll(request.get(), r.body, error)) {
    r.error = error;
    r.failed_call = "WinHttpReadData";
  }
  return r;
}

}  // namespace hc::winhttp
