// WinINet patterns where Microsoft's pages disagree or a wrapper library relies on more than they
// promise (tests: wininet_dispute_unsafe_test.cpp):
//  wi-close-racing-send      InternetCloseHandle from another thread at a random moment around an
//                            asynchronous HttpSendRequest, before or after it returned
//                            (WI-NO-CROSS-THREAD-CLOSE)
//  wi-close-after-pending    safe: the close from another thread only once HttpSendRequest returned
//                            ERROR_IO_PENDING (WI-CLOSE-PENDING-SAFE)
//  wi-quick-close-completion a wrapper closes its asynchronous request moments after issuing it
//                            and waits for REQUEST_COMPLETE (not promised after a close)
//  wi-quick-close-closing    safe: the same wrapper waits for HANDLE_CLOSING
//                            (WI-CLOSING-AFTER-QUICK-CLOSE)
//  wi-use-after-close        HttpAddRequestHeaders on a closed request's handle value while
//                            another thread opens a request (WI-CLOSE-NO-REUSE)
//  wi-no-use-after-close     safe: the closed handle is forgotten at once
//  wi-released-buffer        the buffer of an InternetReadFile that returned ERROR_IO_PENDING is
//                            released (poisoned) at once (WI-BUFFER-UNTIL-COMPLETE)
//  wi-kept-buffer            safe: the buffer kept until REQUEST_COMPLETE
//  wi-shared-connect         64 threads create, use (send_every=N: 1 in N) and close requests on
//                            one connect handle at once (WI-CONCURRENT-REQUESTS: documented as fine)
//  wi-serialized-connect     the same with HttpOpenRequest and InternetCloseHandle under one lock
#include <atomic>
#include <condition_variable>
#include <cstring>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include <hc_protocol/body_pattern.h>
#include <hc_protocol/pattern_paths.h>

#include "hc/latch.h"
#include "hc/wininet/context.h"
#include "hc/wininet/names.h"
#include "hc/wininet/session.h"
#include "hc/wininet/sync_request.h"
#include "wininet_trials.h"

namespace hc::unsafe {
namespace {

using std::chrono::microseconds;
using std::chrono::milliseconds;
using trial::SpinFor;

// Below a hazard trial's bound (1 s): a notification that has not come by then is counted as
// missing, not as a hang of the trial.
constexpr milliseconds kDisputeWaitBound{600};

// A request's context that remembers its completions and wakes whoever waits for them.
class Watched : public hc::CallbackContext {
 public:
  using hc::CallbackContext::CallbackContext;

  void OnStatus(void*, unsigned long status, void* info, unsigned long) override {
    std::lock_guard lock(mu_);
    if (status == INTERNET_STATUS_REQUEST_COMPLETE) {
      ++completes_;
      const auto* r = static_cast<const INTERNET_ASYNC_RESULT*>(info);
      last_ok_ = r != nullptr && r->dwResult != 0;
    }
    cv_.notify_all();
  }
  // Waits for the n-th REQUEST_COMPLETE; false after the bound.
  bool WaitComplete(int n, milliseconds bound) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, bound, [&] { return completes_ >= n; });
  }
  int completes() const {
    std::lock_guard lock(mu_);
    return completes_;
  }
  bool last_ok() const {
    std::lock_guard lock(mu_);
    return last_ok_;
  }

 private:
  mutable std::mutex mu_;
  std::condition_variable cv_;
  int completes_ = 0;
  bool last_ok_ = false;
};

// An asynchronous session with the status callback, connected to the trial's server.
hc::Connection OpenAsync(const Trial& trial) {
  return hc::OpenConnection(wininet::kApi, static_cast<std::uint16_t>(trial.port()),
                            {.async = true, .callbacks = true, .timeout = kTrialCallBound});
}

// A request on c with a fresh Watched context (adopted).
HINTERNET OpenWatched(const hc::Connection& c, const std::string& target, Watched*& ctx) {
  ctx = &TrialContexts(wininet::kApi).Make<Watched>();
  HINTERNET h = wininet::OpenRequest(c.connect.get(), "GET", target, wininet::kNoCacheFlags, ctx->value());
  if (h != nullptr)
    ctx->Adopt(h);
  return h;
}

// A trial's asynchronous connection (OpenAsync) and a request on it with a fresh Watched context
// (OpenWatched); `failed` is the harness error when the session, connection or request failed.
struct WatchedTrial {
  hc::Connection c;
  Watched* ctx = nullptr;
  HINTERNET h = nullptr;
  std::optional<Outcome> failed;
};

