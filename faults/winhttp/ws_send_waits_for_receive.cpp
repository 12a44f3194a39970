// wh-ws-send-waits-for-receive: one lock for both sides of a web socket. WinHttpWebSocketSend
// waits until no receive is pending on the socket, so a send on one thread while another thread's
// receive waits for that very message never happens (the receive waits for the send, the send
// for the receive).
#include <condition_variable>
#include <map>
#include <mutex>

#include "kit.h"
#include "proxy.h"

namespace {

std::mutex g_mu;
std::condition_variable g_cv;
std::map<HINTERNET, int> g_receiving;  // web socket -> receives pending on it

void ReceiveEnded(HINTERNET ws) {
  {
    std::lock_guard lock(g_mu);
    auto it = g_receiving.find(ws);
    if (it == g_receiving.end())
      return;
    if (--it->second <= 0)
      g_receiving.erase(it);
  }
  g_cv.notify_all();
}

}  // namespace

void hc::fault::Install(Hooks& hooks) {
  hooks.notify = [](Notification& n, const Deliver&) {
    if (n.status == WINHTTP_CALLBACK_STATUS_READ_COMPLETE) {
      ReceiveEnded(n.handle);
    } else if (n.status == WINHTTP_CALLBACK_STATUS_REQUEST_ERROR && n.info != nullptr &&
               n.length >= sizeof(WINHTTP_WEB_SOCKET_ASYNC_RESULT) &&
               Info(n.handle).kind == Kind::websocket &&
               static_cast<WINHTTP_WEB_SOCKET_ASYNC_RESULT*>(n.info)->Operation ==
                   WINHTTP_WEB_SOCKET_RECEIVE_OPERATION) {
      ReceiveEnded(n.handle);
    } else if (n.status == WINHTTP_CALLBACK_STATUS_HANDLE_CLOSING) {
      {
        std::lock_guard lock(g_mu);
        g_receiving.erase(n.handle);
      }
      g_cv.notify_all();
    }
    return true;
  };
}

extern "C" DWORD WINAPI hc_fault_WinHttpWebSocketReceive(HINTERNET ws, PVOID buffer, DWORD length,
                                                         DWORD* read, WINHTTP_WEB_SOCKET_BUFFER_TYPE* type) {
  static const auto real = hc::fault::Real<decltype(&WinHttpWebSocketReceive)>("WinHttpWebSocketReceive");
  {
    std::lock_guard lock(g_mu);
    ++g_receiving[ws];  // before the call: the completion may come before it returns
  }
  const DWORD result = real(ws, buffer, length, read, type);
  if (result != NO_ERROR)
    ReceiveEnded(ws);
  return result;
}

extern "C" DWORD WINAPI hc_fault_WinHttpWebSocketSend(HINTERNET ws, WINHTTP_WEB_SOCKET_BUFFER_TYPE type,
                                                      PVOID buffer, DWORD length) {
  static const auto real = hc::fault::Real<decltype(&WinHttpWebSocketSend)>("WinHttpWebSocketSend");
  {
    std::unique_lock lock(g_mu);
    if (g_receiving.count(ws) != 0) {
      hc::fault::Fired();
      g_cv.wait(lock, [&] { return g_receiving.count(ws) == 0; });  // unbounded, like a lock
    }
  }
  return real(ws, type, buffer, length);
}
