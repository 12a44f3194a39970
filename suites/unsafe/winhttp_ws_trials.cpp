// WinHttpWebSocketClose while other threads use the web socket (WH-WS-CLOSE-EXCLUSIVE):
//  wh-ws-close-racing  a sender and a receiver run; a third thread calls WinHttpWebSocketClose
//                      at a random moment
//  wh-ws-close-after   safe: the sender ends with WinHttpWebSocketShutdown (send side only, allowed
//                      while the receiver runs), the receiver runs until the server's close frame,
//                      and WinHttpWebSocketClose is called once both have returned
// The server side is a ws scenario of localserver (/websocket/echo), one per trial. A trial whose
// threads have not all returned stall_ms after they started (their calls normally take 5-20 ms,
// calls_us) is a hang; the trial then deletes its scenario (the server closes the connection).
// Calls that return then are a hang "released by the server"; if they stay blocked (Wine 8.0:
// they do), the trial reports the hang and abandons the process (trial::Abandon), and the parent
// continues with another child.
#include <condition_variable>
#include <cstdio>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "hc/latch.h"
#include "hc/localserver.h"
#include "hc/winhttp/context.h"
#include "hc/winhttp/session.h"
#include "winhttp_trials.h"

namespace hc::unsafe {
namespace {

using std::chrono::microseconds;
using trial::SpinFor;

// After the server closed the connection, how long calls blocked on it are given to return. Wine
// 8.0's hung calls spin (a core busy until the process ends): every millisecond here costs CPU.
constexpr auto kReleaseBound = std::chrono::milliseconds(20);

struct Side {
  DWORD error = 0;  // first failing call's result
  int count = 0;    // messages sent / received
  bool close_frame = false;
};

Outcome WebSocketClose(Trial& trial, bool racing) {
  auto server = std::make_unique<hc::Scenario>("ws", "unsafe-ws");
  const auto connection = hc::OpenConnection(winhttp::kApi, server->port(), {.timeout = kTrialCallBound});
  winhttp::Handle request(
      connection ? winhttp::OpenRequest(connection.connect.get(), L"GET", "/websocket/echo") : nullptr);
  if (!request)
    return HarnessError("WinHttpOpen/Connect/OpenRequest");
  trial.Stage("main", "upgrade request");
  if (!WinHttpSetOption(request.get(), WINHTTP_OPTION_UPGRADE_TO_WEB_SOCKET, nullptr, 0))
    return HarnessError("upgrade option");
  if (!WinHttpSendRequest(request.get(), WINHTTP_NO_ADDITIONAL_HEADERS, 0, WINHTTP_NO_REQUEST_DATA, 0, 0,
                          0) ||
      !WinHttpReceiveResponse(request.get(), nullptr))
    return HarnessError("upgrade request");
  trial.Stage("main", "WinHttpWebSocketCompleteUpgrade");
  HINTERNET ws = WinHttpWebSocketCompleteUpgrade(request.get(), 0);
  if (!ws)
    return HarnessError("WinHttpWebSocketCompleteUpgrade");
  request.reset();
  trial.Stage("main", "");

  const int messages = static_cast<int>(trial.Uniform(1, trial.IntArg("max_messages", 40)));
  const auto close_after = microseconds(trial.Uniform(0, trial.IntArg("max_delay_us", 4000)));
  hc::Latch start(3);
  std::mutex done_mu;
  std::condition_variable done_cv;
  int running = 3;
  auto finished = [&] {
    std::lock_guard lock(done_mu);
    if (--running == 0)
      done_cv.notify_all();
  };
  Side sender, receiver;
  DWORD close_result = 0;
  std::thread send_thread([&] {
    start.ArriveAndWait();
    char message[64];
    for (int i = 0; i < messages; ++i) {
      trial.Stage("sender", "in WinHttpWebSocketSend");
      const int n = std::snprintf(message, sizeof(message), "trial %d message %d", trial.index(), i);
      const DWORD r = WinHttpWebSocketSend(ws, WINHTTP_WEB_SOCKET_UTF8_MESSAGE_BUFFER_TYPE, message,
                                           static_cast<DWORD>(n));
      if (r != NO_ERROR) {
        sender.error = r;
        break;
      }
      ++sender.count;
    }
    if (!racing && sender.error == 0) {
      // Send side only: allowed while the receiver is inside WinHttpWebSocketReceive.
      trial.Stage("sender", "in WinHttpWebSocketShutdown");
      const DWORD r = WinHttpWebSocketShutdown(ws, WINHTTP_WEB_SOCKET_SUCCESS_CLOSE_STATUS, nullptr, 0);
      if (r != NO_ERROR)
        sender.error = r;
    }
    trial.Stage("sender", "done");
    finished();
  });
  std::thread receive_thread([&] {
    start.ArriveAndWait();
    std::vector<char> buffer(4096);
    for (;;) {
      DWORD got = 0;
      WINHTTP_WEB_SOCKET_BUFFER_TYPE type{};
      trial.Stage("receiver", "in WinHttpWebSocketReceive");
      const DWORD r =
          WinHttpWebSocketReceive(ws, buffer.data(), static_cast<DWORD>(buffer.size()), &got, &type);
      if (r != NO_ERROR) {
        receiver.error = r;
        break;
      }
      if (type == WINHTTP_WEB_SOCKET_CLOSE_BUFFER_TYPE) {
        receiver.close_frame = true;
        break;
      }
      ++receiver.count;
      // The racing pattern has no shutdown: the receiver would wait for ever once the echoes
      // stop, so it stops after the last echo (the close usually comes first).
      if (racing && receiver.count >= messages)
        break;
    }
    trial.Stage("receiver", "done");
    finished();
  });
  std::thread close_thread([&] {
    start.ArriveAndWait();
    if (racing) {
      SpinFor(close_after);
      trial.Stage("closer", "in WinHttpWebSocketClose");
      close_result = WinHttpWebSocketClose(ws, WINHTTP_WEB_SOCKET_SUCCESS_CLOSE_STATUS, nullptr, 0);
      trial.Stage("closer", "done");
    }
    finished();
  });
  const auto released = std::chrono::steady_clock::now();
  std::unique_lock lock(done_mu);
  const bool stalled = !done_cv.wait_for(lock, std::chrono::milliseconds(trial.IntArg("stall_ms", 400)),
                                         [&] { return running == 0; });
  lock.unlock();
  // How long the three threads' calls took (the stall bound when they had not all returned).
  trial.Note("calls_us", std::chrono::duration_cast<std::chrono::microseconds>(
                             std::chrono::steady_clock::now() - released)
                             .count());
  std::string stalled_in;
  if (stalled) {
    stalled_in = trial.Stages();
    server.reset();  // the server closes the connection: may release calls blocked on the socket
    lock.lock();
    if (!done_cv.wait_for(lock, kReleaseBound, [&] { return running == 0; }))
      trial::Abandon(trial, {"hang", stalled_in + "; still blocked after the server closed the connection"});
    lock.unlock();
  }
  send_thread.join();
  receive_thread.join();
  close_thread.join();
  trial.Stage("main", "closing");
  if (!racing)
    close_result = WinHttpWebSocketClose(ws, WINHTTP_WEB_SOCKET_SUCCESS_CLOSE_STATUS, nullptr, 0);
  WinHttpCloseHandle(ws);

  trial.Note("sent", sender.count);
  trial.Note("received", receiver.count);
  if (stalled)
    return {"hang", stalled_in + "; returned once the server closed the connection"};
  const std::string traffic = std::to_string(sender.count) + "/" + std::to_string(messages) + " sent, " +
                              std::to_string(receiver.count) + " received";
  if (close_result != NO_ERROR)
    return {"close error " + std::to_string(close_result), ""};
  if (sender.error != 0)
    return {"send error " + std::to_string(sender.error), ""};
  if (receiver.error != 0)
    return {"receive error " + std::to_string(receiver.error), ""};
  if (!racing && (!receiver.close_frame || receiver.count != messages))
    return {"echoes lost", traffic + (receiver.close_frame ? "" : ", no close frame")};
  return Outcome::Success(racing ? "close did not disturb the other calls" : "");
}

}  // namespace

void AddWinHttpWebSocketPatterns(Patterns& p) {
  p["wh-ws-close-racing"] = [](Trial& t) { return WebSocketClose(t, true); };
  p["wh-ws-close-after"] = [](Trial& t) { return WebSocketClose(t, false); };
}

}  // namespace hc::unsafe
