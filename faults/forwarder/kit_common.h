#pragma once
// The fault kit of both APIs: what the faults that change notifications or handle lifetimes share.
// Linked into a fault DLL when the fault lists its API's <api>/kit.cpp among its sources; that file
// forwards the handle-creating calls, the close and the status-callback setter itself, unchanged
// unless a hook says otherwise, through the pieces here:
//   - a table of the handles created (kind, parent, asynchronous or not, server, creating thread);
//   - a trampoline between the real DLL and the application's status callback, through which every
//     notification passes (a hook may change, drop or add notifications);
//   - hooks around the close and around removing a handle's callback.
// WinHTTP's and WinINet's HINTERNET and status callback types are the same C types, so neither
// header is included here (they cannot share a translation unit); a fault includes its own.
// The controls wh-control and wi-control link the kit with no hook at all: the suites must pass.
#include <windows.h>

#include <functional>
#include <string>

namespace hc::fault {

using Handle = void*;  // HINTERNET of either API
using StatusCallback = void(CALLBACK*)(Handle, DWORD_PTR context, DWORD status, void* info, DWORD length);

enum class Kind { unknown, session, connect, request, websocket };

struct HandleInfo {
  Kind kind = Kind::unknown;
  Handle parent = nullptr;
  bool async = false;     // its session was opened asynchronous (WINHTTP_FLAG_ASYNC, INTERNET_FLAG_ASYNC)
  std::string server;     // "host:port" of its connection
  DWORD creator = 0;      // the thread that created it
  bool closed = false;    // the application closed it
  int trampoline = -1;    // the trampoline its notifications came through (-1: none yet)
  DWORD_PTR context = 0;  // the context of its latest notification
};

// One notification on its way to the application's callback.
struct Notification {
  Handle handle;
  DWORD_PTR context;
  DWORD status;
  void* info;
  DWORD length;
};
using Deliver = std::function<void(const Notification&)>;

struct Hooks {
  // Before a notification is delivered; may change it; false drops it. `deliver` hands any other
  // notification to the application's callback at once (on this thread).
  std::function<bool(Notification&, const Deliver& deliver)> notify;
  // After the application's callback returned.
  std::function<void(const Notification&)> delivered;
  // The close of h, before the real close: return true to return `result` instead (the hook sets
  // the last error); false closes as usual.
  std::function<bool(Handle, BOOL& result)> close;
  // After the real close of h returned.
  std::function<void(Handle, BOOL result)> closed;
  // After the application removed h's callback (set it to NULL).
  std::function<void(Handle)> callback_removed;
};

// Defined by every fault that links the kit: sets the hooks it needs (called once, at first use).
void Install(Hooks& hooks);
const Hooks& TheHooks();

// The kit's record of h (kind unknown if the kit did not see it created).
HandleInfo Info(Handle h);
// The request's or connection's session-to-handle chain contains `ancestor`.
bool Below(Handle h, Handle ancestor);
// Handles whose parent is h and that the application has not closed.
int OpenChildren(Handle h);
// Request handles created and not yet closed in the process.
int OpenRequests();
// Delivers a notification for h to the application's callback now, on this thread, with the
// context of h's latest notification; false if no notification for h has passed yet.
bool DeliverNow(Handle h, DWORD status, void* info, DWORD length);
// The calling thread is inside a notification the kit is delivering (depth > 0).
bool InCallback();
// The notification the calling thread is delivering, if InCallback().
const Notification* CurrentNotification();

// What the kit needs of its API, defined by <api>/kit.cpp.
struct Api {
  const char* close;     // the export that closes a handle
  DWORD handle_created;  // the HANDLE_CREATED and HANDLE_CLOSING notifications
  DWORD handle_closing;
};
extern const Api kApi;

// Kinds of notification.
bool IsCompletion(DWORD status);     // the end of an asynchronous operation (per API, <api>/kit.cpp)
bool IsInformational(DWORD status);  // neither a completion nor HANDLE_CREATED / HANDLE_CLOSING
// Closes h for real (past the close hook).
BOOL RealClose(Handle h);

// For <api>/kit.cpp, after the real DLL's handle-creating call returned h: records h (nothing for
// nullptr) and returns it, keeping the last error as it was.
// A session, asynchronous or not.
Handle CreatedSession(Handle h, bool async);
// A connection of `session` to host:port (a wide host name narrowed, other than ASCII as '?').
Handle CreatedConnection(Handle h, Handle session, const char* host, unsigned port);
Handle CreatedConnection(Handle h, Handle session, const wchar_t* host, unsigned port);
// A request or WebSocket below `parent`, of its session and server.
Handle CreatedChild(Handle h, Kind kind, Handle parent);
// For <api>/kit.cpp: the close path (hooks, the table, the real close).
BOOL CloseThroughKit(Handle h);
// For <api>/kit.cpp: the status-callback setter. `set` is the real DLL's setter bound to the
// handle; returns what the application should see as the previous callback. `invalid` is the
// API's "invalid status callback" value, passed through as it is.
StatusCallback SetCallbackThroughKit(Handle h, StatusCallback callback, StatusCallback invalid,
                                     const std::function<StatusCallback(StatusCallback)>& set);

}  // namespace hc::fault
