#pragma once
// The asynchronous request driver: one request taken through send -> write... -> receive ->
// (query data -> read)... -> close, either from the completion callbacks (Start) or from an
// application thread that issues each call and waits for its completion (RunOnThisThread).
//
//   auto& request = owner.Make<hc::winhttp::AsyncRequest>(hc::winhttp::AsyncRequestSpec{L"GET",
//   "/bytes/100"}); request.Start(connect);               // the callbacks do the rest and close the handle
//   ... hc::AwaitFinished(request, bound) (hc/callback_checks.h), then request.result()
#include <windows.h>
#include <winhttp.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "hc/response.h"
#include "hc/winhttp/context.h"

namespace hc::winhttp {

struct AsyncRequestSpec {
  std::wstring verb = L"GET";
  std::string target;  // path?query
  std::string body;    // sent with WinHttpWriteData after the send, in write_chunk pieces
  std::size_t write_chunk = 4096;
  std::size_t read_chunk = 8192;
  hc::RequestTransport transport;  // plain HTTP unless told
};

class AsyncRequest : public Context {
 public:
  enum class Phase { idle, sending, writing, receiving, querying, reading, done, failed };
  // What the driver does with a notification its hook has seen.
  enum class HookResult { drive, skip };

  AsyncRequest(hc::ContextOwner& owner, AsyncRequestSpec spec);

  // Opens the request on connect and calls WinHttpSendRequest; the callbacks do the rest and,
  // with close_when_done, close the handle from the completion callback that ends the request.
  bool Start(HINTERNET connect);
  // Opens the request and drives it from this thread, each call followed by a wait of at most
  // step_bound for its completion; closes the handle at the end. False if a wait ran out (the
  // handle is then left open for the caller to inspect and close).
  bool RunOnThisThread(HINTERNET connect, std::chrono::milliseconds step_bound);

  // Sees every notification first; HookResult::skip keeps the driver out of it.
  std::function<HookResult(AsyncRequest&, HINTERNET, DWORD status, void* info, DWORD length)> hook;
  bool close_when_done = true;
  // Called between WinHttpOpenRequest and WinHttpSendRequest (e.g. to set options); false aborts.
  std::function<bool(HINTERNET)> prepare;
  // Called on the callback thread when a callback-driven request has finished (after its close).
  std::function<void(AsyncRequest&)> on_finished;

  bool finished() const { return finished_.load(); }
  Phase phase() const { return phase_.load(); }
  hc::Response result() const;  // complete once finished()
  const AsyncRequestSpec& spec() const { return spec_; }
  DWORD_PTR error_api() const { return error_api_.load(); }  // API_* of a REQUEST_ERROR, or 0
  std::string Describe() const override;

  void OnStatus(void* h, unsigned long status, void* info, unsigned long length) override;

 private:
  bool Open(HINTERNET connect);
  bool Send(HINTERNET connect);
  bool OpenFailed(const char* call, DWORD error);
  void Continue(HINTERNET h, DWORD status, DWORD value);  // the next call after a completion
  void Fail(const char* call, DWORD error);
  void Finish();
  void Ended();
  bool WriteNext(HINTERNET h);

  AsyncRequestSpec spec_;
  std::atomic<Phase> phase_{Phase::idle};
  std::atomic<bool> finished_{false};
  std::atomic<bool> finish_reported_{false};
  std::atomic<DWORD_PTR> error_api_{0};
  std::size_t written_ = 0;
  std::vector<char> buffer_;
  mutable std::mutex mu_;
  hc::Response result_;
  // Thread-driven: completions are queued for the driving thread instead of continued here.
  bool thread_driven_ = false;
  std::condition_variable cv_;
  std::deque<std::pair<DWORD, DWORD>> events_;  // (status, value)
};

}  // namespace hc::winhttp
