#include "wininet_async.h"

#include <algorithm>
#include <sstream>

#include <nlohmann/json.hpp>

namespace hc::wininet {

std::string StatusName(unsigned long status) {
  switch (status) {
#define HC_STATUS(name) \
  case name:            \
    return #name;
    HC_STATUS(INTERNET_STATUS_RESOLVING_NAME)
    HC_STATUS(INTERNET_STATUS_NAME_RESOLVED)
    HC_STATUS(INTERNET_STATUS_CONNECTING_TO_SERVER)
    HC_STATUS(INTERNET_STATUS_CONNECTED_TO_SERVER)
    HC_STATUS(INTERNET_STATUS_SENDING_REQUEST)
    HC_STATUS(INTERNET_STATUS_REQUEST_SENT)
    HC_STATUS(INTERNET_STATUS_RECEIVING_RESPONSE)
    HC_STATUS(INTERNET_STATUS_RESPONSE_RECEIVED)
    HC_STATUS(INTERNET_STATUS_CTL_RESPONSE_RECEIVED)
    HC_STATUS(INTERNET_STATUS_PREFETCH)
    HC_STATUS(INTERNET_STATUS_CLOSING_CONNECTION)
    HC_STATUS(INTERNET_STATUS_CONNECTION_CLOSED)
    HC_STATUS(INTERNET_STATUS_HANDLE_CREATED)
    HC_STATUS(INTERNET_STATUS_HANDLE_CLOSING)
    HC_STATUS(INTERNET_STATUS_DETECTING_PROXY)
    HC_STATUS(INTERNET_STATUS_REQUEST_COMPLETE)
    HC_STATUS(INTERNET_STATUS_REDIRECT)
    HC_STATUS(INTERNET_STATUS_INTERMEDIATE_RESPONSE)
    HC_STATUS(INTERNET_STATUS_USER_INPUT_REQUIRED)
    HC_STATUS(INTERNET_STATUS_STATE_CHANGE)
    HC_STATUS(INTERNET_STATUS_COOKIE_SENT)
    HC_STATUS(INTERNET_STATUS_COOKIE_RECEIVED)
    HC_STATUS(INTERNET_STATUS_PRIVACY_IMPACTED)
    HC_STATUS(INTERNET_STATUS_P3P_HEADER)
    HC_STATUS(INTERNET_STATUS_P3P_POLICYREF)
    HC_STATUS(INTERNET_STATUS_COOKIE_HISTORY)
#undef HC_STATUS
    default:
      return "status " + std::to_string(status);
  }
}

std::shared_ptr<hc::CallbackRecorder> MakeRecorder() {
  return std::make_shared<hc::CallbackRecorder>([](unsigned long s) { return StatusName(s); });
}

void CallbackTarget::OnStatus(HINTERNET, DWORD status, void*, DWORD) {
  if (status != INTERNET_STATUS_HANDLE_CLOSING)
    return;
  {
    std::lock_guard lock(state_mu_);
    closing_seen_ = true;
  }
  state_cv_.notify_all();
}

bool CallbackTarget::closing_seen() const {
  std::lock_guard lock(state_mu_);
  return closing_seen_;
}

::testing::AssertionResult CallbackTarget::AwaitClosing(Millis timeout) const {
  std::unique_lock lock(state_mu_);
  if (state_cv_.wait_for(lock, timeout, [&] { return closing_seen_; }))
    return ::testing::AssertionSuccess();
  lock.unlock();
  return ::testing::AssertionFailure() << "no INTERNET_STATUS_HANDLE_CLOSING for context " << this
                                       << " within " << timeout.count() << " ms; notifications:\n"
                                       << recorder_->Dump();
}

void CALLBACK RecordingCallback(HINTERNET handle, DWORD_PTR context, DWORD status, LPVOID info,
                                DWORD length) {
  hc::Notification n;
  n.handle = reinterpret_cast<std::uintptr_t>(handle);
  n.context = static_cast<std::uintptr_t>(context);
  n.status = status;
  n.thread_id = GetCurrentThreadId();
  n.info_length = length;
  if (info != nullptr) {
    switch (status) {
      case INTERNET_STATUS_REQUEST_COMPLETE:
      case INTERNET_STATUS_HANDLE_CREATED:
        if (length >= sizeof(INTERNET_ASYNC_RESULT)) {
          const auto* r = static_cast<const INTERNET_ASYNC_RESULT*>(info);
          n.value = status == INTERNET_STATUS_HANDLE_CREATED
                        ? static_cast<unsigned long long>(r->dwResult)
                        : (static_cast<unsigned long long>(r->dwResult != 0) << 32) | r->dwError;
        }
        break;
      case INTERNET_STATUS_REQUEST_SENT:
      case INTERNET_STATUS_RESPONSE_RECEIVED:
        if (length >= sizeof(DWORD))
          n.value = *static_cast<const DWORD*>(info);
        break;
      default:
        break;
    }
  }
  if (context == 0)
    return;  // not one of ours (the session handle has no context)
  auto* target = reinterpret_cast<CallbackTarget*>(context);
  target->recorder().Record(n);
  target->OnStatus(handle, status, info, length);
}

Handle OpenAsyncSession() {
  Handle session = OpenSession(INTERNET_FLAG_ASYNC);
  if (session)
    InternetSetStatusCallbackA(session.get(), &RecordingCallback);
  return session;
}

Handle ConnectAsync(HINTERNET session, std::uint16_t port, CallbackTarget& target) {
  return Handle(InternetConnectA(session, "127.0.0.1", port, nullptr, nullptr, INTERNET_SERVICE_HTTP, 0,
                                 target.context()));
}

// --- AsyncDownload ---

AsyncDownload::AsyncDownload(std::shared_ptr<hc::CallbackRecorder> recorder, std::string target, DWORD flags)
    : CallbackTarget(std::move(recorder)),
      target_(std::move(target)),
      flags_(flags),
      t0_(std::chrono::steady_clock::now()),
      buffer_(8192) {}

void AsyncDownload::CloseInCallbackOn(DWORD status, Phase only_in_phase) {
  std::lock_guard lock(state_mu_);
  close_on_ = status;
  close_phase_ = only_in_phase;
}

DWORD AsyncDownload::Start(HINTERNET connect) {
  std::lock_guard io(io_mu_);
  start_thread_ = GetCurrentThreadId();
  {
    std::lock_guard lock(state_mu_);
    phase_ = Phase::sending;
  }
  handle_ = HttpOpenRequestA(connect, "GET", target_.c_str(), nullptr, nullptr, nullptr,
                             flags_ | INTERNET_FLAG_KEEP_CONNECTION, context());
  if (handle_ == nullptr) {
    const DWORD e = GetLastError();
    Fail("HttpOpenRequest", e);
    return e;
  }
  if (HttpSendRequestA(handle_, nullptr, 0, nullptr, 0)) {
    // Completed at once: the callback may or may not also report REQUEST_COMPLETE; reading
    // starts here if it has not started there.
    bool start_reading = false;
    {
      std::lock_guard lock(state_mu_);
      if (phase_ == Phase::sending) {
        phase_ = Phase::reading;
        start_reading = true;
      }
    }
    if (start_reading) {
      DWORD code = 0, size = sizeof(code);
      if (HttpQueryInfoA(handle_, HTTP_QUERY_STATUS_CODE | HTTP_QUERY_FLAG_NUMBER, &code, &size, nullptr)) {
        std::lock_guard lock(state_mu_);
        status_code_ = code;
      }
      Continue(handle_);
    }
    return 0;
  }
  const DWORD e = GetLastError();
  if (e != ERROR_IO_PENDING)
    Fail("HttpSendRequest", e);
  return e;
}

void AsyncDownload::Fail(const char* call, DWORD error) {
  {
    std::lock_guard lock(state_mu_);
    if (phase_ == Phase::done || phase_ == Phase::failed || phase_ == Phase::aborted)
      return;
    phase_ = Phase::failed;
    error_ = error;
    failed_call_ = call;
  }
  state_cv_.notify_all();
}

void AsyncDownload::Finish(Phase p) {
  {
    std::lock_guard lock(state_mu_);
    if (phase_ == Phase::done || phase_ == Phase::failed || phase_ == Phase::aborted)
      return;
    phase_ = p;
  }
  state_cv_.notify_all();
}

void AsyncDownload::Continue(HINTERNET h) {
  for (;;) {
    {
      std::lock_guard lock(state_mu_);
      if (phase_ != Phase::reading || closed_)
        return;
    }
    DWORD available = 0;
    if (!InternetQueryDataAvailable(h, &available, 0, 0)) {
      const DWORD e = GetLastError();
      if (e != ERROR_IO_PENDING)
        Fail("InternetQueryDataAvailable", e);
      return;  // REQUEST_COMPLETE continues
    }
    if (available == 0) {
      Finish(Phase::done);
      return;
    }
    const DWORD want = std::min<DWORD>(available, static_cast<DWORD>(buffer_.size()));
    pending_read_ = 0;
    if (!InternetReadFile(h, buffer_.data(), want, &pending_read_)) {
      const DWORD e = GetLastError();
      if (e == ERROR_IO_PENDING) {
        read_pending_ = true;  // REQUEST_COMPLETE delivers pending_read_ bytes
        return;
      }
      Fail("InternetReadFile", e);
      return;
    }
    if (pending_read_ == 0) {
      Finish(Phase::done);
      return;
    }
    std::lock_guard lock(state_mu_);
    body_.append(buffer_.data(), pending_read_);
  }
}

void AsyncDownload::OnStatus(HINTERNET h, DWORD status, void* info, DWORD length) {
  CallbackTarget::OnStatus(h, status, info, length);
  bool close_now = false;
  {
    std::lock_guard lock(state_mu_);
    ProgressPoint p;
    p.status = status;
    p.body_bytes = body_.size();
    p.t_us = static_cast<std::uint64_t>(
        std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - t0_)
            .count());
    if (info != nullptr && length >= sizeof(DWORD) &&
        (status == INTERNET_STATUS_RESPONSE_RECEIVED || status == INTERNET_STATUS_REQUEST_SENT))
      p.value = *static_cast<const DWORD*>(info);
    progress_.push_back(p);
    if (close_on_ != 0 && status == close_on_ && phase_ == close_phase_ && !closed_) {
      closed_ = true;
      close_now = true;
    }
  }
  if (close_now) {
    // WI-ABORT-IN-CALLBACK: the request is aborted by closing its handle inside its callback.
    const BOOL closed = InternetCloseHandle(h);
    {
      std::lock_guard lock(state_mu_);
      close_result_ = closed != FALSE;
      close_thread_ = GetCurrentThreadId();
    }
    Finish(Phase::aborted);
    return;
  }
  if (status != INTERNET_STATUS_REQUEST_COMPLETE || info == nullptr || length < sizeof(INTERNET_ASYNC_RESULT))
    return;
  const auto* result = static_cast<const INTERNET_ASYNC_RESULT*>(info);
  std::lock_guard io(io_mu_);
  Phase phase;
  {
    std::lock_guard lock(state_mu_);
    phase = phase_;
    if (closed_)
      return;
  }
  if (phase == Phase::sending) {
    if (result->dwResult == 0) {
      Fail("HttpSendRequest (REQUEST_COMPLETE)", result->dwError);
      return;
    }
    DWORD code = 0, size = sizeof(code);
    if (!HttpQueryInfoA(h, HTTP_QUERY_STATUS_CODE | HTTP_QUERY_FLAG_NUMBER, &code, &size, nullptr)) {
      Fail("HttpQueryInfo", GetLastError());
      return;
    }
    {
      std::lock_guard lock(state_mu_);
      status_code_ = code;
      phase_ = Phase::reading;
    }
    Continue(h);
  } else if (phase == Phase::reading) {
    if (result->dwResult == 0) {
      Fail(read_pending_ ? "InternetReadFile (REQUEST_COMPLETE)"
                         : "InternetQueryDataAvailable (REQUEST_COMPLETE)",
           result->dwError);
      return;
    }
    if (read_pending_) {
      read_pending_ = false;
      if (pending_read_ == 0) {
        Finish(Phase::done);
        return;
      }
      std::lock_guard lock(state_mu_);
      body_.append(buffer_.data(), pending_read_);
    }
    Continue(h);
  }
}