WatchedTrial OpenWatchedTrial(const Trial& trial, const std::string& target) {
  WatchedTrial w;
  w.c = OpenAsync(trial);
  if (w.c)
    w.h = OpenWatched(w.c, target, w.ctx);
  if (!w.h)
    w.failed = HarnessError("InternetOpen/Connect/HttpOpenRequest");
  return w;
}

// What HANDLE_CLOSING showed for a closed request: once, last, within the bound.
std::optional<Outcome> ClosingProblem(const Watched& ctx, const std::string& where) {
  if (!ctx.WaitForClosing(kDisputeWaitBound))
    return Outcome{"no HANDLE_CLOSING", where};
  Sleep(2);  // a callback after HANDLE_CLOSING would show up here
  if (ctx.closing_count() != 1)
    return Outcome{"HANDLE_CLOSING " + std::to_string(ctx.closing_count()) + " times", where};
  if (ctx.after_closing() > 0)
    return Outcome{"callback after HANDLE_CLOSING", where};
  return std::nullopt;
}

std::string SendResult(BOOL ok, DWORD error) {
  return ok ? "send returned TRUE" : "send: " + wininet::ErrorName(error);
}

// ---- wi-close-racing-send / wi-close-after-pending ------------------------------------------------

Outcome CloseAroundSend(Trial& trial, bool after_pending) {
  const auto w = OpenWatchedTrial(trial, "/delay/50?trial=" + std::to_string(trial.index()));
  if (w.failed)
    return *w.failed;
  const auto delay = microseconds(trial.Uniform(0, trial.IntArg("max_delay_us", 300)));
  hc::Latch start(2);
  std::atomic<bool> returned{false};
  BOOL sent = FALSE;
  DWORD send_error = 0;
  std::atomic<bool> close_before_return{false};
  std::thread sender([&] {
    start.ArriveAndWait();
    trial.Stage("sender", "in HttpSendRequest");
    sent = HttpSendRequestA(w.h, nullptr, 0, nullptr, 0);
    send_error = sent ? 0 : GetLastError();
    returned = true;
    trial.Stage("sender", "");
  });
  int closed = 0;
  std::thread closer([&] {
    start.ArriveAndWait();
    if (after_pending) {
      while (!returned.load())
        std::this_thread::yield();  // bounded by the trial's own bound
      if (sent || send_error != ERROR_IO_PENDING)
        return;  // no pending I/O to cancel: the trial says so below
    }
    SpinFor(delay);
    close_before_return = !returned.load();
    trial.Stage("closer", "in InternetCloseHandle");
    closed = w.ctx->Close();
    trial.Stage("closer", "");
  });
  sender.join();
  closer.join();
  trial.Note("close_delay_us", delay.count());
  if (after_pending && (sent || send_error != ERROR_IO_PENDING)) {
    w.ctx->Close();
    return HarnessError("HttpSendRequest did not return ERROR_IO_PENDING (" + SendResult(sent, send_error) +
                        ")");
  }
  const std::string where = std::string(close_before_return ? "closed before the send returned, "
                                                            : "closed after the send returned, ") +
                            SendResult(sent, send_error);
  if (!closed)
    return {"close failed", where};
  if (auto p = ClosingProblem(*w.ctx, where))
    return *p;
  if (w.ctx->completes() > 0 && w.ctx->last_ok())
    return {"completed after the close", where};
  return Outcome::Success(where);
}

// ---- wi-quick-close-completion / wi-quick-close-closing ------------------------------------------

// A wrapper's shutdown: issue the request, close it 0-50 us later from the same thread, then wait
// for the one callback it relies on.
Outcome QuickClose(Trial& trial, bool wait_for_closing) {
  const auto w = OpenWatchedTrial(trial, "/get?trial=" + std::to_string(trial.index()));
  if (w.failed)
    return *w.failed;
  const BOOL sent = HttpSendRequestA(w.h, nullptr, 0, nullptr, 0);
  const DWORD send_error = sent ? 0 : GetLastError();
  SpinFor(microseconds(trial.Uniform(0, 50)));
  if (!w.ctx->Close())
    return {"close failed", SendResult(sent, send_error)};
  const std::string where = SendResult(sent, send_error);
  if (wait_for_closing) {
    if (auto p = ClosingProblem(*w.ctx, where))
      return *p;
    return Outcome::Success(where + (w.ctx->completes() > 0 ? ", REQUEST_COMPLETE came too" : ""));
  }
  const bool completed = w.ctx->WaitComplete(1, kDisputeWaitBound);
  w.ctx->WaitForClosing(kDisputeWaitBound);  // before the context's trial ends
  if (!completed)
    return {"no REQUEST_COMPLETE: the wrapper would wait forever", where};
  return Outcome::Success(where);
}

