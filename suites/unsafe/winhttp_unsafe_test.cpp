// The documented-unsafe WinHTTP patterns, each next to the safe pattern that replaces it. Every
// trial runs in unsafe_winhttp_trials.exe (a child process): a crash or hang there is an outcome
// to count, never the end of this test. See hc/trial.h.
#include <windows.h>

#include <gtest/gtest.h>

#include <hc_protocol/tls.h>

#include "hc/catalogue.h"
#include "hc/localserver.h"
#include "unsafe_test_util.h"

namespace {

using hc::unsafe::PatternRun;
using hc::unsafe::RunShape;
using namespace std::chrono_literals;

constexpr const wchar_t* kProgram = hc::unsafe::kWinHttpTrials;
// Per pattern, hazard and safe alike: trials, children at once, a hazard trial's bound.
constexpr RunShape kShape{100, 4, 1000ms};
// Two readers crash or abort a fifth of the children and now and then hang: more trials, so that
// the last hang's bound is a small part of the run, and more children at once (a lost child's
// replacement starts while the others go on).
constexpr RunShape kTwoReadersShape{200, 8, 1000ms};
// Racing WinHttpWebSocketClose hangs most of Wine 8.0's trials: a hazard trial whose calls have
// not returned after 100 ms is taken for hung (stall_ms: several times the longest normal run of
// the calls, 1-30 ms, calls_us; given 1 s, none of Wine 8.0's hung trials returned), and its child
// ends with it; the safe pattern is given 2 s. A hung trial costs its process, whose start is
// mostly waiting (about 20 ms of processor time per trial in all): many children at once, and the
// run is given 45 s for its 100 trials.
constexpr RunShape kWebSocketShape{100, 8, 4000ms, 45000ms};
// The close during a held TLS handshake. The server gives each held handshake up after
// kTlsHoldMs (the gate never opens), so a trial whose close does not end the call still ends, and
// its outcome is counted: a trial past 1 s is hung. The sessions' timeouts are shorter still. A
// trial waits for the hold with the processor idle (about 5 ms of processor time in 300 ms): many
// children at once, one handshake in each (none shares a process's TLS state with another).
constexpr RunShape kTlsHandshakeShape{100, 12, 1000ms};
constexpr int kTlsHoldMs = 300;
constexpr char kTlsHandshakeTimeout[] = "timeout_ms=150";

// The pair on a fresh listener of this test.
void RunPairOnServer(const PatternRun& hazard, const PatternRun& safe, const RunShape& shape = kShape,
                     const nlohmann::json& extra = nlohmann::json::object()) {
  hc::unsafe::RecordAndCheck(hc::unsafe::RunPairOnFreshServer(kProgram, hazard, safe, shape), extra);
}

TEST(UnsafeWinHttp, SyncRequestClosedFromAnotherThread) {
  hc::Covers({"WH-SYNC-CLOSE-RACE", "WH-CH-NEVER-CLOSE-SYNC", "WH-CLOSE-ASYNC-RULE"});
  RunPairOnServer({"wh-sync-close",
                   "WinHttpCloseHandle from another thread while a synchronous "
                   "WinHttpSendRequest/ReceiveResponse/ReadData runs on the request"},
                  {"wh-async-close-in-cb", "asynchronous request closed from inside its status callback"});
}

// The same race while the request's TLS handshake is held at the server (its gate never opens,
// the server gives the handshake up after kTlsHoldMs):
// the close from another thread meets WinHttpSendRequest inside the handshake.
TEST(UnsafeWinHttp, SyncRequestClosedFromAnotherThreadDuringTheTlsHandshake) {
  hc::Covers({"WH-SYNC-CLOSE-RACE", "WH-CH-NEVER-CLOSE-SYNC", "WH-CLOSE-ASYNC-RULE"});
  RecordProperty("hc_transport", "Tls");
  const hc::Scenario server(
      hc::TlsListener{.handshake = hc_protocol::tls::kHandshakeStall, .stall_ms = kTlsHoldMs});
  const auto run = hc::unsafe::RunPair(
      kProgram,
      {"wh-sync-close",
       "WinHttpCloseHandle from another thread while a synchronous WinHttpSendRequest is in a TLS "
       "handshake the server holds",
       {"tls=1", kTlsHandshakeTimeout}},
      {"wh-async-close-in-cb",
       "asynchronous request over TLS closed from inside one of its status callbacks before the held "
       "handshake",
       {"tls=1", "max_close_at=2", kTlsHandshakeTimeout}},
      server.port(), kTlsHandshakeShape);
  const auto stats = server.Stats();
  const auto tls = stats.value(hc_protocol::tls::kStats, nlohmann::json::object());
  hc::unsafe::RecordAndCheck(run, {{"transport", "Tls"}, {"server_tls", tls}});
  // Every trial's connection reached the handshake and none got past it: the close met a held
  // handshake, never a finished one.
  EXPECT_EQ(tls.value("handshakes_completed", -1), 0) << "a handshake completed: " << stats.dump();
  EXPECT_GE(stats.value("connections_accepted", 0), kTlsHandshakeShape.trials)
      << "fewer connections than hazard trials: " << stats.dump();
}

TEST(UnsafeWinHttp, HandleValueUsedAfterClose) {
  hc::Covers({"WH-CLOSE-NO-REUSE"});
  RunPairOnServer({"wh-use-after-close",
                   "WinHttpAddRequestHeaders on a closed request's handle value while "
                   "another thread opens a new request"},
                  {"wh-no-use-after-close", "the closed handle is forgotten at once and never used again"});
}

TEST(UnsafeWinHttp, HandleClosedByTwoThreadsAtOnce) {
  hc::Covers({"WH-CLOSE-ONE-THREAD"});
  RunPairOnServer(
      {"wh-double-close", "two threads call WinHttpCloseHandle on one request while a third opens a new one"},
      {"wh-single-close", "exactly one thread closes the request"});
}

TEST(UnsafeWinHttp, ContextFreedRightAfterClearingTheCallback) {
  hc::Covers({"WH-CH-SETCALLBACK-NULL", "WH-CH-CONTEXT-UNTIL-CLOSING"});
  RunPairOnServer(
      {"wh-free-context-early",
       "WinHttpSetStatusCallback(NULL) + WinHttpCloseHandle, then the callback "
       "context freed at once (poisoned canary)"},
      {"wh-free-context-closing", "the context freed only after WINHTTP_CALLBACK_STATUS_HANDLE_CLOSING"});
}

TEST(UnsafeWinHttp, TwoOperationsAtOnceOnOneRequest) {
  hc::Covers({"WH-REQUEST-ONE-OP"});
  // "Porting WinINet Applications to WinHTTP" (WH-PORT-SECOND-CALL) names the outcome of the
  // second call: ERROR_INVALID_OPERATION. Recorded with the counts, for the report.
  RunPairOnServer({"wh-two-ops",
                   "a second thread calls WinHttpReadData on a request while the first thread's "
                   "receive/read calls run"},
                  {"wh-one-op", "the same two readers, one operation at a time (a lock around each call)"},
                  kTwoReadersShape,
                  {{"documented_outcome", "error " + std::to_string(ERROR_INVALID_OPERATION)},
                   {"documented_by", "Porting WinINet Applications to WinHTTP"}});
}

TEST(UnsafeWinHttp, WebSocketClosedWhileSendingAndReceiving) {
  hc::Covers({"WH-WS-CLOSE-EXCLUSIVE", "WH-WS-SHUTDOWN-SIDE"});
  // Each trial opens its own ws scenario (see winhttp_ws_trials.cpp).
  hc::unsafe::RecordAndCheck(hc::unsafe::RunPair(
      kProgram,
      {"wh-ws-close-racing",
       "WinHttpWebSocketClose while other threads are in WinHttpWebSocketSend and WinHttpWebSocketReceive",
       {"stall_ms=100"}},
      {"wh-ws-close-after",
       "WinHttpWebSocketShutdown from the sender, WinHttpWebSocketClose after both threads returned",
       {"stall_ms=2000"}},
      0, kWebSocketShape));
}

}  // namespace
