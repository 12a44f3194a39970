#include "hc/winhttp/context.h"

#include "hc/api_of.h"
#include "hc/winhttp/names.h"
#include "hc/winhttp/session.h"

namespace hc::winhttp {
namespace {

// Every notification is for h, with h's context (or, while h has none of its own, its
// parent's); HANDLE_CREATED comes before the new handle can have one.
void* ContextHandle(void* h, unsigned long status, void*, unsigned long) {
  return status == WINHTTP_CALLBACK_STATUS_HANDLE_CREATED ? nullptr : h;
}

}  // namespace

// WinHTTP's sessions take a context, and a handle without one of its own carries its parent's.
const hc::Api kApi =
    hc::ApiOf<WinHttpCloseHandle, WinHttpSetOption, WINHTTP_OPTION_CONTEXT_VALUE, WinHttpReadData,
              OpenSession, Connect, Connect, StatusName, ErrorName, ContextHandle>(
        {"WinHTTP", "WinHttpOpen", "WinHttpConnect"},
        {WINHTTP_CALLBACK_STATUS_HANDLE_CREATED, WINHTTP_CALLBACK_STATUS_HANDLE_CLOSING},
        hc::ContextModel::kInherited);

void CALLBACK StatusCallback(HINTERNET h, DWORD_PTR context, DWORD status, LPVOID info, DWORD length) {
  hc::DeliverStatus(context, h, status, info, length, NotificationValue(status, info, length));
}

unsigned long long NotificationValue(DWORD status, void* info, DWORD length) {
  if (info == nullptr)
    return 0;
  switch (status) {
    case WINHTTP_CALLBACK_STATUS_REQUEST_ERROR:
      return length >= sizeof(WINHTTP_ASYNC_RESULT) ? static_cast<WINHTTP_ASYNC_RESULT*>(info)->dwError : 0;
    case WINHTTP_CALLBACK_STATUS_DATA_AVAILABLE:
    case WINHTTP_CALLBACK_STATUS_WRITE_COMPLETE:
    case WINHTTP_CALLBACK_STATUS_REQUEST_SENT:
    case WINHTTP_CALLBACK_STATUS_RESPONSE_RECEIVED:
    case WINHTTP_CALLBACK_STATUS_SECURE_FAILURE:
      return length >= sizeof(DWORD) ? *static_cast<DWORD*>(info) : 0;
    case WINHTTP_CALLBACK_STATUS_READ_COMPLETE:
      return length;
    default:
      return 0;
  }
}

}  // namespace hc::winhttp
