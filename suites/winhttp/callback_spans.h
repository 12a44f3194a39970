#pragma once
// A bare asynchronous GET driven by its own status callback, for the tests that watch the callback
// itself rather than what it delivers: when each callback for a handle is entered and left (span),
// whether HANDLE_CLOSING overlapped another one, nesting on one thread (re-entrance, the depth of
// synchronous read completions), callbacks for one handle on two threads at once, and the context
// value each notification carried. The recorder of apis/ checks contexts and order; this one
// records the spans, which it cannot see.
//
// A SpanRequest is the dwContext of its request (bound by WINHTTP_OPTION_CONTEXT_VALUE right after
// WinHttpOpenRequest, or only by WinHttpSendRequest). Notifications with a NULL context (the
// session's and connection's, and a request's before its context is bound) are counted per status
// in the SpanLog. Requests live in the test's SpanLog until the end of the process when their
// The log and its requests are never freed (the trial programs' policy): a late callback never
// meets freed memory, and a test's requests are a few hundred small objects.
#include <windows.h>
#include <winhttp.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "hc/winhttp/handle.h"
#include "hc/winhttp/session.h"

namespace hc::winhttp::spans {

struct SpanRequest;

// What every span callback of one test shares.
struct SpanLog {
  std::mutex mu;
  std::map<unsigned long, int> null_context;  // status -> notifications with dwContext 0
  std::vector<std::unique_ptr<SpanRequest>> requests;
  std::atomic<int> callbacks{0};
  std::atomic<int> max_depth{0};  // callbacks nested on one thread, any handle
  // WINHTTP_OPTION_UNLOAD_NOTIFY_EVENT's event when a test sets it: callbacks entered or still
  // running once it is set are counted.
  HANDLE unload_event = nullptr;
  std::atomic<int> callbacks_after_event{0};

  void CheckEvent() {
    if (unload_event && WaitForSingleObject(unload_event, 0) == WAIT_OBJECT_0)
      ++callbacks_after_event;
  }

  // Requests by handle value, once WinHttpOpenRequest has returned, until the application closes
  // them: the value may name a new request at once after the close. A closed request is found
  // only by its HANDLE_CLOSING, oldest close first.
  std::map<HINTERNET, SpanRequest*> by_handle;
  std::map<HINTERNET, std::vector<SpanRequest*>> closed_by_handle;
  int null_unattributed = 0;                        // NULL-context notifications of no known request
  std::map<unsigned long, int> null_after_context;  // status -> NULL after the request's own context

  void CountNull(HINTERNET h, unsigned long status);
  int NullTotal() {
    std::lock_guard lock(mu);
    int n = 0;
    for (const auto& [status, count] : null_context)
      n += count;
    return n;
  }
};

// How a request's context value reaches WinHTTP.
enum class Bind { kOption, kSendContext };

struct SpanRequest {
  SpanLog* log = nullptr;
  HINTERNET handle = nullptr;
  DWORD read_size = 4096;
  std::vector<char> buffer;
  // Driven by the callback: receive after the send, read until the end.
  std::atomic<bool> drive{true};
  // Set when the request ended (body read, or an error): the application may close it.
  std::atomic<bool> done{false};
  std::atomic<unsigned long> error{0};  // 0, or the error that ended it
  std::atomic<unsigned long> error_api{0};
  std::atomic<long long> body_bytes{0};
  std::atomic<DWORD> status_code{0};
  // Spans of this handle's callbacks.
  std::atomic<int> inside{0};
  std::atomic<bool> closing_running{false};
  std::atomic<int> closing_overlaps{0};    // HANDLE_CLOSING overlapped another callback for the handle
  std::atomic<int> nested_same_thread{0};  // a callback for the handle entered inside another one
  std::atomic<int> concurrent_threads{0};  // a callback for the handle entered while one ran elsewhere
  std::atomic<int> closings{0};
  std::atomic<int> after_closing{0};
  std::atomic<int> callbacks{0};
  std::atomic<int> max_depth{0};  // READ_COMPLETE nesting on one thread
  std::atomic<bool> closed_by_app{false};
  std::atomic<bool> send_completed{false};  // SENDREQUEST_COMPLETE's callback was entered
  std::atomic<const char*> ended_by{""};    // how the request ended (done)
  std::atomic<bool> read_in_flight{false};  // a WinHttpReadData issued, its READ_COMPLETE not yet come
  // Close inside the READ_COMPLETE callback once this many bytes have been read (0: never).
  long long close_at_bytes = 0;
  std::atomic<bool> closed_in_callback{false};
  // Notifications for this handle that carried a NULL context: before the first one that carried
  // this request's context, and after it.
  std::atomic<int> null_before_context{0};
  std::atomic<int> null_after_context{0};
  std::atomic<int> null_closing{0};  // HANDLE_CLOSING with a NULL context
  // Called before the callback drives the request (the tests' hook); return false to stop driving.
  bool (*hook)(SpanRequest&, DWORD status) = nullptr;
  void* user = nullptr;

