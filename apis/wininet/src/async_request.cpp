#include "hc/wininet/async_request.h"

#include <algorithm>
#include <sstream>

#include "hc/wininet/names.h"

namespace hc::wininet {

AsyncRequest::AsyncRequest(hc::ContextOwner& owner, std::string target, DWORD flags,
                           hc::RequestTransport transport)
    : Context(owner),
      target_(std::move(target)),
      flags_(flags),
      transport_(transport),
      t0_(std::chrono::steady_clock::now()),
      buffer_(8192) {
  result_.error_name = ErrorName;
}

void AsyncRequest::CloseInCallbackOn(DWORD status, Phase only_in_phase) {
  std::lock_guard lock(state_mu_);
  close_on_ = status;
  close_phase_ = only_in_phase;
}

bool AsyncRequest::Ended() const {
  return phase_ == Phase::done || phase_ == Phase::failed || phase_ == Phase::aborted;
}

bool AsyncRequest::Closing() const {
  return close_claimed_ || close_called();
}

void AsyncRequest::ReadStatusCode(HINTERNET h) {
  DWORD code = 0, size = sizeof(code);
  if (!HttpQueryInfoA(h, HTTP_QUERY_STATUS_CODE | HTTP_QUERY_FLAG_NUMBER, &code, &size, nullptr)) {
    Fail("HttpQueryInfo", GetLastError());
    return;
  }
  std::lock_guard lock(state_mu_);
  result_.status = code;
  phase_ = Phase::reading;
}

DWORD AsyncRequest::Start(HINTERNET connect) {
  std::lock_guard io(io_mu_);
  start_thread_ = GetCurrentThreadId();
  {
    std::lock_guard lock(state_mu_);
    phase_ = Phase::sending;
  }
  HINTERNET h = OpenRequest(connect, "GET", target_, flags_, value(), transport_);
  if (h == nullptr) {
    const DWORD e = GetLastError();
    Fail("HttpOpenRequest", e);
    return e;
  }
  Adopt(h);
  if (HttpSendRequestA(h, nullptr, 0, nullptr, 0)) {
    // Completed at once: the callback may or may not also report REQUEST_COMPLETE; reading
    // starts here if it has not started there.
    bool start_reading = false;
    {
      std::lock_guard lock(state_mu_);
      start_reading = phase_ == Phase::sending;
    }
    if (start_reading) {
      ReadStatusCode(h);
      Continue(h);
    }
    return 0;
  }
  const DWORD e = GetLastError();
  if (e != ERROR_IO_PENDING)
    Fail("HttpSendRequest", e);
  return e;
}

void AsyncRequest::Fail(const char* call, DWORD error) {
  std::lock_guard lock(state_mu_);
  if (Ended())
    return;
  phase_ = Phase::failed;
  result_.error = error;
  result_.failed_call = call;
}

void AsyncRequest::Finish(Phase p) {
  std::lock_guard lock(state_mu_);
  if (!Ended())
    phase_ = p;
}

void AsyncRequest::Continue(HINTERNET h) {
  for (;;) {
    {
      std::lock_guard lock(state_mu_);
      if (phase_ != Phase::reading || Closing())
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
    result_.body.append(buffer_.data(), pending_read_);
  }
}

void AsyncRequest::OnStatus(void* h, unsigned long status, void* info, unsigned long length) {
  bool close_now = false;
  {
    std::lock_guard lock(state_mu_);
    ProgressPoint p;
    p.status = status;
    p.body_bytes = result_.body.size();
    p.t_us = static_cast<std::uint64_t>(
        std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - t0_)
            .count());
    if (info != nullptr && length >= sizeof(DWORD) &&
        (status == INTERNET_STATUS_RESPONSE_RECEIVED || status == INTERNET_STATUS_REQUEST_SENT))
      p.value = *static_cast<const DWORD*>(info);
    progress_.push_back(p);
    close_now = close_on_ != 0 && status == close_on_ && phase_ == close_phase_ && !Closing();
    close_claimed_ = close_claimed_ || close_now;
  }
  if (close_now) {
    // WI-ABORT-IN-CALLBACK: the request is aborted by closing its handle inside its callback.
    const bool closed = Close() != FALSE;
    {
      std::lock_guard lock(state_mu_);
      close_in_callback_result_ = closed;
      close_thread_ = GetCurrentThreadId();
    }
    Finish(Phase::aborted);
    return;
  }
  if (status != INTERNET_STATUS_REQUEST_COMPLETE || info == nullptr || length < sizeof(INTERNET_ASYNC_RESULT))
    return;
  const auto* completion = static_cast<const INTERNET_ASYNC_RESULT*>(info);
  std::lock_guard io(io_mu_);
  Phase phase;
  {
    std::lock_guard lock(state_mu_);
    phase = phase_;
    if (Closing())
      return;
  }
  if (phase == Phase::sending) {
    if (completion->dwResult == 0) {
      Fail("HttpSendRequest (REQUEST_COMPLETE)", completion->dwError);
      return;
    }
    ReadStatusCode(h);
    Continue(h);
  } else if (phase == Phase::reading) {
    if (completion->dwResult == 0) {
      Fail(read_pending_ ? "InternetReadFile (REQUEST_COMPLETE)"
                         : "InternetQueryDataAvailable (REQUEST_COMPLETE)",
           completion->dwError);
      return;
    }
    if (read_pending_) {
      read_pending_ = false;
      if (pending_read_ == 0) {
        Finish(Phase::done);
        return;
      }
      std::lock_guard lock(state_mu_);
      result_.body.append(buffer_.data(), pending_read_);
    }
    Continue(h);
  }
}

bool AsyncRequest::finished() const {
  std::lock_guard lock(state_mu_);
  return Ended();
}
AsyncRequest::Phase AsyncRequest::phase() const {
  std::lock_guard lock(state_mu_);
  return phase_;
}
hc::Response AsyncRequest::result() const {
  std::lock_guard lock(state_mu_);
  return result_;
}
bool AsyncRequest::close_in_callback_result() const {
  std::lock_guard lock(state_mu_);
  return close_in_callback_result_;
}
unsigned long AsyncRequest::close_thread() const {
  std::lock_guard lock(state_mu_);
  return close_thread_;
}
std::vector<AsyncRequest::ProgressPoint> AsyncRequest::progress() const {
  std::lock_guard lock(state_mu_);
  return progress_;
}

std::string AsyncRequest::Describe() const {
  static const char* const kPhases[] = {"created", "sending", "reading", "done", "failed", "aborted"};
  std::lock_guard lock(state_mu_);
  std::ostringstream out;
  out << target_ << ": " << kPhases[static_cast<int>(phase_)] << ", status " << result_.status << ", "
      << result_.body.size() << " body bytes";
  if (phase_ == Phase::failed)
    out << ", " << result_.failed_call << " failed with error " << ErrorName(result_.error);
  return out.str();
}

}  // namespace hc::wininet