void AsyncDownload::Close() {
  {
    std::lock_guard lock(state_mu_);
    if (closed_ || closing_seen_ || handle_ == nullptr)
      return;
    closed_ = true;
  }
  InternetCloseHandle(handle_);
}

::testing::AssertionResult AsyncDownload::AwaitFinished(Millis timeout) const {
  std::unique_lock lock(state_mu_);
  const bool ok = state_cv_.wait_for(lock, timeout, [&] {
    return phase_ == Phase::done || phase_ == Phase::failed || phase_ == Phase::aborted;
  });
  lock.unlock();
  if (ok)
    return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "download of " << target_ << " not finished within "
                                       << timeout.count() << " ms (" << Describe() << "); notifications:\n"
                                       << recorder_->Dump();
}

AsyncDownload::Phase AsyncDownload::phase() const {
  std::lock_guard lock(state_mu_);
  return phase_;
}
DWORD AsyncDownload::status_code() const {
  std::lock_guard lock(state_mu_);
  return status_code_;
}
std::string AsyncDownload::body() const {
  std::lock_guard lock(state_mu_);
  return body_;
}
DWORD AsyncDownload::error() const {
  std::lock_guard lock(state_mu_);
  return error_;
}
std::string AsyncDownload::failed_call() const {
  std::lock_guard lock(state_mu_);
  return failed_call_;
}
bool AsyncDownload::close_in_callback_result() const {
  std::lock_guard lock(state_mu_);
  return close_result_;
}
unsigned long AsyncDownload::close_thread() const {
  std::lock_guard lock(state_mu_);
  return close_thread_;
}
std::vector<AsyncDownload::ProgressPoint> AsyncDownload::progress() const {
  std::lock_guard lock(state_mu_);
  return progress_;
}

