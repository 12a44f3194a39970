#pragma once
// WinHTTP's side of the context-lifetime policy (hc/callback_context.h): its description for
// API-neutral code and the one status callback of every handle that has a context.
//
//   hc::ContextOwner owner(hc::winhttp::kApi);
//   auto& ctx = owner.Make<hc::winhttp::Context>();
//   ctx.Bind(request);  // WINHTTP_OPTION_CONTEXT_VALUE; the session has StatusCallback installed
//   ...
//   ctx.Close();        // its HANDLE_CLOSING ends the context; the owner keeps it until then
#include <windows.h>
#include <winhttp.h>

#include "hc/api.h"
#include "hc/callback_context.h"

namespace hc::winhttp {

extern const hc::Api kApi;

using Context = hc::CallbackContext;

// The status callback of every handle with a Context: hc::DeliverStatus.
void CALLBACK StatusCallback(HINTERNET h, DWORD_PTR context, DWORD status, LPVOID info, DWORD length);

// The value the recorder keeps for a notification: the error of REQUEST_ERROR, the DWORD of
// DATA_AVAILABLE, WRITE_COMPLETE, REQUEST_SENT, RESPONSE_RECEIVED and SECURE_FAILURE, the byte
// count of READ_COMPLETE; otherwise 0.
unsigned long long NotificationValue(DWORD status, void* info, DWORD length);

}  // namespace hc::winhttp