// ---- wi-use-after-close / wi-no-use-after-close --------------------------------------------------

std::string Echo(HINTERNET request) {
  std::string body;
  if (!HttpSendRequestA(request, nullptr, 0, nullptr, 0))
    return body;
  DWORD error = 0;
  wininet::ReadAll(request, body, error);
  return body;
}

Outcome UseAfterClose(Trial& trial, bool use_stale) {
  const auto c = hc::OpenConnection(wininet::kApi, static_cast<std::uint16_t>(trial.port()),
                                    {.timeout = kTrialCallBound});
  if (!c)
    return HarnessError("InternetOpen/InternetConnect");
  const std::string tag = std::to_string(trial.index());
  HINTERNET first = wininet::OpenRequest(c.connect.get(), "GET", "/anything?handle=first&trial=" + tag);
  if (!first)
    return HarnessError("HttpOpenRequest");
  const auto d_close = microseconds(trial.Uniform(0, 40));
  const auto d_open = microseconds(trial.Uniform(0, 40));
  BOOL stale_ok = FALSE;
  DWORD stale_error = 0;
  HINTERNET second = nullptr;
  hc::Latch start(2);
  std::thread closer([&] {
    start.ArriveAndWait();
    HINTERNET stale = first;  // what the careless thread still holds
    InternetCloseHandle(first);
    if (!use_stale)
      return;
    SpinFor(d_close);
    const std::string header = "X-Stale: " + tag;
    stale_ok = HttpAddRequestHeadersA(stale, header.c_str(), static_cast<DWORD>(-1), HTTP_ADDREQ_FLAG_ADD);
    stale_error = stale_ok ? 0 : GetLastError();
  });
  std::thread opener([&] {
    start.ArriveAndWait();
    SpinFor(d_open);
    second = wininet::OpenRequest(c.connect.get(), "GET", "/anything?handle=second&trial=" + tag);
  });
  closer.join();
  opener.join();
  if (!second)
    return HarnessError("second HttpOpenRequest");
  const bool reused = second == first;
  trial.Note("value_reused", reused ? 1 : 0);
  const std::string value = reused ? "handle value reused by the new request" : "handle value not reused";
  const std::string body = Echo(second);
  InternetCloseHandle(second);
  if (body.empty())
    return {"new request failed", value};
  if (body.find("X-Stale") != std::string::npos)
    return {"stale call hit the new handle", value};
  if (!use_stale)
    return Outcome::Success(value);
  if (stale_ok)
    return {"stale call succeeded", value};
  return {"error " + std::to_string(stale_error), value};
}

// ---- wi-released-buffer / wi-kept-buffer ---------------------------------------------------------

constexpr std::size_t kBufferBodySize = 2048;
constexpr std::size_t kBufferPiece = 512;
constexpr int kBufferPieceDelayMs = 3;  // once the piece that has arrived is read, the next read pends
constexpr unsigned char kPoison = 0xDD;

