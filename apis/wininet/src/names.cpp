#include "hc/wininet/names.h"

#include "hc/name_format.h"

namespace hc::wininet {
namespace {

#define HC_STATUS(name)        \
  case INTERNET_STATUS_##name: \
    return #name;
// clang-format off
#define HC_WININET_STATUS_NAMES(X)                                                \
  X(CTL_RESPONSE_RECEIVED) X(PREFETCH) X(REQUEST_COMPLETE) X(USER_INPUT_REQUIRED) \
  X(STATE_CHANGE) X(COOKIE_SENT) X(COOKIE_RECEIVED) X(PRIVACY_IMPACTED)           \
  X(P3P_HEADER) X(P3P_POLICYREF) X(COOKIE_HISTORY)
// clang-format on
#define HC_ERROR(name)        \
  case ERROR_INTERNET_##name: \
    return "ERROR_INTERNET_" #name;
#define HC_HTTP_ERROR(name) \
  case ERROR_HTTP_##name:   \
    return "ERROR_HTTP_" #name;

// Every INTERNET_STATUS_* value, and the errors: ERROR_INTERNET_*, ERROR_HTTP_*, Win32's.
const char* StatusOnly(unsigned long status) {
  switch (status) {
    HC_SHARED_STATUS_NAMES(HC_STATUS)
    HC_WININET_STATUS_NAMES(HC_STATUS)
    default:
      return nullptr;
  }
}

const char* ErrorOnly(unsigned long error) {
  switch (error) {
    HC_SHARED_ERROR_NAMES(HC_ERROR)
    HC_ERROR(CONNECTION_ABORTED)
    HC_ERROR(CONNECTION_RESET)
    HC_ERROR(INVALID_CA)
    HC_ERROR(SEC_CERT_CN_INVALID)
    HC_ERROR(SEC_CERT_DATE_INVALID)
    HC_ERROR(SEC_CERT_ERRORS)
    HC_ERROR(SEC_CERT_REV_FAILED)
    HC_ERROR(SEC_INVALID_CERT)
    HC_ERROR(SECURITY_CHANNEL_ERROR)
    HC_HTTP_ERROR(HEADER_NOT_FOUND)
    HC_HTTP_ERROR(INVALID_SERVER_RESPONSE)
    default:
      return hc::Win32ErrorName(error);
  }
}

#undef HC_STATUS
#undef HC_WININET_STATUS_NAMES
#undef HC_ERROR
#undef HC_HTTP_ERROR

}  // namespace

std::string StatusName(unsigned long status) {
  return hc::NameWithValue(StatusOnly(status), status);
}

std::string ErrorName(unsigned long error) {
  return hc::NameWithValue(ErrorOnly(error), error);
}

}  // namespace hc::wininet
