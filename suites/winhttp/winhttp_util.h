#pragma once
// Small RAII and I/O helpers for the WinHTTP suites (winhttp.h cannot share a translation unit
// with wininet.h, so each API keeps its own helpers), and the machinery of the callback tests:
// contexts with a canary, a status callback that records every notification, a session whose
// teardown waits for HANDLE_CLOSING, and a request driver that runs send -> write -> receive ->
// query data -> read -> close either from the callbacks or from an application thread.
#include <windows.h>
#include <winhttp.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "hc/callback_recorder.h"
#include "hc/localserver.h"

namespace hc::winhttp {

struct HandleCloser {
  void operator()(HINTERNET h) const noexcept { WinHttpCloseHandle(h); }
};
using Handle = std::unique_ptr<void, HandleCloser>;

std::wstring Widen(const std::string& s);
std::string Narrow(const std::wstring& s);  // ASCII only, other characters become '?'

struct Response {
  DWORD error = 0;  // GetLastError() of the first call that failed, 0 on success
  const char* failed_call = "";
  DWORD status = 0;  // HTTP status code
  std::string body;
  std::string Describe() const;  // "status 200, 1024 bytes" or "WinHttpSendRequest failed: 12029"
};

// Synchronous GET of path on connect, opening its own request handle (closed before return).
Response SyncRequest(HINTERNET connect, const wchar_t* verb, const std::string& path,
                     const std::string& request_body = "");

// Like SyncRequest, but a request body is sent with WinHttpWriteData in pieces of write_chunk
// bytes after a WinHttpSendRequest that announces its total length.
Response SyncRequestWritten(HINTERNET connect, const wchar_t* verb, const std::string& path,
                            const std::string& request_body, std::size_t write_chunk);

// Reads the rest of the body of a request whose response has been received (synchronous mode).
bool ReadAll(HINTERNET request, std::string& body, DWORD& error);

// A session in synchronous mode with no proxy, so requests go straight to the loopback server.
Handle OpenSyncSession();

// A printable body (JSON-safe: letters and digits only) for POSTs whose echo is compared.
std::string TextBody(std::uint64_t seed, std::size_t size);

// Name of a WINHTTP_CALLBACK_STATUS_* value ("SENDING_REQUEST"), or its hex value.
std::string StatusName(unsigned long status);
// Name of an API_* value of WINHTTP_ASYNC_RESULT::dwResult ("API_RECEIVE_RESPONSE").
std::string ApiName(DWORD_PTR api);
// "12017 (ERROR_WINHTTP_OPERATION_CANCELLED)" for the WinHTTP errors the suites meet.
std::string ErrorName(DWORD error);

// ---------------------------------------------------------------------------------------------
// Callback machinery.

class Hub;

// Base of every context value the suites hand to WinHTTP. It lives in its Hub's graveyard until
// the Hub is destroyed, so a late callback never touches freed memory: at HANDLE_CLOSING the
// canary is poisoned instead of the object being freed (the "free" an application would do), and
// any later notification for it is counted as a use of a freed context.
class Context {
 public:
  explicit Context(Hub& hub) : hub_(hub) {}
  virtual ~Context() = default;
  Context(const Context&) = delete;
  Context& operator=(const Context&) = delete;

  Hub& hub() const { return hub_; }
  DWORD_PTR value() const { return reinterpret_cast<DWORD_PTR>(this); }
  bool Alive() const { return canary_.load() == kAlive; }

  // Binds the context to h (WINHTTP_OPTION_CONTEXT_VALUE); HANDLE_CLOSING for h then ends it.
  bool Bind(HINTERNET h);
  HINTERNET handle() const { return handle_.load(); }
  // Binds to a handle created with this context already (WinHttpWebSocketCompleteUpgrade).
  void Adopt(HINTERNET h) { handle_.store(h); }