  DWORD_PTR context() { return reinterpret_cast<DWORD_PTR>(this); }
  bool Closed() const { return closings.load() > 0; }
};

// The log of the running test (tests of a binary run one after another), where notifications
// without a context are counted.
inline SpanLog* g_span_log = nullptr;

inline void SpanLog::CountNull(HINTERNET h, unsigned long status) {
  std::lock_guard lock(mu);
  ++null_context[status];
  SpanRequest* r = nullptr;
  if (status == WINHTTP_CALLBACK_STATUS_HANDLE_CLOSING) {
    if (auto c = closed_by_handle.find(h); c != closed_by_handle.end() && !c->second.empty()) {
      r = c->second.front();
      c->second.erase(c->second.begin());
      ++r->null_closing;
    }
  } else if (auto it = by_handle.find(h); it != by_handle.end()) {
    r = it->second;
  }
  if (!r) {
    ++null_unattributed;
  } else if (r->callbacks.load() > 0) {
    ++r->null_after_context;
    ++null_after_context[status];
  } else {
    ++r->null_before_context;
  }
}

inline SpanLog& NewSpanLog() {
  g_span_log = new SpanLog;  // never freed, see above
  return *g_span_log;
}

inline bool CloseSpanRequest(SpanRequest& r);

namespace detail {

inline thread_local std::vector<HINTERNET> t_stack;
inline thread_local int t_read_depth = 0;

inline void AtomicMax(std::atomic<int>& a, int v) {
  int cur = a.load();
  while (v > cur && !a.compare_exchange_weak(cur, v)) {
  }
}

inline void Finish(SpanRequest& r, unsigned long error, const char* how, unsigned long api = 0) {
  r.error = error;
  r.error_api = api;
  r.ended_by = how;
  r.done = true;
}

inline void Read(SpanRequest& r) {
  r.read_in_flight = true;
  if (!WinHttpReadData(r.handle, r.buffer.data(), r.read_size, nullptr))
    Finish(r, GetLastError(), "WinHttpReadData failed");
}

inline void Drive(SpanRequest& r, HINTERNET h, DWORD status, void* info, DWORD length) {
  switch (status) {
    case WINHTTP_CALLBACK_STATUS_SENDREQUEST_COMPLETE:
      if (!WinHttpReceiveResponse(h, nullptr))
        Finish(r, GetLastError(), "WinHttpReceiveResponse failed");
      break;
    case WINHTTP_CALLBACK_STATUS_HEADERS_AVAILABLE: {
      DWORD code = 0, size = sizeof(code);
      if (WinHttpQueryHeaders(h, WINHTTP_QUERY_STATUS_CODE | WINHTTP_QUERY_FLAG_NUMBER,
                              WINHTTP_HEADER_NAME_BY_INDEX, &code, &size, WINHTTP_NO_HEADER_INDEX))
        r.status_code = code;
      Read(r);
      break;
    }
    case WINHTTP_CALLBACK_STATUS_READ_COMPLETE:
      r.read_in_flight = false;
      if (length == 0) {
        Finish(r, 0, "READ_COMPLETE of 0 bytes");
      } else if (r.body_bytes += length; r.close_at_bytes > 0 && r.body_bytes.load() >= r.close_at_bytes) {
        // The documented way to cancel: close the handle inside its callback, no call after it.
        r.closed_in_callback = true;
        CloseSpanRequest(r);
      } else {
        ++t_read_depth;
        AtomicMax(r.max_depth, t_read_depth);
        Read(r);
        --t_read_depth;
      }
      break;
    case WINHTTP_CALLBACK_STATUS_REQUEST_ERROR: {
      const auto* result = static_cast<const WINHTTP_ASYNC_RESULT*>(info);
      Finish(r, result ? result->dwError : ERROR_GEN_FAILURE, "REQUEST_ERROR",
             result ? static_cast<unsigned long>(result->dwResult) : 0);
      break;
    }
    default:
      break;
  }
}

}  // namespace detail

// The status callback of every span session.
inline void CALLBACK SpanCallback(HINTERNET h, DWORD_PTR context, DWORD status, LPVOID info, DWORD length) {
  auto* r = reinterpret_cast<SpanRequest*>(context);
  if (!r) {
    // The session's and connection's notifications, and a request's before its context is bound,
    // come here.
    if (SpanLog* log = g_span_log) {
      log->CheckEvent();
      log->CountNull(h, status);
      log->CheckEvent();
    }
    return;
  }
  r->log->CheckEvent();
  ++r->log->callbacks;
  ++r->callbacks;
  auto& stack = detail::t_stack;
  const bool nested = std::find(stack.begin(), stack.end(), h) != stack.end();
  stack.push_back(h);
  detail::AtomicMax(r->log->max_depth, static_cast<int>(stack.size()));
  const int others = r->inside.fetch_add(1);
  if (nested)
    ++r->nested_same_thread;
  else if (others > 0)
    ++r->concurrent_threads;
  if (r->Closed())
    ++r->after_closing;
  if (status == WINHTTP_CALLBACK_STATUS_HANDLE_CLOSING) {
    if (others > 0)
      ++r->closing_overlaps;
    r->closing_running = true;
  } else if (r->closing_running.load()) {
    ++r->closing_overlaps;
  }
  if (status == WINHTTP_CALLBACK_STATUS_SENDREQUEST_COMPLETE)
    r->send_completed = true;
  if (status != WINHTTP_CALLBACK_STATUS_HANDLE_CLOSING && r->drive.load() &&
      (!r->hook || r->hook(*r, status)))
    detail::Drive(*r, h, status, info, length);
  if (status == WINHTTP_CALLBACK_STATUS_HANDLE_CLOSING) {
    {
      std::lock_guard lock(r->log->mu);
      if (auto c = r->log->closed_by_handle.find(h); c != r->log->closed_by_handle.end())
        std::erase(c->second, r);
    }
    r->closing_running = false;
    ++r->closings;  // last: once Closed(), the test may stop watching
  }
  SpanLog* log = r->log;  // r may be the test's to forget once closings is counted; the log is not
  r->inside.fetch_sub(1);
  stack.pop_back();
  log->CheckEvent();
}

// An asynchronous session (calls bounded by the session timeouts) whose callback is SpanCallback
// for every notification; null on failure.
inline Handle OpenSpanSession(std::chrono::milliseconds timeout = std::chrono::milliseconds(10000)) {
  Handle s = OpenSession({.async = true, .timeout = timeout});
  if (s && WinHttpSetStatusCallback(s.get(), SpanCallback, WINHTTP_CALLBACK_FLAG_ALL_NOTIFICATIONS, 0) ==
               WINHTTP_INVALID_STATUS_CALLBACK)
    return Handle();
  return s;
}

// A new request of the log on connect (GET target), its context bound as `bind` says; with
// send, WinHttpSendRequest is called too. Null with the failed call named in *what.
inline SpanRequest* OpenSpanRequest(SpanLog& log, HINTERNET connect, const std::wstring& target, Bind bind,
                                    bool send, std::string* what) {
  auto owned = std::make_unique<SpanRequest>();
  SpanRequest* r = owned.get();
  r->log = &log;
  r->buffer.resize(r->read_size);
  {
    std::lock_guard lock(log.mu);
    log.requests.push_back(std::move(owned));
  }
  r->handle = WinHttpOpenRequest(connect, L"GET", target.c_str(), nullptr, WINHTTP_NO_REFERER,
                                 WINHTTP_DEFAULT_ACCEPT_TYPES, 0);
  if (!r->handle) {
    *what = "WinHttpOpenRequest";
    return nullptr;
  }
  {
    std::lock_guard lock(log.mu);
    log.by_handle[r->handle] = r;
  }
  if (bind == Bind::kOption) {
    DWORD_PTR value = r->context();
    if (!WinHttpSetOption(r->handle, WINHTTP_OPTION_CONTEXT_VALUE, &value, sizeof(value))) {
      *what = "WinHttpSetOption(WINHTTP_OPTION_CONTEXT_VALUE)";
      return nullptr;
    }
  }
  if (send && !WinHttpSendRequest(r->handle, WINHTTP_NO_ADDITIONAL_HEADERS, 0, WINHTTP_NO_REQUEST_DATA, 0, 0,
                                  r->context())) {
    *what = "WinHttpSendRequest";
    return nullptr;
  }
  return r;
}

// Closes the request's handle once (the application's close).
inline bool CloseSpanRequest(SpanRequest& r) {
  if (r.closed_by_app.exchange(true))
    return true;
  {
    std::lock_guard lock(r.log->mu);
    if (const auto it = r.log->by_handle.find(r.handle); it != r.log->by_handle.end() && it->second == &r)
      r.log->by_handle.erase(it);
    r.log->closed_by_handle[r.handle].push_back(&r);
  }
  return WinHttpCloseHandle(r.handle) != FALSE;
}

}  // namespace hc::winhttp::spans