Outcome ReleasedBuffer(Trial& trial, bool keep) {
  const std::uint64_t seed = trial.seed() & 0xFFFFFFFFull;
  const auto w = OpenWatchedTrial(
      trial, hc_protocol::StreamBytesPath(seed, kBufferBodySize, kBufferPiece, kBufferPieceDelayMs));
  if (w.failed)
    return *w.failed;
  auto end = [&](Outcome o) {
    w.ctx->Close();
    w.ctx->WaitForClosing(kDisputeWaitBound);
    return o;
  };
  if (!HttpSendRequestA(w.h, nullptr, 0, nullptr, 0)) {
    if (GetLastError() != ERROR_IO_PENDING)
      return end(HarnessError("HttpSendRequest"));
    if (!w.ctx->WaitComplete(1, kDisputeWaitBound) || !w.ctx->last_ok())
      return end(HarnessError("HttpSendRequest's REQUEST_COMPLETE"));
  }
  // Never freed, only poisoned: the buffers outlive the trial (see patterns.h). Reads that
  // complete at once take what has arrived; the first one that pends is the subject.
  static DWORD read_count;  // must outlive the call too
  unsigned char* buffer = nullptr;
  int completes_before = 0;
  std::size_t consumed = 0;
  for (;;) {
    buffer = new unsigned char[kBufferBodySize];
    std::memset(buffer, 0, kBufferBodySize);
    read_count = 0;
    completes_before = w.ctx->completes();
    if (!InternetReadFile(w.h, buffer, static_cast<DWORD>(kBufferBodySize), &read_count)) {
      if (GetLastError() != ERROR_IO_PENDING)
        return end(Outcome::Error(GetLastError(), "InternetReadFile"));
      break;
    }
    if (read_count == 0)
      return end(keep ? Outcome::Success("no read pended: the body arrived faster than it was read")
                      : Outcome{"no read pended", "the body arrived faster than it was read"});
    consumed += read_count;
  }
  trial.Note("consumed_before_pending", static_cast<std::int64_t>(consumed));
  // Whether the body's next bytes were in the buffer already when ERROR_IO_PENDING was returned.
  const std::string expected_start = hc_protocol::PatternBytes(seed, consumed, 16);
  const bool filled_before = std::memcmp(buffer, expected_start.data(), expected_start.size()) == 0;
  trial.Note("filled_before_pending_returned", filled_before ? 1 : 0);
  if (!keep)
    std::memset(buffer, kPoison, kBufferPiece);  // "released": the application reuses it
  if (!w.ctx->WaitComplete(completes_before + 1, kDisputeWaitBound))
    return end({"no REQUEST_COMPLETE for the pending read", keep ? "buffer kept" : "buffer released"});
  if (read_count == 0)
    return end(
        keep ? Outcome::Success("the pending read found the end of the body")
             : Outcome{"no data for the released buffer", "the pending read found the end of the body"});
  std::size_t poisoned = 0;
  for (std::size_t i = 0; i < kBufferPiece; ++i)
    poisoned += buffer[i] == kPoison ? 1 : 0;
  // The first bytes of the body, as the completed read reports them.
  const std::size_t n = std::min<std::size_t>(read_count, 64);
  const std::string got(reinterpret_cast<const char*>(buffer), n);
  const bool pattern = n > 0 && got == hc_protocol::PatternBytes(seed, consumed, n);
  trial.Note("read_bytes", static_cast<std::int64_t>(read_count));
  trial.Note("poisoned_bytes_left", static_cast<std::int64_t>(poisoned));
  if (keep)
    return end(pattern
                   ? Outcome::Success("the completed read's data is in the kept buffer")
                   : Outcome{"kept buffer lacks the data", std::to_string(poisoned) + " bytes unchanged"});
  if (filled_before)
    return end({"data was in the buffer before ERROR_IO_PENDING returned",
                std::to_string(poisoned) + " poisoned bytes left at REQUEST_COMPLETE"});
  if (pattern)
    return end({"the API wrote into the released buffer", "the body's bytes replaced the application's"});
  return end({"released buffer not written", std::to_string(poisoned) + " poisoned bytes left"});
}

// ---- wi-shared-connect / wi-serialized-connect ---------------------------------------------------

constexpr int kSharedConnectThreads = 64;
constexpr int kSharedConnectCycles = 2;     // request lifetimes per thread and trial
constexpr int kSharedConnectSendEvery = 8;  // 1 in 8 lifetimes also sends and reads

// kSharedConnectThreads threads that live as long as the trial program and run one job per trial:
// starting 64 threads per trial would cost more than the trial. Never destroyed: after a hang
// its threads may be stuck anywhere (the process then ends, see hc/trial_child.h).
class SharedConnectGang {
 public:
  static SharedConnectGang& Get() {
    static auto* gang = new SharedConnectGang();
    return *gang;
  }
  // job(t) on every thread, released together; returns once every one returned (the trial's
  // bound ends a trial that never does).
  void Run(const std::function<void(int)>& job) {
    std::unique_lock lock(mu_);
    job_ = &job;
    remaining_ = kSharedConnectThreads;
    ++generation_;
    start_.notify_all();
    done_.wait(lock, [&] { return remaining_ == 0; });
    job_ = nullptr;
  }

