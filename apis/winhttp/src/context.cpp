#include "hc/winhttp/context.h"

#include "hc/winhttp/names.h"
#include "hc/winhttp/session.h"

namespace hc::winhttp {
namespace {

bool SetContext(void* h, std::uintptr_t value) {
  DWORD_PTR v = value;
  return WinHttpSetOption(h, WINHTTP_OPTION_CONTEXT_VALUE, &v, sizeof(v)) != FALSE;
}

void* ConnectBound(void* session, std::uint16_t port, hc::CallbackContext* context) {
  return context != nullptr ? Connect(session, port, *context) : Connect(session, port).release();
}

bool ReadSome(void* request, char* buffer, unsigned long size, unsigned long* got) {
  return WinHttpReadData(request, buffer, size, got) != FALSE;
}

// Every notification is for h, with h's context (or, while h has none of its own, its
// parent's); HANDLE_CREATED comes before the new handle can have one.
void* ContextHandle(void* h, unsigned long status, void*, unsigned long) {
  return status == WINHTTP_CALLBACK_STATUS_HANDLE_CREATED ? nullptr : h;
}

}  // namespace

const hc::Api kApi{.name = "WinHTTP",
                   .handle_closing = WINHTTP_CALLBACK_STATUS_HANDLE_CLOSING,
                   .close_handle = hc::CloseWith<WinHttpCloseHandle>,
                   .set_context = SetContext,
                   .status_name = StatusName,
                   .error_name = ErrorName,
                   .open_session = hc::OpenSessionWith<OpenSession>,
                   .open_call = "WinHttpOpen",
                   .connect = ConnectBound,
                   .connect_call = "WinHttpConnect",
                   .read = ReadSome,
                   .session_takes_context = true,
                   .handle_created = WINHTTP_CALLBACK_STATUS_HANDLE_CREATED,
                   .context_handle = ContextHandle,
                   .children_inherit_context = true};

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