std::string AsyncDownload::Describe() const {
  static const char* const kPhases[] = {"created", "sending", "reading", "done", "failed", "aborted"};
  std::lock_guard lock(state_mu_);
  std::ostringstream out;
  out << target_ << ": " << kPhases[static_cast<int>(phase_)] << ", status " << status_code_ << ", "
      << body_.size() << " body bytes";
  if (phase_ == Phase::failed)
    out << ", " << failed_call_ << " failed with error " << error_;
  return out.str();
}

::testing::AssertionResult ClosingIsLast(const std::vector<hc::Notification>& log, std::uintptr_t context) {
  std::size_t closing_at = log.size(), closings = 0;
  for (std::size_t i = 0; i < log.size(); ++i) {
    if (log[i].context != context)
      continue;
    if (log[i].status == INTERNET_STATUS_HANDLE_CLOSING) {
      ++closings;
      if (closing_at == log.size())
        closing_at = i;
    } else if (closing_at != log.size()) {
      return ::testing::AssertionFailure() << StatusName(log[i].status) << " for context " << context
                                           << " arrived after its INTERNET_STATUS_HANDLE_CLOSING";
    }
  }
  if (closings != 1)
    return ::testing::AssertionFailure()
           << closings << " INTERNET_STATUS_HANDLE_CLOSING for context " << context;
  return ::testing::AssertionSuccess();
}

