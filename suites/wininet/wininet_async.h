#pragma once
// Asynchronous WinINet for the suites: a session opened with INTERNET_FLAG_ASYNC whose status
// callback records every notification (with the delivering thread) in an hc::CallbackRecorder,
// and a download driven from the callback as "Asynchronous Operation" (003) describes: the
// completion notification calls the next function that depends on it.
//
// Lifetime: the dwContext of a handle points at a CallbackTarget that must outlive the handle's
// INTERNET_STATUS_HANDLE_CLOSING. Targets are heap objects owned through shared_ptr; Retire()
// keeps one alive for ever (a deliberate leak, reported) when its HANDLE_CLOSING never came.
#include <windows.h>
#include <wininet.h>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "hc/callback_recorder.h"
#include "wininet_util.h"

namespace hc::wininet {

using Millis = std::chrono::milliseconds;

// "INTERNET_STATUS_REQUEST_COMPLETE" etc.; unknown codes as numbers.
std::string StatusName(unsigned long status);

// A recorder that names WinINet status codes in its dumps.
std::shared_ptr<hc::CallbackRecorder> MakeRecorder();

// How RecordingCallback fills Notification::value:
//   REQUEST_COMPLETE: bit 32 = INTERNET_ASYNC_RESULT::dwResult != 0, low 32 bits = dwError;
//   REQUEST_SENT, RESPONSE_RECEIVED: the DWORD byte count; HANDLE_CREATED: the new handle;
//   others: 0.
inline bool CompletedOk(const hc::Notification& n) {
  return (n.value >> 32) != 0;
}
inline DWORD CompletionError(const hc::Notification& n) {
  return static_cast<DWORD>(n.value & 0xffffffffu);
}

// What a handle's dwContext points at.
class CallbackTarget {
 public:
  explicit CallbackTarget(std::shared_ptr<hc::CallbackRecorder> recorder) : recorder_(std::move(recorder)) {}
  virtual ~CallbackTarget() = default;
  CallbackTarget(const CallbackTarget&) = delete;
  CallbackTarget& operator=(const CallbackTarget&) = delete;

  DWORD_PTR context() const { return reinterpret_cast<DWORD_PTR>(this); }
  hc::CallbackRecorder& recorder() const { return *recorder_; }

  // Called on the delivering thread after the notification was recorded.
  virtual void OnStatus(HINTERNET handle, DWORD status, void* info, DWORD length);

  // True once INTERNET_STATUS_HANDLE_CLOSING was delivered for a handle with this context.
  bool closing_seen() const;
  ::testing::AssertionResult AwaitClosing(Millis timeout) const;

 protected:
  std::shared_ptr<hc::CallbackRecorder> recorder_;
  mutable std::mutex state_mu_;
  mutable std::condition_variable state_cv_;
  bool closing_seen_ = false;
};

// The status callback of every async test: records, then calls the target's OnStatus.
void CALLBACK RecordingCallback(HINTERNET handle, DWORD_PTR context, DWORD status, LPVOID info, DWORD length);

// An INTERNET_FLAG_ASYNC session with RecordingCallback installed (children inherit it).
// InternetOpen takes no context value, so the session handle itself reports nothing.
Handle OpenAsyncSession();

// A connect handle whose context is `target`.
Handle ConnectAsync(HINTERNET session, std::uint16_t port, CallbackTarget& target);

// A GET of `target` (path?query) on an async connect handle, driven from the status callback:
// HttpSendRequest -> REQUEST_COMPLETE -> status code -> InternetQueryDataAvailable /
// InternetReadFile until the end, every step on whichever thread delivered the completion.
// Calls on the request handle are serialized by the object (the pattern of WI-SERIALIZE-REQUEST).
class AsyncDownload : public CallbackTarget {
 public:
  enum class Phase { created, sending, reading, done, failed, aborted };

  struct ProgressPoint {
    DWORD status = 0;
    unsigned long long value = 0;  // as in the recorder
    std::size_t body_bytes = 0;    // body bytes the application had read when it arrived
    std::uint64_t t_us = 0;        // steady clock, microseconds
  };

  AsyncDownload(std::shared_ptr<hc::CallbackRecorder> recorder, std::string target,
                DWORD flags = kNoCacheFlags);

  // HttpOpenRequest + HttpSendRequest on the calling thread. Returns 0 if HttpSendRequest
  // returned TRUE, else its GetLastError() (ERROR_IO_PENDING for a started asynchronous send).
  // The opening thread is remembered in start_thread().
  DWORD Start(HINTERNET connect);

  // From now on, the first notification `status` for this request makes the callback close the
  // request handle (WI-ABORT-IN-CALLBACK) instead of continuing. Call before Start.
  void CloseInCallbackOn(DWORD status, Phase only_in_phase);

  HINTERNET handle() const { return handle_; }
  const std::string& target() const { return target_; }
  unsigned long start_thread() const { return start_thread_; }

  // Bounded wait for done, failed or aborted; the failure carries the recorded notifications.
  ::testing::AssertionResult AwaitFinished(Millis timeout) const;

  Phase phase() const;
  DWORD status_code() const;
  std::string body() const;
  DWORD error() const;                    // first failure's error code
  std::string failed_call() const;        // and the call that failed
  bool close_in_callback_result() const;  // InternetCloseHandle's return inside the callback
  unsigned long close_thread() const;
  std::vector<ProgressPoint> progress() const;
  std::string Describe() const;

  // Closes the request handle unless it is already closed (in a callback, or as part of a
  // closed subtree: closing_seen()). Does not wait.
  void Close();

 private:
  void OnStatus(HINTERNET handle, DWORD status, void* info, DWORD length) override;
  void Continue(HINTERNET h);  // read loop; io_mu_ held
  void Fail(const char* call, DWORD error);
  void Finish(Phase p);

  const std::string target_;
  const DWORD flags_;
  HINTERNET handle_ = nullptr;
  unsigned long start_thread_ = 0;
  std::chrono::steady_clock::time_point t0_;

  std::recursive_mutex io_mu_;  // serializes every call on the request handle
  std::vector<char> buffer_;
  DWORD pending_read_ = 0;  // written by an InternetReadFile that returned ERROR_IO_PENDING
  bool read_pending_ = false;

  // guarded by state_mu_
  Phase phase_ = Phase::created;
  DWORD status_code_ = 0;
  std::string body_;
  DWORD error_ = 0;
  std::string failed_call_;
  DWORD close_on_ = 0;
  Phase close_phase_ = Phase::created;
  bool closed_ = false;
  bool close_result_ = false;
  unsigned long close_thread_ = 0;
  std::vector<ProgressPoint> progress_;
};

// INTERNET_STATUS_HANDLE_CLOSING arrived exactly once for `context` and nothing with that context
// came after it (handle values are recycled quickly, contexts here are not).
::testing::AssertionResult ClosingIsLast(const std::vector<hc::Notification>& log, std::uintptr_t context);

// Empty when body is localserver's JSON echo of a GET of target (path?query) with status 200.
std::string EchoProblem(DWORD status, const std::string& body, const std::string& target);

// Closes `handle` if given, then waits for target's HANDLE_CLOSING. If it does not come within
// timeout the target is kept alive for the rest of the process (a callback may still use it)
// and the returned failure says so.
::testing::AssertionResult Retire(std::shared_ptr<CallbackTarget> target, HINTERNET handle, Millis timeout);

}  // namespace hc::wininet
