#pragma once
// WinINet's side of the context-lifetime policy (hc/callback_context.h): its description for
// API-neutral code, the one status callback of every handle that has a context, and the reading
// of the values it records.
//
//   hc::ContextOwner owner(hc::wininet::kApi);
//   auto session = hc::wininet::OpenSession({.async = true, .callbacks = true});
//   auto& ctx = owner.Make<hc::wininet::Context>();
//   HINTERNET connect = hc::wininet::Connect(session.get(), port, ctx);  // ctx is its context
//   ...
//   ctx.Close();  // its HANDLE_CLOSING ends the context; the owner keeps it until then
#include <windows.h>
#include <wininet.h>

#include "hc/api.h"
#include "hc/callback_context.h"
#include "hc/callback_recorder.h"

namespace hc::wininet {

extern const hc::Api kApi;

using Context = hc::CallbackContext;

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

// The status callback of every handle with a Context: hc::DeliverStatus.
void CALLBACK StatusCallback(HINTERNET h, DWORD_PTR context, DWORD status, LPVOID info, DWORD length);

}  // namespace hc::wininet