  // Closes the bound handle from the calling thread and notes when the call returned. A second
  // call does nothing and returns FALSE: a closed handle must not be passed to WinHTTP again.
  BOOL Close();
  // The handle's HANDLE_CLOSING will not be awaited (e.g. the callback was removed first).
  void Abandon() { abandoned_ = true; }

  // Called for every notification with this context while it is alive.
  virtual void OnStatus(HINTERNET h, DWORD status, void* info, DWORD length);

  std::atomic<int> closing_count{0};         // HANDLE_CLOSING notifications for the bound handle
  std::atomic<int> after_closing{0};         // notifications that arrived after HANDLE_CLOSING
  std::atomic<int> after_close_returned{0};  // notifications after WinHttpCloseHandle returned
  std::atomic<bool> close_called{false};
  std::atomic<bool> close_returned{false};
  std::atomic<BOOL> close_result{FALSE};
  std::atomic<bool> abandoned_{false};

 private:
  friend void CALLBACK StatusCallback(HINTERNET, DWORD_PTR, DWORD, LPVOID, DWORD);
  static constexpr std::uint64_t kAlive = 0xC0FFEE0DDBA11ULL;
  static constexpr std::uint64_t kDead = 0xDEADDEADDEADDEADULL;
  Hub& hub_;
  std::atomic<std::uint64_t> canary_{kAlive};
  std::atomic<HINTERNET> handle_{nullptr};
};

// The status callback every suite installs: records the notification in the context's hub,
// checks the canary and dispatches to Context::OnStatus.
void CALLBACK StatusCallback(HINTERNET h, DWORD_PTR context, DWORD status, LPVOID info, DWORD length);

// Owns the recorder and every context of one test.
class Hub {
 public:
  Hub();
  CallbackRecorder recorder;
  std::atomic<int> dead_context_callbacks{0};  // notifications for a context after its HANDLE_CLOSING

  template <class T, class... A>
  T& Make(A&&... args) {
    auto owned = std::make_unique<T>(*this, std::forward<A>(args)...);
    T& ref = *owned;
    std::lock_guard lock(mu_);
    contexts_.push_back(std::move(owned));
    return ref;
  }
  // Contexts bound to a handle, not abandoned, still waiting for their HANDLE_CLOSING; with
  // only_closed, just those whose handle WinHttpCloseHandle was called for.
  std::vector<const Context*> Open(bool only_closed = false) const;
  // Until every handle closed so far (only_closed) or every bound handle has seen HANDLE_CLOSING.
  ::testing::AssertionResult AwaitAllClosed(std::chrono::milliseconds timeout, bool only_closed = true) const;

 private:
  mutable std::mutex mu_;
  std::vector<std::unique_ptr<Context>> contexts_;
};

// A session (asynchronous unless told otherwise, no proxy) with StatusCallback installed for every
// notification, and one connection to the scenario's listener; both carry contexts so their own
// HANDLE_CLOSING is observed. The destructor closes whatever is still open and waits (bounded) for
// every context's HANDLE_CLOSING; if some never arrives the Hub is leaked, so that a late callback
// stays harmless, and the test is told.
class CallbackSession {
 public:
  explicit CallbackSession(const hc::Scenario& server, DWORD open_flags = WINHTTP_FLAG_ASYNC);
  CallbackSession(const std::wstring& host, INTERNET_PORT port, DWORD open_flags = WINHTTP_FLAG_ASYNC);
  ~CallbackSession();
  CallbackSession(const CallbackSession&) = delete;
  CallbackSession& operator=(const CallbackSession&) = delete;

  bool ok() const { return session_ != nullptr && connect_ != nullptr; }
  std::string setup_error() const { return setup_error_; }
  HINTERNET session() const { return session_; }
  HINTERNET connect() const { return connect_; }
  Hub& hub() const { return *hub_; }
  CallbackRecorder& recorder() const { return hub_->recorder; }
  Context& session_context() const { return *session_ctx_; }
  Context& connect_context() const { return *connect_ctx_; }

