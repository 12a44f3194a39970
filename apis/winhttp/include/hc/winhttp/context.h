#pragma once
// WinHTTP's side of the context-lifetime policy (hc/callback_context.h): contexts bound to
// WinHTTP handles and the one status callback that delivers their notifications.
//
//   hc::ContextOwner owner(hc::winhttp::kCallbackApi);
//   auto& ctx = owner.Make<hc::winhttp::Context>();
//   ctx.Bind(request);  // WINHTTP_OPTION_CONTEXT_VALUE; the session has StatusCallback installed
//   ...
//   ctx.Close();        // its HANDLE_CLOSING ends the context; the owner keeps it until then
#include <windows.h>
#include <winhttp.h>

#include "hc/callback_context.h"

namespace hc::winhttp {

// HANDLE_CLOSING, WinHttpCloseHandle and StatusName, for hc::ContextOwner.
extern const hc::CallbackApi kCallbackApi;

class Context : public hc::CallbackContext {
 public:
  using hc::CallbackContext::CallbackContext;
  // Makes this the context of h (WINHTTP_OPTION_CONTEXT_VALUE): h's notifications come here and
  // h's HANDLE_CLOSING ends the context. False (and not bound) if the option cannot be set.
  bool Bind(HINTERNET h);
};

// The status callback of every handle with a Context: hc::DeliverStatus.
void CALLBACK StatusCallback(HINTERNET h, DWORD_PTR context, DWORD status, LPVOID info, DWORD length);

// The value the recorder keeps for a notification: the error of REQUEST_ERROR, the DWORD of
// DATA_AVAILABLE, WRITE_COMPLETE, REQUEST_SENT, RESPONSE_RECEIVED and SECURE_FAILURE, the byte
// count of READ_COMPLETE; otherwise 0.
unsigned long long NotificationValue(DWORD status, void* info, DWORD length);

}  // namespace hc::winhttp
