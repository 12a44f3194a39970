#include "hc/wininet/names.h"

#include "hc/name_format.h"

namespace hc::wininet {
namespace {

// clang-format off
#define HC_WININET_STATUS_NAMES(X)                                                \
  X(CTL_RESPONSE_RECEIVED) X(PREFETCH) X(REQUEST_COMPLETE) X(USER_INPUT_REQUIRED) \
  X(STATE_CHANGE) X(COOKIE_SENT) X(COOKIE_RECEIVED) X(PRIVACY_IMPACTED)           \
  X(P3P_HEADER) X(P3P_POLICYREF) X(COOKIE_HISTORY)
#define HC_WININET_ERROR_NAMES(X)                                                  \
  X(CONNECTION_ABORTED) X(CONNECTION_RESET) X(INVALID_CA) X(SEC_CERT_CN_INVALID)   \
  X(SEC_CERT_DATE_INVALID) X(SEC_CERT_ERRORS) X(SEC_CERT_REV_FAILED)               \
  X(SEC_INVALID_CERT) X(SECURITY_CHANNEL_ERROR)
#define HC_HTTP_ERROR_NAMES(X) X(HEADER_NOT_FOUND) X(INVALID_SERVER_RESPONSE)
// clang-format on
#define HC_STATUS(name) {INTERNET_STATUS_##name, #name},
#define HC_ERROR(name) {ERROR_INTERNET_##name, "ERROR_INTERNET_" #name},
#define HC_HTTP_ERROR(name) {ERROR_HTTP_##name, "ERROR_HTTP_" #name},

// Every INTERNET_STATUS_* value.
constexpr hc::NamedValue kStatuses[] = {HC_SHARED_STATUS_NAMES(HC_STATUS) HC_WININET_STATUS_NAMES(HC_STATUS)};
// ERROR_INTERNET_*, ERROR_HTTP_*; then the Win32 errors (hc::Win32ErrorName).
constexpr hc::NamedValue kErrors[] = {HC_SHARED_ERROR_NAMES(HC_ERROR) HC_WININET_ERROR_NAMES(HC_ERROR)
                                          HC_HTTP_ERROR_NAMES(HC_HTTP_ERROR)};

#undef HC_STATUS
#undef HC_ERROR
#undef HC_HTTP_ERROR
#undef HC_WININET_STATUS_NAMES
#undef HC_WININET_ERROR_NAMES
#undef HC_HTTP_ERROR_NAMES

}  // namespace

std::string StatusName(unsigned long status) {
  return hc::NameFromTable(kStatuses, status);
}

std::string ErrorName(unsigned long error) {
  return hc::NameFromTable(kErrors, error, hc::NumberBase::decimal, hc::Win32ErrorName);
}

}  // namespace hc::wininet
