#include "hc/winhttp/names.h"

#include "hc/name_format.h"

namespace hc::winhttp {
namespace {

// clang-format off
#define HC_WINHTTP_STATUS_NAMES(X)                                                                           \
  X(SECURE_FAILURE) X(HEADERS_AVAILABLE) X(DATA_AVAILABLE) X(READ_COMPLETE) X(WRITE_COMPLETE)                \
  X(REQUEST_ERROR) X(SENDREQUEST_COMPLETE) X(GETPROXYFORURL_COMPLETE) X(CLOSE_COMPLETE) X(SHUTDOWN_COMPLETE)
#define HC_WINHTTP_ERROR_NAMES(X)                                                           \
  X(CONNECTION_ERROR) X(HEADER_NOT_FOUND) X(INVALID_SERVER_RESPONSE) X(SECURE_FAILURE)      \
  X(SECURE_INVALID_CA) X(SECURE_CERT_CN_INVALID) X(SECURE_CERT_DATE_INVALID)                \
  X(SECURE_INVALID_CERT) X(SECURE_CHANNEL_ERROR)
#define HC_API_NAMES(X)                                    \
  X(RECEIVE_RESPONSE) X(QUERY_DATA_AVAILABLE) X(READ_DATA) \
  X(WRITE_DATA) X(SEND_REQUEST) X(GET_PROXY_FOR_URL)
// clang-format on
#define HC_STATUS(name) {WINHTTP_CALLBACK_STATUS_##name, #name},
#define HC_ERROR(name) {ERROR_WINHTTP_##name, "ERROR_WINHTTP_" #name},
#define HC_API(name) {API_##name, "API_" #name},

// The WINHTTP_CALLBACK_STATUS_* values.
constexpr hc::NamedValue kStatuses[] = {HC_SHARED_STATUS_NAMES(HC_STATUS) HC_WINHTTP_STATUS_NAMES(HC_STATUS)};
// ERROR_WINHTTP_*; then the Win32 errors (hc::Win32ErrorName).
constexpr hc::NamedValue kErrors[] = {HC_SHARED_ERROR_NAMES(HC_ERROR) HC_WINHTTP_ERROR_NAMES(HC_ERROR)};
// WINHTTP_ASYNC_RESULT::dwResult.
constexpr hc::NamedValue kApis[] = {HC_API_NAMES(HC_API)};

#undef HC_STATUS
#undef HC_ERROR
#undef HC_API
#undef HC_WINHTTP_STATUS_NAMES
#undef HC_WINHTTP_ERROR_NAMES
#undef HC_API_NAMES

}  // namespace

std::string StatusName(unsigned long status) {
  return hc::NameFromTable(kStatuses, status, hc::NumberBase::hex);
}

std::string ApiName(DWORD_PTR api) {
  return hc::NameFromTable(kApis, api);
}

std::string ErrorName(unsigned long error) {
  return hc::NameFromTable(kErrors, error, hc::NumberBase::decimal, hc::Win32ErrorName);
}

}  // namespace hc::winhttp
