// What wrapper libraries do with WinHTTP that the documentation leaves open or forbids, as trials
// (winhttp_wrapper_unsafe_test.cpp), and the two statements that need a process of their own:
//  wh-send-recv-sides        WinHttpWriteData on one thread while another calls WinHttpReceiveResponse
//                            on the same request (WH-REQUEST-SEND-RECV-SIDES); safe: wh-send-then-recv
//  wh-close-during-call      an asynchronous request closed from another thread while the first one
//                            is inside WinHttpReadData on it, then another request to the server;
//                            safe: wh-close-between-calls (a lock around every call and the close)
//  wh-read-buffer-released   the buffer of a pending asynchronous read poisoned right after the
//                            close; safe: wh-read-buffer-kept (poisoned after HANDLE_CLOSING)
//  wh-clear-callback-racing  WinHttpSetStatusCallback(request, NULL) while callbacks for the request
//                            are dispatched; safe: wh-close-keeping-callback
//  wh-worker-threads-once    WINHTTP_OPTION_WORKER_THREAD_COUNT on a NULL handle in a fresh process:
//                            once before any asynchronous operation, then again, then after one
// A trial's request state is never freed (patterns.h): a late callback never meets freed memory.
#include <atomic>
#include <cstring>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "hc/latch.h"
#include "hc/winhttp/session.h"
#include "hc/winhttp/sync_request.h"
#include "winhttp_trials.h"

namespace hc::unsafe {
namespace {

using std::chrono::microseconds;
using trial::SpinFor;

constexpr auto kWrapperClosingBound = std::chrono::milliseconds(2500);
constexpr unsigned char kPoison = 0xDD;

// One asynchronous request, driven by WrapperCallback.
struct WrapperRequest {
  HINTERNET handle = nullptr;
  bool reads_from_callback = true;  // READ_COMPLETE issues the next read
  std::atomic<bool> drive{true};
  std::atomic<bool> headers{false}, done{false}, closing{false};
  std::atomic<bool> read_pending{false};
  std::atomic<unsigned long> error{0};
  std::atomic<int> callbacks{0}, after_closing{0}, reads{0};
  std::atomic<long long> body{0};
  std::atomic<bool> watch_late{false};
  std::atomic<int> late_callbacks{0};  // after watch_late was set
  std::vector<char> buffer = std::vector<char>(1024);