  void CloseConnect();
  void CloseSession();

 private:
  void Open(const std::wstring& host, INTERNET_PORT port, DWORD open_flags);
  Hub* hub_;
  Context* session_ctx_ = nullptr;
  Context* connect_ctx_ = nullptr;
  HINTERNET session_ = nullptr;
  HINTERNET connect_ = nullptr;
  std::string setup_error_;
};

struct ExchangeSpec {
  std::wstring verb = L"GET";
  std::string target;  // path?query
  std::string body;    // sent with WinHttpWriteData after the send, in write_chunk pieces
  std::size_t write_chunk = 4096;
  std::size_t read_chunk = 8192;
};

// One request driven through send -> write... -> receive -> (query data -> read)... -> close.
// Driven from the callbacks (Start) or from an application thread (RunOnThisThread), which issues
// each call and waits for its completion notification.
class Exchange : public Context {
 public:
  enum class Phase { idle, sending, writing, receiving, querying, reading, done, failed };

  Exchange(Hub& hub, ExchangeSpec spec);

  // Opens the request on connect and calls WinHttpSendRequest; the callbacks do the rest and, when
  // close_when_done, close the handle from the completion callback that ends the exchange.
  bool Start(HINTERNET connect);
  // Opens the request and drives it from this thread, each call followed by a bounded wait for its
  // completion; closes the handle at the end. False if a wait timed out (the handle is then left
  // open for the test to inspect and close).
  bool RunOnThisThread(HINTERNET connect, std::chrono::milliseconds step_timeout);

  // Called first for every notification; returning true skips the driver (the hook owns the step).
  std::function<bool(Exchange&, HINTERNET, DWORD status, void* info, DWORD length)> hook;
  bool close_when_done = true;
  // Called between WinHttpOpenRequest and WinHttpSendRequest (e.g. to set options); false aborts.
  std::function<bool(HINTERNET)> prepare;
  // Called on the callback thread when a callback-driven exchange has finished (after its close).
  std::function<void(Exchange&)> on_finished;

  bool finished() const { return finished_.load(); }
  Phase phase() const { return phase_.load(); }
  Response result() const;  // complete once finished()
  const ExchangeSpec& spec() const { return spec_; }
  DWORD_PTR error_api() const { return error_api_.load(); }  // API_* of a REQUEST_ERROR, or 0
  std::string Describe() const;

  void OnStatus(HINTERNET h, DWORD status, void* info, DWORD length) override;

  // The next call of the chain after a completion (the driver's core, public for hooks).
  void Continue(HINTERNET h, DWORD status, DWORD value);
  void Fail(HINTERNET h, const char* call, DWORD error);

 private:
  bool Open(HINTERNET connect);
  void Finish(HINTERNET h);
  bool WriteNext(HINTERNET h);

  ExchangeSpec spec_;
  std::atomic<Phase> phase_{Phase::idle};
  std::atomic<bool> finished_{false};
  std::atomic<bool> finish_reported_{false};
  std::atomic<DWORD_PTR> error_api_{0};
  std::size_t written_ = 0;
  std::vector<char> buffer_;
  mutable std::mutex mu_;
  Response result_;
  // Thread-driven mode: completions are queued for the driving thread instead of continued here.
  bool thread_driven_ = false;
  std::condition_variable cv_;
  std::deque<std::pair<DWORD, DWORD>> events_;  // (status, value)
};

// Waits (bounded) until every exchange finished; the failure lists the unfinished ones and the
// recorded notifications.
::testing::AssertionResult AwaitFinished(const std::vector<Exchange*>& exchanges,
                                         std::chrono::milliseconds timeout);

// The value the recorder keeps for a notification (error code, byte count, ...).
unsigned long long NotificationValue(DWORD status, void* info, DWORD length);

}  // namespace hc::winhttp
