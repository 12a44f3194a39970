// WebSockets, "Concurrency in WinHTTP" (001): at most one web socket per request
// (WinHttpWebSocketCompleteUpgrade); the send and receive sides are separate, so one thread may
// send (WinHttpWebSocketSend, or WinHttpWebSocketShutdown) while another receives;
// WinHttpWebSocketClose operates on both sides and is called here only when no send or receive
// runs (calling it during one is in suites/unsafe). Asynchronous mode, against the ws scenario's
// /websocket/echo; every wait is bounded and reports the recorded notifications, and so is every
// send and shutdown call itself (kCallBound, well inside the watchdog's bound): a side that waits
// for the other one fails the test with what it waited for.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "hc/catalogue.h"
#include "hc/expectation.h"
#include "hc/localserver.h"
#include "hc/problem_list.h"
#include "hc/thread_gang.h"
#include "hc/wait.h"
#include "winhttp_test.h"

namespace {

using namespace std::chrono_literals;
using hc::winhttp::AsyncRequest;
using hc::winhttp::Context;
using hc::winhttp::ErrorName;

constexpr int kSockets = 64;    // sockets opened, used and closed at once, one thread each
constexpr int kSidePairs = 32;  // sockets with a sending and a receiving thread each: 64 threads
constexpr int kShutdownSockets =
    64;                           // sockets shut down at once (one thread each) while a receive is pending
constexpr int kOneOpSockets = 8;  // sockets tried in turn by one thread (no concurrency: see that test)
constexpr int kMessages = 40;
constexpr int kEchoesBeforeClose = 3;
constexpr auto kOpBound = 30s;
// A send or shutdown returns at once in asynchronous mode; one still running after this waits
// for something (the other side's pending receive).
constexpr auto kCallBound = 10s;
constexpr auto kGangBound = 120s;
constexpr auto kNormalClosure = static_cast<USHORT>(WINHTTP_WEB_SOCKET_SUCCESS_CLOSE_STATUS);  // 1000

class WebSocket;

// Runs call on a thread of its own: true, with its result in *result, if it returned within
// bound; false if not (it is left to return on its own: its thread touches nothing but the shared
// state and what call captured, the socket's context, which the owner keeps).
bool ReturnsWithin(std::chrono::milliseconds bound, std::function<DWORD()> call, DWORD* result) {
  struct State {
    std::mutex mu;
    std::condition_variable cv;
    bool done = false;
    DWORD result = 0;
  };
  auto state = std::make_shared<State>();
  std::thread t([state, call = std::move(call)] {
    const DWORD r = call();
    std::lock_guard lock(state->mu);
    state->result = r;
    state->done = true;
    state->cv.notify_all();
  });
  std::unique_lock lock(state->mu);
  if (!state->cv.wait_for(lock, bound, [&] { return state->done; })) {
    lock.unlock();
    t.detach();
    return false;
  }
  *result = state->result;
  lock.unlock();
  t.join();
  return true;
}

std::string NotReturned(const char* call) {
  return std::string(call) + " did not return within " +
         std::to_string(std::chrono::milliseconds(kCallBound).count()) +
         " ms: it waits for something (a pending receive on the other side?)";
}

class WinHttpWebSocket : public hc::winhttp::TransportTest {
 protected:
  WinHttpWebSocket() : hc::winhttp::TransportTest("ws") {}
  void EachThreadWithItsOwnSocket(const std::function<WebSocket*(int, std::string&)>& open,
                                  const std::function<std::string(WebSocket&, int)>& use);
};

struct WsEvent {
  DWORD status = 0;
  DWORD bytes = 0;
  WINHTTP_WEB_SOCKET_BUFFER_TYPE type = WINHTTP_WEB_SOCKET_BINARY_MESSAGE_BUFFER_TYPE;
  DWORD error = 0;
  int operation = -1;  // WINHTTP_WEB_SOCKET_OPERATION of a REQUEST_ERROR
  std::string data;    // READ_COMPLETE: the bytes received
};

// A web socket handle's context: completions are queued per kind for the threads that wait.
class WebSocket : public Context {
 public:
  explicit WebSocket(hc::ContextOwner& owner) : Context(owner) {}