  void Read() {
    read_pending = true;
    if (!WinHttpReadData(handle, buffer.data(), static_cast<DWORD>(buffer.size()), nullptr)) {
      read_pending = false;
      error = GetLastError();
      done = true;
    }
  }
};

void CALLBACK WrapperCallback(HINTERNET h, DWORD_PTR context, DWORD status, LPVOID info, DWORD length) {
  auto* r = reinterpret_cast<WrapperRequest*>(context);
  if (!r || h != r->handle)
    return;
  ++r->callbacks;
  if (r->watch_late.load())
    ++r->late_callbacks;
  if (r->closing.load())
    ++r->after_closing;
  switch (status) {
    case WINHTTP_CALLBACK_STATUS_SENDREQUEST_COMPLETE:
      if (r->drive.load() && !WinHttpReceiveResponse(h, nullptr)) {
        r->error = GetLastError();
        r->done = true;
      }
      break;
    case WINHTTP_CALLBACK_STATUS_HEADERS_AVAILABLE:
      r->headers = true;
      if (r->drive.load() && r->reads_from_callback)
        r->Read();
      break;
    case WINHTTP_CALLBACK_STATUS_READ_COMPLETE:
      r->read_pending = false;
      ++r->reads;
      r->body += length;
      if (length == 0)
        r->done = true;
      else if (r->drive.load() && r->reads_from_callback)
        r->Read();
      break;
    case WINHTTP_CALLBACK_STATUS_REQUEST_ERROR: {
      const auto* result = static_cast<const WINHTTP_ASYNC_RESULT*>(info);
      r->read_pending = false;
      r->error = result ? result->dwError : ERROR_GEN_FAILURE;
      r->done = true;
      break;
    }
    case WINHTTP_CALLBACK_STATUS_HANDLE_CLOSING:
      r->closing = true;
      break;
    default:
      break;
  }
}

// An asynchronous session and connection whose requests WrapperCallback drives.
struct WrapperConnection {
  winhttp::Handle session, connect;
  explicit operator bool() const { return connect != nullptr; }
};

WrapperConnection OpenWrapperConnection(int port) {
  WrapperConnection c;
  c.session = winhttp::OpenSession({.async = true, .timeout = kTrialCallBound});
  if (!c.session ||
      WinHttpSetStatusCallback(c.session.get(), WrapperCallback, WINHTTP_CALLBACK_FLAG_ALL_NOTIFICATIONS,
                               0) == WINHTTP_INVALID_STATUS_CALLBACK)
    return {};
  c.connect = winhttp::Connect(c.session.get(), static_cast<std::uint16_t>(port));
  return c;
}

// A new request (never freed) on c, context bound, sent; null on failure.
WrapperRequest* StartWrapperRequest(const WrapperConnection& c, const std::string& target,
                                    bool reads_from_callback, std::size_t read_size = 1024) {
  auto* r = new WrapperRequest;
  r->reads_from_callback = reads_from_callback;
  r->buffer.resize(read_size);
  r->handle = winhttp::OpenRequest(c.connect.get(), L"GET", target);
  DWORD_PTR value = reinterpret_cast<DWORD_PTR>(r);
  if (!r->handle || !WinHttpSetOption(r->handle, WINHTTP_OPTION_CONTEXT_VALUE, &value, sizeof(value)) ||
      !WinHttpSendRequest(r->handle, WINHTTP_NO_ADDITIONAL_HEADERS, 0, WINHTTP_NO_REQUEST_DATA, 0, 0, value))
    return nullptr;
  return r;
}

bool WaitFor(const std::atomic<bool>& flag, std::chrono::milliseconds bound,
             const std::atomic<bool>* or_flag = nullptr) {
  const auto until = std::chrono::steady_clock::now() + bound;
  while (!flag.load() && !(or_flag && or_flag->load())) {
    if (std::chrono::steady_clock::now() > until)
      return false;
    Sleep(1);
  }
  return true;
}

// HANDLE_CLOSING, then nothing after it: "" or the outcome label.
std::string ClosingOutcome(WrapperRequest& r) {
  if (!WaitFor(r.closing, kWrapperClosingBound))
    return "no HANDLE_CLOSING";
  Sleep(2);
  return r.after_closing.load() > 0 ? "callback after HANDLE_CLOSING" : "";
}

// A trial's connection and its first request on it, started (StartWrapperRequest) and, with
// await_headers, with its headers received; `failed` is the trial's outcome when that went wrong.
struct WrapperTrial {
  WrapperConnection c;
  WrapperRequest* r = nullptr;
  std::optional<Outcome> failed;
};

WrapperTrial StartWrapperTrial(const Trial& trial, const std::string& target, bool reads_from_callback,
                               bool await_headers, std::size_t read_size = 1024) {
  WrapperTrial t;
  t.c = OpenWrapperConnection(trial.port());
  if (!t.c) {
    t.failed = HarnessError("async session");
    return t;
  }
  t.r = StartWrapperRequest(t.c, target, reads_from_callback, read_size);
  if (!t.r)
    t.failed = HarnessError("WinHttpOpenRequest/SendRequest");
  else if (await_headers && !WaitFor(t.r->headers, kTrialCallBound))
    t.failed = Outcome{"error " + std::to_string(t.r->error.load()), "no headers"};
  return t;
}

// ---- wh-send-recv-sides / wh-send-then-recv ---------------------------------------------------

constexpr DWORD kSidesBodySize = 16384;
constexpr DWORD kSidesPiece = 2048;

Outcome SendAndReceiveSides(Trial& trial, bool at_once) {
  const auto connection = hc::OpenConnection(winhttp::kApi, trial.port(), {.timeout = kTrialCallBound});
  winhttp::Handle request(connection ? winhttp::OpenRequest(connection.connect.get(), L"POST", "/anything")
                                     : nullptr);
  if (!request)
    return HarnessError("WinHttpOpen/Connect/OpenRequest");
  HINTERNET h = request.get();
  if (!WinHttpSendRequest(h, L"Content-Type: application/octet-stream", static_cast<DWORD>(-1L),
                          WINHTTP_NO_REQUEST_DATA, 0, kSidesBodySize, 0))
    return {"error " + std::to_string(GetLastError()), "in WinHttpSendRequest"};
  const auto receive_after = microseconds(trial.Uniform(0, 3000));
  trial.Note("receive_after_us", receive_after.count());
  static const std::vector<char> piece(kSidesPiece, 'p');
  DWORD write_error = 0, receive_error = 0;
  DWORD written_total = 0;
  std::atomic<bool> writes_done{false};
  bool received_before_writes_done = false;
  hc::Latch start(2);
  std::thread writer([&] {
    start.ArriveAndWait();
    for (DWORD sent = 0; sent < kSidesBodySize; sent += kSidesPiece) {
      DWORD written = 0;
      if (!WinHttpWriteData(h, piece.data(), kSidesPiece, &written)) {
        write_error = GetLastError();
        break;
      }
      written_total += written;
      SpinFor(microseconds(100));
    }
    writes_done = true;
  });
  std::thread receiver([&] {
    start.ArriveAndWait();
    if (!at_once)
      while (!writes_done.load())
        Sleep(0);
    SpinFor(receive_after);
    const bool before = !writes_done.load();
    if (!WinHttpReceiveResponse(h, nullptr))
      receive_error = GetLastError();
    received_before_writes_done = before;
  });
  writer.join();
  receiver.join();
  const std::string when =
      received_before_writes_done ? "receive began while writes ran" : "receive after the writes";
  if (write_error)
    return {"error " + std::to_string(write_error), "in WinHttpWriteData, " + when};
  if (receive_error)
    return {"error " + std::to_string(receive_error), "in WinHttpReceiveResponse, " + when};
  std::string body;
  DWORD read_error = 0;
  const std::string expect = "\"body_size\":" + std::to_string(kSidesBodySize);
  if (!winhttp::ReadAll(h, body, read_error) || body.find(expect) == std::string::npos)
    return {"server did not get the whole body", std::to_string(written_total) + " bytes written, " + when};
  return Outcome::Success(when);
}

// ---- wh-close-during-call / wh-close-between-calls --------------------------------------------

Outcome CloseDuringCall(Trial& trial, bool locked) {
  const auto t = StartWrapperTrial(
      trial, "/stream-bytes/32768?chunk_size=1024&seed=" + std::to_string(trial.index()), false, false);
  if (t.failed)
    return *t.failed;
  WrapperRequest* r = t.r;
  const auto close_after = microseconds(trial.Uniform(0, 6000));
  trial.Note("close_after_us", close_after.count());
  std::mutex calls;  // the safe pattern's lock around every call and the close
  std::atomic<bool> closed{false};
  std::atomic<const char*> in_call{"before the first call"};
  DWORD call_error = 0;
  const char* failed_call = "";
  hc::Latch start(2);
  std::thread caller([&] {
    start.ArriveAndWait();
    if (!WaitFor(r->headers, kTrialCallBound, &r->closing) || !r->headers.load())
      return;
    while (!r->done.load() && !r->closing.load()) {
      {
        std::unique_lock lock(calls, std::defer_lock);
        if (locked) {
          lock.lock();
          if (closed.load())
            return;  // the safe pattern never calls on a closed handle
        }
        in_call = "inside WinHttpReadData";
        r->read_pending = true;
        if (!WinHttpReadData(r->handle, r->buffer.data(), static_cast<DWORD>(r->buffer.size()), nullptr)) {
          call_error = GetLastError();
          failed_call = "WinHttpReadData";
          r->read_pending = false;
          in_call = "between calls";
          return;
        }
        in_call = "between calls";
      }
      const auto until = std::chrono::steady_clock::now() + kTrialCallBound;
      while (r->read_pending.load() && !r->done.load() && !r->closing.load() &&
             std::chrono::steady_clock::now() < until)
        Sleep(0);
    }
  });
  const char* closed_in = "";
  std::thread closer([&] {
    start.ArriveAndWait();
    SpinFor(close_after);
    std::unique_lock lock(calls, std::defer_lock);
    if (locked)
      lock.lock();
    closed_in = in_call.load();
    closed = true;
    WinHttpCloseHandle(r->handle);
  });
  caller.join();
  closer.join();
  const std::string where = std::string("closed ") + closed_in;
  if (const std::string closing = ClosingOutcome(*r); !closing.empty())
    return {closing, where};
  // Another request to the server afterwards: a connection the close left in a bad state must not
  // be handed to it.
  WrapperRequest* next = StartWrapperRequest(t.c, "/bytes/2000?seed=" + std::to_string(trial.index()), true);
  if (!next || !WaitFor(next->done, kTrialCallBound))
    return {"the next request did not end", where};
  if (next->error.load() != 0 || next->body.load() != 2000)
    return {"the next request got a broken response", "error " + std::to_string(next->error.load()) + ", " +
                                                          std::to_string(next->body.load()) + " bytes, " +
                                                          where};
  WinHttpCloseHandle(next->handle);
  WaitFor(next->closing, kWrapperClosingBound);
  if (call_error != 0)
    return {"error " + std::to_string(call_error),
            std::string("in ") + failed_call + " after the close, " + where};
  if (r->error.load() != 0)
    return {locked ? "success" : "error " + std::to_string(r->error.load()),
            "completion error " + std::to_string(r->error.load()) + ", " + where};
  return Outcome::Success(where);
}

// ---- wh-read-buffer-released / wh-read-buffer-kept --------------------------------------------

Outcome ReadBufferReleased(Trial& trial, bool released_at_close) {
  const auto t = StartWrapperTrial(
      trial, "/stream-bytes/65536?chunk_size=1024&chunk_delay_ms=1&seed=" + std::to_string(trial.index()),
      true, true);
  if (t.failed)
    return *t.failed;
  WrapperRequest* r = t.r;
  SpinFor(microseconds(trial.Uniform(0, 8000)));
  r->drive = false;  // no read is issued from now on, the one pending (if any) stays
  const bool pending = r->read_pending.load();
  trial.Note("read_pending_at_close", pending ? 1 : 0);
  WinHttpCloseHandle(r->handle);
  auto poison = [&] { std::memset(r->buffer.data(), kPoison, r->buffer.size()); };
  if (released_at_close)
    poison();  // the library's "free": from here on the memory belongs to someone else
  const std::string closing = ClosingOutcome(*r);
  if (!released_at_close)
    poison();  // after HANDLE_CLOSING, the documented last callback
  Sleep(5);
  bool written = false;
  for (char b : r->buffer)
    written = written || static_cast<unsigned char>(b) != kPoison;
  const std::string where = pending ? "a read was pending at the close" : "no read pending at the close";
  if (!closing.empty())
    return {closing, where};
  if (written)
    return {"WinHTTP wrote into the released buffer", where};
  return Outcome::Success(where);
}

// ---- wh-clear-callback-racing / wh-close-keeping-callback -------------------------------------

Outcome ClearCallbackRacing(Trial& trial, bool clear) {
  // Many small reads: many callbacks being dispatched.
  const auto t = StartWrapperTrial(
      trial, "/stream-bytes/65536?chunk_size=512&seed=" + std::to_string(trial.index()), true, true, 256);
  if (t.failed)
    return *t.failed;
  WrapperRequest* r = t.r;
  SpinFor(microseconds(trial.Uniform(0, 3000)));
  std::string where = r->done.load() ? "the request had ended" : "callbacks were running";
  if (clear) {
    if (WinHttpSetStatusCallback(r->handle, nullptr, WINHTTP_CALLBACK_FLAG_ALL_NOTIFICATIONS, 0) ==
        WINHTTP_INVALID_STATUS_CALLBACK)
      return {"error " + std::to_string(GetLastError()), "in WinHttpSetStatusCallback(NULL)"};
    r->watch_late = true;
    Sleep(3);  // a callback already dispatched through the old pointer shows up here
    const int late = r->late_callbacks.load();
    trial.Note("callbacks_after_clear", late);
    r->drive = false;
    WinHttpCloseHandle(r->handle);
    Sleep(2);
    if (late > 0)
      return {"old callback ran after SetStatusCallback(NULL) returned", where};
    return Outcome::Success(where);
  }
  r->drive = false;
  WinHttpCloseHandle(r->handle);
  if (const std::string closing = ClosingOutcome(*r); !closing.empty())
    return {closing, where};
  return Outcome::Success(where);
}

// ---- wh-worker-threads-once ---------------------------------------------------------------------

Outcome WorkerThreadsOnce(Trial& trial) {
  static std::atomic<bool> ran{false};
  if (ran.exchange(true))
    return {"not a fresh process", "an earlier trial of this process made WinHTTP calls"};
  DWORD count = 4;
  const BOOL first = WinHttpSetOption(nullptr, WINHTTP_OPTION_WORKER_THREAD_COUNT, &count, sizeof(count));
  const DWORD first_error = first ? 0 : GetLastError();
  count = 2;
  const BOOL second = WinHttpSetOption(nullptr, WINHTTP_OPTION_WORKER_THREAD_COUNT, &count, sizeof(count));
  const DWORD second_error = second ? 0 : GetLastError();
  const auto c = OpenWrapperConnection(trial.port());
  if (!c)
    return HarnessError("async session");
  WrapperRequest* r = StartWrapperRequest(c, "/get", true);
  if (!r || !WaitFor(r->done, kTrialCallBound))
    return HarnessError("asynchronous request");
  count = 3;
  const BOOL after = WinHttpSetOption(nullptr, WINHTTP_OPTION_WORKER_THREAD_COUNT, &count, sizeof(count));
  const DWORD after_error = after ? 0 : GetLastError();
  WinHttpCloseHandle(r->handle);
  WaitFor(r->closing, kWrapperClosingBound);
  const std::string detail =
      "second: " + (second ? std::string("accepted") : "error " + std::to_string(second_error)) +
      ", after an async operation: " +
      (after ? std::string("accepted") : "error " + std::to_string(after_error));
  if (!first)
    return {"error " + std::to_string(first_error),
            "the first set, on a NULL handle, before any async operation; " + detail};
  if (second)
    return {"set twice", detail};
  if (after)
    return {"set after an async operation", detail};
  return Outcome::Success(detail);
}

}  // namespace

void AddWinHttpWrapperPatterns(Patterns& p) {
  p["wh-send-recv-sides"] = [](Trial& t) { return SendAndReceiveSides(t, true); };
  p["wh-send-then-recv"] = [](Trial& t) { return SendAndReceiveSides(t, false); };
  p["wh-close-during-call"] = [](Trial& t) { return CloseDuringCall(t, false); };
  p["wh-close-between-calls"] = [](Trial& t) { return CloseDuringCall(t, true); };
  p["wh-read-buffer-released"] = [](Trial& t) { return ReadBufferReleased(t, true); };
  p["wh-read-buffer-kept"] = [](Trial& t) { return ReadBufferReleased(t, false); };
  p["wh-clear-callback-racing"] = [](Trial& t) { return ClearCallbackRacing(t, true); };
  p["wh-close-keeping-callback"] = [](Trial& t) { return ClearCallbackRacing(t, false); };
  p["wh-worker-threads-once"] = WorkerThreadsOnce;
}

}  // namespace hc::unsafe
