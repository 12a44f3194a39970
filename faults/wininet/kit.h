#pragma once
// The WinINet fault kit: what the faults that change notifications or handle lifetimes share.
// Linked into a fault DLL when the fault lists kit.cpp among its sources; it then forwards
// InternetOpenA/W, InternetConnectA/W, HttpOpenRequestA/W, InternetCloseHandle and
// InternetSetStatusCallback(A/W) itself, unchanged unless a hook says otherwise:
//   - a table of the handles created (kind, parent, asynchronous or not, server, creating thread);
//   - a trampoline between the real DLL and the application's status callback, through which every
//     notification passes (a hook may change, drop or add notifications);
//   - hooks around InternetCloseHandle.
// The control proxy wi-control links the kit with no hook at all: the suites must pass with it.
#include <windows.h>
#include <wininet.h>

#include <functional>
#include <string>

namespace hc::fault::wininet {

enum class Kind { unknown, session, connect, request };

struct HandleInfo {
  Kind kind = Kind::unknown;
  HINTERNET parent = nullptr;
  bool async = false;   // its session was opened with INTERNET_FLAG_ASYNC
  std::string server;   // "host:port" of its connection
  DWORD creator = 0;    // the thread that created it
  bool closed = false;  // InternetCloseHandle was called for it
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
  // InternetCloseHandle(h), before the real close: return true to return `result` instead (the
  // hook sets the last error); false closes as usual.
  std::function<bool(HINTERNET, BOOL& result)> close;
  // After the real InternetCloseHandle(h) returned.
  std::function<void(HINTERNET, BOOL result)> closed;
};

// Defined by every fault that links the kit: sets the hooks it needs (called once, at first use).
void Install(Hooks& hooks);

// The kit's record of h (kind unknown if the kit did not see it created).
HandleInfo Info(HINTERNET h);
// Request handles whose parent is h and that the application has not closed.
int OpenChildren(HINTERNET h);
// Request handles created and not yet closed in the process.
int OpenRequests();
// The calling thread is inside a notification the kit is delivering.
bool InCallback();
// The notification the calling thread is delivering, if InCallback().
const Notification* CurrentNotification();
// Closes h for real (past the close hook).
BOOL RealClose(HINTERNET h);

// Informational notifications: every status except REQUEST_COMPLETE, HANDLE_CREATED and
// HANDLE_CLOSING.
bool IsInformational(DWORD status);

}  // namespace hc::fault::wininet
