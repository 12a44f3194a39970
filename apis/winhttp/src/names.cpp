#include "hc/winhttp/names.h"

#include "hc/name_format.h"

namespace hc::winhttp {
namespace {

#define HC_STATUS(name)                \
  case WINHTTP_CALLBACK_STATUS_##name: \
    return #name;
// clang-format off
#define HC_WINHTTP_STATUS_NAMES(X)                                                                           \
  X(SECURE_FAILURE) X(HEADERS_AVAILABLE) X(DATA_AVAILABLE) X(READ_COMPLETE) X(WRITE_COMPLETE)                \
  X(REQUEST_ERROR) X(SENDREQUEST_COMPLETE) X(GETPROXYFORURL_COMPLETE) X(CLOSE_COMPLETE) X(SHUTDOWN_COMPLETE)
// clang-format on
#define HC_ERROR(name)       \
  case ERROR_WINHTTP_##name: \
    return "ERROR_WINHTTP_" #name;
// clang-format off
#define HC_WINHTTP_ERROR_NAMES(X)                                                           \
  X(CONNECTION_ERROR) X(HEADER_NOT_FOUND) X(INVALID_SERVER_RESPONSE) X(SECURE_FAILURE)      \
  X(SECURE_INVALID_CA) X(SECURE_CERT_CN_INVALID) X(SECURE_CERT_DATE_INVALID)                \
  X(SECURE_INVALID_CERT) X(SECURE_CHANNEL_ERROR)
// clang-format on
#define HC_API(name) \
  case API_##name:   \
    return "API_" #name;
// clang-format off
#define HC_API_NAMES(X)                                    \
  X(RECEIVE_RESPONSE) X(QUERY_DATA_AVAILABLE) X(READ_DATA) \
  X(WRITE_DATA) X(SEND_REQUEST) X(GET_PROXY_FOR_URL)
// clang-format on

// The WINHTTP_CALLBACK_STATUS_* values.
const char* StatusOnly(unsigned long status) {
  switch (status) {
    HC_SHARED_STATUS_NAMES(HC_STATUS)
    HC_WINHTTP_STATUS_NAMES(HC_STATUS)
    default:
      return nullptr;
  }
}

// WINHTTP_ASYNC_RESULT::dwResult.
const char* ApiOnly(DWORD_PTR api) {
  switch (api) {
    HC_API_NAMES(HC_API)
    default:
      return nullptr;
  }
}

// ERROR_WINHTTP_*, then the Win32 errors.
const char* ErrorOnly(unsigned long error) {
  switch (error) {
    HC_SHARED_ERROR_NAMES(HC_ERROR)
    HC_WINHTTP_ERROR_NAMES(HC_ERROR)
    default:
      return hc::Win32ErrorName(error);
  }
}

#undef HC_STATUS
#undef HC_WINHTTP_STATUS_NAMES
#undef HC_ERROR
#undef HC_WINHTTP_ERROR_NAMES
#undef HC_API
#undef HC_API_NAMES

}  // namespace

std::string StatusName(unsigned long status) {
  return hc::NameWithValue(StatusOnly(status), status, hc::NumberBase::hex);
}

std::string ApiName(DWORD_PTR api) {
  return hc::NameWithValue(ApiOnly(api), api);
}

std::string ErrorName(unsigned long error) {
  return hc::NameWithValue(ErrorOnly(error), error);
}

}  // namespace hc::winhttp