  void OnStatus(HINTERNET h, DWORD status, void* info, DWORD length) override {
    if (h != handle())
      return;
    WsEvent e;
    e.status = status;
    switch (status) {
      case WINHTTP_CALLBACK_STATUS_READ_COMPLETE:
      case WINHTTP_CALLBACK_STATUS_WRITE_COMPLETE:
        if (info != nullptr && length >= sizeof(WINHTTP_WEB_SOCKET_STATUS)) {
          const auto* s = static_cast<WINHTTP_WEB_SOCKET_STATUS*>(info);
          e.bytes = s->dwBytesTransferred;
          e.type = s->eBufferType;
        }
        if (status == WINHTTP_CALLBACK_STATUS_READ_COMPLETE)
          e.data.assign(receive_buffer.data(), std::min<std::size_t>(e.bytes, receive_buffer.size()));
        break;
      case WINHTTP_CALLBACK_STATUS_CLOSE_COMPLETE:
      case WINHTTP_CALLBACK_STATUS_SHUTDOWN_COMPLETE:
        break;
      case WINHTTP_CALLBACK_STATUS_REQUEST_ERROR:
        if (info != nullptr && length >= sizeof(WINHTTP_WEB_SOCKET_ASYNC_RESULT)) {
          const auto* r = static_cast<WINHTTP_WEB_SOCKET_ASYNC_RESULT*>(info);
          e.error = r->AsyncResult.dwError;
          e.operation = static_cast<int>(r->Operation);
        }
        break;
      default:
        return;
    }
    {
      std::lock_guard lock(mu_);
      events_.push_back(std::move(e));
    }
    cv_.notify_all();
  }

  // Waits (bounded) for the first queued event with this status (or a REQUEST_ERROR for that
  // side) and removes it.
  ::testing::AssertionResult Await(DWORD status, WsEvent& out, std::chrono::milliseconds timeout = kOpBound) {
    std::unique_lock lock(mu_);
    auto match = [&] {
      for (auto it = events_.begin(); it != events_.end(); ++it)
        if (it->status == status ||
            (it->status == WINHTTP_CALLBACK_STATUS_REQUEST_ERROR && Side(*it) == Side(status))) {
          out = *it;
          events_.erase(it);
          return true;
        }
      return false;
    };
    if (cv_.wait_for(lock, timeout, match))
      return ::testing::AssertionSuccess();
    lock.unlock();
    return ::testing::AssertionFailure() << "no " << hc::winhttp::StatusName(status) << " within "
                                         << timeout.count() << " ms; notifications:\n"
                                         << owner().recorder().Dump(100);
  }
  bool Pending(DWORD status) {
    std::lock_guard lock(mu_);
    for (const auto& e : events_)
      if (e.status == status)
        return true;
    return false;
  }

  DWORD Receive() {
    return WinHttpWebSocketReceive(handle(), receive_buffer.data(), static_cast<DWORD>(receive_buffer.size()),
                                   nullptr, nullptr);
  }
  DWORD SendText(const std::string& text) {
    // The buffer must stay valid until WRITE_COMPLETE: one message in flight per socket at a time.
    send_buffer = text;
    return WinHttpWebSocketSend(handle(), WINHTTP_WEB_SOCKET_UTF8_MESSAGE_BUFFER_TYPE, send_buffer.data(),
                                static_cast<DWORD>(send_buffer.size()));
  }
  // SendText, which must return NO_ERROR within kCallBound.
  ::testing::AssertionResult Send(const std::string& text) {
    DWORD e = ERROR_INVALID_FUNCTION;
    if (!ReturnsWithin(
            kCallBound, [this, text] { return SendText(text); }, &e))
      return ::testing::AssertionFailure() << NotReturned("WinHttpWebSocketSend") << "; notifications:\n"
                                           << owner().recorder().Dump(50);
    if (e != NO_ERROR)
      return ::testing::AssertionFailure() << "WinHttpWebSocketSend: " << ErrorName(e);
    return ::testing::AssertionSuccess();
  }
  // Sends text and waits for its echo; empty on success, else what went wrong.
  std::string Echo(const std::string& text) {
    if (auto ok = Send(text); !ok)
      return ok.message();
    WsEvent w, r;
    if (auto ok = Await(WINHTTP_CALLBACK_STATUS_WRITE_COMPLETE, w); !ok)
      return ok.message();
    if (w.status != WINHTTP_CALLBACK_STATUS_WRITE_COMPLETE)
      return "send failed: " + ErrorName(w.error);
    if (DWORD e = Receive(); e != NO_ERROR)
      return "WinHttpWebSocketReceive: " + ErrorName(e);
    if (auto ok = Await(WINHTTP_CALLBACK_STATUS_READ_COMPLETE, r); !ok)
      return ok.message();
    if (r.status != WINHTTP_CALLBACK_STATUS_READ_COMPLETE)
      return "receive failed: " + ErrorName(r.error);
    if (r.data != text)
      return "echo \"" + r.data + "\" for \"" + text + "\"";
    return "";
  }

