#include "hc/wininet/context.h"

#include "hc/api_of.h"
#include "hc/wininet/names.h"
#include "hc/wininet/session.h"

namespace hc::wininet {
namespace {

// HANDLE_CREATED carries the new handle's context; its status information holds the new handle
// ("the address of an HINTERNET handle"; INTERNET_ASYNC_RESULT starts with it too), whichever
// handle the callback is called for.
void* ContextHandle(void* h, unsigned long status, void* info, unsigned long length) {
  if (status != INTERNET_STATUS_HANDLE_CREATED)
    return h;
  return info != nullptr && length >= sizeof(HINTERNET) ? *static_cast<HINTERNET*>(info) : nullptr;
}

}  // namespace

// The session has no context: InternetOpen takes none, and one set later would report the
// session's own notifications, which the suites do not wait for.
const hc::Api kApi =
    hc::ApiOf<InternetCloseHandle, InternetSetOptionA, INTERNET_OPTION_CONTEXT_VALUE, InternetReadFile,
              OpenSession, Connect, Connect, StatusName, ErrorName, ContextHandle>(
        {"WinINet", "InternetOpen", "InternetConnect"},
        {INTERNET_STATUS_HANDLE_CREATED, INTERNET_STATUS_HANDLE_CLOSING}, hc::ContextModel::kPerHandle);

unsigned long long NotificationValue(DWORD status, void* info, DWORD length) {
  const auto* completion = static_cast<const INTERNET_ASYNC_RESULT*>(info);
  switch (status) {
    case INTERNET_STATUS_REQUEST_COMPLETE:  // whether it succeeded, and its error
      return info == nullptr || length < sizeof(INTERNET_ASYNC_RESULT)
                 ? 0
                 : (static_cast<unsigned long long>(completion->dwResult != 0) << 32) | completion->dwError;
    case INTERNET_STATUS_HANDLE_CREATED:  // the new handle (an HINTERNET, or INTERNET_ASYNC_RESULT)
      return info == nullptr || length < sizeof(HINTERNET)
                 ? 0
                 : reinterpret_cast<std::uintptr_t>(*static_cast<const HINTERNET*>(info));
    case INTERNET_STATUS_REQUEST_SENT:
    case INTERNET_STATUS_RESPONSE_RECEIVED:
      return info != nullptr && length >= sizeof(DWORD) ? *static_cast<const DWORD*>(info) : 0;
    default:
      return 0;
  }
}

void CALLBACK StatusCallback(HINTERNET h, DWORD_PTR context, DWORD status, LPVOID info, DWORD length) {
  hc::DeliverStatus(context, h, status, info, length, NotificationValue(status, info, length));
}

}  // namespace hc::wininet