std::string EchoProblem(DWORD status, const std::string& body, const std::string& target) {
  if (status != 200)
    return target + ": status " + std::to_string(status);
  const auto j = nlohmann::json::parse(body, nullptr, false);
  if (j.is_discarded() || !j.is_object() || !j.contains("url") || !j["url"].is_string())
    return target + ": body is not the server's JSON echo (" + std::to_string(body.size()) + " bytes)";
  const auto url = j["url"].get<std::string>();
  if (url.size() < target.size() || url.compare(url.size() - target.size(), target.size(), target) != 0)
    return target + ": echo of another request (" + url + ")";
  return "";
}

::testing::AssertionResult Retire(std::shared_ptr<CallbackTarget> target, HINTERNET handle, Millis timeout) {
  if (handle != nullptr && !target->closing_seen())
    InternetCloseHandle(handle);
  auto closing = target->AwaitClosing(timeout);
  if (closing)
    return closing;
  // A callback may still arrive with this context: keep the target (and its recorder) alive.
  static std::mutex kept_mu;
  static auto* kept = new std::vector<std::shared_ptr<CallbackTarget>>();
  {
    std::lock_guard lock(kept_mu);
    kept->push_back(target);
  }
  return closing << "\n(the context is kept alive for the rest of the process)";
}

}  // namespace hc::wininet