  std::array<char, 4096> receive_buffer{};
  std::string send_buffer;

 private:
  static int Side(const WsEvent& e) {
    return e.operation == WINHTTP_WEB_SOCKET_RECEIVE_OPERATION ? 1
           : e.operation == WINHTTP_WEB_SOCKET_SEND_OPERATION ||
                   e.operation == WINHTTP_WEB_SOCKET_SHUTDOWN_OPERATION
               ? 2
               : 3;
  }
  static int Side(DWORD status) {
    return status == WINHTTP_CALLBACK_STATUS_READ_COMPLETE ? 1
           : status == WINHTTP_CALLBACK_STATUS_WRITE_COMPLETE ||
                   status == WINHTTP_CALLBACK_STATUS_SHUTDOWN_COMPLETE
               ? 2
               : 3;
  }
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<WsEvent> events_;
};

// The upgrade request of one socket: sent asynchronously with WINHTTP_OPTION_UPGRADE_TO_WEB_SOCKET,
// stopped at HEADERS_AVAILABLE (the 101 response), then completed by the caller.
struct Upgrade {
  AsyncRequest* request = nullptr;
  std::atomic<bool> headers{false};
};

// Opens a web socket on client's connection; returns nullptr and sets error on failure. The
// upgrade request handle is closed once the socket exists.
WebSocket* OpenWebSocket(hc::CallbackSession& client, hc::Transport transport, std::string& error,
                         HINTERNET* second_upgrade = nullptr, DWORD* second_error = nullptr) {
  auto upgrade = std::make_shared<Upgrade>();
  hc::winhttp::AsyncRequestSpec spec;
  spec.transport = transport;  // ws or wss
  spec.target = "/websocket/echo";
  auto& x = client.owner().Make<AsyncRequest>(spec);
  upgrade->request = &x;
  x.close_when_done = false;
  x.prepare = [](HINTERNET h) {
    return WinHttpSetOption(h, WINHTTP_OPTION_UPGRADE_TO_WEB_SOCKET, nullptr, 0) != FALSE;
  };
  x.hook = [upgrade](AsyncRequest& self, HINTERNET h, DWORD status, void*, DWORD) {
    if (h != self.handle() || status != WINHTTP_CALLBACK_STATUS_HEADERS_AVAILABLE)
      return AsyncRequest::HookResult::drive;
    upgrade->headers = true;
    return AsyncRequest::HookResult::skip;  // the caller completes the upgrade
  };
  if (!x.Start(client.connect())) {
    error = "upgrade request: " + x.Describe();
    return nullptr;
  }
  auto ok = hc::WaitUntil([&] { return upgrade->headers.load() || x.finished(); }, kOpBound,
                          "the upgrade response", [&] { return client.recorder().Dump(50); });
  if (!ok || !upgrade->headers.load()) {
    error = std::string(ok.message()) + " " + x.Describe();
    x.Close();
    return nullptr;
  }
  DWORD code = 0, size = sizeof(code);
  WinHttpQueryHeaders(x.handle(), WINHTTP_QUERY_STATUS_CODE | WINHTTP_QUERY_FLAG_NUMBER,
                      WINHTTP_HEADER_NAME_BY_INDEX, &code, &size, WINHTTP_NO_HEADER_INDEX);
  auto& ws = client.owner().Make<WebSocket>();
  HINTERNET h = WinHttpWebSocketCompleteUpgrade(x.handle(), ws.value());
  if (h == nullptr) {
    error =
        "WinHttpWebSocketCompleteUpgrade (status " + std::to_string(code) + "): " + ErrorName(GetLastError());
    x.Close();
    return nullptr;
  }
  ws.Adopt(h);
  if (second_upgrade != nullptr) {
    // At most one web socket per request: a second completion of the same upgrade must fail.
    auto& other = client.owner().Make<WebSocket>();
    *second_upgrade = WinHttpWebSocketCompleteUpgrade(x.handle(), other.value());
    *second_error = *second_upgrade ? 0 : GetLastError();
    if (*second_upgrade != nullptr)
      other.Adopt(*second_upgrade);
  }
  x.Close();
  return &ws;
}

// Opens n web sockets on client's connection from n threads at once; the failures go to errors.
std::vector<WebSocket*> OpenWebSockets(hc::CallbackSession& client, hc::Transport transport, int n,
                                       std::vector<std::string>& errors) {
  std::vector<WebSocket*> sockets(static_cast<std::size_t>(n), nullptr);
  std::mutex mu;
  hc::RunGang(n, kGangBound, [&](int s) {
    std::string error;
    sockets[static_cast<std::size_t>(s)] = OpenWebSocket(client, transport, error);
    if (sockets[static_cast<std::size_t>(s)] == nullptr) {
      std::lock_guard lock(mu);
      errors.push_back("socket " + std::to_string(s) + ": " + error);
    }
  });
  return sockets;
}

std::string Lines(const std::vector<std::string>& items) {
  std::string all;
  for (const auto& i : items)
    all += "\n  " + i;
  return all;
}

// Closes the handshake (nothing else runs on the socket) and the handle; empty when all went well.
std::string CloseWebSocket(WebSocket& ws) {
  std::string problem;
  static const char kReason[] = "done";
  if (DWORD e =
          WinHttpWebSocketClose(ws.handle(), kNormalClosure, const_cast<char*>(kReason), sizeof(kReason) - 1);
      e != NO_ERROR) {
    problem = "WinHttpWebSocketClose: " + ErrorName(e);
  } else {
    WsEvent c;
    if (auto ok = ws.Await(WINHTTP_CALLBACK_STATUS_CLOSE_COMPLETE, c); !ok)
      problem = ok.message();
    else if (c.status != WINHTTP_CALLBACK_STATUS_CLOSE_COMPLETE)
      problem = "close failed: " + ErrorName(c.error);
    USHORT status = 0;
    DWORD reason_length = 0;
    std::array<char, WINHTTP_WEB_SOCKET_MAX_CLOSE_REASON_LENGTH> reason{};
    if (problem.empty()) {
      const DWORD q = WinHttpWebSocketQueryCloseStatus(ws.handle(), &status, reason.data(),
                                                       static_cast<DWORD>(reason.size()), &reason_length);
      if (q != NO_ERROR)
        problem = "WinHttpWebSocketQueryCloseStatus: " + ErrorName(q);
      else if (status != kNormalClosure)
        problem = "close status " + std::to_string(status);
    }
  }
  if (!ws.Close())
    problem += " WinHttpCloseHandle failed";
  return problem;
}

// kSockets threads at once, each opening its own socket (open), using it (use says what went
// wrong) and closing it (nothing else running on it); no thread may have had a problem.
void WinHttpWebSocket::EachThreadWithItsOwnSocket(const std::function<WebSocket*(int, std::string&)>& open,
                                                  const std::function<std::string(WebSocket&, int)>& use) {
  hc::ProblemList problems;
  hc::RunGang(kSockets, kGangBound, [&](int t) {
    std::string problem;
    WebSocket* ws = open(t, problem);
    if (ws) {
      problem = use(*ws, t);
      const std::string closed = CloseWebSocket(*ws);
      if (problem.empty())
        problem = closed;
    }
    problems.Add("socket " + std::to_string(t), problem);
  });
  EXPECT_TRUE(problems.None(kSockets));
}

TEST_P(WinHttpWebSocket, CompleteUpgradeCreatesOneWebSocketPerRequest) {
  hc::Covers({"WH-WS-UPGRADE-ONE", "WH-INDEPENDENT"});
  ASSERT_TRUE(OpenCallbacks());
  std::vector<HINTERNET> seconds(kSockets, nullptr);
  std::vector<DWORD> second_errors(kSockets, 0);
  // Each thread upgrades its own request (requests are independent handles), all at once.
  EachThreadWithItsOwnSocket(
      [&](int t, std::string& error) {
        const auto i = static_cast<std::size_t>(t);
        return OpenWebSocket(client(), transport(), error, &seconds[i], &second_errors[i]);
      },
      [](WebSocket& ws, int t) { return ws.Echo("hello " + std::to_string(t)); });
  int second_ok = 0;
  std::map<std::string, int> errors;
  for (std::size_t i = 0; i < seconds.size(); ++i) {
    if (seconds[i] != nullptr) {
      ++second_ok;
      WinHttpCloseHandle(seconds[i]);
    } else {
      ++errors[ErrorName(second_errors[i])];
    }
  }
  RecordProperty("hc_second_complete_upgrade",
                 nlohmann::json{{"succeeded", second_ok}, {"errors", errors}}.dump());
  hc::CheckExpecting(
      hc::OnWine("Wine 8.0's WinHttpWebSocketCompleteUpgrade does not remember that the request was "
                 "already upgraded: a second call returns another web socket handle on the same "
                 "connection"),
      [&] {
        EXPECT_EQ(second_ok, 0)
            << "a second WinHttpWebSocketCompleteUpgrade on the same request created another web socket";
      });
  EXPECT_TRUE(hc::AwaitAllClosed(client().owner(), kOpBound));
}

TEST_P(WinHttpWebSocket, CloseWhenNoSendOrReceiveRunsCompletesTheHandshake) {
  hc::Covers({"WH-WS-CLOSE-EXCLUSIVE", "WH-INDEPENDENT"});
  ASSERT_TRUE(OpenCallbacks());
  // Each thread has its own socket: a few echoes, then (nothing else running on it) the close
  // handshake, all sockets at once.
  EachThreadWithItsOwnSocket(
      [&](int, std::string& error) { return OpenWebSocket(client(), transport(), error); },
      [](WebSocket& ws, int) {
        std::string problem;
        for (int m = 0; problem.empty() && m < kEchoesBeforeClose; ++m)
          problem = ws.Echo("m" + std::to_string(m));
        return problem;
      });
  EXPECT_TRUE(hc::AwaitAllClosed(client().owner(), kOpBound));
  EXPECT_EQ(client().owner().dead_context_callbacks(), 0) << client().recorder().Dump();
}

TEST_P(WinHttpWebSocket, SendOnOneThreadWhileAnotherReceives) {
  hc::Covers({"WH-WS-SIDES"});
  ASSERT_TRUE(OpenCallbacks());
  std::vector<std::string> open_errors;
  const std::vector<WebSocket*> sockets = OpenWebSockets(client(), transport(), kSidePairs, open_errors);
  ASSERT_TRUE(open_errors.empty()) << open_errors.size()
                                   << " web sockets did not open:" << Lines(open_errors);
  hc::ProblemList problems;
  auto problem = [&](int s, const std::string& p) { problems.Add("socket " + std::to_string(s), p); };
  // Thread 2s sends kMessages messages on socket s while thread 2s+1 receives their echoes.
  hc::RunGang(2 * kSidePairs, kGangBound, [&](int t) {
    const int s = t / 2;
    WebSocket& ws = *sockets[static_cast<std::size_t>(s)];
    for (int m = 0; m < kMessages; ++m) {
      const std::string text = "socket " + std::to_string(s) + " message " + std::to_string(m);
      WsEvent e;
      if (t % 2 == 0) {
        if (auto ok = ws.Send(text); !ok)
          return problem(s, "send " + std::to_string(m) + ": " + ok.message());
        if (auto ok = ws.Await(WINHTTP_CALLBACK_STATUS_WRITE_COMPLETE, e); !ok)
          return problem(s, ok.message());
        if (e.status != WINHTTP_CALLBACK_STATUS_WRITE_COMPLETE)
          return problem(s, "send failed: " + ErrorName(e.error));
      } else {
        if (DWORD err = ws.Receive(); err != NO_ERROR)
          return problem(s, "receive " + std::to_string(m) + ": " + ErrorName(err));
        if (auto ok = ws.Await(WINHTTP_CALLBACK_STATUS_READ_COMPLETE, e); !ok)
          return problem(s, ok.message());
        if (e.status != WINHTTP_CALLBACK_STATUS_READ_COMPLETE)
          return problem(s, "receive failed: " + ErrorName(e.error));
        if (e.data != text)
          return problem(s, "received \"" + e.data + "\", expected \"" + text + "\"");
      }
    }
  });
  EXPECT_TRUE(problems.None(kSidePairs));
  for (auto* ws : sockets)
    EXPECT_EQ(CloseWebSocket(*ws), "");
  EXPECT_TRUE(hc::AwaitAllClosed(client().owner(), kOpBound));
}

TEST_P(WinHttpWebSocket, ShutdownWhileAReceiveIsPending) {
  hc::Covers({"WH-WS-SHUTDOWN-SIDE"});
  ASSERT_TRUE(OpenCallbacks());
  std::vector<std::string> open_errors;
  const std::vector<WebSocket*> sockets =
      OpenWebSockets(client(), transport(), kShutdownSockets, open_errors);
  ASSERT_TRUE(open_errors.empty()) << open_errors.size()
                                   << " web sockets did not open:" << Lines(open_errors);
  static const char kBye[] = "bye";
  for (auto* ws : sockets) {
    // The receive is pending: the call returned and its completion has not come (nothing was sent).
    ASSERT_EQ(ws->Receive(), static_cast<DWORD>(NO_ERROR));
  }
  for (auto* ws : sockets)
    EXPECT_FALSE(ws->Pending(WINHTTP_CALLBACK_STATUS_READ_COMPLETE))
        << "a receive completed with nothing sent";
  // Thread s shuts the send side of socket s down while that socket's receive is pending, all at once.
  std::vector<DWORD> shutdown_results(sockets.size(), ERROR_INVALID_FUNCTION);
  std::vector<char> returned(sockets.size(), 0);
  hc::RunGang(kShutdownSockets, kGangBound, [&](int s) {
    HINTERNET h = sockets[static_cast<std::size_t>(s)]->handle();
    returned[static_cast<std::size_t>(s)] = ReturnsWithin(
        kCallBound,
        [h] {
          return WinHttpWebSocketShutdown(h, kNormalClosure, const_cast<char*>(kBye), sizeof(kBye) - 1);
        },
        &shutdown_results[static_cast<std::size_t>(s)]);
  });
  for (std::size_t s = 0; s < sockets.size(); ++s) {
    EXPECT_TRUE(returned[s]) << "socket " << s << ": " << NotReturned("WinHttpWebSocketShutdown");
    EXPECT_EQ(shutdown_results[s], static_cast<DWORD>(NO_ERROR))
        << "WinHttpWebSocketShutdown of socket " << s;
  }
  if (std::find(returned.begin(), returned.end(), 0) != returned.end()) {
    for (auto* ws : sockets)
      ws->Close();  // ends the pending receives, and with them what the shutdowns wait for
    return;
  }
  for (auto* ws : sockets) {
    WsEvent shut, received;
    ASSERT_TRUE(ws->Await(WINHTTP_CALLBACK_STATUS_SHUTDOWN_COMPLETE, shut));
    EXPECT_EQ(shut.status, static_cast<DWORD>(WINHTTP_CALLBACK_STATUS_SHUTDOWN_COMPLETE))
        << "shutdown: " << ErrorName(shut.error);
    // The echo server answers the close frame with its own: the pending receive gets it.
    ASSERT_TRUE(ws->Await(WINHTTP_CALLBACK_STATUS_READ_COMPLETE, received));
    EXPECT_EQ(received.status, static_cast<DWORD>(WINHTTP_CALLBACK_STATUS_READ_COMPLETE))
        << "receive: " << ErrorName(received.error);
    EXPECT_EQ(received.type, WINHTTP_WEB_SOCKET_CLOSE_BUFFER_TYPE);
    USHORT status = 0;
    DWORD reason_length = 0;
    std::array<char, WINHTTP_WEB_SOCKET_MAX_CLOSE_REASON_LENGTH> reason{};
    EXPECT_EQ(WinHttpWebSocketQueryCloseStatus(ws->handle(), &status, reason.data(),
                                               static_cast<DWORD>(reason.size()), &reason_length),
              static_cast<DWORD>(NO_ERROR));
    EXPECT_EQ(status, kNormalClosure);
    EXPECT_TRUE(ws->Close());
  }
  EXPECT_TRUE(hc::AwaitAllClosed(client().owner(), kOpBound));
}

TEST_P(WinHttpWebSocket, OneReceiveOutstandingTheSecondDoesNotTakeItsMessage) {
  hc::Covers({"WH-WS-SIDES", "WH-REQUEST-ONE-OP"});
  ASSERT_TRUE(OpenCallbacks());
  std::map<std::string, int> second;
  // One application thread tries each socket in turn: the statement is about a second operation on
  // a handle whose first one is outstanding, not about threads, so a few sockets are enough.
  // Buffers of the second receives: they must outlive the sockets in case a receive is accepted.
  std::vector<std::array<char, 64>> others(kOneOpSockets);
  for (int s = 0; s < kOneOpSockets; ++s) {
    std::string error;
    WebSocket* ws = OpenWebSocket(client(), transport(), error);
    ASSERT_NE(ws, nullptr) << error;
    ASSERT_EQ(ws->Receive(), static_cast<DWORD>(NO_ERROR));  // pending: nothing has been sent
    // A second receive while the first is outstanding (its buffer is the same; it must not be used).
    auto& other = others[static_cast<std::size_t>(s)];
    const DWORD e = WinHttpWebSocketReceive(ws->handle(), other.data(), static_cast<DWORD>(other.size()),
                                            nullptr, nullptr);
    ++second[e == NO_ERROR ? "accepted" : "rejected " + ErrorName(e)];
    // The send side is free: send the message the first receive is waiting for.
    const std::string text = "for the first receive " + std::to_string(s);
    ASSERT_TRUE(ws->Send(text));
    WsEvent w, r;
    ASSERT_TRUE(ws->Await(WINHTTP_CALLBACK_STATUS_WRITE_COMPLETE, w));
    ASSERT_TRUE(ws->Await(WINHTTP_CALLBACK_STATUS_READ_COMPLETE, r));
    EXPECT_EQ(r.status, static_cast<DWORD>(WINHTTP_CALLBACK_STATUS_READ_COMPLETE)) << ErrorName(r.error);
    EXPECT_EQ(r.data, text) << "the first receive did not get its message";
    if (e == NO_ERROR) {
      // The accepted second receive waits for a message of its own: give it one.
      ASSERT_TRUE(ws->Send("for the second receive"));
      ASSERT_TRUE(ws->Await(WINHTTP_CALLBACK_STATUS_WRITE_COMPLETE, w));
      EXPECT_TRUE(ws->Await(WINHTTP_CALLBACK_STATUS_READ_COMPLETE, r)) << "(the accepted second receive)";
    }
    EXPECT_EQ(CloseWebSocket(*ws), "");
  }
  RecordProperty("hc_second_websocket_receive", nlohmann::json(second).dump());
  EXPECT_TRUE(hc::AwaitAllClosed(client().owner(), kOpBound));
}

// Over ws and wss. With 64 upgrades at once over TLS, Wine 8.0 fails a few handshakes now and then
// ("Public key signature verification has failed", "An unexpected TLS handshake packet was
// received": ERROR_WINHTTP_SECURE_CHANNEL_ERROR): its schannel handle table, shared by every
// connection of the process, is changed without a lock (hc::SchannelHandleTableRace, the mark of
// every TLS variant); a corrupted table can hand a connection another one's session, the likeliest
// source of those two messages.
HC_OVER_TRANSPORTS(WinHttpWebSocket);

}  // namespace
