// "WinHttpWebSocketClose function" / "WinHttpWebSocketReceive function": a close or send that is
// pending makes WinHttpWebSocketSend and WinHttpWebSocketClose fail with ERROR_INVALID_OPERATION,
// and a receive pending when the web socket is closed ends with ERROR_WINHTTP_OPERATION_CANCELLED.
// "Concurrency in WinHTTP" says WinHttpWebSocketClose may not be called while another thread
// receives (WH-WS-CLOSE-EXCLUSIVE): in asynchronous mode no thread is inside the receive, which is
// pending, and this is the case the receive's page describes. Asynchronous web sockets, 64 at once,
// one thread each; every operation's completion is awaited with a bound.
#include <gtest/gtest.h>

#include <atomic>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "hc/catalogue.h"
#include "hc/localserver.h"
#include "hc/problem_list.h"
#include "hc/thread_gang.h"
#include "hc/wait.h"
#include "winhttp_test.h"

namespace {

using namespace std::chrono_literals;
using hc::winhttp::ErrorName;
using hc::winhttp::Handle;

constexpr int kPendingSockets = 64;
constexpr auto kWsOpBound = 10s;
constexpr auto kWsGangBound = 90s;
constexpr DWORD kLargeMessage = 1u << 20;  // a send that stays pending for a while on loopback

// One upgrade request and its web socket, the context of both (told apart by handle). Never freed:
// a late callback never meets freed memory.
// How one web socket operation ended: its completion, or REQUEST_ERROR with an error.
struct SocketOperation {
  std::atomic<bool> done{false};
  std::atomic<unsigned long> error{0};
  void Fail(unsigned long e) {
    error = e;
    done = true;
  }
};

struct PendingSocket {
  HINTERNET request = nullptr;
  std::atomic<HINTERNET> ws{nullptr};
  std::atomic<bool> headers{false}, upgrade_failed{false};
  SocketOperation receive, close, write;
  std::atomic<int> receive_type{-1};
  std::atomic<int> ws_closings{0};
  char buffer[256] = {};
};

void CALLBACK PendingSocketCallback(HINTERNET h, DWORD_PTR context, DWORD status, LPVOID info, DWORD) {
  auto* s = reinterpret_cast<PendingSocket*>(context);
  if (!s)
    return;
  if (h == s->request && h != s->ws.load()) {
    switch (status) {
      case WINHTTP_CALLBACK_STATUS_SENDREQUEST_COMPLETE:
        if (!WinHttpReceiveResponse(h, nullptr))
          s->upgrade_failed = true;
        break;
      case WINHTTP_CALLBACK_STATUS_HEADERS_AVAILABLE:
        s->headers = true;
        break;
      case WINHTTP_CALLBACK_STATUS_REQUEST_ERROR:
        s->upgrade_failed = true;
        break;
      default:
        break;
    }
    return;
  }
  switch (status) {
    case WINHTTP_CALLBACK_STATUS_READ_COMPLETE: {
      const auto* st = static_cast<const WINHTTP_WEB_SOCKET_STATUS*>(info);
      s->receive_type = st ? static_cast<int>(st->eBufferType) : -1;
      s->receive.done = true;
      break;
    }
    case WINHTTP_CALLBACK_STATUS_WRITE_COMPLETE:
      s->write.done = true;
      break;
    case WINHTTP_CALLBACK_STATUS_CLOSE_COMPLETE:
      s->close.done = true;
      break;
    case WINHTTP_CALLBACK_STATUS_REQUEST_ERROR: {
      const auto* r = static_cast<const WINHTTP_WEB_SOCKET_ASYNC_RESULT*>(info);
      const auto operation = r ? r->Operation : WINHTTP_WEB_SOCKET_RECEIVE_OPERATION;
      SocketOperation& ended = operation == WINHTTP_WEB_SOCKET_RECEIVE_OPERATION ? s->receive
                               : operation == WINHTTP_WEB_SOCKET_SEND_OPERATION  ? s->write
                                                                                 : s->close;
      ended.Fail(r ? r->AsyncResult.dwError : ERROR_GEN_FAILURE);
      break;
    }
    case WINHTTP_CALLBACK_STATUS_HANDLE_CLOSING:
      ++s->ws_closings;
      break;
    default:
      break;
  }
}

class WinHttpWebSocketPending : public hc::winhttp::SuiteTest {
 protected:
  void SetUp() override {
    session_ = hc::winhttp::OpenSession({.async = true, .timeout = 10s});
    ASSERT_TRUE(session_) << "WinHttpOpen: " << ErrorName(GetLastError());
    ASSERT_NE(WinHttpSetStatusCallback(session_.get(), PendingSocketCallback,
                                       WINHTTP_CALLBACK_FLAG_ALL_NOTIFICATIONS, 0),
              WINHTTP_INVALID_STATUS_CALLBACK);
    connect_ = hc::winhttp::Connect(session_.get(), ws_.port());
    ASSERT_TRUE(connect_) << "WinHttpConnect: " << ErrorName(GetLastError());
  }
  // An asynchronous web socket (its upgrade request closed); null with *error set.
  PendingSocket* Open(std::string* error) {
    auto* s = new PendingSocket;  // never freed, see PendingSocket
    s->request = hc::winhttp::OpenRequest(connect_.get(), L"GET", "/websocket/echo");
    DWORD_PTR value = reinterpret_cast<DWORD_PTR>(s);
    if (!s->request || !WinHttpSetOption(s->request, WINHTTP_OPTION_CONTEXT_VALUE, &value, sizeof(value)) ||
        !WinHttpSetOption(s->request, WINHTTP_OPTION_UPGRADE_TO_WEB_SOCKET, nullptr, 0) ||
        !WinHttpSendRequest(s->request, WINHTTP_NO_ADDITIONAL_HEADERS, 0, WINHTTP_NO_REQUEST_DATA, 0, 0,
                            value)) {
      *error = "upgrade request: " + ErrorName(GetLastError());
      return nullptr;
    }
    if (auto ok = hc::WaitUntil([&] { return s->headers.load() || s->upgrade_failed.load(); }, kWsOpBound,
                                "the upgrade response");
        !ok || !s->headers.load()) {
      *error = ok ? "the upgrade request failed" : ok.message();
      return nullptr;
    }
    HINTERNET ws = WinHttpWebSocketCompleteUpgrade(s->request, value);
    if (!ws) {
      *error = "WinHttpWebSocketCompleteUpgrade: " + ErrorName(GetLastError());
      return nullptr;
    }
    s->ws = ws;
    WinHttpCloseHandle(s->request);
    return s;
  }
  // A gang of kPendingSockets threads, each with a web socket of its own: body(who, s, s->ws) with
  // who "socket <t>"; a socket that could not be opened is who's problem.
  void OnEverySocket(hc::ProblemList& problems,
                     const std::function<void(const std::string&, PendingSocket*, HINTERNET)>& body) {
    hc::RunGang(kPendingSockets, kWsGangBound, [&](int t) {
      const std::string who = "socket " + std::to_string(t);
      std::string error;
      PendingSocket* s = Open(&error);
      if (!s)
        return problems.Add(who, error);
      body(who, s, s->ws.load());
    });
  }
  // Closes the socket's handle and waits for its HANDLE_CLOSING; "" or the problem.
  static std::string Release(PendingSocket& s) {
    if (!WinHttpCloseHandle(s.ws.load()))
      return "WinHttpCloseHandle(web socket): " + ErrorName(GetLastError());
    auto closing = hc::WaitUntil([&] { return s.ws_closings.load() > 0; }, kWsOpBound,
                                 "the web socket's HANDLE_CLOSING");
    return closing ? "" : closing.message();
  }
  hc::Scenario ws_{"ws", "ws-pending"};
  Handle session_, connect_;
};

TEST_F(WinHttpWebSocketPending, APendingReceiveIsCancelledWhenTheSocketIsClosed) {
  hc::Covers({"WH-WS-RECEIVE-CANCELLED-BY-CLOSE", "WH-WS-CLOSE-EXCLUSIVE"});
  std::mutex mu;
  std::map<std::string, int> receive_outcomes, close_outcomes;
  hc::ProblemList problems;
  OnEverySocket(problems, [&](const std::string& who, PendingSocket* s, HINTERNET ws) {
    if (DWORD e = WinHttpWebSocketReceive(ws, s->buffer, sizeof(s->buffer), nullptr, nullptr); e != NO_ERROR)
      return problems.Add(who, "WinHttpWebSocketReceive: " + ErrorName(e));
    // Nothing is sent, so the echo server sends nothing: the receive stays pending.
    const DWORD close = WinHttpWebSocketClose(ws, WINHTTP_WEB_SOCKET_SUCCESS_CLOSE_STATUS, nullptr, 0);
    const bool received =
        hc::WaitUntil([&] { return s->receive.done.load(); }, kWsOpBound, "the receive to end");
    const bool closed = close == NO_ERROR &&
                        hc::WaitUntil([&] { return s->close.done.load(); }, kWsOpBound, "the close to end");
    {
      std::lock_guard lock(mu);
      ++receive_outcomes[!received                      ? "still pending"
                         : s->receive.error.load() != 0 ? ErrorName(s->receive.error.load())
                         : s->receive_type.load() == WINHTTP_WEB_SOCKET_CLOSE_BUFFER_TYPE ? "the close frame"
                                                                                          : "a message"];
      ++close_outcomes[close != NO_ERROR       ? "WinHttpWebSocketClose " + ErrorName(close)
                       : !closed               ? "close still pending"
                       : s->close.error.load() ? ErrorName(s->close.error.load())
                                               : "CLOSE_COMPLETE"];
    }
    problems.Add(who, Release(*s));
  });
  RecordProperty("hc_ws_receive_at_close", nlohmann::json{{"sockets", kPendingSockets},
                                                          {"pending_receive", receive_outcomes},
                                                          {"close", close_outcomes}}
                                               .dump());
  EXPECT_TRUE(problems.None(kPendingSockets));
  const std::string cancelled = ErrorName(ERROR_WINHTTP_OPERATION_CANCELLED);
  EXPECT_EQ(receive_outcomes[cancelled], kPendingSockets)
      << "pending receives at WinHttpWebSocketClose: " << nlohmann::json(receive_outcomes).dump();
}

TEST_F(WinHttpWebSocketPending, SendAndCloseFailWithInvalidOperationWhileACloseOrSendIsPending) {
  hc::Covers({"WH-WS-CLOSE-PENDING-INVALID"});
  static std::vector<char> large(kLargeMessage, 'x');  // outlives every pending send
  std::mutex mu;
  std::map<std::string, int> during_send, during_close;
  std::atomic<int> send_pending_seen{0}, close_pending_seen{0};
  hc::ProblemList problems;
  OnEverySocket(problems, [&](const std::string& who, PendingSocket* s, HINTERNET ws) {
    // A large send, then at once a second send: the first is pending unless it has completed.
    if (DWORD e = WinHttpWebSocketSend(ws, WINHTTP_WEB_SOCKET_BINARY_MESSAGE_BUFFER_TYPE, large.data(),
                                       kLargeMessage);
        e != NO_ERROR)
      return problems.Add(who, "WinHttpWebSocketSend: " + ErrorName(e));
    static char small[] = "second";
    const DWORD second_send = WinHttpWebSocketSend(ws, WINHTTP_WEB_SOCKET_UTF8_MESSAGE_BUFFER_TYPE, small, 6);
    const bool send_was_pending = !s->write.done.load();
    if (!hc::WaitUntil([&] { return s->write.done.load(); }, kWsOpBound, "the large send to end"))
      return problems.Add(who, "the large send did not end");
    // The echo of the large message is not read: the close waits for the server's close frame
    // behind it, so the close stays pending for a while.
    const DWORD close = WinHttpWebSocketClose(ws, WINHTTP_WEB_SOCKET_SUCCESS_CLOSE_STATUS, nullptr, 0);
    const DWORD send_after_close =
        WinHttpWebSocketSend(ws, WINHTTP_WEB_SOCKET_UTF8_MESSAGE_BUFFER_TYPE, small, 6);
    const DWORD second_close = WinHttpWebSocketClose(ws, WINHTTP_WEB_SOCKET_SUCCESS_CLOSE_STATUS, nullptr, 0);
    const bool close_was_pending = close == NO_ERROR && !s->close.done.load();
    {
      std::lock_guard lock(mu);
      if (send_was_pending) {
        ++send_pending_seen;
        ++during_send["WinHttpWebSocketSend " +
                      (second_send ? ErrorName(second_send) : std::string("accepted"))];
      }
      if (close_was_pending) {
        ++close_pending_seen;
        ++during_close["WinHttpWebSocketSend " +
                       (send_after_close ? ErrorName(send_after_close) : std::string("accepted"))];
        ++during_close["WinHttpWebSocketClose " +
                       (second_close ? ErrorName(second_close) : std::string("accepted"))];
      }
    }
    hc::WaitUntil([&] { return s->close.done.load(); }, kWsOpBound, "the close to end");
    problems.Add(who, Release(*s));
  });
  RecordProperty("hc_ws_pending_calls", nlohmann::json{{"sockets", kPendingSockets},
                                                       {"send_pending", send_pending_seen.load()},
                                                       {"close_pending", close_pending_seen.load()},
                                                       {"while_a_send_was_pending", during_send},
                                                       {"while_a_close_was_pending", during_close}}
                                            .dump());
  EXPECT_TRUE(problems.None(kPendingSockets));
  // The scenario: at least some calls met a pending operation.
  EXPECT_GT(send_pending_seen.load() + close_pending_seen.load(), 0) << "no send or close was seen pending";
  const std::string invalid = ErrorName(ERROR_INVALID_OPERATION);
  int not_invalid = 0;
  for (const auto* calls : {&during_send, &during_close})
    for (const auto& [call, n] : *calls)
      not_invalid += call.find(invalid) == std::string::npos ? n : 0;
  EXPECT_EQ(not_invalid, 0) << "calls during a pending send or close that did not fail with " << invalid
                            << ": send pending " << nlohmann::json(during_send).dump() << ", close pending "
                            << nlohmann::json(during_close).dump();
}

}  // namespace
