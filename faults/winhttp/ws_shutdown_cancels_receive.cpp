// wh-ws-shutdown-cancels-receive: WinHttpWebSocketShutdown also ends the receive side: a receive
// pending on the socket completes with REQUEST_ERROR (ERROR_WINHTTP_OPERATION_CANCELLED) instead
// of the server's close frame.
#include <mutex>
#include <set>

#include "kit.h"
#include "proxy.h"

namespace {
std::mutex g_mu;
std::set<HINTERNET> g_shut;  // web sockets whose send side was shut down
thread_local WINHTTP_WEB_SOCKET_ASYNC_RESULT t_cancelled{};
}  // namespace

void hc::fault::Install(Hooks& hooks) {
  hooks.notify = [](Notification& n, const Deliver&) {
    if (n.status == WINHTTP_CALLBACK_STATUS_HANDLE_CLOSING) {
      std::lock_guard lock(g_mu);
      g_shut.erase(n.handle);
      return true;
    }
    if (n.status != WINHTTP_CALLBACK_STATUS_READ_COMPLETE)
      return true;
    {
      std::lock_guard lock(g_mu);
      if (g_shut.count(n.handle) == 0)
        return true;
    }
    t_cancelled = WINHTTP_WEB_SOCKET_ASYNC_RESULT{{0, ERROR_WINHTTP_OPERATION_CANCELLED},
                                                  WINHTTP_WEB_SOCKET_RECEIVE_OPERATION};
    n.status = WINHTTP_CALLBACK_STATUS_REQUEST_ERROR;
    n.info = &t_cancelled;
    n.length = sizeof(t_cancelled);
    Fired();
    return true;
  };
}

extern "C" DWORD WINAPI hc_fault_WinHttpWebSocketShutdown(HINTERNET ws, USHORT status, PVOID reason,
                                                          DWORD length) {
  static const auto real = hc::fault::Real<decltype(&WinHttpWebSocketShutdown)>("WinHttpWebSocketShutdown");
  {
    std::lock_guard lock(g_mu);
    g_shut.insert(ws);  // before the call: the close frame may arrive before it returns
  }
  const DWORD result = real(ws, status, reason, length);
  if (result != NO_ERROR) {
    std::lock_guard lock(g_mu);
    g_shut.erase(ws);
  }
  return result;
}
