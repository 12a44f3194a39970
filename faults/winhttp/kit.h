#pragma once
// The WinHTTP fault kit: what the faults that change notifications or handle lifetimes share.
// Linked into a fault DLL when the fault lists kit.cpp among its sources; it then forwards
// WinHttpOpen, WinHttpConnect, WinHttpOpenRequest, WinHttpWebSocketCompleteUpgrade,
// WinHttpCloseHandle and WinHttpSetStatusCallback itself, unchanged unless a hook says otherwise:
//   - a table of the handles created (kind, parent, asynchronous or not, server, creating thread);
//   - a trampoline between the real DLL and the application's status callback, through which every
//     notification passes (a hook may change, drop or add notifications);
//   - hooks around WinHttpCloseHandle and WinHttpSetStatusCallback(h, NULL).
// The control proxy wh-control links the kit with no hook at all: the suites must pass with it.
#include <windows.h>
#include <winhttp.h>

#include <functional>
#include <string>

namespace hc::fault::winhttp {

enum class Kind { unknown, session, connect, request, websocket };

struct HandleInfo {
  Kind kind = Kind::unknown;
  HINTERNET parent = nullptr;
  bool async = false;     // its session was opened with WINHTTP_FLAG_ASYNC
  std::wstring server;    // "host:port" of its connection
  DWORD creator = 0;      // the thread that created it
  bool closed = false;    // WinHttpCloseHandle was called for it
  int trampoline = -1;    // the trampoline its notifications came through (-1: none yet)
  DWORD_PTR context = 0;  // the context of its latest notification
};

// One notification on its way to the application's callback.
struct Notification {
  HINTERNET handle;
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
  // WinHttpCloseHandle(h), before the real close: return true to return `result` instead (the
  // hook sets the last error); false closes as usual.
  std::function<bool(HINTERNET, BOOL& result)> close;
  // After the real WinHttpCloseHandle(h) returned.
  std::function<void(HINTERNET, BOOL result)> closed;
  // After WinHttpSetStatusCallback(h, NULL, ...) returned.
  std::function<void(HINTERNET)> callback_removed;
};

// Defined by every fault that links the kit: sets the hooks it needs (called once, at first use).
void Install(Hooks& hooks);

// The kit's record of h (kind unknown if the kit did not see it created).
HandleInfo Info(HINTERNET h);
// The request's or connection's session-to-handle chain contains `ancestor`.
bool Below(HINTERNET h, HINTERNET ancestor);
// Delivers a notification for h to the application's callback now, on this thread, with the
// context of h's latest notification; false if no notification for h has passed yet.
bool DeliverNow(HINTERNET h, DWORD status, void* info, DWORD length);
// Closes h for real (past the close hook).
BOOL RealClose(HINTERNET h);
// Request handles created and not yet closed in the process.
int OpenRequests();
// The calling thread is inside a notification the kit is delivering (depth > 0).
bool InCallback();
// The notification the calling thread is delivering, if InCallback().
const Notification* CurrentNotification();

// Kinds of notification.
bool IsCompletion(DWORD status);     // SENDREQUEST_COMPLETE, HEADERS_AVAILABLE, DATA_AVAILABLE, ...
bool IsInformational(DWORD status);  // RESOLVING_NAME ... RESPONSE_RECEIVED, REDIRECT, ...

}  // namespace hc::fault::winhttp
