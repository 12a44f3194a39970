#pragma once
// WinINet's side of the context-lifetime policy (hc/callback_context.h): contexts of WinINet
// handles and the one status callback that delivers their notifications.
//
//   hc::ContextOwner owner(hc::wininet::kCallbackApi);
//   auto session = hc::wininet::OpenSession({.async = true, .callbacks = true});
//   auto& ctx = owner.Make<hc::wininet::Context>();
//   HINTERNET connect = hc::wininet::Connect(session.get(), port, ctx);  // ctx is its context
//   ...
//   ctx.Close();  // its HANDLE_CLOSING ends the context; the owner keeps it until then
#include <windows.h>
#include <wininet.h>

#include "hc/callback_context.h"
#include "hc/callback_recorder.h"

namespace hc::wininet {

// HANDLE_CLOSING, InternetCloseHandle and StatusName, for hc::ContextOwner.
extern const hc::CallbackApi kCallbackApi;

class Context : public hc::CallbackContext {
 public:
  using hc::CallbackContext::CallbackContext;
  // Makes this the context of h afterwards (INTERNET_OPTION_CONTEXT_VALUE); handles created with
  // value() as their context are adopted instead. False (and not bound) if the option cannot be set.
  bool Bind(HINTERNET h);
};

// The status callback of every handle with a Context: hc::DeliverStatus.
void CALLBACK StatusCallback(HINTERNET h, DWORD_PTR context, DWORD status, LPVOID info, DWORD length);

// The value the recorder keeps for a notification:
//   REQUEST_COMPLETE: bit 32 = INTERNET_ASYNC_RESULT::dwResult != 0, low 32 bits = dwError;
//   REQUEST_SENT, RESPONSE_RECEIVED: the DWORD byte count; HANDLE_CREATED: the new handle;
//   others: 0.
unsigned long long NotificationValue(DWORD status, void* info, DWORD length);
inline bool CompletedOk(const hc::Notification& n) {
  return (n.value >> 32) != 0;
}
inline DWORD CompletionError(const hc::Notification& n) {
  return static_cast<DWORD>(n.value & 0xffffffffu);
}

}  // namespace hc::wininet