 private:
  SharedConnectGang() {
    for (int t = 0; t < kSharedConnectThreads; ++t)
      std::thread([this, t] { Loop(t); }).detach();
  }
  void Loop(int t) {
    std::uint64_t seen = 0;
    for (;;) {
      std::unique_lock lock(mu_);
      start_.wait(lock, [&] { return generation_ != seen; });
      seen = generation_;
      const auto* job = job_;
      lock.unlock();
      (*job)(t);
      lock.lock();
      if (--remaining_ == 0)
        done_.notify_all();
    }
  }
  std::mutex mu_;
  std::condition_variable start_, done_;
  const std::function<void(int)>* job_ = nullptr;
  std::uint64_t generation_ = 0;
  int remaining_ = 0;
};

Outcome SharedConnect(Trial& trial, bool serialized) {
  auto c = hc::OpenConnection(wininet::kApi, static_cast<std::uint16_t>(trial.port()),
                              {.timeout = kTrialCallBound});
  if (!c)
    return HarnessError("InternetOpen/InternetConnect");
  std::mutex handle_mu;
  std::atomic<int> failures{0}, sends{0};
  std::atomic<unsigned long> first_error{0};
  const int cycles = static_cast<int>(trial.IntArg("cycles", kSharedConnectCycles));
  const int send_every =
      static_cast<int>(std::max<std::int64_t>(1, trial.IntArg("send_every", kSharedConnectSendEvery)));
  const int offset = static_cast<int>(trial.Uniform(0, send_every - 1));
  const std::function<void(int)> job = [&](int t) {
    std::string who = "thread ";  // built in two steps: GCC 12 misreads "..." + std::to_string(t)
    who += std::to_string(t);
    for (int i = 0; i < cycles; ++i) {
      const std::string target = "/get?t=" + std::to_string(t) + "&i=" + std::to_string(i);
      trial.Stage(who, "in HttpOpenRequest");
      HINTERNET h = nullptr;
      {
        std::unique_lock lock(handle_mu, std::defer_lock);
        if (serialized)
          lock.lock();
        h = wininet::OpenRequest(c.connect.get(), "GET", target);
      }
      if (!h) {
        first_error.store(GetLastError());
        ++failures;
        continue;
      }
      if ((t * cycles + i + offset) % send_every == 0) {
        ++sends;
        trial.Stage(who, "in HttpSendRequest");
        if (!HttpSendRequestA(h, nullptr, 0, nullptr, 0)) {
          first_error.store(GetLastError());
          ++failures;
        } else {
          trial.Stage(who, "in InternetReadFile");
          std::string body;
          DWORD error = 0;
          if (!wininet::ReadAll(h, body, error) || body.find("\"seq\"") == std::string::npos) {
            first_error.store(error);
            ++failures;
          }
        }
      }
      trial.Stage(who, "in InternetCloseHandle");
      std::unique_lock lock(handle_mu, std::defer_lock);
      if (serialized)
        lock.lock();
      InternetCloseHandle(h);
    }
    trial.Stage(who, "");
  };
  SharedConnectGang::Get().Run(job);
  // Every request is closed; what is left is the connect handle (its list of children) and the
  // session.
  trial.Stage("trial", "in InternetCloseHandle of the connect handle");
  c.connect.reset();
  trial.Stage("trial", "in InternetCloseHandle of the session");
  c.session.reset();
  trial.Stage("trial", "");
  trial.Note("sends", sends.load());
  if (failures > 0)
    return {"call failed",
            std::to_string(failures.load()) + " failures, first error " + std::to_string(first_error.load())};
  return Outcome::Success();
}

}  // namespace

void AddWinInetDisputePatterns(Patterns& p) {
  p["wi-close-racing-send"] = [](Trial& t) { return CloseAroundSend(t, false); };
  p["wi-close-after-pending"] = [](Trial& t) { return CloseAroundSend(t, true); };
  p["wi-quick-close-completion"] = [](Trial& t) { return QuickClose(t, false); };
  p["wi-quick-close-closing"] = [](Trial& t) { return QuickClose(t, true); };
  p["wi-use-after-close"] = [](Trial& t) { return UseAfterClose(t, true); };
  p["wi-no-use-after-close"] = [](Trial& t) { return UseAfterClose(t, false); };
  p["wi-released-buffer"] = [](Trial& t) { return ReleasedBuffer(t, false); };
  p["wi-kept-buffer"] = [](Trial& t) { return ReleasedBuffer(t, true); };
  p["wi-shared-connect"] = [](Trial& t) { return SharedConnect(t, false); };
  p["wi-serialized-connect"] = [](Trial& t) { return SharedConnect(t, true); };
}

}  // namespace hc::unsafe
