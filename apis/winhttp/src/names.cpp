#include "hc/winhttp/names.h"

#include "hc/name_format.h"

namespace hc::winhttp {
namespace {

const char* StatusOnly(unsigned long status) {
  switch (status) {
#define HC_STATUS(name)                \
  case WINHTTP_CALLBACK_STATUS_##name: \
    return #name;
    HC_STATUS(RESOLVING_NAME)
    HC_STATUS(NAME_RESOLVED)
    HC_STATUS(CONNECTING_TO_SERVER)
    HC_STATUS(CONNECTED_TO_SERVER)
    HC_STATUS(SENDING_REQUEST)
    HC_STATUS(REQUEST_SENT)
    HC_STATUS(RECEIVING_RESPONSE)
    HC_STATUS(RESPONSE_RECEIVED)
    HC_STATUS(CLOSING_CONNECTION)
    HC_STATUS(CONNECTION_CLOSED)
    HC_STATUS(HANDLE_CREATED)
    HC_STATUS(HANDLE_CLOSING)
    HC_STATUS(DETECTING_PROXY)
    HC_STATUS(REDIRECT)
    HC_STATUS(INTERMEDIATE_RESPONSE)
    HC_STATUS(SECURE_FAILURE)
    HC_STATUS(HEADERS_AVAILABLE)
    HC_STATUS(DATA_AVAILABLE)
    HC_STATUS(READ_COMPLETE)
    HC_STATUS(WRITE_COMPLETE)
    HC_STATUS(REQUEST_ERROR)
    HC_STATUS(SENDREQUEST_COMPLETE)
    HC_STATUS(GETPROXYFORURL_COMPLETE)
    HC_STATUS(CLOSE_COMPLETE)
    HC_STATUS(SHUTDOWN_COMPLETE)
#undef HC_STATUS
    default:
      return nullptr;
  }
}

const char* ApiOnly(DWORD_PTR api) {
  switch (api) {
#define HC_API(name) \
  case name:         \
    return #name;
    HC_API(API_RECEIVE_RESPONSE)
    HC_API(API_QUERY_DATA_AVAILABLE)
    HC_API(API_READ_DATA)
    HC_API(API_WRITE_DATA)
    HC_API(API_SEND_REQUEST)
    HC_API(API_GET_PROXY_FOR_URL)
#undef HC_API
    default:
      return nullptr;
  }
}

const char* ErrorOnly(unsigned long error) {
  switch (error) {
#define HC_ERROR(name) \
  case name:           \
    return #name;
    HC_ERROR(ERROR_WINHTTP_TIMEOUT)
    HC_ERROR(ERROR_WINHTTP_INTERNAL_ERROR)
    HC_ERROR(ERROR_WINHTTP_INVALID_URL)
    HC_ERROR(ERROR_WINHTTP_UNRECOGNIZED_SCHEME)
    HC_ERROR(ERROR_WINHTTP_NAME_NOT_RESOLVED)
    HC_ERROR(ERROR_WINHTTP_INVALID_OPTION)
    HC_ERROR(ERROR_WINHTTP_SHUTDOWN)
    HC_ERROR(ERROR_WINHTTP_OPERATION_CANCELLED)
    HC_ERROR(ERROR_WINHTTP_INCORRECT_HANDLE_TYPE)
    HC_ERROR(ERROR_WINHTTP_INCORRECT_HANDLE_STATE)
    HC_ERROR(ERROR_WINHTTP_CANNOT_CONNECT)
    HC_ERROR(ERROR_WINHTTP_CONNECTION_ERROR)
    HC_ERROR(ERROR_WINHTTP_HEADER_NOT_FOUND)
    HC_ERROR(ERROR_WINHTTP_INVALID_SERVER_RESPONSE)
    HC_ERROR(ERROR_WINHTTP_SECURE_FAILURE)
#undef HC_ERROR
    default:
      return hc::Win32ErrorName(error);
  }
}

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
