#include "wininet_util.h"

#include "hc/thread_gang.h"

#include <vector>

#include <gtest/gtest.h>

namespace hc::wininet {

std::string Response::Describe() const {
  if (error != 0)
    return std::string(failed_call) + " failed: error " + std::to_string(error);
  return "status " + std::to_string(status) + ", " + std::to_string(body.size()) + " bytes";
}

Handle OpenSession(DWORD flags) {
  return Handle(InternetOpenA("hinternet-conformance", INTERNET_OPEN_TYPE_DIRECT, nullptr, nullptr, flags));
}

bool ReadAll(HINTERNET request, std::string& body, DWORD& error) {
  std::vector<char> buffer(16384);
  for (;;) {
    DWORD read = 0;
    if (!InternetReadFile(request, buffer.data(), static_cast<DWORD>(buffer.size()), &read)) {
      error = GetLastError();
      return false;
    }
    if (read == 0)
      return true;
    body.append(buffer.data(), read);
  }
}

Response SyncRequest(HINTERNET connect, const char* verb, const std::string& path, DWORD flags) {
  Response r;
  auto fail = [&r](const char* call) {
    r.error = GetLastError();
    r.failed_call = call;
    return r;
  };
  hc::GangStage("in HttpOpenRequest");
  Handle request(HttpOpenRequestA(connect, verb, path.c_str(), nullptr, nullptr, nullptr,
                                  flags | INTERNET_FLAG_KEEP_CONNECTION, 0));
  if (!request)
    return fail("HttpOpenRequest");
  hc::GangStage("in HttpSendRequest");
  if (!HttpSendRequestA(request.get(), nullptr, 0, nullptr, 0))
    return fail("HttpSendRequest");
  DWORD size = sizeof(r.status);
  hc::GangStage("in HttpQueryInfo");
  if (!HttpQueryInfoA(request.get(), HTTP_QUERY_STATUS_CODE | HTTP_QUERY_FLAG_NUMBER, &r.status, &size,
                      nullptr))
    return fail("HttpQueryInfo");
  DWORD error = 0;
  hc::GangStage("in InternetReadFile");
  if (!ReadAll(request.get(), r.body, error)) {
    r.error = error;
    r.failed_call = "InternetReadFile";
  }
  hc::GangStage("in InternetCloseHandle(request)");
  return r;
}

bool QueryGlobalDword(DWORD option, DWORD& value, DWORD& error) {
  DWORD size = sizeof(value);
  if (InternetQueryOptionA(nullptr, option, &value, &size))
    return true;
  error = GetLastError();
  return false;
}

ScopedGlobalDword::ScopedGlobalDword(DWORD option, DWORD value) : option_(option) {
  DWORD ignored = 0;
  had_original_ = QueryGlobalDword(option, original_, ignored);
  set_ = InternetSetOptionA(nullptr, option, &value, sizeof(value)) != FALSE;
  if (!set_)
    error_ = GetLastError();
}

ScopedGlobalDword::~ScopedGlobalDword() {
  if (!set_ || !had_original_)
    return;
  DWORD value = original_;
  EXPECT_TRUE(InternetSetOptionA(nullptr, option_, &value, sizeof(value)))
      << "restoring process-wide option " << option_ << " to " << original_ << ": error " << GetLastError();
}

}  // namespace hc::wininet
