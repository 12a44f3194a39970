#include "hc/wininet/context.h"

#include "hc/wininet/names.h"

namespace hc::wininet {
namespace {

int CloseWinInetHandle(void* h) {
  return InternetCloseHandle(h);
}

}  // namespace

const hc::CallbackApi kCallbackApi{INTERNET_STATUS_HANDLE_CLOSING, CloseWinInetHandle, StatusName};

bool Context::Bind(HINTERNET h) {
  DWORD_PTR v = value();
  if (!InternetSetOptionA(h, INTERNET_OPTION_CONTEXT_VALUE, &v, sizeof(v)))
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
    case INTERNET_STATUS_REQUEST_COMPLETE:
    case INTERNET_STATUS_HANDLE_CREATED: {
      if (length < sizeof(INTERNET_ASYNC_RESULT))
        return 0;
      const auto* r = static_cast<const INTERNET_ASYNC_RESULT*>(info);
      return status == INTERNET_STATUS_HANDLE_CREATED
                 ? static_cast<unsigned long long>(r->dwResult)
                 : (static_cast<unsigned long long>(r->dwResult != 0) << 32) | r->dwError;
    }
    case INTERNET_STATUS_REQUEST_SENT:
    case INTERNET_STATUS_RESPONSE_RECEIVED:
      return length >= sizeof(DWORD) ? *static_cast<const DWORD*>(info) : 0;
    default:
      return 0;
  }
}

}  // namespace hc::wininet
