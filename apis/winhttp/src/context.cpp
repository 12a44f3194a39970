#include "hc/winhttp/context.h"

#include "hc/winhttp/names.h"

namespace hc::winhttp {
namespace {

int CloseWinHttpHandle(void* h) {
  return WinHttpCloseHandle(h);
}

}  // namespace

const hc::CallbackApi kCallbackApi{WINHTTP_CALLBACK_STATUS_HANDLE_CLOSING, CloseWinHttpHandle, StatusName};

bool Context::Bind(HINTERNET h) {
  DWORD_PTR v = value();
  if (!WinHttpSetOption(h, WINHTTP_OPTION_CONTEXT_VALUE, &v, sizeof(v)))
    return false;
  Adopt(h);
  return true;
}

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
